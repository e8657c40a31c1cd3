/*
 * ctl_password.c — reading an operator's password without it ever touching argv.
 *
 * On a terminal the prompt goes to stderr and echo is switched off while the line is typed
 * (and restored even when reading fails); otherwise the password is the first line of stdin,
 * so scripts and tests pipe it in. The buffer is wiped by the caller after the log-in.
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl/ctl.h"

static bool read_line(FILE *in, char *out, size_t size)
{
	size_t len;

	if (!fgets(out, (int)size, in))
		return false;
	len = strcspn(out, "\r\n");
	if (out[len] == '\0' && len + 1 == size) {
		/* Longer than any password we generate: drain the rest and refuse it. */
		int ch;

		while ((ch = fgetc(in)) != EOF && ch != '\n')
			;
		out[0] = '\0';
		return true;
	}
	out[len] = '\0';
	return true;
}

agenda_err ctl_read_password(struct ctl *c, const char *user, char *out, size_t size)
{
	struct termios saved, quiet;
	bool ok;

	out[0] = '\0';
	if (!isatty(STDIN_FILENO))
		return read_line(stdin, out, size) ? AG_OK : AG_ERR_AUTH;
	fprintf(stderr, msg_get(MSG_CTL_PASSWORD_PROMPT, c->lang), user);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &saved) != 0)
		return AG_ERR_IO;
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
		return AG_ERR_IO;
	ok = read_line(stdin, out, size);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	return ok ? AG_OK : AG_ERR_AUTH;
}
