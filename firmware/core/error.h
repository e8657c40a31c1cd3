/*
 * error.h — the one project-wide result code.
 *
 * Every library function that can fail returns an agenda_err (like SQLITE_OK or CURLcode).
 * Detail meant for a person travels in a caller-owned agenda_detail, never in a global.
 * agendactl maps each code to a documented exit status (see docs/CLI.md).
 */
#ifndef AGENDA_CORE_ERROR_H
#define AGENDA_CORE_ERROR_H

#include <stddef.h>

typedef enum agenda_err {
	AG_OK = 0,
	AG_ERR_USAGE,        /* a caller passed arguments that make no sense */
	AG_ERR_INVALID,      /* malformed input: practice number, date, CSV field */
	AG_ERR_NOT_FOUND,    /* no such practice, appointment, operator, questura */
	AG_ERR_REFUSED,      /* a business rule says no (ineligible kind, mismatch, role) */
	AG_ERR_NO_CAPACITY,  /* no free held slot within the horizon */
	AG_ERR_AUTH,         /* wrong user or password */
	AG_ERR_EXISTS,       /* would create a duplicate */
	AG_ERR_STORE,        /* SQLite failed for a reason that is not one of the below */
	AG_ERR_DISK_FULL,    /* the data partition is full: nothing was written */
	AG_ERR_CORRUPT,      /* the database fails the integrity check or is not ours */
	AG_ERR_SCHEMA_NEWER, /* the database was written by a newer firmware */
	AG_ERR_IO,           /* a file or device could not be read or written */
	AG_ERR_NOMEM,
	AG_ERR_BUSY,    /* another program held the database's write lock too long: retry */
	AG_ERR_CHANGED, /* what the caller read changed meanwhile (a proposal's slot is gone) */
	AG_ERR_COUNT
} agenda_err;

/* Short stable English identifier, for logs and --json ("no_capacity"). */
const char *agenda_err_name(agenda_err err);

/* Person-facing detail filled by a failing call: Italian first, English beside it. */
#define AGENDA_DETAIL_MAX 512
typedef struct agenda_detail {
	char it[AGENDA_DETAIL_MAX];
	char en[AGENDA_DETAIL_MAX];
} agenda_detail;

/* Clears a detail; safe on NULL. */
void agenda_detail_clear(agenda_detail *d);

/*
 * Fills both languages from one catalogue entry (core/messages.def) and its printf arguments;
 * safe on NULL. Both languages of an entry take the same arguments in the same order.
 */
void agenda_detail_set(agenda_detail *d, int msg_id, ...);

#endif
