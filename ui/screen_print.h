/*
 * screen_print.h — what other screens and the status bar ask of Stampa: print an appointment's
 * slip (and show Stampa), whether its job is being sent, and the job it follows. Its state
 * (struct ui_print_state: the appointment, the job, the preview) is laid out in screen_print.c
 * only.
 */
#ifndef AGENDA_UI_SCREEN_PRINT_H
#define AGENDA_UI_SCREEN_PRINT_H

#include <stdbool.h>
#include <stdint.h>

struct ui_app;
struct booking;

/* Starts printing the slip of an appointment and shows Stampa. */
void ui_print_booking(struct ui_app *app, const struct booking *b, bool existing);

/* The job is on the print queue and not finished (the bar says "In stampa"). */
bool ui_print_sending(const struct ui_app *app);

/* The id of the last job the worker queued, once no newer print is being prepared. */
bool ui_print_job(const struct ui_app *app, uint64_t *id);

#endif
