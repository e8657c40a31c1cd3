/*
 * fuzz_clock.c — libFuzzer target for AGENDA_NOW, the fixed clock of agendactl and the kiosk
 * (platform/clock.h clock_from_env), fuzzed the way the programs read it: through setenv.
 *
 * Anything is either refused (AG_ERR_INVALID) or gives a fixed clock; "@N" must give exactly N,
 * and an accepted local time must fall on the day it names (within a DST hour of it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/clock.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TZ", "Europe/Rome", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = malloc(size + 1);
	agenda_clock c;
	int64_t storage = 0;

	if (!v)
		return 0;
	memcpy(v, data, size);
	v[size] = 0;
	if (setenv(CLOCK_ENV, v, 1) != 0)
		goto done; /* '=' in a name is impossible here; an empty value is fine */
	if (clock_from_env(&c, &storage) != AG_OK)
		goto done;
	if (!v[0]) {
		if (clock_now(&c) < 1700000000) /* the system clock: after 2023 */
			abort();
		goto done;
	}
	if (clock_now(&c) != storage)
		abort();
	if (v[0] == '@') {
		if (storage != strtoll(v + 1, NULL, 10))
			abort();
	} else {
		agenda_day day, named;
		int minute;
		char date[DATE_TEXT_MAX];

		if (sscanf(v, "%10[0-9-]", date) != 1 || !date_parse(date, &named))
			abort();
		clock_local(storage, &day, &minute);
		if (day != named && !(day == named + 1 && minute < 60))
			abort();
	}
done:
	unsetenv(CLOCK_ENV);
	free(v);
	return 0;
}
