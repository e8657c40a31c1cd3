/*
 * crash_power_test.c — simulated power cuts during the booking workload (crashvfs.h).
 *
 *   crash_power_test [--cuts N] [--seed S] [--steps K] [--lying-disk]
 *
 * Sets up one site (crash_workload.h), then N times: forks a child that registers the crash VFS,
 * opens the store, logs in and runs up to 2K workload steps, writing each confirmed booking or
 * cancel to a pipe only after the call returned; the VFS cuts the power at a random write or
 * sync (drawn over what an uninterrupted run of K steps does) with a random loss mode, or at the
 * end if the run gets there. The parent then reopens the file with the plain VFS and checks every
 * invariant (crash_check.h) against the ledger of everything ever confirmed. The database
 * carries over from cut to cut, as on a counter. Exit 0 when all N cuts lost nothing.
 * --lying-disk tests the harness itself: syncs make nothing durable, so it must find a lost
 * confirmed booking; then the exit status is 0 only when it did.
 * CTest runs a short version; docs/RELIABILITY.md has the long command (1,000 cuts).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crash_check.h"
#include "crash_workload.h"
#include "crashvfs.h"

struct totals {
	long cuts, cut_at_end, lost, kept, torn, confirmed, by_mode[CRASHVFS_MODES];
};

static int report_fd = -1;
static int lying_disk;

/* In the child, just before _exit: what the cut threw away, on the pipe. */
static void report(long lost, long kept, long torn)
{
	char line[96];
	int n = snprintf(line, sizeof line, "# lost %ld kept %ld torn %ld steps %ld\n", lost, kept,
	                 torn, crashvfs_steps());

	if (write(report_fd, line, (size_t)n) != n)
		_exit(CRASHVFS_EXIT + 2);
}

static _Noreturn void child(const char *db, const char *password, int fd, long at,
                            enum crashvfs_mode mode, uint64_t seed, long steps)
{
	struct crash_worker w;
	FILE *out = fdopen(fd, "w");

	report_fd = fd;
	if (!out || crashvfs_register() != 0)
		_exit(3);
	crashvfs_on_cut(report);
	crashvfs_lying_disk(lying_disk);
	crashvfs_arm(at, mode, seed);
	if (crash_worker_open(&w, db, password, seed) != 0)
		_exit(4);
	for (long i = 0; i < steps; i++)
		if (crash_worker_step(&w, out) != 0)
			_exit(5);
	if (at == 0) { /* calibration: how many steps a full run takes */
		fprintf(out, "# steps %ld\n", crashvfs_steps());
		fflush(out);
		_exit(0);
	}
	crashvfs_cut(); /* the run got to the end first: cut the power at rest */
}

/* Runs one child; appends its confirmed lines to the ledger. Returns its exit status. */
static int run(const char *db, const char *password, const char *ledger, long at,
               enum crashvfs_mode mode, uint64_t seed, long steps, struct totals *t,
               long *calibrated)
{
	int fds[2], status = 0;
	FILE *in, *led;
	char line[160];
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(db, password, fds[1], at, mode, seed, steps);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	led = fopen(ledger, "a");
	while (in && led && fgets(line, sizeof line, in)) {
		long lost, kept, torn, n;

		if (sscanf(line, "# lost %ld kept %ld torn %ld steps %ld", &lost, &kept, &torn,
		           &n) == 4) {
			t->lost += lost;
			t->kept += kept;
			t->torn += torn;
			t->cut_at_end += n < at;
		} else if (sscanf(line, "# steps %ld", &n) == 1) {
			*calibrated = n;
		} else if (strchr(line, '\n')) {
			fputs(line, led);
			t->confirmed++;
		}
	}
	if (in)
		fclose(in);
	if (led)
		fclose(led);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/crash-power-XXXXXX", db[64], ledger[64], msg[512];
	char password[PASSWORD_MAX];
	long cuts = 40, steps = 20, budget = 0;
	uint64_t seed = 1, draw;
	struct totals t = {0};
	struct crash_result r = {0};
	int failed = 0, lost_confirmed = 0;

	for (int i = 1; i < argc; i++)
		lying_disk |= strcmp(argv[i], "--lying-disk") == 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--cuts") == 0)
			cuts = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--seed") == 0)
			seed = strtoull(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--steps") == 0)
			steps = atol(argv[i + 1]);
	}
	setenv("TZ", "Europe/Rome", 1);
	if (!mkdtemp(dir))
		return 1;
	snprintf(db, sizeof db, "%s/agenda.db", dir);
	snprintf(ledger, sizeof ledger, "%s/ledger", dir);
	if (crash_workload_setup(db, password) != 0)
		return 1;
	if (run(db, password, ledger, 0, CRASHVFS_LOSE_ALL, seed, steps, &t, &budget) != 0 ||
	    budget <= 0) {
		fprintf(stderr, "calibration run failed\n");
		return 1;
	}
	draw = seed * 0x2545F4914F6CDD1Dull + 7;
	for (long i = 0; i < cuts && !failed; i++) {
		long at;
		enum crashvfs_mode mode;
		int rc;

		draw ^= draw << 13, draw ^= draw >> 7, draw ^= draw << 17;
		at = 1 + (long)(draw % (uint64_t)budget);
		mode = (enum crashvfs_mode)((draw >> 32) % CRASHVFS_MODES);
		rc = run(db, password, ledger, at, mode, draw, 2 * steps, &t, &budget);
		t.cuts++;
		t.by_mode[mode]++;
		if (rc != CRASHVFS_EXIT) {
			fprintf(stderr, "cut %ld (seed %llu, step %ld, mode %d): child exit %d\n",
			        i, (unsigned long long)seed, at, mode, rc);
			failed = 1;
		} else if (crash_check(db, ledger, &r, msg, sizeof msg) != 0) {
			lost_confirmed = strstr(msg, "(I1)") != NULL;
			fprintf(stderr, "cut %ld (seed %llu, step %ld, mode %d): %s\n", i,
			        (unsigned long long)seed, at, mode, msg);
			failed = 1;
		} else if (r.unconfirmed > t.cuts) {
			fprintf(stderr, "cut %ld: %ld unconfirmed effects after %ld cuts\n", i,
			        r.unconfirmed, t.cuts);
			failed = 1;
		}
	}
	printf("power cuts (seed %llu): %ld cuts (%ld lose-all, %ld random writes, %ld in-order "
	       "prefix, %ld torn sectors; %ld at the end of a run), %ld of %ld steps per run; "
	       "unsynced writes thrown away %ld, kept %ld, torn %ld; confirmed effects %ld, all "
	       "present; appointments %ld (live %ld), unconfirmed in flight %ld, audit records "
	       "%ld: %s\n",
	       (unsigned long long)seed, t.cuts, t.by_mode[0], t.by_mode[1], t.by_mode[2],
	       t.by_mode[3], t.cut_at_end, 2 * steps, budget, t.lost, t.kept, t.torn, t.confirmed,
	       r.appointments, r.live, r.unconfirmed, r.audit_records,
	       failed ? "FAILED" : "zero losses");
	if (lying_disk) {
		printf("lying disk: %s\n", lost_confirmed ? "loss found, as it must be"
		                                          : "NO LOSS FOUND: the harness is blind");
		failed = !lost_confirmed;
	}
	if (!failed || lying_disk) {
		char cmd[96];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	} else {
		fprintf(stderr, "database and ledger kept in %s\n", dir);
	}
	return failed;
}
