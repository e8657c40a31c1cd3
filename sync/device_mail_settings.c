/*
 * device_mail_settings.c — recording, loading and showing the device's SMTP settings
 * (device_mail_settings.h). Store settings for the plain values, private files for the
 * password and the CA; one audited transaction for the settings.
 */
#include "sync/device_mail_settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/messages.h"
#include "core/text.h"
#include "services/audit.h"
#include "sync/device_files.h"

const char *device_mail_mode_name(enum smtp_mode mode)
{
	return mode == SMTP_MODE_SMTPS ? "smtps" : "starttls";
}

/* A name or value a person typed: valid UTF-8, no control characters, fits size. */
static bool clean_text(const char *s, size_t size)
{
	size_t n = strlen(s);

	return n < size && text_is_utf8(s, n) && !text_has_control(s);
}

static bool host_valid(const char *h)
{
	return h[0] && clean_text(h, 256) && !strchr(h, ' ') && !strchr(h, '/') && !strchr(h, '@');
}

static bool address_valid(const char *e)
{
	const char *at = strchr(e, '@');

	return at && at != e && at[1] && !strchr(at + 1, '@') && !strchr(e, ' ') &&
	       !strchr(e, '<') && !strchr(e, '>') && clean_text(e, 256);
}

static agenda_err file_path(const char *dir, const char *name, char *out, size_t size,
                            agenda_detail *why)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size) {
		agenda_detail_set(why, MSG_SYNC_FILE_WRITE, dir, strerror(ENAMETOOLONG));
		return AG_ERR_INVALID;
	}
	return AG_OK;
}

static agenda_err validate(const struct device_mail_config *c, agenda_detail *why)
{
	if (c->host && !host_valid(c->host)) {
		agenda_detail_set(why, MSG_MAIL_BAD_HOST, c->host);
		return AG_ERR_INVALID;
	}
	if (c->port < -1 || c->port > 65535) {
		agenda_detail_set(why, MSG_MAIL_BAD_PORT);
		return AG_ERR_INVALID;
	}
	if (c->mode && strcmp(c->mode, "starttls") != 0 && strcmp(c->mode, "smtps") != 0) {
		agenda_detail_set(why, MSG_MAIL_BAD_MODE, c->mode);
		return AG_ERR_INVALID;
	}
	if (c->user && (!clean_text(c->user, 128) || strchr(c->user, ' '))) {
		agenda_detail_set(why, MSG_MAIL_BAD_USER);
		return AG_ERR_INVALID;
	}
	if (c->password && (!c->password[0] || !clean_text(c->password, 256))) {
		agenda_detail_set(why, MSG_MAIL_BAD_PASSWORD);
		return AG_ERR_INVALID;
	}
	if (c->ca_pem && !strstr(c->ca_pem, "-----BEGIN CERTIFICATE-----")) {
		agenda_detail_set(why, MSG_MAIL_BAD_CA);
		return AG_ERR_INVALID;
	}
	if (c->from && !address_valid(c->from)) {
		agenda_detail_set(why, MSG_MAIL_BAD_FROM, c->from);
		return AG_ERR_INVALID;
	}
	if (c->from_name && !clean_text(c->from_name, 128)) {
		agenda_detail_set(why, MSG_MAIL_BAD_FROM_NAME);
		return AG_ERR_INVALID;
	}
	if (c->timeout_ms < 0 || c->timeout_ms > 600000) {
		agenda_detail_set(why, MSG_MAIL_BAD_TIMEOUT);
		return AG_ERR_INVALID;
	}
	return AG_OK;
}

/* Sets key to value when value is given. */
static agenda_err set_if(agenda_ctx *ctx, const char *key, const char *value, agenda_detail *why)
{
	return value ? store_setting_set(ctx->store, key, value, why) : AG_OK;
}

/* The private files: the password (a user without one loses the old file) and the CA. */
static agenda_err write_files(const char *data_dir, const struct device_mail_config *c,
                              agenda_detail *why)
{
	char path[4096];
	agenda_err err;

	if (c->password) {
		if ((err = file_path(data_dir, MAIL_PASSWORD_FILE, path, sizeof path, why)) ||
		    (err = device_file_replace(path, c->password, why)))
			return err;
	} else if (c->user && !c->user[0]) {
		if ((err = file_path(data_dir, MAIL_PASSWORD_FILE, path, sizeof path, why)))
			return err;
		unlink(path);
	}
	if (c->ca_pem && ((err = file_path(data_dir, MAIL_CA_FILE, path, sizeof path, why)) ||
	                  (err = device_file_replace(path, c->ca_pem, why))))
		return err;
	return AG_OK;
}

agenda_err device_mail_configure(agenda_ctx *ctx, const char *data_dir, const char *actor,
                                 const struct device_mail_config *c, agenda_detail *why)
{
	char port[16], timeout[16], host[256] = "", from[256] = "", mode[16] = "starttls";
	char user[128] = "", detail[200], path[4096];
	agenda_err err;

	if ((err = validate(c, why)) != AG_OK)
		return err;
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	snprintf(port, sizeof port, "%d", c->port > 0 ? c->port : 0);
	snprintf(timeout, sizeof timeout, "%d", c->timeout_ms);
	if ((err = set_if(ctx, MAIL_SETTING_HOST, c->host, why)) ||
	    (err = set_if(ctx, MAIL_SETTING_PORT, c->port ? port : NULL, why)) ||
	    (err = set_if(ctx, MAIL_SETTING_MODE, c->mode, why)) ||
	    (err = set_if(ctx, MAIL_SETTING_USER, c->user, why)) ||
	    (err = set_if(ctx, MAIL_SETTING_FROM, c->from, why)) ||
	    (err = set_if(ctx, MAIL_SETTING_FROM_NAME, c->from_name, why)) ||
	    (err = set_if(ctx, MAIL_SETTING_TIMEOUT_MS, c->timeout_ms ? timeout : NULL, why)))
		goto done;
	store_setting_get(ctx->store, MAIL_SETTING_HOST, host, sizeof host);
	store_setting_get(ctx->store, MAIL_SETTING_FROM, from, sizeof from);
	store_setting_get(ctx->store, MAIL_SETTING_MODE, mode, sizeof mode);
	store_setting_get(ctx->store, MAIL_SETTING_USER, user, sizeof user);
	store_setting_get(ctx->store, MAIL_SETTING_PORT, port, sizeof port);
	if (!host[0] || !from[0]) {
		agenda_detail_set(why, MSG_MAIL_NOT_CONFIGURED);
		err = AG_ERR_USAGE;
		goto done;
	}
	if (c->password && !user[0]) {
		agenda_detail_set(why, MSG_MAIL_PASSWORD_WITHOUT_USER);
		err = AG_ERR_USAGE;
		goto done;
	}
	/* A user needs a password: given now, or already on file. */
	if (user[0] && !c->password &&
	    ((err = file_path(data_dir, MAIL_PASSWORD_FILE, path, sizeof path, why)) ||
	     access(path, F_OK) != 0)) {
		if (err == AG_OK) {
			agenda_detail_set(why, MSG_MAIL_USER_NEEDS_PASSWORD);
			err = AG_ERR_USAGE;
		}
		goto done;
	}
	/* Never the password: only whether there is one. */
	snprintf(detail, sizeof detail, "mode=%s port=%s auth=%s ca=%s", mode, port,
	         user[0] ? "yes" : "no", c->ca_pem ? "new" : "unchanged");
	if ((err = audit_append(ctx, actor, "mail_configure", host, detail, why)) ||
	    (err = write_files(data_dir, c, why)))
		goto done;
	err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

bool device_mail_configured(agenda_ctx *ctx)
{
	char host[256];

	return store_setting_get(ctx->store, MAIL_SETTING_HOST, host, sizeof host) && host[0];
}

/* The settings without the password; ca_file set when the CA file exists. */
static void read_settings(agenda_ctx *ctx, const char *data_dir, struct smtp_settings *out,
                          bool *password_file)
{
	char text[32] = "", path[4096];

	memset(out, 0, sizeof *out);
	store_setting_get(ctx->store, MAIL_SETTING_HOST, out->host, sizeof out->host);
	store_setting_get(ctx->store, MAIL_SETTING_USER, out->user, sizeof out->user);
	store_setting_get(ctx->store, MAIL_SETTING_FROM, out->from, sizeof out->from);
	store_setting_get(ctx->store, MAIL_SETTING_FROM_NAME, out->from_name,
	                  sizeof out->from_name);
	if (store_setting_get(ctx->store, MAIL_SETTING_MODE, text, sizeof text))
		out->mode = strcmp(text, "smtps") == 0 ? SMTP_MODE_SMTPS : SMTP_MODE_STARTTLS;
	if (store_setting_get(ctx->store, MAIL_SETTING_PORT, text, sizeof text))
		out->port = atoi(text);
	if (out->port <= 0)
		out->port = out->mode == SMTP_MODE_SMTPS ? 465 : 587;
	out->timeout_ms = MAIL_DEFAULT_TIMEOUT_MS;
	if (store_setting_get(ctx->store, MAIL_SETTING_TIMEOUT_MS, text, sizeof text) &&
	    atoi(text) > 0)
		out->timeout_ms = atoi(text);
	if (snprintf(path, sizeof path, "%s/%s", data_dir, MAIL_CA_FILE) < (int)sizeof path &&
	    access(path, F_OK) == 0)
		snprintf(out->ca_file, sizeof out->ca_file, "%s", path);
	*password_file = snprintf(path, sizeof path, "%s/%s", data_dir, MAIL_PASSWORD_FILE) <
	                         (int)sizeof path &&
	                 access(path, F_OK) == 0;
}

agenda_err device_mail_load(agenda_ctx *ctx, const char *data_dir, struct smtp_settings *out,
                            agenda_detail *why)
{
	char path[4096], *password = NULL;
	bool password_file;
	agenda_err err;

	read_settings(ctx, data_dir, out, &password_file);
	if (!out->host[0] || !out->from[0]) {
		agenda_detail_set(why, MSG_MAIL_NOT_CONFIGURED);
		return AG_ERR_USAGE;
	}
	if (!out->user[0])
		return AG_OK;
	if ((err = file_path(data_dir, MAIL_PASSWORD_FILE, path, sizeof path, why)) ||
	    (err = device_file_read(path, &password, why)))
		return err;
	/* A file written by hand may end in a newline: it is not part of the password. */
	password[strcspn(password, "\r\n")] = '\0';
	if (strlen(password) >= sizeof out->password) {
		agenda_detail_set(why, MSG_MAIL_BAD_PASSWORD);
		err = AG_ERR_INVALID;
	} else {
		memcpy(out->password, password, strlen(password) + 1);
	}
	explicit_bzero(password, strlen(password));
	free(password);
	return err;
}

/* Counts by state and the newest unsent message that failed an attempt. */
static bool count_message(const struct outbox_item *it, void *arg)
{
	struct device_mail_status *s = arg;

	if (strcmp(it->state, "sent") == 0) {
		s->sent++;
		return true;
	}
	if (strcmp(it->state, "failed") == 0)
		s->failed++;
	else
		s->queued++;
	if (strcmp(it->state, "queued") == 0 && it->attempts > 0)
		s->retrying++;
	if (it->last_error[0] && it->id > s->last_failure_id) {
		s->last_failure_id = it->id;
		snprintf(s->last_failure, sizeof s->last_failure, "%s", it->last_error);
	}
	return true;
}

agenda_err device_mail_status_read(agenda_ctx *ctx, const char *data_dir,
                                   struct device_mail_status *out, agenda_detail *why)
{
	memset(out, 0, sizeof *out);
	read_settings(ctx, data_dir, &out->settings, &out->password_set);
	out->configured = out->settings.host[0] != '\0';
	out->ca_set = out->settings.ca_file[0] != '\0';
	return outbox_list(ctx, NULL, count_message, out, why);
}
