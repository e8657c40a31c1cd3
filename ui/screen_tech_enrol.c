/*
 * screen_tech_enrol.c — the activation form of the Tecnico screen (screen_tech_enrol.h).
 *
 * Checks while typing call the library's own (enrol_code_normalise, provision_central_url,
 * provision_fingerprint_digits): the form never has rules of its own, and provision_run checks
 * everything again before the first byte goes to central.
 */
#include "screen_tech_enrol.h"

#include <stdio.h>
#include <string.h>

#include "core/enrol_code.h"
#include "sync/provision.h"

static const char *const FIELD_IDS[UI_ENROL_FIELDS] = {"field:central", "field:code",
                                                       "field:fingerprint"};

/* One field's check: its state and the line shown under the fields while it has the focus. */
static enum ui_field_state check(const struct ui_app *app, enum ui_enrol_field field,
                                 const char *text, char *line, size_t size)
{
	agenda_detail why = {{0}, {0}};

	line[0] = '\0';
	if (!text[0])
		return UI_FIELD_PLAIN;
	if (field == UI_ENROL_URL) {
		char url[PROVISION_URL_MAX];

		if (provision_central_url(text, url, &why) == AG_OK) {
			snprintf(line, size, ui_msg(app, MSG_UI_ENROL_URL_OK), url);
			return UI_FIELD_OK;
		}
	} else if (field == UI_ENROL_CODE) {
		char code[ENROL_CODE_SIZE];

		if (enrol_code_normalise(text, code, &why) == AG_OK) {
			snprintf(line, size, ui_msg(app, MSG_UI_ENROL_CODE_OK), code);
			return UI_FIELD_OK;
		}
	} else {
		char hex[PROVISION_FP_HEX + 1];
		int digits = provision_fingerprint_digits(text, hex);

		if (digits < 0) {
			snprintf(line, size, "%s", ui_msg(app, MSG_UI_ENROL_FP_CHARS));
			return UI_FIELD_BAD;
		}
		if (digits == PROVISION_FP_HEX) {
			/* In groups of four, as the help desk reads it out. */
			char grouped[PROVISION_FP_HEX + PROVISION_FP_HEX / 4];
			size_t n = 0;

			for (int i = 0; i < PROVISION_FP_HEX; i += 4)
				n += (size_t)snprintf(grouped + n, sizeof grouped - n, "%s%.4s",
				                      i ? " " : "", hex + i);
			snprintf(line, size, ui_msg(app, MSG_UI_ENROL_FP_OK), grouped);
			return UI_FIELD_OK;
		}
		snprintf(line, size, ui_msg(app, MSG_UI_ENROL_FP_COUNT), digits);
		return UI_FIELD_BAD;
	}
	snprintf(line, size, "%s", ui_detail(app, &why));
	return UI_FIELD_BAD;
}

/* The end of text that fits in width (what was typed last is what the eye checks), "…" first. */
static void tail_that_fits(const struct ui_draw *d, const char *text, int width, char *out,
                           size_t size)
{
	const char *p = text;
	int w;

	snprintf(out, size, "%s", p);
	ui_text_measure(d->text, UI_FONT_BODY, out, &w, NULL);
	while (w > width && *p) {
		do
			p++;
		while (((unsigned char)*p & 0xc0) == 0x80);
		snprintf(out, size, "\xe2\x80\xa6%s", p); /* … */
		ui_text_measure(d->text, UI_FONT_BODY, out, &w, NULL);
	}
}

/* A message in r: the body font when it fits, else the small one; false when neither does. */
static bool message(const struct ui_draw *d, const char *text, SDL_Rect r, SDL_Color c)
{
	enum ui_font font = UI_FONT_BODY;

	if (ui_text_wrapped_height(d->text, font, text, r.w) > r.h)
		font = UI_FONT_SMALL;
	ui_label(d, text, r, font, c, UI_ALIGN_LEFT, true);
	return ui_text_wrapped_height(d->text, font, text, r.w) <= r.h;
}

void ui_enrol_form_draw(struct ui_app *app, struct ui_enrol_form *f, const struct ui_draw *d,
                        SDL_Rect area)
{
	static const agenda_msg captions[UI_ENROL_FIELDS] = {MSG_UI_ENROL_URL, MSG_UI_ENROL_CODE,
	                                                     MSG_UI_ENROL_FP};
	const struct ui_layout *l = d->layout;
	enum ui_field_state state[UI_ENROL_FIELDS];
	char lines[UI_ENROL_FIELDS][AGENDA_DETAIL_MAX];
	SDL_Rect row, keys, below;

	row = ui_rect_take_top(&area, l->unit, l->gap);
	below = area;
	keys = ui_rect_take_bottom(&below, ui_keyboard_height(l), l->gap);
	for (int i = 0; i < UI_ENROL_FIELDS; i++) {
		SDL_Rect r = ui_rect_column(row, i, UI_ENROL_FIELDS, l->gap);
		char shown[UI_FIELD_MAX + 8];
		int cursor_w;

		state[i] =
		        check(app, (enum ui_enrol_field)i, f->fields[i], lines[i], sizeof lines[i]);
		ui_text_measure(d->text, UI_FONT_BODY, "|", &cursor_w, NULL);
		tail_that_fits(d, f->fields[i], r.w - 2 * (l->gap + 2) - cursor_w, shown,
		               sizeof shown);
		ui_field(d, FIELD_IDS[i], ui_msg(app, captions[i]), shown, r,
		         f->focus == (enum ui_enrol_field)i, state[i], false);
	}
	/* Below the fields: progress, else central's answer, else the focused field's check. */
	if (f->activating) {
		message(d, ui_msg(app, MSG_UI_ENROL_PROGRESS), below, UI_INK);
	} else if (app->note.shown) {
		/* An answer too long for the band above the keyboard (a small panel) takes the
		 * keyboard's place until a field is tapped: it is read in full, never cut. */
		SDL_Color c = app->note.error ? UI_RED : UI_GREEN;

		if (!message(d, ui_detail(app, &app->note.text), below, c)) {
			ui_fill(d, below, UI_WHITE);
			message(d, ui_detail(app, &app->note.text), area, c);
			return;
		}
	} else if (lines[f->focus][0]) {
		message(d, lines[f->focus], below,
		        state[f->focus] == UI_FIELD_OK ? UI_GREEN : UI_RED);
	} else {
		message(d, ui_msg(app, MSG_UI_ENROL_HINT), below, UI_GREY);
	}
	ui_keyboard_draw(d, keys, UI_KEYS_ENROL, app->shift, false,
	                 ui_msg(app, MSG_UI_ENROL_ACTIVATE), ui_msg(app, MSG_UI_NEXT_FIELD));
}

static void activate(struct ui_app *app, struct ui_enrol_form *f)
{
	struct ui_request req = {.kind = UI_REQ_PROVISION, .session = app->session};

	snprintf(req.central_url, sizeof req.central_url, "%s", f->fields[UI_ENROL_URL]);
	snprintf(req.enrol_code, sizeof req.enrol_code, "%s", f->fields[UI_ENROL_CODE]);
	snprintf(req.ca_fingerprint, sizeof req.ca_fingerprint, "%s",
	         f->fields[UI_ENROL_FINGERPRINT]);
	ui_note_clear(app);
	f->activating = true;
	ui_post(app, &req, true);
	explicit_bzero(&req, sizeof req);
}

bool ui_enrol_form_tap(struct ui_app *app, struct ui_enrol_form *f, const char *id)
{
	for (int i = 0; i < UI_ENROL_FIELDS; i++)
		if (strcmp(id, FIELD_IDS[i]) == 0) {
			f->focus = (enum ui_enrol_field)i;
			ui_note_clear(app); /* back to typing: the keyboard and the check */
			return true;
		}
	if (strcmp(id, "key:enter") == 0 || strcmp(id, "activate") == 0) {
		activate(app, f);
	} else if (strcmp(id, "key:next") == 0) {
		f->focus = (enum ui_enrol_field)((f->focus + 1) % UI_ENROL_FIELDS);
	} else if (strncmp(id, "key:", 4) == 0) {
		ui_note_clear(app); /* typing again: the check replaces the last answer */
	} else {
		return false;
	}
	return true;
}

char *ui_enrol_form_typing(struct ui_enrol_form *f)
{
	return f->fields[f->focus];
}

bool ui_enrol_form_result(struct ui_app *app, struct ui_enrol_form *f, const struct ui_result *r)
{
	f->activating = false;
	if (r->err == AG_OK)
		return true;
	if (strcmp(r->provision.server_error, "throttled") == 0 && r->provision.retry_after > 0)
		ui_note_msg(app, true, MSG_UI_ENROL_THROTTLED,
		            (r->provision.retry_after + 59) / 60);
	else
		ui_note_detail(app, true, &r->why);
	return false;
}
