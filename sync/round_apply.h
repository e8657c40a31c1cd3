/*
 * round_apply.h — one decoded round response applied to the device, in ONE transaction.
 *
 * Acknowledgements, conflicts, central's changes in seq order, the hand-backs central now has,
 * the lease renewal, the clock agreement and the cursor either all land or none does: a cut or
 * a failing change leaves the device as it was, and the same response applied again (the round
 * repeated whole) gives the same state. Internal to the round (device_round.c).
 */
#ifndef AGENDA_SYNC_ROUND_APPLY_H
#define AGENDA_SYNC_ROUND_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/context.h"
#include "sync/protocol.h"

/* What the request said that the response refers back to. */
struct round_sent_entry {
	char entry_id[SYNC_UUID_SIZE];
	char appointment_id[SYNC_UUID_SIZE]; /* "" for entries without one (day close) */
	char numero_pratica[SYNC_NAME_SIZE]; /* "" when the payload names none */
};

struct round_sent {
	const struct round_sent_entry *entries;
	size_t n_entries;
	const int64_t *releasing; /* the hand-backs the request named */
	size_t n_releasing;
	int64_t audit_seq; /* the head the request anchored */
};

/* Counts of what one response changed. */
struct round_applied {
	int acked;
	int conflicts;
	int changes;
	int grants;
	int revokes;
	int worklist_items; /* revokes and conflicts that left an item for the counter */
	bool clock_skew;    /* |device - central| too large: the clock is not trusted */
};

/*
 * Applies res (decoded from central's answer to the request described by sent) in one
 * transaction and fills *out. Any failure rolls everything back and returns its error with why
 * filled (*out untouched).
 */
agenda_err round_apply(agenda_ctx *ctx, const struct round_sent *sent,
                       const struct sync_response *res, struct round_applied *out,
                       agenda_detail *why);

#endif
