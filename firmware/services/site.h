/*
 * site.h — the device's own settings: which Sportello Unico it serves (the city printed on the
 * slip and in emails) and where the Dirigente's mail goes (generated passwords, day lists).
 */
#ifndef AGENDA_SERVICES_SITE_H
#define AGENDA_SERVICES_SITE_H

#include "services/context.h"

#define SITE_MAX 64

/*
 * Records the site and, when given (non-NULL), the Dirigente's address, with an audit record,
 * in one transaction. The site is a city name (UTF-8, no control characters, < SITE_MAX bytes);
 * the address must look like local@domain.
 */
agenda_err site_configure(agenda_ctx *ctx, const char *actor, const char *site,
                          const char *dirigente_email, agenda_detail *why);

#endif
