/*
 * device_files.c — the data folder's identity files: paths, atomic replacement, reading.
 */
#include "sync/device_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/messages.h"
#include "platform/private_file.h"

#define DEVICE_FILE_MAX (256 * 1024) /* a PEM key or certificate is a few KiB */

void device_files_data_dir(const char *db_path, char *out, size_t size)
{
	const char *slash = strrchr(db_path, '/');

	if (!slash)
		snprintf(out, size, ".");
	else if (slash == db_path)
		snprintf(out, size, "/");
	else
		snprintf(out, size, "%.*s", (int)(slash - db_path), db_path);
}

agenda_err device_files_locate(const char *dir, struct device_files *out, agenda_detail *why)
{
	int a = snprintf(out->dir, sizeof out->dir, "%s", dir);
	int b = snprintf(out->key, sizeof out->key, "%s/%s", dir, DEVICE_KEY_FILE);
	int c = snprintf(out->cert, sizeof out->cert, "%s/%s", dir, DEVICE_CERT_FILE);
	int d = snprintf(out->ca, sizeof out->ca, "%s/%s", dir, DEVICE_CA_FILE);

	if (a < 0 || b < 0 || c < 0 || d < 0 || (size_t)b >= sizeof out->key ||
	    (size_t)c >= sizeof out->cert || (size_t)d >= sizeof out->ca ||
	    (size_t)a >= sizeof out->dir) {
		agenda_detail_set(why, MSG_SYNC_FILE_WRITE, dir, strerror(ENAMETOOLONG));
		return AG_ERR_INVALID;
	}
	return AG_OK;
}

agenda_err device_file_replace(const char *path, const char *text, agenda_detail *why)
{
	size_t n = strlen(path), len = strlen(text);
	char *tmp = malloc(n + 8);
	int fd = -1, saved = 0;
	agenda_err err = AG_ERR_IO;

	if (!tmp) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".XXXXXX", 8);
	/* mkstemp creates 0600 whatever the umask; same folder, so rename(2) is atomic. */
	fd = mkstemp(tmp);
	if (fd < 0) {
		saved = errno;
		goto done;
	}
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
		saved = errno;
		goto done;
	}
	if (close(fd) != 0) {
		fd = -1;
		saved = errno;
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		saved = errno;
		goto done;
	}
	private_file_sync_parent(path);
	err = AG_OK;
done:
	if (fd >= 0)
		close(fd);
	if (err != AG_OK) {
		unlink(tmp);
		agenda_detail_set(why, MSG_SYNC_FILE_WRITE, path, strerror(saved ? saved : EIO));
	}
	free(tmp);
	return err;
}

agenda_err device_file_read(const char *path, char **text, agenda_detail *why)
{
	struct stat st;
	mode_t mode = 0;
	char *buf = NULL;
	int fd;

	*text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		agenda_detail_set(why, MSG_SYNC_FILE_READ, path, strerror(errno));
		return errno == ENOENT ? AG_ERR_NOT_FOUND : AG_ERR_IO;
	}
	if (private_file_exposed(path, &mode)) {
		close(fd);
		agenda_detail_set(why, MSG_SYNC_FILE_EXPOSED, path, (unsigned)mode, path);
		return AG_ERR_REFUSED;
	}
	if (fstat(fd, &st) != 0 || st.st_size > DEVICE_FILE_MAX ||
	    !(buf = malloc((size_t)st.st_size + 1)) ||
	    read(fd, buf, (size_t)st.st_size) != (ssize_t)st.st_size) {
		int saved = errno ? errno : EIO;

		close(fd);
		free(buf);
		agenda_detail_set(why, MSG_SYNC_FILE_READ, path, strerror(saved));
		return AG_ERR_IO;
	}
	close(fd);
	buf[st.st_size] = '\0';
	*text = buf;
	return AG_OK;
}
