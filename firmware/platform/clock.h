/*
 * clock.h — the injectable clock.
 *
 * Everything that needs "now" takes an agenda_clock, so tests run on a fixed or stepped time.
 * Times are seconds since the Unix epoch (UTC); clock_local converts them to the Italian civil
 * date and minute of day through the process time zone, which the programs set to Europe/Rome
 * at start (clock_use_italian_time) unless TZ says otherwise.
 */
#ifndef AGENDA_PLATFORM_CLOCK_H
#define AGENDA_PLATFORM_CLOCK_H

#include <stdint.h>

#include "core/date.h"
#include "core/error.h"

typedef struct agenda_clock {
	int64_t (*now)(void *ctx); /* seconds since the epoch, UTC */
	void *ctx;
} agenda_clock;

/* The name of the environment variable that pins agendactl's and the kiosk's clock. */
#define CLOCK_ENV "AGENDA_NOW"

/* The real-time clock. */
agenda_clock clock_system(void);

/* A clock that always answers *seconds (the caller owns it and may change it between calls). */
agenda_clock clock_fixed(int64_t *seconds);

static inline int64_t clock_now(const agenda_clock *c)
{
	return c->now(c->ctx);
}

/* The zone of every office's agenda; TZ overrides it (tests, a technician's laptop). */
#define CLOCK_ITALIAN_ZONE "Europe/Rome"

/*
 * Makes local time Italian time when TZ is unset: the agenda's day is the Questura's day, not
 * whatever zone the machine was installed with (a fresh Debian is UTC, an hour or two behind).
 * Call once at the start of a program, before any thread.
 */
void clock_use_italian_time(void);

/* Local civil day and minute of day of an epoch time. */
void clock_local(int64_t epoch, agenda_day *day, int *minute_of_day);

/* Epoch time of a local day and minute (DST-aware through mktime). */
int64_t clock_epoch_of(agenda_day day, int minute_of_day);

/*
 * Reads AGENDA_NOW ("2026-05-04T09:30:00" local time, or "@1777880000" epoch seconds).
 * Unset: *out is the system clock. Set but malformed: AG_ERR_INVALID. *storage backs a fixed
 * clock and must outlive *out.
 */
agenda_err clock_from_env(agenda_clock *out, int64_t *storage);

#endif
