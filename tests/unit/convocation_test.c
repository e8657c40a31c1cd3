/*
 * convocation_test.c — the slip of a real booking: built from the store with the applicant's,
 * the Questura's and the appointment's data; DUPLICATO once printed; the deferral said; print
 * failures keep the appointment in the reprint queue and never touch the booking itself; so does
 * a slip never printed at all (crash before the outcome); a cancelled or moved appointment never
 * sits in the reprint queue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "services/convocation.h"

static const agenda_day MAY4 = 20577;

static bool slip_has(const slip *s, const char *text)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->lines[i].kind == SLIP_TEXT && strstr(s->lines[i].text, text))
			return true;
	return false;
}

static int queued;
static void count_queue(void *arg, const struct booking *b)
{
	(void)arg;
	(void)b;
	queued++;
}

struct queue_find {
	const char *id;
	int found;
};

static void find_in_queue(void *arg, const struct booking *b)
{
	struct queue_find *q = arg;

	q->found += strcmp(q->id, b->id) == 0;
}

static void slip_of_a_real_booking(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	slip *s = malloc(sizeof *s);
	agenda_detail why;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(convocation_slip(&f->ctx, &f->op, b.id, 48, s, &why), AG_OK);
	assert_true(slip_has(s, "CONVOCAZIONE"));
	assert_true(slip_has(s, "RM/2026/000001"));
	assert_true(slip_has(s, "ITA000000001"));
	assert_true(slip_has(s, "DEMO ROSSI"));
	assert_true(slip_has(s, "Questura di Roma"));
	assert_true(slip_has(s, "Via di San Vitale 15"));
	assert_true(slip_has(s, "martedì 5 maggio 2026"));
	assert_true(slip_has(s, "09:00"));
	assert_true(slip_has(s, "mario.rossi"));
	assert_false(slip_has(s, "DUPLICATO"));
	assert_non_null(slip_find_qr(s));
	assert_string_equal(slip_find_qr(s)->text, b.id);
	/* printed once: every later slip is a duplicate */
	assert_int_equal(convocation_record(&f->ctx, &f->op, b.id, PRINT_OUTCOME_DONE, NULL, NULL),
	                 AG_OK);
	assert_int_equal(convocation_slip(&f->ctx, &f->op, b.id, 32, s, &why), AG_OK);
	assert_true(slip_has(s, "DUPLICATO"));
	free(s);
}

static void deferral_is_on_the_slip(void **state)
{
	struct fixture *f = *state;
	struct booking a, b;
	slip *s = malloc(sizeof *s);

	fixture_capacity(f, MAY4, 30, 1);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_true(b.deferred);
	assert_int_equal(convocation_slip(&f->ctx, &f->op, b.id, 48, s, NULL), AG_OK);
	/* the slip says the earlier days were full: look for the first day tried */
	bool found = false;
	for (size_t i = 0; i < s->count; i++)
		if (strstr(s->lines[i].text, "5 maggio") || strstr(s->lines[i].text, "05/05"))
			found = true;
	assert_true(found);
	assert_true(slip_has(s, "al completo"));
	free(s);
}

static void failed_print_waits_in_the_reprint_queue(void **state)
{
	struct fixture *f = *state;
	struct booking b, after;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(
	        convocation_record(&f->ctx, &f->op, b.id, PRINT_OUTCOME_FAILED, "paper_out", NULL),
	        AG_OK);
	queued = 0;
	assert_int_equal(convocation_reprint_queue(&f->ctx, &f->op, count_queue, NULL, NULL),
	                 AG_OK);
	assert_int_equal(queued, 1);
	/* the booking itself is untouched by the printer (I1) */
	assert_int_equal(booking_get(&f->ctx, &f->op, b.id, &after, NULL), AG_OK);
	assert_int_equal(after.state, APPOINTMENT_CONFIRMED);
	assert_int_equal(after.slot_id, b.slot_id);
	assert_int_equal(after.prints, 0);
	/* the reprint succeeds: out of the queue, one print counted, still not a duplicate */
	assert_int_equal(convocation_record(&f->ctx, &f->op, b.id, PRINT_OUTCOME_DONE, NULL, NULL),
	                 AG_OK);
	queued = 0;
	assert_int_equal(convocation_reprint_queue(&f->ctx, &f->op, count_queue, NULL, NULL),
	                 AG_OK);
	assert_int_equal(queued, 0);
	assert_int_equal(booking_get(&f->ctx, &f->op, b.id, &after, NULL), AG_OK);
	assert_int_equal(after.prints, 1);
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM journal WHERE kind = 'print_failed'"), 1);
}

static void cancelled_appointment_has_no_slip(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	slip *s = malloc(sizeof *s);

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, b.id, "rinuncia", NULL), AG_OK);
	assert_int_equal(convocation_slip(&f->ctx, &f->op, b.id, 48, s, NULL), AG_ERR_REFUSED);
	free(s);
}

static int queued_with_id(struct fixture *f, const char *id)
{
	struct queue_find q = {.id = id};

	assert_int_equal(convocation_reprint_queue(&f->ctx, &f->op, find_in_queue, &q, NULL),
	                 AG_OK);
	return q.found;
}

/* A slip that failed to print, then the appointment ends: it leaves the reprint queue. */
static void ended_appointments_leave_the_reprint_queue(void **state)
{
	struct fixture *f = *state;
	struct booking a, b, moved;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(
	        convocation_record(&f->ctx, &f->op, a.id, PRINT_OUTCOME_FAILED, "paper_out", NULL),
	        AG_OK);
	assert_int_equal(
	        convocation_record(&f->ctx, &f->op, b.id, PRINT_OUTCOME_FAILED, "cover_open", NULL),
	        AG_OK);
	assert_int_equal(queued_with_id(f, a.id), 1);
	assert_int_equal(queued_with_id(f, b.id), 1);

	assert_int_equal(booking_cancel(&f->ctx, &f->op, a.id, "rinuncia", NULL), AG_OK);
	assert_int_equal(booking_move(&f->ctx, &f->op, b.id, "malattia", NULL, &moved, NULL),
	                 AG_OK);
	queued = 0;
	assert_int_equal(convocation_reprint_queue(&f->ctx, &f->op, count_queue, NULL, NULL),
	                 AG_OK);
	assert_int_equal(queued, 1);
	assert_int_equal(queued_with_id(f, a.id), 0);
	assert_int_equal(queued_with_id(f, b.id), 0);
	assert_int_equal(queued_with_id(f, moved.id), 1); /* live, its slip never printed */

	/* a late failure report for an ended appointment is refused and queues nothing */
	assert_int_equal(
	        convocation_record(&f->ctx, &f->op, a.id, PRINT_OUTCOME_FAILED, "paper_out", NULL),
	        AG_ERR_NOT_FOUND);
	assert_int_equal(
	        convocation_record(&f->ctx, &f->op, b.id, PRINT_OUTCOME_FAILED, "paper_out", NULL),
	        AG_ERR_NOT_FOUND);
	queued = 0;
	assert_int_equal(convocation_reprint_queue(&f->ctx, &f->op, count_queue, NULL, NULL),
	                 AG_OK);
	assert_int_equal(queued, 1); /* the moved one alone */
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM journal WHERE kind = 'print_failed'"), 2);
}

/* The queue's query (the same text as convocation.c) is answered from migration 4's index. */
static bool queue_uses_its_index(struct fixture *f)
{
	sqlite3_stmt *st;
	bool used = false;

	assert_int_equal(
	        sqlite3_prepare_v2(store_db(f->ctx.store),
	                           "EXPLAIN QUERY PLAN SELECT id FROM appointment"
	                           " WHERE print_state <> 'printed' AND state = 'confirmed'"
	                           " ORDER BY created_at, id",
	                           -1, &st, NULL),
	        SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		used |= strstr((const char *)sqlite3_column_text(st, 3),
		               "appointment_print_pending") != NULL;
	sqlite3_finalize(st);
	return used;
}

/*
 * A crash (or power cut) between the booking and its print outcome leaves the slip "none": it
 * waits in the reprint queue like a failed one, oldest first, until a print is recorded.
 */
static void never_printed_slip_waits_in_the_reprint_queue(void **state)
{
	struct fixture *f = *state;
	struct booking a, b;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"
	                                  " WHERE print_state = 'none'"),
	                 2);
	assert_int_equal(queued_with_id(f, a.id), 1);
	assert_int_equal(queued_with_id(f, b.id), 1);
	assert_int_equal(
	        convocation_record(&f->ctx, &f->op, b.id, PRINT_OUTCOME_FAILED, "paper_out", NULL),
	        AG_OK);
	assert_int_equal(convocation_record(&f->ctx, &f->op, a.id, PRINT_OUTCOME_DONE, NULL, NULL),
	                 AG_OK);
	assert_int_equal(queued_with_id(f, a.id), 0);
	assert_int_equal(queued_with_id(f, b.id), 1);
	assert_true(queue_uses_its_index(f));
}

static void moved_appointment_has_no_slip(void **state)
{
	struct fixture *f = *state;
	struct booking a, b;
	slip *s = malloc(sizeof *s);
	agenda_detail why;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_move(&f->ctx, &f->op, a.id, "malattia", NULL, &b, NULL), AG_OK);
	assert_int_equal(convocation_slip(&f->ctx, &f->op, a.id, 48, s, &why), AG_ERR_REFUSED);
	assert_int_equal(convocation_slip(&f->ctx, &f->op, b.id, 48, s, &why), AG_OK);
	free(s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(slip_of_a_real_booking),
	        T(deferral_is_on_the_slip),
	        T(failed_print_waits_in_the_reprint_queue),
	        T(cancelled_appointment_has_no_slip),
	        T(moved_appointment_has_no_slip),
	        T(ended_appointments_leave_the_reprint_queue),
	        T(never_printed_slip_waits_in_the_reprint_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
