/*
 * factory_reset.h — wiping the device back to new: keys, certificates and data.
 *
 * Deletes, in the database's folder: device.key, device.pem, ca.pem (device_files.h), the
 * database with its -wal, -shm and -journal files, and its device secret "<database>.key"
 * (device_secret.h: the audit chain's key). The confirmation is the device id (what agendactl
 * device show prints), typed by the technician: a wipe is never one mistyped command away, and
 * nothing personal is shown on the way. The caller checks the confirmation with the database
 * open, closes it (and stops the kiosk) and then wipes.
 */
#ifndef AGENDA_SYNC_FACTORY_RESET_H
#define AGENDA_SYNC_FACTORY_RESET_H

#include <stdbool.h>

#include "core/error.h"
#include "services/context.h"

/* True when confirm is exactly this device's id. */
bool factory_reset_confirms(const agenda_ctx *ctx, const char *confirm);

/*
 * Deletes the files above (missing ones are fine), then fsyncs the folder. *removed counts the
 * files that existed. AG_ERR_IO (why names the file) when one could not be deleted: running
 * again finishes the job.
 */
agenda_err factory_reset_wipe(const char *db_path, int *removed, agenda_detail *why);

#endif
