/*
 * enrol_code.h — the one-time enrolment code a help-desk agent dictates over the phone.
 *
 * agenda-central makes it (enrol-code), the technician types it on the device (agendactl
 * provision, the Tecnico screen), and the device checks it before any network call, so a
 * mistyped code is caught on the spot instead of burning a throttled attempt at central.
 *
 * Shape: 16 characters in 4 groups of 4, "K7QM-4XRT-9HCW-B3NE"; 15 random characters and one
 * check character. Alphabet (29 symbols, a prime): the digits 2 3 4 6 7 8 9 and the letters
 * A-Z without I, L, O, S: nothing that reads or sounds like 0/O, 1/I/L or 5/S. 15 characters
 * of 29 give 15 * log2(29) = 72.9 bits (at least 60 are required).
 * The check character makes sum((i+1) * value(i)) over all 16 characters 0 modulo 29: with a
 * prime modulus and distinct non-zero weights every single substitution and every transposition
 * of two neighbours changes the sum, so all of them are caught (tests/unit/enrol_code_test.c).
 * Pure: randomness comes from the caller's agenda_rng.
 */
#ifndef AGENDA_CORE_ENROL_CODE_H
#define AGENDA_CORE_ENROL_CODE_H

#include <stdbool.h>

#include "core/error.h"
#include "platform/rng.h"

#define ENROL_CODE_ALPHABET    "2346789ABCDEFGHJKMNPQRTUVWXYZ"
#define ENROL_CODE_SYMBOLS     29
#define ENROL_CODE_CHARS       16 /* 15 random + 1 check */
#define ENROL_CODE_GROUP       4
#define ENROL_CODE_BITS        72 /* floor(15 * log2(29)) */
#define ENROL_CODE_TEXT_LENGTH 19 /* "XXXX-XXXX-XXXX-XXXX" */
#define ENROL_CODE_SIZE        (ENROL_CODE_TEXT_LENGTH + 1)

/* A new code in its canonical form "XXXX-XXXX-XXXX-XXXX". AG_ERR_IO when the RNG fails. */
agenda_err enrol_code_generate(const agenda_rng *rng, char out[ENROL_CODE_SIZE]);

/*
 * What a person typed (lower case, spaces, dashes, dots allowed anywhere) into the canonical
 * form, with the check character verified. AG_ERR_INVALID with the detail saying what is
 * wrong: a character the code never contains, too few or too many characters, or a mistyped
 * code (the check fails). out is written only on success.
 */
agenda_err enrol_code_normalise(const char *typed, char out[ENROL_CODE_SIZE],
                                agenda_detail *detail);

/* True when typed normalises to a well-formed code with a correct check character. */
bool enrol_code_check(const char *typed);

#endif
