/*
 * context.c — opening a service context: store, RNG, clock, device id.
 */
#include "services/context.h"

#include <stdio.h>
#include <string.h>

#include "core/messages.h"

/* The device id is made once, on a new database, and names the holder of its slots. */
static agenda_err load_device_id(agenda_ctx *ctx, agenda_detail *why)
{
	char id[37];
	agenda_err err;

	if (store_setting_get(ctx->store, "device_id", ctx->device_id, sizeof ctx->device_id))
		return AG_OK;
	err = rng_uuid(&ctx->rng, id);
	if (err == AG_OK)
		err = store_setting_set(ctx->store, "device_id", id, why);
	if (err == AG_OK)
		snprintf(ctx->device_id, sizeof ctx->device_id, "%s", id);
	return err;
}

agenda_err agenda_ctx_open_with(agenda_ctx *ctx, const char *path, int store_flags,
                                agenda_clock clock, agenda_rng rng, agenda_detail *why)
{
	agenda_err err;

	memset(ctx, 0, sizeof *ctx);
	ctx->clock = clock;
	ctx->rng = rng;
	err = store_open(path, store_flags, &ctx->store, why);
	if (err == AG_OK && !(store_flags & STORE_READ_ONLY))
		err = load_device_id(ctx, why);
	else if (err == AG_OK)
		store_setting_get(ctx->store, "device_id", ctx->device_id, sizeof ctx->device_id);
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
