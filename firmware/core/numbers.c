/*
 * numbers.c — normalising the numero di pratica and the numero di visto typed at the counter.
 *
 * Input is split into groups at separators (space, tab, / - . _); letters and digits are then
 * checked part by part so the detail can say which part is wrong and what was expected. Works
 * in place on the caller's text with indices only: no allocation, linear in the input, safe on
 * NULL and on arbitrarily long or binary input (only the first groups are remembered; quoted
 * text in details is capped). Formats and examples: numbers.h and docs/FORMATS.md.
 */
#include "core/numbers.h"
#include "core/messages.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* How much of a wrong part a detail quotes. */
#define QUOTE_MAX 12
/* Groups kept: a valid number has at most three (four once the compact form is split). */
#define GROUPS_MAX 5

/* Current sigle of the 107 Italian provinces and metropolitan cities (ISTAT), sorted. */
static const char PROVINCE[][3] = {
        "AG", "AL", "AN", "AO", "AP", "AQ", "AR", "AT", "AV", "BA", "BG", "BI", "BL", "BN",
        "BO", "BR", "BS", "BT", "BZ", "CA", "CB", "CE", "CH", "CL", "CN", "CO", "CR", "CS",
        "CT", "CZ", "EN", "FC", "FE", "FG", "FI", "FM", "FR", "GE", "GO", "GR", "IM", "IS",
        "KR", "LC", "LE", "LI", "LO", "LT", "LU", "MB", "MC", "ME", "MI", "MN", "MO", "MS",
        "MT", "NA", "NO", "NU", "OR", "PA", "PC", "PD", "PE", "PG", "PI", "PN", "PO", "PR",
        "PT", "PU", "PV", "PZ", "RA", "RC", "RE", "RG", "RI", "RM", "RN", "RO", "SA", "SI",
        "SO", "SP", "SR", "SS", "SU", "SV", "TA", "TE", "TN", "TO", "TP", "TR", "TS", "TV",
        "UD", "VA", "VB", "VC", "VE", "VI", "VR", "VT", "VV",
};

static int compare_sigla(const void *key, const void *entry)
{
	return strcmp((const char *)key, (const char *)entry);
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_letter(char c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static bool is_separator(char c)
{
	return c == ' ' || c == '\t' || c == '/' || c == '-' || c == '.' || c == '_';
}

int provincia_is_known(const char *sigla)
{
	char key[3];

	if (!sigla || !is_letter(sigla[0]) || !is_letter(sigla[1]) || sigla[2] != '\0')
		return 0;
	key[0] = upper(sigla[0]);
	key[1] = upper(sigla[1]);
	key[2] = '\0';
	return bsearch(key, PROVINCE, sizeof PROVINCE / sizeof PROVINCE[0], sizeof PROVINCE[0],
	               compare_sigla) != NULL;
}

/* One run of letters and digits between separators, as offsets into the input. */
struct group {
	size_t start, len;
};

struct split {
	struct group group[GROUPS_MAX];
	size_t count; /* every group seen, even past GROUPS_MAX */
};

/*
 * Which messages to use for one kind of number (the texts name the number they are about): a
 * character or byte that is not allowed, no number at all.
 */
struct char_messages {
	int bad_char, bad_byte, empty;
};

/*
 * Splits input into groups; false (with the detail) at the first byte that is neither a
 * letter, a digit nor a separator. Positions in details count from 1, as a person would.
 */
static bool split_groups(const char *input, struct split *out, struct char_messages msgs,
                         enum number_part *part, agenda_detail *why)
{
	size_t i = 0;

	memset(out, 0, sizeof *out);
	for (;;) {
		size_t start;

		while (input[i] != '\0' && is_separator(input[i]))
			i++;
		if (input[i] == '\0')
			return true;
		start = i;
		while (is_letter(input[i]) || is_digit(input[i]))
			i++;
		if (i == start) {
			unsigned char c = (unsigned char)input[i];

			*part = NUMBER_PART_CHARACTERS;
			if (c >= 0x21 && c < 0x7f)
				agenda_detail_set(why, msgs.bad_char, (char)c, i + 1);
			else
				agenda_detail_set(why, msgs.bad_byte, (unsigned)c, i + 1);
			return false;
		}
		if (out->count < GROUPS_MAX)
			out->group[out->count] = (struct group){start, i - start};
		out->count++;
	}
}

static size_t leading_letters(const char *s, struct group g)
{
	size_t n = 0;

	while (n < g.len && is_letter(s[g.start + n]))
		n++;
	return n;
}

static bool all_digits(const char *s, struct group g)
{
	for (size_t i = 0; i < g.len; i++)
		if (!is_digit(s[g.start + i]))
			return false;
	return g.len > 0;
}

/* Quote length for "%.*s": wrong parts may be kilobytes long. */
static int quote_len(struct group g)
{
	return g.len > QUOTE_MAX ? QUOTE_MAX : (int)g.len;
}

/*
 * The first group may hold more than one part ("RM2026001234"): split off its leading letters,
 * so that groups are then province, year, progressivo. Shifts the rest up by one.
 */
static void split_leading_letters(struct split *sp, size_t letters)
{
	struct group first = sp->group[0];

	if (letters == 0 || letters == first.len)
		return;
	for (size_t i = GROUPS_MAX - 1; i > 0; i--)
		sp->group[i] = sp->group[i - 1];
	sp->group[0] = (struct group){first.start, letters};
	sp->group[1] = (struct group){first.start + letters, first.len - letters};
	sp->count++;
}

/* The value of an all-digit group of at most max_len digits, or -1. */
static long group_value(const char *s, struct group g, size_t max_len)
{
	long v = 0;

	if (g.len > max_len || !all_digits(s, g))
		return -1;
	for (size_t i = 0; i < g.len; i++)
		v = v * 10 + (s[g.start + i] - '0');
	return v;
}

static agenda_err invalid(enum number_part *part, enum number_part which)
{
	*part = which;
	return AG_ERR_INVALID;
}

/*
 * The start both normalisers share: clears out, *part and why, refuses a missing buffer, then
 * splits input (NULL reads as "") into groups, refusing a bad character or no group at all.
 */
static agenda_err split_number(const char *input, char *out, struct char_messages msgs,
                               struct split *sp, enum number_part *part, agenda_detail *why)
{
	*part = NUMBER_PART_NONE;
	agenda_detail_clear(why);
	if (!out) {
		agenda_detail_set(why, MSG_NUMBER_NO_BUFFER);
		return AG_ERR_USAGE;
	}
	out[0] = '\0';
	if (!split_groups(input ? input : "", sp, msgs, part, why))
		return AG_ERR_INVALID;
	if (sp->count == 0) {
		agenda_detail_set(why, msgs.empty);
		return invalid(part, NUMBER_PART_EMPTY);
	}
	return AG_OK;
}

agenda_err numero_pratica_normalise(const char *input, char out[PRATICA_MAX],
                                    enum number_part *part, agenda_detail *why)
{
	static const struct char_messages MSGS = {MSG_PRATICA_BAD_CHAR, MSG_PRATICA_BAD_BYTE,
	                                          MSG_PRATICA_EMPTY};
	enum number_part ignored;
	agenda_err err;
	struct split sp;
	struct group prov, year, prog;
	char sigla[3];
	long year_value, prog_value;

	if (!part)
		part = &ignored;
	err = split_number(input, out, MSGS, &sp, part, why);
	if (err != AG_OK)
		return err;
	split_leading_letters(&sp, leading_letters(input, sp.group[0]));
	prov = sp.group[0];
	if (!is_letter(input[prov.start])) {
		agenda_detail_set(why, MSG_PRATICA_NO_PROVINCIA);
		return invalid(part, NUMBER_PART_PROVINCIA);
	}
	if (prov.len == 2) {
		sigla[0] = upper(input[prov.start]);
		sigla[1] = upper(input[prov.start + 1]);
		sigla[2] = '\0';
	}
	if (prov.len != 2 || !provincia_is_known(sigla)) {
		agenda_detail_set(why, MSG_PRATICA_BAD_PROVINCIA, quote_len(prov),
		                  input + prov.start);
		return invalid(part, NUMBER_PART_PROVINCIA);
	}
	if (sp.count == 1) {
		agenda_detail_set(why, MSG_PRATICA_NO_ANNO);
		return invalid(part, NUMBER_PART_ANNO);
	}
	/* Compact form: year and progressivo typed as one run of digits ("2026001234"). */
	if (sp.count == 2 && sp.group[1].len > 4 && all_digits(input, sp.group[1])) {
		sp.group[2] = (struct group){sp.group[1].start + 4, sp.group[1].len - 4};
		sp.group[1].len = 4;
		sp.count = 3;
	}
	year = sp.group[1];
	year_value = year.len == 4 ? group_value(input, year, 4) : -1;
	if (year_value < 2000 || year_value > 2099) {
		agenda_detail_set(why, MSG_PRATICA_BAD_ANNO, quote_len(year), input + year.start);
		return invalid(part, NUMBER_PART_ANNO);
	}
	if (sp.count == 2) {
		agenda_detail_set(why, MSG_PRATICA_NO_PROGRESSIVO);
		return invalid(part, NUMBER_PART_PROGRESSIVO);
	}
	prog = sp.group[2];
	prog_value = group_value(input, prog, 6);
	if (prog_value <= 0) {
		agenda_detail_set(why, MSG_PRATICA_BAD_PROGRESSIVO, quote_len(prog),
		                  input + prog.start);
		return invalid(part, NUMBER_PART_PROGRESSIVO);
	}
	if (sp.count > 3) {
		agenda_detail_set(why, MSG_PRATICA_EXTRA, quote_len(sp.group[3]),
		                  input + sp.group[3].start);
		return invalid(part, NUMBER_PART_CHARACTERS);
	}
	/* "PP/YYYY/NNNNNN": written digit by digit, both values are range-checked above. */
	out[0] = sigla[0];
	out[1] = sigla[1];
	out[2] = '/';
	for (int i = 6; i >= 3; i--, year_value /= 10)
		out[i] = (char)('0' + year_value % 10);
	out[7] = '/';
	for (int i = 13; i >= 8; i--, prog_value /= 10)
		out[i] = (char)('0' + prog_value % 10);
	out[14] = '\0';
	return AG_OK;
}

agenda_err numero_visto_normalise(const char *input, char out[VISTO_MAX], enum number_part *part,
                                  agenda_detail *why)
{
	static const struct char_messages MSGS = {MSG_VISTO_BAD_CHAR, MSG_VISTO_BAD_BYTE,
	                                          MSG_VISTO_EMPTY};
	enum number_part ignored;
	agenda_err err;
	struct split sp;
	struct group prefix;
	char digits[10];
	size_t digit_count = 0, letters;

	if (!part)
		part = &ignored;
	err = split_number(input, out, MSGS, &sp, part, why);
	if (err != AG_OK)
		return err;
	letters = leading_letters(input, sp.group[0]);
	if (letters == 0) {
		agenda_detail_set(why, MSG_VISTO_NO_PREFISSO);
		return invalid(part, NUMBER_PART_PREFISSO);
	}
	split_leading_letters(&sp, letters);
	prefix = sp.group[0];
	if (prefix.len != 3 || upper(input[prefix.start]) != 'I' ||
	    upper(input[prefix.start + 1]) != 'T' || upper(input[prefix.start + 2]) != 'A') {
		agenda_detail_set(why, MSG_VISTO_BAD_PREFISSO, quote_len(prefix),
		                  input + prefix.start);
		return invalid(part, NUMBER_PART_PREFISSO);
	}
	/*
	 * Digits may be grouped ("012 345 678"); every group after the prefix must be digits.
	 * Groups past GROUPS_MAX were not kept, so count digits by scanning the text itself.
	 */
	for (size_t g = 1; g < sp.count && g < GROUPS_MAX; g++) {
		if (!all_digits(input, sp.group[g])) {
			agenda_detail_set(why, MSG_VISTO_NOT_DIGITS, quote_len(sp.group[g]),
			                  input + sp.group[g].start);
			return invalid(part, NUMBER_PART_CIFRE);
		}
	}
	for (size_t i = prefix.start + prefix.len; input[i] != '\0'; i++) {
		if (is_letter(input[i])) {
			agenda_detail_set(why, MSG_VISTO_NOT_DIGITS, 1, input + i);
			return invalid(part, NUMBER_PART_CIFRE);
		}
		if (is_digit(input[i])) {
			if (digit_count < sizeof digits)
				digits[digit_count] = input[i];
			digit_count++;
		}
	}
	if (digit_count != 9) {
		agenda_detail_set(why, MSG_VISTO_CIFRE, digit_count);
		return invalid(part, NUMBER_PART_CIFRE);
	}
	memcpy(out, "ITA", 3);
	memcpy(out + 3, digits, 9);
	out[12] = '\0';
	return AG_OK;
}
