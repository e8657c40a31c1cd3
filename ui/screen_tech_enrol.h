/*
 * screen_tech_enrol.h — the activation form of the Tecnico screen (screen_tech.c owns the
 * screen; this is the part of it a device with no identity shows).
 *
 * Three fields typed on the enrolment keyboard (or a physical one): central's https:// address,
 * the help desk's one-time code and the CA fingerprint. Each keystroke re-runs the same checks
 * provision_run makes before sending anything (the code's check character, the 64 hex digits,
 * the address's shape), so the technician sees a typo at once. "Attiva" posts UI_REQ_PROVISION
 * to the worker; the form keeps its fields after a refusal, so one can be corrected and tried
 * again. The fields are wiped at log-out.
 */
#ifndef AGENDA_UI_SCREEN_TECH_ENROL_H
#define AGENDA_UI_SCREEN_TECH_ENROL_H

#include <stdbool.h>

#include <SDL.h>

#include "app.h"

enum ui_enrol_field { UI_ENROL_URL = 0, UI_ENROL_CODE, UI_ENROL_FINGERPRINT, UI_ENROL_FIELDS };

struct ui_enrol_form {
	char fields[UI_ENROL_FIELDS][UI_FIELD_MAX];
	enum ui_enrol_field focus;
	bool activating; /* UI_REQ_PROVISION posted, no answer yet */
};

/* Draws the form (fields, the focused field's check or the last answer, keyboard) in area. */
void ui_enrol_form_draw(struct ui_app *app, struct ui_enrol_form *f, const struct ui_draw *d,
                        SDL_Rect area);

/* A tap or key of the form; false when id is not the form's. */
bool ui_enrol_form_tap(struct ui_app *app, struct ui_enrol_form *f, const char *id);

/* The field typing goes into. */
char *ui_enrol_form_typing(struct ui_enrol_form *f);

/*
 * The UI_REQ_PROVISION answer: on a refusal the form's note says why (a throttle in minutes);
 * returns whether the device is now enrolled.
 */
bool ui_enrol_form_result(struct ui_app *app, struct ui_enrol_form *f, const struct ui_result *r);

#endif
