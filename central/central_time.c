/*
 * central_time.c — unix seconds as ISO 8601 UTC (central_time.h).
 */
#include "central_time.h"

#include <stdio.h>
#include <time.h>

void central_time_text(int64_t seconds, char out[CENTRAL_TIME_SIZE])
{
	time_t t = (time_t)seconds;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, CENTRAL_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, CENTRAL_TIME_SIZE, "1970-01-01T00:00:00Z");
}
