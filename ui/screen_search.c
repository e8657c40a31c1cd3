/*
 * screen_search.c — Ricerca: numero di pratica and/or numero di visto.
 *
 * The keyboard has what the two formats are made of (upper-case letters, digits, "/"); a
 * physical keyboard or a barcode scanner types through SDL_TEXTINPUT into the focused field.
 * Each keystroke re-runs the core's normalisers: the field turns green with the canonical form,
 * or red with the normaliser's words naming the part that is wrong. "Cerca" is the lookup on
 * the worker; a practice found opens the Scheda.
 */
#include <string.h>

#include "app.h"
#include "core/numbers.h"

/* Checks one field: PLAIN when empty, OK with the canonical form, BAD with the detail. */
static enum ui_field_state check(const char *text, bool visto, char *canonical, agenda_detail *why)
{
	enum number_part part;
	agenda_err err;

	canonical[0] = '\0';
	agenda_detail_clear(why);
	if (!text[0])
		return UI_FIELD_PLAIN;
	if (visto) {
		char visa[VISTO_MAX];

		err = numero_visto_normalise(text, visa, &part, why);
		if (err == AG_OK)
			snprintf(canonical, UI_INPUT_MAX, "%s", visa);
	} else {
		char pratica[PRATICA_MAX];

		err = numero_pratica_normalise(text, pratica, &part, why);
		if (err == AG_OK)
			snprintf(canonical, UI_INPUT_MAX, "%s", pratica);
	}
	return err == AG_OK ? UI_FIELD_OK : UI_FIELD_BAD;
}

static void draw(struct ui_app *app, const struct ui_draw *d, SDL_Rect area)
{
	const struct ui_layout *l = d->layout;
	const char *ids[] = {"logout", "lang", "day"};
	const char *labels[] = {ui_msg(app, MSG_UI_LOGOUT), ui_msg(app, MSG_UI_LANG_OTHER),
	                        ui_msg(app, MSG_UI_DAY)};
	char canonical[2][UI_INPUT_MAX];
	agenda_detail why[2];
	enum ui_field_state st[2];
	SDL_Rect row, keys;
	int shown;

	ui_header(app, d, &area, ui_msg(app, MSG_UI_SEARCH_TITLE), ids, labels, 3);
	keys = ui_rect_take_bottom(&area, ui_keyboard_height(l), l->gap);
	row = ui_rect_take_top(&area, l->unit, l->gap);
	st[0] = check(app->fields[UI_FIELD_PRATICA], false, canonical[0], &why[0]);
	st[1] = check(app->fields[UI_FIELD_VISTO], true, canonical[1], &why[1]);
	ui_field(d, "field:pratica", ui_msg(app, MSG_UI_NUMERO_PRATICA),
	         app->fields[UI_FIELD_PRATICA], ui_rect_column(row, 0, 2, l->gap),
	         app->focus == UI_FIELD_PRATICA, st[0], false);
	ui_field(d, "field:visto", ui_msg(app, MSG_UI_NUMERO_VISTO), app->fields[UI_FIELD_VISTO],
	         ui_rect_column(row, 1, 2, l->gap), app->focus == UI_FIELD_VISTO, st[1], false);
	/* Below the fields: the service's answer, else what the focused field's check says. */
	shown = app->focus == UI_FIELD_VISTO ? 1 : 0;
	if (app->note.shown) {
		ui_note_draw(app, d, area);
	} else if (st[shown] == UI_FIELD_BAD) {
		ui_label(d, ui_detail(app, &why[shown]), area, UI_FONT_SMALL, UI_RED, UI_ALIGN_LEFT,
		         true);
	} else if (st[shown] == UI_FIELD_OK) {
		char text[UI_INPUT_MAX + 8];

		snprintf(text, sizeof text, ui_msg(app, MSG_UI_NUMBER_OK), canonical[shown]);
		ui_label(d, text, area, UI_FONT_BODY, UI_GREEN, UI_ALIGN_LEFT, false);
	}
	ui_keyboard_draw(d, keys, UI_KEYS_NUMBER, false, false, ui_msg(app, MSG_UI_SEARCH),
	                 ui_msg(app, MSG_UI_NEXT_FIELD));
}

static void submit(struct ui_app *app)
{
	struct ui_request req = {.kind = UI_REQ_LOOKUP, .session = app->session};

	snprintf(req.pratica, sizeof req.pratica, "%s", app->fields[UI_FIELD_PRATICA]);
	snprintf(req.visto, sizeof req.visto, "%s", app->fields[UI_FIELD_VISTO]);
	ui_post(app, &req, true);
}

static void tap(struct ui_app *app, const char *id)
{
	if (strcmp(id, "key:enter") == 0 || strcmp(id, "search") == 0)
		submit(app);
	else if (strcmp(id, "key:next") == 0)
		app->focus = app->focus == UI_FIELD_PRATICA ? UI_FIELD_VISTO : UI_FIELD_PRATICA;
	else if (strcmp(id, "field:pratica") == 0)
		app->focus = UI_FIELD_PRATICA;
	else if (strcmp(id, "field:visto") == 0)
		app->focus = UI_FIELD_VISTO;
	else if (strcmp(id, "day") == 0)
		ui_go(app, UI_SCREEN_DAY);
	else if (strncmp(id, "key:", 4) == 0)
		ui_note_clear(app); /* typing again: the check replaces the last answer */
}

static void enter(struct ui_app *app)
{
	if (app->focus != UI_FIELD_VISTO)
		app->focus = UI_FIELD_PRATICA;
}

/* Typing goes into the numero di pratica or the numero di visto. */
static char *typing(struct ui_app *app)
{
	if (app->focus != UI_FIELD_PRATICA && app->focus != UI_FIELD_VISTO)
		app->focus = UI_FIELD_PRATICA;
	return app->fields[app->focus];
}

/* UI_REQ_LOOKUP: the practice found becomes the one at the counter and Scheda shows it. */
static void result(struct ui_app *app, struct ui_result *r)
{
	if (r->err != AG_OK) {
		ui_note_detail(app, true, &r->why);
		return;
	}
	app->practice = r->practice;
	app->questura = r->questura;
	app->bookable = r->bookable;
	app->not_bookable = r->not_bookable;
	app->has_booking = r->has_booking;
	app->existing = r->booking;
	ui_go(app, UI_SCREEN_PRACTICE);
}

const struct ui_screen_ops ui_search_screen = {
        .name = "ricerca",
        .enter = enter,
        .draw = draw,
        .tap = tap,
        .typing = typing,
        .result = result,
};
