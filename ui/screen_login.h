/*
 * screen_login.h — what others may ask of Login: the demo accounts it offers (a new --demo
 * database), for the benchmark that logs in as one. Its state (struct ui_login_state) is laid
 * out in screen_login.c only.
 */
#ifndef AGENDA_UI_SCREEN_LOGIN_H
#define AGENDA_UI_SCREEN_LOGIN_H

struct ui_app;
struct demo_report;

/* The demo accounts shown as buttons, or NULL when the database was not seeded just now. */
const struct demo_report *ui_login_demo(const struct ui_app *app);

#endif
