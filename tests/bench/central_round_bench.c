/*
 * central_round_bench.c — central applying sync rounds (central_sync_round, in-process, no HTTP),
 * per backend: one device pushing 10,000 journal entries in rounds of 500; 200 devices of one
 * site each doing a first round (a demand for 20 slots and 5 bookings); a round with nothing to
 * say. SQLite always (a file under $AGENDA_BENCH_DIR, default /var/tmp); PostgreSQL when
 * AGENDA_CENTRAL_PG names a server (tests/central/with_postgres.sh).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "central_sync.h"
#include "core/date.h"
#include "platform/clock.h"
#include "store.h"
#include "store_admin.h"
#include "store_fixture.h"
#include "store_sync.h"

#define DEVICES 200
#define PUSH    10000
#define BATCH   500

static agenda_day monday;
static int64_t now0;
static int serial;

static agenda_err setup(central_store *s)
{
	central_site roma = {.code = "ROMA",
	                     .city = "Roma",
	                     .dirigente = "d@roma.it",
	                     .provinces = {"RM"},
	                     .province_count = 1,
	                     .created_at = 1};
	central_questura rm = {.code = "RM", .name = "Questura di Roma"};
	int minutes[40];
	agenda_err err = central_store_create_schema(s, NULL, NULL);

	for (int i = 0; i < 40; i++)
		minutes[i] = 480 + 10 * i;
	if (err == AG_OK)
		err = central_store_add_questura_full(s, &rm, NULL);
	if (err == AG_OK)
		err = central_store_add_site(s, &roma, NULL);
	if (err == AG_OK)
		err = central_store_begin(s, NULL);
	for (int d = 0; err == AG_OK && d < 200; d++) /* 8,000 pool slots */
		err = central_store_add_slots(s, "RM", monday + d, minutes, 40, NULL, NULL);
	for (int i = 1; err == AG_OK && i <= DEVICES; i++) {
		char sql[256];

		snprintf(sql, sizeof sql,
		         "INSERT INTO device(id, site, public_key_sha256, certificate, not_after,"
		         " enrolled_at) VALUES('ROMA-%04d', 'ROMA', 'x', 'PEM', 2000000000, 1)",
		         i);
		err = central_sync_query(s, sql, 0, NULL, NULL, NULL, NULL);
	}
	if (err == AG_OK)
		err = central_store_commit(s, NULL);
	return err;
}

static struct sync_request request(int device, int64_t cursor)
{
	struct sync_request r;

	memset(&r, 0, sizeof r);
	r.version = 1;
	snprintf(r.device_id, sizeof r.device_id, "ROMA-%04d", device);
	r.cursor = cursor;
	memset(r.audit_hash, '0', 64);
	memset(r.audit_anchor_hash, '0', 64);
	memset(r.digest, '0', 64);
	return r;
}

/* n book entries on slots (day 300 + k / 1000, minute k % 1000) unknown to the pool. */
static void add_books(struct sync_request *r, int n)
{
	r->entries = calloc((size_t)n, sizeof *r->entries);
	r->n_entries = (size_t)n;
	for (int i = 0; i < n; i++) {
		struct sync_entry *e = &r->entries[i];
		char date[11], time[12], appt[SYNC_UUID_SIZE], practice[32];
		int k = serial++;

		snprintf(e->entry_id, sizeof e->entry_id, "00000000-0000-4000-8000-%012d", k);
		snprintf(appt, sizeof appt, "00000000-0000-4000-9000-%012d", k);
		snprintf(practice, sizeof practice, "RM/2026/%06d", k);
		date_format(monday + 300 + k / 1000, date, sizeof date);
		snprintf(time, sizeof time, "%02d:%02d", (k % 1000) / 60, (k % 1000) % 60);
		e->seq = k + 1;
		snprintf(e->kind, sizeof e->kind, "book");
		e->payload =
		        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "appointment_id",
		                  appt, "device", r->device_id, "numero_pratica", practice,
		                  "questura", "RM", "date", date, "time", time, "at",
		                  (json_int_t)now0, "entry_id", e->entry_id, "kind", "book");
	}
}

static int64_t one_round(central_store *s, struct sync_request *req, int64_t *cursor, size_t *acks)
{
	struct central_sync_config cfg = central_sync_config_default();
	struct sync_response res;
	int64_t t0 = bench_ns(), t1;
	agenda_detail why;

	if (central_sync_round(s, req->device_id, req, &cfg, now0, &res, NULL, &why) != AG_OK) {
		printf("  round failed: %s\n", why.en);
		return -1;
	}
	t1 = bench_ns();
	if (cursor)
		*cursor = res.cursor;
	if (acks)
		*acks += res.n_acks;
	sync_response_free(&res);
	return t1 - t0;
}

static void run(const char *backend, const char *target)
{
	central_store *s = NULL;
	int64_t times[DEVICES], total = 0, cursor = 0;
	size_t acks = 0;

	serial = 0;
	if (central_store_open(target, &s, NULL) != AG_OK || setup(s) != AG_OK) {
		printf("%-10s could not set up %s\n", backend, target);
		central_store_close(s);
		return;
	}
	for (int b = 0; b < PUSH / BATCH; b++) {
		struct sync_request req = request(1, cursor);

		add_books(&req, BATCH);
		total += one_round(s, &req, &cursor, &acks);
		sync_request_free(&req);
	}
	printf("%-10s push of %d entries in rounds of %d: %.2f s (%zu acknowledged)\n", backend,
	       PUSH, BATCH, (double)total / 1e9, acks);
	total = 0;
	for (int d = 2; d <= DEVICES; d++) {
		struct sync_request req = request(d, 0);

		req.demand = calloc(1, sizeof *req.demand);
		snprintf(req.demand[0].questura, sizeof req.demand[0].questura, "RM");
		req.demand[0].days = 10;
		req.demand[0].slots = 20;
		req.n_demand = 1;
		add_books(&req, 5);
		times[d - 2] = one_round(s, &req, NULL, NULL);
		total += times[d - 2];
		sync_request_free(&req);
	}
	printf("%-10s %d devices' first rounds (20 grants + 5 bookings each): %.2f s, median "
	       "%.1f ms, p95 %.1f ms\n",
	       backend, DEVICES - 1, (double)total / 1e9,
	       (double)bench_quantile(times, DEVICES - 1, 0.5) / 1e6,
	       (double)bench_quantile(times, DEVICES - 1, 0.95) / 1e6);
	for (int i = 0; i < 100; i++) {
		struct sync_request req = request(2, 1 << 30);

		times[i] = one_round(s, &req, NULL, NULL);
		sync_request_free(&req);
	}
	printf("%-10s a round with nothing to say: median %.2f ms, p95 %.2f ms\n", backend,
	       (double)bench_quantile(times, 100, 0.5) / 1e6,
	       (double)bench_quantile(times, 100, 0.95) / 1e6);
	central_store_close(s);
}

int main(void)
{
	const char *server = getenv("AGENDA_CENTRAL_PG");
	char folder[512], target[1024], path[600];
	const char *suffix[] = {"", "-wal", "-shm"};

	monday = date_from_ymd(2026, 5, 4);
	now0 = clock_epoch_of(monday, 8 * 60);
	bench_tempdir(folder, sizeof folder);
	snprintf(target, sizeof target, "sqlite:%s/central-round.db", folder);
	run("sqlite", target);
	for (size_t k = 0; k < 3; k++) {
		snprintf(path, sizeof path, "%s/central-round.db%s", folder, suffix[k]);
		unlink(path);
	}
	rmdir(folder);
	if (!server || !*server) {
		printf("postgresql: not measured (run under tests/central/with_postgres.sh)\n");
		return 0;
	}
	struct store_fixture pg = {.prefix = "round_bench", .backend = "postgresql"};

	if (store_fixture_fresh(&pg) == 0)
		run("postgresql", pg.target);
	return 0;
}
