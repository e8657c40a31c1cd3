/*
 * screen_day.c — Giornata: the appointments created today (booking_day_list), oldest first.
 * Tap a row to select it, then: Ristampa (its slip again, a DUPLICATO), Annulla or Sposta with
 * a reason typed on the keyboard (booking_cancel, booking_move), or close the day
 * (booking_close_day). The list is re-read from the store after every change.
 */
#include <stdlib.h>
#include <string.h>

#include "screens.h"

enum { LIST = 0, REASON_CANCEL, REASON_MOVE };

static const struct booking *selected(const struct ui_app *app)
{
	if (app->day_selected < 0 || (size_t)app->day_selected >= app->day_count)
		return NULL;
	return &app->day[app->day_selected];
}

static const char *state_text(const struct ui_app *app, enum appointment_state s)
{
	return ui_msg(app, s == APPOINTMENT_CONFIRMED   ? MSG_UI_STATE_CONFIRMED
	                   : s == APPOINTMENT_CANCELLED ? MSG_UI_STATE_CANCELLED
	                                                : MSG_UI_STATE_MOVED);
}

static void draw_reason(struct ui_app *app, const struct ui_draw *d, SDL_Rect area)
{
	const struct ui_layout *l = d->layout;
	const struct booking *b = selected(app);
	const char *ids[] = {"lang", "back"};
	const char *labels[] = {ui_msg(app, MSG_UI_LANG_OTHER), ui_msg(app, MSG_UI_BACK)};
	char title[160];
	SDL_Rect keys;

	snprintf(title, sizeof title,
	         ui_msg(app, app->day_reason == REASON_CANCEL ? MSG_UI_REASON_CANCEL
	                                                      : MSG_UI_REASON_MOVE),
	         b ? b->numero_pratica : "");
	ui_header(app, d, &area, title, ids, labels, 2);
	keys = ui_rect_take_bottom(&area, ui_keyboard_height(l), l->gap);
	ui_field(d, "field:reason", ui_msg(app, MSG_UI_REASON), app->fields[UI_FIELD_REASON],
	         ui_rect_take_top(&area, l->unit, l->gap), true, UI_FIELD_PLAIN, false);
	if (app->note.shown)
		ui_note_draw(app, d, area);
	ui_keyboard_draw(d, keys, UI_KEYS_TEXT, app->shift, ui_msg(app, MSG_UI_CONFIRM),
	                 ui_msg(app, MSG_UI_BACK));
}

static void draw(struct ui_app *app, const struct ui_draw *d, SDL_Rect area)
{
	const struct ui_layout *l = d->layout;
	const char *ids[] = {"logout", "lang", "search"};
	const char *labels[] = {ui_msg(app, MSG_UI_LOGOUT), ui_msg(app, MSG_UI_LANG_OTHER),
	                        ui_msg(app, MSG_UI_NEW_SEARCH)};
	const struct booking *sel = selected(app);
	enum ui_button_style on =
	        sel && sel->state == APPOINTMENT_CONFIRMED ? UI_BUTTON_NORMAL : UI_BUTTON_OFF;
	SDL_Rect side, note, list, pager;
	int rows;

	if (app->day_reason != LIST) {
		draw_reason(app, d, area);
		return;
	}
	ui_header(app, d, &area, ui_msg(app, MSG_UI_DAY_TITLE), ids, labels, 3);
	note = ui_rect_take_bottom(&area, l->unit, l->gap);
	side = ui_rect_take_right(&area, area.w / 4, l->gap);
	list = area;
	pager = ui_rect_take_bottom(&side, l->unit, l->gap);
	ui_button(d, "reprint", ui_msg(app, MSG_UI_REPRINT),
	          ui_rect_take_top(&side, l->unit, l->gap), on);
	ui_button(d, "cancel", ui_msg(app, MSG_UI_CANCEL_APPOINTMENT),
	          ui_rect_take_top(&side, l->unit, l->gap),
	          on == UI_BUTTON_OFF ? on : UI_BUTTON_DANGER);
	ui_button(d, "move", ui_msg(app, MSG_UI_MOVE), ui_rect_take_top(&side, l->unit, l->gap),
	          on);
	ui_button(d, "close_day", ui_msg(app, MSG_UI_CLOSE_DAY),
	          ui_rect_take_top(&side, l->unit, l->gap), UI_BUTTON_PRIMARY);
	rows = list.h / (l->unit + l->gap);
	if (rows < 1)
		rows = 1;
	ui_button(d, "page_up", "\xe2\x96\xb2", ui_rect_column(pager, 0, 2, l->gap),
	          app->day_first > 0 ? UI_BUTTON_NORMAL : UI_BUTTON_OFF);
	ui_button(d, "page_down", "\xe2\x96\xbc", ui_rect_column(pager, 1, 2, l->gap),
	          (size_t)(app->day_first + rows) < app->day_count ? UI_BUTTON_NORMAL
	                                                           : UI_BUTTON_OFF);
	if (app->day_count == 0)
		ui_label(d, ui_msg(app, MSG_UI_DAY_EMPTY), ui_rect_take_top(&list, l->unit, 0),
		         UI_FONT_BODY, UI_INK, UI_ALIGN_LEFT, false);
	for (int i = 0; i < rows && (size_t)(app->day_first + i) < app->day_count; i++) {
		int index = app->day_first + i;
		const struct booking *b = &app->day[index];
		SDL_Rect r = ui_rect_take_top(&list, l->unit, l->gap);
		char date[64], time[8], text[256], id[UI_ID_MAX];
		bool is_sel = index == app->day_selected;

		ui_format_when(app, b->day, b->minute, date, sizeof date, time, sizeof time);
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_DAY_LINE), b->numero_pratica, date,
		         time, state_text(app, b->state), b->prints);
		ui_fill(d, r, is_sel ? UI_BLUE : UI_WHITE);
		ui_outline(d, r, UI_INK, 1);
		ui_label(d, text, ui_rect_inset(r, l->gap), UI_FONT_BODY,
		         is_sel                              ? UI_WHITE
		         : b->state == APPOINTMENT_CONFIRMED ? UI_BLACK
		                                             : UI_GREY,
		         UI_ALIGN_LEFT, false);
		snprintf(id, sizeof id, "row:%d", index);
		ui_hit_add(d, id, r);
	}
	if (app->note.shown)
		ui_note_draw(app, d, note);
	else if (app->day_count > 0 && !sel)
		ui_label(d, ui_msg(app, MSG_UI_DAY_SELECT), note, UI_FONT_SMALL, UI_INK,
		         UI_ALIGN_LEFT, false);
}

static void ask_reason(struct ui_app *app, int which)
{
	app->day_reason = which;
	app->fields[UI_FIELD_REASON][0] = '\0';
	app->focus = UI_FIELD_REASON;
	ui_note_clear(app);
}

static void send_reason(struct ui_app *app)
{
	const struct booking *b = selected(app);
	struct ui_request req = {.session = app->session};

	if (!b)
		return;
	req.kind = app->day_reason == REASON_CANCEL ? UI_REQ_CANCEL : UI_REQ_MOVE;
	snprintf(req.appointment_id, sizeof req.appointment_id, "%s", b->id);
	snprintf(req.reason, sizeof req.reason, "%s", app->fields[UI_FIELD_REASON]);
	ui_post(app, &req, true);
}

static void tap(struct ui_app *app, const char *id)
{
	const struct booking *b = selected(app);

	if (app->day_reason != LIST) {
		if (strcmp(id, "key:enter") == 0)
			send_reason(app);
		else if (strcmp(id, "back") == 0 || strcmp(id, "key:next") == 0)
			app->day_reason = LIST;
		return;
	}
	if (strncmp(id, "row:", 4) == 0) {
		app->day_selected = atoi(id + 4);
		ui_note_clear(app);
	} else if (strcmp(id, "page_up") == 0 || strcmp(id, "page_down") == 0) {
		int rows = (app->layout.content.h - 3 * app->layout.unit) /
		           (app->layout.unit + app->layout.gap);

		app->day_first +=
		        strcmp(id, "page_up") == 0 ? -(rows > 1 ? rows : 1) : (rows > 1 ? rows : 1);
		if (app->day_first < 0 || (size_t)app->day_first >= app->day_count)
			app->day_first = 0;
	} else if (strcmp(id, "reprint") == 0 && b) {
		struct booking copy = *b;

		ui_print_booking(app, &copy, true);
	} else if (strcmp(id, "cancel") == 0 && b) {
		ask_reason(app, REASON_CANCEL);
	} else if (strcmp(id, "move") == 0 && b) {
		ask_reason(app, REASON_MOVE);
	} else if (strcmp(id, "close_day") == 0) {
		struct ui_request req = {.kind = UI_REQ_CLOSE_DAY, .session = app->session};

		ui_post(app, &req, true);
	}
}

static void enter(struct ui_app *app)
{
	struct ui_request req = {.kind = UI_REQ_DAY, .session = app->session};

	app->day_reason = LIST;
	ui_post(app, &req, true);
}

void ui_day_result(struct ui_app *app, struct ui_result *r)
{
	char date[64], time[8];

	if (r->kind == UI_REQ_DAY) {
		if (r->err != AG_OK) {
			ui_note_detail(app, true, &r->why);
			return;
		}
		free(app->day);
		app->day = r->day;
		app->day_count = r->day_count;
		app->today = r->today;
		r->day = NULL;
		if ((size_t)app->day_selected >= app->day_count)
			app->day_selected = -1;
		/* After a move the new appointment is the one selected. */
		for (size_t i = 0; app->day_select_id[0] && i < app->day_count; i++)
			if (strcmp(app->day[i].id, app->day_select_id) == 0)
				app->day_selected = (int)i;
		app->day_select_id[0] = '\0';
		if ((size_t)app->day_first >= app->day_count)
			app->day_first = 0;
		return;
	}
	if (r->err != AG_OK) {
		ui_note_detail(app, true, &r->why);
		return;
	}
	app->day_reason = LIST;
	if (r->kind == UI_REQ_CANCEL) {
		ui_note_msg(app, false, MSG_UI_CANCELLED);
	} else if (r->kind == UI_REQ_MOVE) {
		snprintf(app->day_select_id, sizeof app->day_select_id, "%s", r->booking.id);
		ui_format_when(app, r->booking.day, r->booking.minute, date, sizeof date, time,
		               sizeof time);
		ui_note_msg(app, false, MSG_UI_MOVED, date, time);
	} else if (r->kind == UI_REQ_CLOSE_DAY) {
		ui_note_msg(app, false, MSG_UI_DAY_CLOSED, r->close.version, r->close.appointments,
		            r->close.cancellations);
	}
	/* Re-read the list so it shows what the store now says. */
	struct ui_request req = {.kind = UI_REQ_DAY, .session = app->session};
	ui_post(app, &req, true);
}

const struct ui_screen_ops ui_day_screen = {"giornata", draw, tap, enter};
