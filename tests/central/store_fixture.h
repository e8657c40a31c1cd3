/*
 * store_fixture.h — a fresh, empty central store for each test, on the backend the test program
 * was started for: a SQLite file in a temporary folder, or a new database on the private
 * PostgreSQL server of with_postgres.sh (AGENDA_CENTRAL_PG). Shared by the store tests so that
 * every one of them runs the same way on both backends.
 */
#ifndef AGENDA_TESTS_CENTRAL_STORE_FIXTURE_H
#define AGENDA_TESTS_CENTRAL_STORE_FIXTURE_H

struct store_fixture {
	const char *prefix;  /* names the test's folders and databases: "central", "enrol"... */
	const char *backend; /* "sqlite" or "postgresql": argv[1] */
	char target[1024];   /* this test's store, for central_store_open */
	char folder[256];    /* sqlite: the test's temporary folder */
	int databases_made;  /* postgresql: numbers the next database */
};

/* Makes the next test's empty store and names it in f->target; 0, or -1 (said on stderr). */
int store_fixture_fresh(struct store_fixture *f);

/* Removes the SQLite file and folder (PostgreSQL: the server goes at the end of the run). */
int store_fixture_drop(struct store_fixture *f);

#endif
