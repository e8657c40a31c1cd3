/*
 * ctl_provision.c — the device and central from the shell: provision (enrolment with the help
 * desk's code), renew (the certificate, over the current identity), factory-reset, device show.
 *
 * Thin on sync/ (provision.h, renew.h, factory_reset.h). Like `device assign` and `printer
 * test`, these are a technician's commands at the device: they need no operator log-in (they
 * show no personal data); whoever may run them is whoever may read and write the database's
 * folder (root on the appliance; the files are 0600). factory-reset asks, in place of a log-in,
 * for the device id typed back (`device show` prints it). The data folder holding device.key,
 * device.pem and ca.pem is the database's folder (dirname of --db).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl.h"
#include "pki/pki_cert_info.h"
#include "services/device_identity.h"
#include "store/store.h"
#include "sync/device_files.h"
#include "sync/factory_reset.h"
#include "sync/provision.h"
#include "sync/renew.h"

#define OPTS(a)          (sizeof(a) / sizeof((a)[0]))
#define UTC_TEXT_SIZE    24
#define TIMEOUT_MAX_SECS 600

/* "2028-01-01T12:00:00Z" */
static const char *utc_text(int64_t epoch, char out[UTC_TEXT_SIZE])
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, UTC_TEXT_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, UTC_TEXT_SIZE, "?");
	return out;
}

/* --timeout SECONDS (optional) into milliseconds; 0 when not given. */
static int parse_timeout(struct ctl *c, const struct ctl_opt *o, long *ms)
{
	int seconds = 0, status;

	*ms = 0;
	if (!o->value)
		return EXIT_OK;
	if ((status = ctl_parse_int(c, "--timeout", o->value, 1, TIMEOUT_MAX_SECS, &seconds)))
		return status;
	*ms = seconds * 1000L;
	return EXIT_OK;
}

/* A failure from sync/: central unreachable is its own exit (16); central's token travels. */
static int sync_failed(struct ctl *c, agenda_err err, https_failure network, const char *token,
                       long retry_after, const agenda_detail *why)
{
	json_t *extra = json_object();

	if (token && token[0])
		json_object_set_new(extra, "server_error", json_string(token));
	if (retry_after > 0)
		json_object_set_new(extra, "retry_after", json_integer(retry_after));
	if (network != HTTPS_ANSWERED && err != AG_ERR_REFUSED) {
		json_object_set_new(extra, "network", json_true());
		return ctl_fail_code(c, "network", EXIT_NETWORK, why, extra);
	}
	return ctl_fail_with(c, err, why, extra);
}

int ctl_provision(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--central", true, NULL},        {"--code", true, NULL},
	                      {"--ca-fingerprint", true, NULL}, {"--printer", true, NULL},
	                      {"--profile", true, NULL},        {"--timeout", true, NULL}};
	char dir[PATH_MAX], until[UTC_TEXT_SIZE];
	struct provision_request req = {0};
	struct provision_result res;
	struct ctl_test_slip_outcome outcome;
	agenda_detail why = {{0}, {0}};
	agenda_err err;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0);

	if (status != EXIT_OK)
		return status;
	for (size_t i = 0; i < 3; i++)
		if (!o[i].value)
			return ctl_usage(c, MSG_CTL_MISSING_OPTION, o[i].name);
	if ((status = parse_timeout(c, &o[5], &req.timeout_ms)) || (status = ctl_open(c, false)))
		return status;
	device_files_data_dir(c->db_path, dir, sizeof dir);
	req.central_url = o[0].value;
	req.code = o[1].value;
	req.ca_fingerprint = o[2].value;
	req.data_dir = dir;
	err = provision_run(&c->ctx, CTL_ACTOR, &req, &res, &why);
	if (err != AG_OK)
		return sync_failed(c, err, res.network, res.server_error, res.retry_after, &why);
	utc_text(res.not_after, until);
	/* The test slip comes after: a printer fault does not undo the enrolment, it says so. */
	if ((status = ctl_test_slip(c, o[3].value, o[4].value, &outcome)))
		return status;
	json_t *fields = json_pack("{s:s, s:s, s:s, s:b, s:b, s:s}", "device_id", res.device_id,
	                           "site", res.site, "not_after", until, "resumed", res.resumed,
	                           "provisioned", 1, "printer", outcome.uri);
	if (!outcome.printed) {
		agenda_detail d;

		agenda_detail_set(&d, MSG_CTL_PROVISION_PRINT_FAILED, res.device_id,
		                  outcome.fault_words.it);
		snprintf(d.en, sizeof d.en, msg_get(MSG_CTL_PROVISION_PRINT_FAILED, LANG_EN),
		         res.device_id, outcome.fault_words.en);
		json_object_set_new(fields, "printed", json_false());
		json_object_set_new(fields, "fault", json_string(outcome.fault_name));
		return ctl_fail_code(c, "printer", EXIT_PRINTER, &d, fields);
	}
	if (c->json) {
		json_object_set_new(fields, "printed", json_true());
		ctl_emit(fields);
		return EXIT_OK;
	}
	json_decref(fields);
	if (res.resumed)
		ctl_say(c, MSG_CTL_PROVISION_RESUMED, res.device_id);
	else
		ctl_say(c, MSG_CTL_PROVISIONED, res.device_id, res.site, until);
	ctl_say(c, MSG_CTL_TEST_PRINTED, outcome.uri, (int)outcome.bytes);
	return EXIT_OK;
}

int ctl_renew(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--if-due", false, NULL}, {"--timeout", true, NULL}};
	char dir[PATH_MAX], until[UTC_TEXT_SIZE];
	struct renew_result res;
	agenda_detail why = {{0}, {0}};
	agenda_err err;
	long timeout_ms;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0);

	if (status != EXIT_OK || (status = parse_timeout(c, &o[1], &timeout_ms)) ||
	    (status = ctl_open(c, false)))
		return status;
	device_files_data_dir(c->db_path, dir, sizeof dir);
	err = renew_run(&c->ctx, dir, o[0].value != NULL, timeout_ms, &res, &why);
	if (err != AG_OK)
		return sync_failed(c, err, res.network, res.server_error, 0, &why);
	utc_text(res.not_after, until);
	if (c->json)
		ctl_emit(json_pack("{s:s, s:b, s:s}", "device_id", res.device_id, "renewed",
		                   res.renewed, "not_after", until));
	else if (res.renewed)
		ctl_say(c, MSG_CTL_RENEWED, res.device_id, until);
	else
		ctl_say(c, MSG_CTL_RENEW_NOT_DUE, until, RENEW_BEFORE_DAYS);
	return EXIT_OK;
}

int ctl_factory_reset(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--confirm", true, NULL}};
	agenda_detail why = {{0}, {0}};
	agenda_err err;
	int removed = 0;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0);

	if (status != EXIT_OK)
		return status;
	if (!o[0].value)
		return ctl_usage(c, MSG_CTL_MISSING_OPTION, "--confirm");
	if ((status = ctl_open(c, false)))
		return status;
	if (!factory_reset_confirms(&c->ctx, o[0].value))
		return ctl_fail_msg(c, AG_ERR_REFUSED, MSG_SYNC_RESET_MISMATCH);
	/* The database is closed before its files go. */
	agenda_ctx_close(&c->ctx);
	c->ctx_open = false;
	err = factory_reset_wipe(c->db_path, &removed, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json)
		ctl_emit(json_pack("{s:b, s:i}", "factory_reset", 1, "removed", removed));
	else
		ctl_say(c, MSG_CTL_RESET_DONE, removed);
	return EXIT_OK;
}

int ctl_device_show(struct ctl *c, int argc, char **argv)
{
	char dir[PATH_MAX], url[PROVISION_URL_MAX] = "", site[PROVISION_SITE_MAX] = "";
	char until[UTC_TEXT_SIZE] = "", *cert = NULL, state[AGENDA_DETAIL_MAX];
	struct device_files files = {0};
	pki_cert_info info;
	bool provisioned, has_cert = false;
	int status = ctl_parse(c, argc, argv, NULL, 0, NULL, 0, 0);

	if (status != EXIT_OK || (status = ctl_open(c, false)))
		return status;
	provisioned = device_identity_provisioned(&c->ctx);
	store_setting_get(c->ctx.store, DEVICE_CENTRAL_URL_SETTING, url, sizeof url);
	store_setting_get(c->ctx.store, "central_site", site, sizeof site);
	device_files_data_dir(c->db_path, dir, sizeof dir);
	if (device_files_locate(dir, &files, NULL) == AG_OK &&
	    device_file_read(files.cert, &cert, NULL) == AG_OK &&
	    pki_cert_read_info(cert, &info, NULL) == AG_OK) {
		has_cert = true;
		utc_text(info.not_after, until);
	}
	free(cert);
	if (c->json) {
		ctl_emit(json_pack("{s:s, s:b, s:o, s:o, s:o}", "device_id", c->ctx.device_id,
		                   "provisioned", provisioned, "central",
		                   url[0] ? json_string(url) : json_null(), "site",
		                   site[0] ? json_string(site) : json_null(), "not_after",
		                   has_cert ? json_string(until) : json_null()));
		return EXIT_OK;
	}
	if (provisioned && url[0])
		snprintf(state, sizeof state, msg_get(MSG_CTL_DEVICE_ENROLLED, c->lang), url,
		         has_cert ? until : "?");
	else
		snprintf(state, sizeof state, "%s", msg_get(MSG_CTL_DEVICE_STANDALONE, c->lang));
	ctl_say(c, MSG_CTL_DEVICE_SHOW, c->ctx.device_id, state);
	return EXIT_OK;
}
