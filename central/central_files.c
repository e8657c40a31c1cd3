/*
 * central_files.c — paths in agenda-central's folder and reading a PEM file whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_files.h"
#include "core/messages.h"

void central_path(char out[CENTRAL_PATH_MAX], const char *dir, const char *name)
{
	snprintf(out, CENTRAL_PATH_MAX, "%s/%s", dir, name);
}

agenda_err central_read_text(const char *path, char **text, agenda_detail *why)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	*text = NULL;
	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(buf = malloc((size_t)size + 1)) ||
	    fread(buf, 1, (size_t)size, f) != (size_t)size) {
		agenda_detail_set(why, MSG_CENTRAL_READ_FAILED, path,
		                  strerror(errno ? errno : EIO));
		free(buf);
		if (f)
			fclose(f);
		return AG_ERR_IO;
	}
	fclose(f);
	buf[size] = '\0';
	*text = buf;
	return AG_OK;
}
