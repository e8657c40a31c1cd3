/*
 * main.c — agenda-central's entry point: global options (--json, --lang), then the verb.
 *
 * Verbs so far: init (central_init.c) and serve (central_serve.c). `help` and no verb print
 * the usage from the catalogue; the exit codes are central_cli.h's (docs/CENTRAL.md).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "central_cli.h"
#include "platform/clock.h"

static void usage(const struct central_cli *c, FILE *out)
{
	fprintf(out, "%s\n", msg_get(MSG_CENTRAL_USAGE, c->lang));
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
			usage(&c, stdout);
			return CENTRAL_EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("agenda-central %s\n", AGENDA_VERSION);
			return CENTRAL_EXIT_OK;
		} else {
			return central_fail_msg(&c, AG_ERR_USAGE, MSG_CENTRAL_BAD_ARG, argv[i]);
		}
	}
	if (i >= argc) {
		usage(&c, stderr);
		return CENTRAL_EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		usage(&c, stdout);
		return CENTRAL_EXIT_OK;
	}
	if (strcmp(argv[i], "init") == 0)
		return central_init(&c, argc - i - 1, argv + i + 1);
	if (strcmp(argv[i], "serve") == 0)
		return central_serve(&c, argc - i - 1, argv + i + 1);
	central_fail_msg(&c, AG_ERR_USAGE, MSG_CTL_UNKNOWN_COMMAND, argv[i]);
	usage(&c, stderr);
	return CENTRAL_EXIT_USAGE;
}
