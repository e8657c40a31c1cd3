/*
 * device_round.h — one sync round with central, as the device runs it (docs/SYNC.md, "Device
 * side").
 *
 * A round sends what central must learn — the journal entries it has not acknowledged (at most
 * SYNC_MAX_ENTRIES or ROUND_MAX_BATCH_BYTES a request), the slots handed back, what the device
 * asks to hold (demand), the digest of what it holds, its audit head and the record central
 * anchored last time — and applies the answer in ONE transaction (round_apply.h). It asks again
 * at once while central has more changes or entries remain, up to ROUND_MAX_REQUESTS. A failure
 * (central unreachable, refusing, or an answer that does not decode) changes nothing but the
 * sync state's last_error and online = 0; what was already applied by earlier requests of the
 * same round stays (each answer is complete in itself).
 */
#ifndef AGENDA_SYNC_DEVICE_ROUND_H
#define AGENDA_SYNC_DEVICE_ROUND_H

#include <stdbool.h>
#include <stdint.h>

#include "services/context.h"
#include "sync/central_answer.h"
#include "sync/https_client.h"
#include "sync/sync_session.h"

#define ROUND_MAX_REQUESTS    50
#define ROUND_MAX_BATCH_BYTES (4u * 1024u * 1024u)
#define ROUND_PATH            "/v1/device/sync"
/* Free granted slots on days further than this are handed back (setting overrides). */
#define ROUND_SETTING_HAND_BACK_DAYS "sync.hand_back_days"
#define ROUND_DEFAULT_HAND_BACK_DAYS 31
/* How often the kiosk's sync thread runs a round when nothing else asks for one (seconds). */
#define ROUND_SETTING_INTERVAL_S "sync.interval_s"
#define ROUND_DEFAULT_INTERVAL_S 60

struct sync_round_report {
	int requests;       /* answered requests applied */
	int entries_sent;   /* journal entries carried (repeats included) */
	int acked;          /* entries newly marked acknowledged */
	int conflicts;      /* entries central applied its own way */
	int changes;        /* central changes applied */
	int grants;         /* of which grants */
	int revokes;        /* of which revokes */
	int worklist_items; /* items left for the counter */
	int released;       /* hand-backs central took */
	bool clock_skew;    /* the device's clock is too far from central's: not trusted */
	int64_t cursor;     /* central change seq now applied */
	int64_t lease_end;  /* every grant held lasts until then */
	int64_t central_now;
	int64_t entries_waiting; /* journal entries still not acknowledged */
	https_failure network;   /* HTTPS_ANSWERED unless central could not be reached */
	long status;             /* central's HTTP status when it refused */
	char server_error[CENTRAL_TOKEN_SIZE];
	long connections; /* new connections the session opened during the round */
};

/*
 * Runs one round over session. AG_OK when every request was answered and applied; AG_ERR_IO
 * with report->network set when central could not be reached (exit 16 in agendactl),
 * AG_ERR_REFUSED when central refused (revoked, forbidden), AG_ERR_INVALID or AG_ERR_REFUSED
 * (another version) for an answer that does not decode (MSG_SYNC_PROTO_*), a store error when
 * applying failed. The sync state records the outcome in every case.
 */
agenda_err sync_round_run(agenda_ctx *ctx, sync_session *session, struct sync_round_report *report,
                          agenda_detail *why);

#endif
