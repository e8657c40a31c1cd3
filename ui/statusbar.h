/*
 * statusbar.h — the always visible bar at the top of every screen (operator, sync, what waits
 * to be sent, the printer, the clock). Drawn by loop.c after the screen, from struct ui_app.
 */
#ifndef AGENDA_UI_STATUSBAR_H
#define AGENDA_UI_STATUSBAR_H

struct ui_app;
struct ui_draw;

void ui_statusbar_draw(struct ui_app *app, const struct ui_draw *d);

#endif
