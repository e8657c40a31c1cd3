/*
 * screen_tech.c — Tecnico (role tecnico only): versions, the device status (device_status_read:
 * site, device id, pending journal and email, counts), the printer's URI, model and state, and
 * a test slip. No applicant's data appears here: the services refuse it to this role anyway.
 *
 * The test slip is a small slip model built here (title, version, device, time) and queued on
 * the print queue like any slip; it names no person.
 */
#include <stdlib.h>
#include <string.h>

#include <SDL_ttf.h>

#include "app.h"

/* One line; the small font when the body font would be cut (long printer URIs at 800 px). */
static void line(const struct ui_draw *d, SDL_Rect *area, const char *text, SDL_Color c)
{
	int h, w;
	enum ui_font font = UI_FONT_BODY;

	ui_text_measure(d->text, UI_FONT_BODY, "Ag", NULL, &h);
	ui_text_measure(d->text, UI_FONT_BODY, text, &w, NULL);
	if (w > area->w)
		font = UI_FONT_SMALL;
	ui_label(d, text, ui_rect_take_top(area, h + h / 3, 0), font, c, UI_ALIGN_LEFT, false);
}

static void draw(struct ui_app *app, const struct ui_draw *d, SDL_Rect area)
{
	const struct ui_layout *l = d->layout;
	const struct device_status *s = &app->status;
	const char *ids[] = {"logout", "lang"};
	const char *labels[] = {ui_msg(app, MSG_UI_LOGOUT), ui_msg(app, MSG_UI_LANG_OTHER)};
	const printer_profile *profile = print_queue_profile(app->printer);
	const SDL_version *ttf = TTF_Linked_Version();
	SDL_version sdl;
	agenda_detail printer_words;
	printer_fault fault = PRINTER_OK;
	unsigned flags = print_queue_printer_status(app->printer, &fault);
	char text[512];
	SDL_Rect buttons;

	SDL_GetVersion(&sdl);
	ui_header(app, d, &area, ui_msg(app, MSG_UI_TECH_TITLE), ids, labels, 2);
	buttons = ui_rect_take_bottom(&area, l->unit, l->gap);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_VERSIONS),
	         s->firmware_version ? s->firmware_version : AGENDA_VERSION, s->schema_version,
	         sdl.major, sdl.minor, sdl.patch, ttf->major, ttf->minor, ttf->patch,
	         SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "?");
	line(d, &area, text, UI_INK);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_DEVICE), s->site, s->device_id);
	line(d, &area, text, UI_INK);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_PENDING), s->journal_pending,
	         s->outbox_pending);
	line(d, &area, text, UI_INK);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_COUNTS),
	         (long long)s->appointments_live, (long long)s->slots_free);
	line(d, &area, text, UI_INK);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_PRINTER), app->config.printer_uri,
	         profile ? profile->name : "?");
	line(d, &area, text, UI_INK);
	if (fault != PRINTER_OK)
		printer_fault_detail(fault, &printer_words);
	else
		printer_status_detail(flags, &printer_words);
	ui_label(d, ui_detail(app, &printer_words),
	         ui_rect_take_top(&area, 2 * l->unit / 2, l->gap), UI_FONT_BODY,
	         fault != PRINTER_OK ? UI_RED : UI_GREEN, UI_ALIGN_LEFT, true);
	if (app->note.shown)
		ui_note_draw(app, d, area);
	ui_button(d, "refresh", ui_msg(app, MSG_UI_REFRESH), ui_rect_column(buttons, 0, 2, l->gap),
	          UI_BUTTON_NORMAL);
	ui_button(d, "test_print", ui_msg(app, MSG_UI_TEST_SLIP),
	          ui_rect_column(buttons, 1, 2, l->gap), UI_BUTTON_PRIMARY);
}

static void add_line(slip *s, unsigned style, const char *text)
{
	slip_line *l;

	if (s->count >= SLIP_LINES_MAX)
		return;
	l = &s->lines[s->count++];
	memset(l, 0, sizeof *l);
	l->kind = text ? SLIP_TEXT : SLIP_RULE;
	l->style = style;
	l->align = SLIP_ALIGN_CENTER;
	if (text)
		snprintf(l->text, sizeof l->text, "%.*s", s->columns, text);
}

static void test_print(struct ui_app *app)
{
	const printer_profile *profile = print_queue_profile(app->printer);
	slip *s = calloc(1, sizeof *s);
	char text[256], date[64], time[8];
	agenda_day day;
	int minute;
	uint64_t job;

	if (!s)
		return;
	s->columns = profile ? profile->columns : 48;
	clock_local(clock_now(&app->clock), &day, &minute);
	ui_format_when(app, day, minute, date, sizeof date, time, sizeof time);
	add_line(s, SLIP_BOLD | SLIP_DOUBLE_HEIGHT, ui_msg(app, MSG_UI_TEST_SLIP_TITLE));
	add_line(s, 0, NULL);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_TEST_SLIP_LINE), AGENDA_VERSION,
	         app->status.device_id);
	add_line(s, 0, text);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_TEST_SLIP_WHEN), date, time);
	add_line(s, 0, text);
	add_line(s, 0, NULL);
	/* Encoding takes ~0.1 ms on this thread; the queue's worker does the USB part. */
	if (print_queue_submit_slip(app->printer, s, &job) == AG_OK)
		ui_note_msg(app, false, MSG_UI_PRINT_QUEUED);
	free(s);
}

static void tap(struct ui_app *app, const char *id)
{
	if (strcmp(id, "refresh") == 0) {
		struct ui_request req = {.kind = UI_REQ_STATUS};

		ui_post(app, &req, true);
	} else if (strcmp(id, "test_print") == 0) {
		test_print(app);
	}
}

static void enter(struct ui_app *app)
{
	struct ui_request req = {.kind = UI_REQ_STATUS};

	ui_post(app, &req, true);
}

const struct ui_screen_ops ui_tech_screen = {
        .name = "tecnico",
        .enter = enter,
        .draw = draw,
        .tap = tap,
};
