/*
 * context.c — opening a service context: store, RNG, clock, device id and secret.
 */
#include "services/context.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/messages.h"
#include "services/device_secret.h"

/*
 * A missing database is created whole with its device id, which names the holder of its slots:
 * two set-ups racing on one path leave one file and one id (store_create).
 */
static agenda_err create_if_missing(agenda_ctx *ctx, const char *path, agenda_detail *why)
{
	char id[37];
	const char *settings[] = {"device_id", id, NULL};
	agenda_err err;

	if (!path || !path[0] || access(path, F_OK) == 0)
		return AG_OK; /* store_open names an empty path */
	if ((err = rng_uuid(&ctx->rng, id)) != AG_OK) {
		agenda_detail_set(why, MSG_RNG_FAILED);
		return err;
	}
	return store_create(path, settings, why);
}

/* A file made before ids were set at creation gets one now; the first writer's id wins. */
static agenda_err load_device_id(agenda_ctx *ctx, agenda_detail *why)
{
	static const char ADD[] =
	        "INSERT OR IGNORE INTO setting(key, value) VALUES('device_id', ?)";
	char id[37];
	sqlite3_stmt *st;
	agenda_err err;

	if (store_setting_get(ctx->store, "device_id", ctx->device_id, sizeof ctx->device_id))
		return AG_OK;
	if ((err = rng_uuid(&ctx->rng, id)) != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, ADD, why)))
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((err = store_step_done(ctx->store, st, why)) != AG_OK)
		return err;
	store_setting_get(ctx->store, "device_id", ctx->device_id, sizeof ctx->device_id);
	return AG_OK;
}

agenda_err agenda_ctx_open_with(agenda_ctx *ctx, const char *path, int store_flags,
                                agenda_clock clock, agenda_rng rng, agenda_detail *why)
{
	bool writable = !(store_flags & STORE_READ_ONLY);
	agenda_err err = AG_OK;

	memset(ctx, 0, sizeof *ctx);
	ctx->clock = clock;
	ctx->rng = rng;
	if (writable && (store_flags & STORE_OPEN_CREATE))
		err = create_if_missing(ctx, path, why);
	if (err == AG_OK)
		err = store_open(path, store_flags, &ctx->store, why);
	if (err == AG_OK && writable)
		err = load_device_id(ctx, why);
	else if (err == AG_OK)
		store_setting_get(ctx->store, "device_id", ctx->device_id, sizeof ctx->device_id);
	if (err == AG_OK)
		err = device_secret_load(ctx->store, path, &ctx->rng, writable, ctx->secret, why);
	if (err != AG_OK) {
		store_close(ctx->store);
		ctx->store = NULL;
	}
	return err;
}

agenda_err agenda_ctx_open(agenda_ctx *ctx, const char *path, bool create, agenda_clock clock,
                           agenda_detail *why)
{
	struct rng_state *state;
	agenda_rng rng;
	agenda_err err = rng_open_system(&rng, &state);

	if (err != AG_OK) {
		agenda_detail_set(why, MSG_RNG_FAILED);
		return err;
	}
	err = agenda_ctx_open_with(ctx, path, create ? STORE_OPEN_CREATE : STORE_OPEN_EXISTING,
	                           clock, rng, why);
	if (err != AG_OK) {
		rng_close(state);
		return err;
	}
	ctx->rng_state = state;
	return AG_OK;
}

void agenda_ctx_close(agenda_ctx *ctx)
{
	store_close(ctx->store);
	memset(ctx->secret, 0, sizeof ctx->secret);
	rng_close(ctx->rng_state);
	ctx->store = NULL;
	ctx->rng_state = NULL;
}

agenda_day agenda_today(const agenda_ctx *ctx, int *minute_of_day)
{
	agenda_day day;

	clock_local(clock_now(&ctx->clock), &day, minute_of_day);
	return day;
}
