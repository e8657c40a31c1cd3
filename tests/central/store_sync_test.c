/*
 * store_sync_test.c — central's sync round and grant (central/central_sync.h) on a real store,
 * the same tests on each backend, as store_test.c runs them:
 *   central_store_sync_test sqlite        a fresh SQLite file per test
 *   central_store_sync_test postgresql    a fresh database per test (with_postgres.sh)
 * Two sites (ROMA serves RM, MILANO serves MI), devices ROMA-0001, ROMA-0002, MILANO-0001, a pool
 * of RM slots from Monday 2026-05-04, and fixed times. Each test drives rounds as the HTTP route
 * will, with requests built as a device builds them, and looks at the tables behind the API.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <mbedtls/sha256.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_change_admin.h"
#include "central_changes.h"
#include "central_sync.h"
#include "core/date.h"
#include "platform/clock.h"
#include "schema.h"
#include "store.h"
#include "store_admin.h"
#include "store_fixture.h"
#include "store_sync.h"

static struct store_fixture fx = {.prefix = "sync"};

#define ROMA_A "ROMA-0001"
#define ROMA_B "ROMA-0002"
#define MILANO "MILANO-0001"
#define LEASE  (48 * 3600)
#define MARGIN (10 * 60)

static agenda_day monday; /* 2026-05-04 */
static int64_t now0;      /* that Monday at 08:00 in Rome */
static int serial;        /* numbers the entry and appointment ids of a test */

static int fresh_store(void **state)
{
	(void)state;
	serial = 0;
	return store_fixture_fresh(&fx);
}

static int drop_store(void **state)
{
	(void)state;
	return store_fixture_drop(&fx);
}

/* Runs sql (printf-style) through the store's own statement seam; the first cell as a number. */
static int64_t val(central_store *s, const char *fmt, ...)
{
	char sql[1024];
	struct central_rows rows = {0};
	agenda_detail why;
	int64_t v = -1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	agenda_detail_clear(&why);
	if (central_sync_query(s, sql, 0, NULL, &rows, NULL, &why) != AG_OK)
		fail_msg("%s: %s", sql, why.en);
	if (rows.n_rows > 0 && rows.n_cols > 0)
		v = central_rows_int(&rows, 0, 0);
	central_rows_free(&rows);
	return v;
}

static void add_device(central_store *s, const char *id, const char *site)
{
	val(s,
	    "INSERT INTO device(id, site, public_key_sha256, certificate, not_after, enrolled_at)"
	    " VALUES('%s', '%s', '%064d', 'PEM', 2000000000, 1)",
	    id, site, 0);
}

/* Schema, Questure RM and MI, sites, devices, and per_day RM slots a day (09:00, every 20
 * minutes) on the days Monday..Monday+days-1. */
static central_store *open_store(int days, int per_day)
{
	central_site roma = {.code = "ROMA",
	                     .city = "Roma",
	                     .dirigente = "d@roma.it",
	                     .provinces = {"RM"},
	                     .province_count = 1,
	                     .created_at = 1};
	central_site milano = {.code = "MILANO",
	                       .city = "Milano",
	                       .dirigente = "d@milano.it",
	                       .provinces = {"MI"},
	                       .province_count = 1,
	                       .created_at = 1};
	central_questura rm = {.code = "RM", .name = "Questura di Roma"};
	central_questura mi = {.code = "MI", .name = "Questura di Milano"};
	central_store *s = NULL;
	agenda_detail why;
	int minutes[64];

	agenda_detail_clear(&why);
	monday = date_from_ymd(2026, 5, 4);
	now0 = clock_epoch_of(monday, 8 * 60);
	if (central_store_open(fx.target, &s, &why) != AG_OK)
		fail_msg("open %s: %s", fx.target, why.en);
	assert_int_equal(central_store_create_schema(s, NULL, NULL), AG_OK);
	assert_int_equal(central_store_add_questura_full(s, &rm, NULL), AG_OK);
	assert_int_equal(central_store_add_questura_full(s, &mi, NULL), AG_OK);
	assert_int_equal(central_store_add_site(s, &roma, NULL), AG_OK);
	assert_int_equal(central_store_add_site(s, &milano, NULL), AG_OK);
	add_device(s, ROMA_A, "ROMA");
	add_device(s, ROMA_B, "ROMA");
	add_device(s, MILANO, "MILANO");
	for (int i = 0; i < per_day; i++)
		minutes[i] = 540 + 20 * i;
	for (int d = 0; d < days; d++)
		assert_int_equal(central_store_add_slots(s, "RM", monday + d, minutes,
		                                         (size_t)per_day, NULL, NULL),
		                 AG_OK);
	return s;
}

static struct central_sync_config config(void)
{
	struct central_sync_config cfg = {
	        .lease_seconds = LEASE, .margin_seconds = MARGIN, .max_grants = 2000};
	return cfg;
}

/* An empty request of device at cursor, its audit head at 0. */
static struct sync_request request(const char *device, int64_t cursor)
{
	struct sync_request r;

	memset(&r, 0, sizeof r);
	r.version = 1;
	snprintf(r.device_id, sizeof r.device_id, "%s", device);
	r.cursor = cursor;
	memset(r.audit_hash, '0', 64);
	memset(r.audit_anchor_hash, '0', 64);
	/* the digest of a device that holds nothing: SHA-256 of no lines */
	snprintf(r.digest, sizeof r.digest, "%s",
	         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	return r;
}

static void demand(struct sync_request *r, const char *questura, int slots)
{
	r->demand = realloc(r->demand, (r->n_demand + 1) * sizeof *r->demand);
	memset(&r->demand[r->n_demand], 0, sizeof *r->demand);
	snprintf(r->demand[r->n_demand].questura, SYNC_NAME_SIZE, "%s", questura);
	r->demand[r->n_demand].days = 10;
	r->demand[r->n_demand++].slots = slots;
}

static void uuid(char out[SYNC_UUID_SIZE], int n)
{
	snprintf(out, SYNC_UUID_SIZE, "00000000-0000-4000-8000-%012d", n);
}

/* Adds an entry of kind with payload (stolen); its entry id is returned (static per call). */
static const char *entry(struct sync_request *r, const char *kind, json_t *payload)
{
	struct sync_entry *e;

	r->entries = realloc(r->entries, (r->n_entries + 1) * sizeof *r->entries);
	e = &r->entries[r->n_entries++];
	memset(e, 0, sizeof *e);
	uuid(e->entry_id, ++serial);
	e->seq = (int64_t)r->n_entries;
	snprintf(e->kind, sizeof e->kind, "%s", kind);
	json_object_set_new(payload, "entry_id", json_string(e->entry_id));
	json_object_set_new(payload, "kind", json_string(kind));
	e->payload = payload;
	return e->entry_id;
}

/* A book entry of device for practice at (day offset, minute); appointment id into appt. */
static const char *book(struct sync_request *r, const char *practice, int day_offset, int minute,
                        int64_t at, char appt[SYNC_UUID_SIZE])
{
	char date[11], time[16], id[SYNC_UUID_SIZE];

	uuid(id, 1000 + ++serial);
	if (appt)
		snprintf(appt, SYNC_UUID_SIZE, "%s", id);
	date_format(monday + day_offset, date, sizeof date);
	snprintf(time, sizeof time, "%02d:%02d", minute / 60, minute % 60);
	return entry(r, "book",
	             json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:b}", "appointment_id",
	                       id, "device", r->device_id, "numero_pratica", practice, "questura",
	                       "RM", "date", date, "time", time, "at", (json_int_t)at, "operator",
	                       "mario.rossi", "modello209", 0));
}

static struct sync_response run(central_store *s, struct sync_request *req, int64_t now,
                                struct central_round_report *rep)
{
	struct central_sync_config cfg = config();
	struct sync_response res;
	agenda_detail why;

	agenda_detail_clear(&why);
	if (central_sync_round(s, req->device_id, req, &cfg, now, &res, rep, &why) != AG_OK)
		fail_msg("round of %s: %s", req->device_id, why.en);
	return res;
}

static size_t count_type(const struct sync_response *res, enum sync_change_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < res->n_changes; i++)
		n += res->changes[i].type == type;
	return n;
}

static const struct sync_revoke *revoke_of(const struct sync_response *res, int64_t slot)
{
	for (size_t i = 0; i < res->n_changes; i++)
		if (res->changes[i].type == SYNC_CHANGE_REVOKE &&
		    res->changes[i].u.revoke.slot_id == slot)
			return &res->changes[i].u.revoke;
	return NULL;
}

static int64_t slot_at(central_store *s, int day_offset, int minute)
{
	return val(s, "SELECT id FROM slot WHERE questura = 'RM' AND day = %d AND minute = %d",
	           (int)(monday + day_offset), minute);
}

/* Grants n slots to device (a round with that demand); the response's cursor. */
static int64_t hold(central_store *s, const char *device, int n, int64_t now)
{
	struct sync_request req = request(device, 0);
	struct sync_response res;
	int64_t cursor;

	demand(&req, "RM", n);
	res = run(s, &req, now, NULL);
	cursor = res.cursor;
	sync_request_free(&req);
	sync_response_free(&res);
	return cursor;
}

static void a_repeated_round_changes_nothing_and_acknowledges_again(void **state)
{
	central_store *s = open_store(2, 4);
	struct sync_request req;
	struct sync_response res;
	struct central_round_report rep;
	int64_t cursor;

	(void)state;
	cursor = hold(s, ROMA_A, 2, now0);
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder = '%s'", ROMA_A), 2);
	req = request(ROMA_A, cursor);
	book(&req, "RM/2026/000001", 0, 540, now0 + 60, NULL);
	entry(&req, "print", json_pack("{s:s}", "device", ROMA_A));
	/* a device repeating an entry within one request: applied once too */
	req.entries = realloc(req.entries, 3 * sizeof *req.entries);
	req.entries[2] = req.entries[0];
	json_incref(req.entries[2].payload);
	req.n_entries = 3;
	for (int round = 0; round < 2; round++) {
		res = run(s, &req, now0 + 120, &rep);
		assert_int_equal(res.n_acks, 3);
		assert_int_equal(res.n_conflicts, 0);
		assert_string_equal(res.acks[0], req.entries[0].entry_id);
		assert_string_equal(res.acks[2], req.entries[0].entry_id);
		assert_int_equal(rep.applied, round == 0 ? 2 : 0);
		assert_int_equal(rep.repeated, round == 0 ? 1 : 3);
		assert_int_equal(res.now, now0 + 120);
		assert_int_equal(res.lease_end, now0 + 120 + LEASE);
		sync_response_free(&res);
		assert_int_equal(val(s, "SELECT count(*) FROM appointment"), 1);
		assert_int_equal(val(s, "SELECT count(*) FROM journal_applied"), 2);
		assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder = '%s'", ROMA_A),
		                 2);
	}
	assert_int_equal(val(s,
	                     "SELECT count(*) FROM appointment WHERE state = 'confirmed'"
	                     " AND slot_id = %lld",
	                     (long long)slot_at(s, 0, 540)),
	                 1);
	sync_request_free(&req);
	central_store_close(s);
}

struct racer {
	const char *device;
	const char *target;
	size_t granted;
	int64_t ids[64];
	agenda_err err;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct central_sync_config cfg = config();
	struct sync_request req = request(r->device, 0);
	struct sync_response res;
	central_store *s = NULL;

	demand(&req, "RM", 40);
	r->err = central_store_open(r->target, &s, NULL);
	if (r->err == AG_OK)
		r->err = central_sync_round(s, r->device, &req, &cfg, now0, &res, NULL, NULL);
	for (size_t i = 0; r->err == AG_OK && i < res.n_changes && r->granted < 64; i++)
		if (res.changes[i].type == SYNC_CHANGE_GRANT)
			r->ids[r->granted++] = res.changes[i].u.grant.slot_id;
	if (r->err == AG_OK)
		sync_response_free(&res);
	sync_request_free(&req);
	central_store_close(s);
	return NULL;
}

static void two_devices_demanding_at_once_never_share_a_slot(void **state)
{
	central_store *s = open_store(5, 10); /* 50 slots, 80 asked */
	struct racer racers[2] = {{.device = ROMA_A, .target = fx.target},
	                          {.device = ROMA_B, .target = fx.target}};
	pthread_t threads[2];

	(void)state;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, race, &racers[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	assert_int_equal(racers[0].err, AG_OK);
	assert_int_equal(racers[1].err, AG_OK);
	assert_int_equal(racers[0].granted + racers[1].granted, 50);
	for (size_t i = 0; i < racers[0].granted; i++)
		for (size_t k = 0; k < racers[1].granted; k++)
			assert_true(racers[0].ids[i] != racers[1].ids[k]);
	assert_int_equal(val(s, "SELECT count(*) FROM change WHERE type = 'grant'"), 50);
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder IS NULL"), 0);
	/* the first to commit got 40, earliest first; the other the 10 left */
	assert_true(racers[0].granted == 40 || racers[1].granted == 40);
	central_store_close(s);
}

static void an_expired_lease_frees_unbooked_slots_with_a_revoke(void **state)
{
	central_store *s = open_store(1, 4);
	struct sync_request req;
	struct sync_response res;
	struct central_round_report rep;
	int64_t cursor = hold(s, ROMA_A, 3, now0), later = now0 + 60 + LEASE + MARGIN + 1;

	(void)state;
	req = request(ROMA_A, cursor);
	book(&req, "RM/2026/000001", 0, 540, now0 + 60, NULL);
	res = run(s, &req, now0 + 60, NULL);
	sync_response_free(&res);
	sync_request_free(&req);
	/* within lease + margin nothing moves, whoever runs a round */
	req = request(ROMA_B, 0);
	res = run(s, &req, later - 1, &rep);
	assert_int_equal(rep.expired, 0);
	sync_response_free(&res);
	/* ROMA-0001 is dead; ROMA-0002's round after the lease ends returns its free slots */
	res = run(s, &req, later, &rep);
	assert_int_equal(rep.expired, 2);
	assert_int_equal(count_type(&res, SYNC_CHANGE_REVOKE), 0); /* not ROMA-0002's */
	sync_response_free(&res);
	sync_request_free(&req);
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder = '%s'", ROMA_A), 1);
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder IS NULL AND id = %lld",
	                     (long long)slot_at(s, 0, 560)),
	                 1);
	/* when it comes back it learns they are gone before anything else */
	req = request(ROMA_A, cursor);
	res = run(s, &req, later + 10, NULL);
	assert_int_equal(count_type(&res, SYNC_CHANGE_REVOKE), 2);
	assert_non_null(revoke_of(&res, slot_at(s, 0, 560)));
	assert_string_equal(revoke_of(&res, slot_at(s, 0, 560))->reason, "lease_expired");
	assert_null(revoke_of(&res, slot_at(s, 0, 540))); /* booked: still its own */
	sync_response_free(&res);
	sync_request_free(&req);
	central_store_close(s);
}

static void releasing_hands_back_only_unbooked_slots(void **state)
{
	central_store *s = open_store(1, 4);
	int64_t cursor = hold(s, ROMA_A, 3, now0);
	struct sync_request req = request(ROMA_A, cursor);
	struct sync_response res;
	struct central_round_report rep;

	(void)state;
	book(&req, "RM/2026/000001", 0, 540, now0 + 60, NULL);
	req.releasing = calloc(3, sizeof *req.releasing);
	req.releasing[0] = slot_at(s, 0, 540); /* booked: stays */
	req.releasing[1] = slot_at(s, 0, 560);
	req.releasing[2] = slot_at(s, 0, 560); /* twice: harmless */
	req.n_releasing = 3;
	res = run(s, &req, now0 + 60, &rep);
	assert_int_equal(rep.released, 1);
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder = '%s'", ROMA_A), 2);
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder IS NULL AND lease_end IS"
	                        " NULL AND grant_seq IS NULL"),
	                 2);
	sync_response_free(&res);
	sync_request_free(&req);
	central_store_close(s);
}

/* ROMA-0001 books P at at_a on 09:00, ROMA-0002 the same P at at_b on 09:20, in that order. */
static void duplicate(central_store *s, int64_t at_a, int64_t at_b, struct sync_response *a,
                      struct sync_response *b)
{
	int64_t cursor_a = hold(s, ROMA_A, 1, now0), cursor_b = hold(s, ROMA_B, 1, now0);
	struct sync_request ra = request(ROMA_A, cursor_a), rb = request(ROMA_B, cursor_b);

	book(&ra, "RM/2026/000009", 0, 540, at_a, NULL);
	*a = run(s, &ra, now0 + 300, NULL);
	assert_int_equal(a->n_acks, 1);
	sync_response_free(a);
	book(&rb, "RM/2026/000009", 0, 560, at_b, NULL);
	*b = run(s, &rb, now0 + 400, NULL);
	/* ROMA-0001's next round says what happened to its copy */
	sync_request_free(&ra);
	ra = request(ROMA_A, cursor_b);
	*a = run(s, &ra, now0 + 500, NULL);
	sync_request_free(&ra);
	sync_request_free(&rb);
}

static void the_first_confirmed_keeps_a_practice_booked_twice(void **state)
{
	central_store *s = open_store(1, 4);
	struct sync_response a, b;

	(void)state;
	/* the incoming one is later: it cancels its copy */
	duplicate(s, now0 + 10, now0 + 20, &a, &b);
	assert_int_equal(b.n_conflicts, 1);
	assert_string_equal(b.conflicts[0].reason, "duplicate_practice");
	assert_int_equal(b.conflicts[0].action, SYNC_ACTION_CANCEL_COPY);
	assert_int_equal(count_type(&a, SYNC_CHANGE_REVOKE), 0);
	assert_int_equal(val(s,
	                     "SELECT count(*) FROM appointment WHERE state = 'confirmed' AND"
	                     " device = '%s'",
	                     ROMA_A),
	                 1);
	sync_response_free(&a);
	sync_response_free(&b);
	central_store_close(s);
}

static void an_earlier_booking_arriving_later_wins_and_revokes_the_other(void **state)
{
	central_store *s = open_store(1, 4);
	struct sync_response a, b;
	const struct sync_revoke *r;

	(void)state;
	duplicate(s, now0 + 20, now0 + 10, &a, &b);
	assert_int_equal(b.n_acks, 1);
	assert_int_equal(b.n_conflicts, 0);
	r = revoke_of(&a, slot_at(s, 0, 540));
	assert_non_null(r);
	assert_string_equal(r->reason, "duplicate_practice");
	assert_int_equal(val(s, "SELECT count(*) FROM appointment WHERE state = 'confirmed'"), 1);
	assert_int_equal(val(s,
	                     "SELECT count(*) FROM appointment WHERE state = 'cancelled' AND"
	                     " device = '%s'",
	                     ROMA_A),
	                 1);
	sync_response_free(&a);
	sync_response_free(&b);
	central_store_close(s);
}

static void a_tie_goes_to_the_smaller_entry_id(void **state)
{
	central_store *s = open_store(1, 4);
	struct sync_response a, b;

	(void)state;
	/* same `at`: ROMA-0001's entry id was made first, so it is the smaller one */
	duplicate(s, now0 + 10, now0 + 10, &a, &b);
	assert_int_equal(b.n_conflicts, 1);
	assert_string_equal(b.conflicts[0].reason, "duplicate_practice");
	sync_response_free(&a);
	sync_response_free(&b);
	central_store_close(s);
}

static void a_slot_held_by_another_device_is_slot_taken(void **state)
{
	central_store *s = open_store(1, 4);
	int64_t cursor = hold(s, ROMA_A, 1, now0); /* 09:00 */
	struct sync_request req = request(ROMA_B, cursor);
	struct sync_response res;

	(void)state;
	book(&req, "RM/2026/000002", 0, 540, now0 + 30, NULL);
	book(&req, "RM/2026/000003", 0, 600, now0 + 30, NULL); /* in the pool: becomes its own */
	book(&req, "RM/2026/000004", 0, 700, now0 + 30, NULL); /* unknown: made its own */
	res = run(s, &req, now0 + 60, NULL);
	assert_int_equal(res.n_conflicts, 1);
	assert_string_equal(res.conflicts[0].entry_id, req.entries[0].entry_id);
	assert_string_equal(res.conflicts[0].reason, "slot_taken");
	assert_int_equal(res.conflicts[0].action, SYNC_ACTION_WORKLIST);
	assert_int_equal(res.n_acks, 2);
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder = '%s'", ROMA_B), 2);
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder = '%s' AND id = %lld",
	                     ROMA_A, (long long)slot_at(s, 0, 540)),
	                 1);
	sync_response_free(&res);
	sync_request_free(&req);
	/* a payload without its fields: invalid, the round goes on */
	req = request(ROMA_B, 0);
	entry(&req, "book", json_pack("{s:s}", "device", ROMA_A));
	entry(&req, "book", json_pack("{s:s}", "device", ROMA_B));
	res = run(s, &req, now0 + 60, NULL);
	assert_int_equal(res.n_conflicts, 2);
	assert_string_equal(res.conflicts[0].reason, "invalid");
	assert_string_equal(res.conflicts[1].reason, "invalid");
	sync_response_free(&res);
	sync_request_free(&req);
	/* the payload's `device` is the id the device had before provisioning, or none: the
	 * certificate says whose it is, so both are booked as ROMA_B's */
	req = request(ROMA_B, 0);
	book(&req, "RM/2026/000005", 0, 800, now0 + 30, NULL);
	json_object_set_new(req.entries[req.n_entries - 1].payload, "device",
	                    json_string("LOCALE-0001"));
	book(&req, "RM/2026/000006", 0, 810, now0 + 30, NULL);
	json_object_del(req.entries[req.n_entries - 1].payload, "device");
	res = run(s, &req, now0 + 60, NULL);
	assert_int_equal(res.n_conflicts, 0);
	assert_int_equal(res.n_acks, 2);
	assert_int_equal(
	        val(s,
	            "SELECT count(*) FROM appointment WHERE device = '%s' AND state ="
	            " 'confirmed' AND numero_pratica IN ('RM/2026/000005', 'RM/2026/000006')",
	            ROMA_B),
	        2);
	sync_response_free(&res);
	sync_request_free(&req);
	central_store_close(s);
}

/* Entries of one request are applied as a batch: each must see what the earlier ones did. */
static void entries_of_one_request_see_each_other(void **state)
{
	central_store *s = open_store(1, 1); /* Monday 09:00 in the pool; the rest unknown */
	struct sync_request req = request(ROMA_A, 0);
	struct sync_response res;
	char a1[SYNC_UUID_SIZE], a2[SYNC_UUID_SIZE], a3[SYNC_UUID_SIZE], a4[SYNC_UUID_SIZE];
	struct sync_entry *move;
	const struct sync_revoke *revoked;

	(void)state;
	book(&req, "RM/2026/000001", 0, 600, now0 + 10, a1); /* unknown slot: made */
	book(&req, "RM/2026/000001", 0, 620, now0 + 11, a2); /* ... moved to 10:20 */
	move = &req.entries[req.n_entries - 1];
	snprintf(move->kind, sizeof move->kind, "move");
	json_object_set_new(move->payload, "kind", json_string("move"));
	json_object_set_new(move->payload, "replaces", json_string(a1));
	book(&req, "RM/2026/000002", 0, 600, now0 + 20, a3);   /* the slot the move left */
	book(&req, "RM/2026/000002", 0, 640, now0 + 5, a4);    /* earlier: wins, a3 cancelled */
	book(&req, "RM/2026/000003", 0, 640, now0 + 30, NULL); /* a4's slot: slot_taken */
	entry(&req, "cancel", json_pack("{s:s}", "appointment_id", a2));
	book(&req, "RM/2026/000003", 0, 540, now0 + 31, NULL); /* the pool slot: taken */
	res = run(s, &req, now0 + 60, NULL);
	assert_int_equal(res.n_acks, 6);
	assert_int_equal(res.n_conflicts, 1);
	assert_string_equal(res.conflicts[0].entry_id, req.entries[4].entry_id);
	assert_string_equal(res.conflicts[0].reason, "slot_taken");
	assert_int_equal(
	        val(s, "SELECT count(*) FROM appointment WHERE id = '%s' AND state = 'moved'", a1),
	        1);
	assert_int_equal(val(s,
	                     "SELECT count(*) FROM appointment WHERE id IN ('%s', '%s')"
	                     " AND state = 'cancelled'",
	                     a2, a3),
	                 2);
	assert_int_equal(val(s,
	                     "SELECT slot_id FROM appointment WHERE id = '%s' AND state ="
	                     " 'confirmed'",
	                     a4),
	                 slot_at(s, 0, 640));
	assert_int_equal(val(s, "SELECT count(*) FROM appointment WHERE state = 'confirmed'"), 2);
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder = '%s'", ROMA_A), 4);
	/* the revoke names the slot made in this very batch by its real id */
	revoked = revoke_of(&res, slot_at(s, 0, 600));
	assert_non_null(revoked);
	assert_string_equal(revoked->reason, "duplicate_practice");
	sync_response_free(&res);
	sync_request_free(&req);
	central_store_close(s);
}

static void a_late_closure_revokes_granted_slots_and_keeps_booked_ones(void **state)
{
	central_store *s = open_store(2, 3);
	int64_t cursor = hold(s, ROMA_A, 4, now0); /* Monday 09:00, 09:20, 09:40, Tuesday 09:00 */
	struct sync_request req = request(ROMA_A, cursor);
	struct sync_response res;
	size_t removed = 0, held = 0;

	(void)state;
	book(&req, "RM/2026/000001", 0, 540, now0 + 60, NULL);
	res = run(s, &req, now0 + 60, NULL);
	cursor = res.cursor;
	sync_response_free(&res);
	sync_request_free(&req);
	assert_int_equal(central_store_put_closure(s, "RM", monday, false, "Sciopero", &removed,
	                                           &held, NULL),
	                 AG_OK);
	req = request(ROMA_A, cursor);
	res = run(s, &req, now0 + 120, NULL);
	assert_int_equal(count_type(&res, SYNC_CHANGE_CAPACITY), 1);
	assert_int_equal(count_type(&res, SYNC_CHANGE_REVOKE), 3);
	for (size_t i = 0; i < res.n_changes; i++)
		if (res.changes[i].type == SYNC_CHANGE_REVOKE)
			assert_string_equal(res.changes[i].u.revoke.reason, "closure");
	sync_response_free(&res);
	sync_request_free(&req);
	/* the booked one stays the device's; the two free ones are gone */
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE day = %d", (int)monday), 1);
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder = '%s'", ROMA_A), 2);
	/* MILANO's device serves MI: the RM closure is none of its business */
	req = request(MILANO, 0);
	res = run(s, &req, now0 + 120, NULL);
	assert_int_equal(count_type(&res, SYNC_CHANGE_CAPACITY), 0);
	sync_response_free(&res);
	sync_request_free(&req);
	central_store_close(s);
}

static void a_withdrawn_practice_revokes_its_appointment(void **state)
{
	central_store *s = open_store(1, 3);
	struct practice_row row = {.numero_pratica = "RM/2026/000001",
	                           .cognome = "ROSSI",
	                           .nome = "MARIO",
	                           .data_nascita = 7000,
	                           .nazionalita = "ALBANIA",
	                           .tipo = "lavoro",
	                           .questura = "RM"};
	int64_t cursor = hold(s, ROMA_A, 2, now0);
	struct sync_request req = request(ROMA_A, cursor);
	struct sync_response res;
	bool taken = false, cancelled = false;
	size_t written = 0;

	(void)state;
	assert_int_equal(central_store_upsert_practices(s, &row, 1, now0, &taken, &written, NULL),
	                 AG_OK);
	/* the same row again is no change */
	assert_int_equal(central_store_upsert_practices(s, &row, 1, now0, &taken, &written, NULL),
	                 AG_OK);
	assert_int_equal(val(s, "SELECT count(*) FROM change WHERE type = 'practice'"), 1);
	book(&req, "RM/2026/000001", 0, 560, now0 + 60, NULL);
	res = run(s, &req, now0 + 60, NULL);
	cursor = res.cursor;
	assert_int_equal(count_type(&res, SYNC_CHANGE_PRACTICE), 1);
	sync_response_free(&res);
	sync_request_free(&req);
	assert_int_equal(
	        central_store_withdraw_practice(s, "RM/2026/000001", now0 + 90, &cancelled, NULL),
	        AG_OK);
	assert_true(cancelled);
	assert_int_equal(central_store_withdraw_practice(s, "RM/2099/9", now0, &cancelled, NULL),
	                 AG_ERR_NOT_FOUND);
	req = request(ROMA_A, cursor);
	res = run(s, &req, now0 + 120, NULL);
	assert_int_equal(count_type(&res, SYNC_CHANGE_PRACTICE), 1);
	for (size_t i = 0; i < res.n_changes; i++)
		if (res.changes[i].type == SYNC_CHANGE_PRACTICE)
			assert_string_equal(res.changes[i].u.practice.status, "ritirata");
	assert_non_null(revoke_of(&res, slot_at(s, 0, 560)));
	assert_string_equal(revoke_of(&res, slot_at(s, 0, 560))->reason, "withdrawn");
	assert_int_equal(val(s, "SELECT count(*) FROM appointment WHERE state = 'confirmed'"), 0);
	sync_response_free(&res);
	sync_request_free(&req);
	central_store_close(s);
}

static void changes_go_to_their_devices_only_and_the_cursor_skips_the_rest(void **state)
{
	central_store *s = open_store(1, 3);
	central_operator op = {.username = "mario.rossi",
	                       .role = ROLE_OPERATORE,
	                       .site = "ROMA",
	                       .created_at = 5,
	                       .updated_at = 5};
	struct sync_request req;
	struct sync_response res;
	size_t removed, held;
	int64_t top;

	(void)state;
	hold(s, ROMA_B, 2, now0);
	assert_int_equal(
	        central_store_add_operator(s, &op, "$argon2id$v=19$m=65536,t=2,p=1$x$y", NULL),
	        AG_OK);
	assert_int_equal(
	        central_store_put_closure(s, "MI", monday + 1, false, NULL, &removed, &held, NULL),
	        AG_OK);
	top = val(s, "SELECT max(seq) FROM change");
	/* ROMA-0001: both Questure, the operator; not ROMA-0002's grants, not the MI closure */
	req = request(ROMA_A, 0);
	res = run(s, &req, now0, NULL);
	assert_int_equal(res.n_changes, 3);
	assert_int_equal(count_type(&res, SYNC_CHANGE_QUESTURA), 2);
	assert_int_equal(count_type(&res, SYNC_CHANGE_OPERATOR), 1);
	assert_string_equal(res.changes[2].u.op.password_hash,
	                    "$argon2id$v=19$m=65536,t=2,p=1$x$y");
	assert_false(res.more);
	assert_int_equal(res.cursor, top);
	for (size_t i = 1; i < res.n_changes; i++)
		assert_true(res.changes[i].seq > res.changes[i - 1].seq);
	sync_response_free(&res);
	sync_request_free(&req);
	/* MILANO-0001: the Questure and its closure */
	req = request(MILANO, 0);
	res = run(s, &req, now0, NULL);
	assert_int_equal(res.n_changes, 3);
	assert_int_equal(count_type(&res, SYNC_CHANGE_CAPACITY), 1);
	sync_response_free(&res);
	sync_request_free(&req);
	/* more than a response holds: 1000, more, the cursor at the last one sent */
	assert_int_equal(central_store_begin(s, NULL), AG_OK);
	for (int i = 0; i < 1100; i++) {
		struct sync_change c = {.type = SYNC_CHANGE_REVOKE};

		c.u.revoke.slot_id = 1 + i;
		snprintf(c.u.revoke.reason, sizeof c.u.revoke.reason, "closure");
		assert_int_equal(central_change_add(s, &c, ROMA_A, NULL, NULL, now0, NULL, NULL),
		                 AG_OK);
	}
	assert_int_equal(central_store_commit(s, NULL), AG_OK);
	req = request(ROMA_A, top);
	res = run(s, &req, now0, NULL);
	assert_int_equal(res.n_changes, SYNC_MAX_CHANGES);
	assert_true(res.more);
	assert_int_equal(res.cursor, res.changes[SYNC_MAX_CHANGES - 1].seq);
	req.cursor = res.cursor;
	sync_response_free(&res);
	res = run(s, &req, now0, NULL);
	assert_int_equal(res.n_changes, 100);
	assert_false(res.more);
	sync_response_free(&res);
	sync_request_free(&req);
	central_store_close(s);
}

static void sha256_hex(const char *text, char hex[65])
{
	unsigned char sum[32];

	mbedtls_sha256_ret((const unsigned char *)text, strlen(text), sum, 0);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
}

static void the_digest_is_compared_when_nothing_is_in_flight(void **state)
{
	central_store *s = open_store(1, 3);
	int64_t cursor = hold(s, ROMA_A, 2, now0);
	struct sync_request req = request(ROMA_A, cursor);
	struct sync_response res;
	struct central_round_report rep;
	struct central_device_sync st;
	char appt[SYNC_UUID_SIZE], text[512], hex[65];
	int64_t counts[CENTRAL_ALERT_COUNT];
	bool had = false;

	(void)state;
	book(&req, "RM/2026/000001", 0, 540, now0 + 60, appt);
	res = run(s, &req, now0 + 60, NULL); /* entries in flight: not compared */
	cursor = res.cursor;
	sync_response_free(&res);
	sync_request_free(&req);
	snprintf(text, sizeof text, "a %s RM 2026-05-04 540\ns %lld\ns %lld\n", appt,
	         (long long)slot_at(s, 0, 540), (long long)slot_at(s, 0, 560));
	sha256_hex(text, hex);
	req = request(ROMA_A, cursor);
	memcpy(req.digest, hex, 65);
	res = run(s, &req, now0 + 120, &rep);
	assert_int_equal(rep.alert, CENTRAL_ALERT_NONE);
	sync_response_free(&res);
	req.digest[0] = req.digest[0] == 'a' ? 'b' : 'a';
	res = run(s, &req, now0 + 180, &rep);
	assert_int_equal(rep.alert, CENTRAL_ALERT_DIGEST_MISMATCH);
	sync_response_free(&res);
	sync_request_free(&req);
	assert_int_equal(central_sync_device_state(s, ROMA_A, &st, NULL), AG_OK);
	assert_int_equal(st.alert, CENTRAL_ALERT_DIGEST_MISMATCH);
	assert_int_equal(st.alert_at, now0 + 180);
	assert_int_equal(st.held, 2);
	assert_int_equal(st.last_round_at, now0 + 180);
	assert_int_equal(central_sync_alert_counts(s, counts, NULL), AG_OK);
	assert_int_equal(counts[CENTRAL_ALERT_DIGEST_MISMATCH], 1);
	assert_int_equal(central_sync_clear_alert(s, ROMA_A, &had, NULL), AG_OK);
	assert_true(had);
	assert_int_equal(central_sync_clear_alert(s, ROMA_A, &had, NULL), AG_OK);
	assert_false(had);
	assert_int_equal(central_sync_clear_alert(s, "NESSUNO-1", &had, NULL), AG_ERR_NOT_FOUND);
	assert_int_equal(central_sync_device_state(s, ROMA_A, &st, NULL), AG_OK);
	assert_int_equal(st.alert, CENTRAL_ALERT_NONE);
	central_store_close(s);
}

static void a_cut_or_rewritten_audit_chain_raises_an_alert(void **state)
{
	central_store *s = open_store(1, 1);
	struct sync_request req = request(ROMA_A, 0);
	struct sync_response res;
	struct central_round_report rep;

	(void)state;
	req.audit_seq = 10;
	memset(req.audit_hash, 'a', 64);
	res = run(s, &req, now0, &rep);
	sync_response_free(&res);
	/* the record anchored at 10 has another hash now */
	req.audit_anchor_seq = 10;
	memset(req.audit_anchor_hash, 'b', 64);
	req.audit_seq = 12;
	res = run(s, &req, now0 + 1, &rep);
	assert_int_equal(rep.alert, CENTRAL_ALERT_AUDIT_REWRITTEN);
	sync_response_free(&res);
	sync_request_free(&req);
	/* another device: the same record, then a chain shorter than what was anchored */
	req = request(ROMA_B, 0);
	req.audit_seq = 10;
	memset(req.audit_hash, 'a', 64);
	res = run(s, &req, now0, &rep);
	sync_response_free(&res);
	req.audit_anchor_seq = 10;
	memset(req.audit_anchor_hash, 'a', 64);
	res = run(s, &req, now0 + 1, &rep); /* as it should be */
	assert_int_equal(rep.alert, CENTRAL_ALERT_NONE);
	sync_response_free(&res);
	req.audit_seq = 4;
	res = run(s, &req, now0 + 2, &rep);
	assert_int_equal(rep.alert, CENTRAL_ALERT_AUDIT_CUT);
	sync_response_free(&res);
	/* the first problem is kept */
	req.audit_anchor_seq = 4;
	memset(req.audit_anchor_hash, 'c', 64);
	res = run(s, &req, now0 + 3, &rep);
	sync_response_free(&res);
	sync_request_free(&req);
	assert_int_equal(val(s, "SELECT count(*) FROM device_sync WHERE alert = 'audit_cut'"), 1);
	central_store_close(s);
}

static agenda_err ask(central_store *s, const char *device, int from, int before_day,
                      int before_minute, struct sync_grant_response *out)
{
	struct central_sync_config cfg = config();
	struct sync_grant_request req = {.version = 1, .questura = "RM"};

	date_format(monday + from, req.from_day, sizeof req.from_day);
	date_format(monday + before_day, req.before_day, sizeof req.before_day);
	req.before_minute = before_minute;
	return central_sync_grant(s, device, &req, &cfg, now0 + 30, out, NULL);
}

static void the_grant_gives_the_earliest_pool_slot_before_the_bound(void **state)
{
	central_store *s = open_store(2, 2); /* Monday and Tuesday, 09:00 and 09:20 */
	struct sync_grant_response g;
	struct sync_request req;
	struct sync_response res;

	(void)state;
	hold(s, ROMA_B, 1, now0); /* Monday 09:00 is ROMA-0002's */
	/* nothing strictly before Monday 09:20 is in the pool */
	assert_int_equal(ask(s, ROMA_A, 0, 0, 560, &g), AG_OK);
	assert_false(g.granted);
	assert_int_equal(g.now, now0 + 30);
	assert_int_equal(ask(s, ROMA_A, 0, 1, 540, &g), AG_OK);
	assert_true(g.granted);
	assert_int_equal(g.grant.type, SYNC_CHANGE_GRANT);
	assert_int_equal(g.grant.u.grant.slot_id, slot_at(s, 0, 560));
	assert_string_equal(g.grant.u.grant.day, "2026-05-04");
	assert_int_equal(g.grant.u.grant.minute, 560);
	assert_int_equal(g.lease_end, now0 + 30 + LEASE);
	assert_int_equal(g.grant.seq, val(s, "SELECT max(seq) FROM change"));
	/* Tuesday 09:00 is not before Tuesday 09:00; from Tuesday nothing is earlier */
	assert_int_equal(ask(s, ROMA_A, 0, 1, 540, &g), AG_OK);
	assert_false(g.granted);
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder IS NULL"), 2);
	/* MILANO's device does not serve RM */
	assert_int_equal(ask(s, MILANO, 0, 1, 1440, &g), AG_OK);
	assert_false(g.granted);
	/* the grant is a change like any other: the device's next round carries it */
	req = request(ROMA_A, 0);
	res = run(s, &req, now0 + 60, NULL);
	assert_int_equal(count_type(&res, SYNC_CHANGE_GRANT), 1);
	sync_response_free(&res);
	sync_request_free(&req);
	central_store_close(s);
}

static void unknown_and_revoked_devices_are_refused(void **state)
{
	central_store *s = open_store(1, 1);
	struct central_sync_config cfg = config();
	struct sync_request req = request("NESSUNO-1", 0);
	struct sync_response res;
	struct sync_grant_response g;
	struct sync_grant_request gr = {.version = 1,
	                                .questura = "RM",
	                                .from_day = "2026-05-04",
	                                .before_day = "2026-05-05",
	                                .before_minute = 0};

	(void)state;
	assert_int_equal(central_sync_round(s, "NESSUNO-1", &req, &cfg, now0, &res, NULL, NULL),
	                 AG_ERR_REFUSED);
	val(s, "UPDATE device SET revoked_at = 5 WHERE id = '%s'", ROMA_B);
	snprintf(req.device_id, sizeof req.device_id, "%s", ROMA_B);
	assert_int_equal(central_sync_round(s, ROMA_B, &req, &cfg, now0, &res, NULL, NULL),
	                 AG_ERR_REFUSED);
	assert_int_equal(central_sync_grant(s, ROMA_B, &gr, &cfg, now0, &g, NULL), AG_ERR_REFUSED);
	/* a request naming another device than its certificate */
	assert_int_equal(central_sync_round(s, ROMA_A, &req, &cfg, now0, &res, NULL, NULL),
	                 AG_ERR_INVALID);
	central_store_close(s);
}

/* Runs a multi-statement script on the test's store behind the interface's back. */
static void raw_script(const char *sql)
{
	if (strcmp(fx.backend, "sqlite") == 0) {
		sqlite3 *db = NULL;

		assert_int_equal(sqlite3_open(fx.target + strlen("sqlite:"), &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	} else {
		PGconn *conn = PQconnectdb(fx.target + strlen("pg:"));
		PGresult *r = PQexec(conn, sql);

		if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
			fail_msg("%s", PQerrorMessage(conn));
		PQclear(r);
		PQfinish(conn);
	}
}

static void a_store_at_version_3_migrates_and_keeps_its_rows(void **state)
{
	central_store *s = NULL;
	int version = 0;
	bool sqlite = strcmp(fx.backend, "sqlite") == 0;

	(void)state;
	/* opened once first: the store makes its file private, as it insists on */
	assert_int_equal(central_store_open(fx.target, &s, NULL), AG_OK);
	central_store_close(s);
	raw_script(sqlite ? CENTRAL_SCHEMA_TABLE_SQLITE : CENTRAL_SCHEMA_TABLE_PG);
	for (int v = 0; v < 3; v++) {
		char record[64];

		raw_script(sqlite ? CENTRAL_MIGRATIONS[v].sqlite
		                  : CENTRAL_MIGRATIONS[v].postgresql);
		snprintf(record, sizeof record, "INSERT INTO central_schema VALUES(%d)", v + 1);
		raw_script(record);
	}
	raw_script(
	        "INSERT INTO questura(code, name) VALUES('RM', 'Roma');"
	        "INSERT INTO slot(questura, day, minute, holder) VALUES('RM', 20577, 540, NULL);"
	        "INSERT INTO slot(questura, day, minute, holder) VALUES('RM', 20577, 560, 'X-1');");
	assert_int_equal(central_store_open(fx.target, &s, NULL), AG_OK);
	assert_int_equal(central_store_create_schema(s, &version, NULL), AG_OK);
	assert_int_equal(version, CENTRAL_SCHEMA_VERSION);
	assert_int_equal(val(s, "SELECT count(*) FROM slot"), 2);
	assert_int_equal(val(s, "SELECT count(*) FROM slot WHERE holder = 'X-1' AND lease_end IS"
	                        " NULL AND grant_seq IS NULL"),
	                 1);
	assert_int_equal(val(s, "SELECT count(*) FROM change"), 0);
	/* migration 5: a Questura known before has no end-of-day address yet */
	assert_int_equal(val(s, "SELECT count(*) FROM questura WHERE email = ''"), 1);
	assert_int_equal(val(s, "SELECT max(version) FROM central_schema"), CENTRAL_SCHEMA_VERSION);
	central_store_close(s);
}

int main(int argc, char **argv)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fresh_store, drop_store)
	const struct CMUnitTest tests[] = {
	        T(a_repeated_round_changes_nothing_and_acknowledges_again),
	        T(two_devices_demanding_at_once_never_share_a_slot),
	        T(an_expired_lease_frees_unbooked_slots_with_a_revoke),
	        T(releasing_hands_back_only_unbooked_slots),
	        T(the_first_confirmed_keeps_a_practice_booked_twice),
	        T(an_earlier_booking_arriving_later_wins_and_revokes_the_other),
	        T(a_tie_goes_to_the_smaller_entry_id),
	        T(a_slot_held_by_another_device_is_slot_taken),
	        T(entries_of_one_request_see_each_other),
	        T(a_late_closure_revokes_granted_slots_and_keeps_booked_ones),
	        T(a_withdrawn_practice_revokes_its_appointment),
	        T(changes_go_to_their_devices_only_and_the_cursor_skips_the_rest),
	        T(the_digest_is_compared_when_nothing_is_in_flight),
	        T(a_cut_or_rewritten_audit_chain_raises_an_alert),
	        T(the_grant_gives_the_earliest_pool_slot_before_the_bound),
	        T(unknown_and_revoked_devices_are_refused),
	        T(a_store_at_version_3_migrates_and_keeps_its_rows),
	};
#undef T

	if (argc != 2 || (strcmp(argv[1], "sqlite") != 0 && strcmp(argv[1], "postgresql") != 0)) {
		fprintf(stderr, "usage: %s sqlite|postgresql\n", argv[0]);
		return 2;
	}
	fx.backend = argv[1];
	if (strcmp(fx.backend, "postgresql") == 0 && !getenv("AGENDA_CENTRAL_PG")) {
		fprintf(stderr, "%s postgresql: run it under tests/central/with_postgres.sh\n",
		        argv[0]);
		return 2;
	}
	return cmocka_run_group_tests_name(fx.backend, tests, NULL, NULL);
}
