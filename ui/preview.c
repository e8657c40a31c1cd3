/*
 * preview.c — finding and loading the virtual printer's newest page (preview.h): the newest
 * file by modification time, since the printer numbers pages from 1 each time it is opened.
 */
#include "preview.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <SDL_image.h>

int ui_preview_last_page(const char *prefix)
{
	char dir[4096];
	const char *slash = strrchr(prefix, '/');
	const char *base = slash ? slash + 1 : prefix;
	size_t base_len = strlen(base);
	struct dirent *e;
	DIR *d;
	int best = 0;
	struct timespec best_time = {0, 0};

	if (slash)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - prefix), prefix);
	else
		snprintf(dir, sizeof dir, ".");
	d = opendir(dir[0] ? dir : "/");
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char *end, path[8300];
		struct stat st;
		long n;

		if (strncmp(e->d_name, base, base_len) != 0 || e->d_name[base_len] != '-')
			continue;
		n = strtol(e->d_name + base_len + 1, &end, 10);
		if (n <= 0 || n >= 1000000 || strcmp(end, ".png") != 0)
			continue;
		/* Newest by time: the printer numbers pages from 1 again each time it is opened. */
		snprintf(path, sizeof path, "%s/%s", dir[0] ? dir : "", e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (st.st_mtim.tv_sec > best_time.tv_sec ||
		    (st.st_mtim.tv_sec == best_time.tv_sec &&
		     (st.st_mtim.tv_nsec > best_time.tv_nsec ||
		      (st.st_mtim.tv_nsec == best_time.tv_nsec && n > best)))) {
			best = (int)n;
			best_time = st.st_mtim;
		}
	}
	closedir(d);
	return best;
}

SDL_Surface *ui_preview_load(const char *prefix)
{
	char path[4200];
	int n = ui_preview_last_page(prefix);

	if (n == 0)
		return NULL;
	snprintf(path, sizeof path, "%s-%d.png", prefix, n);
	return IMG_Load(path);
}
