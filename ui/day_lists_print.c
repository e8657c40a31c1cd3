/*
 * day_lists_print.c — every Questura's list of a day on the printer (day_lists_print.h).
 */
#include "day_lists_print.h"

#include <stdlib.h>

#include "print/day_list_print.h"
#include "services/day_list.h"

agenda_err ui_day_lists_print(agenda_ctx *ctx, const struct session *who, print_queue *queue,
                              agenda_day day, int *printed, agenda_detail *why)
{
	char(*codes)[QUESTURA_CODE_MAX] = NULL;
	size_t count = 0;
	agenda_err err;

	*printed = 0;
	if ((err = day_list_questure(ctx, day, &codes, &count, why)) != AG_OK)
		return err;
	for (size_t i = 0; err == AG_OK && i < count; i++) {
		uint64_t job = 0;

		err = day_list_print(ctx, who, queue, day, codes[i], &job, why);
		if (err == AG_OK)
			(*printed)++;
	}
	free(codes);
	return err;
}
