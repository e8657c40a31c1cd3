/*
 * provision.c — enrolment with agenda-central (provision.h): the steps in the order that keeps
 * every failure harmless. Nothing is written before central's certificate has been checked, and
 * the device id is taken last, so a cut run leaves a device that simply runs the command again.
 */
#include "sync/provision.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mbedtls/pk.h>

#include "core/enrol_code.h"
#include "core/messages.h"
#include "pki/pki_cert_info.h"
#include "pki/pki_csr.h"
#include "pki/pki_fingerprint.h"
#include "pki/pki_key.h"
#include "services/device_identity.h"
#include "store/store.h"
#include "sync/device_files.h"
#include "sync/issued_cert.h"

#define SITE_SETTING "central_site"

int provision_fingerprint_digits(const char *typed, char out[PROVISION_FP_HEX + 1])
{
	int n = 0;

	for (const char *p = typed; *p; p++) {
		if (*p == ' ' || *p == ':' || *p == '-' || *p == '\t')
			continue;
		if (!isxdigit((unsigned char)*p))
			return -1;
		if (n < PROVISION_FP_HEX)
			out[n] = (char)toupper((unsigned char)*p);
		n++;
	}
	out[n < PROVISION_FP_HEX ? n : PROVISION_FP_HEX] = '\0';
	return n;
}

/* Dotted digits only (an IPv4 address), or an IPv6 literal in brackets. */
static bool is_ip_literal(const char *host, size_t len)
{
	if (len > 0 && host[0] == '[')
		return true;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)host[i]) && host[i] != '.')
			return false;
	return len > 0;
}

agenda_err provision_central_url(const char *typed, char out[PROVISION_URL_MAX], agenda_detail *why)
{
	static const char scheme[] = "https://";
	const char *host = typed + strlen(scheme), *end;
	size_t len;

	if (strncmp(typed, scheme, strlen(scheme)) != 0)
		goto bad;
	len = strlen(typed);
	while (len > strlen(scheme) && typed[len - 1] == '/')
		len--;
	end = typed + len;
	if (host == end || len >= PROVISION_URL_MAX)
		goto bad;
	/* host[:port] only: no user, no path, no query */
	const char *colon = memchr(host, ':', (size_t)(end - host));
	size_t host_len = colon ? (size_t)(colon - host) : (size_t)(end - host);
	for (const char *p = host; p < host + host_len; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && *p != '[')
			goto bad;
	if (host_len == 0 || is_ip_literal(host, host_len))
		goto bad;
	if (colon) {
		if (colon + 1 == end || end - (colon + 1) > 5)
			goto bad;
		for (const char *p = colon + 1; p < end; p++)
			if (!isdigit((unsigned char)*p))
				goto bad;
	}
	snprintf(out, PROVISION_URL_MAX, "%.*s", (int)len, typed);
	return AG_OK;
bad:
	agenda_detail_set(why, MSG_SYNC_URL_BAD, typed);
	return AG_ERR_INVALID;
}

/* A request's outcome that did not reach an answer: remember why for the caller. */
static agenda_err network_failed(agenda_err err, const struct https_response *r,
                                 struct provision_result *out)
{
	out->network = r->failure;
	return err;
}

/* GET /v1/ca without checking the server, then the fingerprint: the CA's PEM, or NULL. */
static agenda_err fetch_ca(const char *base, const struct provision_request *req,
                           const char *typed_fp, char **ca_pem, struct provision_result *out,
                           agenda_detail *why)
{
	char url[PROVISION_URL_MAX + 16], fingerprint[PKI_FINGERPRINT_SIZE];
	struct https_request get = {.method = "GET",
	                            .url = url,
	                            .insecure = true, /* ONLY here: the fingerprint decides */
	                            .total_timeout_ms = req->timeout_ms,
	                            .connect_timeout_ms = req->timeout_ms};
	struct https_response r;
	pki_cert_info info;
	agenda_err err;

	snprintf(url, sizeof url, "%s/v1/ca", base);
	err = https_request(&get, &r, why);
	if (err != AG_OK)
		return network_failed(err, &r, out);
	if (r.status != 200) {
		err = central_answer_error(&r, out->server_error, why);
		https_response_free(&r);
		return err;
	}
	if (pki_fingerprint(r.body, fingerprint, NULL) != AG_OK ||
	    pki_cert_read_info(r.body, &info, NULL) != AG_OK || !info.is_ca) {
		https_response_free(&r);
		agenda_detail_set(why, MSG_SYNC_CA_BAD);
		return AG_ERR_REFUSED;
	}
	if (!pki_fingerprint_equal(fingerprint, typed_fp)) {
		https_response_free(&r);
		agenda_detail_set(why, MSG_SYNC_FP_MISMATCH, fingerprint);
		return AG_ERR_REFUSED;
	}
	*ca_pem = r.body; /* ownership passes to the caller */
	return AG_OK;
}

/* device.key: read it when a former run made it, else make it (0600) now. */
static agenda_err device_key(agenda_ctx *ctx, const struct device_files *files,
                             mbedtls_pk_context *key, agenda_detail *why)
{
	agenda_err err = pki_key_read_file(files->key, key, why);

	if (err != AG_ERR_NOT_FOUND)
		return err;
	mbedtls_pk_free(key);
	mbedtls_pk_init(key);
	if ((err = pki_key_generate(&ctx->rng, key)) != AG_OK) {
		agenda_detail_set(why, MSG_RNG_FAILED);
		return err;
	}
	err = pki_key_write_file(key, files->key, why);
	if (err == AG_ERR_EXISTS) { /* a concurrent run made it first: use that one */
		mbedtls_pk_free(key);
		mbedtls_pk_init(key);
		err = pki_key_read_file(files->key, key, why);
	}
	return err;
}

/* POST /v1/enrol with the CA pinned; the answer's object on 200. */
static agenda_err post_enrol(agenda_ctx *ctx, const char *base, const char *code,
                             const char *ca_pem, mbedtls_pk_context *key,
                             const struct provision_request *req, json_t **answer,
                             struct provision_result *out, agenda_detail *why)
{
	char url[PROVISION_URL_MAX + 16], *csr = NULL, *body = NULL;
	struct https_request post = {.method = "POST",
	                             .url = url,
	                             .ca_pem = ca_pem,
	                             .total_timeout_ms = req->timeout_ms,
	                             .connect_timeout_ms = req->timeout_ms};
	struct https_response r = {0};
	json_t *request = NULL;
	agenda_err err;

	snprintf(url, sizeof url, "%s/v1/enrol", base);
	if ((err = pki_csr_create(&ctx->rng, key, ctx->device_id, &csr, why)) != AG_OK)
		return err;
	request = json_pack("{s:s, s:s}", "code", code, "csr", csr);
	post.json_body = body = request ? json_dumps(request, JSON_COMPACT) : NULL;
	if (!body) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
		goto done;
	}
	err = https_request(&post, &r, why);
	if (err != AG_OK) {
		err = network_failed(err, &r, out);
		goto done;
	}
	if (r.status != 200) {
		err = central_answer_error(&r, out->server_error, why);
		out->retry_after = r.retry_after;
		goto done;
	}
	if (!(*answer = central_answer_object(&r, why)))
		err = AG_ERR_CORRUPT;
done:
	https_response_free(&r);
	free(body);
	json_decref(request);
	free(csr);
	return err;
}

/* Checks central's answer and writes the files and settings; the device id comes last. */
static agenda_err store_identity(agenda_ctx *ctx, const char *actor, const char *base,
                                 const struct device_files *files, const char *ca_pem,
                                 mbedtls_pk_context *key, json_t *answer,
                                 struct provision_result *out, agenda_detail *why)
{
	const char *device_id = central_answer_string(answer, "device_id");
	const char *site = central_answer_string(answer, "site");
	const char *cert = central_answer_string(answer, "certificate");
	const char *ca = central_answer_string(answer, "ca");
	char fp_ours[PKI_FINGERPRINT_SIZE], fp_theirs[PKI_FINGERPRINT_SIZE];
	pki_cert_info info;
	agenda_err err;

	if (!device_id || !cert || !ca || strlen(device_id) >= sizeof out->device_id ||
	    (site && strlen(site) >= sizeof out->site) ||
	    pki_fingerprint(ca, fp_theirs, NULL) != AG_OK ||
	    pki_fingerprint(ca_pem, fp_ours, NULL) != AG_OK || strcmp(fp_ours, fp_theirs) != 0) {
		agenda_detail_set(why, MSG_SYNC_BAD_ANSWER, 200L);
		return AG_ERR_CORRUPT;
	}
	if ((err = issued_cert_check(cert, ca_pem, &ctx->clock, key, device_id, &info, why)))
		return err;
	if ((err = device_file_replace(files->ca, ca_pem, why)) != AG_OK ||
	    (err = device_file_replace(files->cert, cert, why)) != AG_OK ||
	    (err = store_setting_set(ctx->store, DEVICE_CENTRAL_URL_SETTING, base, why)) != AG_OK ||
	    (err = store_setting_set(ctx->store, SITE_SETTING, site ? site : "", why)) != AG_OK)
		return err;
	if ((err = device_identity_assign(ctx, actor, device_id, why)) != AG_OK)
		return err;
	snprintf(out->device_id, sizeof out->device_id, "%s", device_id);
	snprintf(out->site, sizeof out->site, "%s", site ? site : "");
	out->not_after = info.not_after;
	return AG_OK;
}

/* Already enrolled: fine with the same central (a repeated run), refused with any other. */
static agenda_err already_enrolled(agenda_ctx *ctx, const char *base,
                                   const struct device_files *files, struct provision_result *out,
                                   agenda_detail *why)
{
	char stored[PROVISION_URL_MAX] = "", *cert = NULL;
	pki_cert_info info;
	bool same;

	same = store_setting_get(ctx->store, DEVICE_CENTRAL_URL_SETTING, stored, sizeof stored) &&
	       strcmp(stored, base) == 0 && device_file_read(files->cert, &cert, NULL) == AG_OK &&
	       pki_cert_read_info(cert, &info, NULL) == AG_OK &&
	       strcmp(info.common_name, ctx->device_id) == 0;
	free(cert);
	if (!same) {
		agenda_detail_set(why, MSG_SYNC_ALREADY_PROVISIONED, ctx->device_id);
		return AG_ERR_REFUSED;
	}
	out->resumed = true;
	snprintf(out->device_id, sizeof out->device_id, "%s", ctx->device_id);
	store_setting_get(ctx->store, SITE_SETTING, out->site, sizeof out->site);
	out->not_after = info.not_after;
	return AG_OK;
}

agenda_err provision_run(agenda_ctx *ctx, const char *actor, const struct provision_request *req,
                         struct provision_result *out, agenda_detail *why)
{
	char code[ENROL_CODE_SIZE], base[PROVISION_URL_MAX], digits[PROVISION_FP_HEX + 1];
	struct device_files files = {0};
	mbedtls_pk_context key;
	json_t *answer = NULL;
	char *ca_pem = NULL;
	agenda_err err;
	int n;

	memset(out, 0, sizeof *out);
	mbedtls_pk_init(&key);
	/* 1. what the technician typed, checked before anything is sent */
	if ((err = enrol_code_normalise(req->code, code, why)) != AG_OK)
		goto done;
	if ((n = provision_fingerprint_digits(req->ca_fingerprint, digits)) != PROVISION_FP_HEX) {
		agenda_detail_set(why, MSG_SYNC_FP_MALFORMED, n < 0 ? 0 : n);
		err = AG_ERR_INVALID;
		goto done;
	}
	if ((err = provision_central_url(req->central_url, base, why)) != AG_OK ||
	    (err = device_files_locate(req->data_dir, &files, why)) != AG_OK)
		goto done;
	/* 2. one central per device */
	if (device_identity_provisioned(ctx)) {
		err = already_enrolled(ctx, base, &files, out, why);
		goto done;
	}
	/* 3. central's CA, accepted only with the dictated fingerprint */
	if ((err = fetch_ca(base, req, digits, &ca_pem, out, why)) != AG_OK)
		goto done;
	/* 4.-5. the key (made once) and the request, over TLS checked against that CA */
	if ((err = device_key(ctx, &files, &key, why)) != AG_OK ||
	    (err = post_enrol(ctx, base, code, ca_pem, &key, req, &answer, out, why)) != AG_OK)
		goto done;
	/* 6. checked, written, and the id taken */
	err = store_identity(ctx, actor, base, &files, ca_pem, &key, answer, out, why);
done:
	json_decref(answer);
	free(ca_pem);
	mbedtls_pk_free(&key);
	return err;
}
