/*
 * worker.h — the service thread: every call that touches the store runs here, never on the UI
 * thread.
 *
 * The worker owns its own agenda_ctx (threads own their SQLite connections). The UI posts a
 * request (a copy: the UI may change its fields at once) and gets a struct ui_result back as an
 * SDL user event (type ui_worker_event_type(), data1 = the result, freed by ui_result_free).
 * Requests run one at a time, in order. Log-in with Argon2id (~50 ms), lookup, propose,
 * confirm, lists and day close all take milliseconds to tens of milliseconds of disk: the screen
 * shows a busy state meanwhile and keeps drawing. Activating the device (provision_run) talks to
 * agenda-central: up to UI_PROVISION_TIMEOUT_MS per HTTPS request, the UI drawing all along.
 * On a device enrolled with central, confirming a booking first asks central for an earlier
 * slot of the whole Questura (sync_book_online, bounded by sync.grant_timeout_ms, 2 s) over
 * the worker's own kept sync session; unreachable, it books from what the device holds.
 */
#ifndef AGENDA_UI_WORKER_H
#define AGENDA_UI_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

#include "print/convocation_print.h"
#include "printer/print_queue.h"
#include "services/booking.h"
#include "services/convocation.h"
#include "services/demo.h"
#include "services/status.h"
#include "services/worklist.h"
#include "sync/enrolment_info.h"
#include "sync/online_grant.h"
#include "sync/provision.h"

enum ui_request_kind {
	UI_REQ_OPEN = 0,   /* opens the store (the first request, posted by ui_worker_start) */
	UI_REQ_LOGIN,      /* username, password -> session */
	UI_REQ_LOOKUP,     /* pratica and/or visto -> practice, bookable, existing appointment */
	UI_REQ_PROPOSE,    /* practice_id -> booking (not booked) */
	UI_REQ_CONFIRM,    /* proposal, modello209 -> booking, or a new proposal */
	UI_REQ_PRINT,      /* appointment_id -> slip queued (convocation_print): print_job */
	UI_REQ_PRINT_DONE, /* not a request: the print thread's news that a slip's outcome is
	                      recorded (printed, unasked; the preview on a virtual printer) */
	UI_REQ_DAY,        /* today's appointments and the reprint queue (any day) */
	UI_REQ_CANCEL,     /* appointment_id, reason */
	UI_REQ_MOVE,       /* appointment_id, reason -> booking */
	UI_REQ_CLOSE_DAY,  /* today -> report */
	UI_REQ_ENROLMENT,  /* whether and with which central the device is enrolled (Tecnico) */
	UI_REQ_PROVISION,  /* central_url, enrol_code, ca_fingerprint -> enrolled (provision_run) */
	UI_REQ_WORKLIST_DONE,  /* worklist_id: an item of Giornata's worklist marked done */
	UI_REQ_DAY_LIST_PRINT, /* today's list of each Questura on the printer -> lists_printed */
	UI_REQ_STATUS,         /* device status for the status bar and the technician */
};

#define UI_PROVISION_TIMEOUT_MS 15000 /* per request to central; then "unreachable" */

#define UI_INPUT_MAX 200 /* = UI_FIELD_MAX: what the person typed */

struct ui_request {
	enum ui_request_kind kind;
	struct session session;
	char username[USERNAME_MAX];
	char password[PASSWORD_MAX];
	char pratica[UI_INPUT_MAX];
	char visto[UI_INPUT_MAX];
	int64_t practice_id;
	struct booking proposal; /* UI_REQ_CONFIRM: what the operator read out */
	char appointment_id[APPOINTMENT_ID_MAX];
	char reason[REASON_MAX];
	bool modello209;
	char central_url[UI_INPUT_MAX]; /* UI_REQ_PROVISION: the three items as typed */
	char enrol_code[UI_INPUT_MAX];
	char ca_fingerprint[UI_INPUT_MAX];
	int64_t worklist_id; /* UI_REQ_WORKLIST_DONE */
	bool busy;           /* the person waits for it (copied to the result) */
	struct ui_request *next;
};

/* An open worklist item (issue 12) and, when its appointment is known, that appointment's time. */
struct ui_work_item {
	struct worklist_item item;
	bool has_when;
	agenda_day day;
	int minute;
};

struct ui_result {
	enum ui_request_kind kind;
	bool busy;
	agenda_err err;
	agenda_detail why;
	struct session session;
	struct practice practice;
	struct questura questura; /* lookup: the competent Questura (name, address) */
	bool bookable;            /* lookup: practice_check_bookable said yes */
	agenda_detail not_bookable;
	bool has_booking; /* lookup: the practice has a live appointment (booking) */
	struct booking booking;
	uint64_t print_job;
	struct booking *day; /* UI_REQ_DAY: malloc'd, day_count entries */
	size_t day_count;
	struct booking *queue; /* UI_REQ_DAY: the reprint queue, malloc'd, queue_count entries */
	size_t queue_count;
	struct ui_work_item *work; /* UI_REQ_DAY: open worklist items, malloc'd, work_count */
	size_t work_count;
	agenda_day today;
	struct day_close_report close;
	int lists_printed; /* UI_REQ_DAY_LIST_PRINT: Questure whose list was queued for printing */
	struct device_status status;
	struct enrolment_info enrolment;   /* UI_REQ_ENROLMENT, UI_REQ_PROVISION (after it) */
	struct provision_result provision; /* UI_REQ_PROVISION */
	SDL_Surface *preview; /* UI_REQ_PRINT_DONE on a virtual printer: the slip's PNG */
	bool unasked;         /* UI_REQ_PRINT_DONE: no request of the UI's is answered */
	struct convocation_printed printed; /* UI_REQ_PRINT_DONE: job, who, recorded or why */
	bool online_asked; /* UI_REQ_CONFIRM on an enrolled device: central was asked first */
	struct online_grant_outcome grant; /* what came of asking (sync_book_online) */
	bool demo_seeded; /* UI_REQ_OPEN with a demo: the accounts below are filled */
	struct demo_report demo;
};

struct ui_worker_config {
	const char *db_path;
	bool create_demo; /* create and seed the database when the file is new */
	print_queue *printer;
	int slip_columns;
	/* The virtual printer's "<dir>/<prefix>", or NULL. Print completions read it on the print
	 * thread: it must outlive the print queue, not only the worker. */
	const char *preview_prefix;
};

struct ui_worker;

/* Registers the user event type (once) and returns it. */
uint32_t ui_worker_event_type(void);

/* Starts the thread; it opens the store first and posts a UI_REQ_OPEN result. */
struct ui_worker *ui_worker_start(const struct ui_worker_config *config);

/* Queues a copy of req; false when out of memory. */
bool ui_worker_post(struct ui_worker *w, const struct ui_request *req);

/* Finishes the request running, drops the queued ones, joins the thread, closes the store. */
void ui_worker_stop(struct ui_worker *w);

void ui_result_free(struct ui_result *r);

#endif
