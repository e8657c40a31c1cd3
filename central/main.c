/*
 * main.c — agenda-central's entry point: global options (--json, --lang), then the verb.
 *
 * Every verb is one row of VERBS (name, sub-verb, function, its summary in the catalogue);
 * `help`, no verb, or `VERB --help` print the summaries from the catalogue. The exit codes are
 * central_cli.h's (docs/CENTRAL.md).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "central_cli.h"
#include "platform/clock.h"

struct central_verb {
	const char *name;
	const char *sub; /* NULL: the verb takes no sub-verb */
	int (*run)(const struct central_cli *c, int argc, char **argv);
	agenda_msg summary;
};

static const struct central_verb VERBS[] = {
        {"init", NULL, central_init, MSG_CENTRAL_SUM_INIT},
        {"serve", NULL, central_serve, MSG_CENTRAL_SUM_SERVE},
        {"site", "add", central_site_add, MSG_CENTRAL_SUM_SITE_ADD},
        {"site", "list", central_site_list, MSG_CENTRAL_SUM_SITE_LIST},
        /* the admin verbs */
        {"questura", "add", central_questura_add, MSG_CENTRAL_SUM_QUESTURA_ADD},
        {"questura", "list", central_questura_list, MSG_CENTRAL_SUM_QUESTURA_LIST},
        {"questura", "set", central_questura_set, MSG_CENTRAL_SUM_QUESTURA_SET},
        {"capacity", "set", central_capacity_set, MSG_CENTRAL_SUM_CAPACITY_SET},
        {"closure", "add", central_closure_add, MSG_CENTRAL_SUM_CLOSURE_ADD},
        {"closure", "open", central_closure_open, MSG_CENTRAL_SUM_CLOSURE_OPEN},
        {"practice", "import", central_practice_import, MSG_CENTRAL_SUM_PRACTICE_IMPORT},
        {"practice", "withdraw", central_practice_withdraw, MSG_CENTRAL_SUM_PRACTICE_WITHDRAW},
        {"operator", "add", central_operator_add, MSG_CENTRAL_SUM_OPERATOR_ADD},
        {"operator", "list", central_operator_list, MSG_CENTRAL_SUM_OPERATOR_LIST},
        {"operator", "unlock", central_operator_unlock, MSG_CENTRAL_SUM_OPERATOR_UNLOCK},
        {"operator", "reset-password", central_operator_reset_password,
         MSG_CENTRAL_SUM_OPERATOR_RESET},
        {"outbox", "list", central_outbox_list, MSG_CENTRAL_SUM_OUTBOX_LIST},
        /* mail settings and outbox delivery (issue 13) */
        {"outbox", "show", central_outbox_show, MSG_CENTRAL_SUM_OUTBOX_SHOW},
        {"outbox", "retry", central_outbox_retry, MSG_CENTRAL_SUM_OUTBOX_RETRY},
        {"outbox", "send", central_outbox_send, MSG_CENTRAL_SUM_OUTBOX_SEND},
        {"mail", "configure", central_mail_configure, MSG_CENTRAL_SUM_MAIL_CONFIGURE},
        {"mail", "status", central_mail_status, MSG_CENTRAL_SUM_MAIL_STATUS},
        /* enrolment and devices (i11-enrol) */
        {"enrol-code", NULL, central_enrol_code, MSG_CENTRAL_SUM_ENROL_CODE},
        {"device", "list", central_device_list, MSG_CENTRAL_SUM_DEVICE_LIST},
        {"device", "revoke", central_device_revoke, MSG_CENTRAL_SUM_DEVICE_REVOKE},
        {"device", "clear-alert", central_device_clear_alert, MSG_CENTRAL_SUM_DEVICE_CLEAR_ALERT},
};
#define VERB_COUNT (sizeof VERBS / sizeof VERBS[0])

/* The summaries of every verb, or of those named name when it is not NULL. */
static void usage(const struct central_cli *c, FILE *out, const char *name)
{
	fprintf(out, "%s\n", msg_get(MSG_CENTRAL_USAGE_HEAD, c->lang));
	for (size_t i = 0; i < VERB_COUNT; i++)
		if (!name || strcmp(name, VERBS[i].name) == 0)
			fprintf(out, "  %s\n", msg_get(VERBS[i].summary, c->lang));
	fprintf(out, "%s\n", msg_get(MSG_CENTRAL_USAGE_TAIL, c->lang));
}

static bool asks_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/* Runs argv[0] (and its sub-verb); argv holds the verb and what follows it. */
static int dispatch(const struct central_cli *c, int argc, char **argv)
{
	bool known = false;

	if (asks_help(argc, argv)) {
		usage(c, stdout, argv[0]);
		return CENTRAL_EXIT_OK;
	}
	for (size_t i = 0; i < VERB_COUNT; i++) {
		const struct central_verb *v = &VERBS[i];

		if (strcmp(argv[0], v->name) != 0)
			continue;
		known = true;
		if (!v->sub)
			return v->run(c, argc - 1, argv + 1);
		if (argc > 1 && strcmp(argv[1], v->sub) == 0)
			return v->run(c, argc - 2, argv + 2);
	}
	if (known) {
		central_fail_msg(c, AG_ERR_USAGE, MSG_CTL_UNKNOWN_COMMAND, argc > 1 ? argv[1] : "");
		usage(c, stderr, argv[0]);
	} else {
		central_fail_msg(c, AG_ERR_USAGE, MSG_CTL_UNKNOWN_COMMAND, argv[0]);
		usage(c, stderr, NULL);
	}
	return CENTRAL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct central_cli c = {.json = false, .lang = LANG_IT};
	int i = 1;

	clock_use_italian_time();
	umask(077); /* the folder holds the CA's key: nothing this program writes is for others */
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			c.json = true;
		} else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc &&
		           (strcmp(argv[i + 1], "it") == 0 || strcmp(argv[i + 1], "en") == 0)) {
			c.lang = msg_lang_from_code(argv[++i]);
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(&c, stdout, NULL);
			return CENTRAL_EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("agenda-central %s\n", AGENDA_VERSION);
			return CENTRAL_EXIT_OK;
		} else {
			return central_fail_msg(&c, AG_ERR_USAGE, MSG_CENTRAL_BAD_ARG, argv[i]);
		}
	}
	if (i >= argc) {
		usage(&c, stderr, NULL);
		return CENTRAL_EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		usage(&c, stdout, i + 1 < argc ? argv[i + 1] : NULL);
		return CENTRAL_EXIT_OK;
	}
	return dispatch(&c, argc - i, argv + i);
}
