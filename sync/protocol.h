/*
 * protocol.h — the sync protocol's messages, version 1 (docs/SYNC.md): one round is a request
 * from the device (POST /v1/device/sync) and central's response. Both sides share these structs
 * and their JSON encoding; decode is strict and never trusts its input (sizes bounded, wrong
 * types, missing fields and other versions refused with a message naming the field; unknown
 * fields ignored so a newer peer can add some). Links agenda_core and Jansson only, so
 * agenda-central uses it without libagenda or curl. Wiring rounds over HTTPS is the next step.
 */
#ifndef AGENDA_SYNC_PROTOCOL_H
#define AGENDA_SYNC_PROTOCOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define SYNC_PROTOCOL_VERSION 1

/* Limits: a message over any of them is refused whole, never truncated. */
#define SYNC_MAX_BODY_BYTES    (8u * 1024u * 1024u) /* either direction */
#define SYNC_MAX_ENTRIES       500                  /* journal entries per request */
#define SYNC_MAX_CHANGES       1000                 /* changes per response (then "more") */
#define SYNC_MAX_RELEASING     1000                 /* slots handed back per request */
#define SYNC_MAX_DEMAND        64                   /* Questure a device asks slots for */
#define SYNC_MAX_PAYLOAD_BYTES 4096                 /* one journal entry's payload, encoded */
#define SYNC_MAX_DEMAND_DAYS   366
#define SYNC_MAX_DEMAND_SLOTS  100000

/* String sizes, NUL included. */
#define SYNC_UUID_SIZE  37  /* 8-4-4-4-12 lowercase hex */
#define SYNC_HEX_SIZE   65  /* SHA-256 as 64 lowercase hex digits */
#define SYNC_TOKEN_SIZE 32  /* kind, reason, role: [a-z0-9_]+ */
#define SYNC_NAME_SIZE  64  /* device id, questura code, username, site */
#define SYNC_DAY_SIZE   11  /* YYYY-MM-DD */
#define SYNC_TEXT_SIZE  256 /* note, names, address */
#define SYNC_HASH_SIZE  160 /* argon2 encoded hash */

/* ---- device -> central ---- */

struct sync_entry {
	char entry_id[SYNC_UUID_SIZE];
	int64_t seq; /* the journal's seq, > 0 */
	char kind[SYNC_TOKEN_SIZE];
	json_t *payload; /* the journal payload (JOURNAL.md), an object; owned (json_decref) */
};

struct sync_demand {
	char questura[SYNC_NAME_SIZE];
	int days;  /* open days to cover from today */
	int slots; /* slots wanted to cover them (0: hold none) */
};

struct sync_request {
	int version;
	char device_id[SYNC_NAME_SIZE];
	int64_t cursor; /* last central change applied, 0 at first */
	struct sync_entry *entries;
	size_t n_entries;
	int64_t audit_seq; /* the device's audit head */
	char audit_hash[SYNC_HEX_SIZE];
	int64_t audit_anchor_seq; /* the seq central anchored last round (0: none yet) */
	char audit_anchor_hash[SYNC_HEX_SIZE]; /* the device's record at that seq (zeros: none) */
	char digest[SYNC_HEX_SIZE];            /* of live appointments + held slots */
	int64_t *releasing;                    /* slot ids handed back */
	size_t n_releasing;
	struct sync_demand *demand;
	size_t n_demand;
};

/* ---- central -> device ---- */

enum sync_action { SYNC_ACTION_CANCEL_COPY, SYNC_ACTION_WORKLIST };

struct sync_conflict {
	char entry_id[SYNC_UUID_SIZE];
	char reason[SYNC_TOKEN_SIZE];
	enum sync_action action;
};

enum sync_change_type {
	SYNC_CHANGE_GRANT,
	SYNC_CHANGE_REVOKE,
	SYNC_CHANGE_CAPACITY,
	SYNC_CHANGE_PRACTICE,
	SYNC_CHANGE_OPERATOR,
	SYNC_CHANGE_QUESTURA,
};

struct sync_grant {
	int64_t slot_id;
	char questura[SYNC_NAME_SIZE];
	char day[SYNC_DAY_SIZE];
	int minute; /* 0..1439, Europe/Rome civil time */
	int64_t lease_end;
};

struct sync_revoke {
	int64_t slot_id;
	char reason[SYNC_TOKEN_SIZE];
};

struct sync_capacity {
	char questura[SYNC_NAME_SIZE];
	char day[SYNC_DAY_SIZE];
	bool open;
	char note[SYNC_TEXT_SIZE];
};

struct sync_practice {
	char numero_pratica[SYNC_NAME_SIZE];
	char numero_visto[SYNC_NAME_SIZE]; /* "" when none */
	char cognome[SYNC_TEXT_SIZE];
	char nome[SYNC_TEXT_SIZE];
	char data_nascita[SYNC_DAY_SIZE];
	char nazionalita[SYNC_NAME_SIZE];
	char tipo[SYNC_NAME_SIZE];
	char questura[SYNC_NAME_SIZE];
	char status[SYNC_NAME_SIZE];
};

struct sync_operator {
	char username[SYNC_NAME_SIZE];
	char role[SYNC_TOKEN_SIZE];
	char site[SYNC_NAME_SIZE];
	char password_hash[SYNC_HASH_SIZE];
	int64_t locked_until;
};

struct sync_questura {
	char code[SYNC_NAME_SIZE];
	char name[SYNC_TEXT_SIZE];
	char city[SYNC_TEXT_SIZE];
	char address[SYNC_TEXT_SIZE];
	char email[SYNC_TEXT_SIZE];
	int patron_month; /* 0 when none */
	int patron_day;
};

struct sync_change {
	int64_t seq; /* central's change seq, strictly increasing within a response */
	enum sync_change_type type;
	union {
		struct sync_grant grant;
		struct sync_revoke revoke;
		struct sync_capacity capacity;
		struct sync_practice practice;
		struct sync_operator op;
		struct sync_questura questura;
	} u;
};

struct sync_response {
	int version;
	char (*acks)[SYNC_UUID_SIZE]; /* entry ids applied (now or before) */
	size_t n_acks;
	struct sync_conflict *conflicts;
	size_t n_conflicts;
	struct sync_change *changes;
	size_t n_changes;
	int64_t cursor;    /* the device's next cursor: the last change seq sent */
	bool more;         /* more changes wait: the device asks again */
	int64_t lease_end; /* every grant the device holds now lasts until then */
	int64_t now;       /* central's clock when it answered, epoch seconds */
};

/* ---- the online earliest-slot grant, POST /v1/device/grant ---- */

struct sync_grant_request {
	int version;
	char questura[SYNC_NAME_SIZE];
	char from_day[SYNC_DAY_SIZE];   /* the earliest day the device may book */
	char before_day[SYNC_DAY_SIZE]; /* the device's own best slot: only an earlier one helps */
	int before_minute;              /* 0..1440 (1440: any time of before_day) */
};

struct sync_grant_response {
	int version;
	int64_t now;
	bool granted;
	struct sync_change grant; /* type SYNC_CHANGE_GRANT, with its change seq, when granted */
	int64_t lease_end;
};

/*
 * Encode: the message as compact JSON text with sorted keys (caller free()s it); NULL with
 * AG_ERR_NOMEM or, for a message over a limit, AG_ERR_USAGE in *err.
 */
char *sync_request_encode(const struct sync_request *req, agenda_err *err);
char *sync_response_encode(const struct sync_response *res, agenda_err *err);

/*
 * Decode from bytes + length (not NUL terminated). AG_OK fills *out (release it with the
 * matching _free); otherwise *out is left empty and why names the field: AG_ERR_INVALID for a
 * malformed message, AG_ERR_REFUSED for another protocol version, AG_ERR_NOMEM.
 */
agenda_err sync_request_decode(const void *bytes, size_t length, struct sync_request *out,
                               agenda_detail *why);
agenda_err sync_response_decode(const void *bytes, size_t length, struct sync_response *out,
                                agenda_detail *why);

void sync_request_free(struct sync_request *req);

/* The grant pair: same rules as above (no allocation, so nothing to free). */
char *sync_grant_request_encode(const struct sync_grant_request *req, agenda_err *err);
char *sync_grant_response_encode(const struct sync_grant_response *res, agenda_err *err);
agenda_err sync_grant_request_decode(const void *bytes, size_t length,
                                     struct sync_grant_request *out, agenda_detail *why);
agenda_err sync_grant_response_decode(const void *bytes, size_t length,
                                      struct sync_grant_response *out, agenda_detail *why);
void sync_response_free(struct sync_response *res);

/* Names on the wire ("grant", "cancel_copy"), for logs and tests. */
const char *sync_change_type_name(enum sync_change_type type);
const char *sync_action_name(enum sync_action action);

#endif
