/*
 * crash_check.h — the invariants a database must keep after any crash or power cut, checked on
 * a restart: shared by the kill -9 harness (crash_booker), the power-loss harness
 * (crash_power_test) and the printer-fault test.
 *
 * The file is reopened the way a program does (agenda_ctx_open_with: quick_check, schema and
 * identity checks, WAL recovery), then: PRAGMA integrity_check is "ok"; no slot and no practice
 * holds two confirmed appointments (I2, I3); every appointment has exactly one 'book' journal
 * entry and one 'book' audit record and every cancelled one exactly one 'cancel' of each; a slot
 * is booked exactly when a confirmed appointment holds it; the audit chain verifies (I6). With a
 * ledger (lines "book <id>" / "cancel <id>" written by a program only AFTER the call returned:
 * what a person could have seen or been handed), every confirmed effect is there (I1).
 */
#ifndef AGENDA_TESTS_CRASH_CHECK_H
#define AGENDA_TESTS_CRASH_CHECK_H

#include <stddef.h>

struct crash_result {
	long appointments;   /* rows in appointment */
	long live;           /* confirmed */
	long ledger_booked;  /* "book" lines read */
	long ledger_cancels; /* "cancel" lines read */
	long unconfirmed;    /* effects in the file the ledger never saw (the call in flight) */
	long audit_records;
};

/*
 * 0 when every invariant holds; otherwise 1 with the first broken one described in msg.
 * ledger may be NULL (no confirmations to check).
 */
int crash_check(const char *db_path, const char *ledger, struct crash_result *out, char *msg,
                size_t msg_size);

#endif
