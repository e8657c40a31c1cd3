/*
 * clock.h — the injectable clock.
 *
 * Everything that needs "now" takes an agenda_clock, so tests run on a fixed or stepped time.
 * Times are seconds since the Unix epoch (UTC); clock_local converts them to the Italian civil
 * date and minute of day (Europe/Rome, platform/italian_time.h) whatever TZ the process carries:
 * every office is in Italy, so the booking's day is never the machine's idea of the day.
 * Tests that need another day move the clock (clock_fixed, AGENDA_NOW), not the zone.
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

/* The zone of every office's agenda. */
#define CLOCK_ITALIAN_ZONE "Europe/Rome"

/*
 * Makes the C library's local time (anything a library formats with localtime) Italian when TZ
 * is unset. The agenda's own day and minute never depend on it: clock_local and clock_epoch_of
 * are Italian whatever TZ says. Call once at the start of a program, before any thread.
 */
void clock_use_italian_time(void);

/* Italian civil day and minute of day of an epoch time, whatever TZ says. */
void clock_local(int64_t epoch, agenda_day *day, int *minute_of_day);

/*
 * Epoch time of an Italian day and minute, whatever TZ says. The repeated autumn hour is its
 * first (summer-time) occurrence; the missing spring hour reads as standard time, an hour on.
 */
int64_t clock_epoch_of(agenda_day day, int minute_of_day);

/*
 * Reads AGENDA_NOW ("2026-05-04T09:30:00" Italian time, or "@1777880000" epoch seconds).
 * Unset: *out is the system clock. Set but malformed: AG_ERR_INVALID. *storage backs a fixed
 * clock and must outlive *out.
 */
agenda_err clock_from_env(agenda_clock *out, int64_t *storage);

#endif
