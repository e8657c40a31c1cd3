/*
 * pki_fingerprint_test.c — fingerprints for reading out: 16 groups of 4 upper-case hex digits
 * that equal the SHA-256 of the certificate's DER decoded here from the PEM's base64 by hand
 * (OpenSSL's own figure is compared in tests/integration/pki_openssl_test.py); comparison
 * ignores spaces, colons, dashes and case and refuses anything else or a wrong length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/sha256.h>

#include "pki/pki_ca.h"
#include "pki/pki_fingerprint.h"
#include "pki/pki_key.h"

static char *make_ca(uint64_t seed)
{
	struct rng_state *s;
	agenda_rng rng;
	mbedtls_pk_context key;
	int64_t now = 1777880000;
	agenda_clock clock = clock_fixed(&now);
	char *pem = NULL;

	assert_int_equal(rng_open_seeded(&rng, &s, seed), AG_OK);
	mbedtls_pk_init(&key);
	assert_int_equal(pki_key_generate(&rng, &key), AG_OK);
	assert_int_equal(pki_ca_create(&rng, &clock, &key, "Agenda CA", 30, &pem, NULL), AG_OK);
	mbedtls_pk_free(&key);
	rng_close(s);
	return pem;
}

/* SHA-256 of the DER between the PEM markers, as 64 lower-case hex digits. */
static void reference_digest(const char *pem, char hex[65])
{
	const char *begin = strstr(pem, "-----\n") + 6, *end = strstr(pem, "-----END");
	unsigned char b64[4096], der[4096], digest[32];
	size_t n = 0, der_len;

	for (const char *p = begin; p < end; p++)
		if (!isspace((unsigned char)*p))
			b64[n++] = (unsigned char)*p;
	assert_int_equal(mbedtls_base64_decode(der, sizeof der, &der_len, b64, n), 0);
	assert_int_equal(mbedtls_sha256_ret(der, der_len, digest, 0), 0);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

static void fingerprint_is_grouped_sha256_of_the_der(void **state)
{
	char *pem = make_ca(1);
	char fp[PKI_FINGERPRINT_SIZE], hex[65], digits[65];
	size_t n = 0;

	(void)state;
	memset(fp, 'x', sizeof fp);
	assert_int_equal(pki_fingerprint(pem, fp, NULL), AG_OK);
	assert_int_equal(strlen(fp), PKI_FINGERPRINT_SIZE - 1);
	for (int i = 0; i < PKI_FINGERPRINT_SIZE - 1; i++) {
		if (i % 5 == 4) {
			assert_int_equal(fp[i], ' ');
			continue;
		}
		assert_non_null(strchr("0123456789ABCDEF", fp[i]));
		digits[n++] = (char)tolower((unsigned char)fp[i]);
	}
	digits[n] = '\0';
	reference_digest(pem, hex);
	assert_string_equal(digits, hex);
	/* the lower-case, unseparated digest matches too */
	assert_true(pki_fingerprint_equal(fp, hex));
	free(pem);
}

static void comparison_ignores_separators_and_case_only(void **state)
{
	char *a = make_ca(2), *b = make_ca(3);
	char fa[PKI_FINGERPRINT_SIZE], fb[PKI_FINGERPRINT_SIZE], colons[128], typed[128];
	size_t n = 0;

	(void)state;
	assert_int_equal(pki_fingerprint(a, fa, NULL), AG_OK);
	assert_int_equal(pki_fingerprint(b, fb, NULL), AG_OK);
	assert_false(pki_fingerprint_equal(fa, fb));
	/* OpenSSL's "AB:CD:..." form */
	for (const char *p = fa; *p; p++) {
		if (*p == ' ')
			continue;
		colons[n++] = *p;
		if (n % 3 == 2)
			colons[n++] = ':';
	}
	colons[n - 1] = '\0';
	assert_true(pki_fingerprint_equal(fa, colons));
	snprintf(typed, sizeof typed, "  %s ", fa);
	for (char *p = typed; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	typed[6] = '-'; /* the space between the first two groups */
	assert_true(pki_fingerprint_equal(typed, fa));
	/* one digit off, one digit short or long, a stray letter: different */
	snprintf(typed, sizeof typed, "%s", fa);
	typed[0] = typed[0] == 'A' ? 'B' : 'A';
	assert_false(pki_fingerprint_equal(typed, fa));
	snprintf(typed, sizeof typed, "%.78s", fa);
	assert_false(pki_fingerprint_equal(typed, fa));
	snprintf(typed, sizeof typed, "%s0", fa);
	assert_false(pki_fingerprint_equal(typed, fa));
	snprintf(typed, sizeof typed, "%sG", fa);
	typed[strlen(typed) - 2] = '\0';
	assert_false(pki_fingerprint_equal(typed, fa));
	assert_false(pki_fingerprint_equal(NULL, fa));
	assert_false(pki_fingerprint_equal("", ""));
	assert_int_equal(pki_fingerprint("no certificate", fa, NULL), AG_ERR_INVALID);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(fingerprint_is_grouped_sha256_of_the_der),
	        cmocka_unit_test(comparison_ignores_separators_and_case_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
