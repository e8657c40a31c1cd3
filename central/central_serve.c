/* central_serve.c — placeholder replaced in the next step. */
#include "central_cli.h"

int central_serve(const struct central_cli *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_BAD_ARG, "serve");
}
