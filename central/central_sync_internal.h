/*
 * central_sync_internal.h — what the files of central's round share (central_sync.c,
 * central_apply.c, central_grants.c, central_tamper.c): the round's context and each step.
 * Every function runs inside the round's one transaction.
 */
#ifndef AGENDA_CENTRAL_SYNC_INTERNAL_H
#define AGENDA_CENTRAL_SYNC_INTERNAL_H

#include <inttypes.h>
#include <stdio.h>

#include "central_sync.h"

#define I64(buf, v) snprintf((buf), sizeof(buf), "%" PRId64, (int64_t)(v))

struct central_round {
	central_store *s;
	const char *device;
	char site[CENTRAL_SITE_CODE_MAX + 1];
	char provinces[CENTRAL_SITE_PROVINCES_MAX][3];
	size_t province_count;
	int64_t now;
	int64_t lease_end; /* now + lease: what every grant and renewal gets */
	int64_t margin;
	int64_t last_seq; /* of the last grant given (the grant route answers it) */
	struct central_round_report *rep;
};

/* What one journal entry got. */
struct central_outcome {
	bool conflict;
	char reason[SYNC_TOKEN_SIZE];
	enum sync_action action;
};

/* The device's site and provinces; AG_ERR_REFUSED for an unknown or revoked device. */
agenda_err central_round_open(struct central_round *r, central_store *s, const char *device,
                              const struct central_sync_config *cfg, int64_t now,
                              agenda_detail *why);
bool central_round_serves(const struct central_round *r, const char *questura);

/* Step 2: one entry not applied before (central_apply.c). */
agenda_err central_apply_new(struct central_round *r, const struct sync_entry *e,
                             struct central_outcome *out, agenda_detail *why);

/* Step 2's bookkeeping (central_applied.c): the outcomes stored for the request's entries, read
 * in one statement, and the new ones written in a few multi-row INSERTs. */
struct central_applied;
agenda_err central_applied_load(struct central_round *r, const struct sync_request *req,
                                struct central_applied **out, agenda_detail *why);
/* The stored outcome of entry_id into *out; false when it was never applied. */
bool central_applied_find(const struct central_applied *a, const char *entry_id,
                          struct central_outcome *out);
void central_applied_free(struct central_applied *a);
agenda_err central_applied_record(struct central_round *r, const struct sync_entry *const *entries,
                                  const struct central_outcome *outcomes, size_t n,
                                  agenda_detail *why);

/* Step 1: every device's slots whose lease ended (+ margin) without a confirmed booking. */
agenda_err central_grants_expire(struct central_round *r, agenda_detail *why);
/* Step 3: the slots the device hands back (not those it booked). */
agenda_err central_grants_release(struct central_round *r, const int64_t *ids, size_t n,
                                  agenda_detail *why);
/* Step 5: pool slots for what the device asks, each with its grant change. */
agenda_err central_grants_demand(struct central_round *r, const struct sync_demand *demand,
                                 size_t n, size_t max_grants, agenda_detail *why);
/* Step 6: every slot the device holds lasts until r->lease_end. */
agenda_err central_grants_renew(struct central_round *r, agenda_detail *why);
/* Gives slot id (from the pool) to the device with a grant change. */
agenda_err central_grants_give(struct central_round *r, int64_t id, const char *questura,
                               agenda_day day, int minute, agenda_detail *why);

/* Step 4: anchor and digest checks, then the head stored. */
agenda_err central_tamper_check(struct central_round *r, const struct sync_request *req,
                                agenda_detail *why);

#endif
