/*
 * private_file.c — creating files 0600 and folders 0700 whatever the umask (private_file.h).
 */
#include "platform/private_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PRIVATE_MODE     0600
#define PRIVATE_DIR_MODE 0700

int private_file_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CREAT | O_CLOEXEC, PRIVATE_MODE);
	struct stat st;

	/*
	 * open(2)'s mode applies only to a file it creates; an older, wider regular file is
	 * narrowed. A device (a slip "printed" to /dev/null, a serial printer) is not ours to
	 * change: run as root, narrowing /dev/null would break every other program on the machine.
	 */
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) &&
	    fchmod(fd, PRIVATE_MODE) != 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

FILE *private_file_fopen(const char *path, const char *mode)
{
	int flags = O_WRONLY | (mode[0] == 'a' ? O_APPEND : O_TRUNC);
	int fd = private_file_open(path, flags);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, mode);
	if (!f)
		close(fd);
	return f;
}

int private_dir_make(const char *path)
{
	if (mkdir(path, PRIVATE_DIR_MODE) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

bool private_file_exposed(const char *path, mode_t *mode)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return false;
	if (mode)
		*mode = st.st_mode & 07777;
	return (st.st_mode & 077) != 0;
}

int private_file_sync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

int private_file_create_once(const char *path, const void *data, size_t len)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 8);
	int fd, rc = -1, saved = 0;

	if (!tmp)
		return -1;
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".XXXXXX", 8);
	/* mkstemp creates 0600 whatever the umask. */
	fd = mkstemp(tmp);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	if (write(fd, data, len) == (ssize_t)len && fsync(fd) == 0 && close(fd) == 0) {
		fd = -1;
		/* link(2) fails with EEXIST instead of replacing: the first creator wins. */
		rc = link(tmp, path);
		saved = errno;
		if (rc == 0)
			private_file_sync_parent(path);
	} else {
		saved = errno;
	}
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	errno = saved;
	return rc;
}
