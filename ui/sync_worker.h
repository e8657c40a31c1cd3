/*
 * sync_worker.h — the kiosk's sync thread (issue 12): rounds with agenda-central in the
 * background, so the screen never waits on the network.
 *
 * The thread owns its own agenda_ctx (its own SQLite connection) and its own sync_session (one
 * libcurl handle kept between rounds). It runs a round every `sync.interval_s` seconds (setting,
 * default 60), at once after a booking (sync_worker_kick) or when the technician asks
 * (sync_worker_now); after a failure it waits an exponential, jittered delay (core/backoff.h,
 * BACKOFF_SYNC_MS, the random half drawn from the context's injectable RNG) unless a person asks.
 * A device not enrolled with central runs no round: the worker looks again when kicked.
 *
 * Email (issue 13): every SYNC_WORKER_MAIL_INTERVAL_S seconds, and at once when asked, the same
 * thread runs the mail step (sync_mail.h): the automatic day close, then the outbox drained when
 * a mail server is configured and the link is up (the last round succeeded, or the device is
 * stand-alone). A round and a mail step never overlap: one thread, one context.
 *
 * What the status bar and Tecnico show is published as a small struct under a mutex:
 * sync_worker_status copies it, which is all the UI thread ever waits for.
 */
#ifndef AGENDA_UI_SYNC_WORKER_H
#define AGENDA_UI_SYNC_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "services/context.h"
#include "sync/device_round.h"
#include "sync_mail.h"

#define SYNC_WORKER_SETTING_INTERVAL ROUND_SETTING_INTERVAL_S /* agendactl sync configure */
#define SYNC_WORKER_DEFAULT_INTERVAL ROUND_DEFAULT_INTERVAL_S
/* How long sync_worker_stop waits for a round in flight before leaving it to the exit. */
#define SYNC_WORKER_STOP_WAIT_MS    2000
#define SYNC_WORKER_MAIL_INTERVAL_S 60 /* the automatic close and the drain: once a minute */
#define SYNC_WORKER_ACTOR_MAX       64

struct sync_worker_status {
	bool provisioned;               /* enrolled with central: rounds run */
	bool syncing;                   /* a round is in flight */
	bool online;                    /* the last attempt reached central and was applied */
	int64_t last_success;           /* device clock of the last successful round, 0 never */
	int64_t entries_waiting;        /* journal entries central has not acknowledged */
	int64_t worklist_open;          /* open worklist items */
	bool has_error;                 /* the last round failed: last_error says why */
	agenda_detail last_error;       /* what to do, then what failed (which address...) */
	agenda_detail last_error_plain; /* what to do only: for small screens */
	int64_t last_error_at;
	int failures; /* consecutive failed rounds */
	/* Email (issue 13), read back after every mail step. */
	bool mail_configured; /* a mail server is set (agendactl mail configure) */
	char mail_server[SYNC_MAIL_SERVER_MAX]; /* "host:port" */
	bool mail_sending;                      /* a mail step is in flight */
	int mail_queued;                        /* waiting, retries included */
	int mail_failed;                        /* given up: "N email non inviate" */
	char mail_last_reply[OUTBOX_REPLY_MAX]; /* newest given-up message's reply, else the last
	                                         attempt's, "" none */
	bool mail_link_down;                    /* the last drain reached no server */
	unsigned long mail_steps;               /* mail steps finished since start */
	unsigned long rounds;                   /* rounds finished since start, successful or not */
	unsigned long version;                  /* changes whenever anything above does */
};

/*
 * One round on the worker's own context. The default (round = NULL in the config) opens the
 * sync session on first use and runs sync_round_run; tests pass their own. cancel becomes true
 * when the worker is asked to stop. AG_ERR_REFUSED with *not_provisioned = true: the device
 * is not enrolled (no error shown, no back-off).
 */
typedef agenda_err (*sync_worker_round_fn)(void *arg, agenda_ctx *ctx, const atomic_bool *cancel,
                                           bool *not_provisioned, agenda_detail *why);

/*
 * One mail step on the worker's own context (default: sync_mail_step with the worker's kept SMTP
 * session); link_up says whether a drain may run. Tests pass their own.
 */
typedef agenda_err (*sync_worker_mail_fn)(void *arg, agenda_ctx *ctx, bool link_up,
                                          struct sync_mail_outcome *out, agenda_detail *why);

struct sync_worker_config {
	const char *db_path;
	const char *data_dir;       /* device.key, device.pem, ca.pem (device_files.h) */
	int interval_s;             /* 0: the setting, else its default */
	sync_worker_round_fn round; /* NULL: the real round with central */
	void *round_arg;
	int stop_wait_ms;         /* 0: SYNC_WORKER_STOP_WAIT_MS */
	int mail_interval_s;      /* 0: SYNC_WORKER_MAIL_INTERVAL_S */
	sync_worker_mail_fn mail; /* NULL: the real step (sync_mail_step) */
	void *mail_arg;
};

struct sync_worker;

/* Starts the thread (it opens the store, then runs a first round at once). NULL on failure. */
struct sync_worker *sync_worker_start(const struct sync_worker_config *config);

/* A booking was made: a round at once (its entries go to central now), back-off or not. */
void sync_worker_kick(struct sync_worker *w);

/* The technician asked ("Sincronizza ora"): a round at once, and the back-off starts over. */
void sync_worker_now(struct sync_worker *w);

/* A mail step at once (the day was just closed: its lists go now when the link is up). */
void sync_worker_mail_now(struct sync_worker *w);

/*
 * "Riprova email": every given-up message is queued again (outbox_retry, audited with actor),
 * then a mail step runs at once.
 */
void sync_worker_mail_retry(struct sync_worker *w, const char *actor);

/* A copy of the published status (the mutex is held only for the copy). */
void sync_worker_status(struct sync_worker *w, struct sync_worker_status *out);

/*
 * Stops the thread: no new round; waits up to stop_wait_ms for one in flight (its request is
 * bounded by the transport's own time-outs), then joins and closes its store. A round still
 * in flight after the wait is left to finish on its own (the thread is detached and frees its
 * state as it ends, never under it); returns false then.
 */
bool sync_worker_stop(struct sync_worker *w);

#endif
