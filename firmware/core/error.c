/*
 * error.c — names for agenda_err and the detail buffer helpers.
 */
#include "core/error.h"
#include "core/messages.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const ERR_NAMES[AG_ERR_COUNT] = {
        [AG_OK] = "ok",
        [AG_ERR_USAGE] = "usage",
        [AG_ERR_INVALID] = "invalid",
        [AG_ERR_NOT_FOUND] = "not_found",
        [AG_ERR_REFUSED] = "refused",
        [AG_ERR_NO_CAPACITY] = "no_capacity",
        [AG_ERR_AUTH] = "auth",
        [AG_ERR_EXISTS] = "exists",
        [AG_ERR_STORE] = "store",
        [AG_ERR_DISK_FULL] = "disk_full",
        [AG_ERR_CORRUPT] = "corrupt",
        [AG_ERR_SCHEMA_NEWER] = "schema_newer",
        [AG_ERR_IO] = "io",
        [AG_ERR_NOMEM] = "nomem",
        [AG_ERR_BUSY] = "busy",
        [AG_ERR_CHANGED] = "proposal_changed",
};

const char *agenda_err_name(agenda_err err)
{
	if (err < 0 || err >= AG_ERR_COUNT)
		return "unknown";
	return ERR_NAMES[err];
}

void agenda_detail_clear(agenda_detail *d)
{
	if (d) {
		d->it[0] = '\0';
		d->en[0] = '\0';
	}
}

/*
 * The two formats take the same arguments in the same order, so one va_list is copied and
 * used twice; the catalogue keeps its it/en pairs aligned for exactly this reason.
 */
void agenda_detail_set(agenda_detail *d, int msg_id, ...)
{
	va_list ap, ap2;

	if (!d)
		return;
	va_start(ap, msg_id);
	va_copy(ap2, ap);
	vsnprintf(d->it, sizeof d->it, msg_get((agenda_msg)msg_id, LANG_IT), ap);
	vsnprintf(d->en, sizeof d->en, msg_get((agenda_msg)msg_id, LANG_EN), ap2);
	va_end(ap2);
	va_end(ap);
}
