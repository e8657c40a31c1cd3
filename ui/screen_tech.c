/*
 * screen_tech.c — Tecnico (role tecnico only): versions, the device status (device_status_read:
 * site, device id, pending journal and email, counts), the device's enrolment with central
 * (device id, central's site and address, the certificate's expiry), the printer's URI, model
 * and state, and a test slip. No applicant's data appears here: the services refuse it to this
 * role anyway.
 *
 * A device not yet activated with central opens on the activation form instead
 * (screen_tech_enrol.c); "Stato" shows the status of a stand-alone device, "Attivazione" goes
 * back to the form. Once activated, the screen shows the status, says so and prints the test
 * slip.
 *
 * On an enrolled device (issue 12) the status also says whether central answers, the last
 * successful sync, the entries waiting and the last sync error in plain words (the sync
 * thread's published status, sync_worker.h); "Sincronizza ora" asks for a round at once.
 *
 * Email (issue 13): a line with the mail server, the messages queued and those given up, then
 * the server's last reply (the newest given-up message's, else the last attempt's) or that the
 * server was unreachable; "Riprova email" queues the given-up messages again and sends at once
 * (sync_worker_mail_retry, audited under the technician's name).
 *
 * The test slip is a small slip model built here (title, version, device, time) and queued on
 * the print queue like any slip; it names no person.
 */
#include <stdlib.h>
#include <string.h>

#include <SDL_ttf.h>

#include "app.h"
#include "screen_tech_enrol.h"

struct ui_tech_state {
	bool enrolment_known; /* the worker has answered UI_REQ_ENROLMENT since the screen opened */
	struct enrolment_info enrolment;
	bool show_form;
	struct ui_enrol_form form;
};

static bool state_open(struct ui_app *app)
{
	app->tech_state = calloc(1, sizeof *app->tech_state);
	return app->tech_state != NULL;
}

static void state_close(struct ui_app *app)
{
	if (!app->tech_state)
		return;
	explicit_bzero(app->tech_state, sizeof *app->tech_state); /* the one-time code */
	free(app->tech_state);
	app->tech_state = NULL;
}

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

/* Device id, site, central and expiry once enrolled; the local site and id otherwise. */
static void enrolment_lines(struct ui_app *app, const struct ui_draw *d, SDL_Rect *area)
{
	const struct ui_tech_state *ts = app->tech_state;
	const struct enrolment_info *e = &ts->enrolment;
	char text[512];

	if (!ts->enrolment_known || !e->provisioned) {
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_DEVICE), app->status.site,
		         app->status.device_id);
		line(d, area, text, UI_INK);
		if (ts->enrolment_known)
			line(d, area, ui_msg(app, MSG_UI_TECH_STANDALONE), UI_INK);
		return;
	}
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_ENROLLED), e->device_id, e->site);
	line(d, area, text, UI_INK);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_CENTRAL), e->central_url);
	line(d, area, text, UI_INK);
	if (e->has_cert) {
		char date[64], time[8];
		agenda_day day;
		int minute;

		clock_local(e->not_after, &day, &minute);
		ui_format_when(app, day, minute, date, sizeof date, time, sizeof time);
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_CERT), date, time);
		line(d, area, text, UI_INK);
	}
}

/* "Centrale: in linea · ultima sincronizzazione 04/05 09:30 · in attesa 0", the last error. */
static void sync_lines(struct ui_app *app, const struct ui_draw *d, SDL_Rect *area)
{
	const struct sync_worker_status *s = &app->sync_status;
	char text[1200], when[32];
	agenda_day day;
	int minute, y, m, dd, h, lines;

	if (s->last_success > 0) {
		clock_local(s->last_success, &day, &minute);
		date_to_ymd(day, &y, &m, &dd);
		snprintf(when, sizeof when, "%02d/%02d %02d:%02d", dd, m, minute / 60, minute % 60);
	} else {
		snprintf(when, sizeof when, "%s", ui_msg(app, MSG_UI_STATUS_NEVER));
	}
	snprintf(text, sizeof text,
	         ui_msg(app, s->online ? MSG_UI_TECH_SYNC_ONLINE : MSG_UI_TECH_SYNC_OFFLINE), when,
	         app->status_known ? (long long)app->status.journal_pending
	                           : (long long)s->entries_waiting);
	line(d, area, text, s->online ? UI_GREEN : UI_INK);
	if (!s->has_error)
		return;
	clock_local(s->last_error_at, &day, &minute);
	snprintf(when, sizeof when, "%02d:%02d", minute / 60, minute % 60);
	/* Small panels: what to do only; the round's own detail needs more lines than they have. */
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_SYNC_ERROR), when,
	         ui_detail(app, d->layout->h < 600 ? &s->last_error_plain : &s->last_error));
	ui_text_measure(d->text, UI_FONT_SMALL, "Ag", NULL, &h);
	lines = d->layout->h < 600 ? 2 : 3;
	ui_label(d, text, ui_rect_take_top(area, lines * h + h / 3, 0), UI_FONT_SMALL, UI_RED,
	         UI_ALIGN_LEFT, true);
}

/* "Email: server smtp.example.it:587 · in coda 0 · non inviate 1", then the last reply. */
static void mail_lines(struct ui_app *app, const struct ui_draw *d, SDL_Rect *area)
{
	const struct sync_worker_status *s = &app->sync_status;
	char text[1200];
	int h, lines;

	if (s->mail_configured)
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_MAIL), s->mail_server,
		         s->mail_queued, s->mail_failed);
	else
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_MAIL_NONE), s->mail_queued);
	line(d, area, text, s->mail_failed > 0 ? UI_RED : UI_INK);
	if (!s->mail_configured || !s->mail_last_reply[0])
		return;
	if (s->mail_link_down && s->mail_failed == 0)
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_MAIL_LINK_DOWN),
		         s->mail_last_reply);
	else
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_MAIL_REPLY),
		         s->mail_last_reply);
	ui_text_measure(d->text, UI_FONT_SMALL, "Ag", NULL, &h);
	lines = d->layout->h < 600 ? 1 : 2;
	ui_label(d, text, ui_rect_take_top(area, lines * h + h / 3, 0), UI_FONT_SMALL,
	         s->mail_failed > 0 || s->mail_link_down ? UI_RED : UI_INK, UI_ALIGN_LEFT, true);
}

static void draw_status(struct ui_app *app, const struct ui_draw *d, SDL_Rect area)
{
	const struct ui_layout *l = d->layout;
	const struct device_status *s = &app->status;
	const char *ids[] = {"logout", "lang"};
	const char *labels[] = {ui_msg(app, MSG_UI_LOGOUT), ui_msg(app, MSG_UI_LANG_OTHER)};
	/* A device not enrolled keeps a way back to the activation form. */
	bool standalone =
	        app->tech_state->enrolment_known && !app->tech_state->enrolment.provisioned;
	bool syncs = app->sync_status.provisioned;
	bool mail = app->sync_status.mail_configured || app->sync_status.mail_failed > 0;
	int columns = 2 + (standalone ? 1 : 0) + (syncs ? 1 : 0) + (mail ? 1 : 0);
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
	enrolment_lines(app, d, &area);
	if (syncs) {
		sync_lines(app, d, &area); /* its "in attesa" is the journal's pending count */
	} else {
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_TECH_PENDING), s->journal_pending,
		         s->outbox_pending);
		line(d, &area, text, UI_INK);
	}
	mail_lines(app, d, &area);
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
	ui_button(d, "refresh", ui_msg(app, MSG_UI_REFRESH),
	          ui_rect_column(buttons, 0, columns, l->gap), UI_BUTTON_NORMAL);
	ui_button(d, "test_print", ui_msg(app, MSG_UI_TEST_SLIP),
	          ui_rect_column(buttons, 1, columns, l->gap), UI_BUTTON_PRIMARY);
	if (standalone)
		ui_button(d, "tech_enrol", ui_msg(app, MSG_UI_TECH_ENROL),
		          ui_rect_column(buttons, 2, columns, l->gap), UI_BUTTON_NORMAL);
	if (syncs)
		ui_button(d, "sync_now", ui_msg(app, MSG_UI_SYNC_NOW),
		          ui_rect_column(buttons, columns - 1 - (mail ? 1 : 0), columns, l->gap),
		          app->sync_status.syncing ? UI_BUTTON_OFF : UI_BUTTON_NORMAL);
	if (mail)
		ui_button(d, "mail_retry", ui_msg(app, MSG_UI_MAIL_RETRY),
		          ui_rect_column(buttons, columns - 1, columns, l->gap),
		          app->sync_status.mail_sending      ? UI_BUTTON_OFF
		          : app->sync_status.mail_failed > 0 ? UI_BUTTON_PRIMARY
		                                             : UI_BUTTON_NORMAL);
}

static void draw(struct ui_app *app, const struct ui_draw *d, SDL_Rect area)
{
	const char *ids[] = {"logout", "lang", "tech_status"};
	const char *labels[] = {ui_msg(app, MSG_UI_LOGOUT), ui_msg(app, MSG_UI_LANG_OTHER),
	                        ui_msg(app, MSG_UI_TECH_STATUS)};

	if (!app->tech_state->show_form) {
		/* Until the worker says whether the device is enrolled: the status (never a form
		 * that would vanish a frame later on an enrolled device). */
		draw_status(app, d, area);
		return;
	}
	ui_header(app, d, &area, ui_msg(app, MSG_UI_ENROL_TITLE), ids, labels, 3);
	ui_enrol_form_draw(app, &app->tech_state->form, d, area);
}

/*
 * One centred line, or a rule for NULL. Text wider than the paper (counted in characters, not
 * bytes: "·" is two) goes on as many lines as it needs, broken at the last space that fits, so
 * the device id at the end of a line is never cut.
 */
static void add_line(slip *s, unsigned style, const char *text)
{
	do {
		size_t bytes = 0, fits = 0, space = 0;
		int chars = 0;
		slip_line *l;

		if (s->count >= SLIP_LINES_MAX)
			return;
		l = &s->lines[s->count++];
		memset(l, 0, sizeof *l);
		l->kind = text ? SLIP_TEXT : SLIP_RULE;
		l->style = style;
		l->align = SLIP_ALIGN_CENTER;
		if (!text)
			return;
		while (text[bytes] && chars <= s->columns && bytes < sizeof l->text - 1) {
			fits = bytes;
			if (text[bytes] == ' ')
				space = bytes;
			do
				bytes++;
			while (((unsigned char)text[bytes] & 0xc0) == 0x80);
			chars++;
		}
		if (!text[bytes] && chars <= s->columns && bytes < sizeof l->text)
			fits = bytes; /* the rest fits whole */
		else if (space > 0)
			fits = space;
		snprintf(l->text, sizeof l->text, "%.*s", (int)fits, text);
		text += fits;
		while (*text == ' ')
			text++;
	} while (*text);
}

/* Queues the test slip; with quiet, the screen's note is left as it is. */
static void test_print(struct ui_app *app, const char *device_id, bool quiet)
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
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_TEST_SLIP_LINE), AGENDA_VERSION, device_id);
	add_line(s, 0, text);
	snprintf(text, sizeof text, ui_msg(app, MSG_UI_TEST_SLIP_WHEN), date, time);
	add_line(s, 0, text);
	add_line(s, 0, NULL);
	/* Encoding takes ~0.1 ms on this thread; the queue's worker does the USB part. */
	if (print_queue_submit_slip(app->printer, s, &job) == AG_OK && !quiet)
		ui_note_msg(app, false, MSG_UI_PRINT_QUEUED);
	free(s);
}

static void tap(struct ui_app *app, const char *id)
{
	struct ui_tech_state *ts = app->tech_state;

	if (ts->show_form && ui_enrol_form_tap(app, &ts->form, id))
		return;
	if (strcmp(id, "refresh") == 0) {
		struct ui_request req = {.kind = UI_REQ_STATUS};
		struct ui_request enrolment = {.kind = UI_REQ_ENROLMENT};

		ui_post(app, &req, true);
		ui_post(app, &enrolment, true);
	} else if (strcmp(id, "test_print") == 0) {
		test_print(app, app->status.device_id, false);
	} else if (strcmp(id, "sync_now") == 0) {
		sync_worker_now(app->sync);
		ui_note_msg(app, false, MSG_UI_SYNC_ASKED);
	} else if (strcmp(id, "mail_retry") == 0) {
		sync_worker_mail_retry(app->sync, app->session.username);
		ui_note_msg(app, false, MSG_UI_MAIL_RETRY_ASKED);
	} else if (strcmp(id, "tech_status") == 0) {
		ts->show_form = false;
		ui_note_clear(app);
	} else if (strcmp(id, "tech_enrol") == 0) {
		ts->show_form = true;
		ui_note_clear(app);
	}
}

/* Typing goes into the activation form's focused field, when it shows. */
static char *typing(struct ui_app *app)
{
	struct ui_tech_state *ts = app->tech_state;

	return ts->show_form ? ui_enrol_form_typing(&ts->form) : NULL;
}

static void enter(struct ui_app *app)
{
	struct ui_request req = {.kind = UI_REQ_STATUS};
	struct ui_request enrolment = {.kind = UI_REQ_ENROLMENT};

	app->tech_state->enrolment_known = false;
	ui_post(app, &req, true);
	ui_post(app, &enrolment, true);
}

/* UI_REQ_ENROLMENT and UI_REQ_PROVISION. */
static void result(struct ui_app *app, struct ui_result *r)
{
	struct ui_tech_state *ts = app->tech_state;
	bool first = !ts->enrolment_known;

	if (r->kind == UI_REQ_PROVISION && !ui_enrol_form_result(app, &ts->form, r)) {
		ts->enrolment = r->enrolment;
		return; /* the form shows why, its fields kept */
	}
	ts->enrolment = r->enrolment;
	ts->enrolment_known = true;
	if (r->kind == UI_REQ_ENROLMENT) {
		/* On arrival a device with no identity opens on the form; later refreshes keep the
		 * view the technician chose. */
		if (first)
			ts->show_form = !r->enrolment.provisioned;
		return;
	}
	/* Activated: the status with the new identity, the words, and the test slip. */
	ts->show_form = false;
	explicit_bzero(&ts->form, sizeof ts->form);
	sync_worker_now(app->sync); /* the first round with the new central, at once */
	ui_note_msg(app, false, MSG_UI_ENROL_DONE, r->provision.device_id, r->provision.site);
	test_print(app, r->provision.device_id, true);
}

/* The session ends: the typed code and fingerprint go with it. */
static void logout(struct ui_app *app)
{
	struct ui_tech_state *ts = app->tech_state;

	explicit_bzero(ts, sizeof *ts);
}

const struct ui_screen_ops ui_tech_screen = {
        .name = "tecnico",
        .open = state_open,
        .close = state_close,
        .enter = enter,
        .draw = draw,
        .tap = tap,
        .typing = typing,
        .result = result,
        .logout = logout,
};
