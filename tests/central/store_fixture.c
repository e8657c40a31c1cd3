/*
 * store_fixture.c — a fresh central store per test, on either backend (store_fixture.h).
 */
#include "store_fixture.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fresh_database(struct store_fixture *f)
{
	const char *server = getenv("AGENDA_CENTRAL_PG");
	char admin[768], sql[128], name[64];
	PGconn *conn;
	PGresult *r;
	int ok;

	if (!server)
		return -1;
	snprintf(name, sizeof name, "%s_%d_%d", f->prefix, (int)getpid(), f->databases_made++);
	snprintf(admin, sizeof admin, "%s dbname=postgres", server);
	conn = PQconnectdb(admin);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	r = PQexec(conn, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "CREATE DATABASE: %s", PQerrorMessage(conn));
	PQclear(r);
	PQfinish(conn);
	snprintf(f->target, sizeof f->target, "pg:%s dbname=%s", server, name);
	return ok ? 0 : -1;
}

int store_fixture_fresh(struct store_fixture *f)
{
	if (strcmp(f->backend, "sqlite") != 0)
		return fresh_database(f);
	snprintf(f->folder, sizeof f->folder, "/tmp/%s-store-test-XXXXXX", f->prefix);
	if (!mkdtemp(f->folder))
		return -1;
	snprintf(f->target, sizeof f->target, "sqlite:%s/central.db", f->folder);
	return 0;
}

int store_fixture_drop(struct store_fixture *f)
{
	if (strcmp(f->backend, "sqlite") == 0) {
		const char *suffix[] = {"", "-wal", "-shm"};
		char path[512];

		for (size_t i = 0; i < 3; i++) {
			snprintf(path, sizeof path, "%s/central.db%s", f->folder, suffix[i]);
			unlink(path);
		}
		rmdir(f->folder);
	}
	return 0;
}
