/*
 * central_enrol_code.c — `agenda-central enrol-code --dir DIR --site SITE [--expires 24h]`:
 * the help desk's one-time code for a technician about to provision a device at SITE.
 *
 * The code comes from core/enrol_code with the system RNG; only its SHA-256 is stored (a copy
 * of the store does not enrol anything), with the site and the expiry (from the clock of
 * AGENDA_NOW or the system: --expires counts from then). Printed grouped, with the CA's
 * fingerprint, which the agent reads out together with the code so the technician's device
 * can tell central's CA from an impostor's (docs/CENTRAL.md, "The help-desk procedure").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_args.h"
#include "central_files.h"
#include "central_issuer.h"
#include "central_time.h"
#include "core/enrol_code.h"
#include "pki/pki_fingerprint.h"
#include "platform/clock.h"
#include "platform/rng.h"
#include "store_enrol.h"

#define DEFAULT_EXPIRY  (24 * 3600)
#define MAX_EXPIRY_DAYS 30

/* "90m", "24h", "7d" in seconds; 0 when malformed or outside 1 minute .. 30 days. */
static int64_t duration(const char *text)
{
	char *end;
	long long n = strtoll(text, &end, 10);
	int64_t unit = 0;

	if (end == text || n <= 0 || end[0] == '\0' || end[1] != '\0')
		return 0;
	unit = *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
	if (unit == 0 || n > (long long)MAX_EXPIRY_DAYS * 86400 / unit)
		return 0;
	return (int64_t)n * unit;
}

/* The CA's fingerprint, from DIR/ca.pem. */
static agenda_err ca_fingerprint(const char *dir, char out[PKI_FINGERPRINT_SIZE],
                                 agenda_detail *why)
{
	char path[CENTRAL_PATH_MAX], *pem = NULL;
	agenda_err err;

	central_path(path, dir, CENTRAL_CA_CERT);
	err = central_read_text(path, &pem, why);
	if (err == AG_OK)
		err = pki_fingerprint(pem, out, why);
	free(pem);
	return err;
}

static void report(const struct central_cli *c, const char *site, const char *code,
                   int64_t expires_at, const char *fingerprint)
{
	char expires[CENTRAL_TIME_SIZE];

	central_time_text(expires_at, expires);
	if (c->json) {
		central_emit(json_pack("{s:s, s:s, s:s, s:s}", "code", code, "site", site,
		                       "expires_at", expires, "ca_fingerprint", fingerprint));
		return;
	}
	printf(msg_get(MSG_CENTRAL_ENROL_CODE_DONE, c->lang), site, expires, code, fingerprint);
	printf("\n");
	fflush(stdout);
}

/* A new code for the site, stored by its hash; *code gets the code itself. */
static agenda_err make_code(central_store *s, const char *site, int64_t now, int64_t expires_at,
                            char code[ENROL_CODE_SIZE], agenda_detail *why)
{
	struct rng_state *rs = NULL;
	agenda_rng rng;
	agenda_err err = AG_ERR_EXISTS;

	if (rng_open_system(&rng, &rs) != AG_OK) {
		agenda_detail_set(why, MSG_RNG_FAILED);
		return AG_ERR_IO;
	}
	/* 72.9 random bits: a collision with a stored code is never expected; if one came, the
	 * unique hash refuses it and a new code is drawn */
	for (int attempt = 0; attempt < 3 && err == AG_ERR_EXISTS; attempt++) {
		char hash[CENTRAL_SHA256_HEX_SIZE];

		err = enrol_code_generate(&rng, code);
		if (err != AG_OK) {
			agenda_detail_set(why, MSG_RNG_FAILED);
			break;
		}
		central_sha256_hex(code, strlen(code), hash);
		err = central_store_add_enrol_code(s, hash, site, now, expires_at, why);
	}
	rng_close(rs);
	return err;
}

int central_enrol_code(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0},
	                          {"--site", true, 1, {0}, 0},
	                          {"--expires", false, 1, {0}, 0}};
	char code[ENROL_CODE_SIZE], fingerprint[PKI_FINGERPRINT_SIZE];
	int64_t clock_storage = 0, lifetime, now;
	const char *dir, *site, *expires;
	central_store *s = NULL;
	agenda_clock clock;
	agenda_detail why;
	agenda_err err;
	int status = central_args_parse(c, argc, argv, o, 3);

	if (status != CENTRAL_EXIT_OK)
		return status;
	dir = central_opt(&o[0]);
	site = central_opt(&o[1]);
	expires = central_opt(&o[2]);
	lifetime = expires ? duration(expires) : DEFAULT_EXPIRY;
	if (lifetime == 0)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_EXPIRY, expires);
	if (strlen(site) > CENTRAL_SITE_CODE_MAX)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_SITE_BAD_CODE, site,
		                        CENTRAL_SITE_CODE_MAX);
	if (clock_from_env(&clock, &clock_storage) != AG_OK)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_ARG, CLOCK_ENV);
	now = clock_now(&clock);
	err = ca_fingerprint(dir, fingerprint, &why);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	status = central_open_store(c, dir, &s);
	if (status != CENTRAL_EXIT_OK)
		return status;
	err = make_code(s, site, now, now + lifetime, code, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	report(c, site, code, now + lifetime, fingerprint);
	return CENTRAL_EXIT_OK;
}
