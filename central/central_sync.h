/*
 * central_sync.h — central's half of a sync round and of the online grant (issue 12, docs/SYNC.md
 * "Central side", docs/CENTRAL.md "Sync"): what the HTTP routes call once they have a decoded
 * request and the device id from its client certificate.
 *
 * A round is ONE transaction on the store: expire leases, apply the journal entries exactly once
 * (by entry id, journal_applied), hand back `releasing`, check the audit anchor and the digest,
 * grant slots by demand, renew leases, and answer with every change for this device after its
 * cursor. The grant is the same in small: expire, then the earliest pool slot before the device's
 * own best one becomes the device's, with its `grant` change. Both take `now` from the caller
 * (the injectable clock), never from the system.
 *
 * Errors: AG_ERR_REFUSED for an unknown or revoked device (the route answers 403); AG_ERR_INVALID
 * for a request that names another device; store errors as they are. A problem in one journal
 * entry is a conflict in the answer, never an error for the round.
 */
#ifndef AGENDA_CENTRAL_SYNC_H
#define AGENDA_CENTRAL_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store.h"
#include "sync/protocol.h"

#define CENTRAL_LEASE_SECONDS_DEFAULT (48 * 3600)
#define CENTRAL_LEASE_MARGIN_DEFAULT  (10 * 60)
#define CENTRAL_MAX_GRANTS_PER_ROUND  2000

/* How a central hands out slots (agenda-central serve --lease-seconds, --lease-margin-seconds). */
struct central_sync_config {
	int64_t lease_seconds;  /* a grant lasts this long after the round that renews it */
	int64_t margin_seconds; /* plus this much for a device's clock skew before it expires */
	size_t max_grants;      /* per round, all Questure together (0: the default 2000) */
};

/* The config with the defaults above. */
struct central_sync_config central_sync_config_default(void);

/* The first tamper problem seen for a device; kept until `device clear-alert`. */
enum central_alert {
	CENTRAL_ALERT_NONE = 0,
	CENTRAL_ALERT_AUDIT_CUT,       /* the audit head went back below the anchored seq */
	CENTRAL_ALERT_AUDIT_REWRITTEN, /* the record at the anchored seq has another hash */
	CENTRAL_ALERT_DIGEST_MISMATCH, /* appointments/slots differ from what the journal said */
};
#define CENTRAL_ALERT_COUNT 4

/* "audit_cut", "audit_rewritten", "digest_mismatch" ("" for NONE); the token stored and shown. */
const char *central_alert_name(enum central_alert alert);
/* The alert of a token; CENTRAL_ALERT_NONE for "" or an unknown one. */
enum central_alert central_alert_from_name(const char *name);

/* What one round did, for logs and /metrics (no personal data). */
struct central_round_report {
	size_t applied;   /* entries applied now (ack or conflict) */
	size_t repeated;  /* entries already applied before: their stored outcome again */
	size_t conflicts; /* of applied + repeated, those answered with a conflict */
	size_t granted;   /* slots granted by demand in this round */
	size_t released;  /* slots handed back to the pool by `releasing` */
	size_t expired;   /* slots whose lease ended, back to the pool (all devices) */
	size_t revoked;   /* revoke changes written in this round (expiry, duplicate practice) */
	size_t changes;   /* changes in the response */
	enum central_alert alert; /* raised in this round (NONE: none new) */
};

/*
 * One round for device_id (from the client certificate; req->device_id must be the same) at
 * time now. On AG_OK *out is the response to encode (sync_response_free), *rep (may be NULL)
 * says what happened; on failure nothing was written and *out is empty.
 */
agenda_err central_sync_round(central_store *s, const char *device_id,
                              const struct sync_request *req, const struct central_sync_config *cfg,
                              int64_t now, struct sync_response *out,
                              struct central_round_report *rep, agenda_detail *why);

/*
 * The online earliest-slot grant: expire leases, then the earliest pool slot of req->questura
 * with from_day <= (day, minute) < (before_day, before_minute) goes to the device with a
 * `grant` change. out->granted false (AG_OK) when there is none. One transaction.
 */
struct sync_grant_request;
struct sync_grant_response;
agenda_err central_sync_grant(central_store *s, const char *device_id,
                              const struct sync_grant_request *req,
                              const struct central_sync_config *cfg, int64_t now,
                              struct sync_grant_response *out, agenda_detail *why);

/* A device's sync state as `device list` and /metrics show it. */
struct central_device_sync {
	char device[CENTRAL_HOLDER_MAX + 1];
	int64_t last_round_at; /* 0: never synced */
	int64_t cursor_sent;
	int64_t lease_end;
	int64_t held; /* slots held now */
	enum central_alert alert;
	int64_t alert_at;
};

/* The sync state of device (zeros and NONE when it never synced). */
agenda_err central_sync_device_state(central_store *s, const char *device,
                                     struct central_device_sync *out, agenda_detail *why);

/* Devices with an open alert, per alert kind (counts[CENTRAL_ALERT_NONE] is unused). */
agenda_err central_sync_alert_counts(central_store *s, int64_t counts[CENTRAL_ALERT_COUNT],
                                     agenda_detail *why);

/* `agenda-central device clear-alert ID`: AG_ERR_NOT_FOUND for an unknown device; clearing a
 * device without an alert is AG_OK (*had false). */
agenda_err central_sync_clear_alert(central_store *s, const char *device, bool *had,
                                    agenda_detail *why);

#endif
