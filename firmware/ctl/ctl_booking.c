/*
 * ctl_booking.c — the counter's work from the shell: lookup, propose, book, cancel, move,
 * show, reprint, Modello 209, the day's list and the day's close.
 *
 * Every command here shows or changes applicants' data, so each logs an operator in first
 * (ctl_login), after its arguments are checked and before anything is read. The services
 * decide everything: which practice the numbers name, whether it may be booked, which slot,
 * whether a tecnico may look. Printing the slip comes with the printer; `reprint` records it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "ctl/ctl.h"
#include "services/booking.h"
#include "services/day_list.h"
#include "services/practices.h"

#define OPTS(a) (sizeof(a) / sizeof((a)[0]))

/* Checks a command's own options before the log-in (returns an exit status). */
typedef int (*options_check_fn)(struct ctl *c, const struct ctl_opt *o, void *arg);

/*
 * Parses --pratica/--visto (+ extra options in o[2..], checked by check when not NULL), logs in
 * and looks the practice up.
 */
static int find_practice(struct ctl *c, int argc, char **argv, struct ctl_opt *o, size_t n,
                         options_check_fn check, void *arg, struct practice *p)
{
	agenda_detail why = {{0}, {0}};
	int status = ctl_parse(c, argc, argv, o, n, NULL, 0, 0);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	if ((!o[0].value || !*o[0].value) && (!o[1].value || !*o[1].value))
		return ctl_usage(c, MSG_CTL_NEED_NUMBER);
	if ((check && (status = check(c, o, arg))) || (status = ctl_login(c)))
		return status;
	err = practice_lookup(&c->ctx, &c->session, o[0].value, o[1].value, p, &why);
	return err == AG_OK ? EXIT_OK : ctl_fail(c, err, &why);
}

static void print_practice(struct ctl *c, const struct practice *p)
{
	agenda_detail refusal = {{0}, {0}};
	bool bookable = practice_check_bookable(p, &refusal) == AG_OK;
	char born[DATE_TEXT_MAX];

	date_format(p->data_nascita, born, sizeof born);
	if (c->json) {
		json_t *obj = json_pack(
		        "{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "id",
		        (json_int_t)p->id, "numero_pratica", p->numero_pratica, "numero_visto",
		        p->numero_visto[0] ? json_string(p->numero_visto) : json_null(), "cognome",
		        p->cognome, "nome", p->nome, "data_nascita", born, "nazionalita",
		        p->nazionalita, "tipo", p->tipo, "questura", p->questura, "status",
		        p->status, "demo", p->demo, "bookable", bookable);

		if (!bookable) {
			json_object_set_new(obj, "refusal", json_string(refusal.it));
			json_object_set_new(obj, "refusal_en", json_string(refusal.en));
		}
		ctl_emit(obj);
		return;
	}
	ctl_say(c, MSG_CTL_PRACTICE_HEADING, p->numero_pratica);
	if (p->numero_visto[0])
		ctl_say(c, MSG_CTL_FIELD_VISTO, p->numero_visto);
	ctl_say(c, MSG_CTL_FIELD_APPLICANT, p->cognome, p->nome, born, p->nazionalita);
	ctl_say(c, MSG_CTL_FIELD_KIND, p->tipo, p->questura, p->status);
	if (p->demo)
		ctl_say(c, MSG_CTL_FIELD_DEMO);
	if (bookable)
		ctl_say(c, MSG_CTL_BOOKABLE);
	else
		ctl_say(c, MSG_CTL_NOT_BOOKABLE, c->lang == LANG_EN ? refusal.en : refusal.it);
}

int ctl_lookup(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--pratica", true, NULL}, {"--visto", true, NULL}};
	struct practice p;
	int status = find_practice(c, argc, argv, o, OPTS(o), NULL, NULL, &p);

	if (status == EXIT_OK)
		print_practice(c, &p);
	return status;
}

static void emit_booking(struct ctl *c, const struct booking *b, const char *state,
                         agenda_msg heading)
{
	if (c->json)
		ctl_emit(ctl_booking_json(b, state));
	else
		ctl_booking_print(c, b, heading);
}

/*
 * --slot, --date and --time (o[3..5]) name the proposal read out: all three or none. Fills the
 * proposal's slot, date and time; the practice's fields come after the lookup.
 */
static int read_proposal(struct ctl *c, const struct ctl_opt *o, void *arg)
{
	struct booking *proposal = arg;
	char *end = NULL;
	long long slot;

	memset(proposal, 0, sizeof *proposal);
	if (!o[3].value && !o[4].value && !o[5].value)
		return EXIT_OK;
	for (int i = 3; i < 6; i++)
		if (!o[i].value || !*o[i].value)
			return ctl_usage(c, MSG_CTL_MISSING_OPTION, o[i].name);
	slot = strtoll(o[3].value, &end, 10);
	if (*end || slot <= 0 || slot > INT32_MAX)
		return ctl_usage(c, MSG_CTL_BAD_NUMBER, o[3].name, o[3].value, 1, INT32_MAX);
	if (!date_parse(o[4].value, &proposal->day))
		return ctl_usage(c, MSG_CTL_BAD_DATE, o[4].value);
	if (!time_parse(o[5].value, &proposal->minute))
		return ctl_usage(c, MSG_CTL_BAD_TIME, o[5].value);
	proposal->slot_id = slot;
	return EXIT_OK;
}

/* The proposal's slot is gone: the new proposal goes with the refusal (exit 15). */
static int proposal_changed(struct ctl *c, const struct booking *fresh, const agenda_detail *why)
{
	json_t *extra = NULL;

	if (c->json)
		extra = json_pack("{s:o}", "new_proposal", ctl_booking_json(fresh, "proposed"));
	else
		ctl_booking_print(c, fresh, MSG_CTL_PROPOSAL);
	return ctl_fail_with(c, AG_ERR_CHANGED, why, extra);
}

int ctl_book(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--pratica", true, NULL},     {"--visto", true, NULL},
	                      {"--modello209", false, NULL}, {"--slot", true, NULL},
	                      {"--date", true, NULL},        {"--time", true, NULL},
	                      {"--offline", false, NULL}};
	struct booking_options opt = {.lead_open_days = -1, .horizon_days = 0};
	agenda_detail why = {{0}, {0}};
	json_t *online = NULL; /* where the date came from, on a device central manages */
	struct booking b, proposal;
	struct practice p;
	int status = find_practice(c, argc, argv, o, OPTS(o), read_proposal, &proposal, &p);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	opt.modello209 = o[2].value != NULL;
	if (proposal.slot_id) {
		proposal.practice_id = p.id;
		snprintf(proposal.questura, sizeof proposal.questura, "%s", p.questura);
		err = booking_confirm_proposal(&c->ctx, &c->session, &proposal, &opt, &b, &why);
	} else if (!o[6].value && ctl_book_goes_online(c)) {
		err = ctl_book_online(c, p.id, &opt, &b, &online, &why);
	} else {
		err = booking_confirm(&c->ctx, &c->session, p.id, &opt, &b, &why);
	}
	if (err == AG_ERR_CHANGED)
		return proposal_changed(c, &b, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json && online) {
		json_t *obj = ctl_booking_json(&b, NULL);

		json_object_update(obj, online);
		ctl_emit(obj);
	} else {
		emit_booking(c, &b, NULL, b.existing ? MSG_CTL_BOOK_EXISTING : MSG_CTL_BOOKED);
		if (online && !b.existing)
			ctl_book_source_say(c, online);
	}
	json_decref(online);
	return EXIT_OK;
}

int ctl_propose(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--pratica", true, NULL}, {"--visto", true, NULL}};
	struct booking_options opt = {.lead_open_days = -1, .horizon_days = 0};
	agenda_detail why = {{0}, {0}};
	struct booking b;
	struct practice p;
	int status = find_practice(c, argc, argv, o, OPTS(o), NULL, NULL, &p);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	err = booking_propose(&c->ctx, &c->session, p.id, &opt, &b, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	emit_booking(c, &b, b.existing ? NULL : "proposed",
	             b.existing ? MSG_CTL_BOOK_EXISTING : MSG_CTL_PROPOSAL);
	return EXIT_OK;
}

/* Parses "ID" plus the options in o, and logs in. */
static int id_command(struct ctl *c, int argc, char **argv, struct ctl_opt *o, size_t n,
                      const char **id)
{
	int status = ctl_parse(c, argc, argv, o, n, id, 1, 1);

	if (status != EXIT_OK)
		return status;
	for (size_t i = 0; i < n; i++)
		if (o[i].takes_value && (!o[i].value || !*o[i].value))
			return ctl_usage(c, MSG_CTL_MISSING_OPTION, o[i].name);
	return ctl_login(c);
}

/* Reads the appointment back after a change and prints it under heading. */
static int show_after(struct ctl *c, const char *id, agenda_msg heading)
{
	agenda_detail why = {{0}, {0}};
	struct booking b;
	agenda_err err = booking_get(&c->ctx, &c->session, id, &b, &why);

	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	emit_booking(c, &b, NULL, heading);
	return EXIT_OK;
}

int ctl_cancel(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--reason", true, NULL}};
	agenda_detail why = {{0}, {0}};
	const char *id;
	int status = id_command(c, argc, argv, o, OPTS(o), &id);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	err = booking_cancel(&c->ctx, &c->session, id, o[0].value, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	return show_after(c, id, MSG_CTL_CANCELLED);
}

int ctl_move(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--reason", true, NULL}};
	struct booking_options opt = {.lead_open_days = -1, .horizon_days = 0};
	agenda_detail why = {{0}, {0}};
	struct booking b;
	const char *id;
	int status = id_command(c, argc, argv, o, OPTS(o), &id);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	err = booking_move(&c->ctx, &c->session, id, o[0].value, &opt, &b, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json) {
		json_t *obj = ctl_booking_json(&b, NULL);

		json_object_set_new(obj, "moved_from", json_string(id));
		ctl_emit(obj);
	} else {
		ctl_booking_print(c, &b, MSG_CTL_MOVED);
		ctl_say(c, MSG_CTL_FIELD_MOVED_FROM, id);
	}
	return EXIT_OK;
}

int ctl_show(struct ctl *c, int argc, char **argv)
{
	const char *id;
	int status = id_command(c, argc, argv, NULL, 0, &id);

	return status != EXIT_OK ? status : show_after(c, id, MSG_CTL_APPOINTMENT);
}

/* reprint and modello209: one recording call on an appointment, then show it. */
typedef agenda_err (*record_fn)(agenda_ctx *ctx, const struct session *who, const char *id,
                                agenda_detail *why);

static int record_and_show(struct ctl *c, int argc, char **argv, record_fn record,
                           agenda_msg heading)
{
	agenda_detail why = {{0}, {0}};
	const char *id;
	int status = id_command(c, argc, argv, NULL, 0, &id);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	err = record(&c->ctx, &c->session, id, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	return show_after(c, id, heading);
}

int ctl_reprint(struct ctl *c, int argc, char **argv)
{
	return record_and_show(c, argc, argv, booking_record_print, MSG_CTL_REPRINTED);
}

int ctl_modello209(struct ctl *c, int argc, char **argv)
{
	return record_and_show(c, argc, argv, booking_record_modello209, MSG_CTL_MODELLO209_DONE);
}

/* The optional DATE argument of day and close-day (default: today), then the log-in. */
static int day_command(struct ctl *c, int argc, char **argv, agenda_day *day)
{
	const char *text;
	int status = ctl_parse(c, argc, argv, NULL, 0, &text, 0, 1);

	if (status != EXIT_OK || (text && (status = ctl_parse_day(c, text, day))) ||
	    (status = ctl_login(c)))
		return status;
	if (!text)
		*day = agenda_today(&c->ctx, NULL);
	return EXIT_OK;
}

struct day_sink {
	struct ctl *c;
	int count;
};

static void print_day_line(void *arg, const struct booking *b)
{
	struct day_sink *sink = arg;
	char date[DATE_TEXT_MAX], at[8];

	sink->count++;
	if (sink->c->json) {
		ctl_emit(ctl_booking_json(b, NULL));
		return;
	}
	date_format(b->day, date, sizeof date);
	time_format(b->minute, at, sizeof at);
	ctl_say(sink->c, MSG_CTL_DAY_LINE, date, at, b->questura, b->numero_pratica,
	        appointment_state_name(b->state), b->id);
}

int ctl_day(struct ctl *c, int argc, char **argv)
{
	agenda_detail why = {{0}, {0}};
	struct day_sink sink = {c, 0};
	char when[64];
	agenda_day day;
	int status = day_command(c, argc, argv, &day);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	date_format_long(day, c->lang, when, sizeof when);
	if (!c->json)
		ctl_say(c, MSG_CTL_DAY_HEADING, when);
	err = booking_day_list(&c->ctx, &c->session, day, print_day_line, &sink, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (!c->json)
		ctl_say(c, MSG_CTL_DAY_COUNT, sink.count);
	return EXIT_OK;
}

static json_t *close_json(const struct day_close_report *rep)
{
	json_t *no_email = json_array();

	for (int i = 0; i < rep->without_email && i < DAY_CLOSE_NO_EMAIL_MAX; i++)
		json_array_append_new(no_email, json_string(rep->no_email[i]));
	return json_pack("{s:o, s:i, s:i, s:i, s:i, s:i, s:o}", "date", ctl_json_day(rep->day),
	                 "version", rep->version, "appointments", rep->appointments,
	                 "cancellations", rep->cancellations, "lists", rep->versions, "messages",
	                 rep->messages, "without_email", no_email);
}

static void say_closed(struct ctl *c, const struct day_close_report *rep)
{
	char when[64];

	if (c->json) {
		ctl_emit(close_json(rep));
		return;
	}
	date_format_long(rep->day, c->lang, when, sizeof when);
	ctl_say(c, MSG_CTL_DAY_CLOSED, when, rep->version, rep->appointments, rep->cancellations);
	ctl_day_close_report(c, rep);
}

/* close-day --due: every day the automatic close owes, oldest first, as "sistema". */
static int close_due(struct ctl *c)
{
	agenda_detail why = {{0}, {0}};
	struct day_close_report rep;
	bool closed = true;
	int closes = 0, status;
	agenda_err err;

	if ((status = ctl_open(c, false)))
		return status;
	while (closed) {
		if ((err = day_close_due(&c->ctx, &rep, &closed, &why)) != AG_OK)
			return ctl_fail(c, err, &why);
		if (closed) {
			closes++;
			say_closed(c, &rep);
		}
	}
	if (!closes && !c->json)
		ctl_say(c, MSG_CTL_DAY_NONE_DUE);
	return EXIT_OK;
}

int ctl_close_day(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--due", false, NULL}};
	agenda_detail why = {{0}, {0}};
	struct day_close_report rep = {0};
	const char *text = NULL;
	agenda_day day;
	int status = ctl_parse(c, argc, argv, o, 1, &text, 0, 1);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	if (o[0].value)
		return text ? ctl_usage(c, MSG_CTL_EXTRA_ARGUMENT, text) : close_due(c);
	if ((text && (status = ctl_parse_day(c, text, &day))) || (status = ctl_login(c)))
		return status;
	if (!text)
		day = agenda_today(&c->ctx, NULL);
	err = booking_close_day(&c->ctx, &c->session, day, &rep, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	say_closed(c, &rep);
	return EXIT_OK;
}
