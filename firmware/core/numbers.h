/*
 * numbers.h — numero di pratica and numero di visto: what operators type, what we store.
 *
 * Operators type these from paper, a barcode scanner or memory: case, spaces and separators vary.
 * Each normaliser accepts the variants, returns the one canonical text that the practice cache is
 * keyed by, and on a malformed value names the part that is wrong. Formats: docs/FORMATS.md.
 *
 *   numero pratica  PP/YYYY/NNNNNN  provincia (sigla), anno 2000..2099, progressivo 1..6 digits
 *                   e.g. "RM/2026/001234"; "rm 2026 1234", "RM-2026-001234", "rm2026001234"
 *   numero visto    ITA + 9 digits  e.g. "ITA012345678"; "ita 012 345 678", "ITA-012345678"
 */
#ifndef AGENDA_CORE_NUMBERS_H
#define AGENDA_CORE_NUMBERS_H

#include "core/error.h"

#define PRATICA_MAX 16 /* "RM/2026/001234" + NUL */
#define VISTO_MAX   13 /* "ITA012345678" + NUL */

/* Which part of a number was wrong (also in the detail text). */
enum number_part {
	NUMBER_PART_NONE = 0,
	NUMBER_PART_EMPTY,       /* nothing typed */
	NUMBER_PART_CHARACTERS,  /* a character that belongs to no part */
	NUMBER_PART_PROVINCIA,   /* unknown or missing province code */
	NUMBER_PART_ANNO,        /* year missing or outside 2000..2099 */
	NUMBER_PART_PROGRESSIVO, /* serial missing, zero, or longer than 6 digits */
	NUMBER_PART_PREFISSO,    /* visa: country prefix is not ITA */
	NUMBER_PART_CIFRE        /* visa: not exactly 9 digits */
};

/* AG_OK and the canonical form in out, or AG_ERR_INVALID with *part and the detail set. */
agenda_err numero_pratica_normalise(const char *input, char out[PRATICA_MAX],
                                    enum number_part *part, agenda_detail *why);
agenda_err numero_visto_normalise(const char *input, char out[VISTO_MAX], enum number_part *part,
                                  agenda_detail *why);

/* True for an Italian province code (sigla automobilistica, e.g. "RM", "MI", "BO", "PD"). */
int provincia_is_known(const char *sigla);

#endif
