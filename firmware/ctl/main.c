/*
 * main.c — agendactl's entry point: global options, then the command from the dispatch table.
 *
 * Global options (--db, --json, --lang, --user) are accepted anywhere before a "--"; the
 * command is one word ("book") or two ("questura add"). Each handler lives in the ctl_*.c file
 * of its group and returns the process exit status (ctl.h, docs/CLI.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl/ctl.h"
#include "sync/https_client.h"
#include "platform/clock.h"
#include "store/schema.h"
#include "store/store.h"

const struct ctl_command CTL_COMMANDS[] = {
        {"init", NULL, ctl_init, MSG_CTL_SUM_INIT, MSG_CTL_HELP_INIT},
        {"device", "assign", ctl_device_assign, MSG_CTL_SUM_DEVICE_ASSIGN,
         MSG_CTL_HELP_DEVICE_ASSIGN},
        {"device", "show", ctl_device_show, MSG_CTL_SUM_DEVICE_SHOW, MSG_CTL_HELP_DEVICE_SHOW},
        {"provision", NULL, ctl_provision, MSG_CTL_SUM_PROVISION, MSG_CTL_HELP_PROVISION},
        {"renew", NULL, ctl_renew, MSG_CTL_SUM_RENEW, MSG_CTL_HELP_RENEW},
        {"sync", "now", ctl_sync_now, MSG_CTL_SUM_SYNC_NOW, MSG_CTL_HELP_SYNC_NOW},
        {"sync", "status", ctl_sync_status, MSG_CTL_SUM_SYNC_STATUS, MSG_CTL_HELP_SYNC_STATUS},
        {"sync", "configure", ctl_sync_configure, MSG_CTL_SUM_SYNC_CONFIGURE,
         MSG_CTL_HELP_SYNC_CONFIGURE},
        {"factory-reset", NULL, ctl_factory_reset, MSG_CTL_SUM_FACTORY_RESET,
         MSG_CTL_HELP_FACTORY_RESET},
        {"questura", "add", ctl_questura_add, MSG_CTL_SUM_QUESTURA_ADD, MSG_CTL_HELP_QUESTURA_ADD},
        {"questura", "list", ctl_questura_list, MSG_CTL_SUM_QUESTURA_LIST,
         MSG_CTL_HELP_QUESTURA_LIST},
        {"capacity", "set", ctl_capacity_set, MSG_CTL_SUM_CAPACITY_SET, MSG_CTL_HELP_CAPACITY_SET},
        {"closure", "add", ctl_closure_add, MSG_CTL_SUM_CLOSURE_ADD, MSG_CTL_HELP_CLOSURE_ADD},
        {"closure", "open", ctl_closure_open, MSG_CTL_SUM_CLOSURE_OPEN, MSG_CTL_HELP_CLOSURE_OPEN},
        {"practice", "import", ctl_practice_import, MSG_CTL_SUM_PRACTICE_IMPORT,
         MSG_CTL_HELP_PRACTICE_IMPORT},
        {"operator", "add", ctl_operator_add, MSG_CTL_SUM_OPERATOR_ADD, MSG_CTL_HELP_OPERATOR_ADD},
        {"operator", "list", ctl_operator_list, MSG_CTL_SUM_OPERATOR_LIST,
         MSG_CTL_HELP_OPERATOR_LIST},
        {"operator", "unlock", ctl_operator_unlock, MSG_CTL_SUM_OPERATOR_UNLOCK,
         MSG_CTL_HELP_OPERATOR_UNLOCK},
        {"operator", "reset-password", ctl_operator_reset_password, MSG_CTL_SUM_OPERATOR_RESET,
         MSG_CTL_HELP_OPERATOR_RESET},
        {"lookup", NULL, ctl_lookup, MSG_CTL_SUM_LOOKUP, MSG_CTL_HELP_LOOKUP},
        {"book", NULL, ctl_book, MSG_CTL_SUM_BOOK, MSG_CTL_HELP_BOOK},
        {"propose", NULL, ctl_propose, MSG_CTL_SUM_PROPOSE, MSG_CTL_HELP_PROPOSE},
        {"cancel", NULL, ctl_cancel, MSG_CTL_SUM_CANCEL, MSG_CTL_HELP_CANCEL},
        {"move", NULL, ctl_move, MSG_CTL_SUM_MOVE, MSG_CTL_HELP_MOVE},
        {"show", NULL, ctl_show, MSG_CTL_SUM_SHOW, MSG_CTL_HELP_SHOW},
        {"reprint", NULL, ctl_reprint, MSG_CTL_SUM_REPRINT, MSG_CTL_HELP_REPRINT},
        {"modello209", NULL, ctl_modello209, MSG_CTL_SUM_MODELLO209, MSG_CTL_HELP_MODELLO209},
        /* day lists (issue 13): the sub-words before the bare verb, which takes a date */
        {"day", "print", ctl_day_print, MSG_CTL_SUM_DAY_PRINT, MSG_CTL_HELP_DAY_PRINT},
        {"day", "configure", ctl_day_configure, MSG_CTL_SUM_DAY_CONFIGURE,
         MSG_CTL_HELP_DAY_CONFIGURE},
        {"day", NULL, ctl_day, MSG_CTL_SUM_DAY, MSG_CTL_HELP_DAY},
        {"close-day", NULL, ctl_close_day, MSG_CTL_SUM_CLOSE_DAY, MSG_CTL_HELP_CLOSE_DAY},
        {"printer", "list", ctl_printer_list, MSG_CTL_SUM_PRINTER_LIST, MSG_CTL_HELP_PRINTER_LIST},
        {"printer", "status", ctl_printer_status, MSG_CTL_SUM_PRINTER_STATUS,
         MSG_CTL_HELP_PRINTER_STATUS},
        {"printer", "test", ctl_printer_test, MSG_CTL_SUM_PRINTER_TEST, MSG_CTL_HELP_PRINTER_TEST},
        {"printer", "print", ctl_printer_print, MSG_CTL_SUM_PRINTER_PRINT,
         MSG_CTL_HELP_PRINTER_PRINT},
        {"printer", "reprint", ctl_printer_print, MSG_CTL_SUM_PRINTER_REPRINT,
         MSG_CTL_HELP_PRINTER_REPRINT},
        {"printer", "set", ctl_printer_set, MSG_CTL_SUM_PRINTER_SET, MSG_CTL_HELP_PRINTER_SET},
        {"printer", "queue", ctl_printer_queue, MSG_CTL_SUM_PRINTER_QUEUE,
         MSG_CTL_HELP_PRINTER_QUEUE},
        {"audit", "verify", ctl_audit_verify, MSG_CTL_SUM_AUDIT_VERIFY, MSG_CTL_HELP_AUDIT_VERIFY},
        {"outbox", "list", ctl_outbox_list, MSG_CTL_SUM_OUTBOX_LIST, MSG_CTL_HELP_OUTBOX_LIST},
        {"outbox", "show", ctl_outbox_show, MSG_CTL_SUM_OUTBOX_SHOW, MSG_CTL_HELP_OUTBOX_SHOW},
        {"outbox", "retry", ctl_outbox_retry, MSG_CTL_SUM_OUTBOX_RETRY, MSG_CTL_HELP_OUTBOX_RETRY},
        /* the device's mail sender (issue 13) */
        {"outbox", "send", ctl_outbox_send, MSG_CTL_SUM_OUTBOX_SEND, MSG_CTL_HELP_OUTBOX_SEND},
        {"mail", "configure", ctl_mail_configure, MSG_CTL_SUM_MAIL_CONFIGURE,
         MSG_CTL_HELP_MAIL_CONFIGURE},
        {"mail", "status", ctl_mail_status, MSG_CTL_SUM_MAIL_STATUS, MSG_CTL_HELP_MAIL_STATUS},
        /* worklist (issue 12): "done" before the bare verb, which matches any sub-word */
        {"worklist", "done", ctl_worklist_done, MSG_CTL_SUM_WORKLIST_DONE,
         MSG_CTL_HELP_WORKLIST_DONE},
        {"worklist", NULL, ctl_worklist, MSG_CTL_SUM_WORKLIST, MSG_CTL_HELP_WORKLIST},
        {"demo-seed", NULL, ctl_demo_seed, MSG_CTL_SUM_DEMO_SEED, MSG_CTL_HELP_DEMO_SEED},
        {"help", NULL, ctl_help, MSG_CTL_SUM_HELP, MSG_CTL_HELP_HELP},
};
const size_t CTL_COMMAND_COUNT = sizeof CTL_COMMANDS / sizeof CTL_COMMANDS[0];

/* Takes "--name VALUE" or "--name=VALUE" at argv[*i]; NULL when argv[*i] is not --name. */
static const char *global_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

/* Removes the global options from argv into c; returns the remaining count (in rest). */
static int take_globals(struct ctl *c, int argc, char **argv, char **rest, bool *version,
                        const char **bad)
{
	int n = 0;
	bool after_dashes = false;

	for (int i = 1; i < argc; i++) {
		bool missing = false;
		const char *v;

		if (after_dashes) {
			rest[n++] = argv[i];
			continue;
		}
		if (strcmp(argv[i], "--") == 0) {
			after_dashes = true;
			rest[n++] = argv[i];
		} else if (strcmp(argv[i], "--json") == 0) {
			c->json = true;
		} else if (strcmp(argv[i], "--version") == 0) {
			*version = true;
		} else if ((v = global_value(argc, argv, &i, "--db", &missing))) {
			c->db_path = v;
		} else if ((v = global_value(argc, argv, &i, "--lang", &missing))) {
			if (strcmp(v, "it") != 0 && strcmp(v, "en") != 0)
				*bad = argv[i];
			c->lang = msg_lang_from_code(v);
		} else if ((v = global_value(argc, argv, &i, "--user", &missing))) {
			c->user = v;
			c->user_option = v;
		} else if (missing) {
			*bad = argv[i];
		} else {
			rest[n++] = argv[i];
		}
	}
	rest[n] = NULL;
	return n;
}

static const struct ctl_command *find_command(int argc, char **argv, int *words)
{
	for (size_t i = 0; i < CTL_COMMAND_COUNT; i++) {
		const struct ctl_command *cmd = &CTL_COMMANDS[i];

		if (strcmp(cmd->group, argv[0]) != 0)
			continue;
		if (!cmd->sub) {
			*words = 1;
			return cmd;
		}
		if (argc > 1 && strcmp(cmd->sub, argv[1]) == 0) {
			*words = 2;
			return cmd;
		}
	}
	return NULL;
}

static bool is_group(const char *word)
{
	for (size_t i = 0; i < CTL_COMMAND_COUNT; i++)
		if (strcmp(CTL_COMMANDS[i].group, word) == 0)
			return true;
	return false;
}

/* The version, the schema and the TLS library the link to central runs on (libcurl's). */
static void print_version(struct ctl *c)
{
	if (c->json) {
		ctl_emit(json_pack("{s:s, s:s, s:i, s:s}", "program", "agendactl", "version",
		                   AGENDA_VERSION, "schema", SCHEMA_VERSION, "tls",
		                   https_tls_library()));
		return;
	}
	printf("agendactl %s (schema %d, TLS %s)\n", AGENDA_VERSION, SCHEMA_VERSION,
	       https_tls_library());
}

int main(int argc, char **argv)
{
	struct ctl c = {0};
	char **rest = calloc((size_t)argc + 1, sizeof *rest);
	const struct ctl_command *cmd;
	const char *bad = NULL;
	bool version = false;
	int n, words = 0, status;

	if (!rest)
		return EXIT_INTERNAL;
	clock_use_italian_time();
	store_process_init(); /* before any thread or store */
	umask(077); /* besides the library's own 0600: nothing this program writes is for others */
	c.db_path = getenv(CTL_ENV_DB);
	if (!c.db_path || !*c.db_path)
		c.db_path = CTL_DEFAULT_DB;
	c.lang = LANG_IT;
	n = take_globals(&c, argc, argv, rest, &version, &bad);
	if (!c.user || !*c.user)
		c.user = getenv(CTL_ENV_USER);
	if (bad) {
		status = ctl_usage(&c, MSG_CTL_BAD_GLOBAL, bad);
	} else if (version) {
		print_version(&c);
		status = EXIT_OK;
	} else if (n == 0) {
		status = ctl_help(&c, 0, rest);
		status = status == EXIT_OK ? EXIT_USAGE : status;
	} else if ((cmd = find_command(n, rest, &words))) {
		c.command = cmd;
		status = cmd->run(&c, n - words, rest + words);
		if (status == EXIT_OK && ctl_results_lost())
			status = ctl_fail_msg(&c, AG_ERR_CORRUPT, MSG_CTL_RESULT_LOST);
	} else if (is_group(rest[0])) {
		status = ctl_usage(&c, MSG_CTL_UNKNOWN_SUB, rest[0], n > 1 ? rest[1] : "", rest[0]);
	} else {
		status = ctl_usage(&c, MSG_CTL_UNKNOWN_COMMAND, rest[0]);
	}
	if (c.ctx_open)
		agenda_ctx_close(&c.ctx);
	free(rest);
	return status;
}
