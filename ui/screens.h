/*
 * screens.h — one file per screen; each draws itself from struct ui_app, reacts to taps on its
 * widgets (by id) and to the worker's results for the requests it posted.
 *
 * draw(app, d, area)   lays out and draws the screen in area (below the status bar)
 * tap(app, id)         a widget of this screen was tapped (keys of the on-screen keyboard and
 *                      physical Enter/Tab arrive as "key:enter" / "key:next" after app.c edited
 *                      the focused field)
 * result(app, r)       a worker result of a request this screen posted
 */
#ifndef AGENDA_UI_SCREENS_H
#define AGENDA_UI_SCREENS_H

#include "app.h"

struct ui_screen_ops {
	const char *name; /* for scripts: expect_screen NAME */
	void (*draw)(struct ui_app *app, const struct ui_draw *d, SDL_Rect area);
	void (*tap)(struct ui_app *app, const char *id);
	void (*enter)(struct ui_app *app); /* on ui_go; may be NULL */
};

extern const struct ui_screen_ops ui_login_screen;
extern const struct ui_screen_ops ui_search_screen;
extern const struct ui_screen_ops ui_practice_screen;
extern const struct ui_screen_ops ui_proposal_screen;
extern const struct ui_screen_ops ui_print_screen;
extern const struct ui_screen_ops ui_day_screen;
extern const struct ui_screen_ops ui_tech_screen;

/* Worker results, routed by request kind (the screen may have changed meanwhile). */
void ui_login_result(struct ui_app *app, struct ui_result *r);
void ui_search_result(struct ui_app *app, struct ui_result *r);
void ui_practice_result(struct ui_app *app, struct ui_result *r);
void ui_proposal_result(struct ui_app *app, struct ui_result *r);
void ui_print_result(struct ui_app *app, struct ui_result *r);
void ui_day_result(struct ui_app *app, struct ui_result *r);

/* Follows the print job (called every frame): records the outcome when it ends. */
void ui_print_tick(struct ui_app *app);

/* The always visible status bar. */
void ui_statusbar_draw(struct ui_app *app, const struct ui_draw *d);

#endif
