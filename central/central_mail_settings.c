/*
 * central_mail_settings.c — central's mail settings in its folder (central_mail.h): mail.json
 * for what may be shown, smtp-password and smtp-ca.pem for the rest. Each file is replaced
 * atomically (a private temporary, fsync, rename), so a sender reading them while
 * `mail configure` runs sees the old settings or the new ones, never half of each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "central_files.h"
#include "central_mail.h"
#include "core/messages.h"
#include "platform/private_file.h"

bool central_mail_mode_parse(const char *text, enum smtp_mode *out)
{
	if (strcmp(text, "starttls") == 0)
		*out = SMTP_MODE_STARTTLS;
	else if (strcmp(text, "smtps") == 0)
		*out = SMTP_MODE_SMTPS;
	else
		return false;
	return true;
}

const char *central_mail_mode_name(enum smtp_mode mode)
{
	return mode == SMTP_MODE_SMTPS ? "smtps" : "starttls";
}

bool central_mail_configured(const char *dir)
{
	char path[CENTRAL_PATH_MAX];

	central_path(path, dir, CENTRAL_MAIL_SETTINGS);
	return access(path, F_OK) == 0;
}

/* Replaces dir/name with len bytes, 0600, atomically. */
static agenda_err write_private(const char *dir, const char *name, const char *data, size_t len,
                                agenda_detail *why)
{
	char path[CENTRAL_PATH_MAX], temp[CENTRAL_PATH_MAX + 8];
	int fd, saved = 0;

	central_path(path, dir, name);
	snprintf(temp, sizeof temp, "%s.new", path);
	if ((fd = private_file_open(temp, O_WRONLY | O_TRUNC)) < 0) {
		saved = errno;
	} else {
		size_t done = 0;

		while (done < len) {
			ssize_t n = write(fd, data + done, len - done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				saved = n < 0 ? errno : EIO;
				break;
			}
			done += (size_t)n;
		}
		if (!saved && fsync(fd) != 0)
			saved = errno;
		if (close(fd) != 0 && !saved)
			saved = errno;
		if (!saved && rename(temp, path) != 0)
			saved = errno;
		if (!saved)
			private_file_sync_parent(path);
		if (saved)
			unlink(temp);
	}
	if (saved) {
		agenda_detail_set(why, MSG_CENTRAL_WRITE_FAILED, path, strerror(saved));
		return AG_ERR_IO;
	}
	return AG_OK;
}

static agenda_err remove_file(const char *dir, const char *name, agenda_detail *why)
{
	char path[CENTRAL_PATH_MAX];

	central_path(path, dir, name);
	if (unlink(path) != 0 && errno != ENOENT) {
		agenda_detail_set(why, MSG_CENTRAL_WRITE_FAILED, path, strerror(errno));
		return AG_ERR_IO;
	}
	return AG_OK;
}

agenda_err central_mail_settings_save(const char *dir, const struct smtp_settings *cfg,
                                      const char *password, const char *ca_pem, agenda_detail *why)
{
	json_t *obj = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:i}", "host", cfg->host, "port",
	                        cfg->port, "mode", central_mail_mode_name(cfg->mode), "user",
	                        cfg->user, "from", cfg->from, "from_name", cfg->from_name,
	                        "timeout_ms", cfg->timeout_ms);
	char *text = obj ? json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	agenda_err err = AG_OK;

	json_decref(obj);
	if (!text) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	/* secrets first: settings naming a user never stand without the password given with it */
	if (password && password[0])
		err = write_private(dir, CENTRAL_MAIL_PASSWORD, password, strlen(password), why);
	else if (password)
		err = remove_file(dir, CENTRAL_MAIL_PASSWORD, why);
	if (err == AG_OK && ca_pem)
		err = write_private(dir, CENTRAL_MAIL_CA, ca_pem, strlen(ca_pem), why);
	if (err == AG_OK)
		err = write_private(dir, CENTRAL_MAIL_SETTINGS, text, strlen(text), why);
	free(text);
	return err;
}

/* A string member into out (size bytes); false when it is missing, not a string or too long. */
static bool member(json_t *obj, const char *name, char *out, size_t size)
{
	const char *value = json_string_value(json_object_get(obj, name));

	return value && (size_t)snprintf(out, size, "%s", value) < size;
}

/* The password file, without a trailing newline, into out (wiped on failure). */
static agenda_err load_password(const char *dir, struct smtp_settings *out, agenda_detail *why)
{
	char path[CENTRAL_PATH_MAX];
	char *text = NULL;
	size_t len;
	agenda_err err;

	central_path(path, dir, CENTRAL_MAIL_PASSWORD);
	if (access(path, F_OK) != 0)
		return AG_OK; /* no AUTH */
	if ((err = central_read_text(path, &text, why)) != AG_OK)
		return err;
	len = strcspn(text, "\r\n");
	if (len >= sizeof out->password) {
		agenda_detail_set(why, MSG_CENTRAL_MAIL_BAD_SETTINGS, path);
		err = AG_ERR_INVALID;
	} else {
		memcpy(out->password, text, len);
		out->password[len] = '\0';
	}
	memset(text, 0, strlen(text));
	free(text);
	return err;
}

agenda_err central_mail_settings_load(const char *dir, struct smtp_settings *out,
                                      agenda_detail *why)
{
	char path[CENTRAL_PATH_MAX], mode[16];
	json_t *obj, *port, *timeout;
	json_error_t error;

	memset(out, 0, sizeof *out);
	central_path(path, dir, CENTRAL_MAIL_SETTINGS);
	if (access(path, F_OK) != 0) {
		agenda_detail_set(why, MSG_CENTRAL_MAIL_NOT_CONFIGURED, dir);
		return AG_ERR_NOT_FOUND;
	}
	if (!(obj = json_load_file(path, 0, &error))) {
		agenda_detail_set(why, MSG_CENTRAL_MAIL_BAD_SETTINGS, path);
		return AG_ERR_INVALID;
	}
	port = json_object_get(obj, "port");
	timeout = json_object_get(obj, "timeout_ms");
	if (!member(obj, "host", out->host, sizeof out->host) || !out->host[0] ||
	    !member(obj, "mode", mode, sizeof mode) || !central_mail_mode_parse(mode, &out->mode) ||
	    !member(obj, "user", out->user, sizeof out->user) ||
	    !member(obj, "from", out->from, sizeof out->from) ||
	    !member(obj, "from_name", out->from_name, sizeof out->from_name) ||
	    !json_is_integer(port) || json_integer_value(port) < 0 ||
	    json_integer_value(port) > 65535 || !json_is_integer(timeout) ||
	    json_integer_value(timeout) < 0 || json_integer_value(timeout) > 600000) {
		json_decref(obj);
		agenda_detail_set(why, MSG_CENTRAL_MAIL_BAD_SETTINGS, path);
		return AG_ERR_INVALID;
	}
	out->port = (int)json_integer_value(port);
	out->timeout_ms = (int)json_integer_value(timeout);
	json_decref(obj);
	central_path(path, dir, CENTRAL_MAIL_CA);
	if (access(path, F_OK) == 0)
		snprintf(out->ca_file, sizeof out->ca_file, "%s", path);
	return load_password(dir, out, why);
}
