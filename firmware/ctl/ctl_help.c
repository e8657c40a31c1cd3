/*
 * ctl_help.c — `agendactl help [COMMAND]`: the command list, exit codes and environment, or one
 * command's usage, description and example, all from the message catalogue (Italian first,
 * English with --lang en). The usage of the command at hand also follows every usage error.
 */
#include <stdio.h>
#include <string.h>

#include "ctl/ctl.h"

static void command_name(const struct ctl_command *cmd, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s", cmd->group, cmd->sub ? " " : "", cmd->sub ? cmd->sub : "");
}

static int overview(struct ctl *c)
{
	char name[48];

	if (c->json) {
		for (size_t i = 0; i < CTL_COMMAND_COUNT; i++) {
			command_name(&CTL_COMMANDS[i], name, sizeof name);
			ctl_emit(json_pack("{s:s, s:s, s:s}", "command", name, "summary",
			                   msg_get(CTL_COMMANDS[i].summary, c->lang), "help",
			                   msg_get(CTL_COMMANDS[i].help, c->lang)));
		}
		return EXIT_OK;
	}
	ctl_say(c, MSG_CTL_HELP_OVERVIEW);
	for (size_t i = 0; i < CTL_COMMAND_COUNT; i++) {
		command_name(&CTL_COMMANDS[i], name, sizeof name);
		printf("  %-26s %s\n", name, msg_get(CTL_COMMANDS[i].summary, c->lang));
	}
	ctl_say(c, MSG_CTL_HELP_EXIT_CODES);
	ctl_say(c, MSG_CTL_HELP_ENVIRONMENT);
	return EXIT_OK;
}

int ctl_help(struct ctl *c, int argc, char **argv)
{
	bool found = false;
	char name[48];

	if (argc == 0)
		return overview(c);
	for (size_t i = 0; i < CTL_COMMAND_COUNT; i++) {
		const struct ctl_command *cmd = &CTL_COMMANDS[i];

		if (strcmp(cmd->group, argv[0]) != 0 ||
		    (argc > 1 && cmd->sub && strcmp(cmd->sub, argv[1]) != 0))
			continue;
		found = true;
		command_name(cmd, name, sizeof name);
		if (c->json)
			ctl_emit(json_pack("{s:s, s:s, s:s}", "command", name, "summary",
			                   msg_get(cmd->summary, c->lang), "help",
			                   msg_get(cmd->help, c->lang)));
		else
			ctl_print_usage_of(c, cmd, false);
	}
	if (!found) {
		c->command = NULL;
		return ctl_usage(c, MSG_CTL_UNKNOWN_COMMAND, argv[0]);
	}
	return EXIT_OK;
}
