/*
 * central_cli.c — agenda-central's output: failures as catalogue text or JSON, exit codes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "central_cli.h"
#include "central_store_dir.h"

int central_exit_code(agenda_err err)
{
	switch (err) {
	case AG_OK:
		return CENTRAL_EXIT_OK;
	case AG_ERR_USAGE:
		return CENTRAL_EXIT_USAGE;
	case AG_ERR_NOT_FOUND:
		return CENTRAL_EXIT_NOT_FOUND;
	case AG_ERR_REFUSED:
	case AG_ERR_EXISTS:
		return CENTRAL_EXIT_REFUSED;
	case AG_ERR_STORE:
	case AG_ERR_IO:
	case AG_ERR_DISK_FULL:
	case AG_ERR_CORRUPT:
	case AG_ERR_SCHEMA_NEWER:
	case AG_ERR_BUSY:
		return CENTRAL_EXIT_STORE;
	case AG_ERR_INVALID:
		return CENTRAL_EXIT_INVALID;
	default:
		return CENTRAL_EXIT_INTERNAL;
	}
}

void central_emit(json_t *obj)
{
	char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;

	if (text)
		printf("%s\n", text);
	fflush(stdout);
	free(text);
	json_decref(obj);
}

int central_fail(const struct central_cli *c, agenda_err err, const agenda_detail *why)
{
	const char *text = why ? (c->lang == LANG_EN ? why->en : why->it) : "";

	if (c->json) {
		central_emit(json_pack("{s:s, s:s, s:s, s:i}", "error", agenda_err_name(err),
		                       "message", text, "message_en", why ? why->en : "", "exit",
		                       central_exit_code(err)));
	} else {
		fprintf(stderr, "agenda-central: %s\n", text);
	}
	return central_exit_code(err);
}

int central_fail_msg(const struct central_cli *c, agenda_err err, agenda_msg id, ...)
{
	agenda_detail d;
	va_list ap;

	va_start(ap, id);
	vsnprintf(d.it, sizeof d.it, msg_get(id, LANG_IT), ap);
	va_end(ap);
	va_start(ap, id);
	vsnprintf(d.en, sizeof d.en, msg_get(id, LANG_EN), ap);
	va_end(ap);
	return central_fail(c, err, &d);
}

int central_open_store(const struct central_cli *c, const char *dir, central_store **s)
{
	agenda_detail why;
	agenda_err err = central_store_open_dir(dir, s, &why);

	return err == AG_OK ? CENTRAL_EXIT_OK : central_fail(c, err, &why);
}
