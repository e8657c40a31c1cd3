/*
 * ctl_session.c — opening the database and logging an operator in, for every command.
 *
 * The database is --db, else $AGENDA_DB, else /var/lib/agenda/agenda.db; only init and
 * demo-seed may create it. The clock is $AGENDA_NOW when set (platform/clock.h), so scripts
 * and tests book on a fixed date. Commands that show or change applicants' data log in first:
 * --user (or $AGENDA_USER) and the password from ctl_read_password, never from argv.
 */
#include <string.h>

#include "ctl/ctl.h"

int ctl_open(struct ctl *c, bool create)
{
	agenda_detail why = {{0}, {0}};
	agenda_clock clock;
	agenda_err err;

	if (c->ctx_open)
		return EXIT_OK;
	if (clock_from_env(&clock, &c->clock_storage) != AG_OK)
		return ctl_fail_msg(c, AG_ERR_INVALID, MSG_CTL_BAD_NOW, CLOCK_ENV);
	err = agenda_ctx_open(&c->ctx, c->db_path, create, clock, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	c->ctx_open = true;
	return EXIT_OK;
}

int ctl_login(struct ctl *c)
{
	agenda_detail why = {{0}, {0}};
	char password[PASSWORD_MAX + 2];
	agenda_err err;
	int status;

	if (!c->user || !*c->user)
		return ctl_usage(c, MSG_CTL_NEED_USER, CTL_ENV_USER);
	status = ctl_open(c, false);
	if (status != EXIT_OK)
		return status;
	err = ctl_read_password(c, c->user, password, sizeof password);
	if (err != AG_OK || !password[0]) {
		explicit_bzero(password, sizeof password);
		return ctl_fail_msg(c, AG_ERR_AUTH, MSG_CTL_NO_PASSWORD, c->user);
	}
	err = session_login(&c->ctx, c->user, password, &c->session, &why);
	explicit_bzero(password, sizeof password);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	return EXIT_OK;
}
