/*
 * crash_printer_test.c — printer faults during the booking flow, on an emulated USB printer
 * (usb_fake_printer.h, umockdev): the flow the kiosk runs at the counter.
 *
 * For each fault — none, paper out, paper end said only by the offline-cause byte (DLE EOT 2),
 * cover open, a transfer that never completes, unplugged in the middle of the slip (58 mm
 * profile, 1 KiB transfers) — it books (booking_confirm) and prints the slip the way both
 * programs do (convocation_print_wait: the print worker records the outcome itself). Then it
 * checks: the booking is there and confirmed, booking the same practice again returns it instead
 * of a second one, the reprint queue (convocation_reprint_queue) holds the slip from the booking
 * until a print succeeds, and still does after a restart; then the printer is fixed, the slip is
 * reprinted, the queue empties, and every
 * crash_check.h invariant holds. Run under umockdev-wrapper (CTest does). A failed check ends
 * the run at once with the check's line; the queue and the store are closed exactly once.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash_check.h"
#include "crash_workload.h"
#include "print/convocation_print.h"
#include "usb_fake_printer.h"

/* An Epson TM-T20III on the printer class, no usblp bound. */
static const struct usb_fake_printer_device PRINTER = {.vendor_id = 0x04b8,
                                                       .product_id = 0x0e28,
                                                       .interface_class = 7,
                                                       .endpoint_out = 0x01,
                                                       .endpoint_in = 0x82};

enum fault {
	FAULT_NONE,
	FAULT_PAPER_OUT,
	FAULT_PAPER_END_OFFLINE_ONLY,
	FAULT_COVER_OPEN,
	FAULT_STALL,
	FAULT_UNPLUG,
	FAULTS
};

static const char *const NAMES[FAULTS] = {"none",
                                          "paper out",
                                          "paper end in DLE EOT 2 only",
                                          "cover open",
                                          "transfer never completes",
                                          "unplugged mid-slip"};
static const printer_fault EXPECTED[FAULTS] = {PRINTER_OK,        PRINTER_PAPER_OUT,
                                               PRINTER_PAPER_OUT, PRINTER_COVER_OPEN,
                                               PRINTER_TIMEOUT,   PRINTER_DISCONNECTED};

/* 58 mm paper: raster QR and 1 KiB chunks, so an unplug can cut a slip in the middle */
#define PROFILE() printer_profile_find("generic-58")

static int failures;
static bool worker_open; /* main closes at the end only what is still open */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                       \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			failures++;                                                                \
			return;                                                                    \
		}                                                                                  \
	} while (0)

struct find {
	const char *id;
	int found, total;
};

static void visit(void *arg, const struct booking *b)
{
	struct find *f = arg;

	f->total++;
	f->found += strcmp(b->id, f->id) == 0;
}

static int in_reprint_queue(struct crash_worker *w, const char *id)
{
	struct find f = {.id = id};

	if (convocation_reprint_queue(&w->ctx, &w->who, visit, &f, NULL) != AG_OK)
		return -1;
	return f.found;
}

static void apply(enum fault fault)
{
	usb_fake_printer_reset();
	switch (fault) {
	case FAULT_PAPER_OUT:
		usb_fake_printer_status(2, 0x32); /* offline: paper end */
		usb_fake_printer_status(4, 0x7E); /* roll sensor: near end and end */
		break;
	case FAULT_PAPER_END_OFFLINE_ONLY:
		/* the roll sensor (DLE EOT 4) has nothing to say; only the offline cause does */
		usb_fake_printer_status(2, 0x32);
		break;
	case FAULT_COVER_OPEN:
		usb_fake_printer_status(2, 0x16); /* offline: cover open */
		break;
	case FAULT_STALL:
		/* status queries are still answered: the slip itself never goes through */
		usb_fake_printer_stall(USB_FAKE_PRINTER_STALL_DATA);
		break;
	case FAULT_UNPLUG:
		usb_fake_printer_unplug_after(1024); /* the first 1 KiB chunk went through */
		break;
	default:
		break;
	}
}

/* Prints the appointment's slip and has the outcome recorded; the job's end in *info. */
static agenda_err print_slip(struct crash_worker *w, print_queue *q, const char *id,
                             print_job_info *info)
{
	struct convocation_printed printed;
	agenda_err err = convocation_print_wait(&w->ctx, &w->who, q, id, 20000, &printed, NULL);

	*info = printed.job;
	return err == AG_OK ? printed.recorded : err;
}

static void scenario(struct crash_worker *w, print_queue **q, const char *db, const char *ledger,
                     const char *password, enum fault fault, int64_t practice)
{
	struct booking b, again;
	print_job_info info;
	struct crash_result r;
	char msg[512];
	FILE *led;

	CHECK(booking_confirm(&w->ctx, &w->who, practice, NULL, &b, NULL) == AG_OK && !b.existing,
	      "%s: booking", NAMES[fault]);
	led = fopen(ledger, "a");
	CHECK(led, "ledger");
	fprintf(led, "book %s\n", b.id);
	fclose(led);

	/* booked, not printed yet: a crash now must not lose the slip */
	CHECK(in_reprint_queue(w, b.id) == 1, "%s: reprint queue before printing", NAMES[fault]);
	apply(fault);
	CHECK(print_slip(w, *q, b.id, &info) == AG_OK, "%s: print and record", NAMES[fault]);
	CHECK(info.state == (fault ? PRINT_JOB_FAILED : PRINT_JOB_DONE) &&
	              info.fault == EXPECTED[fault],
	      "%s: job %s fault %s", NAMES[fault], print_job_state_name(info.state),
	      printer_fault_name(info.fault));

	/* the booking stands, once */
	CHECK(booking_get(&w->ctx, &w->who, b.id, &again, NULL) == AG_OK &&
	              again.state == APPOINTMENT_CONFIRMED,
	      "%s: booking lost", NAMES[fault]);
	CHECK(booking_confirm(&w->ctx, &w->who, practice, NULL, &again, NULL) == AG_OK &&
	              again.existing && strcmp(again.id, b.id) == 0,
	      "%s: booking again gave another appointment", NAMES[fault]);
	CHECK(in_reprint_queue(w, b.id) == (fault != FAULT_NONE), "%s: reprint queue",
	      NAMES[fault]);

	/* a restart keeps the reprint queue */
	print_queue_stop(*q);
	*q = NULL;
	crash_worker_close(w);
	worker_open = false;
	CHECK(crash_check(db, ledger, &r, msg, sizeof msg) == 0, "%s: %s", NAMES[fault], msg);
	CHECK(crash_worker_open(w, db, password, 1) == 0, "reopen");
	worker_open = true;
	CHECK(print_queue_start(
	              &(print_queue_config){.uri = "usb", .profile = PROFILE(), .timeout_ms = 300},
	              q) == AG_OK,
	      "queue");
	CHECK(in_reprint_queue(w, b.id) == (fault != FAULT_NONE), "%s: reprint queue after restart",
	      NAMES[fault]);
	if (fault == FAULT_NONE)
		return;

	/* printer fixed: the reprint works and empties the queue */
	usb_fake_printer_reset();
	CHECK(print_slip(w, *q, b.id, &info) == AG_OK && info.state == PRINT_JOB_DONE,
	      "%s: reprint %s", NAMES[fault], print_job_state_name(info.state));
	CHECK(usb_fake_printer_received_contains(b.numero_pratica),
	      "%s: slip without the practice %s (%zu bytes)", NAMES[fault], b.numero_pratica,
	      usb_fake_printer_received());
	CHECK(in_reprint_queue(w, b.id) == 0, "%s: reprint queue after the reprint", NAMES[fault]);
	printf("ok - %s: booking kept, slip in the reprint queue across a restart, reprinted\n",
	       NAMES[fault]);
}

int main(void)
{
	char dir[] = "/tmp/crash-printer-XXXXXX", db[64], ledger[64], password[PASSWORD_MAX];
	const char *preload = getenv("LD_PRELOAD");
	struct crash_worker w;
	struct crash_result r = {0};
	print_queue *q = NULL;
	char msg[512];

	if (!preload || !strstr(preload, "umockdev-preload")) {
		fprintf(stderr, "crash_printer_test: run under umockdev-wrapper\n");
		return 77;
	}
	setenv("TZ", "Europe/Rome", 1);
	if (!mkdtemp(dir) || usb_fake_printer_start(&PRINTER) != 0)
		return 1;
	snprintf(db, sizeof db, "%s/agenda.db", dir);
	snprintf(ledger, sizeof ledger, "%s/ledger", dir);
	if (crash_workload_setup(db, password) != 0 ||
	    crash_worker_open(&w, db, password, 1) != 0) {
		fprintf(stderr, "FAIL: setting up %s\n", db);
		return 1;
	}
	worker_open = true;
	if (print_queue_start(
	            &(print_queue_config){.uri = "usb", .profile = PROFILE(), .timeout_ms = 300},
	            &q) != AG_OK) {
		fprintf(stderr, "FAIL: starting the print queue\n");
		failures++;
	}
	for (int f = 0; f < FAULTS && !failures; f++)
		scenario(&w, &q, db, ledger, password, (enum fault)f, f + 1);
	print_queue_stop(q); /* NULL when a failed check left it stopped */
	if (worker_open)
		crash_worker_close(&w);
	if (!failures && crash_check(db, ledger, &r, msg, sizeof msg) != 0) {
		fprintf(stderr, "FAIL: %s\n", msg);
		failures++;
	}
	if (!failures && (r.appointments != FAULTS || r.live != FAULTS)) {
		fprintf(stderr, "FAIL: %ld appointments (%ld live), want %d\n", r.appointments,
		        r.live, FAULTS);
		failures++;
	}
	if (failures)
		printf("FAILED: see the FAIL line above\n");
	else
		printf("ok: %d faults, %ld bookings, none lost or duplicated\n", FAULTS,
		       r.appointments);
	if (!failures) {
		snprintf(msg, sizeof msg, "rm -rf '%s'", dir);
		failures = system(msg) != 0;
	}
	return failures != 0;
}
