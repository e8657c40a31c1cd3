/*
 * rng_test.c — the seeded generator repeats, and rng_uuid writes version-4 UUIDs exactly as
 * the reference formatting (snprintf of the same 16 bytes) would: it is hand-formatted for speed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "platform/rng.h"

static void reference_uuid(unsigned char b[16], char out[37])
{
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
}

static void uuid_matches_the_reference_formatting(void **state)
{
	struct rng_state *a_state, *b_state;
	agenda_rng a, b;

	(void)state;
	assert_int_equal(rng_open_seeded(&a, &a_state, 99), AG_OK);
	assert_int_equal(rng_open_seeded(&b, &b_state, 99), AG_OK);
	for (int i = 0; i < 2000; i++) {
		unsigned char bytes[16];
		char got[37], want[37];

		memset(got, 'x', sizeof got);
		assert_int_equal(rng_uuid(&a, got), AG_OK);
		assert_int_equal(rng_fill(&b, bytes, sizeof bytes), 0);
		reference_uuid(bytes, want);
		assert_string_equal(got, want);
		assert_int_equal(strlen(got), 36);
		assert_true(got[14] == '4' && strchr("89ab", got[19]));
	}
	rng_close(a_state);
	rng_close(b_state);
}

static void system_uuids_differ(void **state)
{
	struct rng_state *s;
	agenda_rng r;
	char one[37], two[37];

	(void)state;
	assert_int_equal(rng_open_system(&r, &s), AG_OK);
	assert_int_equal(rng_uuid(&r, one), AG_OK);
	assert_int_equal(rng_uuid(&r, two), AG_OK);
	assert_string_not_equal(one, two);
	rng_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(uuid_matches_the_reference_formatting),
	        cmocka_unit_test(system_uuids_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
