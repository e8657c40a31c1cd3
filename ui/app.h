/*
 * app.h — the kiosk's shared state and the glue between screens, input, the worker and the
 * printer.
 *
 * struct ui_app holds what every screen may use: who is logged in, the text being typed, the
 * practice at the counter, the device status, the window. Each screen (one file each, its ops
 * table in screens.h) keeps its own state in a struct only its file knows, reached through its
 * member below. Screens draw, react to taps and to worker results; only the worker (worker.h)
 * calls services that touch the store, and only the print queue touches the printer. The UI
 * thread never blocks on either.
 */
#ifndef AGENDA_UI_APP_H
#define AGENDA_UI_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <SDL.h>

#include "core/messages.h"
#include "print/printer_choice.h"
#include "keyboard.h"
#include "layout.h"
#include "screens.h"
#include "sync_worker.h"
#include "text.h"
#include "widget.h"
#include "worker.h"

enum ui_field_id {
	UI_FIELD_USER = 0,
	UI_FIELD_PASSWORD,
	UI_FIELD_PRATICA,
	UI_FIELD_VISTO,
	UI_FIELD_REASON,
	UI_FIELD_COUNT
};

#define UI_FIELD_MAX 200

struct ui_config {
	const char *db_path;
	const char *printer_uri; /* --printer; then the one chosen (printer_choice) */
	bool demo;
	agenda_lang lang;
	int width, height;
	bool fullscreen;
	const char *script_path;
	const char *screenshot_dir;
	int idle_logout_s; /* 0 = never */
};

/* A message shown on the current screen, kept in both languages. */
struct ui_note {
	bool shown;
	bool error;
	agenda_detail text;
};

struct ui_script_runner;

struct ui_app {
	struct ui_config config;
	SDL_Window *window;
	SDL_Renderer *renderer;
	struct ui_layout layout;
	struct ui_text text;
	struct ui_hits hits[2]; /* the frame being drawn and the one on screen */
	int hits_shown;
	agenda_lang lang;
	enum ui_screen screen;
	bool dirty;

	struct ui_worker *worker;
	int outstanding;  /* requests posted, results not handled yet */
	int busy;         /* of which the person waits for (not status polls) */
	bool store_ready; /* the worker opened the store */
	print_queue *printer;
	struct printer_choice printer_choice; /* which printer and profile, and why */
	char virtual_prefix[4096]; /* the virtual printer's file prefix, "" for real printers */
	agenda_clock clock;
	int64_t clock_storage;

	bool logged_in;
	struct session session;
	Uint64 last_input_ms;

	struct ui_note note;
	char fields[UI_FIELD_COUNT][UI_FIELD_MAX];
	enum ui_field_id focus;
	bool shift;
	bool accent; /* the text keyboard shows its accent row */

	/* The practice at the counter: found by Ricerca, shown by Scheda, booked by Proposta. */
	struct practice practice;
	struct questura questura;
	bool bookable;
	agenda_detail not_bookable;
	bool has_booking;
	struct booking existing;

	/* Each screen's own state: allocated by its open, laid out in its own file only. */
	const struct ui_screen_ops *const *screens; /* ui_screens, indexed by enum ui_screen */
	struct ui_login_state *login_state;
	struct ui_proposal_state *proposal_state;
	struct ui_print_state *print_state;
	struct ui_day_state *day_state;
	struct ui_tech_state *tech_state;

	/* status bar and Tecnico */
	struct device_status status;
	bool status_known;
	Uint64 status_asked_ms;

	/* Sync with central (issue 12): the thread, and the copy of its status the bar draws. */
	struct sync_worker *sync;
	struct sync_worker_status sync_status;
	agenda_msg busy_msg; /* the busy band's words while the person waits; 0: "Attendere" */

	struct ui_script_runner *script;
	bool quit;
	int exit_code;
};

/* Text of a catalogue entry in the current language. */
const char *ui_msg(const struct ui_app *app, agenda_msg id);

/* The detail's text in the current language. */
const char *ui_detail(const struct ui_app *app, const agenda_detail *d);

/* Shows a catalogue message (printf arguments) or a detail as the screen's note. */
void ui_note_msg(struct ui_app *app, bool error, int msg_id, ...);
void ui_note_detail(struct ui_app *app, bool error, const agenda_detail *d);
void ui_note_clear(struct ui_app *app);

/*
 * Points app at its screens (ui_screens; a test may pass its own) and opens each one's state;
 * false when out of memory. ui_screens_close frees them, also after a failed open.
 */
bool ui_screens_open(struct ui_app *app, const struct ui_screen_ops *const *screens);
void ui_screens_close(struct ui_app *app);

/* Posts a request to the worker; busy requests make the screen show "Attendere". */
void ui_post(struct ui_app *app, struct ui_request *req, bool busy);

/* Changes screen (clears the note, sets the focused field, asks for the screen's data). */
void ui_go(struct ui_app *app, enum ui_screen screen);

/* Ends the session: fields wiped, back to the log-in screen. */
void ui_logout(struct ui_app *app);

/* "lunedì 4 maggio 2026" and "09:30" of a booking, in the current language. */
void ui_format_when(const struct ui_app *app, agenda_day day, int minute, char *date,
                    size_t date_size, char *time, size_t time_size);

/* Draws the title row of a screen: title, then buttons from the right (ids, labels). */
SDL_Rect ui_header(struct ui_app *app, const struct ui_draw *d, SDL_Rect *area, const char *title,
                   const char *const *ids, const char *const *labels, int count);

/* Draws the note (if any) in r. */
void ui_note_draw(struct ui_app *app, const struct ui_draw *d, SDL_Rect r);

/* Name of the screen showing, for scripts and logs: "login", "ricerca", "scheda"... */
const char *ui_screen_name(const struct ui_app *app);

/* Whether a screen has work running outside the worker (a print job in flight). */
bool ui_in_flight(const struct ui_app *app);

/* Whether nothing is pending: no worker request, no print job in flight. */
bool ui_idle(const struct ui_app *app);

/* Input, already reduced to a widget id, typed text or a key (app.c). */
void ui_app_tap(struct ui_app *app, const char *id);
void ui_app_text(struct ui_app *app, const char *text);
void ui_app_key(struct ui_app *app, SDL_Keycode key);

/* A worker result (frees nothing: the caller frees r). */
void ui_app_result(struct ui_app *app, struct ui_result *r);

/* frame.c: draws the current screen, the status bar and the busy band (no clear, no present). */
void ui_app_draw_screen(struct ui_app *app, const struct ui_draw *d);

/* frame.c: draws one frame and presents it; with shot, first copies the pixels into *shot. */
void ui_app_frame(struct ui_app *app, SDL_Surface **shot);

/* loop.c: the window, the screens' states, the worker and the print queue; the event loop. */
bool ui_app_open(struct ui_app *app, const struct ui_config *config);
void ui_app_close(struct ui_app *app);

/* Handles one SDL event. */
void ui_app_event(struct ui_app *app, const SDL_Event *e);

/* Runs every screen's tick (Stampa follows its job), logs out an idle session, refreshes the
 * status now and then. */
void ui_app_tick(struct ui_app *app);

/* Runs until quit (window closed, script ended); returns the exit status. */
int ui_app_run(struct ui_app *app);

#endif
