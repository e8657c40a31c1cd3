/*
 * pki_key_test.c — P-256 keys: a seeded RNG makes the same key twice, a key file is 0600 under
 * any umask and never overwritten, it reads back as the same key, and a key file that others
 * can read, a damaged one or a missing one is refused with the right code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/ecp.h>

#include "pki/pki_key.h"

struct keys {
	char dir[64];
	struct rng_state *rng_state;
	agenda_rng rng;
};

static int setup(void **state)
{
	struct keys *k = calloc(1, sizeof *k);

	snprintf(k->dir, sizeof k->dir, "/tmp/pki_key_test.XXXXXX");
	if (!mkdtemp(k->dir) || rng_open_seeded(&k->rng, &k->rng_state, 21) != AG_OK)
		return -1;
	*state = k;
	return 0;
}

static int teardown(void **state)
{
	struct keys *k = *state;
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", k->dir);
	if (system(cmd) != 0)
		return -1;
	rng_close(k->rng_state);
	free(k);
	return 0;
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void seeded_keys_repeat_and_are_p256(void **state)
{
	struct rng_state *a_state, *b_state;
	agenda_rng a, b;
	mbedtls_pk_context ka, kb;

	(void)state;
	assert_int_equal(rng_open_seeded(&a, &a_state, 3), AG_OK);
	assert_int_equal(rng_open_seeded(&b, &b_state, 3), AG_OK);
	mbedtls_pk_init(&ka);
	mbedtls_pk_init(&kb);
	assert_int_equal(pki_key_generate(&a, &ka), AG_OK);
	assert_int_equal(pki_key_generate(&b, &kb), AG_OK);
	assert_int_equal(mbedtls_pk_ec(ka)->grp.id, MBEDTLS_ECP_DP_SECP256R1);
	assert_int_equal(mbedtls_mpi_cmp_mpi(&mbedtls_pk_ec(ka)->d, &mbedtls_pk_ec(kb)->d), 0);
	assert_int_equal(mbedtls_pk_check_pair(&ka, &kb), 0);
	/* the next key from the same generator is another one */
	mbedtls_pk_free(&kb);
	mbedtls_pk_init(&kb);
	assert_int_equal(pki_key_generate(&a, &kb), AG_OK);
	assert_int_not_equal(mbedtls_pk_check_pair(&ka, &kb), 0);
	mbedtls_pk_free(&ka);
	mbedtls_pk_free(&kb);
	rng_close(a_state);
	rng_close(b_state);
}

static void key_file_is_private_written_once_and_reads_back(void **state)
{
	struct keys *k = *state;
	static const mode_t UMASKS[] = {0, 022};

	for (size_t i = 0; i < 2; i++) {
		mbedtls_pk_context key, again, other;
		char path[128], before[1024], after[1024];
		agenda_detail d;
		mode_t old = umask(UMASKS[i]);
		FILE *f;
		size_t n;

		snprintf(path, sizeof path, "%s/device%zu.key", k->dir, i);
		mbedtls_pk_init(&key);
		mbedtls_pk_init(&again);
		mbedtls_pk_init(&other);
		assert_int_equal(pki_key_generate(&k->rng, &key), AG_OK);
		assert_int_equal(pki_key_write_file(&key, path, &d), AG_OK);
		umask(old);
		assert_int_equal(mode_of(path), 0600);
		assert_non_null(f = fopen(path, "r"));
		n = fread(before, 1, sizeof before - 1, f);
		before[n] = '\0';
		fclose(f);
		assert_non_null(strstr(before, "-----BEGIN EC PRIVATE KEY-----"));

		/* a second key never replaces the first */
		assert_int_equal(pki_key_generate(&k->rng, &other), AG_OK);
		assert_int_equal(pki_key_write_file(&other, path, &d), AG_ERR_EXISTS);
		assert_non_null(strstr(d.it, "non viene sovrascritta"));
		assert_non_null(f = fopen(path, "r"));
		n = fread(after, 1, sizeof after - 1, f);
		after[n] = '\0';
		fclose(f);
		assert_string_equal(before, after);

		assert_int_equal(pki_key_read_file(path, &again, &d), AG_OK);
		assert_int_equal(mbedtls_pk_check_pair(&key, &again), 0);
		mbedtls_pk_free(&key);
		mbedtls_pk_free(&again);
		mbedtls_pk_free(&other);
	}
}

static void exposed_damaged_and_missing_keys_are_refused(void **state)
{
	struct keys *k = *state;
	mbedtls_pk_context key, read;
	char path[128], damaged[128];
	agenda_detail d;
	FILE *f;

	snprintf(path, sizeof path, "%s/exposed.key", k->dir);
	mbedtls_pk_init(&key);
	mbedtls_pk_init(&read);
	assert_int_equal(pki_key_generate(&k->rng, &key), AG_OK);
	assert_int_equal(pki_key_write_file(&key, path, &d), AG_OK);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(pki_key_read_file(path, &read, &d), AG_ERR_REFUSED);
	assert_non_null(strstr(d.it, "chmod 600"));
	assert_non_null(strstr(d.en, "0644"));

	snprintf(damaged, sizeof damaged, "%s/damaged.key", k->dir);
	assert_non_null(f = fopen(damaged, "w"));
	fputs("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", f);
	fclose(f);
	assert_int_equal(chmod(damaged, 0600), 0);
	assert_int_equal(pki_key_read_file(damaged, &read, &d), AG_ERR_CORRUPT);
	assert_non_null(strstr(d.en, "damaged"));

	snprintf(damaged, sizeof damaged, "%s/none.key", k->dir);
	assert_int_equal(pki_key_read_file(damaged, &read, &d), AG_ERR_NOT_FOUND);
	snprintf(damaged, sizeof damaged, "%s/no-such-dir/x.key", k->dir);
	assert_int_equal(pki_key_write_file(&key, damaged, &d), AG_ERR_IO);
	mbedtls_pk_free(&key);
	mbedtls_pk_free(&read);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(seeded_keys_repeat_and_are_p256),
	        cmocka_unit_test(key_file_is_private_written_once_and_reads_back),
	        cmocka_unit_test(exposed_damaged_and_missing_keys_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
