/*
 * ctl_setup.c — provisioning commands: init, questura, capacity, closure, practice import.
 *
 * These run from a technician's shell without an operator log-in (they touch no applicant's
 * personal data, except importing practices, which only writes them); the audit log names
 * them as CTL_ACTOR. Every rule (known province, booked slots kept, closure on a day with
 * appointments refused, CSV row checks) is the services' business; this file only converts
 * arguments and prints what the services report.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "ctl/ctl.h"
#include "services/device_identity.h"
#include "services/audit.h"
#include "services/demo.h"
#include "services/practices.h"
#include "services/questure.h"
#include "services/site.h"

#define OPTS(a) (sizeof(a) / sizeof((a)[0]))

int ctl_init(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--site", true, NULL}, {"--dirigente-email", true, NULL}};
	agenda_detail why = {{0}, {0}};
	int status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	if (!o[0].value || !*o[0].value)
		return ctl_usage(c, MSG_CTL_MISSING_OPTION, "--site");
	status = ctl_open(c, true);
	if (status != EXIT_OK)
		return status;
	err = site_configure(&c->ctx, CTL_ACTOR, o[0].value, o[1].value, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json)
		ctl_emit(json_pack("{s:s, s:s, s:s, s:o}", "db", c->db_path, "site", o[0].value,
		                   "device_id", c->ctx.device_id, "dirigente_email",
		                   o[1].value ? json_string(o[1].value) : json_null()));
	else
		ctl_say(c, MSG_CTL_INIT_DONE, c->db_path, o[0].value, c->ctx.device_id);
	return EXIT_OK;
}

int ctl_device_assign(struct ctl *c, int argc, char **argv)
{
	agenda_detail why = {{0}, {0}};
	const char *id;
	int status = ctl_parse(c, argc, argv, NULL, 0, &id, 1, 1);
	agenda_err err;

	if (status != EXIT_OK || (status = ctl_open(c, false)) != EXIT_OK)
		return status;
	err = device_identity_assign(&c->ctx, CTL_ACTOR, id, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json)
		ctl_emit(json_pack("{s:s, s:b}", "device_id", c->ctx.device_id, "provisioned", 1));
	else
		ctl_say(c, MSG_CTL_DEVICE_ASSIGNED, c->ctx.device_id);
	return EXIT_OK;
}

int ctl_questura_add(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--name", true, NULL},
	                      {"--city", true, NULL},
	                      {"--address", true, NULL},
	                      {"--email", true, NULL},
	                      {"--patron", true, NULL}};
	struct questura q = {0};
	agenda_detail why = {{0}, {0}};
	const char *code;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), &code, 1, 1);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	if (!o[0].value || !o[1].value)
		return ctl_usage(c, MSG_CTL_MISSING_OPTION, !o[0].value ? "--name" : "--city");
	if (o[4].value &&
	    (status = ctl_parse_month_day(c, o[4].value, &q.patron_month, &q.patron_day)))
		return status;
	/* Refuse what does not fit rather than store a cut value. */
	const struct {
		const char *value, *option;
		size_t size;
	} fields[] = {{code, "CODE", sizeof q.code},
	              {o[0].value, "--name", sizeof q.name},
	              {o[1].value, "--city", sizeof q.city},
	              {o[2].value, "--address", sizeof q.address},
	              {o[3].value, "--email", sizeof q.email}};
	for (size_t i = 0; i < OPTS(fields); i++)
		if (fields[i].value && strlen(fields[i].value) >= fields[i].size)
			return ctl_fail_msg(c, AG_ERR_INVALID, MSG_CTL_VALUE_TOO_LONG,
			                    fields[i].option, (int)fields[i].size - 1);
	snprintf(q.code, sizeof q.code, "%s", code);
	snprintf(q.name, sizeof q.name, "%s", o[0].value);
	snprintf(q.city, sizeof q.city, "%s", o[1].value);
	snprintf(q.address, sizeof q.address, "%s", o[2].value ? o[2].value : "");
	snprintf(q.email, sizeof q.email, "%s", o[3].value ? o[3].value : "");
	if ((status = ctl_open(c, false)))
		return status;
	err = questura_put(&c->ctx, CTL_ACTOR, &q, &why);
	if (err == AG_OK)
		err = questura_get(&c->ctx, q.code, &q, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json)
		ctl_emit(json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", q.code, "name", q.name,
		                   "city", q.city, "address", q.address, "email", q.email));
	else
		ctl_say(c, MSG_CTL_QUESTURA_SAVED, q.code, q.name);
	return EXIT_OK;
}

static void print_questura(void *arg, const struct questura *q)
{
	struct ctl *c = arg;
	int month = q->patron_month, day = q->patron_day;
	char patron[8] = "";

	if (!month)
		cal_patron_for_city(q->city, &month, &day);
	if (month)
		snprintf(patron, sizeof patron, "%02d-%02d", month, day);
	if (c->json)
		ctl_emit(json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "code", q->code, "name",
		                   q->name, "city", q->city, "address", q->address, "email",
		                   q->email, "patron", month ? json_string(patron) : json_null()));
	else
		ctl_say(c, MSG_CTL_QUESTURA_LINE, q->code, q->name, q->city, q->address,
		        month ? patron : "-");
}

int ctl_questura_list(struct ctl *c, int argc, char **argv)
{
	agenda_detail why = {{0}, {0}};
	int status = ctl_parse(c, argc, argv, NULL, 0, NULL, 0, 0);
	agenda_err err;

	if (status != EXIT_OK || (status = ctl_open(c, false)))
		return status;
	err = questura_list(&c->ctx, print_questura, c, &why);
	return err == AG_OK ? EXIT_OK : ctl_fail(c, err, &why);
}

int ctl_capacity_set(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--from", true, NULL},     {"--to", true, NULL},
	                      {"--weekdays", true, NULL}, {"--first", true, NULL},
	                      {"--minutes", true, NULL},  {"--slots", true, NULL}};
	struct capacity_plan plan = {.weekdays = 0x1f};
	struct capacity_report rep = {0};
	agenda_detail why = {{0}, {0}};
	const char *code;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), &code, 1, 1);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	for (size_t i = 0; i < OPTS(o); i++)
		if (i != 2 && !o[i].value)
			return ctl_usage(c, MSG_CTL_MISSING_OPTION, o[i].name);
	if ((status = ctl_parse_day(c, o[0].value, &plan.from)) ||
	    (status = ctl_parse_day(c, o[1].value, &plan.to)) ||
	    (o[2].value && (status = ctl_parse_weekdays(c, o[2].value, &plan.weekdays))) ||
	    (status = ctl_parse_minute(c, o[3].value, &plan.first_minute)) ||
	    (status = ctl_parse_int(c, "--minutes", o[4].value, 1, 24 * 60,
	                            &plan.minutes_per_slot)) ||
	    (status = ctl_parse_int(c, "--slots", o[5].value, 0, 24 * 60, &plan.slots_per_day)))
		return status;
	if ((status = ctl_open(c, false)))
		return status;
	err = capacity_set(&c->ctx, CTL_ACTOR, code, &plan, &rep, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json)
		ctl_emit(json_pack("{s:s, s:o, s:o, s:i, s:i, s:i, s:i}", "questura", code, "from",
		                   ctl_json_day(plan.from), "to", ctl_json_day(plan.to), "days",
		                   rep.days, "slots_created", rep.slots_created, "slots_removed",
		                   rep.slots_removed, "slots_kept_booked", rep.slots_kept_booked));
	else
		ctl_say(c, MSG_CTL_CAPACITY_DONE, code, rep.days, rep.slots_created,
		        rep.slots_removed, rep.slots_kept_booked);
	return EXIT_OK;
}

static int exception_add(struct ctl *c, int argc, char **argv, bool open)
{
	struct ctl_opt o[] = {{"--note", true, NULL}};
	agenda_detail why = {{0}, {0}};
	const char *pos[2];
	agenda_day day;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), pos, 2, 2);
	agenda_err err;

	if (status != EXIT_OK || (status = ctl_parse_day(c, pos[1], &day)) ||
	    (status = ctl_open(c, false)))
		return status;
	err = questura_exception_add(&c->ctx, CTL_ACTOR, pos[0], day, open,
	                             o[0].value ? o[0].value : "", &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json) {
		ctl_emit(json_pack("{s:s, s:o, s:b, s:s}", "questura", pos[0], "date",
		                   ctl_json_day(day), "open", open, "note",
		                   o[0].value ? o[0].value : ""));
	} else {
		char when[64];

		date_format_long(day, c->lang, when, sizeof when);
		ctl_say(c, open ? MSG_CTL_OPENING_DONE : MSG_CTL_CLOSURE_DONE, pos[0], when);
	}
	return EXIT_OK;
}

int ctl_closure_add(struct ctl *c, int argc, char **argv)
{
	return exception_add(c, argc, argv, false);
}

int ctl_closure_open(struct ctl *c, int argc, char **argv)
{
	return exception_add(c, argc, argv, true);
}

/* Rejected rows of an import, kept for the JSON object and printed on stderr as they come. */
struct import_sink {
	struct ctl *c;
	json_t *rejected;
};

static void bad_row(void *arg, int line, const char *reason_it, const char *reason_en)
{
	struct import_sink *sink = arg;

	ctl_warn(sink->c, MSG_CTL_IMPORT_BAD_ROW, line,
	         sink->c->lang == LANG_EN ? reason_en : reason_it);
	json_array_append_new(sink->rejected, json_pack("{s:i, s:s, s:s}", "line", line, "reason",
	                                                reason_it, "reason_en", reason_en));
}

int ctl_practice_import(struct ctl *c, int argc, char **argv)
{
	struct import_sink sink = {c, NULL};
	struct import_report rep = {0};
	struct import_progress progress;
	agenda_detail why = {{0}, {0}};
	const char *path;
	int status = ctl_parse(c, argc, argv, NULL, 0, &path, 1, 1);
	agenda_err err;
	FILE *in;

	if (status != EXIT_OK)
		return status;
	in = fopen(path, "r");
	if (!in)
		return ctl_fail_msg(c, errno == ENOENT ? AG_ERR_NOT_FOUND : AG_ERR_IO,
		                    MSG_CTL_CANNOT_READ, path, strerror(errno));
	if ((status = ctl_open(c, false))) {
		fclose(in);
		return status;
	}
	sink.rejected = json_array();
	if (practice_import_pending(&c->ctx, &progress)) {
		json_t *when = ctl_json_epoch(progress.started);

		ctl_warn(c, MSG_IMPORT_PENDING,
		         json_is_string(when) ? json_string_value(when) : "?", progress.line,
		         progress.rows_imported);
		json_decref(when);
	}
	err = practice_import_csv(&c->ctx, CTL_ACTOR, in, bad_row, &sink, &rep, &why);
	fclose(in);
	if (err != AG_OK) {
		json_decref(sink.rejected);
		/* Batches already committed stay: say so, and how to finish. */
		if (practice_import_pending(&c->ctx, &progress))
			ctl_warn(c, MSG_IMPORT_STOPPED, progress.line, progress.rows_imported);
		return ctl_fail(c, err, &why);
	}
	status = rep.rows_rejected > 0 ? EXIT_PARTIAL : EXIT_OK;
	if (c->json) {
		json_t *obj =
		        json_pack("{s:s, s:i, s:i, s:i, s:o}", "file", path, "rows_read",
		                  rep.rows_read, "rows_imported", rep.rows_imported,
		                  "rows_rejected", rep.rows_rejected, "rejected", sink.rejected);

		json_object_set_new(obj, "interrupted_before",
		                    json_boolean(rep.interrupted_before));
		if (status == EXIT_PARTIAL) {
			agenda_detail d;

			agenda_detail_set(&d, MSG_CTL_IMPORT_PARTIAL, rep.rows_imported,
			                  rep.rows_rejected);
			json_object_set_new(obj, "error", json_string("partial"));
			json_object_set_new(obj, "message", json_string(d.it));
			json_object_set_new(obj, "message_en", json_string(d.en));
			json_object_set_new(obj, "exit", json_integer(status));
		}
		ctl_emit(obj);
	} else {
		json_decref(sink.rejected);
		ctl_say(c, MSG_CTL_IMPORT_DONE, rep.rows_read, rep.rows_imported,
		        rep.rows_rejected);
	}
	if (status == EXIT_PARTIAL)
		ctl_warn(c, MSG_CTL_IMPORT_PARTIAL, rep.rows_imported, rep.rows_rejected);
	return status;
}

static void print_demo(struct ctl *c, const struct demo_report *r)
{
	if (c->json) {
		json_t *accounts = json_array(), *samples = json_array();

		for (size_t i = 0; i < r->account_count; i++)
			json_array_append_new(accounts,
			                      json_pack("{s:s, s:s, s:s}", "username",
			                                r->accounts[i].username, "role",
			                                operator_role_name(r->accounts[i].role),
			                                "password", r->accounts[i].password));
		for (size_t i = 0; i < r->sample_count; i++) {
			const struct demo_sample *s = &r->samples[i];

			json_array_append_new(
			        samples, json_pack("{s:s, s:o, s:s, s:s, s:b}", "numero_pratica",
			                           s->numero_pratica, "numero_visto",
			                           s->numero_visto[0] ? json_string(s->numero_visto)
			                                              : json_null(),
			                           "questura", s->questura, "tipo", s->tipo,
			                           "bookable", s->bookable));
		}
		ctl_emit(json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:o, s:o}", "db", c->db_path,
		                   "questure", r->questure, "capacity_days", r->capacity_days,
		                   "slots_created", r->slots_created, "practices", r->practices,
		                   "practices_not_bookable", r->practices_not_bookable, "accounts",
		                   accounts, "samples", samples));
		return;
	}
	ctl_say(c, MSG_CTL_DEMO_DONE, c->db_path, r->questure, r->capacity_days, r->slots_created,
	        r->practices, r->practices_not_bookable);
	ctl_say(c, MSG_CTL_DEMO_ACCOUNTS);
	for (size_t i = 0; i < r->account_count; i++)
		ctl_say(c, MSG_CTL_DEMO_ACCOUNT, r->accounts[i].username,
		        operator_role_name(r->accounts[i].role), r->accounts[i].password);
	ctl_say(c, MSG_CTL_DEMO_SAMPLES);
	for (size_t i = 0; i < r->sample_count; i++) {
		const struct demo_sample *s = &r->samples[i];

		ctl_say(c, MSG_CTL_DEMO_SAMPLE, s->numero_pratica,
		        s->numero_visto[0] ? s->numero_visto : "-", s->questura, s->tipo,
		        msg_get(s->bookable ? MSG_CTL_YES : MSG_CTL_NO, c->lang));
	}
}

int ctl_demo_seed(struct ctl *c, int argc, char **argv)
{
	struct demo_report rep;
	agenda_detail why = {{0}, {0}};
	char site[64];
	int status = ctl_parse(c, argc, argv, NULL, 0, NULL, 0, 0);
	agenda_err err = AG_OK;

	if (status != EXIT_OK || (status = ctl_open(c, true)))
		return status;
	/* A fresh file becomes a demo device in Rome, as if `init --site Roma` had run. */
	if (!store_setting_get(c->ctx.store, "site", site, sizeof site))
		err = site_configure(&c->ctx, CTL_ACTOR, "Roma", NULL, &why);
	if (err == AG_OK)
		err = demo_seed(&c->ctx, CTL_ACTOR, &rep, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	print_demo(c, &rep);
	explicit_bzero(&rep, sizeof rep);
	return EXIT_OK;
}
