/*
 * enrol_code_test.c — help-desk enrolment codes: every single substitution and every swap of
 * neighbours in thousands of generated codes is caught, typed variants normalise to the same
 * code, look-alike characters are refused with a message naming them, and the entropy claim
 * (>= 60 bits) holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/enrol_code.h"

#define CODES 2000

/* The 16 characters of a canonical code without its dashes. */
static void compact(const char *code, char out[ENROL_CODE_CHARS + 1])
{
	size_t n = 0;

	for (; *code; code++)
		if (*code != '-')
			out[n++] = *code;
	out[n] = '\0';
}

static void codes_are_well_formed_and_use_the_whole_alphabet(void **state)
{
	struct rng_state *s;
	agenda_rng rng;
	int seen[256] = {0};

	(void)state;
	assert_int_equal(rng_open_seeded(&rng, &s, 11), AG_OK);
	for (int n = 0; n < CODES; n++) {
		char code[ENROL_CODE_SIZE], again[ENROL_CODE_SIZE];

		assert_int_equal(enrol_code_generate(&rng, code), AG_OK);
		assert_int_equal(strlen(code), ENROL_CODE_TEXT_LENGTH);
		for (int i = 0; i < ENROL_CODE_TEXT_LENGTH; i++) {
			if (i % 5 == 4) {
				assert_int_equal(code[i], '-');
				continue;
			}
			assert_non_null(strchr(ENROL_CODE_ALPHABET, code[i]));
			seen[(unsigned char)code[i]]++;
		}
		assert_true(enrol_code_check(code));
		assert_int_equal(enrol_code_normalise(code, again, NULL), AG_OK);
		assert_string_equal(again, code);
	}
	for (const char *c = ENROL_CODE_ALPHABET; *c; c++)
		assert_true(seen[(unsigned char)*c] > 0);
	for (const char *c = "015OILS"; *c; c++)
		assert_int_equal(seen[(unsigned char)*c], 0);
	rng_close(s);
}

static void seeded_generation_repeats(void **state)
{
	struct rng_state *a, *b;
	agenda_rng ra, rb;
	char ca[ENROL_CODE_SIZE], cb[ENROL_CODE_SIZE], cc[ENROL_CODE_SIZE];

	(void)state;
	assert_int_equal(rng_open_seeded(&ra, &a, 5), AG_OK);
	assert_int_equal(rng_open_seeded(&rb, &b, 5), AG_OK);
	assert_int_equal(enrol_code_generate(&ra, ca), AG_OK);
	assert_int_equal(enrol_code_generate(&rb, cb), AG_OK);
	assert_string_equal(ca, cb);
	assert_int_equal(enrol_code_generate(&ra, cc), AG_OK);
	assert_string_not_equal(ca, cc);
	rng_close(a);
	rng_close(b);
}

static void assert_mistyped(const char *typed)
{
	char out[ENROL_CODE_SIZE] = "untouched";
	agenda_detail d;

	assert_int_equal(enrol_code_normalise(typed, out, &d), AG_ERR_INVALID);
	assert_false(enrol_code_check(typed));
	assert_string_equal(out, "untouched");
	assert_non_null(strstr(d.it, "scritto male"));
	assert_non_null(strstr(d.en, "mistyped"));
}

static void every_substitution_and_neighbour_swap_is_caught(void **state)
{
	struct rng_state *s;
	agenda_rng rng;
	long substitutions = 0, swaps = 0;

	(void)state;
	assert_int_equal(rng_open_seeded(&rng, &s, 12), AG_OK);
	for (int n = 0; n < CODES; n++) {
		char code[ENROL_CODE_SIZE], chars[ENROL_CODE_CHARS + 1],
		        typed[ENROL_CODE_CHARS + 1];

		assert_int_equal(enrol_code_generate(&rng, code), AG_OK);
		compact(code, chars);
		for (int i = 0; i < ENROL_CODE_CHARS; i++)
			for (const char *c = ENROL_CODE_ALPHABET; *c; c++) {
				if (*c == chars[i])
					continue;
				memcpy(typed, chars, sizeof typed);
				typed[i] = *c;
				assert_mistyped(typed);
				substitutions++;
			}
		/* Neighbours in the 16 characters, so swaps across a dash are covered too. */
		for (int i = 0; i + 1 < ENROL_CODE_CHARS; i++) {
			if (chars[i] == chars[i + 1])
				continue;
			memcpy(typed, chars, sizeof typed);
			typed[i] = chars[i + 1];
			typed[i + 1] = chars[i];
			assert_mistyped(typed);
			swaps++;
		}
	}
	assert_int_equal(substitutions, (long)CODES * ENROL_CODE_CHARS * (ENROL_CODE_SYMBOLS - 1));
	assert_true(swaps > CODES * 14);
	rng_close(s);
}

static void typed_variants_normalise_to_the_code(void **state)
{
	struct rng_state *s;
	agenda_rng rng;
	char code[ENROL_CODE_SIZE], chars[ENROL_CODE_CHARS + 1], out[ENROL_CODE_SIZE];
	char lower[ENROL_CODE_SIZE], spaced[64], messy[64];

	(void)state;
	assert_int_equal(rng_open_seeded(&rng, &s, 13), AG_OK);
	assert_int_equal(enrol_code_generate(&rng, code), AG_OK);
	compact(code, chars);
	for (size_t i = 0; i <= strlen(code); i++)
		lower[i] = (char)tolower((unsigned char)code[i]);
	snprintf(spaced, sizeof spaced, "%.4s %.4s %.4s %.4s", chars, chars + 4, chars + 8,
	         chars + 12);
	snprintf(messy, sizeof messy, "  %.3s-%.5s  %.2s.%.6s\t", chars, chars + 3, chars + 8,
	         chars + 10);
	const char *variants[] = {code, chars, lower, spaced, messy};

	for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
		memset(out, 0, sizeof out);
		assert_int_equal(enrol_code_normalise(variants[v], out, NULL), AG_OK);
		assert_string_equal(out, code);
	}
	rng_close(s);
}

static void look_alikes_and_lengths_are_named(void **state)
{
	struct rng_state *s;
	agenda_rng rng;
	char code[ENROL_CODE_SIZE], out[ENROL_CODE_SIZE], typed[64];
	agenda_detail d;

	(void)state;
	assert_int_equal(rng_open_seeded(&rng, &s, 14), AG_OK);
	assert_int_equal(enrol_code_generate(&rng, code), AG_OK);
	for (const char *c = "0O1IL5Sos!"; *c; c++) {
		memcpy(typed, code, sizeof code);
		typed[2] = *c;
		assert_int_equal(enrol_code_normalise(typed, out, &d), AG_ERR_INVALID);
		assert_non_null(strstr(d.it, "posizione 3"));
		assert_non_null(strstr(d.en, "position 3"));
	}
	snprintf(typed, sizeof typed, "%s\xc3\xa8", code);
	assert_int_equal(enrol_code_normalise(typed, out, &d), AG_ERR_INVALID);
	assert_non_null(strstr(d.en, "0xC3"));

	snprintf(typed, sizeof typed, "%.18s", code);
	assert_int_equal(enrol_code_normalise(typed, out, &d), AG_ERR_INVALID);
	assert_non_null(strstr(d.it, "ne sono stati scritti 15"));
	snprintf(typed, sizeof typed, "%s2", code);
	assert_int_equal(enrol_code_normalise(typed, out, &d), AG_ERR_INVALID);
	assert_non_null(strstr(d.en, "17 were typed"));
	assert_int_equal(enrol_code_normalise("", out, &d), AG_ERR_INVALID);
	assert_int_equal(enrol_code_normalise(NULL, out, &d), AG_ERR_INVALID);
	assert_false(enrol_code_check("  -- "));
	rng_close(s);
}

static void entropy_is_at_least_60_bits(void **state)
{
	double bits = (ENROL_CODE_CHARS - 1) * log2((double)ENROL_CODE_SYMBOLS);

	(void)state;
	assert_true(bits >= 60.0);
	assert_int_equal(ENROL_CODE_BITS, (int)floor(bits));
	assert_int_equal(strlen(ENROL_CODE_ALPHABET), ENROL_CODE_SYMBOLS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(codes_are_well_formed_and_use_the_whole_alphabet),
	        cmocka_unit_test(seeded_generation_repeats),
	        cmocka_unit_test(every_substitution_and_neighbour_swap_is_caught),
	        cmocka_unit_test(typed_variants_normalise_to_the_code),
	        cmocka_unit_test(look_alikes_and_lengths_are_named),
	        cmocka_unit_test(entropy_is_at_least_60_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
