/*
 * journal.h — the outbound journal: every change central must learn, written in the same
 * transaction as the change itself, in order, until central acknowledges it (invariant I4).
 * Payloads carry ids (appointment, practice number, operator user name), never names (I7); they
 * are built in journal_payload.c and documented in docs/JOURNAL.md.
 *
 * Reading side, for the sync client: entries have a local id that only grows (one writer at a
 * time, rows never deleted), so "unacknowledged entries after id N, in id order" is a cursor
 * that survives a cut — after a restart the client starts again from journal_cursor() and sends
 * nothing central has acknowledged; what it sent but central did not acknowledge goes again,
 * and central applies it once by its entry_id.
 */
#ifndef AGENDA_SERVICES_JOURNAL_H
#define AGENDA_SERVICES_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/context.h"

#define JOURNAL_ENTRY_ID_MAX 37

/*
 * Appends an entry inside the caller's transaction. Adds entry_id, kind, device and at to the
 * payload, which it takes ownership of (NULL payload: AG_ERR_NOMEM). appointment_id may be NULL.
 */
agenda_err journal_add(agenda_ctx *ctx, const char *kind, const char *appointment_id,
                       json_t *payload, agenda_detail *why);

/* One entry as the sync client sees it; the strings live only during the visit. */
struct journal_entry {
	int64_t id;                 /* local, increasing: the cursor */
	const char *entry_id;       /* UUID central applies it by */
	const char *kind;           /* "book", "cancel", ... */
	const char *appointment_id; /* NULL for a day close */
	const char *payload;        /* compact JSON, envelope included (docs/JOURNAL.md) */
	size_t payload_bytes;
	int64_t created_at;
};

/* Called once per entry, in id order; returning false stops the batch after this entry. */
typedef bool (*journal_visit_fn)(const struct journal_entry *entry, void *arg);

/* How big a batch may grow: both bounds apply; 0 means no bound of that kind. */
struct journal_batch_limits {
	int max_entries;
	size_t max_bytes; /* sum of payload_bytes */
};

/* What a batch held: entries visited and the id of the last one (after_id when none). */
struct journal_batch_report {
	int entries;
	size_t bytes;
	int64_t last_id;
};

/*
 * Visits the entries central has not acknowledged whose local id is above after_id, in id
 * order, within the limits. The first entry is always visited even when it alone exceeds
 * max_bytes, so one large entry cannot stall the sync. One read snapshot: an entry committed
 * meanwhile waits for the next batch. The visitor must not write to the store.
 */
agenda_err journal_batch(agenda_ctx *ctx, int64_t after_id, const struct journal_batch_limits *lim,
                         journal_visit_fn visit, void *arg, struct journal_batch_report *out,
                         agenda_detail *why);

/* What an acknowledgement changed. */
struct journal_ack_report {
	int acked;     /* marked acknowledged now */
	int already;   /* were acknowledged before (a repeated ack is harmless) */
	int not_found; /* no entry has that id (central answering for another device?) */
};

/* Marks the entries with these entry ids acknowledged, all in one transaction. */
agenda_err journal_ack(agenda_ctx *ctx, const char *const *entry_ids, size_t n,
                       struct journal_ack_report *out, agenda_detail *why);

/*
 * The appointment an entry is about (by its entry_id, e.g. from central's conflict), into out
 * ("" when the entry names none, like a day close); AG_ERR_NOT_FOUND for no such entry.
 */
agenda_err journal_entry_appointment(agenda_ctx *ctx, const char *entry_id,
                                     char out[JOURNAL_ENTRY_ID_MAX], agenda_detail *why);

/* Entries central has not acknowledged. */
agenda_err journal_unacked_count(agenda_ctx *ctx, int64_t *count, agenda_detail *why);

/*
 * Where a sync round resumes: the highest id up to which every entry is acknowledged (0 on an
 * empty or wholly unacknowledged journal). journal_batch(ctx, cursor, ...) then starts at the
 * first entry central still needs.
 */
agenda_err journal_cursor(agenda_ctx *ctx, int64_t *cursor, agenda_detail *why);

#endif
