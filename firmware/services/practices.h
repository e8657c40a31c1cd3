/*
 * practices.h — the cached nulla-osta records and their lookup.
 *
 * The operator recalls an applicant by numero di pratica and/or numero di visto (the circular:
 * "inserendo il Numero di Pratica e/o il Numero di Visto"). Both are normalised first; when both
 * are given they must name the same practice. Only first-entry practices for work (lavoro) or
 * family reunification (ricongiungimento familiare) may be booked.
 */
#ifndef AGENDA_SERVICES_PRACTICES_H
#define AGENDA_SERVICES_PRACTICES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/numbers.h"
#include "core/practice_row.h"
#include "services/context.h"
#include "services/operators.h"

struct practice {
	int64_t id;
	char numero_pratica[PRATICA_MAX];
	char numero_visto[VISTO_MAX]; /* "" when the practice has none yet */
	char cognome[PERSON_NAME_MAX];
	char nome[PERSON_NAME_MAX];
	agenda_day data_nascita;
	char nazionalita[FIELD_MAX];
	char tipo[FIELD_MAX]; /* as imported; see practice_kind_of */
	char questura[QUESTURA_CODE_MAX];
	char status[FIELD_MAX];
	bool demo;
};

/* practice_kind_of and practice_kind_name: core/practice_row.h (shared with central). */

/*
 * Looks a practice up by either or both numbers (NULL or "" = not given). AG_ERR_INVALID for a
 * malformed number (detail names the part), AG_ERR_NOT_FOUND, AG_ERR_REFUSED when the two
 * numbers name different practices or the session may not read personal data.
 */
agenda_err practice_lookup(agenda_ctx *ctx, const struct session *who, const char *numero_pratica,
                           const char *numero_visto, struct practice *out, agenda_detail *why);

/* By id, without session checks: for services that already hold a checked session. */
agenda_err practice_by_id(agenda_ctx *ctx, int64_t id, struct practice *out, agenda_detail *why);

/* AG_OK when the practice may be booked, AG_ERR_REFUSED with the reason otherwise. */
agenda_err practice_check_bookable(const struct practice *p, agenda_detail *why);

/* Inserts or updates (by numero_pratica) one practice; numbers must already be canonical. */
agenda_err practice_upsert(agenda_ctx *ctx, const struct practice *p, agenda_detail *why);

/*
 * A practice record central sent (issue 12): numbers normalised here, status kept as central
 * says (a withdrawn practice, "ritirata", can no longer be booked), upserted by numero_pratica
 * and audited as practice_from_central (actor "central"). A numero_visto another practice holds
 * is taken from it (central's record is the newer truth). Inside the caller's transaction.
 */
agenda_err practice_upsert_from_central(agenda_ctx *ctx, const struct practice *p,
                                        agenda_detail *why);

/* Result of an import: good rows kept, bad rows reported through the callback and skipped. */
struct import_report {
	int rows_read; /* records after the header (blank lines are not records) */
	int rows_imported;
	int rows_rejected;
	bool interrupted_before; /* an earlier import had been cut short when this one began */
};
typedef void (*import_bad_row_fn)(void *arg, int line, const char *reason_it,
                                  const char *reason_en);

/*
 * Imports a UTF-8 CSV with header
 * numero_pratica,numero_visto,cognome,nome,data_nascita,nazionalita,tipo,questura
 * (RFC 4180 quoting; comma or semicolon separated), streamed in bounded memory. Every record is
 * either imported or reported to bad_row with the line it starts on (rows_read = rows_imported +
 * rows_rejected). Good rows are committed in batches, each a short transaction, so bookings go
 * on meanwhile; a wrong header is AG_ERR_INVALID and imports nothing. On a failure after some
 * batches were committed (disk full, I/O), those stay (report->rows_imported says how many), the
 * progress is kept for practice_import_pending, and importing the same file again completes the
 * import (rows are upserts by numero_pratica). Per-batch semantics: docs/FORMATS.md.
 */
agenda_err practice_import_csv(agenda_ctx *ctx, const char *actor, FILE *in,
                               import_bad_row_fn bad_row, void *arg, struct import_report *report,
                               agenda_detail *why);

/* Where an import that did not finish got to. */
struct import_progress {
	int64_t started;   /* when it began (epoch seconds, from the context's clock) */
	int line;          /* the last line of the file it wrote */
	int rows_imported; /* rows committed before it stopped */
};

/* True when an import was cut short: its committed batches stay, a re-run completes it. */
bool practice_import_pending(agenda_ctx *ctx, struct import_progress *out);

#endif
