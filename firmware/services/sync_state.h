/*
 * sync_state.h — the small typed state a device keeps about its rounds with central.
 *
 * One key/value table (sync_state); the keys are fixed here (contract of issue 12) so that the
 * round (sync/), the status bar (ui/) and `agendactl sync status` read the same things. Values
 * are text; integers are decimal. Setters run inside the caller's transaction when there is
 * one (autocommit otherwise).
 */
#ifndef AGENDA_SERVICES_SYNC_STATE_H
#define AGENDA_SERVICES_SYNC_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/context.h"

#define SYNC_KEY_CURSOR           "cursor"          /* last central change seq applied */
#define SYNC_KEY_LEASE_END        "lease_end"       /* every grant lasts until then */
#define SYNC_KEY_CLOCK_SYNCED_AT  "clock_synced_at" /* device time the clock last agreed */
#define SYNC_KEY_CLOCK_HIGH       "clock_high"      /* latest device time seen */
#define SYNC_KEY_LAST_SUCCESS_AT  "last_success_at" /* last round that completed */
#define SYNC_KEY_LAST_ERROR       "last_error"      /* catalogue id name, e.g. MSG_SYNC_... */
#define SYNC_KEY_LAST_ERROR_AT    "last_error_at"
#define SYNC_KEY_AUDIT_ANCHOR_SEQ "audit_anchor_seq" /* audit seq central anchored last */
#define SYNC_KEY_ONLINE           "online"           /* 0/1: the last attempt reached central */
#define SYNC_KEY_CENTRAL_MANAGED  "central_managed"  /* 1 after the first applied round */

#define SYNC_STATE_TEXT_MAX 128

/* *out = the key's integer value, or fallback when unset or not a number. */
agenda_err sync_state_get_int(agenda_ctx *ctx, const char *key, int64_t fallback, int64_t *out,
                              agenda_detail *why);
agenda_err sync_state_set_int(agenda_ctx *ctx, const char *key, int64_t value, agenda_detail *why);

/* The key's text into out (size bytes); AG_ERR_NOT_FOUND (out = "") when unset. */
agenda_err sync_state_get_text(agenda_ctx *ctx, const char *key, char *out, size_t size,
                               agenda_detail *why);
agenda_err sync_state_set_text(agenda_ctx *ctx, const char *key, const char *value,
                               agenda_detail *why);

/* Removes the key (no error when it was unset). */
agenda_err sync_state_unset(agenda_ctx *ctx, const char *key, agenda_detail *why);

/* True when central manages this device (central_managed = 1). */
bool sync_state_central_managed(agenda_ctx *ctx);

/* Everything the status bar and `agendactl sync status` show, read at once. */
struct sync_status {
	bool central_managed;
	bool online;
	int64_t last_success_at; /* 0 = never */
	int64_t cursor;
	int64_t lease_end;       /* 0 = none */
	int64_t entries_waiting; /* journal entries central has not acknowledged */
	bool clock_trusted;
	int64_t clock_synced_at;
	int64_t last_error_at;                /* 0 = none */
	char last_error[SYNC_STATE_TEXT_MAX]; /* catalogue id name ("MSG_..."); "" = none */
	int last_error_msg;                   /* its agenda_msg (msg_by_name), -1 = none */
	int64_t worklist_open;                /* open worklist items */
};

agenda_err sync_status_read(agenda_ctx *ctx, struct sync_status *out, agenda_detail *why);

#endif
