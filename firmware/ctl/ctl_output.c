/*
 * ctl_output.c — how agendactl speaks: exit codes, errors, plain lines and JSON objects.
 *
 * Plain mode writes catalogue text in the run's language (Italian unless --lang en): results on
 * stdout, failures on stderr. --json writes exactly one compact JSON object per result on
 * stdout, one per line; a failure is {"error", "message", "message_en", "exit"} on stdout with
 * the Italian message also on stderr, so an operator watching a script still reads it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/text.h"
#include "ctl/ctl.h"
#include "platform/clock.h"

int ctl_exit_code(agenda_err err)
{
	switch (err) {
	case AG_OK:
		return EXIT_OK;
	case AG_ERR_USAGE:
		return EXIT_USAGE;
	case AG_ERR_NOT_FOUND:
		return EXIT_NOT_FOUND;
	case AG_ERR_REFUSED:
	case AG_ERR_EXISTS:
		return EXIT_REFUSED;
	case AG_ERR_NO_CAPACITY:
		return EXIT_NO_CAPACITY;
	case AG_ERR_STORE:
	case AG_ERR_IO:
		return EXIT_STORE;
	case AG_ERR_AUTH:
		return EXIT_AUTH;
	case AG_ERR_BUSY:
		return EXIT_BUSY;
	case AG_ERR_CHANGED:
		return EXIT_CHANGED;
	case AG_ERR_INVALID:
		return EXIT_INVALID;
	case AG_ERR_DISK_FULL:
		return EXIT_DISK_FULL;
	case AG_ERR_CORRUPT:
	case AG_ERR_SCHEMA_NEWER:
		return EXIT_CORRUPT;
	default:
		return EXIT_INTERNAL;
	}
}

/* The words used when a failing call left no detail. */
static agenda_msg generic_message(agenda_err err)
{
	switch (err) {
	case AG_ERR_USAGE:
		return MSG_CTL_ERR_USAGE;
	case AG_ERR_INVALID:
		return MSG_CTL_ERR_INVALID;
	case AG_ERR_NOT_FOUND:
		return MSG_CTL_ERR_NOT_FOUND;
	case AG_ERR_REFUSED:
		return MSG_CTL_ERR_REFUSED;
	case AG_ERR_EXISTS:
		return MSG_CTL_ERR_EXISTS;
	case AG_ERR_NO_CAPACITY:
		return MSG_CTL_ERR_NO_CAPACITY;
	case AG_ERR_AUTH:
		return MSG_CTL_ERR_AUTH;
	case AG_ERR_BUSY:
		return MSG_STORE_BUSY;
	case AG_ERR_CHANGED:
		return MSG_PROPOSAL_MISSING;
	case AG_ERR_DISK_FULL:
		return MSG_STORE_DISK_FULL;
	case AG_ERR_CORRUPT:
	case AG_ERR_SCHEMA_NEWER:
		return MSG_CTL_ERR_CORRUPT;
	case AG_ERR_STORE:
	case AG_ERR_IO:
		return MSG_CTL_ERR_STORE;
	case AG_ERR_NOMEM:
		return MSG_NOMEM;
	default:
		return MSG_CTL_ERR_INTERNAL;
	}
}

int ctl_fail_code(struct ctl *c, const char *error, int code, const agenda_detail *d, json_t *extra)
{
	if (c->json) {
		json_t *obj = extra ? extra : json_object();
		/* A message may quote the bad input itself: JSON needs it as valid UTF-8. */
		agenda_detail shown;

		text_utf8_sanitize(d->it, shown.it, sizeof shown.it);
		text_utf8_sanitize(d->en, shown.en, sizeof shown.en);
		json_object_set_new(obj, "error", json_string(error));
		json_object_set_new(obj, "message", json_string(shown.it));
		json_object_set_new(obj, "message_en", json_string(shown.en));
		json_object_set_new(obj, "exit", json_integer(code));
		ctl_emit(obj);
		fprintf(stderr, "%s\n", d->it);
	} else {
		json_decref(extra);
		fprintf(stderr, "%s\n", c->lang == LANG_EN ? d->en : d->it);
	}
	return code;
}

int ctl_fail_with(struct ctl *c, agenda_err err, const agenda_detail *why, json_t *extra)
{
	agenda_detail d;

	if (why && why->it[0]) {
		d = *why;
		if (!d.en[0])
			snprintf(d.en, sizeof d.en, "%s", d.it);
	} else {
		agenda_detail_set(&d, generic_message(err));
	}
	return ctl_fail_code(c, agenda_err_name(err), ctl_exit_code(err), &d, extra);
}

int ctl_fail(struct ctl *c, agenda_err err, const agenda_detail *why)
{
	return ctl_fail_with(c, err, why, NULL);
}

static void detail_vset(agenda_detail *d, agenda_msg id, va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	vsnprintf(d->it, sizeof d->it, msg_get(id, LANG_IT), ap);
	vsnprintf(d->en, sizeof d->en, msg_get(id, LANG_EN), ap2);
	va_end(ap2);
}

int ctl_fail_msg(struct ctl *c, agenda_err err, agenda_msg id, ...)
{
	agenda_detail d = {{0}, {0}};
	va_list ap;

	va_start(ap, id);
	detail_vset(&d, id, ap);
	va_end(ap);
	return ctl_fail(c, err, &d);
}

int ctl_usage(struct ctl *c, agenda_msg id, ...)
{
	agenda_detail d = {{0}, {0}};
	va_list ap;

	va_start(ap, id);
	detail_vset(&d, id, ap);
	va_end(ap);
	return ctl_usage_detail(c, &d);
}

void ctl_print_usage_of(struct ctl *c, const struct ctl_command *cmd, bool to_stderr)
{
	fprintf(to_stderr ? stderr : stdout, "%s\n", msg_get(cmd->help, c->lang));
}

int ctl_usage_detail(struct ctl *c, const agenda_detail *why)
{
	ctl_fail(c, AG_ERR_USAGE, why);
	if (c->command)
		ctl_print_usage_of(c, c->command, true);
	else
		fprintf(stderr, "%s\n", msg_get(MSG_CTL_SEE_HELP, c->lang));
	return EXIT_USAGE;
}

void ctl_say(struct ctl *c, agenda_msg id, ...)
{
	va_list ap;

	va_start(ap, id);
	vfprintf(stdout, msg_get(id, c->lang), ap);
	va_end(ap);
	fputc('\n', stdout);
}

void ctl_warn(struct ctl *c, agenda_msg id, ...)
{
	va_list ap;

	va_start(ap, id);
	vfprintf(stderr, msg_get(id, c->lang), ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Results that could not be written as JSON in this run: jansson refuses text that is not
 * UTF-8, which only a damaged or edited database can hold. main() turns a count above zero
 * into a failure, so no command ends "done" having printed nothing.
 */
static int results_lost;

void ctl_emit(json_t *obj)
{
	char *text = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	if (text) {
		puts(text);
		free(text);
	} else {
		results_lost++;
	}
	json_decref(obj);
	fflush(stdout);
}

bool ctl_results_lost(void)
{
	return results_lost > 0;
}

json_t *ctl_json_day(agenda_day day)
{
	char text[DATE_TEXT_MAX];

	if (day <= 0)
		return json_null();
	date_format(day, text, sizeof text);
	return json_string(text);
}

json_t *ctl_json_time(int minute)
{
	char text[8];

	time_format(minute, text, sizeof text);
	return json_string(text);
}

json_t *ctl_json_epoch(int64_t epoch)
{
	char day_text[DATE_TEXT_MAX], out[32];
	agenda_day day;
	int minute;

	if (epoch <= 0)
		return json_null();
	clock_local(epoch, &day, &minute);
	date_format(day, day_text, sizeof day_text);
	snprintf(out, sizeof out, "%sT%02d:%02d:%02d", day_text, minute / 60, minute % 60,
	         (int)(epoch % 60));
	return json_string(out);
}

json_t *ctl_booking_json(const struct booking *b, const char *state_override)
{
	return json_pack(
	        "{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:s, s:b, s:i, s:i, s:i, s:b, s:s, s:o}", "id",
	        b->id, "numero_pratica", b->numero_pratica, "questura", b->questura, "slot",
	        (json_int_t)b->slot_id, "date", ctl_json_day(b->day), "time",
	        ctl_json_time(b->minute), "deferred_from",
	        b->deferred ? ctl_json_day(b->deferred_from) : json_null(), "state",
	        state_override ? state_override : appointment_state_name(b->state), "existing",
	        b->existing, "days_full", b->days_full, "days_closed", b->days_closed, "prints",
	        b->prints, "modello209", b->modello209, "operator", b->operator_username,
	        "created_at", ctl_json_epoch(b->created_at));
}

static agenda_msg state_message(enum appointment_state s)
{
	switch (s) {
	case APPOINTMENT_CANCELLED:
		return MSG_CTL_STATE_CANCELLED;
	case APPOINTMENT_MOVED:
		return MSG_CTL_STATE_MOVED;
	default:
		return MSG_CTL_STATE_CONFIRMED;
	}
}

void ctl_booking_print(struct ctl *c, const struct booking *b, agenda_msg heading)
{
	char when[64], at[8];

	date_format_long(b->day, c->lang, when, sizeof when);
	time_format(b->minute, at, sizeof at);
	ctl_say(c, heading);
	if (b->id[0])
		ctl_say(c, MSG_CTL_FIELD_REFERENCE, b->id);
	ctl_say(c, MSG_CTL_FIELD_PRATICA, b->numero_pratica);
	ctl_say(c, MSG_CTL_FIELD_QUESTURA, b->questura);
	ctl_say(c, MSG_CTL_FIELD_WHEN, when, at);
	if (b->deferred) {
		char from[64];

		date_format_long(b->deferred_from, c->lang, from, sizeof from);
		ctl_say(c, MSG_CTL_FIELD_DEFERRED, from, b->days_full, b->days_closed);
	}
	if (b->id[0]) {
		ctl_say(c, MSG_CTL_FIELD_STATE, msg_get(state_message(b->state), c->lang));
		ctl_say(c, MSG_CTL_FIELD_PRINTS, b->prints);
		ctl_say(c, MSG_CTL_FIELD_MODELLO209,
		        msg_get(b->modello209 ? MSG_CTL_YES : MSG_CTL_NO, c->lang));
		if (b->operator_username[0])
			ctl_say(c, MSG_CTL_FIELD_OPERATOR, b->operator_username);
	} else if (b->slot_id > 0) {
		char day[DATE_TEXT_MAX];

		/* A proposal: how to book exactly it once read out to the applicant. */
		date_format(b->day, day, sizeof day);
		ctl_say(c, MSG_CTL_FIELD_SLOT, (long long)b->slot_id, b->numero_pratica,
		        (long long)b->slot_id, day, at);
	}
}
