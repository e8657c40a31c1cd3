/*
 * context.h — what every service call needs: the store, the clock, the RNG, the device id.
 *
 * One agenda_ctx per thread (the store handle is not shared). Programs fill it at start-up with
 * agenda_ctx_open; tests fill it with a fixed clock and a seeded RNG.
 */
#ifndef AGENDA_SERVICES_CONTEXT_H
#define AGENDA_SERVICES_CONTEXT_H

#include "platform/clock.h"
#include "platform/rng.h"
#include "store/store.h"

#define DEVICE_ID_MAX 40

typedef struct agenda_ctx {
	store *store;
	agenda_clock clock;
	agenda_rng rng;
	char device_id[DEVICE_ID_MAX]; /* holder of this device's slots; set by init */
	unsigned char secret[32];      /* device_secret.h: keys the audit chain, log-in guard */
	struct rng_state *rng_state;   /* owned when opened by agenda_ctx_open */
} agenda_ctx;

/*
 * Opens the store at path (creating it when create is true), the system RNG and the given clock;
 * loads the device id (set when the database is created) and the device secret.
 */
agenda_err agenda_ctx_open(agenda_ctx *ctx, const char *path, bool create, agenda_clock clock,
                           agenda_detail *why);

/* Same, with a caller-provided RNG (tests) and store flags. */
agenda_err agenda_ctx_open_with(agenda_ctx *ctx, const char *path, int store_flags,
                                agenda_clock clock, agenda_rng rng, agenda_detail *why);

void agenda_ctx_close(agenda_ctx *ctx);

/* Local civil day and minute of day of "now". */
agenda_day agenda_today(const agenda_ctx *ctx, int *minute_of_day);

#endif
