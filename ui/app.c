/*
 * app.c — what screens share: messages in the current language, notes, posting requests,
 * changing screens, the title row, and the routing of taps, typed text and worker results.
 *
 * Input arrives here as a widget id (a tap on the hit list of the frame on screen, a key of the
 * on-screen keyboard) or as text (SDL_TEXTINPUT from a keyboard or a barcode scanner). Keys
 * that edit text are applied to the focused field here; everything else goes to the screen.
 */
#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens.h"

static const struct ui_screen_ops *const SCREENS[UI_SCREEN_COUNT] = {
        [UI_SCREEN_LOGIN] = &ui_login_screen,       [UI_SCREEN_SEARCH] = &ui_search_screen,
        [UI_SCREEN_PRACTICE] = &ui_practice_screen, [UI_SCREEN_PROPOSAL] = &ui_proposal_screen,
        [UI_SCREEN_PRINT] = &ui_print_screen,       [UI_SCREEN_DAY] = &ui_day_screen,
        [UI_SCREEN_TECH] = &ui_tech_screen,
};

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
	app->screen = screen;
	ui_note_clear(app);
	app->shift = false;
	app->accent = false;
	if (screen == UI_SCREEN_SEARCH && app->focus != UI_FIELD_VISTO)
		app->focus = UI_FIELD_PRATICA;
	if (SCREENS[screen]->enter)
		SCREENS[screen]->enter(app);
	SDL_Log("screen: %s", SCREENS[screen]->name);
}

void ui_logout(struct ui_app *app)
{
	explicit_bzero(&app->session, sizeof app->session);
	explicit_bzero(app->fields, sizeof app->fields);
	explicit_bzero(&app->practice, sizeof app->practice);
	free(app->day);
	app->day = NULL;
	app->day_count = 0;
	free(app->queue);
	app->queue = NULL;
	app->queue_count = 0;
	app->day_selected = -1;
	app->logged_in = false;
	if (app->preview) {
		SDL_DestroyTexture(app->preview);
		app->preview = NULL;
	}
	ui_go(app, UI_SCREEN_LOGIN);
}

void ui_format_when(const struct ui_app *app, agenda_day day, int minute, char *date,
                    size_t date_size, char *time, size_t time_size)
{
	date_format_long(day, app->lang, date, date_size);
	time_format(minute, time, time_size);
}

const char *ui_screen_name(enum ui_screen s)
{
	return s < UI_SCREEN_COUNT ? SCREENS[s]->name : "?";
}

bool ui_idle(const struct ui_app *app)
{
	return app->outstanding == 0 && !app->print_active && !app->print_requested;
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
	switch (app->screen) {
	case UI_SCREEN_LOGIN:
		if (app->focus != UI_FIELD_USER && app->focus != UI_FIELD_PASSWORD)
			app->focus = UI_FIELD_USER;
		break;
	case UI_SCREEN_SEARCH:
		if (app->focus != UI_FIELD_PRATICA && app->focus != UI_FIELD_VISTO)
			app->focus = UI_FIELD_PRATICA;
		break;
	case UI_SCREEN_DAY:
		if (!app->day_reason)
			return NULL;
		app->focus = UI_FIELD_REASON;
		break;
	default:
		return NULL;
	}
	return app->fields[app->focus];
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
	SCREENS[app->screen]->tap(app, id);
}

void ui_app_text(struct ui_app *app, const char *text)
{
	char *field = typing_field(app);

	if (!field || app->busy > 0)
		return;
	ui_text_append(field, UI_FIELD_MAX, text);
	app->dirty = true;
	SCREENS[app->screen]->tap(app, "key:typed");
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
		SCREENS[app->screen]->tap(app, "key:typed");
	}
}

static void status_result(struct ui_app *app, struct ui_result *r)
{
	if (r->err == AG_OK) {
		app->status = r->status;
		app->status_known = true;
	}
}

void ui_app_result(struct ui_app *app, struct ui_result *r)
{
	struct ui_request status = {.kind = UI_REQ_STATUS};

	app->outstanding--;
	if (r->busy)
		app->busy--;
	app->dirty = true;
	switch (r->kind) {
	case UI_REQ_OPEN:
	case UI_REQ_LOGIN:
		ui_login_result(app, r);
		break;
	case UI_REQ_LOOKUP:
		ui_search_result(app, r);
		break;
	case UI_REQ_PROPOSE:
		ui_practice_result(app, r);
		break;
	case UI_REQ_CONFIRM:
		ui_proposal_result(app, r);
		break;
	case UI_REQ_PRINT:
	case UI_REQ_PRINT_DONE:
		ui_print_result(app, r);
		break;
	case UI_REQ_DAY:
	case UI_REQ_CANCEL:
	case UI_REQ_MOVE:
	case UI_REQ_CLOSE_DAY:
		ui_day_result(app, r);
		break;
	case UI_REQ_STATUS:
		status_result(app, r);
		return;
	}
	/* Anything may have added journal entries or email: refresh the bar's counts. */
	if (app->store_ready) {
		ui_post(app, &status, false);
		app->status_asked_ms = SDL_GetTicks64();
	}
}

void ui_app_draw_screen(struct ui_app *app, const struct ui_draw *d)
{
	SDL_Rect area = app->layout.content;

	SCREENS[app->screen]->draw(app, d, area);
	ui_statusbar_draw(app, d);
	if (app->busy > 0) {
		/* Busy: a band over the bottom of the screen; drawing and input go on. */
		const struct ui_layout *l = &app->layout;
		SDL_Rect band = {0, l->h - l->unit, l->w, l->unit};
		char text[64];
		int dots = (int)(SDL_GetTicks64() / 300 % 4);

		snprintf(text, sizeof text, "%s%.*s", ui_msg(app, MSG_UI_BUSY), dots, "...");
		ui_fill(d, band, UI_AMBER);
		ui_label(d, text, ui_rect_inset(band, l->gap), UI_FONT_TITLE, UI_BLACK,
		         UI_ALIGN_CENTER, false);
	}
}
