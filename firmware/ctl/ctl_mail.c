/*
 * ctl_mail.c — `agendactl mail configure|status`: the SMTP server the device's email leaves
 * through, as a technician sets it up and checks it.
 *
 * Thin on sync/device_mail_settings.h. No log-in, like the other technician commands; the
 * password is read from a file (never from argv, never echoed), handed to the library and
 * wiped; no output names it beyond "set" or "absent". configure is audited by the library.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "sync/device_files.h"
#include "sync/device_mail_settings.h"

#define OPTS(a)       (sizeof(a) / sizeof((a)[0]))
#define MAIL_FILE_MAX (256 * 1024) /* a CA bundle is a few KiB; a password a line */

/* Reads a whole small file (malloc'd, NUL-terminated) or prints why not. */
static int read_input(struct ctl *c, const char *path, char **text)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;
	char *buf = NULL;
	int saved;

	*text = NULL;
	if (f && (buf = malloc(MAIL_FILE_MAX + 1))) {
		n = fread(buf, 1, MAIL_FILE_MAX + 1, f);
		if (!ferror(f) && n <= MAIL_FILE_MAX) {
			fclose(f);
			buf[n] = '\0';
			*text = buf;
			return EXIT_OK;
		}
	}
	saved = !f ? errno : n > MAIL_FILE_MAX ? EFBIG : EIO;
	if (f)
		fclose(f);
	if (buf) {
		explicit_bzero(buf, MAIL_FILE_MAX + 1);
		free(buf);
	}
	return ctl_fail_msg(c, saved == ENOENT ? AG_ERR_NOT_FOUND : AG_ERR_IO, MSG_CTL_MAIL_FILE,
	                    path, strerror(saved));
}

static void wipe_free(char *text)
{
	if (text) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
}

static json_t *status_json(const struct device_mail_status *s)
{
	const struct smtp_settings *m = &s->settings;
	json_t *o = json_pack("{s:b, s:i, s:i, s:i, s:i, s:o}", "configured", s->configured,
	                      "queued", s->queued, "retrying", s->retrying, "sent", s->sent,
	                      "failed", s->failed, "last_failure",
	                      s->last_failure[0] ? json_string(s->last_failure) : json_null());

	if (s->last_failure_id)
		json_object_set_new(o, "last_failure_id", json_integer(s->last_failure_id));
	if (!s->configured)
		return o;
	json_object_set_new(o, "host", json_string(m->host));
	json_object_set_new(o, "port", json_integer(m->port));
	json_object_set_new(o, "mode", json_string(device_mail_mode_name(m->mode)));
	json_object_set_new(o, "user", m->user[0] ? json_string(m->user) : json_null());
	json_object_set_new(o, "password", json_string(s->password_set ? "set" : "absent"));
	json_object_set_new(o, "ca_file", s->ca_set ? json_string(m->ca_file) : json_null());
	json_object_set_new(o, "from", json_string(m->from));
	json_object_set_new(o, "from_name",
	                    m->from_name[0] ? json_string(m->from_name) : json_null());
	json_object_set_new(o, "timeout_s", json_integer(m->timeout_ms / 1000));
	return o;
}

static void status_text(struct ctl *c, const struct device_mail_status *s)
{
	const struct smtp_settings *m = &s->settings;

	if (!s->configured) {
		ctl_say(c, MSG_CTL_MAIL_NONE);
	} else {
		ctl_say(c, MSG_CTL_MAIL_SERVER, m->host, m->port, device_mail_mode_name(m->mode),
		        m->timeout_ms / 1000);
		ctl_say(c, MSG_CTL_MAIL_USER,
		        m->user[0] ? m->user : msg_get(MSG_CTL_MAIL_NO_USER, c->lang),
		        msg_get(s->password_set ? MSG_CTL_MAIL_PASSWORD_SET
		                                : MSG_CTL_MAIL_PASSWORD_ABSENT,
		                c->lang));
		ctl_say(c, MSG_CTL_MAIL_CA,
		        s->ca_set ? m->ca_file : msg_get(MSG_CTL_MAIL_CA_SYSTEM, c->lang));
		ctl_say(c, MSG_CTL_MAIL_FROM, m->from_name, m->from);
	}
	ctl_say(c, MSG_CTL_MAIL_COUNTS, s->queued, s->retrying, s->sent, s->failed);
	if (s->last_failure[0])
		ctl_say(c, MSG_CTL_MAIL_LAST_FAILURE, (long long)s->last_failure_id,
		        s->last_failure);
}

/* Shows the status (after configure too, so a technician sees what is in force). */
static int show_status(struct ctl *c, const char *dir)
{
	struct device_mail_status s;
	agenda_detail why = {{0}, {0}};
	agenda_err err = device_mail_status_read(&c->ctx, dir, &s, &why);

	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json)
		ctl_emit(status_json(&s));
	else
		status_text(c, &s);
	return EXIT_OK;
}

int ctl_mail_configure(struct ctl *c, int argc, char **argv)
{
	enum { HOST, PORT, MODE, USER, PASSWORD_FILE, FROM, FROM_NAME, CA_FILE, TIMEOUT };
	/* --user is also agendactl's global option: main.c keeps it in c->user_option */
	struct ctl_opt o[] = {{"--host", true, NULL},          {"--port", true, NULL},
	                      {"--mode", true, NULL},          {"--user", true, NULL},
	                      {"--password-file", true, NULL}, {"--from", true, NULL},
	                      {"--from-name", true, NULL},     {"--ca-file", true, NULL},
	                      {"--timeout-s", true, NULL}};
	struct device_mail_config cfg = {0};
	agenda_detail why = {{0}, {0}};
	char dir[PATH_MAX], *password = NULL, *ca = NULL;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0), seconds;
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	if (o[PORT].value &&
	    (status = ctl_parse_int(c, "--port", o[PORT].value, 1, 65535, &cfg.port)))
		return status;
	if (o[TIMEOUT].value) {
		if ((status = ctl_parse_int(c, "--timeout-s", o[TIMEOUT].value, 1, 600, &seconds)))
			return status;
		cfg.timeout_ms = seconds * 1000;
	}
	/* A new mode without a port goes back to that mode's standard port. */
	if (o[MODE].value && !o[PORT].value)
		cfg.port = -1;
	cfg.host = o[HOST].value;
	cfg.mode = o[MODE].value;
	cfg.user = o[USER].value ? o[USER].value : c->user_option;
	cfg.from = o[FROM].value;
	cfg.from_name = o[FROM_NAME].value;
	if ((status = ctl_open(c, false)))
		return status;
	if (o[PASSWORD_FILE].value) {
		if ((status = read_input(c, o[PASSWORD_FILE].value, &password)))
			goto done;
		/* The first line is the password: a trailing newline is not part of it. */
		password[strcspn(password, "\r\n")] = '\0';
		cfg.password = password;
	}
	if (o[CA_FILE].value) {
		if ((status = read_input(c, o[CA_FILE].value, &ca)))
			goto done;
		cfg.ca_pem = ca;
	}
	device_files_data_dir(c->db_path, dir, sizeof dir);
	err = device_mail_configure(&c->ctx, dir, CTL_ACTOR, &cfg, &why);
	wipe_free(password);
	password = NULL;
	if (err != AG_OK) {
		status = err == AG_ERR_USAGE ? ctl_usage_detail(c, &why) : ctl_fail(c, err, &why);
		goto done;
	}
	if (!c->json)
		ctl_say(c, MSG_CTL_MAIL_CONFIGURED);
	status = show_status(c, dir);
done:
	wipe_free(password);
	free(ca);
	return status;
}

int ctl_mail_status(struct ctl *c, int argc, char **argv)
{
	char dir[PATH_MAX];
	int status = ctl_parse(c, argc, argv, NULL, 0, NULL, 0, 0);

	if (status != EXIT_OK || (status = ctl_open(c, false)))
		return status;
	device_files_data_dir(c->db_path, dir, sizeof dir);
	return show_status(c, dir);
}
