/*
 * statusbar.c — the always visible bar at the top: operator, online/offline and last sync,
 * what waits to be sent (journal entries, email), the printer's state, the clock.
 *
 * The counts come from device_status_read on the worker, asked every few seconds and after
 * every change; the printer's state from the print queue's last poll (no I/O here). On a device
 * enrolled with central the sync line is the sync thread's published status (sync_worker.h):
 * "In linea · sincronizzato alle HH:MM · N in attesa" or "Non in linea · N in attesa". A
 * stand-alone device keeps "Non in linea · ultima sinc.: mai".
 *
 * Email the device gave up on (issue 13: the server refused it, or it failed 30 times) takes
 * the title's place, in amber: "N email non inviate" until Tecnico's "Riprova email" delivers
 * them. Messages still waiting for a retry are only counted ("email N").
 */
#include "statusbar.h"

#include "app.h"
#include "screen_print.h"

static const char *printer_text(struct ui_app *app, SDL_Color *c)
{
	printer_fault fault = PRINTER_OK;
	unsigned flags = print_queue_printer_status(app->printer, &fault);

	*c = UI_WHITE;
	if (ui_print_sending(app))
		return ui_msg(app, MSG_UI_PRINTER_PRINTING);
	if (fault != PRINTER_OK || printer_status_blocking(flags) != PRINTER_OK) {
		*c = UI_AMBER;
		return ui_msg(app, MSG_UI_PRINTER_PROBLEM);
	}
	if (flags & PRINTER_STATUS_PAPER_NEAR_END) {
		*c = UI_AMBER;
		return ui_msg(app, MSG_UI_PRINTER_LOW);
	}
	if (flags & PRINTER_STATUS_UNKNOWN)
		return ui_msg(app, MSG_UI_PRINTER_UNKNOWN);
	return ui_msg(app, MSG_UI_PRINTER_READY);
}

/* The enrolled device's sync line: green while central answers, amber when it does not. */
static void sync_line(struct ui_app *app, const struct ui_draw *d, SDL_Rect r)
{
	const struct sync_worker_status *s = &app->sync_status;
	/* The store's count, refreshed after every change: the round's is as old as the round. */
	long long waiting = app->status_known ? app->status.journal_pending : s->entries_waiting;
	char text[160], when[16];
	agenda_day day;
	int minute, w;

	if (s->online && s->last_success > 0) {
		clock_local(s->last_success, &day, &minute);
		snprintf(when, sizeof when, "%02d:%02d", minute / 60, minute % 60);
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_SYNC_ONLINE), when, waiting);
	} else {
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_SYNC_OFFLINE), waiting);
	}
	ui_text_measure(d->text, UI_FONT_SMALL, text, &w, NULL);
	if (w > r.w && s->online && s->last_success > 0) /* narrow screens: without the words */
		snprintf(text, sizeof text, ui_msg(app, MSG_UI_SYNC_ONLINE_SHORT), when, waiting);
	ui_label(d, text, r, UI_FONT_SMALL, s->online ? UI_WHITE : UI_AMBER, UI_ALIGN_LEFT, false);
}

void ui_statusbar_draw(struct ui_app *app, const struct ui_draw *d)
{
	const struct ui_layout *l = d->layout;
	SDL_Rect bar = l->status, cell[3], top, bottom;
	char text[160], sync[64];
	agenda_day day;
	int minute, y, m, dd, line_h;
	SDL_Color c;

	ui_fill(d, bar, UI_BAR);
	bar = (SDL_Rect){bar.x + l->margin, bar.y, bar.w - 2 * l->margin, bar.h};
	ui_text_measure(d->text, UI_FONT_SMALL, "Ag", NULL, &line_h);
	for (int i = 0; i < 3; i++) {
		cell[i] = ui_rect_column(bar, i, 3, l->margin);
		top = cell[i];
		top.h = bar.h / 2;
		bottom = top;
		bottom.y += top.h;
		if (i == 0) {
			if (app->logged_in)
				snprintf(text, sizeof text, ui_msg(app, MSG_UI_STATUS_OPERATOR),
				         app->session.username);
			else
				snprintf(text, sizeof text, "%s",
				         ui_msg(app, MSG_UI_STATUS_NOBODY));
			ui_label(d, text, top, UI_FONT_SMALL, UI_WHITE, UI_ALIGN_LEFT, false);
			clock_local(clock_now(&app->clock), &day, &minute);
			date_to_ymd(day, &y, &m, &dd);
			snprintf(text, sizeof text, "%02d/%02d/%04d  %02d:%02d", dd, m, y,
			         minute / 60, minute % 60);
			ui_label(d, text, bottom, UI_FONT_SMALL, UI_WHITE, UI_ALIGN_LEFT, false);
		} else if (i == 1 && app->sync_status.provisioned) {
			sync_line(app, d, top);
			snprintf(text, sizeof text, ui_msg(app, MSG_UI_STATUS_PENDING),
			         app->status.journal_pending, app->status.outbox_pending);
			ui_label(d, text, bottom, UI_FONT_SMALL, UI_WHITE, UI_ALIGN_LEFT, false);
		} else if (i == 1) {
			if (app->status_known && app->status.last_sync > 0) {
				clock_local(app->status.last_sync, &day, &minute);
				date_to_ymd(day, &y, &m, &dd);
				snprintf(sync, sizeof sync, "%02d/%02d %02d:%02d", dd, m,
				         minute / 60, minute % 60);
			} else {
				snprintf(sync, sizeof sync, "%s", ui_msg(app, MSG_UI_STATUS_NEVER));
			}
			snprintf(text, sizeof text, ui_msg(app, MSG_UI_STATUS_SYNC), sync);
			ui_label(d, text, top, UI_FONT_SMALL, UI_AMBER, UI_ALIGN_LEFT, false);
			snprintf(text, sizeof text, ui_msg(app, MSG_UI_STATUS_PENDING),
			         app->status.journal_pending, app->status.outbox_pending);
			ui_label(d, text, bottom, UI_FONT_SMALL, UI_WHITE, UI_ALIGN_LEFT, false);
		} else {
			const char *p = printer_text(app, &c);

			int failed = app->sync_status.mail_failed;

			ui_label(d, p, top, UI_FONT_SMALL, c, UI_ALIGN_RIGHT, false);
			if (failed > 0) {
				if (failed == 1)
					snprintf(text, sizeof text, "%s",
					         ui_msg(app, MSG_UI_MAIL_FAILED_ONE));
				else
					snprintf(text, sizeof text, ui_msg(app, MSG_UI_MAIL_FAILED),
					         failed);
				ui_label(d, text, bottom, UI_FONT_SMALL, UI_AMBER, UI_ALIGN_RIGHT,
				         false);
			} else {
				ui_label(d, msg_get(MSG_UI_TITLE, app->lang), bottom, UI_FONT_SMALL,
				         UI_WHITE, UI_ALIGN_RIGHT, false);
			}
		}
	}
}
