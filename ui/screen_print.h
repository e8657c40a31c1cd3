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

/* Where the booked date came from, on a device enrolled with central (issue 12). */
enum ui_date_source {
	UI_DATE_LOCAL = 0,   /* a stand-alone device, or central had nothing earlier: no words */
	UI_DATE_CENTRAL,     /* central granted an earlier slot of the whole Questura */
	UI_DATE_HELD_OFFLINE /* central unreachable: from the slots the kiosk holds */
};

/* Says on Stampa where the date of the booking just shown came from (after ui_print_booking). */
void ui_print_date_source(struct ui_app *app, enum ui_date_source source);

/* The job is on the print queue and not finished (the bar says "In stampa"). */
bool ui_print_sending(const struct ui_app *app);

/* The id of the last job the worker queued, once no newer print is being prepared. */
bool ui_print_job(const struct ui_app *app, uint64_t *id);

#endif
