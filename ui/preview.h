/*
 * preview.h — the last slip the virtual printer drew, for showing on screen.
 *
 * The virtual printer ("virtual:<dir>/<prefix>", drivers/printer/virtual.h) writes
 * <prefix>-<n>.png at each cut. The preview is the file with the highest n. Loaded on the worker
 * thread (it reads a file); the UI thread turns the surface into a texture.
 */
#ifndef AGENDA_UI_PREVIEW_H
#define AGENDA_UI_PREVIEW_H

#include <SDL.h>

/* The newest <prefix>-<n>.png as a surface, or NULL when there is none. */
SDL_Surface *ui_preview_load(const char *prefix);

/* The n of the newest page (0 when none): tests and the demo name the file with it. */
int ui_preview_last_page(const char *prefix);

#endif
