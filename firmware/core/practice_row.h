/*
 * practice_row.h — one nulla-osta record of the SPI's CSV export, read and checked: the rules
 * the device's import (services/practice_import.c) and central's (central/central_practice.c)
 * share, so a file is accepted or refused line for line the same on both sides.
 *
 * Pure: the caller streams records with core/csv.h and decides what "today" is and whether the
 * Questura exists (each side asks its own store). Nothing is ever cut to fit: a field that is too
 * long, not UTF-8 or holds control characters (NUL included) refuses its row.
 */
#ifndef AGENDA_CORE_PRACTICE_ROW_H
#define AGENDA_CORE_PRACTICE_ROW_H

#include <stdbool.h>

#include "core/csv.h"
#include "core/date.h"
#include "core/error.h"
#include "core/numbers.h"

#define PERSON_NAME_MAX   128
#define FIELD_MAX         64
#define QUESTURA_CODE_MAX 8

/* numero_pratica,numero_visto,cognome,nome,data_nascita,nazionalita,tipo,questura */
#define PRACTICE_CSV_COLUMNS 8

enum practice_kind { KIND_LAVORO = 0, KIND_RICONGIUNGIMENTO, KIND_OTHER };

/* One record as imported: numbers canonical, texts trimmed, questura in capitals. */
struct practice_row {
	char numero_pratica[PRATICA_MAX];
	char numero_visto[VISTO_MAX]; /* "" when the practice has none yet */
	char cognome[PERSON_NAME_MAX];
	char nome[PERSON_NAME_MAX];
	agenda_day data_nascita;
	char nazionalita[FIELD_MAX];
	char tipo[FIELD_MAX];
	char questura[QUESTURA_CODE_MAX];
};

/* "lavoro", "lavoro subordinato" -> LAVORO; "ricongiungimento familiare" -> RICONGIUNGIMENTO. */
enum practice_kind practice_kind_of(const char *tipo);

/* Canonical stored spelling of a recognised kind ("lavoro", "ricongiungimento familiare"). */
const char *practice_kind_name(enum practice_kind kind);

/* tipo as it is stored: a recognised kind in its one spelling, anything else as imported. */
const char *practice_tipo_stored(const char *tipo);

/* True when rec is the header line (names trimmed, any case). */
bool practice_csv_header_ok(const struct csv_record *rec);

/*
 * Reads and checks one record (a CSV_RECORD from csv_next) into *out: AG_OK, or
 * AG_ERR_INVALID with the reason in why (Italian and English, naming the field). A birth date
 * after today is refused. Whether the Questura exists is the caller's check.
 */
agenda_err practice_row_parse(const struct csv_record *rec, agenda_day today,
                              struct practice_row *out, agenda_detail *why);

/* The reason a record csv_next could not read (status cs, not CSV_RECORD) is refused. */
void practice_csv_problem(enum csv_status cs, const struct csv_record *rec, agenda_detail *why);

#endif
