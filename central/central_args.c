/*
 * central_args.c — one parser for every agenda-central verb's options (central_args.h).
 */
#include <string.h>

#include "central_args.h"

int central_args_parse(const struct central_cli *c, int argc, char **argv, struct central_opt *opts,
                       int n)
{
	for (int i = 0; i < argc; i++) {
		struct central_opt *o = NULL;

		for (int k = 0; k < n && !o; k++)
			if (strcmp(argv[i], opts[k].name) == 0)
				o = &opts[k];
		if (!o || i + 1 >= argc)
			return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_BAD_ARG, argv[i]);
		if (o->count >= (o->max > 1 ? o->max : 1))
			return o->max > 1 ? central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_TOO_MANY,
			                                     o->name, o->max)
			                  : central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_REPEATED,
			                                     o->name);
		o->values[o->count++] = argv[++i];
	}
	for (int k = 0; k < n; k++)
		if (opts[k].required && (opts[k].count == 0 || !*opts[k].values[0]))
			return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_MISSING, opts[k].name);
	return CENTRAL_EXIT_OK;
}

const char *central_opt(const struct central_opt *o)
{
	return o->count > 0 ? o->values[o->count - 1] : NULL;
}

int central_args_open_dir(const struct central_cli *c, int argc, char **argv,
                          struct central_store **s)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0}};
	int status = central_args_parse(c, argc, argv, o, 1);

	*s = NULL;
	return status == CENTRAL_EXIT_OK ? central_open_store(c, central_opt(&o[0]), s) : status;
}
