/*
 * crash_workload.h — the booking workload the crash harnesses interrupt: a site (Questura di
 * Roma, two months of capacity, CRASH_PRACTICES practices, one operatore) and one counter step
 * at a time through the same C API the kiosk uses. A step books a random practice
 * (booking_confirm) or, when it already has a live appointment, cancels it (booking_cancel) —
 * and only AFTER the call returned writes "book <id>" / "cancel <id>" to the ledger and flushes
 * it: the ledger is what a person could have seen or been handed (crash_check.h).
 */
#ifndef AGENDA_TESTS_CRASH_WORKLOAD_H
#define AGENDA_TESTS_CRASH_WORKLOAD_H

#include <stdint.h>
#include <stdio.h>

#include "services/booking.h"

#define CRASH_PRACTICES 200
#define CRASH_OPERATOR  "mario.rossi"

/* Creates the site in a new file at path; the operator's password goes to password_out. */
int crash_workload_setup(const char *path, char password_out[PASSWORD_MAX]);

struct crash_worker {
	agenda_ctx ctx;
	struct session who;
	uint64_t draw; /* xorshift state: which practice next */
	int64_t now;
};

/* Opens the store (default VFS at that moment) and logs in. 0 on success. */
int crash_worker_open(struct crash_worker *w, const char *path, const char *password,
                      uint64_t seed);

/* One step; 0 when it succeeded (ledger written), -1 on an unexpected error (printed). */
int crash_worker_step(struct crash_worker *w, FILE *ledger);

void crash_worker_close(struct crash_worker *w);

#endif
