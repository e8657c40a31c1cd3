/*
 * central_mail_configure.c — `agenda-central mail configure|status` (issue 13): the mail server
 * central's outbox leaves through, in central's folder (central_mail.h). configure changes the
 * options given and keeps the others, so the password is typed once (from a file, never on the
 * command line) and a later change of sender does not need it again. Neither verb ever prints
 * the password: status says only whether one is set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_args.h"
#include "central_files.h"
#include "central_mail.h"
#include "central_store_dir.h"
#include "core/text.h"

#define TIMEOUT_MS_MAX 600000

/* Printable UTF-8 without spaces or controls that fits size bytes (an address, a host). */
static bool token_ok(const char *text, size_t size)
{
	size_t n = strlen(text);

	return n > 0 && n < size && text_is_utf8(text, n) && !text_has_control(text) &&
	       !strpbrk(text, " <>\"");
}

/* An option's text into out when given; false after saying why (exit 9). */
static bool take_text(const struct central_cli *c, const struct central_opt *o, char *out,
                      size_t size, bool token, int *status)
{
	const char *text = central_opt(o);
	size_t n;

	if (!text)
		return true;
	n = strlen(text);
	if (token ? token_ok(text, size)
	          : (n < size && text_is_utf8(text, n) && !text_has_control(text))) {
		snprintf(out, size, "%s", text);
		return true;
	}
	*status = central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_MAIL_BAD_TEXT, o->name, text);
	return false;
}

static bool take_number(const struct central_cli *c, const struct central_opt *o, int max, int *out,
                        int *status)
{
	const char *text = central_opt(o);
	char *end;
	long value;

	if (!text)
		return true;
	value = strtol(text, &end, 10);
	if (*text && !*end && value >= 0 && value <= max) {
		*out = (int)value;
		return true;
	}
	*status =
	        central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_NUMBER, o->name, text, 0, max);
	return false;
}

/* A file's text into *out (malloc'd); false after saying why. */
static bool read_file(const struct central_cli *c, const char *path, char **out, int *status)
{
	agenda_detail why;
	agenda_err err = central_read_text(path, out, &why);

	if (err != AG_OK)
		*status = central_fail(c, err, &why);
	return err == AG_OK;
}

/* The password file's first line into *out (malloc'd, wiped by the caller). */
static bool read_password(const struct central_cli *c, const char *path, char **out, int *status)
{
	if (!read_file(c, path, out, status))
		return false;
	(*out)[strcspn(*out, "\r\n")] = '\0';
	if ((*out)[0] && strlen(*out) < sizeof((struct smtp_settings *)0)->password)
		return true;
	memset(*out, 0, strlen(*out));
	free(*out);
	*out = NULL;
	*status = central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_MAIL_BAD_PASSWORD_FILE, path);
	return false;
}

static void say_configured(const struct central_cli *c, const char *dir,
                           const struct smtp_settings *cfg)
{
	bool has_password, has_ca;
	struct smtp_settings now;
	agenda_detail why;

	/* what is on disk now, password flag included (and wiped at once) */
	if (central_mail_settings_load(dir, &now, &why) != AG_OK)
		now = *cfg;
	has_password = now.password[0] != '\0';
	has_ca = now.ca_file[0] != '\0';
	memset(now.password, 0, sizeof now.password);
	if (c->json) {
		central_emit(json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:b, s:b}", "host", now.host,
		                       "port", now.port, "mode", central_mail_mode_name(now.mode),
		                       "user", now.user, "from", now.from, "from_name",
		                       now.from_name, "password", has_password, "ca_file", has_ca));
		return;
	}
	printf(msg_get(MSG_CENTRAL_MAIL_CONFIGURED, c->lang), now.host, now.port,
	       central_mail_mode_name(now.mode), now.from,
	       now.user[0] ? now.user : msg_get(MSG_CENTRAL_MAIL_NONE, c->lang),
	       msg_get(has_password ? MSG_CENTRAL_MAIL_SET : MSG_CENTRAL_MAIL_ABSENT, c->lang),
	       msg_get(has_ca ? MSG_CENTRAL_MAIL_SET : MSG_CENTRAL_MAIL_ABSENT, c->lang));
	printf("\n");
}

int central_mail_configure(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {
	        {"--dir", true, 1, {0}, 0},      {"--host", false, 1, {0}, 0},
	        {"--port", false, 1, {0}, 0},    {"--mode", false, 1, {0}, 0},
	        {"--user", false, 1, {0}, 0},    {"--password-file", false, 1, {0}, 0},
	        {"--from", false, 1, {0}, 0},    {"--from-name", false, 1, {0}, 0},
	        {"--ca-file", false, 1, {0}, 0}, {"--timeout-ms", false, 1, {0}, 0}};
	struct smtp_settings cfg;
	char *password = NULL, *ca = NULL;
	const char *dir;
	central_store *s = NULL;
	agenda_detail why;
	agenda_err err;
	int status = central_args_parse(c, argc, argv, o, 10);

	if (status != CENTRAL_EXIT_OK)
		return status;
	dir = central_opt(&o[0]);
	/* a central folder (its store opens) before anything is written into it */
	if ((status = central_open_store(c, dir, &s)) != CENTRAL_EXIT_OK)
		return status;
	central_store_close(s);
	err = central_mail_settings_load(dir, &cfg, &why);
	memset(cfg.password, 0, sizeof cfg.password);
	if (err != AG_OK && err != AG_ERR_NOT_FOUND)
		return central_fail(c, err, &why);
	if (err == AG_ERR_NOT_FOUND && !central_opt(&o[1]))
		return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_MAIL_NEEDS, "--host");
	if (err == AG_ERR_NOT_FOUND && !central_opt(&o[6]))
		return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_MAIL_NEEDS, "--from");
	if (!central_opt(&o[4]) != !central_opt(&o[5]))
		return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_MAIL_USER_PASSWORD);
	if (central_opt(&o[3]) && !central_mail_mode_parse(central_opt(&o[3]), &cfg.mode))
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_MAIL_BAD_MODE,
		                        central_opt(&o[3]));
	if (!take_text(c, &o[1], cfg.host, sizeof cfg.host, true, &status) ||
	    !take_number(c, &o[2], 65535, &cfg.port, &status) ||
	    !take_text(c, &o[4], cfg.user, sizeof cfg.user, true, &status) ||
	    !take_text(c, &o[6], cfg.from, sizeof cfg.from, true, &status) ||
	    !take_text(c, &o[7], cfg.from_name, sizeof cfg.from_name, false, &status) ||
	    !take_number(c, &o[9], TIMEOUT_MS_MAX, &cfg.timeout_ms, &status))
		return status;
	if (!strchr(cfg.from, '@'))
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_MAIL_BAD_TEXT, "--from",
		                        cfg.from);
	if (central_opt(&o[5]) && !read_password(c, central_opt(&o[5]), &password, &status))
		return status;
	if (central_opt(&o[8]) && read_file(c, central_opt(&o[8]), &ca, &status) &&
	    !strstr(ca, "-----BEGIN CERTIFICATE-----"))
		status = central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_MAIL_BAD_CA,
		                          central_opt(&o[8]));
	if (status == CENTRAL_EXIT_OK) {
		err = central_mail_settings_save(dir, &cfg, password, ca, &why);
		status = err == AG_OK ? CENTRAL_EXIT_OK : central_fail(c, err, &why);
	}
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	free(ca);
	if (status == CENTRAL_EXIT_OK)
		say_configured(c, dir, &cfg);
	return status;
}

/* The reply of the most recent message that failed an attempt, into out ("" when none). */
static agenda_err last_failure(central_store *s, char *out, size_t size, agenda_detail *why)
{
	central_outbox_item *list = NULL;
	central_outbox_entry e;
	size_t count = 0;
	agenda_err err = central_store_list_outbox(s, &list, &count, why);

	out[0] = '\0';
	for (size_t i = count; err == AG_OK && i-- > 0;) {
		if (list[i].attempts == 0 && strcmp(list[i].state, "failed") != 0)
			continue;
		err = central_store_outbox_get(s, list[i].id, &e, why);
		if (err == AG_OK)
			snprintf(out, size, "%s", e.last_error);
		break;
	}
	free(list);
	return err;
}

int central_mail_status(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0}};
	char failure[CENTRAL_OUTBOX_REPLY_MAX];
	struct smtp_settings cfg;
	central_outbox_counts n;
	central_store *s = NULL;
	bool has_password;
	agenda_detail why;
	agenda_err err, loaded;
	int status = central_args_parse(c, argc, argv, o, 1);

	if (status != CENTRAL_EXIT_OK)
		return status;
	if ((status = central_open_store(c, central_opt(&o[0]), &s)) != CENTRAL_EXIT_OK)
		return status;
	err = central_store_outbox_counts(s, &n, &why);
	if (err == AG_OK)
		err = last_failure(s, failure, sizeof failure, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	loaded = central_mail_settings_load(central_opt(&o[0]), &cfg, &why);
	has_password = cfg.password[0] != '\0';
	memset(cfg.password, 0, sizeof cfg.password);
	if (loaded != AG_OK && loaded != AG_ERR_NOT_FOUND)
		return central_fail(c, loaded, &why);
	if (c->json) {
		json_t *obj = json_pack("{s:b, s:I, s:I, s:I, s:s?}", "configured", loaded == AG_OK,
		                        "queued", (json_int_t)n.queued, "sent", (json_int_t)n.sent,
		                        "failed", (json_int_t)n.failed, "last_failure",
		                        failure[0] ? failure : NULL);

		if (loaded == AG_OK)
			json_object_update_new(obj,
			                       json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:b, s:b}",
			                                 "host", cfg.host, "port", cfg.port, "mode",
			                                 central_mail_mode_name(cfg.mode), "user",
			                                 cfg.user, "from", cfg.from, "from_name",
			                                 cfg.from_name, "password", has_password,
			                                 "ca_file", cfg.ca_file[0] != '\0'));
		central_emit(obj);
	} else if (loaded != AG_OK) {
		printf(msg_get(MSG_CENTRAL_MAIL_STATUS_OFF, c->lang), (long long)n.queued,
		       (long long)n.sent, (long long)n.failed);
		printf("\n");
	} else {
		printf(msg_get(MSG_CENTRAL_MAIL_STATUS, c->lang), cfg.host, cfg.port,
		       central_mail_mode_name(cfg.mode), cfg.from_name, cfg.from,
		       cfg.user[0] ? cfg.user : msg_get(MSG_CENTRAL_MAIL_NONE, c->lang),
		       msg_get(has_password ? MSG_CENTRAL_MAIL_SET : MSG_CENTRAL_MAIL_ABSENT,
		               c->lang),
		       cfg.ca_file[0] ? cfg.ca_file : msg_get(MSG_CENTRAL_MAIL_ABSENT, c->lang),
		       (long long)n.queued, (long long)n.sent, (long long)n.failed,
		       failure[0] ? failure : msg_get(MSG_CENTRAL_MAIL_NONE, c->lang));
		printf("\n");
	}
	return CENTRAL_EXIT_OK;
}
