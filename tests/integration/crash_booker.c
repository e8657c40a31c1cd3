/*
 * crash_booker.c — the program the kill -9 harness (crash_kill_test.py) starts and kills.
 *
 *   crash_booker setup DB            creates the site; prints the operator's password
 *   crash_booker book DB SEED [N]    reads the password on stdin, logs in and runs N steps of
 *                                    the workload (default: until killed), writing each
 *                                    confirmed booking or cancel to stdout only after the call
 *                                    returned (crash_workload.h)
 *   crash_booker check DB [LEDGER]   reopens the file and checks every invariant (crash_check.h);
 *                                    prints the counts; exit 0 when all hold, 1 otherwise
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash_check.h"
#include "crash_workload.h"

static int usage(void)
{
	fprintf(stderr, "usage: crash_booker setup DB | book DB SEED [N] | check DB [LEDGER]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "setup") == 0) {
		char password[PASSWORD_MAX];

		if (crash_workload_setup(argv[2], password) != 0)
			return 1;
		printf("%s\n", password);
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "book") == 0) {
		char password[PASSWORD_MAX] = "";
		struct crash_worker w;
		long steps = argc > 4 ? atol(argv[4]) : -1;

		if (!fgets(password, sizeof password, stdin))
			return 2;
		password[strcspn(password, "\n")] = 0;
		if (crash_worker_open(&w, argv[2], password, strtoull(argv[3], NULL, 10)) != 0)
			return 1;
		for (long i = 0; steps < 0 || i < steps; i++)
			if (crash_worker_step(&w, stdout) != 0)
				return 1;
		crash_worker_close(&w);
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "check") == 0) {
		struct crash_result r;
		char msg[512];
		int bad = crash_check(argv[2], argc > 3 ? argv[3] : NULL, &r, msg, sizeof msg);

		printf("{\"ok\": %s, \"appointments\": %ld, \"live\": %ld, \"ledger_booked\": %ld, "
		       "\"ledger_cancels\": %ld, \"unconfirmed\": %ld, \"audit_records\": %ld, "
		       "\"message\": \"%s\"}\n",
		       bad ? "false" : "true", r.appointments, r.live, r.ledger_booked,
		       r.ledger_cancels, r.unconfirmed, r.audit_records, msg);
		return bad;
	}
	return usage();
}
