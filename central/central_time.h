/*
 * central_time.h — central's times (unix seconds) as the API and --json print them: UTC in
 * ISO 8601 with a Z, "2028-01-01T12:00:00Z", so a device anywhere reads the same instant.
 */
#ifndef AGENDA_CENTRAL_TIME_H
#define AGENDA_CENTRAL_TIME_H

#include <stdint.h>

#define CENTRAL_TIME_SIZE 21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

void central_time_text(int64_t seconds, char out[CENTRAL_TIME_SIZE]);

#endif
