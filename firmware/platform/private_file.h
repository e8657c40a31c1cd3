/*
 * private_file.h — files and folders only their owner can read, whatever the umask.
 *
 * The device's files hold applicants' personal data (the database, slips, screenshots) or
 * secrets (the device key, queued passwords). Every file the library creates goes through
 * here: mode 0600 (folders 0700) set explicitly, so a umask of 022 or 0 changes nothing
 * (invariant I7). private_file_exposed() is the check store_open makes before trusting a file.
 */
#ifndef AGENDA_PLATFORM_PRIVATE_FILE_H
#define AGENDA_PLATFORM_PRIVATE_FILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * open(2) with O_CREAT | O_CLOEXEC added and mode 0600; an existing file that others could
 * read is narrowed to 0600 too. Returns the descriptor, or -1 with errno set.
 */
int private_file_open(const char *path, int flags);

/* fopen(3) for writing ("w", "wb", "a", "ab") through private_file_open. NULL with errno set. */
FILE *private_file_fopen(const char *path, const char *mode);

/* mkdir(2) with mode 0700; an existing folder is left as it is. 0, or -1 with errno set. */
int private_dir_make(const char *path);

/*
 * True when path exists and its group or others have any permission on it; *mode gets the
 * permission bits. False when it is private or does not exist.
 */
bool private_file_exposed(const char *path, mode_t *mode);

/* fsync of the folder holding path, so a new name in it survives a power cut. 0 or -1. */
int private_file_sync_parent(const char *path);

/* Writes len bytes to a new file at path atomically: a private temporary, fsync, link(2).
 * 0 on success; -1 with errno EEXIST when path already existed (nothing changed). */
int private_file_create_once(const char *path, const void *data, size_t len);

#endif
