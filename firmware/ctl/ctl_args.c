/*
 * ctl_args.c — agendactl's per-command option parsing and value converters.
 *
 * Options are long only ("--from 2026-05-04" or "--from=2026-05-04"); everything else is a
 * positional argument, and "--" ends the options. Converters turn dates, times, numbers and
 * weekday lists into values and report a malformed one as invalid input (exit 9), naming it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "ctl/ctl.h"

static struct ctl_opt *find_opt(struct ctl_opt *spec, size_t nspec, const char *arg, size_t len)
{
	for (size_t i = 0; i < nspec; i++)
		if (strlen(spec[i].name) == len && strncmp(spec[i].name, arg, len) == 0)
			return &spec[i];
	return NULL;
}

int ctl_parse(struct ctl *c, int argc, char **argv, struct ctl_opt *spec, size_t nspec,
              const char **pos, int min_pos, int max_pos)
{
	int npos = 0;
	bool options_done = false;

	for (size_t i = 0; i < nspec; i++)
		spec[i].value = NULL;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (!options_done && strncmp(arg, "--", 2) == 0) {
			const char *eq = strchr(arg, '=');
			size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
			struct ctl_opt *o = find_opt(spec, nspec, arg, len);

			if (!o)
				return ctl_usage(c, MSG_CTL_UNKNOWN_OPTION, arg);
			if (!o->takes_value) {
				if (eq)
					return ctl_usage(c, MSG_CTL_FLAG_VALUE, o->name);
				o->value = "";
			} else if (eq) {
				o->value = eq + 1;
			} else if (i + 1 < argc) {
				o->value = argv[++i];
			} else {
				return ctl_usage(c, MSG_CTL_MISSING_VALUE, o->name);
			}
			continue;
		}
		if (npos >= max_pos)
			return ctl_usage(c, MSG_CTL_EXTRA_ARGUMENT, arg);
		pos[npos++] = arg;
	}
	if (npos < min_pos)
		return ctl_usage(c, MSG_CTL_MISSING_ARGUMENT);
	for (int i = npos; i < max_pos; i++)
		pos[i] = NULL;
	return EXIT_OK;
}

int ctl_parse_day(struct ctl *c, const char *text, agenda_day *out)
{
	if (!date_parse(text, out))
		return ctl_fail_msg(c, AG_ERR_INVALID, MSG_CTL_BAD_DATE, text);
	return EXIT_OK;
}

int ctl_parse_minute(struct ctl *c, const char *text, int *out)
{
	if (!time_parse(text, out))
		return ctl_fail_msg(c, AG_ERR_INVALID, MSG_CTL_BAD_TIME, text);
	return EXIT_OK;
}

int ctl_parse_int(struct ctl *c, const char *what, const char *text, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		return ctl_fail_msg(c, AG_ERR_INVALID, MSG_CTL_BAD_NUMBER, what, text, min, max);
	*out = (int)v;
	return EXIT_OK;
}

/* "1-5", "1,2,3", "1-3,6": ISO weekdays 1 (Monday) .. 7 (Sunday) into a bit mask. */
int ctl_parse_weekdays(struct ctl *c, const char *text, unsigned *out)
{
	const char *p = text;
	unsigned mask = 0;

	while (*p) {
		int from, to;

		if (*p < '1' || *p > '7')
			goto bad;
		from = to = *p++ - '0';
		if (*p == '-') {
			p++;
			if (*p < '1' || *p > '7')
				goto bad;
			to = *p++ - '0';
			if (to < from)
				goto bad;
		}
		for (int d = from; d <= to; d++)
			mask |= 1u << (d - 1);
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	if (!mask)
		goto bad;
	*out = mask;
	return EXIT_OK;
bad:
	return ctl_fail_msg(c, AG_ERR_INVALID, MSG_CTL_BAD_WEEKDAYS, text);
}

/* "06-29" (month-day), as the patron saint's day. */
int ctl_parse_month_day(struct ctl *c, const char *text, int *month, int *day)
{
	int m, d;
	char tail;

	if (sscanf(text, "%2d-%2d%c", &m, &d, &tail) != 2 || !date_ymd_valid(2000, m, d))
		return ctl_fail_msg(c, AG_ERR_INVALID, MSG_CTL_BAD_MONTH_DAY, text);
	*month = m;
	*day = d;
	return EXIT_OK;
}
