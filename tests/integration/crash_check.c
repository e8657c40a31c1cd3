/*
 * crash_check.c — the post-crash invariant checker (see crash_check.h).
 *
 * Each invariant is one SQL count that must be zero, so a failure names the rule it broke; the
 * ledger is replayed against the appointment table afterwards.
 */
#include "crash_check.h"

#include <stdio.h>
#include <string.h>

#include "services/audit.h"
#include "services/booking.h"

struct rule {
	const char *what;
	const char *sql; /* a count that must be 0 */
};

static const struct rule RULES[] = {
        {"a slot holds two confirmed appointments (I2)",
         "SELECT count(*) FROM (SELECT slot_id FROM appointment WHERE state = 'confirmed'"
         " GROUP BY slot_id HAVING count(*) > 1)"},
        {"a practice has two confirmed appointments (I3)",
         "SELECT count(*) FROM (SELECT practice_id FROM appointment WHERE state = 'confirmed'"
         " GROUP BY practice_id HAVING count(*) > 1)"},
        {"an appointment without exactly one 'book' journal entry (I4)",
         "SELECT count(*) FROM appointment a LEFT JOIN (SELECT appointment_id AS id,"
         " count(*) AS n FROM journal WHERE kind = 'book' GROUP BY appointment_id) j"
         " ON j.id = a.id WHERE coalesce(j.n, 0) != 1"},
        {"a 'book' journal entry without its appointment",
         "SELECT count(*) FROM journal j LEFT JOIN appointment a ON a.id = j.appointment_id"
         " WHERE j.kind = 'book' AND a.id IS NULL"},
        {"a cancelled appointment without exactly one 'cancel' journal entry",
         "SELECT count(*) FROM appointment a LEFT JOIN (SELECT appointment_id AS id,"
         " count(*) AS n FROM journal WHERE kind = 'cancel' GROUP BY appointment_id) j"
         " ON j.id = a.id WHERE coalesce(j.n, 0) != (a.state = 'cancelled')"},
        {"an appointment without exactly one 'book' audit record (I6)",
         "SELECT count(*) FROM appointment a LEFT JOIN (SELECT subject AS id, count(*) AS n"
         " FROM audit WHERE action = 'book' GROUP BY subject) r ON r.id = a.id"
         " WHERE coalesce(r.n, 0) != 1"},
        {"a booked slot that no confirmed appointment holds (slot leaked)",
         "SELECT count(*) FROM slot s LEFT JOIN appointment a ON a.slot_id = s.id"
         " AND a.state = 'confirmed' WHERE s.state = 'booked' AND a.id IS NULL"},
        {"a confirmed appointment on a slot marked free",
         "SELECT count(*) FROM appointment a JOIN slot s ON s.id = a.slot_id"
         " WHERE a.state = 'confirmed' AND s.state != 'booked'"},
};

static long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The first row's two text columns of a query, if any. */
static int first_row(sqlite3 *db, const char *sql, char *a, char *b, size_t size)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(a, size, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(b, size, "%s", (const char *)sqlite3_column_text(st, 1));
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

static int integrity_ok(sqlite3 *db, char *msg, size_t size)
{
	sqlite3_stmt *st;
	int ok = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
		snprintf(msg, size, "integrity_check: %s", sqlite3_errmsg(db));
		return 0;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);

		ok = r && strcmp(r, "ok") == 0;
		if (!ok)
			snprintf(msg, size, "integrity_check: %s", r ? r : "?");
	}
	sqlite3_finalize(st);
	return ok;
}

/* Loads the ledger into temp.seen (id, cancelled): the last confirmed verb of each id. */
static int load_ledger(sqlite3 *db, FILE *f, struct crash_result *r)
{
	sqlite3_stmt *st;
	char line[128];

	if (sqlite3_exec(db,
	                 "CREATE TEMP TABLE seen(id TEXT PRIMARY KEY, cancelled INTEGER NOT NULL);"
	                 "BEGIN",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO temp.seen VALUES (?1, ?2) ON CONFLICT(id)"
	                       " DO UPDATE SET cancelled = excluded.cancelled",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (fgets(line, sizeof line, f)) {
		char verb[16], id[APPOINTMENT_ID_MAX + 8];
		int cancel;

		/* a line without its newline was cut by the kill: it was never shown */
		if (!strchr(line, '\n') || sscanf(line, "%15s %44s", verb, id) != 2)
			continue;
		cancel = strcmp(verb, "cancel") == 0;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, cancel);
		sqlite3_step(st);
		sqlite3_reset(st);
		if (cancel)
			r->ledger_cancels++;
		else
			r->ledger_booked++;
	}
	sqlite3_finalize(st);
	return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/*
 * Replays the ledger: each confirmed id must exist; a cancelled one must be cancelled; a booked
 * one the ledger never cancelled may have been cancelled only by the call in flight (counted).
 */
static int check_ledger(sqlite3 *db, const char *ledger, struct crash_result *r, char *msg,
                        size_t size)
{
	char a[64], b[64];
	FILE *f = fopen(ledger, "r");
	int bad = 1;

	if (!f)
		return 0; /* nothing confirmed yet */
	if (load_ledger(db, f, r) != 0) {
		snprintf(msg, size, "ledger: %s", sqlite3_errmsg(db));
		goto done;
	}
	if (first_row(db,
	              "SELECT s.id, s.cancelled FROM temp.seen s LEFT JOIN appointment a"
	              " ON a.id = s.id WHERE a.id IS NULL",
	              a, b, sizeof a)) {
		snprintf(msg, size, "confirmed %s %s is not in the database (I1)",
		         b[0] == '1' ? "cancel of" : "booking", a);
		goto done;
	}
	if (first_row(db,
	              "SELECT s.id, a.state FROM temp.seen s JOIN appointment a ON a.id = s.id"
	              " WHERE s.cancelled = 1 AND a.state != 'cancelled'",
	              a, b, sizeof a)) {
		snprintf(msg, size, "cancelled %s is %s in the database (I1)", a, b);
		goto done;
	}
	/* effects the ledger never saw: bookings not printed, cancels not printed */
	r->unconfirmed = count(db, "SELECT count(*) FROM appointment a LEFT JOIN temp.seen s"
	                           " ON s.id = a.id WHERE s.id IS NULL") +
	                 count(db, "SELECT count(*) FROM temp.seen s JOIN appointment a"
	                           " ON a.id = s.id WHERE s.cancelled = 0"
	                           " AND a.state != 'confirmed'");
	bad = 0;
done:
	fclose(f);
	sqlite3_exec(db, "DROP TABLE IF EXISTS temp.seen", NULL, NULL, NULL);
	return bad;
}

int crash_check(const char *db_path, const char *ledger, struct crash_result *out, char *msg,
                size_t msg_size)
{
	static int64_t now = 1777878000; /* 2026-05-04 09:00 Europe/Rome */
	struct rng_state *rng_state = NULL;
	struct audit_report report;
	agenda_detail why;
	agenda_rng rng;
	agenda_ctx ctx;
	sqlite3 *db;
	int bad = 1;

	memset(out, 0, sizeof *out);
	msg[0] = 0;
	if (rng_open_seeded(&rng, &rng_state, 1) != AG_OK) {
		snprintf(msg, msg_size, "rng");
		return 1;
	}
	agenda_detail_clear(&why);
	if (agenda_ctx_open_with(&ctx, db_path, STORE_OPEN_EXISTING, clock_fixed(&now), rng,
	                         &why) != AG_OK) {
		snprintf(msg, msg_size, "reopening failed: %s", why.en);
		rng_close(rng_state);
		return 1;
	}
	db = store_db(ctx.store);
	if (!integrity_ok(db, msg, msg_size))
		goto done;
	for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; i++) {
		long n = count(db, RULES[i].sql);

		if (n != 0) {
			snprintf(msg, msg_size, "%s: %ld", RULES[i].what, n);
			goto done;
		}
	}
	if (audit_verify(&ctx, &report, &why) != AG_OK || report.problem != AUDIT_INTACT) {
		snprintf(msg, msg_size, "audit chain broken at seq %lld (%s)",
		         (long long)report.first_bad, audit_problem_text(report.problem, LANG_EN));
		goto done;
	}
	out->audit_records = (long)report.records;
	out->appointments = count(db, "SELECT count(*) FROM appointment");
	out->live = count(db, "SELECT count(*) FROM appointment WHERE state = 'confirmed'");
	if (ledger && check_ledger(db, ledger, out, msg, msg_size))
		goto done;
	bad = 0;
done:
	agenda_ctx_close(&ctx);
	rng_close(rng_state);
	return bad;
}
