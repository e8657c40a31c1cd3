/*
 * renew.c — certificate renewal over the device's current mutual-TLS identity (renew.h).
 */
#include "sync/renew.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mbedtls/pk.h>

#include "core/messages.h"
#include "pki/pki_csr.h"
#include "pki/pki_key.h"
#include "services/device_identity.h"
#include "store/store.h"
#include "sync/device_files.h"
#include "sync/issued_cert.h"
#include "sync/provision.h"

#define DAY_SECONDS 86400

bool renew_due(const pki_cert_info *cert, int64_t now)
{
	return cert->not_after - now < (int64_t)RENEW_BEFORE_DAYS * DAY_SECONDS;
}

/* POST /v1/device/renew with the device's identity; the new certificate's PEM on 200. */
static agenda_err post_renew(agenda_ctx *ctx, const char *base, const struct device_files *files,
                             const char *ca_pem, mbedtls_pk_context *key, long timeout_ms,
                             char **cert_out, struct renew_result *out, agenda_detail *why)
{
	char url[PROVISION_URL_MAX + 24], *csr = NULL, *body = NULL;
	struct https_request post = {.method = "POST",
	                             .url = url,
	                             .ca_pem = ca_pem,
	                             .client_cert_file = files->cert,
	                             .client_key_file = files->key,
	                             .connect_timeout_ms = timeout_ms,
	                             .total_timeout_ms = timeout_ms};
	struct https_response r = {0};
	json_t *request = NULL, *answer = NULL;
	const char *cert;
	agenda_err err;

	snprintf(url, sizeof url, "%s/v1/device/renew", base);
	if ((err = pki_csr_create(&ctx->rng, key, ctx->device_id, &csr, why)) != AG_OK)
		return err;
	request = json_pack("{s:s}", "csr", csr);
	post.json_body = body = request ? json_dumps(request, JSON_COMPACT) : NULL;
	if (!body) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
		goto done;
	}
	if ((err = https_request(&post, &r, why)) != AG_OK) {
		out->network = r.failure;
		goto done;
	}
	if (r.status != 200) {
		err = central_answer_error(&r, out->server_error, why);
		goto done;
	}
	if (!(answer = central_answer_object(&r, why)) ||
	    !(cert = central_answer_string(answer, "certificate")) || !(*cert_out = strdup(cert))) {
		if (answer)
			agenda_detail_set(why, MSG_SYNC_BAD_ANSWER, r.status);
		err = AG_ERR_CORRUPT;
	}
done:
	json_decref(answer);
	https_response_free(&r);
	free(body);
	json_decref(request);
	free(csr);
	return err;
}

agenda_err renew_run(agenda_ctx *ctx, const char *data_dir, bool only_if_due, long timeout_ms,
                     struct renew_result *out, agenda_detail *why)
{
	char base[PROVISION_URL_MAX] = "", *ca_pem = NULL, *cert_pem = NULL, *fresh = NULL;
	struct device_files files = {0};
	mbedtls_pk_context key;
	pki_cert_info current, renewed;
	agenda_err err;

	memset(out, 0, sizeof *out);
	mbedtls_pk_init(&key);
	if (!device_identity_provisioned(ctx) ||
	    !store_setting_get(ctx->store, DEVICE_CENTRAL_URL_SETTING, base, sizeof base) ||
	    !base[0]) {
		agenda_detail_set(why, MSG_SYNC_NOT_PROVISIONED);
		err = AG_ERR_REFUSED;
		goto done;
	}
	snprintf(out->device_id, sizeof out->device_id, "%s", ctx->device_id);
	if ((err = device_files_locate(data_dir, &files, why)) != AG_OK ||
	    (err = device_file_read(files.ca, &ca_pem, why)) != AG_OK ||
	    (err = device_file_read(files.cert, &cert_pem, why)) != AG_OK ||
	    (err = pki_cert_read_info(cert_pem, &current, why)) != AG_OK)
		goto done;
	out->not_after = current.not_after;
	if (only_if_due && !renew_due(&current, clock_now(&ctx->clock)))
		goto done; /* AG_OK, renewed false */
	if ((err = pki_key_read_file(files.key, &key, why)) != AG_OK ||
	    (err = post_renew(ctx, base, &files, ca_pem, &key, timeout_ms, &fresh, out, why)) ||
	    (err = issued_cert_check(fresh, ca_pem, &ctx->clock, &key, ctx->device_id, &renewed,
	                             why)) != AG_OK ||
	    (err = device_file_replace(files.cert, fresh, why)) != AG_OK)
		goto done;
	out->renewed = true;
	out->not_after = renewed.not_after;
done:
	free(fresh);
	free(cert_pem);
	free(ca_pem);
	mbedtls_pk_free(&key);
	return err;
}
