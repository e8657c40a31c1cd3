/*
 * screen_practice.c — Scheda: the applicant's data, the kind of practice, the competent
 * Questura and the live appointment if there is one. "Proponi data" asks the worker for the
 * earliest slot (booking_propose) and opens the Proposta; a practice that may not be booked
 * shows the service's reason instead; one already booked offers a reprint of its slip.
 * The applicant's name is never cut: a long one steps down a font, then wraps.
 */
#include <string.h>

#include "app.h"
#include "screen_print.h"
#include "screen_proposal.h"

static void line(const struct ui_draw *d, SDL_Rect *area, const char *text, enum ui_font font,
                 SDL_Color c)
{
	int h;

	ui_text_measure(d->text, font, "Ag", NULL, &h);
	ui_label(d, text, ui_rect_take_top(area, h + h / 4, 0), font, c, UI_ALIGN_LEFT, false);
}

/* The applicant's name: title font; a step down when too wide; then wrapped over lines. */
static void name_line(const struct ui_draw *d, SDL_Rect *area, const char *text)
{
	enum ui_font font = UI_FONT_TITLE;
	int w, h;
	bool wrap = false;

	ui_text_measure(d->text, font, text, &w, NULL);
	if (w > area->w) {
		font = UI_FONT_BODY;
		ui_text_measure(d->text, font, text, &w, NULL);
	}
	ui_text_measure(d->text, font, "Ag", NULL, &h);
	if (w > area->w) {
		int para = ui_text_wrapped_height(d->text, font, text, area->w);

		wrap = true;
		h = para > h ? para : h;
	}
	ui_label(d, text, ui_rect_take_top(area, wrap ? h + h / 8 : h + h / 4, 0), font, UI_BLACK,
	         UI_ALIGN_LEFT, wrap);
}

static void draw(struct ui_app *app, const struct ui_draw *d, SDL_Rect area)
{
	const struct ui_layout *l = d->layout;
	const struct practice *p = &app->practice;
	const char *ids[] = {"logout", "lang", "search"};
	const char *labels[] = {ui_msg(app, MSG_UI_LOGOUT), ui_msg(app, MSG_UI_LANG_OTHER),
	                        ui_msg(app, MSG_UI_NEW_SEARCH)};
	char text[512], born[DATE_TEXT_MAX + 8], date[64], time[8];
	SDL_Rect buttons;
	int y, m, dd;

	ui_header(app, d, &area, ui_msg(app, MSG_UI_PRACTICE_TITLE), ids, labels, 3);
	buttons = ui_rect_take_bottom(&area, l->unit, l->gap);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_PRACTICE_NUMBERS), p->numero_pratica,
	         p->numero_visto[0] ? p->numero_visto : "-");
	line(d, &area, text, UI_FONT_BODY, UI_INK);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_APPLICANT), p->cognome, p->nome);
	name_line(d, &area, text);
	date_to_ymd(p->data_nascita, &y, &m, &dd);
	snprintf(born, sizeof born, "%02d/%02d/%04d", dd, m, y);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_BORN), born, p->nazionalita);
	line(d, &area, text, UI_FONT_BODY, UI_INK);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_KIND), p->tipo);
	line(d, &area, text, UI_FONT_BODY, UI_INK);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_QUESTURA), app->questura.name);
	line(d, &area, text, UI_FONT_BODY, UI_INK);
	if (p->demo)
		line(d, &area, ui_msg(app, MSG_UI_DEMO_RECORD), UI_FONT_SMALL, UI_GREY);
	area.y += l->gap;
	area.h -= l->gap;
	if (app->note.shown) {
		ui_note_draw(app, d, area);
	} else if (!app->bookable) {
		ui_label(d, ui_detail(app, &app->not_bookable), area, UI_FONT_BODY, UI_RED,
		         UI_ALIGN_LEFT, true);
	} else if (app->has_booking) {
		ui_format_when(app, app->existing.day, app->existing.minute, date, sizeof date,
		               time, sizeof time);
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_EXISTING), date, time);
		ui_label(d, text, area, UI_FONT_BODY, UI_BLUE, UI_ALIGN_LEFT, true);
	} else {
		ui_label(d, ui_msg(app, MSG_UI_NO_APPOINTMENT), area, UI_FONT_BODY, UI_GREEN,
		         UI_ALIGN_LEFT, true);
	}
	ui_button(d, "search", ui_msg(app, MSG_UI_NEW_SEARCH),
	          ui_rect_column(buttons, 0, 2, l->gap), UI_BUTTON_NORMAL);
	if (app->has_booking)
		ui_button(d, "reprint", ui_msg(app, MSG_UI_REPRINT),
		          ui_rect_column(buttons, 1, 2, l->gap), UI_BUTTON_PRIMARY);
	else
		ui_button(d, "propose", ui_msg(app, MSG_UI_PROPOSE),
		          ui_rect_column(buttons, 1, 2, l->gap),
		          app->bookable ? UI_BUTTON_PRIMARY : UI_BUTTON_OFF);
}

static void tap(struct ui_app *app, const char *id)
{
	if (strcmp(id, "propose") == 0 && app->bookable && !app->has_booking) {
		struct ui_request req = {.kind = UI_REQ_PROPOSE,
		                         .session = app->session,
		                         .practice_id = app->practice.id};

		ui_post(app, &req, true);
	} else if (strcmp(id, "reprint") == 0 && app->has_booking) {
		ui_print_booking(app, &app->existing, true);
	}
}

/* UI_REQ_PROPOSE: the date found opens Proposta. */
static void result(struct ui_app *app, struct ui_result *r)
{
	if (r->err != AG_OK) {
		ui_note_detail(app, true, &r->why);
		return;
	}
	if (r->booking.existing) {
		/* Booked meanwhile (another counter, a script): show it, do not propose. */
		app->has_booking = true;
		app->existing = r->booking;
		return;
	}
	ui_proposal_show(app, &r->booking);
}

const struct ui_screen_ops ui_practice_screen = {
        .name = "scheda",
        .draw = draw,
        .tap = tap,
        .result = result,
};
