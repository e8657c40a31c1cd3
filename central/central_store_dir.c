/*
 * central_store_dir.c — from central's folder to its store (central_store_dir.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "central_files.h"
#include "central_store_dir.h"
#include "core/messages.h"
#include "platform/private_file.h"

agenda_err central_store_conf_write(const char *dir, const char *target, agenda_detail *why)
{
	char path[CENTRAL_PATH_MAX];
	size_t n = strlen(target);
	char *line = malloc(n + 2);
	int rc;

	if (!line) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	memcpy(line, target, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	central_path(path, dir, CENTRAL_STORE_CONF);
	rc = private_file_create_once(path, line, n + 1);
	if (rc != 0 && errno == EEXIST) {
		/* an init cut after this step is run again: the same target is no conflict */
		char *old = NULL;

		if (central_read_text(path, &old, why) == AG_OK && strcmp(old, line) == 0)
			rc = 0;
		free(old);
		errno = EEXIST;
	}
	free(line);
	if (rc != 0) {
		agenda_detail_set(why, MSG_CENTRAL_WRITE_FAILED, path, strerror(errno));
		return errno == EEXIST ? AG_ERR_EXISTS : AG_ERR_IO;
	}
	return AG_OK;
}

agenda_err central_store_open_dir(const char *dir, central_store **out, agenda_detail *why)
{
	char path[CENTRAL_PATH_MAX];
	char *target = NULL;
	agenda_err err;

	*out = NULL;
	central_path(path, dir, CENTRAL_STORE_CONF);
	if (central_read_text(path, &target, why) != AG_OK) {
		agenda_detail_set(why, MSG_CENTRAL_NO_STORE_CONF, dir, CENTRAL_STORE_CONF);
		return AG_ERR_NOT_FOUND;
	}
	target[strcspn(target, "\r\n")] = '\0';
	err = central_store_open(target, out, why);
	free(target);
	if (err == AG_OK)
		err = central_store_create_schema(*out, NULL, why);
	if (err != AG_OK) {
		central_store_close(*out);
		*out = NULL;
	}
	return err;
}
