/*
 * mail_message.c — composing one message (first commit: a placeholder that refuses).
 */
#include "sync/mail_message.h"

#include <stdlib.h>

agenda_err mail_compose(const struct mail_message *m, char **out, size_t *len, agenda_detail *why)
{
	(void)m;
	(void)why;
	*out = NULL;
	*len = 0;
	return AG_ERR_USAGE;
}
