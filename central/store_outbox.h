/*
 * store_outbox.h — delivering central's outbox (issue 13): the sender's side of the table that
 * store_admin.h's queue_mail fills. Same rules as the device's (firmware/services/outbox.h):
 *   queued --sent--> sent        queued --failed--> queued (later) | failed --retry--> queued
 * Each change is one transaction that changes the row only from the state it expects (queued
 * for the sender, anything but sent for a retry), so `serve`'s sender thread and an
 * administrator's `outbox retry|send` acting at once cannot undo each other. A password's body
 * is wiped by the schema's trigger in the same transaction as 'sent'; on SQLite the WAL is then
 * emptied (central_store_forget_deleted) so the clear text leaves the disk at once.
 * One sub-table of operations per backend (store_sqlite_outbox.c, store_pg_outbox.c).
 */
#ifndef AGENDA_CENTRAL_STORE_OUTBOX_H
#define AGENDA_CENTRAL_STORE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store_admin.h"

#define CENTRAL_OUTBOX_REPLY_MAX 512 /* a server's reply is kept up to this many bytes */

/* One message as stored; body and attachment only from next_due. */
typedef struct central_outbox_entry {
	central_outbox_item item; /* what `outbox list` shows */
	char attachment_name[128];
	char reply[CENTRAL_OUTBOX_REPLY_MAX];      /* the server's last reply */
	char last_error[CENTRAL_OUTBOX_REPLY_MAX]; /* the reply of the last failed attempt */
	size_t attachment_bytes;                   /* 0: none */
	char *body;                                /* malloc'd by next_due; may hold a password */
	char *attachment;                          /* same, or NULL */
} central_outbox_entry;

/* Messages by state (a gauge for /metrics and `mail status`). */
typedef struct central_outbox_counts {
	int64_t queued, sent, failed;
} central_outbox_counts;

/* The state changes a backend knows; each one UPDATE guarded by the state it expects. */
enum central_outbox_change {
	OUTBOX_CHANGE_SENT,    /* queued -> sent, reply and sent_at = when */
	OUTBOX_CHANGE_LATER,   /* queued -> queued, attempts + 1, reply, next_try = when */
	OUTBOX_CHANGE_GIVE_UP, /* queued -> failed, attempts + 1, reply */
	OUTBOX_CHANGE_RETRY    /* anything but sent -> queued, attempts 0, next_try = when */
};

/* What a backend implements (the caller holds a transaction). */
typedef struct central_outbox_ops {
	/* The queued message due first at now, body included; AG_ERR_NOT_FOUND when none. */
	agenda_err (*next_due)(central_store *s, int64_t now, central_outbox_entry *out,
	                       agenda_detail *why);
	/* One message without its body; AG_ERR_NOT_FOUND for no such id. */
	agenda_err (*get)(central_store *s, int64_t id, central_outbox_entry *out,
	                  agenda_detail *why);
	/* Runs one change; *changed gets the rows it changed (0 or 1). */
	agenda_err (*change)(central_store *s, enum central_outbox_change change, int64_t id,
	                     const char *reply, int64_t when, int *changed, agenda_detail *why);
	agenda_err (*counts)(central_store *s, central_outbox_counts *out, agenda_detail *why);
} central_outbox_ops;

extern const central_outbox_ops central_sqlite_outbox_ops;
extern const central_outbox_ops central_pg_outbox_ops;

/* Wipes and frees body and attachment (a password never lingers in freed memory). */
void central_outbox_entry_clear(central_outbox_entry *e);

/* The queued message due first at now (next_try <= now; earliest next_try, then oldest), with
 * its body (release with central_outbox_entry_clear). AG_ERR_NOT_FOUND when none is due. */
agenda_err central_store_outbox_next_due(central_store *s, int64_t now, central_outbox_entry *out,
                                         agenda_detail *why);

/* One message without its body. AG_ERR_NOT_FOUND for no such id. */
agenda_err central_store_outbox_get(central_store *s, int64_t id, central_outbox_entry *out,
                                    agenda_detail *why);

/*
 * The server accepted a queued message: sent at now with its reply (a password's body wiped).
 * message_id (NULL: any) is the Message-ID the sender sent: SQLite may give a replaced row's id
 * to its replacement, so the pair names the version that went. AG_ERR_NOT_FOUND for no such
 * message (replaced by a newer one meanwhile), AG_ERR_REFUSED when it is not queued (another
 * sender got there first, or a person gave it up).
 */
agenda_err central_store_outbox_mark_sent(central_store *s, int64_t id, const char *message_id,
                                          const char *reply, int64_t now, agenda_detail *why);

/* An attempt failed: attempts + 1, reply kept; queued again for next_try, or with give_up left
 * 'failed' until a retry. Errors and message_id as mark_sent. */
agenda_err central_store_outbox_mark_failed(central_store *s, int64_t id, const char *message_id,
                                            const char *reply, int64_t next_try, bool give_up,
                                            agenda_detail *why);

/* A person asks for a message to go now: queued, next_try now, attempts from zero.
 * AG_ERR_NOT_FOUND for no such id, AG_ERR_REFUSED for a message already sent. */
agenda_err central_store_outbox_retry(central_store *s, int64_t id, int64_t now,
                                      agenda_detail *why);

agenda_err central_store_outbox_counts(central_store *s, central_outbox_counts *out,
                                       agenda_detail *why);

#endif
