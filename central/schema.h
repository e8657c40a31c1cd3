/*
 * schema.h — agenda-central's schema, one numbered migration per version, written once per
 * backend dialect and kept side by side (schema.c) so a change to one is seen next to the other.
 *
 * Each backend applies migrations 1..CENTRAL_SCHEMA_VERSION that its store lacks, each in the
 * transaction that also records it in central_schema; the table itself is made first by the
 * backend (CENTRAL_SCHEMA_TABLE_*), so "which version is this store" has one answer in both.
 */
#ifndef AGENDA_CENTRAL_SCHEMA_H
#define AGENDA_CENTRAL_SCHEMA_H

#include "store.h"

typedef struct central_migration {
	const char *sqlite;
	const char *postgresql;
} central_migration;

/* CENTRAL_MIGRATIONS[v - 1] takes a store from version v - 1 to v. */
extern const central_migration CENTRAL_MIGRATIONS[CENTRAL_SCHEMA_VERSION];

#define CENTRAL_SCHEMA_TABLE_SQLITE                                                                \
	"CREATE TABLE IF NOT EXISTS central_schema(version INTEGER PRIMARY KEY) STRICT"
#define CENTRAL_SCHEMA_TABLE_PG                                                                    \
	"CREATE TABLE IF NOT EXISTS central_schema(version integer PRIMARY KEY)"

#endif
