/*
 * ctl.h — what agendactl's command files share: the run state, option parsing, output, log-in.
 *
 * agendactl is a thin client of libagenda's public API (services/, store/ settings, core/):
 * each ctl_*.c file turns one group of commands' arguments into library calls and prints the
 * results, as plain text in the chosen language or as one JSON object per result (--json).
 * No SQL and no business rule lives here; every person-facing word comes from the catalogue.
 * Exit codes are the table in ctl_output.c (documented in docs/CLI.md and `agendactl help`).
 */
#ifndef AGENDA_CTL_CTL_H
#define AGENDA_CTL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/error.h"
#include "core/messages.h"
#include "services/booking.h"
#include "services/context.h"
#include "services/operators.h"

/* Exit statuses (docs/CLI.md). */
enum ctl_exit {
	EXIT_OK = 0,
	EXIT_INTERNAL = 1,
	EXIT_USAGE = 2,
	EXIT_NOT_FOUND = 3,
	EXIT_REFUSED = 4,
	EXIT_NO_CAPACITY = 5,
	EXIT_STORE = 6,
	EXIT_AUTH = 7,
	/* 8 was "account locked": a locked account now answers exit 7 like a wrong password. */
	EXIT_INVALID = 9,
	EXIT_DISK_FULL = 10,
	EXIT_CORRUPT = 11,
	EXIT_PARTIAL = 12,
	EXIT_PRINTER = 13, /* the printer failed; any booking stays confirmed */
	EXIT_BUSY = 14,    /* the database stayed busy (an import, another counter): retry */
	EXIT_CHANGED = 15, /* the proposed slot is gone: nothing booked, a new proposal returned */
	EXIT_NETWORK = 16, /* central (or the mail server) could not be reached: nothing changed */
	EXIT_MAIL = 17 /* the mail server refused or deferred messages: they wait in the outbox */
};

#define CTL_DEFAULT_DB "/var/lib/agenda/agenda.db"
#define CTL_ENV_DB     "AGENDA_DB"
#define CTL_ENV_USER   "AGENDA_USER"
/* Who the audit log names for set-up commands, which run without an operator log-in. */
#define CTL_ACTOR "agendactl"

/* One run of agendactl. */
struct ctl {
	const char *db_path;
	bool json;
	agenda_lang lang;
	const char *user; /* --user, else AGENDA_USER */
	/* --user exactly as given (NULL: not given): `mail configure` takes it as the SMTP user */
	const char *user_option;
	const struct ctl_command *command;
	agenda_ctx ctx;
	bool ctx_open;
	int64_t clock_storage;
	struct session session;
};

typedef int (*ctl_handler)(struct ctl *c, int argc, char **argv);

/* One entry of the dispatch table: "questura" "add", or "book" with sub NULL. */
struct ctl_command {
	const char *group;
	const char *sub;
	ctl_handler run;
	agenda_msg summary; /* one line for `help` */
	agenda_msg help;    /* usage, description and example for `help COMMAND` */
};

/* ---- option parsing (ctl_args.c) ---- */

struct ctl_opt {
	const char *name;  /* "--from" */
	bool takes_value;  /* false: a flag */
	const char *value; /* filled: the value, or "" for a flag that was given */
};

/*
 * Splits argv into the options of spec and positional arguments (at most max_pos, at least
 * min_pos, stored in pos). Prints a usage error and returns EXIT_USAGE on anything else.
 */
int ctl_parse(struct ctl *c, int argc, char **argv, struct ctl_opt *spec, size_t nspec,
              const char **pos, int min_pos, int max_pos);

/* Value converters: EXIT_OK, or an error printed and EXIT_INVALID. */
int ctl_parse_day(struct ctl *c, const char *text, agenda_day *out);
int ctl_parse_minute(struct ctl *c, const char *text, int *out);
int ctl_parse_int(struct ctl *c, const char *what, const char *text, int min, int max, int *out);
int ctl_parse_weekdays(struct ctl *c, const char *text, unsigned *out);
int ctl_parse_month_day(struct ctl *c, const char *text, int *month, int *day);

/* ---- output (ctl_output.c) ---- */

int ctl_exit_code(agenda_err err);

/* Prints a failure (JSON error object, or the message on stderr) and returns its exit code. */
int ctl_fail(struct ctl *c, agenda_err err, const agenda_detail *why);

/* Same, for a failure the CLI itself detects, from a catalogue entry and its arguments. */
int ctl_fail_msg(struct ctl *c, agenda_err err, agenda_msg id, ...);

/* A usage error: the message, then the command's usage; EXIT_USAGE. */
int ctl_usage(struct ctl *c, agenda_msg id, ...);

/* The same with the words already made (a library call's detail). */
int ctl_usage_detail(struct ctl *c, const agenda_detail *why);

/* A catalogue line in the run's language on stdout (plain mode), newline added. */
void ctl_say(struct ctl *c, agenda_msg id, ...);

/* A catalogue line in the run's language on stderr, newline added. */
void ctl_warn(struct ctl *c, agenda_msg id, ...);

/* Prints one JSON object on one line of stdout and releases it. */
void ctl_emit(json_t *obj);

/* True when a result given to ctl_emit could not be written (NULL or not UTF-8). */
bool ctl_results_lost(void);

/* "2026-05-04", or JSON null for day <= 0 when nullable. */
json_t *ctl_json_day(agenda_day day);
json_t *ctl_json_time(int minute);
json_t *ctl_json_epoch(int64_t epoch); /* local "2026-05-04T09:30:00", null for 0 */

/*
 * The one way a failure is reported: error name and exit code given (e.g. "printer", 13),
 * extra's fields (stolen, may be NULL) merged into the JSON error object; returns code.
 */
int ctl_fail_code(struct ctl *c, const char *error, int code, const agenda_detail *d,
                  json_t *extra);

/* ctl_fail, merging the fields of extra (stolen, may be NULL) into the JSON error object. */
int ctl_fail_with(struct ctl *c, agenda_err err, const agenda_detail *why, json_t *extra);

/* A booking as JSON / as plain lines under a heading; state_override may be NULL. */
json_t *ctl_booking_json(const struct booking *b, const char *state_override);
void ctl_booking_print(struct ctl *c, const struct booking *b, agenda_msg heading);

/* ---- store and log-in (ctl_session.c, ctl_password.c) ---- */

/* Opens the database (create: init/demo-seed). EXIT_OK or the printed failure's code. */
int ctl_open(struct ctl *c, bool create);

/* Asks for the password (see ctl_password.c) and logs --user in. */
int ctl_login(struct ctl *c);

/* Reads the password: echo off on a terminal, else the first line of stdin. */
agenda_err ctl_read_password(struct ctl *c, const char *user, char *out, size_t size);

/* ---- command groups ---- */

int ctl_init(struct ctl *c, int argc, char **argv);
int ctl_device_assign(struct ctl *c, int argc, char **argv);
int ctl_questura_add(struct ctl *c, int argc, char **argv);
int ctl_questura_list(struct ctl *c, int argc, char **argv);
int ctl_capacity_set(struct ctl *c, int argc, char **argv);
int ctl_closure_add(struct ctl *c, int argc, char **argv);
int ctl_closure_open(struct ctl *c, int argc, char **argv);
int ctl_practice_import(struct ctl *c, int argc, char **argv);
int ctl_demo_seed(struct ctl *c, int argc, char **argv);

/* day lists (issue 13, ctl_day_list.c) */
int ctl_day_print(struct ctl *c, int argc, char **argv);
int ctl_day_configure(struct ctl *c, int argc, char **argv);
void ctl_day_close_report(struct ctl *c, const struct day_close_report *rep);
int ctl_printer_list(struct ctl *c, int argc, char **argv);
int ctl_printer_status(struct ctl *c, int argc, char **argv);
int ctl_printer_test(struct ctl *c, int argc, char **argv);
int ctl_printer_print(struct ctl *c, int argc, char **argv);
int ctl_printer_queue(struct ctl *c, int argc, char **argv);
int ctl_printer_set(struct ctl *c, int argc, char **argv);

/* What ctl_test_slip did: printed, or the printer's fault (name and words). */
struct ctl_test_slip_outcome {
	char uri[256];
	const char *profile_id;
	long bytes;
	bool printed;
	int fault; /* printer_fault */
	const char *fault_name;
	agenda_detail fault_words;
};

/*
 * Prints the test slip (fictional data) on the printer chosen as `printer test` chooses it
 * (uri and profile: the options, NULL when not given). EXIT_OK when it was tried (out says
 * how it went), else the status of a failure already reported (a malformed printer URI).
 */
int ctl_test_slip(struct ctl *c, const char *uri, const char *profile,
                  struct ctl_test_slip_outcome *out);

/* ---- enrolment with central (ctl_provision.c) ---- */

int ctl_provision(struct ctl *c, int argc, char **argv);
int ctl_renew(struct ctl *c, int argc, char **argv);
int ctl_factory_reset(struct ctl *c, int argc, char **argv);
int ctl_device_show(struct ctl *c, int argc, char **argv);

/* ---- rounds with central (ctl_sync.c) ---- */

int ctl_sync_now(struct ctl *c, int argc, char **argv);
int ctl_sync_status(struct ctl *c, int argc, char **argv);
int ctl_sync_configure(struct ctl *c, int argc, char **argv);
/* book on a device central manages: ask central for an earlier slot first (online_grant.h). */
bool ctl_book_goes_online(struct ctl *c);
agenda_err ctl_book_online(struct ctl *c, int64_t practice_id, const struct booking_options *opt,
                           struct booking *b, json_t **extra, agenda_detail *why);
/* The line saying whether the date came from central's pool or from what the device holds. */
void ctl_book_source_say(struct ctl *c, const json_t *extra);

int ctl_operator_add(struct ctl *c, int argc, char **argv);
int ctl_operator_list(struct ctl *c, int argc, char **argv);
int ctl_operator_unlock(struct ctl *c, int argc, char **argv);
int ctl_operator_reset_password(struct ctl *c, int argc, char **argv);

int ctl_lookup(struct ctl *c, int argc, char **argv);
int ctl_book(struct ctl *c, int argc, char **argv);
int ctl_propose(struct ctl *c, int argc, char **argv);
int ctl_cancel(struct ctl *c, int argc, char **argv);
int ctl_move(struct ctl *c, int argc, char **argv);
int ctl_show(struct ctl *c, int argc, char **argv);
int ctl_reprint(struct ctl *c, int argc, char **argv);
int ctl_modello209(struct ctl *c, int argc, char **argv);
int ctl_day(struct ctl *c, int argc, char **argv);
int ctl_close_day(struct ctl *c, int argc, char **argv);

int ctl_audit_verify(struct ctl *c, int argc, char **argv);

int ctl_outbox_list(struct ctl *c, int argc, char **argv);
int ctl_outbox_show(struct ctl *c, int argc, char **argv);
int ctl_outbox_retry(struct ctl *c, int argc, char **argv);
int ctl_outbox_send(struct ctl *c, int argc, char **argv);

/* ---- mail settings (ctl_mail.c, issue 13) ---- */

int ctl_mail_configure(struct ctl *c, int argc, char **argv);
int ctl_mail_status(struct ctl *c, int argc, char **argv);

/* ---- worklist (ctl_worklist.c, issue 12) ---- */

int ctl_worklist(struct ctl *c, int argc, char **argv);
int ctl_worklist_done(struct ctl *c, int argc, char **argv);

/* ---- help (ctl_help.c) ---- */

extern const struct ctl_command CTL_COMMANDS[];
extern const size_t CTL_COMMAND_COUNT;

int ctl_help(struct ctl *c, int argc, char **argv);
void ctl_print_usage_of(struct ctl *c, const struct ctl_command *cmd, bool to_stderr);

#endif
