/*
 * italian_time.h — Italian civil time (Europe/Rome) computed from its rules, not from TZ.
 *
 * Every office is in Italy, so the agenda's day must be Rome's day whatever zone the process
 * carries (a machine installed in UTC, a technician's shell in New York). The offset is worked
 * out from the published rules — CET (UTC+1), and CEST (UTC+2) from 01:00 UTC on the last
 * Sunday of March to 01:00 UTC on the last Sunday of October — with no global state, no file
 * and no lock, so any thread may call it. Exact against tzdata's Europe/Rome from 1980 (when
 * Italy took the EEC dates) on; before 1980 it answers standard time only (no booking is that
 * old; tests compare 1980..2199 hour by hour with the C library under TZ=Europe/Rome).
 */
#ifndef AGENDA_PLATFORM_ITALIAN_TIME_H
#define AGENDA_PLATFORM_ITALIAN_TIME_H

#include <stdint.h>

/* Seconds to add to an epoch time (UTC) to get Italian civil time: 3600 or 7200. */
int italian_utc_offset(int64_t epoch);

/*
 * The epoch time at which Italian clocks show local_seconds (seconds since 1970-01-01 00:00
 * on the Italian wall clock). An hour that occurs twice (the last Sunday of October, 02:00 to
 * 02:59) is its first occurrence, still summer time; an hour that never occurs (the last
 * Sunday of March, 02:00 to 02:59) is read in standard time, so it lands an hour later on the
 * clock (02:30 gives 03:30 CEST), as mktime does.
 */
int64_t italian_epoch_of_local(int64_t local_seconds);

#endif
