/*
 * device_files.h — where the device keeps its identity for central, and how it writes it.
 *
 * Three files in the data folder, the folder of the database (agendactl's --db; on the
 * appliance /var/lib/agenda): device.key (the device's P-256 key, made once, never sent),
 * device.pem (its certificate from central, CN = device id) and ca.pem (central's CA, the only
 * one the device trusts). All are private (0600). Certificates are replaced atomically — a
 * private temporary in the same folder, fsync, rename(2), fsync of the folder — so a power cut
 * leaves either the old file or the new one, never half of one.
 */
#ifndef AGENDA_SYNC_DEVICE_FILES_H
#define AGENDA_SYNC_DEVICE_FILES_H

#include <limits.h>
#include <stddef.h>

#include "core/error.h"

#define DEVICE_KEY_FILE  "device.key"
#define DEVICE_CERT_FILE "device.pem"
#define DEVICE_CA_FILE   "ca.pem"
/* The settings key (store settings table) naming the central the device is enrolled with. */
#define DEVICE_CENTRAL_URL_SETTING "central_url"
/* The settings key naming central's site code (provision.c's SITE_SETTING). */
#define DEVICE_CENTRAL_SITE_SETTING "central_site"

struct device_files {
	char dir[PATH_MAX];
	char key[PATH_MAX];
	char cert[PATH_MAX];
	char ca[PATH_MAX];
};

/* The data folder of a database path: its dirname ("." for a bare file name). */
void device_files_data_dir(const char *db_path, char *out, size_t size);

/* The three paths under dir. AG_ERR_INVALID when they do not fit PATH_MAX. */
agenda_err device_files_locate(const char *dir, struct device_files *out, agenda_detail *why);

/* Writes text to path atomically, mode 0600, replacing any older file. AG_ERR_IO on failure. */
agenda_err device_file_replace(const char *path, const char *text, agenda_detail *why);

/*
 * Reads a whole (small) private file as a malloc'd NUL-terminated string. AG_ERR_NOT_FOUND
 * when it is missing, AG_ERR_REFUSED when others may read it, AG_ERR_IO otherwise.
 */
agenda_err device_file_read(const char *path, char **text, agenda_detail *why);

#endif
