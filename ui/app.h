/*
 * app.h — the kiosk's state and the glue between screens, input, the worker and the printer.
 *
 * One struct ui_app holds everything a screen shows: who is logged in, the text being typed,
 * the practice, the proposal, the print job, today's list, the device status. Screens (one file
 * each, screens.h) draw from it and change it in response to taps and worker results; only the
 * worker (worker.h) calls services that touch the store, and only the print queue touches the
 * printer. The UI thread never blocks on either.
 */
#ifndef AGENDA_UI_APP_H
#define AGENDA_UI_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <SDL.h>

#include "core/messages.h"
#include "keyboard.h"
#include "layout.h"
#include "text.h"
#include "widget.h"
#include "worker.h"

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
	const char *printer_uri;
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

	/* Scheda and Proposta */
	struct practice practice;
	struct questura questura;
	bool bookable;
	agenda_detail not_bookable;
	bool has_booking;
	struct booking existing;
	struct booking proposal;
	bool modello209;

	/* Stampa */
	struct booking booked;
	bool booked_existing;
	bool print_requested; /* REQ_PRINT posted, job id not known yet */
	bool print_active;    /* job id known, not finished */
	uint64_t print_job;
	print_job_info job;
	bool job_known;
	SDL_Texture *preview;
	int preview_w, preview_h;

	/* Giornata */
	struct booking *day;
	size_t day_count;
	struct booking *queue; /* convocation_reprint_queue: confirmed, last print failed */
	size_t queue_count;
	int day_rows; /* rows of today's list shown in the last frame (paging) */
	agenda_day today;
	int day_selected; /* -1: none */
	int day_first;    /* first row shown */
	int day_reason;   /* 0 list, 1 typing a cancel reason, 2 typing a move reason */
	char day_select_id[APPOINTMENT_ID_MAX]; /* select this row when the list comes */

	/* status bar and Tecnico */
	struct device_status status;
	bool status_known;
	Uint64 status_asked_ms;

	/* --demo on a new database: the accounts to tap on the log-in screen */
	bool demo_accounts;
	struct demo_report demo;

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

/* Posts a request to the worker; busy requests make the screen show "Attendere". */
void ui_post(struct ui_app *app, struct ui_request *req, bool busy);

/* Changes screen (clears the note, sets the focused field, asks for the screen's data). */
void ui_go(struct ui_app *app, enum ui_screen screen);

/* Ends the session: fields wiped, back to the log-in screen. */
void ui_logout(struct ui_app *app);

/* Starts printing the slip of an appointment and shows Stampa. */
void ui_print_booking(struct ui_app *app, const struct booking *b, bool existing);

/* "lunedì 4 maggio 2026" and "09:30" of a booking, in the current language. */
void ui_format_when(const struct ui_app *app, agenda_day day, int minute, char *date,
                    size_t date_size, char *time, size_t time_size);

/* Draws the title row of a screen: title, then buttons from the right (ids, labels). */
SDL_Rect ui_header(struct ui_app *app, const struct ui_draw *d, SDL_Rect *area, const char *title,
                   const char *const *ids, const char *const *labels, int count);

/* Draws the note (if any) in r. */
void ui_note_draw(struct ui_app *app, const struct ui_draw *d, SDL_Rect r);

/* Name of a screen for scripts and logs: "login", "ricerca", "scheda"... */
const char *ui_screen_name(enum ui_screen s);

/* Whether nothing is pending: no worker request, no print job in flight. */
bool ui_idle(const struct ui_app *app);

/* Input, already reduced to a widget id, typed text or a key (app.c). */
void ui_app_tap(struct ui_app *app, const char *id);
void ui_app_text(struct ui_app *app, const char *text);
void ui_app_key(struct ui_app *app, SDL_Keycode key);

/* A worker result (frees nothing: the caller frees r). */
void ui_app_result(struct ui_app *app, struct ui_result *r);

/* Draws the current screen, the status bar and the busy band (no clear, no present). */
void ui_app_draw_screen(struct ui_app *app, const struct ui_draw *d);

/* loop.c: the window, frames and the event loop. */
bool ui_app_open(struct ui_app *app, const struct ui_config *config);
void ui_app_close(struct ui_app *app);

/* Draws one frame and presents it; with shot, first copies the pixels into *shot (ARGB). */
void ui_app_frame(struct ui_app *app, SDL_Surface **shot);

/* Handles one SDL event. */
void ui_app_event(struct ui_app *app, const SDL_Event *e);

/* Follows the print job, logs out an idle session, refreshes the status now and then. */
void ui_app_tick(struct ui_app *app);

/* Runs until quit (window closed, script ended); returns the exit status. */
int ui_app_run(struct ui_app *app);

#endif
