/*
 * booking_test.c — the booking rules on a real SQLite file: earliest slot after the lead, full
 * days deferred, one live appointment per practice, ineligible kinds refused, cancel frees the
 * slot, move, print and Modello 209 records, the day list and the day close; the 90-day
 * horizon's last day; taking a slot changes exactly one free row (I2); and that every change
 * writes exactly one journal entry and one audit record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>

#include "fixture.h"
#include "services/audit.h"

static const agenda_day MAY4 = 20577; /* 2026-05-04, Monday: checked in a test below */

static void clock_is_monday(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(date_from_ymd(2026, 5, 4), MAY4);
	assert_int_equal(agenda_today(&f->ctx, NULL), MAY4);
}

static void books_next_open_day_first_slot(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	agenda_detail why;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, &why),
	                 AG_OK);
	assert_false(b.existing);
	assert_int_equal(b.day, MAY4 + 1); /* lead: one open day after today */
	assert_int_equal(b.minute, 9 * 60);
	assert_false(b.deferred);
	assert_string_equal(b.questura, "RM");
	assert_string_equal(b.numero_pratica, "RM/2026/000001");
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal WHERE kind = 'book'"), 1);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'book'"), 1);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM slot WHERE state = 'booked'"), 1);
}

static void booking_again_returns_existing(void **state)
{
	struct fixture *f = *state;
	struct booking a, b;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_true(b.existing);
	assert_string_equal(a.id, b.id);
	assert_int_equal(booking_live_for_practice(&f->ctx, &f->op, f->practice_lavoro, &b, NULL),
	                 AG_OK);
	assert_string_equal(a.id, b.id);
	assert_int_equal(booking_live_for_practice(&f->ctx, &f->op, f->practice_famiglia, &b, NULL),
	                 AG_ERR_NOT_FOUND);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 1);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal"), 1);
}

static void full_day_defers_with_reason(void **state)
{
	struct fixture *f = *state;
	struct booking a, b, c;

	fixture_capacity(f, MAY4, 30, 1); /* one slot a day */
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(a.day, MAY4 + 1);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(b.day, MAY4 + 2);
	assert_true(b.deferred);
	assert_int_equal(b.deferred_from, MAY4 + 1);
	assert_int_equal(b.days_full, 1);
	/* the deferral survives in the store */
	assert_int_equal(booking_get(&f->ctx, &f->op, b.id, &c, NULL), AG_OK);
	assert_true(c.deferred);
	assert_int_equal(c.deferred_from, MAY4 + 1);
}

static void closure_and_weekend_are_skipped(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	struct practice p;

	fixture_capacity(f, MAY4, 30, 1);
	/* Tue 5 (taken), Wed 6 closed, Thu 7 and Fri 8 taken: next is Mon 11. */
	assert_int_equal(
	        questura_exception_add(&f->ctx, "test", "RM", MAY4 + 2, false, "sciopero", NULL),
	        AG_OK);
	fixture_practice(f, "RM/2026/000010", "", "lavoro", &p.id);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, p.id, NULL, &b, NULL), AG_OK);
	assert_int_equal(b.day, MAY4 + 1);
	fixture_practice(f, "RM/2026/000011", "", "lavoro", &p.id);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, p.id, NULL, &b, NULL), AG_OK);
	assert_int_equal(b.day, MAY4 + 3);
	assert_int_equal(b.days_closed, 1);
	fixture_practice(f, "RM/2026/000012", "", "lavoro", &p.id);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, p.id, NULL, &b, NULL), AG_OK);
	assert_int_equal(b.day, MAY4 + 4);
	fixture_practice(f, "RM/2026/000013", "", "lavoro", &p.id);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, p.id, NULL, &b, NULL), AG_OK);
	assert_int_equal(b.day, MAY4 + 7);
	assert_int_equal(date_weekday(b.day), 1);
	/* a closure on a day with confirmed appointments is refused */
	assert_int_equal(questura_exception_add(&f->ctx, "test", "RM", MAY4 + 7, false, "", NULL),
	                 AG_ERR_REFUSED);
}

static void no_capacity_in_horizon(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	agenda_detail why;

	fixture_capacity(f, MAY4 + 100, 10, 5); /* beyond the 90-day horizon */
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, &why),
	                 AG_ERR_NO_CAPACITY);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 0);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal"), 0);
	struct booking_options longer = {.lead_open_days = -1, .horizon_days = 120};
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, &longer, &b, &why),
	                 AG_OK);
	assert_int_equal(b.day, MAY4 + 100);
}

/* Count of a query with one appointment id bound, for exact per-appointment counts. */
static long long count_for(struct fixture *f, const char *sql, const char *id)
{
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->ctx.store), sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static long long journal_of(struct fixture *f, const char *kind, const char *id)
{
	char sql[128];

	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM journal WHERE kind = '%s' AND appointment_id = ?", kind);
	return count_for(f, sql, id);
}

static long long audit_of(struct fixture *f, const char *action, const char *id)
{
	char sql[128];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE action = '%s' AND subject = ?",
	         action);
	return count_for(f, sql, id);
}

/*
 * The default horizon is 90 days: with today Tuesday 5 May 2026 its last day is Monday 3 August,
 * which is offered; Tuesday 4 August, the day after, is not.
 */
static void horizon_last_day_offered_day_after_not(void **state)
{
	struct fixture *f = *state;
	const agenda_day today = MAY4 + 1, last = today + 90;
	struct booking a, b;
	agenda_detail why;
	char sql[96];

	f->now = clock_epoch_of(today, 9 * 60);
	assert_int_equal(date_weekday(last), 1);
	fixture_capacity(f, last, 2, 1); /* one slot on the last day, one on the day after */
	assert_int_equal(booking_propose(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, &why),
	                 AG_OK);
	assert_int_equal(a.day, last);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, &why),
	                 AG_OK);
	assert_int_equal(a.day, last);
	assert_int_equal(booking_propose(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, &why),
	                 AG_ERR_NO_CAPACITY);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, &why),
	                 AG_ERR_NO_CAPACITY);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM slot WHERE state = 'free' AND day = %d",
	         last + 1);
	assert_int_equal(fixture_count(f, sql), 1);
	/* the next morning the day after is inside the horizon */
	f->now = clock_epoch_of(today + 1, 9 * 60);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, &why),
	                 AG_OK);
	assert_int_equal(b.day, last + 1);
}

/*
 * I2: the UPDATE that takes the slot must change exactly one free row. Here it changes none, as
 * when another writer took the slot first (a trigger on the booking connection only turns the
 * UPDATE into a no-op): nothing may be booked, journalled or audited.
 */
static void slot_not_taken_books_nothing(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	agenda_detail why;
	long long free_before;

	fixture_capacity(f, MAY4, 30, 2);
	free_before = fixture_count(f, "SELECT count(*) FROM slot WHERE state = 'free'");
	assert_int_equal(sqlite3_exec(store_db(f->ctx.store),
	                              "CREATE TEMP TRIGGER taken_first BEFORE UPDATE OF state"
	                              " ON main.slot WHEN NEW.state = 'booked'"
	                              " BEGIN SELECT RAISE(IGNORE); END",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_not_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, &why),
	                     AG_OK);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 0);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal"), 0);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'book'"), 0);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM slot WHERE state = 'free'"),
	                 free_before);

	/* without the trigger: exactly one free row becomes booked, the one booked */
	assert_int_equal(sqlite3_exec(store_db(f->ctx.store), "DROP TRIGGER temp.taken_first", NULL,
	                              NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, &why),
	                 AG_OK);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM slot WHERE state = 'free'"),
	                 free_before - 1);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM slot WHERE state != 'free'"), 1);
	assert_int_equal(count_for(f,
	                           "SELECT count(*) FROM slot s JOIN appointment a"
	                           " ON a.slot_id = s.id WHERE a.id = ? AND s.state = 'booked'",
	                           b.id),
	                 1);
}

static void ineligible_kind_refused(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	agenda_detail why;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_studio, NULL, &b, &why),
	                 AG_ERR_REFUSED);
	assert_non_null(strstr(why.it, "studio"));
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 0);
}

/* Only a practice whose nulla osta was issued is booked, whatever its kind. */
static void practice_without_nulla_osta_refused(void **state)
{
	struct fixture *f = *state;
	struct practice p = {0};
	struct booking b;
	agenda_detail why;

	fixture_capacity(f, MAY4, 30, 2);
	snprintf(p.numero_pratica, sizeof p.numero_pratica, "RM/2026/000020");
	snprintf(p.cognome, sizeof p.cognome, "DEMO VERDI");
	snprintf(p.nome, sizeof p.nome, "Anna");
	p.data_nascita = date_from_ymd(1991, 4, 2);
	snprintf(p.nazionalita, sizeof p.nazionalita, "Albania");
	snprintf(p.tipo, sizeof p.tipo, "lavoro");
	snprintf(p.questura, sizeof p.questura, "RM");
	snprintf(p.status, sizeof p.status, "in_istruttoria");
	assert_int_equal(practice_upsert(&f->ctx, &p, NULL), AG_OK);
	assert_int_equal(practice_lookup(&f->ctx, &f->op, "RM/2026/000020", NULL, &p, NULL), AG_OK);
	assert_int_equal(booking_propose(&f->ctx, &f->op, p.id, NULL, &b, &why), AG_ERR_REFUSED);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, p.id, NULL, &b, &why), AG_ERR_REFUSED);
	assert_non_null(strstr(why.it, "in_istruttoria"));
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 0);
}

static void tecnico_cannot_read_or_book(void **state)
{
	struct fixture *f = *state;
	struct session tech = f->op;
	struct practice p;
	struct booking b;

	tech.role = ROLE_TECNICO;
	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(practice_lookup(&f->ctx, &tech, "RM/2026/000001", NULL, &p, NULL),
	                 AG_ERR_REFUSED);
	assert_int_equal(booking_confirm(&f->ctx, &tech, f->practice_lavoro, NULL, &b, NULL),
	                 AG_ERR_REFUSED);
}

static void lookup_by_either_number_and_mismatch(void **state)
{
	struct fixture *f = *state;
	struct practice p;
	agenda_detail why;

	assert_int_equal(practice_lookup(&f->ctx, &f->op, "rm 2026 1", NULL, &p, NULL), AG_OK);
	assert_int_equal(p.id, f->practice_lavoro);
	assert_int_equal(practice_lookup(&f->ctx, &f->op, NULL, "ita-000 000 002", &p, NULL),
	                 AG_OK);
	assert_int_equal(p.id, f->practice_famiglia);
	assert_int_equal(
	        practice_lookup(&f->ctx, &f->op, "RM/2026/000001", "ITA000000001", &p, NULL),
	        AG_OK);
	assert_int_equal(
	        practice_lookup(&f->ctx, &f->op, "RM/2026/000001", "ITA000000002", &p, &why),
	        AG_ERR_REFUSED);
	assert_int_equal(practice_lookup(&f->ctx, &f->op, "RM/2026/999999", NULL, &p, &why),
	                 AG_ERR_NOT_FOUND);
	assert_int_equal(practice_lookup(&f->ctx, &f->op, "XX/2026/1", NULL, &p, &why),
	                 AG_ERR_INVALID);
	assert_int_equal(practice_lookup(&f->ctx, &f->op, NULL, NULL, &p, &why), AG_ERR_USAGE);
}

static void cancel_frees_slot_and_needs_reason(void **state)
{
	struct fixture *f = *state;
	struct booking a, b;

	fixture_capacity(f, MAY4, 30, 1);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, a.id, "  ", NULL), AG_ERR_USAGE);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, a.id, "rinuncia del richiedente", NULL),
	                 AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, a.id, "ancora", NULL), AG_ERR_REFUSED);
	/* the freed slot is the earliest again */
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(b.slot_id, a.slot_id);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal WHERE kind = 'cancel'"), 1);
}

static void move_is_cancel_and_book(void **state)
{
	struct fixture *f = *state;
	struct booking a, b, old;

	fixture_capacity(f, MAY4, 30, 1);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_move(&f->ctx, &f->op, a.id, "malattia", NULL, &b, NULL), AG_OK);
	assert_string_not_equal(a.id, b.id);
	assert_int_not_equal(a.slot_id, b.slot_id);
	assert_int_equal(b.day, MAY4 + 2);
	assert_int_equal(booking_get(&f->ctx, &f->op, a.id, &old, NULL), AG_OK);
	assert_int_equal(old.state, APPOINTMENT_MOVED);
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM appointment WHERE state = 'confirmed'"), 1);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM slot WHERE state = 'booked'"), 1);
}

static void print_and_modello209_recorded(void **state)
{
	struct fixture *f = *state;
	struct booking a, b;

	fixture_capacity(f, MAY4, 30, 1);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_false(a.modello209);
	assert_int_equal(booking_record_print(&f->ctx, &f->op, a.id, NULL), AG_OK);
	assert_int_equal(booking_record_print(&f->ctx, &f->op, a.id, NULL), AG_OK);
	assert_int_equal(booking_record_modello209(&f->ctx, &f->op, a.id, NULL), AG_OK);
	assert_int_equal(booking_get(&f->ctx, &f->op, a.id, &b, NULL), AG_OK);
	assert_int_equal(b.prints, 2);
	assert_true(b.modello209);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'reprint'"),
	                 1);
}

static int counter;
static void count_visit(void *arg, const struct booking *b)
{
	(void)arg;
	(void)b;
	counter++;
}

static void day_list_and_close(void **state)
{
	struct fixture *f = *state;
	struct booking a, b;
	struct day_close_report r;

	fixture_capacity(f, MAY4, 30, 3);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, b.id, "errore", NULL), AG_OK);
	counter = 0;
	assert_int_equal(booking_day_list(&f->ctx, &f->op, MAY4, count_visit, NULL, NULL), AG_OK);
	assert_int_equal(counter, 2);
	counter = 0;
	assert_int_equal(booking_day_list(&f->ctx, &f->op, MAY4 + 1, count_visit, NULL, NULL),
	                 AG_OK);
	assert_int_equal(counter, 0);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, NULL), AG_OK);
	assert_int_equal(r.version, 1);
	assert_int_equal(r.appointments, 1);
	assert_int_equal(r.cancellations, 1);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, NULL), AG_OK);
	assert_int_equal(r.version, 2);
}

static void every_change_is_journalled_and_audited(void **state)
{
	struct fixture *f = *state;
	struct audit_report rep;
	struct booking a, b;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_move(&f->ctx, &f->op, a.id, "richiesta", NULL, &b, NULL), AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, b.id, "rinuncia", NULL), AG_OK);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal"), 3);
	assert_int_equal(fixture_count(f, "SELECT count(DISTINCT entry_id) FROM journal"), 3);
	/* exactly one of each, on the appointment it belongs to */
	assert_int_equal(journal_of(f, "book", a.id), 1);
	assert_int_equal(journal_of(f, "move", b.id), 1);
	assert_int_equal(journal_of(f, "cancel", b.id), 1);
	assert_int_equal(journal_of(f, "cancel", a.id), 0);
	assert_int_equal(audit_of(f, "book", a.id), 1);
	assert_int_equal(audit_of(f, "move", a.id), 1); /* the move is audited on the old one */
	assert_int_equal(audit_of(f, "cancel", b.id), 1);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action IN"
	                                  " ('book', 'move', 'cancel')"),
	                 3);
	/* a print and a reprint: one entry and one record each */
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_record_print(&f->ctx, &f->op, a.id, NULL), AG_OK);
	assert_int_equal(booking_record_print(&f->ctx, &f->op, a.id, NULL), AG_OK);
	assert_int_equal(booking_record_modello209(&f->ctx, &f->op, a.id, NULL), AG_OK);
	assert_int_equal(journal_of(f, "book", a.id), 1);
	assert_int_equal(journal_of(f, "print", a.id), 2);
	assert_int_equal(journal_of(f, "modello209", a.id), 1);
	assert_int_equal(audit_of(f, "book", a.id), 1);
	assert_int_equal(audit_of(f, "print", a.id), 1);
	assert_int_equal(audit_of(f, "reprint", a.id), 1);
	assert_int_equal(audit_of(f, "modello209", a.id), 1);
	assert_int_equal(audit_verify(&f->ctx, &rep, NULL), AG_OK);
	assert_int_equal(rep.problem, AUDIT_INTACT);
	/* no applicant names in the audit or the journal (I7) */
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE detail GLOB '*ROSSI*'"
	                                  " OR subject GLOB '*ROSSI*'"),
	                 0);
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM journal WHERE payload GLOB '*ROSSI*'"), 0);
}

/* A day's close counts the appointments made that day: the next midnight is the next day. */
static void day_close_ends_at_midnight(void **state)
{
	struct fixture *f = *state;
	struct booking a, b;
	struct day_close_report r;

	fixture_capacity(f, MAY4, 30, 3);
	f->now = clock_epoch_of(MAY4, 23 * 60 + 59);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	f->now = clock_epoch_of(MAY4 + 1, 0);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, NULL), AG_OK);
	assert_int_equal(r.appointments, 1);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4 + 1, &r, NULL), AG_OK);
	assert_int_equal(r.appointments, 1);
}

/* A close whose count fails is not saved as a close of zeros (issue 10). */
static void day_close_count_failure_saves_nothing(void **state)
{
	struct fixture *f = *state;
	struct day_close_report r;
	agenda_detail why;

	/* The count's cached statement re-prepares against the new schema and fails at step. */
	assert_int_equal(fixture_sql(f, "ALTER TABLE appointment RENAME COLUMN created_at TO made"),
	                 SQLITE_OK);
	assert_int_not_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, &why), AG_OK);
	assert_true(why.it[0] != '\0');
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM day_close"), 0);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal WHERE kind = 'close_day'"),
	                 0);
}

/* Central applies entries by id and needs to know whose they are: each payload says so. */
static void journal_entries_say_who_and_what(void **state)
{
	struct fixture *f = *state;
	struct booking a;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, a.id, "rinuncia", NULL), AG_OK);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal"), 2);
	assert_int_equal(count_for(f,
	                           "SELECT count(*) FROM journal"
	                           " WHERE json_extract(payload, '$.device') = ?",
	                           f->ctx.device_id),
	                 2);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal WHERE"
	                                  " json_extract(payload, '$.entry_id') = entry_id AND"
	                                  " json_extract(payload, '$.kind') = kind AND"
	                                  " json_extract(payload, '$.at') = created_at"),
	                 2);
}

/* One counter of two working the same file at once: its own connection, session and RNG. */
struct counter {
	agenda_ctx ctx;
	struct rng_state *rng_state;
	struct session op;
	int64_t practices[20];
	int failures;
	agenda_detail why;
};

static void *counter_books(void *arg)
{
	struct counter *c = arg;

	for (size_t i = 0; i < sizeof c->practices / sizeof c->practices[0]; i++) {
		struct booking b;

		if (booking_confirm(&c->ctx, &c->op, c->practices[i], NULL, &b, &c->why) != AG_OK)
			c->failures++;
	}
	return NULL;
}

/*
 * Two counters booking at the same moment on one file (the kiosk's worker and agendactl, or
 * two processes) both succeed every time: a booking waits for the other's write lock instead of
 * failing with "database is locked", and no slot is given twice (I2).
 */
static void two_counters_at_once(void **state)
{
	struct fixture *f = *state;
	struct counter c[2];
	pthread_t thread[2];

	memset(c, 0, sizeof c);
	fixture_capacity(f, MAY4, 60, 10);
	for (int k = 0; k < 2; k++) {
		agenda_rng rng;

		assert_int_equal(rng_open_seeded(&rng, &c[k].rng_state, 100 + (uint64_t)k), AG_OK);
		assert_int_equal(agenda_ctx_open_with(&c[k].ctx, f->path, STORE_OPEN_EXISTING,
		                                      clock_fixed(&f->now), rng, NULL),
		                 AG_OK);
		assert_int_equal(
		        session_login(&c[k].ctx, "mario.rossi", f->password, &c[k].op, NULL),
		        AG_OK);
		for (int i = 0; i < 20; i++) {
			char pratica[] = "RM/2026/000100";
			int n = k * 20 + i;

			pratica[12] = (char)('0' + n / 10);
			pratica[13] = (char)('0' + n % 10);
			fixture_practice(f, pratica, "", "lavoro", &c[k].practices[i]);
		}
	}
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&thread[k], NULL, counter_books, &c[k]), 0);
	for (int k = 0; k < 2; k++) {
		pthread_join(thread[k], NULL);
		agenda_ctx_close(&c[k].ctx);
		rng_close(c[k].rng_state);
	}
	if (c[0].failures || c[1].failures)
		fail_msg("%d + %d bookings failed: %s", c[0].failures, c[1].failures,
		         c[0].failures ? c[0].why.en : c[1].why.en);
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM appointment WHERE state = 'confirmed'"), 40);
	assert_int_equal(fixture_count(f, "SELECT count(DISTINCT slot_id) FROM appointment"), 40);
}

/* After a cancel the practice books again (a new appointment); after a move the live one is the
 * new. */
static void cancelled_practice_books_again(void **state)
{
	struct fixture *f = *state;
	struct booking a, b, live;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, a.id, "errore", NULL), AG_OK);
	assert_int_equal(
	        booking_live_for_practice(&f->ctx, &f->op, f->practice_lavoro, &live, NULL),
	        AG_ERR_NOT_FOUND);
	assert_int_equal(booking_propose(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_false(b.existing);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_false(b.existing);
	assert_string_not_equal(a.id, b.id);
	assert_int_equal(b.state, APPOINTMENT_CONFIRMED);

	assert_int_equal(booking_move(&f->ctx, &f->op, b.id, "malattia", NULL, &a, NULL), AG_OK);
	assert_int_equal(
	        booking_live_for_practice(&f->ctx, &f->op, f->practice_lavoro, &live, NULL), AG_OK);
	assert_string_equal(live.id, a.id);
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM appointment WHERE state = 'confirmed'"), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(clock_is_monday),
	        T(books_next_open_day_first_slot),
	        T(booking_again_returns_existing),
	        T(cancelled_practice_books_again),
	        T(full_day_defers_with_reason),
	        T(closure_and_weekend_are_skipped),
	        T(no_capacity_in_horizon),
	        T(horizon_last_day_offered_day_after_not),
	        T(slot_not_taken_books_nothing),
	        T(ineligible_kind_refused),
	        T(practice_without_nulla_osta_refused),
	        T(tecnico_cannot_read_or_book),
	        T(lookup_by_either_number_and_mismatch),
	        T(cancel_frees_slot_and_needs_reason),
	        T(move_is_cancel_and_book),
	        T(print_and_modello209_recorded),
	        T(day_list_and_close),
	        T(every_change_is_journalled_and_audited),
	        T(two_counters_at_once),
	        T(day_close_ends_at_midnight),
	        T(day_close_count_failure_saves_nothing),
	        T(journal_entries_say_who_and_what),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
