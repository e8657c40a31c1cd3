/*
 * printer_choice.h — which printer and which profile, decided in one place for agenda-kiosk and
 * agendactl alike, so one device configured once prints the same way from both.
 *
 * The URI is the program's option (--printer), else $AGENDA_PRINTER, else the device's
 * "printer_uri" setting, else "usb". The profile is the option (--profile), else the
 * "printer_profile" setting, else the one the URI suggests (printer_guess_profile). A URI or a
 * profile that is not well formed is refused here, whole, wherever it came from: a typo is a
 * configuration error, not "printer not found" later.
 */
#ifndef AGENDA_PRINT_PRINTER_CHOICE_H
#define AGENDA_PRINT_PRINTER_CHOICE_H

#include "printer/printer.h"
#include "services/context.h"
#include "store/store.h"

#define PRINTER_CHOICE_ENV         "AGENDA_PRINTER"
#define PRINTER_CHOICE_DEFAULT_URI "usb"

struct printer_choice {
	char uri[PRINTER_URI_MAX];
	const printer_profile *profile;
	const char *uri_from; /* "option", "environment", "setting" or "default" */
};

/*
 * Fills *out. uri_option and profile_option are what the command line said (NULL or "" when
 * not given); settings is the device's store, or NULL when there is no database (yet).
 * AG_ERR_INVALID with MSG_PRINTER_BAD_TARGET or MSG_CTL_PRINTER_BAD_PROFILE in why.
 */
agenda_err printer_choice_resolve(const char *uri_option, const char *profile_option,
                                  store *settings, struct printer_choice *out, agenda_detail *why);

/*
 * Saves the device's printer: the "printer_uri" and "printer_profile" settings both programs
 * read (profile NULL or "": the one the URI suggests), checked as above, with an audit record.
 * The kiosk reads them when it starts.
 */
agenda_err printer_choice_save(agenda_ctx *ctx, const char *actor, const char *uri,
                               const char *profile, agenda_detail *why);

#endif
