/*
 * convocation_print_test.c — printing in the library (print/convocation_print.h) on a real
 * SQLite file and real printer backends: the outcome is recorded by the print worker thread,
 * under the session that asked, even when the caller's session was wiped (log-out) and another
 * operator logged in while the slip was printing; a failure is recorded with the printer's
 * reason; a job dropped at shutdown records nothing and its slip stays in the reprint queue.
 *
 * The stalled printer is a FIFO behind the file backend: opening it for writing blocks until the
 * test opens the reading end, so the test decides when the slip "comes out".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "fixture.h"
#include "print/convocation_print.h"
#include "printer/virtual.h"

static const agenda_day MAY4 = 20577;

/* What the caller's callback saw, and a way to wait for it. */
struct seen {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int calls;
	struct convocation_printed printed;
};

static void seen_init(struct seen *s)
{
	memset(s, 0, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
}

static void seen_destroy(struct seen *s)
{
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
}

static void on_printed(void *arg, const struct convocation_printed *printed)
{
	struct seen *s = arg;

	pthread_mutex_lock(&s->lock);
	s->printed = *printed;
	s->calls++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Waits up to 10 s for the callback; returns how many calls came. */
static int seen_wait(struct seen *s)
{
	struct timespec until;
	int calls;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&s->lock);
	while (s->calls == 0 && pthread_cond_timedwait(&s->cond, &s->lock, &until) == 0)
		;
	calls = s->calls;
	pthread_mutex_unlock(&s->lock);
	return calls;
}

static long long count_where(struct fixture *f, const char *sql, const char *id)
{
	char query[512];

	snprintf(query, sizeof query, sql, id);
	return fixture_count(f, query);
}

static int queued;
static void count_queue(void *arg, const struct booking *b)
{
	(void)arg;
	(void)b;
	queued++;
}

static int reprint_queue_size(struct fixture *f)
{
	queued = 0;
	assert_int_equal(convocation_reprint_queue(&f->ctx, &f->op, count_queue, NULL, NULL),
	                 AG_OK);
	return queued;
}

/* A FIFO in the fixture's folder and the file: URI that prints into it. */
static void stalled_printer(struct fixture *f, char *fifo, size_t fifo_size, char *uri,
                            size_t uri_size)
{
	snprintf(fifo, fifo_size, "%s/lp0", f->dir);
	snprintf(uri, uri_size, "file:%s", fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
}

/*
 * The case: the operator books, the slip is printing, the operator logs out (the kiosk
 * wipes its session) and the next one logs in. The outcome belongs to who booked.
 */
static void outcome_recorded_under_the_operator_after_log_out(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	struct session kiosk_session = f->op, next;
	char fifo[128], uri[140], password[PASSWORD_MAX], bytes[65536];
	print_queue *q;
	print_job_info info;
	struct seen seen;
	uint64_t job;
	ssize_t got;
	int reader;

	seen_init(&seen);
	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(
	        booking_confirm(&f->ctx, &kiosk_session, f->practice_lavoro, NULL, &b, NULL),
	        AG_OK);
	stalled_printer(f, fifo, sizeof fifo, uri, sizeof uri);
	assert_int_equal(print_queue_start(&(print_queue_config){.uri = uri}, &q), AG_OK);
	assert_int_equal(
	        convocation_print(&f->ctx, &kiosk_session, q, b.id, on_printed, &seen, &job, NULL),
	        AG_OK);

	/* Log-out: the kiosk wipes its session; then another operator logs in on the same ctx. */
	explicit_bzero(&kiosk_session, sizeof kiosk_session);
	assert_int_equal(
	        operator_add(&f->ctx, "test", "luigi.verdi", ROLE_OPERATORE, password, NULL),
	        AG_OK);
	assert_int_equal(session_login(&f->ctx, "luigi.verdi", password, &next, NULL), AG_OK);
	/* Still printing: nothing recorded yet, and the slip is already in the reprint queue. */
	assert_int_equal(print_queue_job(q, job, &info), AG_OK);
	assert_true(info.state == PRINT_JOB_QUEUED || info.state == PRINT_JOB_SENDING);
	assert_int_equal(seen.calls, 0);
	assert_int_equal(count_where(f,
	                             "SELECT count(*) FROM appointment WHERE id = '%s'"
	                             " AND print_state = 'none'",
	                             b.id),
	                 1);
	assert_int_equal(reprint_queue_size(f), 1);

	/* The paper comes out. */
	reader = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(reader >= 0);
	assert_int_equal(seen_wait(&seen), 1);
	assert_int_equal(seen.printed.job.state, PRINT_JOB_DONE);
	assert_int_equal(seen.printed.recorded, AG_OK);
	assert_string_equal(seen.printed.appointment_id, b.id);
	assert_string_equal(seen.printed.username, "mario.rossi");
	got = read(reader, bytes, sizeof bytes);
	assert_true(got > 0 && (size_t)got == seen.printed.job.bytes);
	close(reader);
	print_queue_stop(q);

	/* Recorded once, by mario.rossi: not by nobody, not by luigi.verdi. */
	assert_int_equal(count_where(f,
	                             "SELECT count(*) FROM appointment WHERE id = '%s'"
	                             " AND print_state = 'printed' AND prints = 1",
	                             b.id),
	                 1);
	assert_int_equal(count_where(f,
	                             "SELECT count(*) FROM audit WHERE subject = '%s'"
	                             " AND action = 'print' AND actor = 'mario.rossi'",
	                             b.id),
	                 1);
	assert_int_equal(count_where(f,
	                             "SELECT count(*) FROM audit WHERE subject = '%s'"
	                             " AND actor <> 'mario.rossi'",
	                             b.id),
	                 0);
	assert_int_equal(count_where(f,
	                             "SELECT count(*) FROM journal WHERE kind = 'print'"
	                             " AND json_extract(payload, '$.operator') = 'mario.rossi'"
	                             " AND appointment_id = '%s'",
	                             b.id),
	                 1);
	assert_int_equal(reprint_queue_size(f), 0);
	seen_destroy(&seen);
}

/* A printer without paper: the failure and its reason are recorded, by who asked. */
static void failure_recorded_with_the_reason(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	struct convocation_printed printed;
	char uri[140];
	print_queue *q;

	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	snprintf(uri, sizeof uri, "virtual:%s/slip", f->dir);
	printer_virtual_inject(PRINTER_STATUS_PAPER_OUT, PRINTER_OK);
	assert_int_equal(print_queue_start(&(print_queue_config){.uri = uri}, &q), AG_OK);
	assert_int_equal(convocation_print_wait(&f->ctx, &f->op, q, b.id, 10000, &printed, NULL),
	                 AG_OK);
	printer_virtual_inject(0, PRINTER_OK);
	assert_int_equal(printed.job.state, PRINT_JOB_FAILED);
	assert_int_equal(printed.job.fault, PRINTER_PAPER_OUT);
	assert_int_equal(printed.recorded, AG_OK);
	assert_int_equal(count_where(f,
	                             "SELECT count(*) FROM appointment WHERE id = '%s'"
	                             " AND print_state = 'failed' AND print_error = 'paper_out'"
	                             " AND state = 'confirmed' AND prints = 0",
	                             b.id),
	                 1);
	assert_int_equal(count_where(f,
	                             "SELECT count(*) FROM audit WHERE subject = '%s'"
	                             " AND action = 'print_failed' AND actor = 'mario.rossi'",
	                             b.id),
	                 1);
	assert_int_equal(reprint_queue_size(f), 1);

	/* The reprint, once paper is in: printed, out of the queue; the virtual printer drew it. */
	assert_int_equal(convocation_print_wait(&f->ctx, &f->op, q, b.id, 10000, &printed, NULL),
	                 AG_OK);
	assert_int_equal(printed.job.state, PRINT_JOB_DONE);
	assert_int_equal(printed.recorded, AG_OK);
	print_queue_stop(q);
	assert_int_equal(reprint_queue_size(f), 0);
	assert_int_equal(count_where(f,
	                             "SELECT count(*) FROM appointment WHERE id = '%s'"
	                             " AND print_state = 'printed' AND prints = 1",
	                             b.id),
	                 1);
}

/* Nothing is queued (and no callback comes) for a slip that cannot be made. */
static void cancelled_appointment_is_not_queued(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	struct seen seen;
	char uri[140];
	print_queue *q;
	uint64_t failed[2];

	seen_init(&seen);
	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, b.id, "rinuncia", NULL), AG_OK);
	snprintf(uri, sizeof uri, "virtual:%s/slip", f->dir);
	assert_int_equal(print_queue_start(&(print_queue_config){.uri = uri}, &q), AG_OK);
	assert_int_equal(convocation_print(&f->ctx, &f->op, q, b.id, on_printed, &seen, NULL, NULL),
	                 AG_ERR_REFUSED);
	assert_int_equal(print_queue_failed(q, failed, 2), 0);
	print_queue_stop(q);
	assert_int_equal(seen.calls, 0);
	seen_destroy(&seen);
}

struct late_reader {
	const char *fifo;
	int fd;
};

/* Opens the FIFO's reading end after the main thread has asked the queue to stop. */
static void *open_later(void *arg)
{
	struct late_reader *r = arg;
	struct timespec pause = {.tv_nsec = 300 * 1000000L};

	nanosleep(&pause, NULL);
	r->fd = open(r->fifo, O_RDONLY | O_NONBLOCK);
	return NULL;
}

/*
 * Shutdown while a slip waits behind another: the one being sent finishes and is recorded, the
 * waiting one is dropped unsent, its callback says so, and it stays in the reprint queue.
 */
static void dropped_job_stays_in_the_reprint_queue(void **state)
{
	struct fixture *f = *state;
	struct booking a, b;
	struct seen first, second;
	char fifo[128], uri[140];
	struct late_reader reader = {.fd = -1};
	pthread_t thread;
	print_queue *q;
	print_job_info info;
	uint64_t job;

	seen_init(&first);
	seen_init(&second);
	fixture_capacity(f, MAY4, 30, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	stalled_printer(f, fifo, sizeof fifo, uri, sizeof uri);
	reader.fifo = fifo;
	assert_int_equal(print_queue_start(&(print_queue_config){.uri = uri}, &q), AG_OK);
	assert_int_equal(
	        convocation_print(&f->ctx, &f->op, q, a.id, on_printed, &first, &job, NULL), AG_OK);
	assert_int_equal(
	        convocation_print(&f->ctx, &f->op, q, b.id, on_printed, &second, NULL, NULL),
	        AG_OK);
	/* The worker has taken the first slip (and waits for the printer) before the stop. */
	do {
		struct timespec pause = {.tv_nsec = 1000000L};

		nanosleep(&pause, NULL);
		assert_int_equal(print_queue_job(q, job, &info), AG_OK);
	} while (info.state == PRINT_JOB_QUEUED);
	assert_int_equal(pthread_create(&thread, NULL, open_later, &reader), 0);
	print_queue_stop(q); /* returns once the first slip is out */
	pthread_join(thread, NULL);
	assert_true(reader.fd >= 0);
	close(reader.fd);

	assert_int_equal(first.calls, 1);
	assert_int_equal(first.printed.job.state, PRINT_JOB_DONE);
	assert_int_equal(first.printed.recorded, AG_OK);
	assert_int_equal(second.calls, 1);
	assert_int_equal(second.printed.job.state, PRINT_JOB_QUEUED);
	assert_int_not_equal(second.printed.recorded, AG_OK);
	assert_non_null(strstr(second.printed.why.it, "coda di ristampa"));
	assert_int_equal(count_where(f,
	                             "SELECT count(*) FROM appointment WHERE id = '%s'"
	                             " AND print_state = 'none'",
	                             b.id),
	                 1);
	assert_int_equal(reprint_queue_size(f), 1);
	seen_destroy(&first);
	seen_destroy(&second);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(outcome_recorded_under_the_operator_after_log_out),
	        T(failure_recorded_with_the_reason),
	        T(cancelled_appointment_is_not_queued),
	        T(dropped_job_stays_in_the_reprint_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
