/*
 * print_queue_test.c — the print worker over the virtual and file backends: a job goes queued ->
 * sending -> done with the exact bytes delivered; a printer without paper or with its cover open
 * fails the job before any byte is sent, the job stays in the reprint queue and a retry prints
 * the same bytes; a dead target fails the job with a reason instead of blocking the caller.
 * A network printer (a fake on a loopback port answering DLE EOT) that reports paper end only in
 * its offline-cause byte (DLE EOT 2) gets no byte of the slip: status parsing and queue together.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "core/date.h"
#include "printer/escpos.h"
#include "printer/print_queue.h"
#include "printer/virtual.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/agenda-pq-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const unsigned char JOB[] = "\x1B@\x1Bt\x13Prova \xD5\n\x1DV\x42\x00";

static void file_backend_gets_exact_bytes(void **state)
{
	(void)state;
	char uri[128], path[100];
	print_queue *q;
	print_job_info info;
	uint64_t id;
	unsigned char got[64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/out.bin", dir);
	snprintf(uri, sizeof uri, "file:%s", path);
	assert_int_equal(print_queue_start(&(print_queue_config){.uri = uri}, &q), AG_OK);
	assert_int_equal(print_queue_submit(q, "ref-1", JOB, sizeof JOB - 1, &id), AG_OK);
	assert_int_equal(print_queue_wait(q, id, 5000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_DONE);
	assert_int_equal(info.sent, sizeof JOB - 1);
	assert_string_equal(info.reference, "ref-1");
	print_queue_stop(q);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(got, 1, sizeof got, f);
	fclose(f);
	assert_int_equal(n, sizeof JOB - 1);
	assert_memory_equal(got, JOB, n);
}

static void faults_fail_the_job_and_retry_prints(void **state)
{
	(void)state;
	char uri[128], png[128];
	print_queue *q;
	print_job_info info;
	uint64_t id, again, failed[4];

	snprintf(uri, sizeof uri, "virtual:%s/slip", dir);
	assert_int_equal(print_queue_start(&(print_queue_config){.uri = uri}, &q), AG_OK);

	printer_virtual_inject(PRINTER_STATUS_PAPER_OUT | PRINTER_STATUS_PAPER_NEAR_END,
	                       PRINTER_OK);
	assert_int_equal(print_queue_submit(q, "ref-2", JOB, sizeof JOB - 1, &id), AG_OK);
	assert_int_equal(print_queue_wait(q, id, 5000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_FAILED);
	assert_int_equal(info.fault, PRINTER_PAPER_OUT);
	assert_int_equal(info.sent, 0);
	assert_int_equal(print_queue_failed(q, failed, 4), 1);
	assert_true(failed[0] == id);
	assert_int_equal(print_queue_retry(q, 999, &again), AG_ERR_NOT_FOUND);

	printer_virtual_inject(PRINTER_STATUS_COVER_OPEN, PRINTER_OK);
	assert_int_equal(print_queue_retry(q, id, &again), AG_OK);
	assert_int_equal(print_queue_retry(q, id, &again), AG_ERR_REFUSED); /* already retried */
	assert_int_equal(print_queue_wait(q, again, 5000, &info), AG_OK);
	assert_int_equal(info.fault, PRINTER_COVER_OPEN);
	assert_true(info.retry_of == id);

	printer_virtual_inject(0, PRINTER_OK);
	id = again;
	assert_int_equal(print_queue_retry(q, id, &again), AG_OK);
	assert_int_equal(print_queue_wait(q, again, 5000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_DONE);
	assert_int_equal(print_queue_failed(q, failed, 4), 0);
	assert_int_equal(print_queue_job(q, id, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_RETRIED);
	print_queue_stop(q);
	/* exactly one page came out */
	snprintf(png, sizeof png, "%s/slip-1.png", dir);
	assert_int_equal(access(png, R_OK), 0);
	snprintf(png, sizeof png, "%s/slip-2.png", dir);
	assert_int_not_equal(access(png, R_OK), 0);
}

static void write_fault_and_status_poll(void **state)
{
	(void)state;
	char uri[128];
	print_queue *q;
	print_job_info info;
	uint64_t id;
	printer_fault f = PRINTER_IO;

	snprintf(uri, sizeof uri, "virtual:%s/poll", dir);
	printer_virtual_inject(PRINTER_STATUS_PAPER_NEAR_END, PRINTER_DISCONNECTED);
	assert_int_equal(print_queue_start(&(print_queue_config){.uri = uri, .poll_ms = 20}, &q),
	                 AG_OK);
	assert_int_equal(print_queue_submit(q, "ref-3", JOB, sizeof JOB - 1, &id), AG_OK);
	assert_int_equal(print_queue_wait(q, id, 5000, &info), AG_OK);
	assert_int_equal(info.fault, PRINTER_DISCONNECTED);
	/* the job's fault shows until the next poll reopens the printer and asks again */
	for (int i = 0;
	     i < 100 && (print_queue_printer_status(q, &f) != PRINTER_STATUS_PAPER_NEAR_END ||
	                 f != PRINTER_OK);
	     i++)
		usleep(10000);
	assert_int_equal(print_queue_printer_status(q, &f), PRINTER_STATUS_PAPER_NEAR_END);
	assert_int_equal(f, PRINTER_OK);
	printer_virtual_inject(0, PRINTER_OK);
	print_queue_stop(q);
}

static void bad_targets_fail_without_blocking(void **state)
{
	(void)state;
	print_queue *q;
	print_job_info info;
	uint64_t id;
	struct timespec t0, t1;
	agenda_detail d;
	printer *p;
	printer_fault f;

	assert_int_equal(printer_open("lpt:1", NULL, 0, &p, &f, &d), AG_ERR_INVALID);
	assert_int_equal(f, PRINTER_BAD_TARGET);
	assert_non_null(strstr(d.it, "lpt:1"));
	assert_int_equal(printer_open("file:/nonexistent-dir/x", NULL, 0, &p, &f, &d), AG_ERR_IO);
	assert_int_equal(f, PRINTER_NOT_FOUND);
	assert_non_null(strstr(d.it, "Stampante non trovata"));
	/* a port nobody listens on: refused at once */
	assert_int_equal(print_queue_start(&(print_queue_config){.uri = "tcp:127.0.0.1:9"}, &q),
	                 AG_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(print_queue_submit(q, "ref-4", JOB, sizeof JOB - 1, &id), AG_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) < 50000000L);
	assert_int_equal(print_queue_wait(q, id, 10000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_FAILED);
	assert_int_equal(info.fault, PRINTER_NOT_FOUND);
	print_queue_stop(q);
}

/*
 * A fake ESC/POS printer on 127.0.0.1: answers DLE EOT 1/2/4 with reply[n] and counts every
 * other byte as printed. One connection at a time, as a printer's port 9100 serves them.
 */
struct fake_tcp_printer {
	int listener;
	int port;
	atomic_int reply[5];
	atomic_size_t printed;
	atomic_bool stop;
	pthread_t thread;
};

static void fake_serve(struct fake_tcp_printer *fp, int fd)
{
	unsigned char buf[512];
	int pending = 0; /* bytes of "DLE EOT" matched so far */

	while (!atomic_load(&fp->stop)) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, 20) <= 0)
			continue;
		if ((n = read(fd, buf, sizeof buf)) <= 0)
			return;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = buf[i];

			if (pending == 0 && c == 0x10) {
				pending = 1;
			} else if (pending == 1 && c == 0x04) {
				pending = 2;
			} else if (pending == 2 && (c == 1 || c == 2 || c == 4)) {
				unsigned char r = (unsigned char)atomic_load(&fp->reply[c]);

				pending = 0;
				if (write(fd, &r, 1) != 1)
					return;
			} else {
				atomic_fetch_add(&fp->printed, (size_t)pending + 1);
				pending = 0;
			}
		}
	}
}

static void *fake_printer_main(void *arg)
{
	struct fake_tcp_printer *fp = arg;

	while (!atomic_load(&fp->stop)) {
		struct pollfd pfd = {.fd = fp->listener, .events = POLLIN};
		int fd;

		if (poll(&pfd, 1, 20) <= 0 || (fd = accept(fp->listener, NULL, NULL)) < 0)
			continue;
		fake_serve(fp, fd);
		close(fd);
	}
	return NULL;
}

static void fake_printer_start(struct fake_tcp_printer *fp)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;

	memset(fp, 0, sizeof *fp);
	fp->listener = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fp->listener >= 0);
	assert_int_equal(bind(fp->listener, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fp->listener, 4), 0);
	assert_int_equal(getsockname(fp->listener, (struct sockaddr *)&a, &alen), 0);
	fp->port = ntohs(a.sin_port);
	atomic_store(&fp->reply[1], 0x16); /* online (fixed bits 1 and 4 set) */
	atomic_store(&fp->reply[2], 0x12); /* no offline cause */
	atomic_store(&fp->reply[4], 0x12); /* roll paper present */
	assert_int_equal(pthread_create(&fp->thread, NULL, fake_printer_main, fp), 0);
}

static void fake_printer_stop(struct fake_tcp_printer *fp)
{
	atomic_store(&fp->stop, true);
	pthread_join(fp->thread, NULL);
	close(fp->listener);
}

static void paper_end_in_offline_byte_only_is_not_sent(void **state)
{
	(void)state;
	struct fake_tcp_printer fp;
	char uri[64];
	print_queue *q;
	print_job_info info;
	uint64_t id, again;

	fake_printer_start(&fp);
	snprintf(uri, sizeof uri, "tcp:127.0.0.1:%d", fp.port);
	/* DLE EOT 2 bit 5: "stopped by paper end"; the roll sensor (DLE EOT 4) says nothing */
	atomic_store(&fp.reply[2], 0x32);
	assert_int_equal(
	        print_queue_start(&(print_queue_config){.uri = uri, .timeout_ms = 2000}, &q),
	        AG_OK);
	assert_int_equal(print_queue_submit(q, "ref-5", JOB, sizeof JOB - 1, &id), AG_OK);
	assert_int_equal(print_queue_wait(q, id, 5000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_FAILED);
	assert_int_equal(info.fault, PRINTER_PAPER_OUT);
	assert_int_equal(info.sent, 0);
	assert_int_equal(atomic_load(&fp.printed), 0);

	/* paper loaded: the retry prints every byte, so the fake did see what it was sent */
	atomic_store(&fp.reply[2], 0x12);
	assert_int_equal(print_queue_retry(q, id, &again), AG_OK);
	assert_int_equal(print_queue_wait(q, again, 5000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_DONE);
	print_queue_stop(q);
	for (int i = 0; i < 200 && atomic_load(&fp.printed) < sizeof JOB - 1; i++)
		usleep(5000);
	assert_int_equal(atomic_load(&fp.printed), sizeof JOB - 1);
	fake_printer_stop(&fp);
}

/* A backend whose writes time out and whose status says the paper ran out. */
static agenda_err stalled_write(printer *p, const unsigned char *data, size_t len, size_t *written)
{
	(void)data;
	(void)len;
	*written = 0;
	p->fault = PRINTER_TIMEOUT;
	return AG_ERR_IO;
}

static agenda_err paper_out_status(printer *p, unsigned *flags)
{
	(void)p;
	*flags = PRINTER_STATUS_PAPER_OUT | PRINTER_STATUS_PAPER_NEAR_END;
	return AG_OK;
}

/* A write that times out asks the printer why: "paper out" is what the operator must read. */
static void timed_out_write_says_why(void **state)
{
	(void)state;
	static const printer_ops ops = {"stalled", NULL, stalled_write, paper_out_status, NULL};
	printer p = {.ops = &ops};
	agenda_detail d;
	size_t sent = 99;

	assert_int_equal(printer_write(&p, JOB, sizeof JOB - 1, &sent, &d), AG_ERR_IO);
	assert_int_equal(sent, 0);
	assert_int_equal(p.fault, PRINTER_PAPER_OUT);
}

static void status_words(void **state)
{
	(void)state;
	agenda_detail d;

	assert_int_equal(printer_status_decode(0x16, 0x12, 0x12), 0);
	assert_int_equal(printer_status_decode(0x1E, 0x32, 0x7E),
	                 PRINTER_STATUS_OFFLINE | PRINTER_STATUS_PAPER_OUT |
	                         PRINTER_STATUS_PAPER_NEAR_END);
	assert_int_equal(printer_status_decode(-1, 0x16, -1), PRINTER_STATUS_COVER_OPEN);
	assert_int_equal(printer_status_decode(-1, 0x52, -1), PRINTER_STATUS_ERROR);
	/* paper end said by one byte alone is still paper out */
	assert_int_equal(printer_status_decode(0x16, 0x32, 0x12), PRINTER_STATUS_PAPER_OUT);
	assert_int_equal(printer_status_decode(0x16, 0x12, 0x72), PRINTER_STATUS_PAPER_OUT);
	assert_int_equal(printer_status_decode(0x1E, 0x12, 0x12), PRINTER_STATUS_OFFLINE);
	assert_int_equal(printer_status_decode(-1, -1, -1), PRINTER_STATUS_UNKNOWN);
	assert_int_equal(
	        printer_status_blocking(PRINTER_STATUS_COVER_OPEN | PRINTER_STATUS_PAPER_OUT),
	        PRINTER_PAPER_OUT);
	printer_status_detail(PRINTER_STATUS_PAPER_NEAR_END, &d);
	assert_non_null(strstr(d.it, "Carta quasi finita"));
	printer_fault_detail(PRINTER_PERMISSION, &d);
	assert_non_null(strstr(d.it, "agenda-kiosk"));
	printer_fault_detail(PRINTER_BUSY, &d);
	assert_non_null(strstr(d.it, "occupata"));
	assert_string_equal(printer_fault_name(PRINTER_COVER_OPEN), "cover_open");
	assert_string_equal(print_job_state_name(PRINT_JOB_FAILED), "failed");
}

/* A small real slip (fictional data) for the slip-submitting calls. */
static slip *test_slip(void)
{
	slip *s = malloc(sizeof *s);
	slip_input in = {.city = "Roma",
	                 .surname = "PROVA",
	                 .name = "Prova",
	                 .birth_date = date_from_ymd(2000, 1, 1),
	                 .nationality = "-",
	                 .numero_pratica = "RM/2026/000000",
	                 .numero_visto = "ITA000000000",
	                 .questura_name = "Questura di Roma",
	                 .questura_address = "-",
	                 .day = date_from_ymd(2026, 5, 5),
	                 .minute = 540,
	                 .reference = "00000000-0000-4000-8000-000000000000",
	                 .operator_id = "prova",
	                 .printed_day = date_from_ymd(2026, 5, 4),
	                 .printed_minute = 540,
	                 .columns = 48};

	assert_non_null(s);
	assert_int_equal(slip_build(&in, s, NULL), AG_OK);
	return s;
}

struct completion {
	print_queue *q;
	atomic_int calls;
	pthread_t thread;
	print_job_info info, asked; /* as passed, and as print_queue_job said inside the callback */
};

static void completed(void *arg, const print_job_info *info)
{
	struct completion *c = arg;

	c->info = *info;
	c->thread = pthread_self();
	/* The queue's lock is not held: asking the queue from here must not deadlock. */
	assert_int_equal(print_queue_job(c->q, info->id, &c->asked), AG_OK);
	atomic_fetch_add(&c->calls, 1);
}

/* The completion is called once, on the worker thread, when the job ends; a retry has none. */
static void completion_called_once_when_the_job_ends(void **state)
{
	(void)state;
	char uri[128];
	struct completion c = {0};
	print_job_info info;
	slip *s = test_slip();
	uint64_t id, again;

	snprintf(uri, sizeof uri, "virtual:%s/done", dir);
	assert_int_equal(print_queue_start(&(print_queue_config){.uri = uri}, &c.q), AG_OK);
	printer_virtual_inject(PRINTER_STATUS_COVER_OPEN, PRINTER_OK);
	assert_int_equal(print_queue_submit_slip_then(c.q, s, completed, &c, &id), AG_OK);
	assert_int_equal(print_queue_wait(c.q, id, 5000, &info), AG_OK);
	/* print_queue_wait may return just before the callback runs */
	for (int i = 0; i < 5000 && atomic_load(&c.calls) == 0; i++)
		usleep(1000);
	assert_int_equal(atomic_load(&c.calls), 1);
	assert_false(pthread_equal(c.thread, pthread_self()));
	assert_int_equal(c.info.state, PRINT_JOB_FAILED);
	assert_int_equal(c.info.fault, PRINTER_COVER_OPEN);
	assert_int_equal(c.asked.state, PRINT_JOB_FAILED);
	printer_virtual_inject(0, PRINTER_OK);
	assert_int_equal(print_queue_retry(c.q, id, &again), AG_OK);
	assert_int_equal(print_queue_wait(c.q, again, 5000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_DONE);
	assert_int_equal(print_queue_submit_slip_then(c.q, s, completed, &c, &id), AG_OK);
	print_queue_stop(c.q); /* waits for the job being sent, callback included */
	assert_int_equal(atomic_load(&c.calls), 2);
	assert_true(c.info.id == id);
	assert_true(c.info.state == PRINT_JOB_DONE || c.info.state == PRINT_JOB_QUEUED);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(file_backend_gets_exact_bytes),
	        cmocka_unit_test(faults_fail_the_job_and_retry_prints),
	        cmocka_unit_test(write_fault_and_status_poll),
	        cmocka_unit_test(bad_targets_fail_without_blocking),
	        cmocka_unit_test(paper_end_in_offline_byte_only_is_not_sent),
	        cmocka_unit_test(timed_out_write_says_why),
	        cmocka_unit_test(status_words),
	        cmocka_unit_test(completion_called_once_when_the_job_ends),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
