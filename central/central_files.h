/*
 * central_files.h — the names of the files in agenda-central's folder (init writes, serve reads).
 */
#ifndef AGENDA_CENTRAL_FILES_H
#define AGENDA_CENTRAL_FILES_H

#include "core/error.h"

#define CENTRAL_PATH_MAX    4096
#define CENTRAL_CA_KEY      "ca.key"
#define CENTRAL_CA_CERT     "ca.pem"
#define CENTRAL_SERVER_KEY  "server.key"
#define CENTRAL_SERVER_CERT "server.pem"
#define CENTRAL_CA_NAME     "Agenda Elettronica CA"

/* dir/name into out (CENTRAL_PATH_MAX bytes); a longer path is cut, and then fails to open. */
void central_path(char out[CENTRAL_PATH_MAX], const char *dir, const char *name);

/* The whole file as a malloc'd NUL-terminated string in *text; AG_ERR_IO with why filled. */
agenda_err central_read_text(const char *path, char **text, agenda_detail *why);

#endif
