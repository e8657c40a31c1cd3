/*
 * script_run.h — test mode: replays a script (script.h) through the same event queue real input
 * uses, and writes PNG screenshots.
 *
 * Before each command (except sleep) the runner waits until the kiosk is idle — no worker
 * request, no print job in flight, no event queued, the last change drawn — so a script never
 * races the worker; after 20 s of waiting it fails. A failing command ends the program with
 * status 1 and "script FILE line N: why" on stderr; the end of the script ends it with 0.
 */
#ifndef AGENDA_UI_SCRIPT_RUN_H
#define AGENDA_UI_SCRIPT_RUN_H

#include <stdbool.h>

struct ui_app;
struct ui_script_runner;

/* Reads and parses path; NULL with a message on stderr when it cannot. */
struct ui_script_runner *ui_script_runner_open(const char *path, const char *screenshot_dir);
void ui_script_runner_close(struct ui_script_runner *r);

/* Runs the next command when its time has come (called once per loop turn). */
void ui_script_step(struct ui_app *app);

/* Writes the next frame to path as PNG; false on failure (message logged). */
bool ui_screenshot_png(struct ui_app *app, const char *path);

#endif
