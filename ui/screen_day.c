/*
 * screen_day.c — Giornata: the appointments created today (booking_day_list), oldest first,
 * and above them the reprint queue (convocation_reprint_queue: confirmed appointments of any
 * day whose last print failed, e.g. before a restart), each with its own "Ristampa"; a slip
 * printed leaves the queue when the list is read again. Tap a row to select it, then: Ristampa (its
 * slip again, a DUPLICATO), Annulla or Sposta with a reason typed on the keyboard (booking_cancel,
 * booking_move), or close the day (booking_close_day). The list is re-read from the store after
 * every change.
 *
 * Issue 13: closing the day says how many emails it queued for the Questure (the sync thread is
 * asked to send them at once), and "Stampa elenco" prints today's list of each Questura
 * (day_lists_print.h) so the counter keeps a paper copy of what the emails carry.
 *
 * On a device enrolled with central (issue 12) the worklist comes first: open items central's
 * changes left (a day closed under a booking, a slot another counter had, a practice booked
 * twice or withdrawn), each as its kind in words, the practice number and the appointment's
 * time, with "Fatto" (worklist_done) once the applicant has been told. A round that adds items
 * while Giornata shows re-reads the lists.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screen_print.h"

enum { LIST = 0, REASON_CANCEL, REASON_MOVE };

struct ui_day_state {
	struct booking *day; /* booking_day_list: today's appointments, day_count of them */
	size_t day_count;
	struct booking *queue; /* convocation_reprint_queue: confirmed, last print failed */
	size_t queue_count;
	int day_rows; /* rows of today's list shown in the last frame (paging) */
	agenda_day today;
	int day_selected;                       /* -1: none */
	int day_first;                          /* first row shown */
	int day_reason;                         /* LIST, or typing a REASON_CANCEL / REASON_MOVE */
	char day_select_id[APPOINTMENT_ID_MAX]; /* select this row when the list comes */
	struct ui_work_item *work;              /* open worklist items, work_count of them */
	size_t work_count;
	int64_t work_seen; /* the sync thread's open-item count when the lists were last asked */
};

static bool state_open(struct ui_app *app)
{
	app->day_state = calloc(1, sizeof *app->day_state);
	if (!app->day_state)
		return false;
	app->day_state->day_selected = -1;
	return true;
}

/* The session ends: the lists name applicants' practices. */
static void logout(struct ui_app *app)
{
	struct ui_day_state *ds = app->day_state;

	free(ds->day);
	ds->day = NULL;
	ds->day_count = 0;
	free(ds->queue);
	ds->queue = NULL;
	ds->queue_count = 0;
	free(ds->work);
	ds->work = NULL;
	ds->work_count = 0;
	ds->day_selected = -1;
}

static void state_close(struct ui_app *app)
{
	if (!app->day_state)
		return;
	logout(app);
	free(app->day_state);
	app->day_state = NULL;
}

static const struct booking *selected(const struct ui_app *app)
{
	const struct ui_day_state *ds = app->day_state;

	if (ds->day_selected < 0 || (size_t)ds->day_selected >= ds->day_count)
		return NULL;
	return &ds->day[ds->day_selected];
}

static const char *state_text(const struct ui_app *app, enum appointment_state s)
{
	return ui_msg(app, s == APPOINTMENT_CONFIRMED   ? MSG_UI_STATE_CONFIRMED
	                   : s == APPOINTMENT_CANCELLED ? MSG_UI_STATE_CANCELLED
	                                                : MSG_UI_STATE_MOVED);
}

static void draw_reason(struct ui_app *app, const struct ui_draw *d, SDL_Rect area)
{
	const struct ui_day_state *ds = app->day_state;
	const struct ui_layout *l = d->layout;
	const struct booking *b = selected(app);
	const char *ids[] = {"lang", "back"};
	const char *labels[] = {ui_msg(app, MSG_UI_LANG_OTHER), ui_msg(app, MSG_UI_BACK)};
	char title[160];
	SDL_Rect keys;

	snprintf(title, sizeof title,
	         ui_msg(app, ds->day_reason == REASON_CANCEL ? MSG_UI_REASON_CANCEL
	                                                     : MSG_UI_REASON_MOVE),
	         b ? b->numero_pratica : "");
	ui_header(app, d, &area, title, ids, labels, 2);
	keys = ui_rect_take_bottom(&area, ui_keyboard_height(l), l->gap);
	ui_field(d, "field:reason", ui_msg(app, MSG_UI_REASON), app->fields[UI_FIELD_REASON],
	         ui_rect_take_top(&area, l->unit, l->gap), true, UI_FIELD_PLAIN, false);
	if (app->note.shown)
		ui_note_draw(app, d, area);
	ui_keyboard_draw(d, keys, UI_KEYS_TEXT, app->shift, app->accent,
	                 ui_msg(app, MSG_UI_CONFIRM), ui_msg(app, MSG_UI_BACK));
}

/*
 * One line of text in r, in the first form that fits: the long date in the body font, the
 * numeric date in the body font, the numeric date in the small font. Returns the text's width
 * (for the layout check).
 */
static int fitted_line(const struct ui_draw *d, SDL_Rect r, const char *long_text,
                       const char *short_text, SDL_Color c)
{
	const char *text = long_text;
	enum ui_font font = UI_FONT_BODY;
	int w;

	ui_text_measure(d->text, font, text, &w, NULL);
	if (w > r.w) {
		text = short_text;
		ui_text_measure(d->text, font, text, &w, NULL);
	}
	if (w > r.w) {
		font = UI_FONT_SMALL;
		ui_text_measure(d->text, font, text, &w, NULL);
	}
	ui_label(d, text, r, font, c, UI_ALIGN_LEFT, false);
	return w;
}

/* "05/05/2026": the short form of a day for narrow screens. */
static void short_date(agenda_day day, char *out, size_t size)
{
	int y, m, dd;

	date_to_ymd(day, &y, &m, &dd);
	snprintf(out, size, "%02d/%02d/%04d", dd, m, y);
}

/*
 * The reprint queue on top of the list: a title and up to two appointments (oldest first),
 * each with its own "Ristampa"; the next ones move up as these are printed.
 */
static void draw_queue(struct ui_app *app, const struct ui_draw *d, SDL_Rect *list)
{
	const struct ui_day_state *ds = app->day_state;
	const struct ui_layout *l = d->layout;
	char text[256], other[256], date[64], sdate[16], time[8], id[UI_ID_MAX];
	int h;

	if (ds->queue_count == 0)
		return;
	ui_text_measure(d->text, UI_FONT_SMALL, "Ag", NULL, &h);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_QUEUE_TITLE), (int)ds->queue_count);
	ui_label(d, text, ui_rect_take_top(list, h + h / 4, 0), UI_FONT_SMALL, UI_RED,
	         UI_ALIGN_LEFT, false);
	for (size_t i = 0; i < ds->queue_count && i < 2; i++) {
		const struct booking *b = &ds->queue[i];
		SDL_Rect r = ui_rect_take_top(list, l->unit, l->gap), button;

		button = ui_rect_take_right(&r, list->w / 4, l->gap);
		ui_format_when(app, b->day, b->minute, date, sizeof date, time, sizeof time);
		short_date(b->day, sdate, sizeof sdate);
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_QUEUE_LINE), b->numero_pratica, date,
		         time);
		snprintf(other, sizeof other, ui_msg(app, MSG_UI_QUEUE_LINE), b->numero_pratica,
		         sdate, time);
		ui_fill(d, r, UI_WHITE);
		ui_outline(d, r, UI_RED, 2);
		fitted_line(d, ui_rect_inset(r, l->gap), text, other, UI_BLACK);
		snprintf(id, sizeof id, "requeue:%zu", i);
		ui_button(d, id, ui_msg(app, MSG_UI_REPRINT), button, UI_BUTTON_PRIMARY);
	}
	list->y += l->gap;
	list->h -= l->gap;
}

static const char *work_kind_text(const struct ui_app *app, const char *kind)
{
	static const struct {
		const char *kind;
		agenda_msg msg;
	} WORDS[] = {
	        {"closure", MSG_UI_WORKLIST_KIND_CLOSURE},
	        {"slot_taken", MSG_UI_WORKLIST_KIND_SLOT_TAKEN},
	        {"lease_expired", MSG_UI_WORKLIST_KIND_LEASE_EXPIRED},
	        {"duplicate_practice", MSG_UI_WORKLIST_KIND_DUPLICATE},
	        {"withdrawn", MSG_UI_WORKLIST_KIND_WITHDRAWN},
	};

	for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++)
		if (strcmp(WORDS[i].kind, kind) == 0)
			return ui_msg(app, WORDS[i].msg);
	return ui_msg(app, MSG_UI_WORKLIST_KIND_OTHER);
}

/*
 * The worklist on top: a title and up to two open items (oldest first), each with "Fatto";
 * the next ones move up as these are done.
 */
static void draw_worklist(struct ui_app *app, const struct ui_draw *d, SDL_Rect *list)
{
	const struct ui_day_state *ds = app->day_state;
	const struct ui_layout *l = d->layout;
	char text[256], other[256], date[64], sdate[16], time[8], when[96], swhen[32];
	char id[UI_ID_MAX];
	int h;

	if (ds->work_count == 0)
		return;
	ui_text_measure(d->text, UI_FONT_SMALL, "Ag", NULL, &h);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_WORKLIST_TITLE), (int)ds->work_count);
	ui_label(d, text, ui_rect_take_top(list, h + h / 4, 0), UI_FONT_SMALL, UI_RED,
	         UI_ALIGN_LEFT, false);
	for (size_t i = 0; i < ds->work_count && i < 2; i++) {
		const struct ui_work_item *w = &ds->work[i];
		SDL_Rect r = ui_rect_take_top(list, l->unit, l->gap), button;
		agenda_day day;
		int minute;

		button = ui_rect_take_right(&r, list->w / 4, l->gap);
		if (w->has_when) {
			day = w->day;
			minute = w->minute;
		} else {
			clock_local(w->item.created_at, &day, &minute);
		}
		ui_format_when(app, day, minute, date, sizeof date, time, sizeof time);
		short_date(day, sdate, sizeof sdate);
		snprintf(when, sizeof when, "%s %s", date, time);
		snprintf(swhen, sizeof swhen, "%s %s", sdate, time);
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_WORKLIST_LINE),
		         work_kind_text(app, w->item.kind), w->item.numero_pratica, when);
		snprintf(other, sizeof other, ui_msg(app, MSG_UI_WORKLIST_LINE),
		         work_kind_text(app, w->item.kind), w->item.numero_pratica, swhen);
		ui_fill(d, r, UI_WHITE);
		ui_outline(d, r, UI_AMBER, 3);
		fitted_line(d, ui_rect_inset(r, l->gap), text, other, UI_BLACK);
		snprintf(id, sizeof id, "work_done:%zu", i);
		ui_button(d, id, ui_msg(app, MSG_UI_WORKLIST_DONE), button, UI_BUTTON_PRIMARY);
	}
	list->y += l->gap;
	list->h -= l->gap;
}

static void draw(struct ui_app *app, const struct ui_draw *d, SDL_Rect area)
{
	struct ui_day_state *ds = app->day_state;
	const struct ui_layout *l = d->layout;
	const char *ids[] = {"logout", "lang", "search"};
	const char *labels[] = {ui_msg(app, MSG_UI_LOGOUT), ui_msg(app, MSG_UI_LANG_OTHER),
	                        ui_msg(app, MSG_UI_NEW_SEARCH)};
	const struct booking *sel = selected(app);
	enum ui_button_style on =
	        sel && sel->state == APPOINTMENT_CONFIRMED ? UI_BUTTON_NORMAL : UI_BUTTON_OFF;
	SDL_Rect side, note, list, pager;
	int rows;

	if (ds->day_reason != LIST) {
		draw_reason(app, d, area);
		return;
	}
	ui_header(app, d, &area, ui_msg(app, MSG_UI_DAY_TITLE), ids, labels, 3);
	/* The side column takes the full height: five buttons fit even at 800x480; the page
	 * arrows are two squares at the end of the note's row. */
	side = ui_rect_take_right(&area, area.w / 4, l->gap);
	note = ui_rect_take_bottom(&area, l->unit, l->gap);
	pager = ui_rect_take_right(&note, 2 * l->unit + l->gap, l->gap);
	list = area;
	ui_button(d, "reprint", ui_msg(app, MSG_UI_REPRINT),
	          ui_rect_take_top(&side, l->unit, l->gap), on);
	ui_button(d, "cancel", ui_msg(app, MSG_UI_CANCEL_APPOINTMENT),
	          ui_rect_take_top(&side, l->unit, l->gap),
	          on == UI_BUTTON_OFF ? on : UI_BUTTON_DANGER);
	ui_button(d, "move", ui_msg(app, MSG_UI_MOVE), ui_rect_take_top(&side, l->unit, l->gap),
	          on);
	ui_button(d, "print_list", ui_msg(app, MSG_UI_DAY_PRINT_LIST),
	          ui_rect_take_top(&side, l->unit, l->gap), UI_BUTTON_NORMAL);
	ui_button(d, "close_day", ui_msg(app, MSG_UI_CLOSE_DAY),
	          ui_rect_take_top(&side, l->unit, l->gap), UI_BUTTON_PRIMARY);
	draw_worklist(app, d, &list);
	draw_queue(app, d, &list);
	rows = list.h / (l->unit + l->gap);
	if (rows < 1)
		rows = 1;
	ds->day_rows = rows;
	ui_button(d, "page_up", "\xe2\x96\xb2", ui_rect_column(pager, 0, 2, l->gap),
	          ds->day_first > 0 ? UI_BUTTON_NORMAL : UI_BUTTON_OFF);
	ui_button(d, "page_down", "\xe2\x96\xbc", ui_rect_column(pager, 1, 2, l->gap),
	          (size_t)(ds->day_first + rows) < ds->day_count ? UI_BUTTON_NORMAL
	                                                         : UI_BUTTON_OFF);
	if (ds->day_count == 0)
		ui_label(d, ui_msg(app, MSG_UI_DAY_EMPTY), ui_rect_take_top(&list, l->unit, 0),
		         UI_FONT_BODY, UI_INK, UI_ALIGN_LEFT, false);
	for (int i = 0; i < rows && (size_t)(ds->day_first + i) < ds->day_count; i++) {
		int index = ds->day_first + i;
		const struct booking *b = &ds->day[index];
		SDL_Rect r = ui_rect_take_top(&list, l->unit, l->gap);
		SDL_Rect inner = ui_rect_inset(r, l->gap);
		char date[64], sdate[16], time[8], text[256], other[256], id[UI_ID_MAX];
		bool is_sel = index == ds->day_selected;
		int w;

		ui_format_when(app, b->day, b->minute, date, sizeof date, time, sizeof time);
		short_date(b->day, sdate, sizeof sdate);
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_DAY_LINE), b->numero_pratica, date,
		         time, state_text(app, b->state), b->prints);
		snprintf(other, sizeof other, ui_msg(app, MSG_UI_DAY_LINE), b->numero_pratica,
		         sdate, time, state_text(app, b->state), b->prints);
		ui_fill(d, r, is_sel ? UI_BLUE : UI_WHITE);
		ui_outline(d, r, UI_INK, 1);
		w = fitted_line(d, inner, text, other,
		                is_sel                              ? UI_WHITE
		                : b->state == APPOINTMENT_CONFIRMED ? UI_BLACK
		                                                    : UI_GREY);
		snprintf(id, sizeof id, "row:%d", index);
		ui_hit_add_label(d, id, r, w, inner.w);
	}
	if (app->note.shown)
		ui_note_draw(app, d, note);
	else if (ds->day_count > 0 && !sel)
		ui_label(d, ui_msg(app, MSG_UI_DAY_SELECT), note, UI_FONT_SMALL, UI_INK,
		         UI_ALIGN_LEFT, false);
}

static void ask_reason(struct ui_app *app, int which)
{
	struct ui_day_state *ds = app->day_state;

	ds->day_reason = which;
	app->fields[UI_FIELD_REASON][0] = '\0';
	app->focus = UI_FIELD_REASON;
	ui_note_clear(app);
}

static void send_reason(struct ui_app *app)
{
	const struct ui_day_state *ds = app->day_state;
	const struct booking *b = selected(app);
	struct ui_request req = {.session = app->session};

	if (!b)
		return;
	req.kind = ds->day_reason == REASON_CANCEL ? UI_REQ_CANCEL : UI_REQ_MOVE;
	snprintf(req.appointment_id, sizeof req.appointment_id, "%s", b->id);
	snprintf(req.reason, sizeof req.reason, "%s", app->fields[UI_FIELD_REASON]);
	ui_post(app, &req, true);
}

static void tap(struct ui_app *app, const char *id)
{
	struct ui_day_state *ds = app->day_state;
	const struct booking *b = selected(app);

	if (ds->day_reason != LIST) {
		if (strcmp(id, "key:enter") == 0)
			send_reason(app);
		else if (strcmp(id, "back") == 0 || strcmp(id, "key:next") == 0)
			ds->day_reason = LIST;
		return;
	}
	if (strncmp(id, "work_done:", 10) == 0) {
		size_t i = (size_t)atoi(id + 10);

		if (i < ds->work_count) {
			struct ui_request req = {.kind = UI_REQ_WORKLIST_DONE,
			                         .session = app->session,
			                         .worklist_id = ds->work[i].item.id};

			ui_post(app, &req, true);
		}
	} else if (strncmp(id, "row:", 4) == 0) {
		ds->day_selected = atoi(id + 4);
		ui_note_clear(app);
	} else if (strncmp(id, "requeue:", 8) == 0) {
		size_t i = (size_t)atoi(id + 8);

		if (i < ds->queue_count) {
			struct booking copy = ds->queue[i];

			ui_print_booking(app, &copy, true);
		}
	} else if (strcmp(id, "page_up") == 0 || strcmp(id, "page_down") == 0) {
		int rows = ds->day_rows > 1 ? ds->day_rows : 1;

		ds->day_first += strcmp(id, "page_up") == 0 ? -rows : rows;
		if (ds->day_first < 0 || (size_t)ds->day_first >= ds->day_count)
			ds->day_first = 0;
	} else if (strcmp(id, "reprint") == 0 && b) {
		struct booking copy = *b;

		ui_print_booking(app, &copy, true);
	} else if (strcmp(id, "cancel") == 0 && b) {
		ask_reason(app, REASON_CANCEL);
	} else if (strcmp(id, "move") == 0 && b) {
		ask_reason(app, REASON_MOVE);
	} else if (strcmp(id, "print_list") == 0) {
		struct ui_request req = {.kind = UI_REQ_DAY_LIST_PRINT, .session = app->session};

		ui_post(app, &req, true);
	} else if (strcmp(id, "close_day") == 0) {
		struct ui_request req = {.kind = UI_REQ_CLOSE_DAY, .session = app->session};

		ui_post(app, &req, true);
	}
}

/* Typing goes into the reason, while one is asked for. */
static char *typing(struct ui_app *app)
{
	if (!app->day_state->day_reason)
		return NULL;
	app->focus = UI_FIELD_REASON;
	return app->fields[app->focus];
}

static void enter(struct ui_app *app)
{
	struct ui_day_state *ds = app->day_state;
	struct ui_request req = {.kind = UI_REQ_DAY, .session = app->session};

	ds->day_reason = LIST;
	ds->work_seen = app->sync_status.worklist_open;
	ui_post(app, &req, true);
}

/* A round added (or closed) worklist items while Giornata shows: read the lists again. */
static void tick(struct ui_app *app)
{
	struct ui_day_state *ds = app->day_state;
	struct ui_request req = {.kind = UI_REQ_DAY, .session = app->session};

	if (app->screen != UI_SCREEN_DAY || !app->logged_in || ds->day_reason != LIST ||
	    app->busy > 0 || app->sync_status.worklist_open == ds->work_seen)
		return;
	ds->work_seen = app->sync_status.worklist_open;
	ui_post(app, &req, false);
}

/* UI_REQ_DAY: the lists; UI_REQ_CANCEL, _MOVE, _CLOSE_DAY: done, then the lists again;
 * UI_REQ_DAY_LIST_PRINT: what was printed. */
static void result(struct ui_app *app, struct ui_result *r)
{
	struct ui_day_state *ds = app->day_state;
	char date[64], time[8];

	if (r->kind == UI_REQ_DAY) {
		if (r->err != AG_OK) {
			ui_note_detail(app, true, &r->why);
			return;
		}
		free(ds->day);
		ds->day = r->day;
		ds->day_count = r->day_count;
		ds->today = r->today;
		r->day = NULL;
		free(ds->queue);
		ds->queue = r->queue;
		ds->queue_count = r->queue_count;
		r->queue = NULL;
		free(ds->work);
		ds->work = r->work;
		ds->work_count = r->work_count;
		r->work = NULL;
		if ((size_t)ds->day_selected >= ds->day_count)
			ds->day_selected = -1;
		/* After a move the new appointment is the one selected. */
		for (size_t i = 0; ds->day_select_id[0] && i < ds->day_count; i++)
			if (strcmp(ds->day[i].id, ds->day_select_id) == 0)
				ds->day_selected = (int)i;
		ds->day_select_id[0] = '\0';
		if ((size_t)ds->day_first >= ds->day_count)
			ds->day_first = 0;
		return;
	}
	if (r->err != AG_OK) {
		ui_note_detail(app, true, &r->why);
		return;
	}
	ds->day_reason = LIST;
	if (r->kind == UI_REQ_WORKLIST_DONE) {
		ui_note_msg(app, false, MSG_UI_WORKLIST_MARKED);
	} else if (r->kind == UI_REQ_CANCEL) {
		sync_worker_kick(app->sync);
		ui_note_msg(app, false, MSG_UI_CANCELLED);
	} else if (r->kind == UI_REQ_MOVE) {
		sync_worker_kick(app->sync);
		snprintf(ds->day_select_id, sizeof ds->day_select_id, "%s", r->booking.id);
		ui_format_when(app, r->booking.day, r->booking.minute, date, sizeof date, time,
		               sizeof time);
		ui_note_msg(app, false, MSG_UI_MOVED, date, time);
	} else if (r->kind == UI_REQ_CLOSE_DAY) {
		if (r->close.messages > 0) {
			ui_note_msg(app, false, MSG_UI_DAY_CLOSED_MAIL, r->close.version,
			            r->close.appointments, r->close.cancellations,
			            r->close.messages);
			sync_worker_mail_now(app->sync); /* the lists leave now, link permitting */
		} else {
			ui_note_msg(app, false, MSG_UI_DAY_CLOSED, r->close.version,
			            r->close.appointments, r->close.cancellations);
		}
	} else if (r->kind == UI_REQ_DAY_LIST_PRINT) {
		if (r->lists_printed == 0)
			ui_note_msg(app, false, MSG_UI_DAY_LIST_EMPTY);
		else if (r->lists_printed == 1)
			ui_note_msg(app, false, MSG_UI_DAY_LIST_PRINTED_ONE);
		else
			ui_note_msg(app, false, MSG_UI_DAY_LIST_PRINTED, r->lists_printed);
		return; /* nothing changed in the lists */
	}
	/* Re-read the list so it shows what the store now says. */
	struct ui_request req = {.kind = UI_REQ_DAY, .session = app->session};
	ui_post(app, &req, true);
}

const struct ui_screen_ops ui_day_screen = {
        .name = "giornata",
        .open = state_open,
        .close = state_close,
        .enter = enter,
        .draw = draw,
        .tap = tap,
        .typing = typing,
        .result = result,
        .tick = tick,
        .logout = logout,
};
