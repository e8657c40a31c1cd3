/*
 * store_enrol_test.c — enrolment in central's store (central/store_enrol.h), the same tests on
 * each backend, as store_test.c runs them:
 *   central_store_enrol_test sqlite        a fresh SQLite file per test
 *   central_store_enrol_test postgresql    a fresh database per test (with_postgres.sh)
 * A code is consumed once (the same key gets the same device back, another key is told it is
 * used, an expired or unknown code gives nothing); a failed signature leaves the code unused
 * and the device number untaken; 8 clients on their own connections racing for one code make
 * exactly one device; revocation and renewal; throttling by address over the window with a
 * moving clock. The signer is a stand-in: the store never reads the certificate it keeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_fixture.h"
#include "store_enrol.h"

#define RACERS 8
#define T0     1796112000 /* 2026-12-01 08:00 UTC */

static struct store_fixture fx = {.prefix = "enrol"};

static int fresh_store(void **state)
{
	(void)state;
	return store_fixture_fresh(&fx);
}

static int drop_store(void **state)
{
	(void)state;
	return store_fixture_drop(&fx);
}

static central_store *open_store(void)
{
	central_store *s = NULL;
	agenda_detail why;

	assert_int_equal(central_store_open(fx.target, &s, &why), AG_OK);
	assert_int_equal(central_store_create_schema(s, NULL, &why), AG_OK);
	return s;
}

/* A store with site ROMA. */
static central_store *store_with_site(void)
{
	central_site site = {.code = "ROMA",
	                     .city = "Roma",
	                     .dirigente = "d@interno.it",
	                     .provinces = {"RM"},
	                     .province_count = 1,
	                     .created_at = T0};
	central_store *s = open_store();
	agenda_detail why;

	assert_int_equal(central_store_add_site(s, &site, &why), AG_OK);
	return s;
}

/* "aaaa...a" style hashes: 64 hex digits of one character. */
static void hash_of(char c, char out[CENTRAL_HASH_HEX + 1])
{
	memset(out, c, CENTRAL_HASH_HEX);
	out[CENTRAL_HASH_HEX] = '\0';
}

static int signatures;

/* Stands in for the CA: "CERT <id> <n>", valid for a year. */
static agenda_err sign(void *ctx, const char *device_id, char **cert_pem, int64_t *not_after,
                       agenda_detail *why)
{
	char text[96];

	(void)ctx;
	(void)why;
	snprintf(text, sizeof text, "CERT %s %d", device_id,
	         __atomic_add_fetch(&signatures, 1, __ATOMIC_SEQ_CST));
	*cert_pem = strdup(text);
	*not_after = T0 + 365 * 86400;
	return *cert_pem ? AG_OK : AG_ERR_NOMEM;
}

static agenda_err refuse_to_sign(void *ctx, const char *device_id, char **cert_pem,
                                 int64_t *not_after, agenda_detail *why)
{
	(void)ctx;
	(void)device_id;
	(void)cert_pem;
	(void)not_after;
	(void)why;
	return AG_ERR_INVALID;
}

static void add_code(central_store *s, char c, int64_t expires_at)
{
	char code[CENTRAL_HASH_HEX + 1];
	agenda_detail why;

	hash_of(c, code);
	assert_int_equal(central_store_add_enrol_code(s, code, "ROMA", T0, expires_at, &why),
	                 AG_OK);
}

static enum central_enrol_outcome enrol(central_store *s, char code_c, char key_c, int64_t now,
                                        central_device *d)
{
	char code[CENTRAL_HASH_HEX + 1], key[CENTRAL_HASH_HEX + 1];
	enum central_enrol_outcome outcome;
	agenda_detail why;

	hash_of(code_c, code);
	hash_of(key_c, key);
	assert_int_equal(central_store_enrol(s, code, key, now, sign, NULL, &outcome, d, &why),
	                 AG_OK);
	return outcome;
}

static void a_code_is_consumed_once(void **state)
{
	central_store *s = store_with_site();
	central_device first, again, other;
	char code[CENTRAL_HASH_HEX + 1];
	agenda_detail why;

	(void)state;
	add_code(s, 'a', T0 + 3600);
	add_code(s, 'b', T0 + 60);
	add_code(s, 'c', T0 + 3600);
	hash_of('d', code);
	assert_int_equal(central_store_add_enrol_code(s, code, "MILANO", T0, T0 + 60, &why),
	                 AG_ERR_NOT_FOUND);
	assert_int_equal(enrol(s, 'a', '1', T0 + 10, &first), ENROL_ISSUED);
	assert_string_equal(first.id, "ROMA-0001");
	assert_string_equal(first.site, "ROMA");
	assert_string_equal(first.certificate, "CERT ROMA-0001 1");
	/* the device retries with its same key: the same device and certificate, nothing signed */
	assert_int_equal(enrol(s, 'a', '1', T0 + 20, &again), ENROL_REPEATED);
	assert_string_equal(again.id, first.id);
	assert_string_equal(again.certificate, first.certificate);
	assert_int_equal(enrol(s, 'a', '2', T0 + 30, &other), ENROL_USED);
	assert_null(other.certificate);
	assert_int_equal(enrol(s, 'b', '2', T0 + 60, &other), ENROL_EXPIRED);
	assert_int_equal(enrol(s, 'f', '2', T0 + 30, &other), ENROL_UNKNOWN);
	assert_int_equal(enrol(s, 'c', '2', T0 + 40, &other), ENROL_ISSUED);
	assert_string_equal(other.id, "ROMA-0002");
	assert_int_equal(signatures, 2);
	central_device_clear(&first);
	central_device_clear(&again);
	central_device_clear(&other);
	central_store_close(s);
	signatures = 0;
}

static void a_failed_signature_leaves_the_code_unused(void **state)
{
	central_store *s = store_with_site();
	char code[CENTRAL_HASH_HEX + 1], key[CENTRAL_HASH_HEX + 1];
	enum central_enrol_outcome outcome;
	central_device d;
	agenda_detail why;
	int64_t active = -1, revoked = -1;

	(void)state;
	add_code(s, 'a', T0 + 3600);
	hash_of('a', code);
	hash_of('1', key);
	assert_int_equal(
	        central_store_enrol(s, code, key, T0, refuse_to_sign, NULL, &outcome, &d, &why),
	        AG_ERR_INVALID);
	assert_null(d.certificate);
	assert_int_equal(central_store_count_devices(s, &active, &revoked, &why), AG_OK);
	assert_int_equal(active, 0);
	/* rolled back whole: the code is still good and ROMA-0001 still free */
	assert_int_equal(enrol(s, 'a', '1', T0, &d), ENROL_ISSUED);
	assert_string_equal(d.id, "ROMA-0001");
	central_device_clear(&d);
	central_store_close(s);
	signatures = 0;
}

struct racer {
	char key;
	enum central_enrol_outcome outcome;
	agenda_err err;
	pthread_barrier_t *start;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	central_store *s = NULL;
	char code[CENTRAL_HASH_HEX + 1], key[CENTRAL_HASH_HEX + 1];
	central_device d;
	agenda_detail why;

	hash_of('a', code);
	hash_of(r->key, key);
	r->err = central_store_open(fx.target, &s, &why);
	pthread_barrier_wait(r->start);
	if (r->err == AG_OK)
		r->err = central_store_enrol(s, code, key, T0, sign, NULL, &r->outcome, &d, &why);
	if (r->err == AG_OK)
		central_device_clear(&d);
	central_store_close(s);
	return NULL;
}

static void racing_keys_make_one_device(void **state)
{
	central_store *s = store_with_site();
	struct racer racers[RACERS];
	pthread_t threads[RACERS];
	pthread_barrier_t start;
	int64_t active = -1, revoked = -1;
	int issued = 0, used = 0;
	agenda_detail why;

	(void)state;
	add_code(s, 'a', T0 + 3600);
	pthread_barrier_init(&start, NULL, RACERS);
	for (int i = 0; i < RACERS; i++) {
		racers[i] = (struct racer){.key = (char)('1' + i), .start = &start};
		pthread_create(&threads[i], NULL, race, &racers[i]);
	}
	for (int i = 0; i < RACERS; i++) {
		pthread_join(threads[i], NULL);
		assert_int_equal(racers[i].err, AG_OK);
		issued += racers[i].outcome == ENROL_ISSUED;
		used += racers[i].outcome == ENROL_USED;
	}
	pthread_barrier_destroy(&start);
	assert_int_equal(issued, 1);
	assert_int_equal(used, RACERS - 1);
	assert_int_equal(central_store_count_devices(s, &active, &revoked, &why), AG_OK);
	assert_int_equal(active, 1);
	central_store_close(s);
	signatures = 0;
}

static void revoked_devices_are_not_renewed(void **state)
{
	central_store *s = store_with_site();
	char key[CENTRAL_HASH_HEX + 1], other[CENTRAL_HASH_HEX + 1];
	central_device d, r;
	agenda_detail why;
	int64_t active = -1, revoked = -1;

	(void)state;
	add_code(s, 'a', T0 + 3600);
	assert_int_equal(enrol(s, 'a', '1', T0, &d), ENROL_ISSUED);
	hash_of('1', key);
	hash_of('2', other);
	assert_int_equal(central_store_renew_device(s, d.id, other, T0 + 5, sign, NULL, &r, &why),
	                 AG_ERR_REFUSED);
	assert_int_equal(central_store_renew_device(s, d.id, key, T0 + 5, sign, NULL, &r, &why),
	                 AG_OK);
	assert_string_equal(r.certificate, "CERT ROMA-0001 2");
	assert_int_equal(r.renewed_at, T0 + 5);
	central_device_clear(&r);
	assert_int_equal(central_store_get_device(s, d.id, true, &r, &why), AG_OK);
	assert_string_equal(r.certificate, "CERT ROMA-0001 2");
	central_device_clear(&r);
	assert_int_equal(central_store_revoke_device(s, d.id, T0 + 10, &r, &why), AG_OK);
	assert_int_equal(r.revoked_at, T0 + 10);
	assert_int_equal(central_store_revoke_device(s, d.id, T0 + 20, &r, &why), AG_OK);
	assert_int_equal(r.revoked_at, T0 + 10); /* the first time is kept */
	assert_int_equal(central_store_renew_device(s, d.id, key, T0 + 30, sign, NULL, &r, &why),
	                 AG_ERR_REFUSED);
	assert_int_equal(central_store_revoke_device(s, "ROMA-9999", T0, &r, &why),
	                 AG_ERR_NOT_FOUND);
	/* a revoked device's key sending its code again gets nothing back */
	assert_int_equal(enrol(s, 'a', '1', T0 + 40, &r), ENROL_USED);
	assert_int_equal(central_store_count_devices(s, &active, &revoked, &why), AG_OK);
	assert_int_equal(active, 0);
	assert_int_equal(revoked, 1);
	central_device_clear(&d);
	central_store_close(s);
	signatures = 0;
}

static void wrong_codes_block_an_address_for_a_while(void **state)
{
	central_store *s = open_store();
	int64_t left = -1;
	agenda_detail why;

	(void)state;
	for (int i = 0; i < CENTRAL_THROTTLE_FAILURES - 1; i++) {
		assert_int_equal(central_store_throttle_failure(s, "10.0.0.1", T0 + i, &left, &why),
		                 AG_OK);
		assert_int_equal(left, 0);
	}
	assert_int_equal(central_store_throttle_left(s, "10.0.0.2", T0 + 5, &left, &why), AG_OK);
	assert_int_equal(left, 0);
	assert_int_equal(central_store_throttle_failure(s, "10.0.0.1", T0 + 10, &left, &why),
	                 AG_OK);
	assert_int_equal(left, CENTRAL_THROTTLE_BLOCK);
	assert_int_equal(central_store_throttle_left(s, "10.0.0.1", T0 + 100, &left, &why), AG_OK);
	assert_int_equal(left, CENTRAL_THROTTLE_BLOCK - 90);
	assert_int_equal(central_store_throttle_left(s, "10.0.0.2", T0 + 100, &left, &why), AG_OK);
	assert_int_equal(left, 0);
	assert_int_equal(central_store_throttle_left(s, "10.0.0.1",
	                                             T0 + 10 + CENTRAL_THROTTLE_BLOCK, &left, &why),
	                 AG_OK);
	assert_int_equal(left, 0);
	/* after the block the count starts again: one failure does not block */
	assert_int_equal(central_store_throttle_failure(
	                         s, "10.0.0.1", T0 + 20 + CENTRAL_THROTTLE_BLOCK, &left, &why),
	                 AG_OK);
	assert_int_equal(left, 0);
	/* four failures spread over more than the window never block */
	for (int i = 0; i < 8; i++) {
		int64_t t = T0 + 10000 + (int64_t)i * (CENTRAL_THROTTLE_WINDOW / 3);

		assert_int_equal(central_store_throttle_failure(s, "10.0.0.3", t, &left, &why),
		                 AG_OK);
		assert_int_equal(left, 0);
	}
	central_store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(a_code_is_consumed_once, fresh_store, drop_store),
	        cmocka_unit_test_setup_teardown(a_failed_signature_leaves_the_code_unused,
	                                        fresh_store, drop_store),
	        cmocka_unit_test_setup_teardown(racing_keys_make_one_device, fresh_store,
	                                        drop_store),
	        cmocka_unit_test_setup_teardown(revoked_devices_are_not_renewed, fresh_store,
	                                        drop_store),
	        cmocka_unit_test_setup_teardown(wrong_codes_block_an_address_for_a_while,
	                                        fresh_store, drop_store),
	};

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
