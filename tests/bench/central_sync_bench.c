/*
 * central_sync_bench.c — central applying the rounds of 200 devices (issue 12), in-process on
 * its store, per backend (SQLite under $AGENDA_BENCH_DIR; PostgreSQL when AGENDA_CENTRAL_PG
 * names a server, as tests/bench/run.sh starts one).
 *
 * The store holds one site serving RM, 200 devices enrolled through the store's own enrolment
 * (central_store_enrol; the certificate is a placeholder, nothing here checks it) and 100 slots
 * a day of RM. Three passes over the 200 devices, each one central_sync_round (one transaction)
 * with the device's own request:
 *   1. first round: demand 40 slots of RM (40 grants each, 8,000 in all);
 *   2. a working round: 25 `book` entries on slots it was granted (JOURNAL.md payloads), the
 *      same demand (25 more grants to refill), cursor as answered;
 *   3. a no-change round: nothing to say, the cursor as answered (the baseline).
 * Each request carries the digest the device would send (contract §2, computed here from what
 * central granted and what the entries booked), so no round raises a digest alert.
 * Prints per pass the total, rounds per second and the median and p99 of one round, and the
 * ratio of pass 2 to pass 3. Every answer is checked (grants, acks, no conflict, no alert), or
 * exit 1.
 * Never fails on a target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "bench_util.h"
#include "central_sync.h"
#include "core/date.h"
#include "platform/clock.h"
#include "store.h"
#include "store_enrol.h"
#include "store_fixture.h"

#define DEVICES 200
#define DEMAND  40
#define ENTRIES 25
#define PER_DAY 100
#define DAYS    200

struct device_state {
	char id[CENTRAL_DEVICE_ID_MAX + 1];
	int64_t cursor;
	int64_t granted[DEMAND + ENTRIES];
	char granted_day[DEMAND + ENTRIES][SYNC_DAY_SIZE];
	int granted_minute[DEMAND + ENTRIES];
	size_t n_granted, n_booked;
};

static void die(const char *what, const agenda_detail *why)
{
	fprintf(stderr, "central_sync_bench: %s: %s\n", what, why ? why->en : "");
	exit(1);
}

static agenda_err placeholder_sign(void *ctx, const char *device_id, char **cert_pem,
                                   int64_t *not_after, agenda_detail *why)
{
	(void)ctx;
	(void)device_id;
	(void)why;
	*cert_pem = strdup("-----BEGIN CERTIFICATE-----\nbench\n-----END CERTIFICATE-----\n");
	*not_after = 4102444800; /* 2100 */
	return *cert_pem ? AG_OK : AG_ERR_NOMEM;
}

static void fill(central_store *s, struct device_state *dev, int64_t now, agenda_day today)
{
	central_site site = {.code = "BENCH",
	                     .city = "Roma",
	                     .dirigente = "d@example.invalid",
	                     .provinces = {"RM"},
	                     .province_count = 1,
	                     .created_at = now};
	int minutes[PER_DAY];
	agenda_detail why;

	for (int i = 0; i < PER_DAY; i++)
		minutes[i] = 7 * 60 + 5 * i;
	if (central_store_create_schema(s, NULL, &why) ||
	    central_store_add_questura(s, "RM", "Questura di Roma", &why) ||
	    central_store_add_site(s, &site, &why) || central_store_begin(s, &why))
		die("set-up", &why);
	for (int d = 0; d < DAYS; d++)
		if (central_store_add_slots(s, "RM", today + d, minutes, PER_DAY, NULL, &why))
			die("slots", &why);
	if (central_store_commit(s, &why))
		die("slots", &why);
	for (int i = 0; i < DEVICES; i++) {
		char code[65], key[65];
		enum central_enrol_outcome outcome;
		central_device d;

		snprintf(code, sizeof code, "%064x", i + 1);
		snprintf(key, sizeof key, "%064x", 0x100000 + i);
		memset(&d, 0, sizeof d);
		if (central_store_add_enrol_code(s, code, "BENCH", now, now + 3600, &why) ||
		    central_store_enrol(s, code, key, now, placeholder_sign, NULL, &outcome, &d,
		                        &why) ||
		    outcome != ENROL_ISSUED)
			die("enrol", &why);
		snprintf(dev[i].id, sizeof dev[i].id, "%s", d.id);
		central_device_clear(&d);
	}
}

static void uuid_of(char *out, int device, int n, int salt)
{
	snprintf(out, SYNC_UUID_SIZE, "%08x-%04x-4%03x-8%03x-%012x", device, n & 0xffff, salt, 0,
	         device * 1000 + n);
}

static int by_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The device's digest: its confirmed appointments (the first n_booked grants, ids in the same
 * order as their text), then every slot it holds by id. */
static void digest_of(const struct device_state *d, int index, char hex[SYNC_HEX_SIZE])
{
	mbedtls_sha256_context sha;
	unsigned char out[32];
	int64_t ids[DEMAND + ENTRIES];
	char line[128];

	mbedtls_sha256_init(&sha);
	mbedtls_sha256_starts_ret(&sha, 0);
	for (size_t i = 0; i < d->n_booked; i++) {
		char appointment[SYNC_UUID_SIZE];

		uuid_of(appointment, index, (int)i, 2);
		snprintf(line, sizeof line, "a %s RM %s %d\n", appointment, d->granted_day[i],
		         d->granted_minute[i]);
		mbedtls_sha256_update_ret(&sha, (const unsigned char *)line, strlen(line));
	}
	memcpy(ids, d->granted, d->n_granted * sizeof ids[0]);
	qsort(ids, d->n_granted, sizeof ids[0], by_id);
	for (size_t i = 0; i < d->n_granted; i++) {
		snprintf(line, sizeof line, "s %lld\n", (long long)ids[i]);
		mbedtls_sha256_update_ret(&sha, (const unsigned char *)line, strlen(line));
	}
	mbedtls_sha256_finish_ret(&sha, out);
	mbedtls_sha256_free(&sha);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
}

/* One round of device d; returns its time in ns. */
static int64_t round_of(central_store *s, struct device_state *d, int index, int pass, int64_t now)
{
	static struct sync_entry entries[ENTRIES];
	struct sync_demand demand = {.questura = "RM", .days = 366, .slots = DEMAND};
	struct sync_request req = {.version = SYNC_PROTOCOL_VERSION, .cursor = d->cursor};
	struct sync_response res;
	struct central_sync_config cfg = central_sync_config_default();
	struct central_round_report rep;
	agenda_detail why;
	int64_t t0, took;
	size_t n = 0;

	snprintf(req.device_id, sizeof req.device_id, "%.39s", d->id);
	memset(req.audit_hash, '0', 64);
	memset(req.audit_anchor_hash, '0', 64);
	digest_of(d, index, req.digest);
	if (pass < 3) {
		req.demand = &demand;
		req.n_demand = 1;
	}
	if (pass == 2) {
		for (; n < ENTRIES && n < d->n_granted; n++) {
			char appointment[SYNC_UUID_SIZE], pratica[32], hhmm[16];

			uuid_of(entries[n].entry_id, index, (int)n, 1);
			uuid_of(appointment, index, (int)n, 2);
			snprintf(pratica, sizeof pratica, "RM/2026/%06d",
			         index * ENTRIES + (int)n + 1);
			snprintf(hhmm, sizeof hhmm, "%02d:%02d", d->granted_minute[n] / 60,
			         d->granted_minute[n] % 60);
			entries[n].seq = (int64_t)n + 1;
			snprintf(entries[n].kind, sizeof entries[n].kind, "book");
			entries[n].payload = json_pack(
			        "{s:s, s:I, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s}",
			        "appointment_id", appointment, "at", (json_int_t)now, "date",
			        d->granted_day[n], "device", d->id, "entry_id", entries[n].entry_id,
			        "kind", "book", "modello209", 0, "numero_pratica", pratica,
			        "operator", "bench.op", "questura", "RM", "time", hhmm);
		}
		req.entries = entries;
		req.n_entries = n;
	}
	memset(&res, 0, sizeof res);
	t0 = bench_ns();
	if (central_sync_round(s, d->id, &req, &cfg, now, &res, &rep, &why) != AG_OK)
		die("round", &why);
	took = bench_ns() - t0;
	if (res.n_acks != n || res.n_conflicts != 0)
		die(pass == 2 ? "acks of the working round" : "acks", NULL);
	if (rep.alert != CENTRAL_ALERT_NONE)
		die("an alert was raised", NULL);
	d->cursor = res.cursor;
	d->n_booked += n;
	for (size_t i = 0; i < res.n_changes; i++) {
		const struct sync_change *c = &res.changes[i];

		if (c->type == SYNC_CHANGE_GRANT && d->n_granted < DEMAND + ENTRIES) {
			d->granted[d->n_granted] = c->u.grant.slot_id;
			snprintf(d->granted_day[d->n_granted], SYNC_DAY_SIZE, "%s", c->u.grant.day);
			d->granted_minute[d->n_granted] = c->u.grant.minute;
			d->n_granted++;
		}
	}
	if ((pass == 1 && d->n_granted != DEMAND) ||
	    (pass == 2 && d->n_granted != DEMAND + ENTRIES))
		die("grants", NULL);
	for (size_t i = 0; i < n; i++)
		json_decref(entries[i].payload);
	sync_response_free(&res);
	return took;
}

static void run(const char *backend, const char *target)
{
	static struct device_state dev[DEVICES];
	static int64_t times[DEVICES];
	static const char *pass_name[] = {"", "first round (40 grants)",
	                                  "working round (25 book entries, 25 grants)",
	                                  "no-change round"};
	int64_t now = (int64_t)time(NULL), total[4] = {0};
	agenda_day today;
	central_store *s = NULL;
	agenda_detail why;
	int minute;

	setenv("TZ", "Europe/Rome", 1);
	clock_local(now, &today, &minute);
	memset(dev, 0, sizeof dev);
	if (central_store_open(target, &s, &why) != AG_OK)
		die("open", &why);
	fill(s, dev, now, today);
	for (int pass = 1; pass <= 3; pass++) {
		for (int i = 0; i < DEVICES; i++) {
			times[i] = round_of(s, &dev[i], i, pass, now);
			total[pass] += times[i];
		}
		printf("%-10s %-44s %d devices: %7.0f ms, %6.0f rounds/s, one round median %.2f "
		       "ms, "
		       "p99 %.2f ms\n",
		       backend, pass_name[pass], DEVICES, (double)total[pass] / 1e6,
		       DEVICES / ((double)total[pass] / 1e9),
		       (double)bench_quantile(times, DEVICES, 0.5) / 1e6,
		       (double)bench_quantile(times, DEVICES, 0.99) / 1e6);
	}
	printf("%-10s ratio working round / no-change round: %.2f\n", backend,
	       (double)total[2] / (double)total[3]);
	central_store_close(s);
}

int main(void)
{
	const char *server = getenv("AGENDA_CENTRAL_PG");
	char folder[512], target[1024], path[600];
	const char *suffix[] = {"", "-wal", "-shm"};

	bench_tempdir(folder, sizeof folder);
	snprintf(target, sizeof target, "sqlite:%s/central.db", folder);
	run("sqlite", target);
	for (size_t k = 0; k < 3; k++) {
		snprintf(path, sizeof path, "%s/central.db%s", folder, suffix[k]);
		unlink(path);
	}
	rmdir(folder);
	if (!server || !*server) {
		printf("postgresql: not measured (run under tests/central/with_postgres.sh)\n");
		return 0;
	}
	struct store_fixture pg = {.prefix = "central_sync_bench", .backend = "postgresql"};

	if (store_fixture_fresh(&pg) == 0)
		run("postgresql", pg.target);
	return 0;
}
