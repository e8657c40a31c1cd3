/*
 * questure.c — Questure, their calendar exceptions and the slots this device holds.
 */
#include "services/questure.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "core/numbers.h"
#include "core/text.h"
#include "services/audit.h"

static void read_questura(sqlite3_stmt *st, void *out)
{
	struct questura *q = out;

	memset(q, 0, sizeof *q);
	store_column_text(st, 0, q->code, sizeof q->code);
	store_column_text(st, 1, q->name, sizeof q->name);
	store_column_text(st, 2, q->city, sizeof q->city);
	store_column_text(st, 3, q->address, sizeof q->address);
	store_column_text(st, 4, q->email, sizeof q->email);
	q->patron_month = sqlite3_column_int(st, 5);
	q->patron_day = sqlite3_column_int(st, 6);
}

agenda_err questura_put(agenda_ctx *ctx, const char *actor, const struct questura *q,
                        agenda_detail *why)
{
	static const char SQL[] =
	        "INSERT INTO questura(code, name, city, address, email, patron_month, patron_day)"
	        " VALUES(?,?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET name = excluded.name,"
	        " city = excluded.city, address = excluded.address, email = excluded.email,"
	        " patron_month = excluded.patron_month, patron_day = excluded.patron_day";
	int month = q->patron_month, day = q->patron_day;
	sqlite3_stmt *st;
	agenda_err err;

	const char *texts[] = {q->name, q->city, q->address, q->email};

	if (!provincia_is_known(q->code) || !q->name[0] || !q->city[0]) {
		agenda_detail_set(why, MSG_QUESTURA_BAD, q->code);
		return AG_ERR_INVALID;
	}
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		if (!text_is_utf8(texts[i], strlen(texts[i])) || text_has_control(texts[i])) {
			agenda_detail_set(why, MSG_QUESTURA_BAD_TEXT, q->code);
			return AG_ERR_INVALID;
		}
	}
	if (month == 0 && !cal_patron_for_city(q->city, &month, &day))
		month = day = 0;
	if (month != 0 && !date_ymd_valid(2024, month, day)) {
		agenda_detail_set(why, MSG_QUESTURA_BAD_PATRON, month, day);
		return AG_ERR_INVALID;
	}
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, SQL, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_text(st, 1, q->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, q->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, q->city, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, q->address, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, q->email, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, month);
	sqlite3_bind_int(st, 7, day);
	err = store_step_done(ctx->store, st, why);
	if (err == AG_OK)
		err = audit_append(ctx, actor, "questura_put", q->code, q->city, why);
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

agenda_err questura_get(agenda_ctx *ctx, const char *code, struct questura *out, agenda_detail *why)
{
	static const char SQL[] = "SELECT code, name, city, address, email, patron_month,"
	                          " patron_day FROM questura WHERE code = ?";
	agenda_err err = store_query_one(ctx->store, SQL, code, 0, read_questura, out, why);

	if (err == AG_ERR_NOT_FOUND)
		agenda_detail_set(why, MSG_QUESTURA_NOT_FOUND, code);
	return err;
}

agenda_err questura_list(agenda_ctx *ctx, questura_visit_fn visit, void *arg, agenda_detail *why)
{
	static const char SQL[] = "SELECT code, name, city, address, email, patron_month,"
	                          " patron_day FROM questura ORDER BY code";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	struct questura q;
	int rc;

	if (!st)
		return AG_ERR_STORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_questura(st, &q);
		visit(arg, &q);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}

agenda_err questura_rules(agenda_ctx *ctx, const char *code, agenda_day from, agenda_day to,
                          struct cal_rules *rules, agenda_detail *why)
{
	static const char SQL[] = "SELECT day, open FROM calendar_exception"
	                          " WHERE questura = ? AND day BETWEEN ? AND ? ORDER BY day";
	struct cal_exception *list = NULL;
	size_t count = 0, cap = 0;
	struct questura q;
	sqlite3_stmt *st;
	agenda_err err = questura_get(ctx, code, &q, why);
	int rc;

	memset(rules, 0, sizeof *rules);
	if (err != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct cal_exception *bigger = realloc(list, ncap * sizeof *list);

			if (!bigger) {
				sqlite3_reset(st);
				free(list);
				agenda_detail_set(why, MSG_NOMEM);
				return AG_ERR_NOMEM;
			}
			list = bigger;
			cap = ncap;
		}
		list[count].day = (agenda_day)sqlite3_column_int(st, 0);
		list[count++].open = sqlite3_column_int(st, 1) != 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(list);
		return store_error(ctx->store, rc, why);
	}
	rules->patron_month = q.patron_month;
	rules->patron_day = q.patron_day;
	rules->exceptions = list;
	rules->exception_count = count;
	return AG_OK;
}

void questura_rules_free(struct cal_rules *rules)
{
	free((void *)rules->exceptions);
	rules->exceptions = NULL;
	rules->exception_count = 0;
}

static int count_live_on_day(agenda_ctx *ctx, const char *code, agenda_day day)
{
	static const char SQL[] =
	        "SELECT count(*) FROM appointment a JOIN slot s ON s.id = a.slot_id"
	        " WHERE s.questura = ? AND s.day = ? AND a.state = 'confirmed'";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, NULL);
	int n = -1;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, day);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

agenda_err questura_exception_add(agenda_ctx *ctx, const char *actor, const char *code,
                                  agenda_day day, bool open, const char *note, agenda_detail *why)
{
	static const char SQL[] = "INSERT INTO calendar_exception(questura, day, open, note)"
	                          " VALUES(?,?,?,?) ON CONFLICT(questura, day) DO UPDATE"
	                          " SET open = excluded.open, note = excluded.note";
	struct questura q;
	char date[DATE_TEXT_MAX];
	sqlite3_stmt *st;
	agenda_err err;
	int live;

	if (note && (strlen(note) >= NOTE_MAX || !text_is_utf8(note, strlen(note)) ||
	             text_has_control(note))) {
		agenda_detail_set(why, MSG_NOTE_BAD, NOTE_MAX - 1);
		return AG_ERR_INVALID;
	}
	if ((err = questura_get(ctx, code, &q, why)) != AG_OK)
		return err;
	date_format(day, date, sizeof date);
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if (!open && (live = count_live_on_day(ctx, code, day)) != 0) {
		if (live < 0) {
			err = AG_ERR_STORE;
			agenda_detail_set(why, MSG_STORE_FAILED, "count");
		} else {
			err = AG_ERR_REFUSED;
			agenda_detail_set(why, MSG_CLOSURE_HAS_APPOINTMENTS, date, live);
		}
		goto done;
	}
	if (!(st = store_stmt(ctx->store, SQL, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, day);
	sqlite3_bind_int(st, 3, open);
	sqlite3_bind_text(st, 4, note ? note : "", -1, SQLITE_STATIC);
	err = store_step_done(ctx->store, st, why);
	if (err == AG_OK)
		err = audit_append(ctx, actor, open ? "calendar_open" : "calendar_close", code,
		                   date, why);
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

agenda_err capacity_set(agenda_ctx *ctx, const char *actor, const char *code,
                        const struct capacity_plan *plan, struct capacity_report *report,
                        agenda_detail *why)
{
	struct questura q;
	char detail[128], from[DATE_TEXT_MAX], to[DATE_TEXT_MAX];
	agenda_err err;

	memset(report, 0, sizeof *report);
	if (plan->to < plan->from || plan->to - plan->from > 366 * 2 || plan->slots_per_day < 0 ||
	    plan->minutes_per_slot < 1 || plan->first_minute < 0 ||
	    plan->first_minute + plan->slots_per_day * plan->minutes_per_slot > 24 * 60 ||
	    (plan->weekdays & 0x7f) == 0) {
		agenda_detail_set(why, MSG_CAPACITY_BAD_PLAN);
		return AG_ERR_INVALID;
	}
	if ((err = questura_get(ctx, code, &q, why)) != AG_OK)
		return err;
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	for (agenda_day d = plan->from; d <= plan->to && err == AG_OK; d++) {
		if (!(plan->weekdays & (1u << (date_weekday(d) - 1))))
			continue;
		report->days++;
		err = slots_apply_plan(ctx, code, d, plan, report, why);
	}
	date_format(plan->from, from, sizeof from);
	date_format(plan->to, to, sizeof to);
	snprintf(detail, sizeof detail, "%s..%s weekdays=%#x first=%d step=%d slots=%d", from, to,
	         plan->weekdays, plan->first_minute, plan->minutes_per_slot, plan->slots_per_day);
	if (err == AG_OK)
		err = audit_append(ctx, actor, "capacity_set", code, detail, why);
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

agenda_err questura_exception_from_central(agenda_ctx *ctx, const char *code, agenda_day day,
                                           bool open, const char *note, agenda_detail *why)
{
	static const char SQL[] = "INSERT INTO calendar_exception(questura, day, open, note)"
	                          " VALUES(?,?,?,?) ON CONFLICT(questura, day) DO UPDATE"
	                          " SET open = excluded.open, note = excluded.note";
	static const char PLACEHOLDER[] = "INSERT INTO questura(code, name, city)"
	                                  " VALUES(?1, ?1, ?1) ON CONFLICT(code) DO NOTHING";
	char date[DATE_TEXT_MAX];
	sqlite3_stmt *st;
	agenda_err err;

	if (note && (strlen(note) >= NOTE_MAX || !text_is_utf8(note, strlen(note)) ||
	             text_has_control(note))) {
		agenda_detail_set(why, MSG_NOTE_BAD, NOTE_MAX - 1);
		return AG_ERR_INVALID;
	}
	if (!code || !provincia_is_known(code)) {
		agenda_detail_set(why, MSG_QUESTURA_BAD, code ? code : "");
		return AG_ERR_INVALID;
	}
	date_format(day, date, sizeof date);
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	/* The exception references its Questura: until central's record of it arrives, a
	 * placeholder named by its code stands in (questura_put replaces it). */
	if (!(st = store_stmt(ctx->store, PLACEHOLDER, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if ((err = store_step_done(ctx->store, st, why)) != AG_OK)
		goto done;
	if (!(st = store_stmt(ctx->store, SQL, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, day);
	sqlite3_bind_int(st, 3, open);
	sqlite3_bind_text(st, 4, note ? note : "", -1, SQLITE_STATIC);
	if ((err = store_step_done(ctx->store, st, why)) ||
	    (err = audit_append(ctx, "central", open ? "calendar_open" : "calendar_close", code,
	                        date, why)))
		goto done;
	return store_commit(ctx->store, why);
done:
	store_rollback(ctx->store);
	return err;
}
