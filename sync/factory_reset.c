/*
 * factory_reset.c — the device's files, deleted (factory_reset.h).
 *
 * The identity files go first and the database last: a wipe cut half-way leaves a device that
 * cannot talk to central with its old identity, and the command, run again, removes the rest.
 */
#include "sync/factory_reset.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/messages.h"
#include "platform/private_file.h"
#include "sync/device_files.h"

bool factory_reset_confirms(const agenda_ctx *ctx, const char *confirm)
{
	return confirm && ctx->device_id[0] && strcmp(confirm, ctx->device_id) == 0;
}

static agenda_err remove_one(const char *path, int *removed, agenda_detail *why)
{
	if (unlink(path) == 0) {
		(*removed)++;
		return AG_OK;
	}
	if (errno == ENOENT)
		return AG_OK;
	agenda_detail_set(why, MSG_SYNC_RESET_FAILED, path, strerror(errno));
	return AG_ERR_IO;
}

agenda_err factory_reset_wipe(const char *db_path, int *removed, agenda_detail *why)
{
	static const char *const db_suffixes[] = {".key", "-wal", "-shm", "-journal", ""};
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct device_files files = {0};
	agenda_err err;

	*removed = 0;
	device_files_data_dir(db_path, dir, sizeof dir);
	if ((err = device_files_locate(dir, &files, why)) != AG_OK)
		return err;
	if ((err = remove_one(files.key, removed, why)) != AG_OK ||
	    (err = remove_one(files.cert, removed, why)) != AG_OK ||
	    (err = remove_one(files.ca, removed, why)) != AG_OK)
		return err;
	for (size_t i = 0; i < sizeof db_suffixes / sizeof db_suffixes[0]; i++) {
		snprintf(path, sizeof path, "%s%s", db_path, db_suffixes[i]);
		if ((err = remove_one(path, removed, why)) != AG_OK)
			return err;
	}
	private_file_sync_parent(db_path);
	return AG_OK;
}
