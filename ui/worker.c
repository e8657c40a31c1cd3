/*
 * worker.c — the service thread (worker.h): a queue of requests under a mutex, one thread that
 * runs them on its own agenda_ctx, results posted back as SDL user events.
 *
 * Each request maps to one or two public service calls; what the calls decide (eligibility,
 * dates, locks) is not repeated here.
 */
#include "worker.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <SDL.h>

#include "services/context.h"
#include "services/operators.h"
#include "services/site.h"
#include "sync/device_files.h"
#include "day_lists_print.h"
#include "preview.h"

#define DEMO_SITE  "Roma"
#define DEMO_ACTOR "agenda-kiosk"

struct ui_worker {
	struct ui_worker_config config;
	char db_path[4096];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct ui_request *head, *tail;
	bool stopping;
	agenda_ctx ctx;
	bool open;
	sync_session *grant_session; /* opened at the first booking of an enrolled device */
	int64_t clock_storage;
};

uint32_t ui_worker_event_type(void)
{
	static uint32_t type = (uint32_t)-1;

	if (type == (uint32_t)-1)
		type = SDL_RegisterEvents(1);
	return type;
}

void ui_result_free(struct ui_result *r)
{
	if (!r)
		return;
	free(r->day);
	free(r->queue);
	free(r->work);
	if (r->preview)
		SDL_FreeSurface(r->preview);
	explicit_bzero(&r->demo, sizeof r->demo);
	free(r);
}

static void count_operator(void *arg, const struct operator_info *op)
{
	(void)op;
	(*(int *)arg)++;
}

/*
 * Opens the store; a --demo run on a missing file creates it, names the site, seeds it. So does
 * a --demo run on a database that has no account yet (image/demo.sh initialises and activates
 * it with agendactl first): a database anyone can log in to is never seeded.
 */
static void run_open(struct ui_worker *w, struct ui_result *res)
{
	struct stat st;
	bool create = w->config.create_demo && stat(w->db_path, &st) != 0;
	bool fresh = create;
	agenda_clock clock;
	int operators = 0;

	res->err = clock_from_env(&clock, &w->clock_storage);
	if (res->err != AG_OK) {
		agenda_detail_set(&res->why, MSG_CTL_BAD_NOW, CLOCK_ENV);
		return;
	}
	res->err = agenda_ctx_open(&w->ctx, w->db_path, create, clock, &res->why);
	if (res->err != AG_OK)
		return;
	w->open = true;
	if (w->config.create_demo && !create &&
	    operator_list(&w->ctx, count_operator, &operators, NULL) == AG_OK && operators == 0)
		fresh = true;
	if (!fresh)
		return;
	/* The same first steps as `agendactl init --site Roma` and `agendactl demo-seed`. */
	res->err = site_configure(&w->ctx, DEMO_ACTOR, DEMO_SITE, NULL, &res->why);
	if (res->err == AG_OK)
		res->err = demo_seed(&w->ctx, DEMO_ACTOR, &res->demo, &res->why);
	res->demo_seeded = res->err == AG_OK;
}

static void run_lookup(struct ui_worker *w, const struct ui_request *req, struct ui_result *res)
{
	agenda_detail ignored;

	res->err = practice_lookup(&w->ctx, &req->session, req->pratica, req->visto, &res->practice,
	                           &res->why);
	if (res->err != AG_OK)
		return;
	if (questura_get(&w->ctx, res->practice.questura, &res->questura, &ignored) != AG_OK)
		snprintf(res->questura.name, sizeof res->questura.name, "%s",
		         res->practice.questura);
	res->bookable = practice_check_bookable(&res->practice, &res->not_bookable) == AG_OK;
	/* Shown whether or not the practice may still be booked. */
	res->has_booking = booking_live_for_practice(&w->ctx, &req->session, res->practice.id,
	                                             &res->booking, &ignored) == AG_OK;
	if (res->has_booking)
		res->booking.existing = true;
}

struct day_list {
	struct booking *items;
	size_t count, cap;
	bool failed;
};

static void collect(void *arg, const struct booking *b)
{
	struct day_list *l = arg;

	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct booking *grown = realloc(l->items, cap * sizeof *grown);

		if (!grown) {
			l->failed = true;
			return;
		}
		l->items = grown;
		l->cap = cap;
	}
	l->items[l->count++] = *b;
}

struct work_list {
	struct ui_work_item *items;
	size_t count, cap;
	bool failed;
};

static void collect_work(void *arg, const struct worklist_item *item)
{
	struct work_list *l = arg;

	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct ui_work_item *grown = realloc(l->items, cap * sizeof *grown);

		if (!grown) {
			l->failed = true;
			return;
		}
		l->items = grown;
		l->cap = cap;
	}
	memset(&l->items[l->count], 0, sizeof l->items[l->count]);
	l->items[l->count++].item = *item;
}

/* The open worklist items, each with its appointment's day and time when the device has it. */
static agenda_err read_worklist(struct ui_worker *w, const struct session *who,
                                struct ui_result *res)
{
	struct work_list l = {0};
	agenda_err err = worklist_list(&w->ctx, true, collect_work, &l, &res->why);

	if (err == AG_OK && l.failed) {
		err = AG_ERR_NOMEM;
		agenda_detail_set(&res->why, MSG_NOMEM);
	}
	for (size_t i = 0; err == AG_OK && i < l.count; i++) {
		struct ui_work_item *it = &l.items[i];
		struct booking b;
		agenda_detail ignored;

		if (it->item.appointment_id[0] &&
		    booking_get(&w->ctx, who, it->item.appointment_id, &b, &ignored) == AG_OK) {
			it->has_when = true;
			it->day = b.day;
			it->minute = b.minute;
		}
	}
	res->work = l.items;
	res->work_count = l.count;
	return err;
}

/* Today's appointments, then the confirmed ones of any day whose last print failed. */
static void run_day(struct ui_worker *w, const struct ui_request *req, struct ui_result *res)
{
	struct day_list l = {0}, q = {0};

	res->today = agenda_today(&w->ctx, NULL);
	res->err = booking_day_list(&w->ctx, &req->session, res->today, collect, &l, &res->why);
	if (res->err == AG_OK)
		res->err =
		        convocation_reprint_queue(&w->ctx, &req->session, collect, &q, &res->why);
	if (res->err == AG_OK && (l.failed || q.failed)) {
		res->err = AG_ERR_NOMEM;
		agenda_detail_set(&res->why, MSG_NOMEM);
	}
	res->day = l.items;
	res->day_count = l.count;
	res->queue = q.items;
	res->queue_count = q.count;
	if (res->err == AG_OK)
		res->err = read_worklist(w, &req->session, res);
}

/*
 * The print worker thread's completion (convocation_print): the outcome is already recorded,
 * under the session that asked; this only tells the screen, as an unasked UI_REQ_PRINT_DONE
 * result. arg is the virtual printer's prefix (or NULL): the slip's PNG is loaded here, off
 * the UI thread.
 */
static void print_ended(void *arg, const struct convocation_printed *printed)
{
	const char *preview_prefix = arg;
	struct ui_result *res = calloc(1, sizeof *res);
	SDL_Event e;

	if (!res)
		return;
	res->kind = UI_REQ_PRINT_DONE;
	res->unasked = true;
	res->printed = *printed;
	res->print_job = printed->job.id;
	res->err = printed->recorded;
	res->why = printed->why;
	if (printed->job.state == PRINT_JOB_DONE && preview_prefix)
		res->preview = ui_preview_load(preview_prefix);
	SDL_zero(e);
	e.type = ui_worker_event_type();
	e.user.data1 = res;
	if (SDL_PushEvent(&e) != 1)
		ui_result_free(res);
}

static void run_print(struct ui_worker *w, const struct ui_request *req, struct ui_result *res)
{
	res->err = convocation_print(&w->ctx, &req->session, w->config.printer, req->appointment_id,
	                             print_ended, (void *)w->config.preview_prefix, &res->print_job,
	                             &res->why);
}

/*
 * Activation with central (sync/provision.h): the technician's three items, the database's
 * folder for device.key, device.pem and ca.pem, the technician named in the audit. Then, on
 * success or not, what the device is enrolled as now.
 */
static void run_provision(struct ui_worker *w, const struct ui_request *req, struct ui_result *res)
{
	char dir[4096];
	struct provision_request pr = {.central_url = req->central_url,
	                               .code = req->enrol_code,
	                               .ca_fingerprint = req->ca_fingerprint,
	                               .data_dir = dir,
	                               .timeout_ms = UI_PROVISION_TIMEOUT_MS};

	device_files_data_dir(w->db_path, dir, sizeof dir);
	res->err = provision_run(&w->ctx, req->session.username, &pr, &res->provision, &res->why);
	enrolment_info_read(&w->ctx, dir, &res->enrolment);
}

static void run_enrolment(struct ui_worker *w, struct ui_result *res)
{
	char dir[4096];

	device_files_data_dir(w->db_path, dir, sizeof dir);
	enrolment_info_read(&w->ctx, dir, &res->enrolment);
	res->err = AG_OK;
}

/*
 * Confirms a proposal. A stand-alone device books exactly the proposal (booking_confirm_proposal:
 * a slot gone meanwhile comes back as a new proposal). An enrolled one asks central for an
 * earlier slot first and books the earliest it then holds (sync_book_online); the result says
 * whether central answered, so the screen can say the date came from what the kiosk holds.
 */
static void run_confirm(struct ui_worker *w, const struct ui_request *req,
                        const struct booking_options *opt, struct ui_result *res)
{
	struct enrolment_info enrolment;
	agenda_detail ignored;
	char dir[4096];

	device_files_data_dir(w->db_path, dir, sizeof dir);
	enrolment_info_read(&w->ctx, dir, &enrolment);
	if (!enrolment.provisioned || !enrolment.central_url[0] || !enrolment.has_cert) {
		res->err = booking_confirm_proposal(&w->ctx, &req->session, &req->proposal, opt,
		                                    &res->booking, &res->why);
		return;
	}
	if (!w->grant_session &&
	    sync_session_open(&w->ctx, dir, &w->grant_session, &ignored) != AG_OK)
		w->grant_session =
		        NULL; /* asked again at the next booking; this one books offline */
	res->online_asked = true;
	res->err = sync_book_online(&w->ctx, w->grant_session, &req->session, req->practice_id, opt,
	                            &res->booking, &res->grant, &res->why);
	SDL_Log("booking with central: %s, %s, %ld ms", res->grant.online ? "online" : "offline",
	        res->grant.from_central ? "granted slot" : "held slot", res->grant.elapsed_ms);
}

static void run(struct ui_worker *w, const struct ui_request *req, struct ui_result *res)
{
	const struct session *who = &req->session;
	struct booking_options opt = {.modello209 = req->modello209, .lead_open_days = -1};

	if (req->kind != UI_REQ_OPEN && !w->open) {
		res->err = AG_ERR_STORE;
		return;
	}
	switch (req->kind) {
	case UI_REQ_OPEN:
		run_open(w, res);
		break;
	case UI_REQ_LOGIN:
		res->err = session_login(&w->ctx, req->username, req->password, &res->session,
		                         &res->why);
		break;
	case UI_REQ_LOOKUP:
		run_lookup(w, req, res);
		break;
	case UI_REQ_PROPOSE:
		res->err = booking_propose(&w->ctx, who, req->practice_id, &opt, &res->booking,
		                           &res->why);
		break;
	case UI_REQ_CONFIRM:
		run_confirm(w, req, &opt, res);
		break;
	case UI_REQ_PRINT:
		run_print(w, req, res);
		break;
	case UI_REQ_PRINT_DONE: /* never asked: print_ended posts it */
		res->err = AG_ERR_USAGE;
		break;
	case UI_REQ_DAY:
		run_day(w, req, res);
		break;
	case UI_REQ_CANCEL:
		res->err =
		        booking_cancel(&w->ctx, who, req->appointment_id, req->reason, &res->why);
		break;
	case UI_REQ_MOVE:
		res->err = booking_move(&w->ctx, who, req->appointment_id, req->reason, &opt,
		                        &res->booking, &res->why);
		break;
	case UI_REQ_CLOSE_DAY:
		res->err = booking_close_day(&w->ctx, who, agenda_today(&w->ctx, NULL), &res->close,
		                             &res->why);
		break;
	case UI_REQ_ENROLMENT:
		run_enrolment(w, res);
		break;
	case UI_REQ_PROVISION:
		run_provision(w, req, res);
		break;
	case UI_REQ_WORKLIST_DONE:
		res->err = worklist_done(&w->ctx, who, req->worklist_id, &res->why);
		break;
	case UI_REQ_DAY_LIST_PRINT:
		res->err = ui_day_lists_print(&w->ctx, who, w->config.printer,
		                              agenda_today(&w->ctx, NULL), &res->lists_printed,
		                              &res->why);
		break;
	case UI_REQ_STATUS:
		res->err = device_status_read(&w->ctx, &res->status, &res->why);
		break;
	}
}

static void *thread_main(void *arg)
{
	struct ui_worker *w = arg;

	for (;;) {
		struct ui_request *req;
		struct ui_result *res;
		SDL_Event e;

		pthread_mutex_lock(&w->lock);
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->stopping) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		req = w->head;
		w->head = req->next;
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->lock);

		res = calloc(1, sizeof *res);
		if (res) {
			res->kind = req->kind;
			res->busy = req->busy;
			run(w, req, res);
			SDL_zero(e);
			e.type = ui_worker_event_type();
			e.user.data1 = res;
			if (SDL_PushEvent(&e) != 1)
				ui_result_free(res);
		}
		explicit_bzero(req, sizeof *req);
		free(req);
	}
	if (w->grant_session)
		sync_session_close(w->grant_session);
	if (w->open)
		agenda_ctx_close(&w->ctx);
	return NULL;
}

bool ui_worker_post(struct ui_worker *w, const struct ui_request *req)
{
	struct ui_request *copy = malloc(sizeof *copy);

	if (!copy)
		return false;
	*copy = *req;
	copy->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->tail)
		w->tail->next = copy;
	else
		w->head = copy;
	w->tail = copy;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return true;
}

struct ui_worker *ui_worker_start(const struct ui_worker_config *config)
{
	struct ui_worker *w = calloc(1, sizeof *w);
	struct ui_request open = {.kind = UI_REQ_OPEN};

	if (!w)
		return NULL;
	w->config = *config;
	snprintf(w->db_path, sizeof w->db_path, "%s", config->db_path);
	w->config.db_path = w->db_path;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	ui_worker_event_type();
	if (!ui_worker_post(w, &open) || pthread_create(&w->thread, NULL, thread_main, w) != 0) {
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		free(w->head);
		free(w);
		return NULL;
	}
	return w;
}

void ui_worker_stop(struct ui_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	while (w->head) {
		struct ui_request *next = w->head->next;

		explicit_bzero(w->head, sizeof *w->head);
		free(w->head);
		w->head = next;
	}
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
