/*
 * screen_print.c — Stampa: the confirmed appointment, the print job's progress and the
 * printer's state; on a failure, what to do in words (printer_fault_detail: paper, cover,
 * cable) and "Ristampa". The booking is already durable when this screen opens: nothing here
 * can undo it (invariant I1). With the virtual printer the slip's PNG is shown as a preview.
 * A slip with characters no printer font has (print_job_info.missing_glyphs) says so in red.
 *
 * Flow: UI_REQ_PRINT (the worker calls convocation_print: the slip is queued with a copy of the
 * session) -> the job's progress is shown every frame from print_queue_job -> the library
 * records the outcome on the print thread, under that session, and posts UI_REQ_PRINT_DONE
 * with the preview. Nothing here records anything: logging out while the slip prints changes
 * neither the record nor who it names; the news of a slip of a session that ended is only
 * logged, not shown to the next operator.
 */
#include "screen_print.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"

struct ui_print_state {
	struct booking booked;
	bool booked_existing;
	bool print_requested; /* REQ_PRINT posted, job id not known yet */
	bool print_active;    /* job id known, not finished */
	uint64_t print_job;
	print_job_info job;
	bool job_known;
	bool session_ended; /* logged out since this slip was asked for */
	SDL_Texture *preview;
	int preview_w, preview_h;
	enum ui_date_source source;
};

static bool state_open(struct ui_app *app)
{
	app->print_state = calloc(1, sizeof *app->print_state);
	return app->print_state != NULL;
}

static void forget_preview(struct ui_print_state *ps)
{
	if (ps->preview) {
		SDL_DestroyTexture(ps->preview);
		ps->preview = NULL;
	}
}

static void state_close(struct ui_app *app)
{
	if (!app->print_state)
		return;
	forget_preview(app->print_state);
	explicit_bzero(app->print_state, sizeof *app->print_state);
	free(app->print_state);
	app->print_state = NULL;
}

static void logout(struct ui_app *app)
{
	forget_preview(app->print_state);
	app->print_state->session_ended = true;
}

bool ui_print_sending(const struct ui_app *app)
{
	return app->print_state->print_active;
}

bool ui_print_job(const struct ui_app *app, uint64_t *id)
{
	const struct ui_print_state *ps = app->print_state;

	*id = ps->print_job;
	return !ps->print_requested && ps->print_job != 0;
}

static bool in_flight(const struct ui_app *app)
{
	return app->print_state->print_active || app->print_state->print_requested;
}

void ui_print_booking(struct ui_app *app, const struct booking *b, bool existing)
{
	struct ui_print_state *ps = app->print_state;
	struct ui_request req = {.kind = UI_REQ_PRINT, .session = app->session};

	ps->booked = *b;
	ps->booked_existing = existing;
	ps->source = UI_DATE_LOCAL;
	ps->job_known = false;
	ps->print_active = false;
	ps->print_requested = true;
	ps->session_ended = false;
	if (ps->preview) {
		SDL_DestroyTexture(ps->preview);
		ps->preview = NULL;
	}
	snprintf(req.appointment_id, sizeof req.appointment_id, "%s", b->id);
	ui_go(app, UI_SCREEN_PRINT);
	ui_post(app, &req, false);
}

void ui_print_date_source(struct ui_app *app, enum ui_date_source source)
{
	app->print_state->source = source;
	app->dirty = true;
}

/* Progress only (queued, sent %): the end comes with UI_REQ_PRINT_DONE, once recorded. */
static void tick(struct ui_app *app)
{
	struct ui_print_state *ps = app->print_state;
	print_job_info info;

	if (!ps->print_active || print_queue_job(app->printer, ps->print_job, &info) != AG_OK)
		return;
	if (info.state == PRINT_JOB_DONE || info.state == PRINT_JOB_FAILED)
		return; /* shown when its outcome is in the store */
	if (!ps->job_known || info.state != ps->job.state || info.sent != ps->job.sent)
		app->dirty = true;
	ps->job = info;
	ps->job_known = true;
}

static const char *job_text(struct ui_app *app, char *buf, size_t size, SDL_Color *c)
{
	const struct ui_print_state *ps = app->print_state;

	*c = UI_INK;
	if (!ps->job_known)
		return ui_msg(app, MSG_UI_PRINT_PREPARING);
	switch (ps->job.state) {
	case PRINT_JOB_QUEUED:
		return ui_msg(app, MSG_UI_PRINT_QUEUED);
	case PRINT_JOB_SENDING:
		snprintf(buf, size, ui_msg(app, MSG_UI_PRINT_SENDING),
		         ps->job.bytes ? (int)(ps->job.sent * 100 / ps->job.bytes) : 0);
		return buf;
	case PRINT_JOB_DONE:
		*c = UI_GREEN;
		return ui_msg(app, MSG_UI_PRINT_DONE);
	case PRINT_JOB_FAILED:
	case PRINT_JOB_RETRIED:
		*c = UI_RED;
		return ui_msg(app, MSG_UI_PRINT_FAILED);
	}
	return "";
}

static void draw(struct ui_app *app, const struct ui_draw *d, SDL_Rect area)
{
	const struct ui_print_state *ps = app->print_state;
	const struct ui_layout *l = d->layout;
	const char *ids[] = {"logout", "lang"};
	const char *labels[] = {ui_msg(app, MSG_UI_LOGOUT), ui_msg(app, MSG_UI_LANG_OTHER)};
	char date[64], time[8], text[512], buf[64];
	bool finished = ps->job_known && !ps->print_active &&
	                (ps->job.state == PRINT_JOB_DONE || ps->job.state == PRINT_JOB_FAILED);
	SDL_Rect buttons, left, r;
	SDL_Color c;
	int h;

	ui_header(app, d, &area, ui_msg(app, MSG_UI_PRINT_TITLE), ids, labels, 2);
	buttons = ui_rect_take_bottom(&area, l->unit, l->gap);
	left = area;
	if (ps->preview && ps->preview_h > 0) {
		/* The slip at the height available, on the right. */
		int w = ps->preview_w * area.h / ps->preview_h;

		if (w > area.w / 2)
			w = area.w / 2;
		r = ui_rect_take_right(&left, w, l->gap);
		r.h = ps->preview_h * w / ps->preview_w;
		ui_outline(d, ui_rect_inset(r, -2), UI_INK, 2);
		SDL_RenderCopy(d->renderer, ps->preview, NULL, &r);
	}
	ui_format_when(app, ps->booked.day, ps->booked.minute, date, sizeof date, time,
	               sizeof time);
	snprintf(text, sizeof text,
	         ui_msg(app, ps->booked_existing ? MSG_UI_BOOKED_EXISTING : MSG_UI_BOOKED), date,
	         time);
	ui_text_measure(d->text, UI_FONT_TITLE, "Ag", NULL, &h);
	ui_label(d, text, ui_rect_take_top(&left, 2 * h + h / 2, l->gap), UI_FONT_TITLE, UI_GREEN,
	         UI_ALIGN_LEFT, true);
	ui_label(d, ps->booked.numero_pratica, ui_rect_take_top(&left, h, l->gap), UI_FONT_BODY,
	         UI_INK, UI_ALIGN_LEFT, false);
	if (ps->source != UI_DATE_LOCAL)
		ui_label(d,
		         ui_msg(app, ps->source == UI_DATE_CENTRAL ? MSG_UI_GRANT_CENTRAL
		                                                   : MSG_UI_GRANT_OFFLINE),
		         ui_rect_take_top(&left, 2 * h, l->gap), UI_FONT_BODY,
		         ps->source == UI_DATE_CENTRAL ? UI_GREEN : UI_RED, UI_ALIGN_LEFT, true);
	ui_label(d, job_text(app, buf, sizeof buf, &c), ui_rect_take_top(&left, 2 * h, l->gap),
	         UI_FONT_BODY, c, UI_ALIGN_LEFT, true);
	if (ps->job_known && ps->job.missing_glyphs > 0) {
		/* A name with a letter no printer font has: its box is on the paper, say so. */
		snprintf(text, sizeof text, ui_msg(app, MSG_SLIP_MISSING_GLYPHS),
		         ps->job.missing_glyphs);
		ui_label(d, text, ui_rect_take_top(&left, 3 * h, l->gap), UI_FONT_BODY, UI_RED,
		         UI_ALIGN_LEFT, true);
	}
	if (app->note.shown) {
		ui_note_draw(app, d, left);
	} else if (ps->job_known && ps->job.state == PRINT_JOB_FAILED) {
		agenda_detail what;

		printer_fault_detail(ps->job.fault, &what);
		/* What to do, framed in red: black on white reads best (people and OCR alike). */
		r = ui_rect_take_top(&left, 3 * h, 0);
		ui_outline(d, r, UI_RED, 4);
		ui_label(d, ui_detail(app, &what), ui_rect_inset(r, 2 * l->gap), UI_FONT_TITLE,
		         UI_BLACK, UI_ALIGN_LEFT, true);
	}
	ui_button(d, "search", ui_msg(app, MSG_UI_NEW_SEARCH),
	          ui_rect_column(buttons, 0, 3, l->gap), UI_BUTTON_NORMAL);
	ui_button(d, "day", ui_msg(app, MSG_UI_DAY), ui_rect_column(buttons, 1, 3, l->gap),
	          UI_BUTTON_NORMAL);
	ui_button(d, "reprint", ui_msg(app, MSG_UI_REPRINT), ui_rect_column(buttons, 2, 3, l->gap),
	          !finished                           ? UI_BUTTON_OFF
	          : ps->job.state == PRINT_JOB_FAILED ? UI_BUTTON_PRIMARY
	                                              : UI_BUTTON_NORMAL);
}

static void tap(struct ui_app *app, const char *id)
{
	const struct ui_print_state *ps = app->print_state;

	if (strcmp(id, "reprint") == 0 && !ps->print_active && !ps->print_requested) {
		struct booking b = ps->booked;

		ui_print_booking(app, &b, ps->booked_existing);
	} else if (strcmp(id, "day") == 0) {
		ui_go(app, UI_SCREEN_DAY);
	}
}

static void result(struct ui_app *app, struct ui_result *r)
{
	struct ui_print_state *ps = app->print_state;

	if (r->kind == UI_REQ_PRINT) {
		ps->print_requested = false;
		if (r->err != AG_OK) {
			ui_note_detail(app, true, &r->why);
			return;
		}
		ps->print_job = r->print_job;
		ps->print_active = true;
		tick(app);
		return;
	}
	/* UI_REQ_PRINT_DONE, from the print thread: this slip's outcome is in the store. */
	SDL_Log("print job %llu: %s %s, recorded for %s: %s", (unsigned long long)r->print_job,
	        print_job_state_name(r->printed.job.state),
	        printer_fault_name(r->printed.job.fault), r->printed.username,
	        r->err == AG_OK ? "yes" : "no");
	if (!ps->print_active || r->print_job != ps->print_job)
		return; /* an earlier slip's news */
	ps->print_active = false;
	ps->job = r->printed.job;
	ps->job_known = true;
	if (ps->session_ended)
		return; /* the applicant's slip is not shown to whoever logged in since */
	if (r->err != AG_OK)
		ui_note_detail(app, true, &r->why);
	if (r->preview) {
		SDL_Texture *t = SDL_CreateTextureFromSurface(app->renderer, r->preview);

		if (t) {
			if (ps->preview)
				SDL_DestroyTexture(ps->preview);
			ps->preview = t;
			ps->preview_w = r->preview->w;
			ps->preview_h = r->preview->h;
		}
	}
}

const struct ui_screen_ops ui_print_screen = {
        .name = "stampa",
        .open = state_open,
        .close = state_close,
        .draw = draw,
        .tap = tap,
        .result = result,
        .tick = tick,
        .in_flight = in_flight,
        .logout = logout,
};
