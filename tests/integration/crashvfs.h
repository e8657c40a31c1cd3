/*
 * crashvfs.h — a SQLite VFS shim for tests that simulates a power cut, as SQLite's own crash
 * tests do (src/test6.c, the "crash" VFS).
 *
 * It wraps the default (unix) VFS and passes every call through, but remembers each write and
 * truncate of the database, its WAL and its journal that no xSync has made durable yet (with
 * the bytes it overwrote). Each xWrite and xSync counts as one step; at the armed step, before
 * that call runs, it "cuts the power": every file is put back to what its last sync made durable
 * and then, depending on the mode, none, a random subset, an in-order prefix or random 512-byte
 * sectors of the unsynced writes are put back on top (what a disk may or may not have written
 * before the cut); then the process ends at once with _exit(CRASHVFS_EXIT). Register it in a
 * child process, before the store is opened (the store opens with the default VFS).
 */
#ifndef AGENDA_TESTS_CRASHVFS_H
#define AGENDA_TESTS_CRASHVFS_H

#include <stdint.h>

#define CRASHVFS_EXIT 92

enum crashvfs_mode {
	CRASHVFS_LOSE_ALL = 0,  /* nothing unsynced survives */
	CRASHVFS_RANDOM_WRITES, /* each unsynced write survives or not */
	CRASHVFS_PREFIX,        /* the first k unsynced writes survive, in order */
	CRASHVFS_TORN_SECTORS,  /* each 512-byte sector of each unsynced write survives or not */
	CRASHVFS_MODES
};

/* Wraps the current default VFS and becomes the default. 0 on success. */
int crashvfs_register(void);

/* Cuts the power just before step `at` (1-based); 0 disarms. seed drives the mode's draws. */
void crashvfs_arm(long at, enum crashvfs_mode mode, uint64_t seed);

/*
 * Self-test of the harness: a disk that acknowledges xSync without making anything durable.
 * With it, cuts must find lost bookings (crash_power_test --lying-disk).
 */
void crashvfs_lying_disk(int on);

/* Steps (xWrite + xSync calls on tracked files) so far. */
long crashvfs_steps(void);

/* Unsynced writes pending now (not yet made durable). */
long crashvfs_pending(void);

/* Cuts the power now (the same as reaching the armed step). Does not return. */
_Noreturn void crashvfs_cut(void);

/*
 * Called just before the process ends, with what the cut did: unsynced writes thrown away,
 * kept whole, kept in part. May be NULL.
 */
typedef void (*crashvfs_report_fn)(long lost, long kept, long torn);
void crashvfs_on_cut(crashvfs_report_fn fn);

#endif
