/*
 * screen_proposal.c — Proposta: the date booking_propose found, with the Italian weekday, the
 * time, the Questura and, when earlier days were full or closed, why the date is later. A tick
 * box records that Modello 209 was handed over. "Conferma e stampa" books exactly this
 * proposal on the worker (booking_confirm_proposal, durable before it returns) and opens Stampa;
 * if another counter took the slot meanwhile (or its day closed), nothing is booked and the
 * screen shows the new proposal with a note saying so, to read out and confirm again. "Annulla"
 * goes back to the Scheda without booking anything.
 *
 * On a kiosk enrolled with central (issue 12) confirming first asks central for an earlier slot
 * of the whole Questura — the busy band says "Ricerca della prima data libera…", frames keep
 * coming — and books the earliest the kiosk then holds; Stampa says when central answered with
 * that date or could not be reached (the date is then from the slots the kiosk holds).
 */
#include "screen_proposal.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screen_print.h"

struct ui_proposal_state {
	struct booking proposal;
	bool modello209;
};

static bool state_open(struct ui_app *app)
{
	app->proposal_state = calloc(1, sizeof *app->proposal_state);
	return app->proposal_state != NULL;
}

static void state_close(struct ui_app *app)
{
	if (!app->proposal_state)
		return;
	explicit_bzero(app->proposal_state, sizeof *app->proposal_state);
	free(app->proposal_state);
	app->proposal_state = NULL;
}

void ui_proposal_show(struct ui_app *app, const struct booking *proposal)
{
	struct ui_proposal_state *ps = app->proposal_state;

	ps->proposal = *proposal;
	ps->modello209 = false;
	ui_go(app, UI_SCREEN_PROPOSAL);
}

static void draw(struct ui_app *app, const struct ui_draw *d, SDL_Rect area)
{
	const struct ui_proposal_state *ps = app->proposal_state;
	const struct ui_layout *l = d->layout;
	const struct booking *b = &ps->proposal;
	const char *ids[] = {"logout", "lang"};
	const char *labels[] = {ui_msg(app, MSG_UI_LOGOUT), ui_msg(app, MSG_UI_LANG_OTHER)};
	char date[64], time[8], text[512], from[64], unused[8];
	SDL_Rect buttons, r;
	int h;

	ui_header(app, d, &area, ui_msg(app, MSG_UI_PROPOSAL_TITLE), ids, labels, 2);
	buttons = ui_rect_take_bottom(&area, l->unit, l->gap);
	ui_format_when(app, b->day, b->minute, date, sizeof date, time, sizeof time);
	snprintf(text, sizeof text, "%s %s", app->practice.cognome, app->practice.nome);
	ui_text_measure(d->text, UI_FONT_BODY, "Ag", NULL, &h);
	ui_label(d, text, ui_rect_take_top(&area, h + h / 3, 0), UI_FONT_BODY, UI_INK,
	         UI_ALIGN_LEFT, false);
	/* The date stands alone on its line in the big font: what the applicant must remember. */
	ui_text_measure(d->text, UI_FONT_BIG, "Ag", NULL, &h);
	r = ui_rect_take_top(&area, h + h / 4, 0);
	ui_fill(d, r, UI_WHITE);
	ui_label(d, date, r, UI_FONT_BIG, UI_BLACK, UI_ALIGN_LEFT, false);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_AT_TIME), time);
	ui_label(d, text, ui_rect_take_top(&area, h + h / 4, 0), UI_FONT_BIG, UI_BLACK,
	         UI_ALIGN_LEFT, false);
	ui_text_measure(d->text, UI_FONT_BODY, "Ag", NULL, &h);
	ui_label(d, app->questura.name, ui_rect_take_top(&area, h + h / 3, 0), UI_FONT_BODY, UI_INK,
	         UI_ALIGN_LEFT, false);
	ui_checkbox(d, "modello209", ui_msg(app, MSG_UI_MODELLO209), ps->modello209,
	            ui_rect_take_bottom(&area, l->unit, l->gap));
	if (app->note.shown) {
		ui_note_draw(app, d, area);
	} else if (b->deferred) {
		ui_format_when(app, b->deferred_from, 0, from, sizeof from, unused, sizeof unused);
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_DEFERRED), from, b->days_full,
		         b->days_closed);
		ui_label(d, text, area, UI_FONT_SMALL, UI_INK, UI_ALIGN_LEFT, true);
	}
	ui_button(d, "cancel", ui_msg(app, MSG_UI_CANCEL), ui_rect_column(buttons, 0, 2, l->gap),
	          UI_BUTTON_NORMAL);
	ui_button(d, "confirm", ui_msg(app, MSG_UI_CONFIRM_PRINT),
	          ui_rect_column(buttons, 1, 2, l->gap), UI_BUTTON_PRIMARY);
}

static void tap(struct ui_app *app, const char *id)
{
	struct ui_proposal_state *ps = app->proposal_state;

	if (strcmp(id, "modello209") == 0) {
		ps->modello209 = !ps->modello209;
	} else if (strcmp(id, "cancel") == 0) {
		ui_go(app, UI_SCREEN_PRACTICE);
	} else if (strcmp(id, "confirm") == 0) {
		struct ui_request req = {.kind = UI_REQ_CONFIRM,
		                         .session = app->session,
		                         .practice_id = app->practice.id,
		                         .proposal = ps->proposal,
		                         .modello209 = ps->modello209};

		ui_post(app, &req, true);
		/* An enrolled kiosk asks central for an earlier slot first (at most 2 s). */
		if (app->sync_status.provisioned)
			app->busy_msg = MSG_UI_GRANT_SEARCH;
	}
}

/*
 * UI_REQ_CONFIRM: booked (durable), and Stampa prints its slip; or the slot was gone and the
 * result is the new proposal, shown here in its place with the note that says so.
 */
static void result(struct ui_app *app, struct ui_result *r)
{
	struct ui_proposal_state *ps = app->proposal_state;

	if (r->err == AG_ERR_CHANGED) {
		ps->proposal = r->booking;
		ui_note_detail(app, true, &r->why);
		return;
	}
	if (r->err != AG_OK) {
		ui_note_detail(app, true, &r->why);
		return;
	}
	app->has_booking = true;
	app->existing = r->booking;
	ui_print_booking(app, &r->booking, r->booking.existing);
	if (r->online_asked && !r->booking.existing)
		ui_print_date_source(app, !r->grant.online        ? UI_DATE_HELD_OFFLINE
		                          : r->grant.from_central ? UI_DATE_CENTRAL
		                                                  : UI_DATE_LOCAL);
	sync_worker_kick(app->sync); /* its journal entry goes to central now */
}

const struct ui_screen_ops ui_proposal_screen = {
        .name = "proposta",
        .open = state_open,
        .close = state_close,
        .draw = draw,
        .tap = tap,
        .result = result,
};
