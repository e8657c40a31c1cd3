/*
 * day_list.c — loading one Questura's end-of-day list and laying it out as text and CSV.
 * (Stub first so the other helpers can build on the header; filled in below.)
 */
#include <stdlib.h>
#include <string.h>

#include "services/day_list.h"

agenda_err day_list_load(agenda_ctx *ctx, agenda_day day, const char *questura,
                         struct day_list *out, agenda_detail *why)
{
	(void)ctx;
	(void)questura;
	(void)why;
	memset(out, 0, sizeof *out);
	out->day = day;
	return AG_ERR_NOT_FOUND;
}

void day_list_free(struct day_list *l)
{
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

agenda_err day_list_questure(agenda_ctx *ctx, agenda_day day, char (**codes)[QUESTURA_CODE_MAX],
                             size_t *count, agenda_detail *why)
{
	(void)ctx;
	(void)day;
	(void)why;
	*codes = NULL;
	*count = 0;
	return AG_OK;
}

char *day_list_text(const struct day_list *l, const char *site)
{
	(void)l;
	(void)site;
	return strdup("");
}

char *day_list_csv(const struct day_list *l)
{
	(void)l;
	return strdup("");
}

agenda_err day_close_due(agenda_ctx *ctx, struct day_close_report *out, bool *closed,
                         agenda_detail *why)
{
	(void)ctx;
	(void)why;
	memset(out, 0, sizeof *out);
	*closed = false;
	return AG_OK;
}
