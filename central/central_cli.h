/*
 * central_cli.h — what agenda-central's verbs share: the run's options, exit codes, output.
 *
 * Same conventions as agendactl (docs/CLI.md): every person-facing word comes from the
 * message catalogue (Italian first), --json prints one JSON object per result or error, and
 * the exit codes below mean what agendactl's do (docs/CENTRAL.md, "Program").
 */
#ifndef AGENDA_CENTRAL_CLI_H
#define AGENDA_CENTRAL_CLI_H

#include <stdbool.h>

#include <jansson.h>

#include "core/error.h"
#include "core/messages.h"

struct central_store;

enum central_exit {
	CENTRAL_EXIT_OK = 0,
	CENTRAL_EXIT_INTERNAL = 1,
	CENTRAL_EXIT_USAGE = 2,
	CENTRAL_EXIT_NOT_FOUND = 3, /* no such site, device, operator... */
	CENTRAL_EXIT_REFUSED = 4,   /* already there (a CA, a site), or not allowed now */
	CENTRAL_EXIT_STORE = 6,     /* the store, a file or the listening socket failed */
	CENTRAL_EXIT_INVALID = 9,
	CENTRAL_EXIT_PARTIAL = 12, /* practice import: some rows rejected (listed), as agendactl;
	                              outbox send: messages left to retry or failed (issue 13) */
	CENTRAL_EXIT_NETWORK = 16  /* outbox send: no mail server reachable (issue 13) */
};

/* One run of agenda-central. */
struct central_cli {
	bool json;
	agenda_lang lang;
};

/* The exit code of a library error, as agendactl maps it. */
int central_exit_code(agenda_err err);

/* Prints a failure (JSON error object on stdout, or the message on stderr); its exit code. */
int central_fail(const struct central_cli *c, agenda_err err, const agenda_detail *why);

/* The same from a catalogue entry and its arguments. */
int central_fail_msg(const struct central_cli *c, agenda_err err, agenda_msg id, ...);

/* The store of central's folder dir (central_store_dir.h) into *s, or the exit code after
 * saying why not. */
int central_open_store(const struct central_cli *c, const char *dir, struct central_store **s);

/* Prints one JSON object on one line of stdout, flushed, and releases it. */
void central_emit(json_t *obj);

/* The verbs: argv starts after the verb (and its sub-verb). One block per file. */
int central_init(const struct central_cli *c, int argc, char **argv);
int central_serve(const struct central_cli *c, int argc, char **argv);
/* central_site.c */
int central_site_add(const struct central_cli *c, int argc, char **argv);
int central_site_list(const struct central_cli *c, int argc, char **argv);
/* enrolment and devices (central_enrol_code.c, central_device.c; i11-enrol) */
int central_enrol_code(const struct central_cli *c, int argc, char **argv);
int central_device_list(const struct central_cli *c, int argc, char **argv);
int central_device_revoke(const struct central_cli *c, int argc, char **argv);
int central_device_clear_alert(const struct central_cli *c, int argc, char **argv); /* issue 12 */

/* The admin verbs (central_questura.c, central_calendar.c, central_practice.c,
 * central_operator.c): Questure, capacity, closures, practices, operators, outbox. */
int central_questura_add(const struct central_cli *c, int argc, char **argv);
int central_questura_list(const struct central_cli *c, int argc, char **argv);
int central_questura_set(const struct central_cli *c, int argc, char **argv);
int central_capacity_set(const struct central_cli *c, int argc, char **argv);
int central_closure_add(const struct central_cli *c, int argc, char **argv);
int central_closure_open(const struct central_cli *c, int argc, char **argv);
int central_practice_import(const struct central_cli *c, int argc, char **argv);
/* central_withdraw.c, central_device_alert.c (issue 12) */
int central_device_clear_alert(const struct central_cli *c, int argc, char **argv);
int central_practice_withdraw(const struct central_cli *c, int argc, char **argv);
int central_operator_add(const struct central_cli *c, int argc, char **argv);
int central_operator_list(const struct central_cli *c, int argc, char **argv);
int central_operator_unlock(const struct central_cli *c, int argc, char **argv);
int central_operator_reset_password(const struct central_cli *c, int argc, char **argv);
int central_outbox_list(const struct central_cli *c, int argc, char **argv);
/* mail settings and outbox delivery (central_mail_cli.c, issue 13) */
int central_mail_configure(const struct central_cli *c, int argc, char **argv);
int central_mail_status(const struct central_cli *c, int argc, char **argv);
int central_outbox_show(const struct central_cli *c, int argc, char **argv);
int central_outbox_retry(const struct central_cli *c, int argc, char **argv);
int central_outbox_send(const struct central_cli *c, int argc, char **argv);

#endif
