/*
 * day_lists_print.c — every Questura's list of a day on the printer (day_lists_print.h).
 */
#include "day_lists_print.h"

#include <stdlib.h>

#if __has_include("print/day_list_print.h") /* until helper D's print path is merged */
#include "print/day_list_print.h"
#define HAVE_DAY_LIST_PRINT 1
#endif
#include "services/day_list.h"

agenda_err ui_day_lists_print(agenda_ctx *ctx, const struct session *who, print_queue *queue,
                              agenda_day day, int *printed, agenda_detail *why)
{
	char(*codes)[QUESTURA_CODE_MAX] = NULL;
	size_t count = 0;
	agenda_err err;

	*printed = 0;
	(void)who;
	if ((err = day_list_questure(ctx, day, &codes, &count, why)) != AG_OK)
		return err;
	for (size_t i = 0; err == AG_OK && i < count; i++) {
		uint64_t job = 0;

#ifdef HAVE_DAY_LIST_PRINT
		err = day_list_print(ctx, queue, day, codes[i], &job, why);
#else
		(void)queue;
		(void)job;
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_USAGE;
#endif
		if (err == AG_OK)
			(*printed)++;
	}
	free(codes);
	return err;
}
