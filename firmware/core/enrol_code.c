/*
 * enrol_code.c — making, normalising and checking help-desk enrolment codes (enrol_code.h).
 *
 * The check is a weighted sum modulo the alphabet's size, 29, a prime: position i (from 0)
 * weighs i + 1, so the 16 weights are distinct and non-zero modulo 29. A substitution changes
 * the sum by weight * difference, a swap of neighbours by their difference (weights differ
 * by 1): neither can be a multiple of 29, so both are always caught.
 */
#include "core/enrol_code.h"

#include <string.h>

#include "core/messages.h"

static const char ALPHABET[] = ENROL_CODE_ALPHABET;

_Static_assert(sizeof ALPHABET - 1 == ENROL_CODE_SYMBOLS, "alphabet size");
_Static_assert(ENROL_CODE_CHARS < ENROL_CODE_SYMBOLS, "weights must stay distinct modulo 29");

/* The value of an alphabet character (upper case), or -1. */
static int symbol_value(char c)
{
	const char *p = c ? strchr(ALPHABET, c) : NULL;

	return p ? (int)(p - ALPHABET) : -1;
}

static int weighted_sum(const int values[], int count)
{
	int sum = 0;

	for (int i = 0; i < count; i++)
		sum = (sum + (i + 1) * values[i]) % ENROL_CODE_SYMBOLS;
	return sum;
}

/* x such that weight * x == target (mod 29): by trial, the modulus is tiny. */
static int solve_for(int weight, int target)
{
	for (int x = 0; x < ENROL_CODE_SYMBOLS; x++)
		if ((weight * x) % ENROL_CODE_SYMBOLS == target)
			return x;
	return 0; /* unreachable: 29 is prime and weight is not a multiple of it */
}

static void format_grouped(const int values[ENROL_CODE_CHARS], char out[ENROL_CODE_SIZE])
{
	char *o = out;

	for (int i = 0; i < ENROL_CODE_CHARS; i++) {
		if (i > 0 && i % ENROL_CODE_GROUP == 0)
			*o++ = '-';
		*o++ = ALPHABET[values[i]];
	}
	*o = '\0';
}

agenda_err enrol_code_generate(const agenda_rng *rng, char out[ENROL_CODE_SIZE])
{
	/* Bytes below 232 = 8 * 29 map evenly onto the alphabet; the rest are drawn again. */
	enum { ACCEPT_BELOW = (256 / ENROL_CODE_SYMBOLS) * ENROL_CODE_SYMBOLS };
	int values[ENROL_CODE_CHARS];
	int filled = 0;

	while (filled < ENROL_CODE_CHARS - 1) {
		unsigned char bytes[32];

		if (rng_fill(rng, bytes, sizeof bytes) != 0)
			return AG_ERR_IO;
		for (size_t i = 0; i < sizeof bytes && filled < ENROL_CODE_CHARS - 1; i++)
			if (bytes[i] < ACCEPT_BELOW)
				values[filled++] = bytes[i] % ENROL_CODE_SYMBOLS;
	}
	int partial = weighted_sum(values, ENROL_CODE_CHARS - 1);

	values[ENROL_CODE_CHARS - 1] =
	        solve_for(ENROL_CODE_CHARS, (ENROL_CODE_SYMBOLS - partial) % ENROL_CODE_SYMBOLS);
	format_grouped(values, out);
	return AG_OK;
}

static int is_separator(char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '\t';
}

agenda_err enrol_code_normalise(const char *typed, char out[ENROL_CODE_SIZE], agenda_detail *detail)
{
	int values[ENROL_CODE_CHARS];
	size_t count = 0;

	agenda_detail_clear(detail);
	if (!typed)
		typed = "";
	for (size_t i = 0; typed[i]; i++) {
		unsigned char c = (unsigned char)typed[i];

		if (is_separator((char)c))
			continue;
		if (c >= 0x80 || c < 0x20) {
			agenda_detail_set(detail, MSG_ENROL_CODE_BAD_BYTE, c, i + 1);
			return AG_ERR_INVALID;
		}
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		int value = symbol_value((char)c);

		if (value < 0) {
			agenda_detail_set(detail, MSG_ENROL_CODE_BAD_CHAR, typed[i], i + 1);
			return AG_ERR_INVALID;
		}
		if (count < ENROL_CODE_CHARS)
			values[count] = value;
		count++;
	}
	if (count != ENROL_CODE_CHARS) {
		agenda_detail_set(detail, MSG_ENROL_CODE_LENGTH, ENROL_CODE_CHARS, count);
		return AG_ERR_INVALID;
	}
	if (weighted_sum(values, ENROL_CODE_CHARS) != 0) {
		agenda_detail_set(detail, MSG_ENROL_CODE_MISTYPED);
		return AG_ERR_INVALID;
	}
	format_grouped(values, out);
	return AG_OK;
}

bool enrol_code_check(const char *typed)
{
	char canonical[ENROL_CODE_SIZE];

	return enrol_code_normalise(typed, canonical, NULL) == AG_OK;
}
