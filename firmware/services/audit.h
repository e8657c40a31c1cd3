/*
 * audit.h — the append-only, hash-chained audit log (invariant I6).
 *
 * Each record stores HMAC-SHA-256 under the device secret of (previous hash, seq, time, actor,
 * action, subject, detail); the last
 * record's seq and hash are also kept in audit_head. The verifier recomputes the chain and names
 * the first record that was edited, deleted, inserted or reordered, and a truncated tail. Records
 * carry ids (operator user names, appointment ids, practice numbers), never applicants' names (I7).
 */
#ifndef AGENDA_SERVICES_AUDIT_H
#define AGENDA_SERVICES_AUDIT_H

#include <stdint.h>

#include "services/context.h"

/* Appends one record inside the caller's transaction. */
agenda_err audit_append(agenda_ctx *ctx, const char *actor, const char *action, const char *subject,
                        const char *detail, agenda_detail *why);

enum audit_problem {
	AUDIT_INTACT = 0,
	AUDIT_HASH_MISMATCH, /* a record's content or hash was edited */
	AUDIT_BROKEN_LINK,   /* prev_hash does not match the record before: reordered or inserted */
	AUDIT_GAP,           /* seq jumps: records deleted */
	AUDIT_TRUNCATED      /* the head says there were more records */
};

struct audit_report {
	int64_t records;   /* records read */
	int64_t first_bad; /* seq of the first broken record (0 when intact) */
	enum audit_problem problem;
};

/* AG_OK with the report filled whatever it found; an error only when the store fails. */
agenda_err audit_verify(agenda_ctx *ctx, struct audit_report *report, agenda_detail *why);

/*
 * The chain's head as central anchors it: *seq the last record's seq and hex its hash (64
 * lowercase hex digits); seq 0 and 64 zeros on an empty chain.
 */
#define AUDIT_HEX_SIZE 65
agenda_err audit_head(agenda_ctx *ctx, int64_t *seq, char hex[AUDIT_HEX_SIZE], agenda_detail *why);

/* The hash of record seq as hex; 64 zeros for seq 0; AG_ERR_NOT_FOUND when there is no such
 * record. */
agenda_err audit_hash_at(agenda_ctx *ctx, int64_t seq, char hex[AUDIT_HEX_SIZE],
                         agenda_detail *why);

/* Short Italian / English words for a problem. */
const char *audit_problem_text(enum audit_problem p, agenda_lang lang);

#endif
