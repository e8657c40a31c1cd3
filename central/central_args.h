/*
 * central_args.h — the options of one agenda-central verb: `--name value` pairs, some of them
 * repeatable (--host, --province), checked against the verb's own table so that an unknown or
 * valueless option, a repeated single one and a missing required one are refused the same way
 * by every verb (exit 2, the message naming the option).
 */
#ifndef AGENDA_CENTRAL_ARGS_H
#define AGENDA_CENTRAL_ARGS_H

#include <stdbool.h>

#include "central_cli.h"

#define CENTRAL_OPT_VALUES_MAX 16

struct central_opt {
	const char *name; /* "--dir" */
	bool required;
	int max; /* how many times it may be given: 0 or 1 = once */
	/* filled by central_args_parse */
	const char *values[CENTRAL_OPT_VALUES_MAX];
	int count;
};

/* Fills opts from argv; CENTRAL_EXIT_OK, or the exit code after printing why. */
int central_args_parse(const struct central_cli *c, int argc, char **argv, struct central_opt *opts,
                       int n);

/*
 * For the verbs whose one option is --dir (the lists): parses it and opens the store of that
 * folder into *s; CENTRAL_EXIT_OK, or the exit code after printing why.
 */
int central_args_open_dir(const struct central_cli *c, int argc, char **argv,
                          struct central_store **s);

/* The (last) value of an option, or NULL when it was not given. */
const char *central_opt(const struct central_opt *o);

#endif
