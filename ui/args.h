/*
 * args.h — agenda-kiosk's command line, parsed without side effects.
 *
 * agenda-kiosk [--db FILE] [--printer URI] [--demo] [--lang it|en] [--size WxH] [--fullscreen]
 *              [--script FILE --screenshots DIR] [--idle-logout SECONDS]
 */
#ifndef AGENDA_UI_ARGS_H
#define AGENDA_UI_ARGS_H

#include <stdbool.h>

#include "app.h"

#define UI_DEFAULT_DB          "/var/lib/agenda/agenda.db"
#define UI_DEFAULT_WIDTH       1280
#define UI_DEFAULT_HEIGHT      800
#define UI_DEFAULT_IDLE_LOGOUT 300

/* Fills *out (pointers into argv); false with the offending argument in *bad. */
bool ui_args_parse(int argc, char **argv, struct ui_config *out, const char **bad);

#endif
