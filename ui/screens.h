/*
 * screens.h — what a screen is: one ops table per screen file, reached through an array indexed
 * by enum ui_screen (ui_screens, screen_table.c) that app.c and loop.c dispatch to. app.c never
 * names a screen: screens call app.c's helpers, app.c calls screens only through this table.
 *
 * A screen keeps its own state in a struct of its own, laid out in its own file only: open
 * allocates it into its member of struct ui_app, close frees it. What several screens share
 * (the fields being typed, the practice at the counter, the session) stays in struct ui_app.
 *
 * name                 for scripts: expect_screen NAME
 * open(app)            at start: allocates the screen's state; false when out of memory
 * close(app)           at exit: frees it (also after a failed or partial open)
 * enter(app)           on ui_go to this screen
 * draw(app, d, area)   lays out and draws the screen in area (below the status bar)
 * tap(app, id)         a widget of this screen was tapped (keys of the on-screen keyboard and
 *                      physical Enter/Tab arrive as "key:enter" / "key:next" after app.c edited
 *                      the field that typing returned)
 * typing(app)          the field typing goes into now (fixing the focus), or NULL
 * result(app, r)       a worker result of a request this screen posts (app.c's table says which
 *                      kinds; it arrives whatever screen shows meanwhile)
 * tick(app)            every frame, whichever screen shows: work that outlives the screen (the
 *                      print job)
 * in_flight(app)       work of its own still running outside the worker (a print job): frames
 *                      keep coming and the session does not idle out meanwhile
 * logout(app)          the session ends: forget what belonged to it (applicants' data)
 * Every hook but name, draw and tap may be NULL.
 */
#ifndef AGENDA_UI_SCREENS_H
#define AGENDA_UI_SCREENS_H

#include <stdbool.h>

#include <SDL.h>

enum ui_screen {
	UI_SCREEN_LOGIN = 0,
	UI_SCREEN_SEARCH,   /* Ricerca */
	UI_SCREEN_PRACTICE, /* Scheda */
	UI_SCREEN_PROPOSAL, /* Proposta */
	UI_SCREEN_PRINT,    /* Stampa */
	UI_SCREEN_DAY,      /* Giornata */
	UI_SCREEN_TECH,     /* Tecnico */
	UI_SCREEN_COUNT
};

struct ui_app;
struct ui_draw;
struct ui_result;

struct ui_screen_ops {
	const char *name;
	bool (*open)(struct ui_app *app);
	void (*close)(struct ui_app *app);
	void (*enter)(struct ui_app *app);
	void (*draw)(struct ui_app *app, const struct ui_draw *d, SDL_Rect area);
	void (*tap)(struct ui_app *app, const char *id);
	char *(*typing)(struct ui_app *app);
	void (*result)(struct ui_app *app, struct ui_result *r);
	void (*tick)(struct ui_app *app);
	bool (*in_flight)(const struct ui_app *app);
	void (*logout)(struct ui_app *app);
};

/* Every screen, indexed by enum ui_screen (screen_table.c); ui_app_open points app at it. */
extern const struct ui_screen_ops *const ui_screens[UI_SCREEN_COUNT];

/* Each defined in its own file, screen_<what>.c. */
extern const struct ui_screen_ops ui_login_screen;
extern const struct ui_screen_ops ui_search_screen;
extern const struct ui_screen_ops ui_practice_screen;
extern const struct ui_screen_ops ui_proposal_screen;
extern const struct ui_screen_ops ui_print_screen;
extern const struct ui_screen_ops ui_day_screen;
extern const struct ui_screen_ops ui_tech_screen;

#endif
