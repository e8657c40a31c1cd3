/*
 * alloc_race.h — many clients, each on its own connection, draining one Questura's pool with
 * central_store_allocate at the same time: the workload of the allocation test
 * (store_test.c) and of the benchmark (tests/bench/central_alloc_bench.c), written once.
 */
#ifndef AGENDA_TESTS_ALLOC_RACE_H
#define AGENDA_TESTS_ALLOC_RACE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define ALLOC_RACE_MAX_CLIENTS 64

/* What one client got: its holder name and every slot id it was told it received. */
struct alloc_race_client {
	char holder[CENTRAL_HOLDER_MAX + 1];
	int64_t *ids;
	size_t count, room;
	size_t calls;   /* allocate calls (each one transaction) */
	size_t busy;    /* calls answered AG_ERR_BUSY (SQLite's lock wait ran out): retried */
	agenda_err err; /* AG_OK unless a call failed */
};

struct alloc_race {
	int clients;
	struct alloc_race_client client[ALLOC_RACE_MAX_CLIENTS];
	int64_t elapsed_ns; /* from the first client's start to the last one's end */
};

/*
 * Starts clients threads (1..ALLOC_RACE_MAX_CLIENTS) on target; client i asks for 1 + i % 16
 * slots of questura in [first, last] per call until the pool is empty, retrying a call that
 * found the store busy as a device would. 0 when every client
 * ran to the end, -1 when one could not open its connection or a call failed (see err).
 * Free with alloc_race_free.
 */
int alloc_race_run(const char *target, const char *questura, agenda_day first, agenda_day last,
                   int clients, struct alloc_race *race);

/* Every id any client got, sorted; *total their number (caller frees). */
int64_t *alloc_race_all_ids(const struct alloc_race *race, size_t *total);

void alloc_race_free(struct alloc_race *race);

#endif
