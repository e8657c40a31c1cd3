/*
 * deadline.h — an absolute CLOCK_REALTIME instant some milliseconds from now, for
 * pthread_cond_timedwait (which measures its deadline on that clock). Shared by the print
 * queue's worker and the callers that wait for a slip.
 */
#ifndef AGENDA_PLATFORM_DEADLINE_H
#define AGENDA_PLATFORM_DEADLINE_H

#include <time.h>

/* *ts = now + ms (ms >= 0), normalised. */
void deadline_in(struct timespec *ts, int ms);

#endif
