/*
 * central_calendar.c — `agenda-central capacity set` and `closure add|open`: which days a
 * Questura receives and how many appointments central's pool offers on each.
 *
 * capacity set means what agendactl's does (docs/CLI.md), for central's pool: N slots a day,
 * one every --every minutes from --start, on the days the Italian calendar keeps open for that
 * Questura (core/calendar.h: weekends, national holidays, the patron saint, closures and extra
 * openings). Slots already there are kept, so running it again adds nothing. A closure takes
 * that day's free slots out of the pool (allocation never sees them); slots devices already
 * hold stay theirs — the device decides what to do with its own capacity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_args.h"
#include "store_admin.h"

#define DEFAULT_START  (8 * 60 + 30)
#define DEFAULT_EVERY  15
#define MAX_RANGE_DAYS (366 * 2)

/* An integer option in [min, max]; false (message printed, *status set) otherwise. */
static bool read_number(const struct central_cli *c, const struct central_opt *o, int fallback,
                        int min, int max, int *out, int *status)
{
	const char *text = central_opt(o);
	char *end;
	long value;

	*out = fallback;
	if (!text)
		return true;
	value = strtol(text, &end, 10);
	if (*text && !*end && value >= min && value <= max) {
		*out = (int)value;
		return true;
	}
	*status = central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_NUMBER, o->name, text, min,
	                           max);
	return false;
}

static bool read_date(const struct central_cli *c, const char *text, agenda_day *out, int *status)
{
	if (date_parse(text, out))
		return true;
	*status = central_fail_msg(c, AG_ERR_INVALID, MSG_CTL_BAD_DATE, text);
	return false;
}

/* The plan of one run of capacity set. */
struct plan {
	const char *questura;
	agenda_day from, to;
	int per_day, start, every;
};

struct outcome {
	int open_days, slots_added, slots_existing;
	json_t *skipped; /* [{date, reason}] */
};

/* Adds the plan's slots on every open day, in one transaction. */
static agenda_err apply_plan(central_store *s, const struct plan *p, struct outcome *out,
                             agenda_detail *why)
{
	int minutes[24 * 60];
	struct cal_rules rules;
	agenda_err err = central_store_begin(s, why);

	if (err != AG_OK)
		return err;
	for (int i = 0; i < p->per_day; i++)
		minutes[i] = p->start + i * p->every;
	err = central_store_calendar(s, p->questura, p->from, p->to, &rules, why);
	for (agenda_day d = p->from; err == AG_OK && d <= p->to; d++) {
		enum cal_status status = cal_day_status(&rules, d);
		size_t added = 0;

		if (status != CAL_OPEN && status != CAL_OPEN_EXTRA) {
			char date[DATE_TEXT_MAX];

			date_format(d, date, sizeof date);
			json_array_append_new(out->skipped,
			                      json_pack("{s:s, s:s}", "date", date, "reason",
			                                cal_status_name(status)));
			continue;
		}
		err = central_store_add_slots(s, p->questura, d, minutes, (size_t)p->per_day,
		                              &added, why);
		out->open_days++;
		out->slots_added += (int)added;
		out->slots_existing += p->per_day - (int)added;
	}
	central_calendar_free(&rules);
	if (err == AG_OK)
		return central_store_commit(s, why);
	central_store_rollback(s);
	return err;
}

int central_capacity_set(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0},     {"--questura", true, 1, {0}, 0},
	                          {"--from", true, 1, {0}, 0},    {"--to", true, 1, {0}, 0},
	                          {"--per-day", true, 1, {0}, 0}, {"--start", false, 1, {0}, 0},
	                          {"--every", false, 1, {0}, 0}};
	struct plan p = {0};
	struct outcome out = {0};
	central_store *s = NULL;
	char from[DATE_TEXT_MAX], to[DATE_TEXT_MAX], start[24];
	agenda_detail why;
	agenda_err err;
	int status = central_args_parse(c, argc, argv, o, 7);

	if (status != CENTRAL_EXIT_OK)
		return status;
	p.questura = central_opt(&o[1]);
	if (!read_date(c, central_opt(&o[2]), &p.from, &status) ||
	    !read_date(c, central_opt(&o[3]), &p.to, &status) ||
	    !read_number(c, &o[4], 0, 1, 24 * 60, &p.per_day, &status) ||
	    !read_number(c, &o[6], DEFAULT_EVERY, 1, 24 * 60, &p.every, &status))
		return status;
	p.start = DEFAULT_START;
	if (central_opt(&o[5]) && !time_parse(central_opt(&o[5]), &p.start))
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CTL_BAD_TIME, central_opt(&o[5]));
	snprintf(start, sizeof start, "%02d:%02d", p.start / 60, p.start % 60);
	if (p.to < p.from || p.to - p.from >= MAX_RANGE_DAYS ||
	    p.start + (p.per_day - 1) * p.every > 24 * 60 - 1)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_CAPACITY_BAD, start,
		                        p.per_day, p.every);
	status = central_open_store(c, central_opt(&o[0]), &s);
	if (status != CENTRAL_EXIT_OK)
		return status;
	out.skipped = json_array();
	err = apply_plan(s, &p, &out, &why);
	central_store_close(s);
	if (err != AG_OK) {
		json_decref(out.skipped);
		return central_fail(c, err, &why);
	}
	date_format(p.from, from, sizeof from);
	date_format(p.to, to, sizeof to);
	if (c->json) {
		central_emit(json_pack(
		        "{s:s, s:s, s:s, s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:o}", "questura",
		        p.questura, "from", from, "to", to, "per_day", p.per_day, "start", start,
		        "every", p.every, "open_days", out.open_days, "skipped_days",
		        (int)json_array_size(out.skipped), "slots_added", out.slots_added,
		        "slots_existing", out.slots_existing, "skipped", out.skipped));
	} else {
		printf(msg_get(MSG_CENTRAL_CAPACITY_DONE, c->lang), p.questura, from, to,
		       out.open_days, (int)json_array_size(out.skipped), out.slots_added,
		       out.slots_existing);
		printf("\n");
		json_decref(out.skipped);
	}
	return CENTRAL_EXIT_OK;
}

/* closure add (open false) and closure open (open true). */
static int closure(const struct central_cli *c, int argc, char **argv, bool open)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0},
	                          {"--questura", true, 1, {0}, 0},
	                          {"--date", true, 1, {0}, 0},
	                          {"--note", false, 1, {0}, 0}};
	central_store *s = NULL;
	size_t removed = 0, held = 0;
	char date[DATE_TEXT_MAX];
	agenda_detail why;
	agenda_day day;
	agenda_err err;
	int status = central_args_parse(c, argc, argv, o, 4);

	if (status != CENTRAL_EXIT_OK || !read_date(c, central_opt(&o[2]), &day, &status))
		return status;
	status = central_open_store(c, central_opt(&o[0]), &s);
	if (status != CENTRAL_EXIT_OK)
		return status;
	err = central_store_put_closure(s, central_opt(&o[1]), day, open, central_opt(&o[3]),
	                                &removed, &held, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	date_format(day, date, sizeof date);
	if (c->json) {
		central_emit(json_pack("{s:s, s:s, s:b, s:s, s:i, s:i}", "questura",
		                       central_opt(&o[1]), "date", date, "open", open, "note",
		                       central_opt(&o[3]) ? central_opt(&o[3]) : "",
		                       "slots_removed", (int)removed, "slots_held", (int)held));
	} else {
		if (open)
			printf(msg_get(MSG_CENTRAL_OPENING_DONE, c->lang), central_opt(&o[1]),
			       date);
		else
			printf(msg_get(MSG_CENTRAL_CLOSURE_DONE, c->lang), central_opt(&o[1]), date,
			       (int)removed, (int)held);
		printf("\n");
	}
	return CENTRAL_EXIT_OK;
}

int central_closure_add(const struct central_cli *c, int argc, char **argv)
{
	return closure(c, argc, argv, false);
}

int central_closure_open(const struct central_cli *c, int argc, char **argv)
{
	return closure(c, argc, argv, true);
}
