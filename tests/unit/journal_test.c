/*
 * journal_test.c — the journal as the sync client will read it, on a real SQLite file: batches
 * after a cursor in id order, bounded in entries and in bytes, resumed from where they stopped;
 * acknowledgements by entry id (in one transaction, repeated harmlessly, unknown ids counted);
 * the resume cursor surviving a process that dies without closing; and the payload builder's
 * exact JSON for every kind, identical to what the booking services store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/wait.h>

#include "fixture.h"
#include "services/convocation.h"
#include "services/journal.h"
#include "services/journal_payload.h"

static const agenda_day MAY4 = 20577; /* 2026-05-04 */

/* ---- helpers ------------------------------------------------------------------------- */

/* Appends one entry whose payload pads to about `pad` bytes; returns nothing, aborts on error. */
static void add_entry(struct fixture *f, int n, size_t pad)
{
	char *text = malloc(pad + 1);
	agenda_detail why;

	memset(text, 'x', pad);
	text[pad] = '\0';
	assert_int_equal(store_begin(f->ctx.store, NULL), AG_OK);
	assert_int_equal(journal_add(&f->ctx, "test", NULL,
	                             json_pack("{s:i, s:s}", "n", n, "pad", text), &why),
	                 AG_OK);
	assert_int_equal(store_commit(f->ctx.store, NULL), AG_OK);
	free(text);
}

#define SEEN_MAX 64

struct seen {
	int count;
	int64_t ids[SEEN_MAX];
	char entry_ids[SEEN_MAX][JOURNAL_ENTRY_ID_MAX];
	int stop_after; /* 0: never stop */
};

static bool record(const struct journal_entry *e, void *arg)
{
	struct seen *s = arg;
	json_t *payload = json_loads(e->payload, 0, NULL);

	/* the payload is the whole entry: its envelope repeats the columns */
	assert_non_null(payload);
	assert_string_equal(json_string_value(json_object_get(payload, "entry_id")), e->entry_id);
	assert_string_equal(json_string_value(json_object_get(payload, "kind")), e->kind);
	assert_int_equal(strlen(e->payload), e->payload_bytes);
	json_decref(payload);
	assert_true(s->count < SEEN_MAX);
	s->ids[s->count] = e->id;
	snprintf(s->entry_ids[s->count], JOURNAL_ENTRY_ID_MAX, "%s", e->entry_id);
	s->count++;
	return !(s->stop_after && s->count >= s->stop_after);
}

static struct journal_batch_report batch(struct fixture *f, int64_t after, int max_entries,
                                         size_t max_bytes, struct seen *s)
{
	struct journal_batch_limits lim = {.max_entries = max_entries, .max_bytes = max_bytes};
	struct journal_batch_report rep;

	memset(s, 0, sizeof *s);
	assert_int_equal(journal_batch(&f->ctx, after, &lim, record, s, &rep, NULL), AG_OK);
	assert_int_equal(rep.entries, s->count);
	return rep;
}

static int64_t unacked(struct fixture *f)
{
	int64_t n = -1;

	assert_int_equal(journal_unacked_count(&f->ctx, &n, NULL), AG_OK);
	return n;
}

static int64_t cursor(struct fixture *f)
{
	int64_t c = -1;

	assert_int_equal(journal_cursor(&f->ctx, &c, NULL), AG_OK);
	return c;
}

static struct journal_ack_report ack(struct fixture *f, const char *const *ids, size_t n)
{
	struct journal_ack_report rep;

	assert_int_equal(journal_ack(&f->ctx, ids, n, &rep, NULL), AG_OK);
	return rep;
}

/* ---- batches ------------------------------------------------------------------------- */

static void empty_journal_gives_empty_batch(void **state)
{
	struct fixture *f = *state;
	struct seen s;
	struct journal_batch_report rep = batch(f, 0, 10, 0, &s);

	assert_int_equal(rep.entries, 0);
	assert_int_equal(rep.last_id, 0);
	assert_int_equal(unacked(f), 0);
	assert_int_equal(cursor(f), 0);
}

static void batches_follow_the_cursor_in_order(void **state)
{
	struct fixture *f = *state;
	struct journal_batch_report rep;
	struct seen s;
	int64_t after = 0, all[10];
	int got = 0;

	for (int i = 0; i < 10; i++)
		add_entry(f, i, 10);
	/* batches of 4: 4, 4, 2, then nothing; ids strictly increasing across batches */
	for (int round = 0; round < 4; round++) {
		rep = batch(f, after, 4, 0, &s);
		assert_int_equal(rep.entries, round < 2 ? 4 : round == 2 ? 2 : 0);
		for (int i = 0; i < s.count; i++) {
			assert_true(s.ids[i] > after);
			assert_true(got == 0 || s.ids[i] > all[got - 1]);
			all[got++] = s.ids[i];
		}
		assert_int_equal(rep.last_id, s.count ? s.ids[s.count - 1] : after);
		after = rep.last_id;
	}
	assert_int_equal(got, 10);
	assert_int_equal(unacked(f), 10); /* reading acknowledges nothing */
}

static void batch_is_bounded_in_bytes(void **state)
{
	struct fixture *f = *state;
	struct seen s;
	struct journal_batch_report rep;
	size_t one;

	for (int i = 0; i < 6; i++)
		add_entry(f, i, 1000);
	rep = batch(f, 0, 1, 0, &s);
	one = rep.bytes;
	assert_true(one > 1000 && one < 1200);
	/* room for two and a half entries: two */
	rep = batch(f, 0, 0, one * 5 / 2, &s);
	assert_int_equal(rep.entries, 2);
	assert_int_equal(rep.bytes, 2 * one);
	/* exactly three fit */
	rep = batch(f, 0, 0, one * 3, &s);
	assert_int_equal(rep.entries, 3);
	/* both bounds: the smaller wins */
	rep = batch(f, 0, 2, one * 3, &s);
	assert_int_equal(rep.entries, 2);
	/* one entry larger than the bound still goes alone, or the sync would stall on it */
	rep = batch(f, 0, 0, 10, &s);
	assert_int_equal(rep.entries, 1);
	assert_int_equal(rep.bytes, one);
	/* and the next batch resumes after it */
	rep = batch(f, rep.last_id, 0, 10, &s);
	assert_int_equal(rep.entries, 1);
	assert_int_equal(s.ids[0], 2);
}

static void visitor_can_stop_the_batch(void **state)
{
	struct fixture *f = *state;
	struct journal_batch_limits lim = {0};
	struct journal_batch_report rep;
	struct seen s = {.stop_after = 3};

	for (int i = 0; i < 5; i++)
		add_entry(f, i, 10);
	assert_int_equal(journal_batch(&f->ctx, 0, &lim, record, &s, &rep, NULL), AG_OK);
	assert_int_equal(rep.entries, 3);
	assert_int_equal(rep.last_id, s.ids[2]);
	/* no limits at all: everything */
	assert_int_equal(batch(f, 0, 0, 0, &s).entries, 5);
}

/* ---- acknowledgements ---------------------------------------------------------------- */

static void ack_by_entry_ids(void **state)
{
	struct fixture *f = *state;
	struct journal_ack_report rep;
	struct seen s, again;
	const char *ids[3];

	for (int i = 0; i < 5; i++)
		add_entry(f, i, 10);
	batch(f, 0, 3, 0, &s);
	ids[0] = s.entry_ids[0];
	ids[1] = s.entry_ids[1];
	ids[2] = s.entry_ids[2];
	rep = ack(f, ids, 3);
	assert_int_equal(rep.acked, 3);
	assert_int_equal(rep.already, 0);
	assert_int_equal(rep.not_found, 0);
	assert_int_equal(unacked(f), 2);
	assert_int_equal(cursor(f), s.ids[2]);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal WHERE acked = 1"), 3);
	/* a batch from the start now skips what central has */
	batch(f, 0, 0, 0, &again);
	assert_int_equal(again.count, 2);
	assert_int_equal(again.ids[0], s.ids[2] + 1);

	/* the same acknowledgement again (central's answer was lost, it resent it): harmless */
	rep = ack(f, ids, 3);
	assert_int_equal(rep.acked, 0);
	assert_int_equal(rep.already, 3);
	assert_int_equal(unacked(f), 2);
	assert_int_equal(cursor(f), s.ids[2]);
}

static void unknown_ids_are_counted_not_fatal(void **state)
{
	struct fixture *f = *state;
	struct journal_ack_report rep;
	struct seen s;
	const char *ids[4] = {"00000000-0000-4000-8000-000000000000", NULL, "", NULL};

	add_entry(f, 1, 10);
	batch(f, 0, 0, 0, &s);
	ids[3] = s.entry_ids[0];
	rep = ack(f, ids, 4);
	assert_int_equal(rep.acked, 1);
	assert_int_equal(rep.already, 0);
	assert_int_equal(rep.not_found, 3);
	assert_int_equal(unacked(f), 0);
	/* nothing to acknowledge at all */
	rep = ack(f, NULL, 0);
	assert_int_equal(rep.acked + rep.already + rep.not_found, 0);
}

/* One transaction: an acknowledgement that fails half-way marks nothing. */
static void failed_ack_marks_nothing(void **state)
{
	struct fixture *f = *state;
	struct journal_ack_report rep = {.acked = 7};
	struct seen s;
	const char *ids[3];

	for (int i = 0; i < 3; i++)
		add_entry(f, i, 10);
	batch(f, 0, 0, 0, &s);
	/* the store refuses to mark the third entry (as a full disk or an I/O error would) */
	assert_int_equal(fixture_sql(f, "CREATE TRIGGER refuse BEFORE UPDATE OF acked ON journal"
	                                " WHEN OLD.id = 3 BEGIN SELECT RAISE(ABORT, 'no'); END"),
	                 SQLITE_OK);
	ids[0] = s.entry_ids[0];
	ids[1] = s.entry_ids[1];
	ids[2] = s.entry_ids[2];
	assert_int_not_equal(journal_ack(&f->ctx, ids, 3, &rep, NULL), AG_OK);
	assert_int_equal(rep.acked + rep.already + rep.not_found, 0);
	assert_int_equal(unacked(f), 3);
	assert_int_equal(cursor(f), 0);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM sync_state"), 0);
	/* without the third, the first two go through */
	assert_int_equal(ack(f, ids, 2).acked, 2);
	assert_int_equal(unacked(f), 1);
}

/* Central may acknowledge out of order: the cursor waits for the gap, batches skip what it has. */
static void out_of_order_ack_keeps_the_gap(void **state)
{
	struct fixture *f = *state;
	struct seen s, left;
	const char *late[2], *gap[1];

	for (int i = 0; i < 5; i++)
		add_entry(f, i, 10);
	batch(f, 0, 0, 0, &s);
	late[0] = s.entry_ids[2];
	late[1] = s.entry_ids[3];
	assert_int_equal(ack(f, late, 2).acked, 2);
	assert_int_equal(cursor(f), 0); /* entries 1 and 2 still unacknowledged */
	batch(f, 0, 0, 0, &left);
	assert_int_equal(left.count, 3);
	assert_int_equal(left.ids[0], s.ids[0]);
	assert_int_equal(left.ids[1], s.ids[1]);
	assert_int_equal(left.ids[2], s.ids[4]);
	gap[0] = s.entry_ids[0];
	assert_int_equal(ack(f, gap, 1).acked, 1);
	assert_int_equal(cursor(f), s.ids[0]);
	gap[0] = s.entry_ids[1];
	assert_int_equal(ack(f, gap, 1).acked, 1);
	assert_int_equal(cursor(f), s.ids[3]); /* jumps over the two acknowledged earlier */
	assert_int_equal(unacked(f), 1);
}

/* A journal pruned under the cursor (a later clean-up) makes the walk longer, never skip. */
static void cursor_entry_gone_falls_back_to_full_walk(void **state)
{
	struct fixture *f = *state;
	struct seen s;
	const char *ids[2];

	for (int i = 0; i < 4; i++)
		add_entry(f, i, 10);
	batch(f, 0, 2, 0, &s);
	ids[0] = s.entry_ids[0];
	ids[1] = s.entry_ids[1];
	assert_int_equal(ack(f, ids, 2).acked, 2);
	assert_int_equal(fixture_sql(f, "DELETE FROM journal WHERE acked = 1"), SQLITE_OK);
	assert_int_equal(cursor(f), s.ids[1]); /* first unacknowledged - 1, found by walking */
	assert_int_equal(batch(f, 0, 0, 0, &s).entries, 2);
	assert_int_equal(unacked(f), 2);
}

/* A process that acknowledges and dies without closing: the next one resumes from its ack. */
static void ack_survives_a_process_killed_after_commit(void **state)
{
	struct fixture *f = *state;
	struct seen s;
	agenda_rng rng;
	pid_t pid;
	int status;

	for (int i = 0; i < 6; i++)
		add_entry(f, i, 10);
	batch(f, 0, 4, 0, &s);
	rng = f->ctx.rng;
	agenda_ctx_close(&f->ctx);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		agenda_ctx ctx;
		struct rng_state *rs;
		struct journal_ack_report rep;
		const char *ids[4] = {s.entry_ids[0], s.entry_ids[1], s.entry_ids[2],
		                      s.entry_ids[3]};

		if (rng_open_seeded(&rng, &rs, 7) != AG_OK ||
		    agenda_ctx_open_with(&ctx, f->path, STORE_OPEN_EXISTING, clock_fixed(&f->now),
		                         rng, NULL) != AG_OK ||
		    journal_ack(&ctx, ids, 4, &rep, NULL) != AG_OK || rep.acked != 4)
			_exit(1);
		_exit(0); /* no close, no checkpoint: only the committed WAL */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(agenda_ctx_open_with(&f->ctx, f->path, STORE_OPEN_EXISTING,
	                                      clock_fixed(&f->now), rng, NULL),
	                 AG_OK);
	assert_int_equal(cursor(f), s.ids[3]);
	assert_int_equal(unacked(f), 2);
	batch(f, cursor(f), 0, 0, &s);
	assert_int_equal(s.count, 2);
}

/* ---- the payload builder ------------------------------------------------------------- */

static const char ENTRY[] = "11111111-2222-4333-8444-555555555555";
static const char DEVICE[] = "dev-1";
static const int64_t AT = 1777878000; /* 2026-05-04 09:00 Rome */

/* Seals payload and compares it with the expected JSON, byte for byte. */
static void assert_sealed(json_t *payload, const char *kind, const char *expected)
{
	char *text = journal_payload_seal(payload, ENTRY, kind, DEVICE, AT);

	assert_non_null(text);
	assert_string_equal(text, expected);
	free(text);
	json_decref(payload);
}

static struct booking sample_booking(void)
{
	struct booking b = {.id = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
	                    .numero_pratica = "RM/2026/000001",
	                    .questura = "RM",
	                    .day = 20578, /* 2026-05-05 */
	                    .minute = 9 * 60 + 20,
	                    .operator_username = "mario.rossi"};
	return b;
}

static void payload_of_each_kind(void **state)
{
	struct booking b = sample_booking();

	(void)state;
	assert_sealed(journal_payload_book(&b), JOURNAL_KIND_BOOK,
	              "{\"appointment_id\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\","
	              "\"at\":1777878000,\"date\":\"2026-05-05\",\"device\":\"dev-1\","
	              "\"entry_id\":\"11111111-2222-4333-8444-555555555555\",\"kind\":\"book\","
	              "\"modello209\":false,\"numero_pratica\":\"RM/2026/000001\","
	              "\"operator\":\"mario.rossi\",\"questura\":\"RM\",\"time\":\"09:20\"}");
	b.deferred = true;
	b.deferred_from = 20577;
	b.modello209 = true;
	assert_sealed(journal_payload_book(&b), JOURNAL_KIND_BOOK,
	              "{\"appointment_id\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\","
	              "\"at\":1777878000,\"date\":\"2026-05-05\",\"deferred_from\":\"2026-05-04\","
	              "\"device\":\"dev-1\",\"entry_id\":\"11111111-2222-4333-8444-555555555555\","
	              "\"kind\":\"book\",\"modello209\":true,\"numero_pratica\":\"RM/2026/000001\","
	              "\"operator\":\"mario.rossi\",\"questura\":\"RM\",\"time\":\"09:20\"}");
	/* a move says what it replaces and why; deferral is not part of it (it never was) */
	assert_sealed(journal_payload_move(&b, "old-id", "malattia"), JOURNAL_KIND_MOVE,
	              "{\"appointment_id\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\","
	              "\"at\":1777878000,\"date\":\"2026-05-05\",\"device\":\"dev-1\","
	              "\"entry_id\":\"11111111-2222-4333-8444-555555555555\",\"kind\":\"move\","
	              "\"modello209\":true,\"numero_pratica\":\"RM/2026/000001\","
	              "\"operator\":\"mario.rossi\",\"questura\":\"RM\",\"reason\":\"malattia\","
	              "\"replaces\":\"old-id\",\"time\":\"09:20\"}");
	assert_sealed(journal_payload_cancel(b.id, "rinuncia", "mario.rossi"), JOURNAL_KIND_CANCEL,
	              "{\"appointment_id\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\","
	              "\"at\":1777878000,\"device\":\"dev-1\","
	              "\"entry_id\":\"11111111-2222-4333-8444-555555555555\",\"kind\":\"cancel\","
	              "\"operator\":\"mario.rossi\",\"reason\":\"rinuncia\"}");
	assert_sealed(journal_payload_print(b.id, "mario.rossi", 2), JOURNAL_KIND_PRINT,
	              "{\"appointment_id\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\","
	              "\"at\":1777878000,\"device\":\"dev-1\","
	              "\"entry_id\":\"11111111-2222-4333-8444-555555555555\",\"kind\":\"print\","
	              "\"operator\":\"mario.rossi\",\"prints\":2}");
	assert_sealed(journal_payload_print(b.id, "mario.rossi", 1), JOURNAL_KIND_MODELLO209,
	              "{\"appointment_id\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\","
	              "\"at\":1777878000,\"device\":\"dev-1\","
	              "\"entry_id\":\"11111111-2222-4333-8444-555555555555\","
	              "\"kind\":\"modello209\",\"operator\":\"mario.rossi\",\"prints\":1}");
	assert_sealed(journal_payload_print_failed(b.id, "paper_out"), JOURNAL_KIND_PRINT_FAILED,
	              "{\"appointment_id\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\","
	              "\"at\":1777878000,\"device\":\"dev-1\","
	              "\"entry_id\":\"11111111-2222-4333-8444-555555555555\","
	              "\"kind\":\"print_failed\",\"reason\":\"paper_out\"}");
	assert_sealed(journal_payload_print_failed(b.id, NULL), JOURNAL_KIND_PRINT_FAILED,
	              "{\"appointment_id\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\","
	              "\"at\":1777878000,\"device\":\"dev-1\","
	              "\"entry_id\":\"11111111-2222-4333-8444-555555555555\","
	              "\"kind\":\"print_failed\",\"reason\":\"\"}");
	assert_sealed(journal_payload_close_day(20577, 2, 14, 3), JOURNAL_KIND_CLOSE_DAY,
	              "{\"appointments\":14,\"at\":1777878000,\"cancellations\":3,"
	              "\"day\":\"2026-05-04\",\"device\":\"dev-1\","
	              "\"entry_id\":\"11111111-2222-4333-8444-555555555555\","
	              "\"kind\":\"close_day\",\"version\":2}");
	assert_null(journal_payload_seal(NULL, ENTRY, "book", DEVICE, AT));
}

/* Reads one stored entry of a kind: its entry id and payload (caller frees the payload). */
static char *stored(struct fixture *f, const char *kind, int nth, char *entry_id)
{
	sqlite3_stmt *st;
	char *payload = NULL;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->ctx.store),
	                                    "SELECT entry_id, payload FROM journal WHERE kind = ?"
	                                    " ORDER BY id LIMIT 1 OFFSET ?",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, nth);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(entry_id, JOURNAL_ENTRY_ID_MAX, "%s", sqlite3_column_text(st, 0));
		payload = strdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	assert_non_null(payload);
	return payload;
}

/* What the services store is what the builder makes, sealed with the entry's id and time. */
static void services_store_the_builders_json(void **state)
{
	struct fixture *f = *state;
	struct booking a, moved;
	struct day_close_report close;
	char entry_id[JOURNAL_ENTRY_ID_MAX], *text, *want;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_record_print(&f->ctx, &f->op, a.id, NULL), AG_OK);
	assert_int_equal(booking_record_modello209(&f->ctx, &f->op, a.id, NULL), AG_OK);
	assert_int_equal(
	        convocation_record(&f->ctx, &f->op, a.id, PRINT_OUTCOME_FAILED, "paper_out", NULL),
	        AG_OK);
	assert_int_equal(booking_move(&f->ctx, &f->op, a.id, "malattia", NULL, &moved, NULL),
	                 AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, moved.id, "rinuncia", NULL), AG_OK);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &close, NULL), AG_OK);

	struct {
		const char *kind;
		json_t *payload;
	} cases[] = {
	        {JOURNAL_KIND_BOOK, journal_payload_book(&a)},
	        {JOURNAL_KIND_PRINT, journal_payload_print(a.id, "mario.rossi", 1)},
	        {JOURNAL_KIND_MODELLO209, journal_payload_print(a.id, "mario.rossi", 1)},
	        {JOURNAL_KIND_PRINT_FAILED, journal_payload_print_failed(a.id, "paper_out")},
	        {JOURNAL_KIND_MOVE, journal_payload_move(&moved, a.id, "malattia")},
	        {JOURNAL_KIND_CANCEL, journal_payload_cancel(moved.id, "rinuncia", "mario.rossi")},
	        {JOURNAL_KIND_CLOSE_DAY,
	         journal_payload_close_day(MAY4, close.version, close.appointments,
	                                   close.cancellations)},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		text = stored(f, cases[i].kind, 0, entry_id);
		want = journal_payload_seal(cases[i].payload, entry_id, cases[i].kind,
		                            f->ctx.device_id, f->now);
		assert_string_equal(text, want);
		free(text);
		free(want);
		json_decref(cases[i].payload);
	}
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal"), 7);
	/* no applicant's name anywhere in the journal (I7) */
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal WHERE payload GLOB"
	                                  " '*ROSSI*' OR payload GLOB '*Aïcha*'"),
	                 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(empty_journal_gives_empty_batch),
	        T(batches_follow_the_cursor_in_order),
	        T(batch_is_bounded_in_bytes),
	        T(visitor_can_stop_the_batch),
	        T(ack_by_entry_ids),
	        T(unknown_ids_are_counted_not_fatal),
	        T(failed_ack_marks_nothing),
	        T(out_of_order_ack_keeps_the_gap),
	        T(cursor_entry_gone_falls_back_to_full_walk),
	        T(ack_survives_a_process_killed_after_commit),
	        cmocka_unit_test(payload_of_each_kind),
	        T(services_store_the_builders_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
