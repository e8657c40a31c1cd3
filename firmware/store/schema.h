/*
 * schema.h — the numbered schema migrations embedded in the binary.
 *
 * Migration i (1-based) brings a database from PRAGMA user_version i-1 to i. They only ever
 * grow: a released migration is never edited, a change is a new one. store_open applies the
 * missing ones in one transaction and refuses a file whose user_version is higher than
 * SCHEMA_VERSION (written by newer firmware).
 */
#ifndef AGENDA_STORE_SCHEMA_H
#define AGENDA_STORE_SCHEMA_H

/* "AGE1": marks the SQLite file as ours (PRAGMA application_id). */
#define SCHEMA_APPLICATION_ID 0x41474531

extern const char *const SCHEMA_MIGRATIONS[];
extern const int SCHEMA_VERSION;

#endif
