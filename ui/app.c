/*
 * app.c — what screens share: messages in the current language, notes, posting requests,
 * changing screens, the title row, and the routing of taps, typed text and worker results.
 *
 * Input arrives here as a widget id (a tap on the hit list of the frame on screen, a key of the
 * on-screen keyboard) or as text (SDL_TEXTINPUT from a keyboard or a barcode scanner). Keys
 * that edit text are applied to the field the screen's typing hook names; everything else goes
 * to the screen. Screens are reached only through app->screens (screens.h): this file names
 * none of them, so screens may call it without a loop between the two.
 */
#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/device_files.h"

/*
 * The screen that handles each request's result: the one that posts it (the result arrives
 * whatever screen shows meanwhile). UI_REQ_STATUS is the app's own: the bar and Tecnico.
 */
static const enum ui_screen RESULT_SCREEN[] = {
        [UI_REQ_OPEN] = UI_SCREEN_LOGIN,         [UI_REQ_LOGIN] = UI_SCREEN_LOGIN,
        [UI_REQ_LOOKUP] = UI_SCREEN_SEARCH,      [UI_REQ_PROPOSE] = UI_SCREEN_PRACTICE,
        [UI_REQ_CONFIRM] = UI_SCREEN_PROPOSAL,   [UI_REQ_PRINT] = UI_SCREEN_PRINT,
        [UI_REQ_PRINT_DONE] = UI_SCREEN_PRINT,   [UI_REQ_DAY] = UI_SCREEN_DAY,
        [UI_REQ_CANCEL] = UI_SCREEN_DAY,         [UI_REQ_MOVE] = UI_SCREEN_DAY,
        [UI_REQ_CLOSE_DAY] = UI_SCREEN_DAY,      [UI_REQ_ENROLMENT] = UI_SCREEN_TECH,
        [UI_REQ_PROVISION] = UI_SCREEN_TECH,     [UI_REQ_WORKLIST_DONE] = UI_SCREEN_DAY,
        [UI_REQ_DAY_LIST_PRINT] = UI_SCREEN_DAY, [UI_REQ_STATUS] = UI_SCREEN_COUNT,
};
_Static_assert(sizeof RESULT_SCREEN / sizeof RESULT_SCREEN[0] == UI_REQ_STATUS + 1,
               "every request kind names the screen that handles its result");

const char *ui_msg(const struct ui_app *app, agenda_msg id)
{
	return msg_get(id, app->lang);
}

const char *ui_detail(const struct ui_app *app, const agenda_detail *d)
{
	return app->lang == LANG_EN && d->en[0] ? d->en : d->it;
}

void ui_note_msg(struct ui_app *app, bool error, int msg_id, ...)
{
	va_list ap;

	va_start(ap, msg_id);
	vsnprintf(app->note.text.it, sizeof app->note.text.it, msg_get(msg_id, LANG_IT), ap);
	va_end(ap);
	va_start(ap, msg_id);
	vsnprintf(app->note.text.en, sizeof app->note.text.en, msg_get(msg_id, LANG_EN), ap);
	va_end(ap);
	app->note.shown = true;
	app->note.error = error;
	app->dirty = true;
}

void ui_note_detail(struct ui_app *app, bool error, const agenda_detail *d)
{
	app->note.text = *d;
	app->note.shown = d->it[0] != '\0';
	app->note.error = error;
	app->dirty = true;
}

void ui_note_clear(struct ui_app *app)
{
	app->note.shown = false;
	app->dirty = true;
}

void ui_post(struct ui_app *app, struct ui_request *req, bool busy)
{
	req->busy = busy;
	if (!ui_worker_post(app->worker, req)) {
		ui_note_msg(app, true, MSG_NOMEM);
		return;
	}
	app->outstanding++;
	if (busy)
		app->busy++;
	app->dirty = true;
}

void ui_go(struct ui_app *app, enum ui_screen screen)
{
	const struct ui_screen_ops *ops = app->screens[screen];

	app->screen = screen;
	ui_note_clear(app);
	app->shift = false;
	app->accent = false;
	if (ops->enter)
		ops->enter(app);
	SDL_Log("screen: %s", ops->name);
}

bool ui_screens_open(struct ui_app *app, const struct ui_screen_ops *const *screens)
{
	app->screens = screens;
	for (int s = 0; s < UI_SCREEN_COUNT; s++)
		if (screens[s]->open && !screens[s]->open(app))
			return false;
	return true;
}

void ui_screens_close(struct ui_app *app)
{
	for (int s = 0; app->screens && s < UI_SCREEN_COUNT; s++)
		if (app->screens[s]->close)
			app->screens[s]->close(app);
}

void ui_logout(struct ui_app *app)
{
	explicit_bzero(&app->session, sizeof app->session);
	explicit_bzero(app->fields, sizeof app->fields);
	explicit_bzero(&app->practice, sizeof app->practice);
	for (int s = 0; s < UI_SCREEN_COUNT; s++)
		if (app->screens[s]->logout)
			app->screens[s]->logout(app);
	app->logged_in = false;
	ui_go(app, UI_SCREEN_LOGIN);
}

void ui_format_when(const struct ui_app *app, agenda_day day, int minute, char *date,
                    size_t date_size, char *time, size_t time_size)
{
	date_format_long(day, app->lang, date, date_size);
	time_format(minute, time, time_size);
}

const char *ui_screen_name(const struct ui_app *app)
{
	return app->screen < UI_SCREEN_COUNT ? app->screens[app->screen]->name : "?";
}

bool ui_in_flight(const struct ui_app *app)
{
	for (int s = 0; s < UI_SCREEN_COUNT; s++)
		if (app->screens[s]->in_flight && app->screens[s]->in_flight(app))
			return true;
	return false;
}

bool ui_idle(const struct ui_app *app)
{
	return app->outstanding == 0 && !ui_in_flight(app);
}

SDL_Rect ui_header(struct ui_app *app, const struct ui_draw *d, SDL_Rect *area, const char *title,
                   const char *const *ids, const char *const *labels, int count)
{
	const struct ui_layout *l = d->layout;
	SDL_Rect row = ui_rect_take_top(area, l->unit, l->gap);

	(void)app;
	for (int i = 0; i < count; i++) {
		int w;

		ui_text_measure(d->text, UI_FONT_BUTTON, labels[i], &w, NULL);
		w += l->unit / 2;
		if (w < l->unit * 3 / 2)
			w = l->unit * 3 / 2;
		if (w > row.w / 4)
			w = row.w / 4;
		ui_button(d, ids[i], labels[i], ui_rect_take_right(&row, w, l->gap),
		          strcmp(ids[i], "logout") == 0 ? UI_BUTTON_DANGER : UI_BUTTON_NORMAL);
	}
	/* A long title (a reason's, with the practice number) steps down a font, then wraps. */
	{
		enum ui_font font = UI_FONT_TITLE;
		int tw;

		ui_text_measure(d->text, font, title, &tw, NULL);
		if (tw > row.w) {
			font = UI_FONT_BODY;
			ui_text_measure(d->text, font, title, &tw, NULL);
		}
		if (tw > row.w)
			font = UI_FONT_SMALL;
		ui_label(d, title, row, font, UI_BLACK, UI_ALIGN_LEFT, tw > row.w);
	}
	return row;
}

void ui_note_draw(struct ui_app *app, const struct ui_draw *d, SDL_Rect r)
{
	if (!app->note.shown)
		return;
	ui_label(d, ui_detail(app, &app->note.text), r, UI_FONT_BODY,
	         app->note.error ? UI_RED : UI_GREEN, UI_ALIGN_LEFT, true);
}

/* The field that typing goes into on this screen, or NULL. */
static char *typing_field(struct ui_app *app)
{
	const struct ui_screen_ops *ops = app->screens[app->screen];

	return ops->typing ? ops->typing(app) : NULL;
}

void ui_app_tap(struct ui_app *app, const char *id)
{
	char *field;

	app->dirty = true;
	if (strcmp(id, "lang") == 0) {
		app->lang = app->lang == LANG_IT ? LANG_EN : LANG_IT;
		return;
	}
	if (app->busy > 0)
		return; /* one request at a time: a second tap must not book twice */
	if (strcmp(id, "logout") == 0) {
		ui_logout(app);
		return;
	}
	if (strcmp(id, "search") == 0) {
		app->fields[UI_FIELD_PRATICA][0] = app->fields[UI_FIELD_VISTO][0] = '\0';
		app->focus = UI_FIELD_PRATICA;
		ui_go(app, UI_SCREEN_SEARCH);
		return;
	}
	if (strcmp(id, "key:shift") == 0) {
		app->shift = !app->shift;
		return;
	}
	if (strcmp(id, "key:accent") == 0) {
		app->accent = !app->accent;
		return;
	}
	if (strncmp(id, "key:", 4) == 0 && strcmp(id, "key:enter") != 0 &&
	    strcmp(id, "key:next") != 0 && (field = typing_field(app)) != NULL) {
		ui_keyboard_edit(id + 4, field, UI_FIELD_MAX, app->shift);
		app->shift = false;
		app->accent = false;
	}
	app->screens[app->screen]->tap(app, id);
}

void ui_app_text(struct ui_app *app, const char *text)
{
	char *field = typing_field(app);

	if (!field || app->busy > 0)
		return;
	ui_text_append(field, UI_FIELD_MAX, text);
	app->dirty = true;
	app->screens[app->screen]->tap(app, "key:typed");
}

void ui_app_key(struct ui_app *app, SDL_Keycode key)
{
	char *field;

	if (key == SDLK_RETURN || key == SDLK_KP_ENTER) {
		ui_app_tap(app, "key:enter");
	} else if (key == SDLK_TAB) {
		ui_app_tap(app, "key:next");
	} else if (key == SDLK_BACKSPACE && app->busy == 0 && (field = typing_field(app))) {
		ui_text_backspace(field);
		app->dirty = true;
		app->screens[app->screen]->tap(app, "key:typed");
	}
}

static void status_result(struct ui_app *app, struct ui_result *r)
{
	if (r->err == AG_OK) {
		app->status = r->status;
		app->status_known = true;
	}
}

/*
 * The store is open (a --demo run has created it): the sync thread opens its own connection
 * now. It runs rounds only on a device enrolled with central.
 */
static void sync_start(struct ui_app *app)
{
	struct sync_worker_config c = {.db_path = app->config.db_path};
	char dir[4096];

	if (app->sync)
		return;
	device_files_data_dir(app->config.db_path, dir, sizeof dir);
	c.data_dir = dir;
	app->sync = sync_worker_start(&c);
	if (!app->sync)
		SDL_Log("sync: the thread does not start; the kiosk works offline");
}

void ui_app_result(struct ui_app *app, struct ui_result *r)
{
	struct ui_request status = {.kind = UI_REQ_STATUS};

	if (!r->unasked) {
		app->outstanding--;
		if (r->busy)
			app->busy--;
		if (app->busy == 0)
			app->busy_msg = 0;
	}
	app->dirty = true;
	if (r->kind == UI_REQ_STATUS) {
		status_result(app, r);
		return;
	}
	if (r->kind == UI_REQ_OPEN && r->err == AG_OK)
		sync_start(app);
	if ((size_t)r->kind < sizeof RESULT_SCREEN / sizeof RESULT_SCREEN[0]) {
		const struct ui_screen_ops *ops = app->screens[RESULT_SCREEN[r->kind]];

		if (ops->result)
			ops->result(app, r);
	}
	/* Anything may have added journal entries or email: refresh the bar's counts. */
	if (app->store_ready) {
		ui_post(app, &status, false);
		app->status_asked_ms = SDL_GetTicks64();
	}
}
