/*
 * alloc_race.c — the concurrent allocation workload (alloc_race.h): one thread per client, each
 * with its own connection, all let go together by one gate so they really race.
 */
#include "alloc_race.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Closed until every client is ready; then open for good. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t opened;
	int open;
};

struct worker {
	const char *questura;
	agenda_day first, last;
	size_t batch;
	struct gate *start;
	struct alloc_race_client *out;
	central_store *store;
};

static void gate_wait(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	while (!g->open)
		pthread_cond_wait(&g->opened, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = 1;
	pthread_cond_broadcast(&g->opened);
	pthread_mutex_unlock(&g->lock);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int keep(struct alloc_race_client *c, const central_slot *slots, size_t n)
{
	if (c->count + n > c->room) {
		size_t room = (c->room ? c->room * 2 : 64) + n;
		int64_t *ids = realloc(c->ids, room * sizeof *ids);

		if (!ids)
			return -1;
		c->ids = ids;
		c->room = room;
	}
	for (size_t i = 0; i < n; i++)
		c->ids[c->count++] = slots[i].id;
	return 0;
}

static void *client_main(void *arg)
{
	struct worker *w = arg;
	struct alloc_race_client *c = w->out;
	central_slot slots[16];

	gate_wait(w->start);
	if (c->err != AG_OK)
		return NULL;
	for (;;) {
		size_t got = 0;
		int64_t free_left = 0;

		c->err = central_store_allocate(w->store, w->questura, w->first, w->last, c->holder,
		                                w->batch, slots, &got, NULL);
		c->calls++;
		if (c->err == AG_ERR_BUSY) {
			c->busy++;
			c->err = AG_OK;
			continue;
		}
		if (c->err != AG_OK)
			break;
		if (got > 0) {
			if (keep(c, slots, got) != 0) {
				c->err = AG_ERR_NOMEM;
				break;
			}
			continue;
		}
		/* Nothing now: either the pool is empty or others hold locks on what is left. */
		c->err = central_store_count(w->store, NULL, &free_left, NULL);
		if (c->err != AG_OK || free_left == 0)
			break;
		sched_yield();
	}
	return NULL;
}

int alloc_race_run(const char *target, const char *questura, agenda_day first, agenda_day last,
                   int clients, struct alloc_race *race)
{
	struct worker workers[ALLOC_RACE_MAX_CLIENTS];
	pthread_t threads[ALLOC_RACE_MAX_CLIENTS];
	struct gate start = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
	int started = 0, status = 0;
	int64_t began;

	memset(race, 0, sizeof *race);
	if (clients < 1 || clients > ALLOC_RACE_MAX_CLIENTS)
		return -1;
	race->clients = clients;
	for (int i = 0; i < clients; i++) {
		struct alloc_race_client *c = &race->client[i];

		snprintf(c->holder, sizeof c->holder, "device-%02d", i);
		/* Connections are opened before the start line: the race is allocation alone. */
		workers[i] =
		        (struct worker){questura, first, last, 1 + (size_t)i % 16, &start, c, NULL};
		c->err = central_store_open(target, &workers[i].store, NULL);
		if (pthread_create(&threads[i], NULL, client_main, &workers[i]) != 0) {
			central_store_close(workers[i].store);
			c->err = AG_ERR_NOMEM;
			status = -1;
			break;
		}
		started++;
	}
	for (int i = started; i < clients; i++)
		race->client[i].err = AG_ERR_NOMEM;
	gate_open(&start);
	began = now_ns();
	for (int i = 0; i < started; i++) {
		pthread_join(threads[i], NULL);
		central_store_close(workers[i].store);
	}
	race->elapsed_ns = now_ns() - began;
	for (int i = 0; i < clients; i++)
		if (race->client[i].err != AG_OK)
			status = -1;
	return status;
}

static int id_order(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t *alloc_race_all_ids(const struct alloc_race *race, size_t *total)
{
	size_t n = 0, at = 0;
	int64_t *all;

	for (int i = 0; i < race->clients; i++)
		n += race->client[i].count;
	all = malloc((n ? n : 1) * sizeof *all);
	if (!all)
		return NULL;
	for (int i = 0; i < race->clients; i++) {
		if (race->client[i].count == 0)
			continue; /* a client may find the pool empty (ids still NULL) */
		memcpy(all + at, race->client[i].ids, race->client[i].count * sizeof *all);
		at += race->client[i].count;
	}
	qsort(all, n, sizeof *all, id_order);
	*total = n;
	return all;
}

void alloc_race_free(struct alloc_race *race)
{
	for (int i = 0; i < race->clients; i++)
		free(race->client[i].ids);
	memset(race, 0, sizeof *race);
}
