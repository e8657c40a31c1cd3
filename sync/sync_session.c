/*
 * sync_session.c — one kept libcurl handle per central (sync_session.h).
 *
 * curl_easy_reset() before each request clears the previous request's options but keeps the
 * handle's live connections and TLS session cache: that is the reuse. Every option is set
 * again by https_perform, so no request inherits another's body or bounds.
 */
#include "sync/sync_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/messages.h"
#include "services/device_identity.h"
#include "sync/device_files.h"
#include "sync/https_transport.h"
#include "sync/protocol.h"
#include "sync/provision.h"

struct sync_session {
	CURL *curl;
	char base[PROVISION_URL_MAX];
	char *ca_pem;
	struct device_files files;
	long connections;
};

agenda_err sync_session_open(agenda_ctx *ctx, const char *data_dir, sync_session **out,
                             agenda_detail *why)
{
	sync_session *s;
	agenda_err err;

	*out = NULL;
	if (!(s = calloc(1, sizeof *s))) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	if (!device_identity_provisioned(ctx) ||
	    !store_setting_get(ctx->store, DEVICE_CENTRAL_URL_SETTING, s->base, sizeof s->base) ||
	    !s->base[0]) {
		agenda_detail_set(why, MSG_SYNC_NOT_PROVISIONED);
		err = AG_ERR_REFUSED;
		goto fail;
	}
	if ((err = device_files_locate(data_dir, &s->files, why)) != AG_OK ||
	    (err = device_file_read(s->files.ca, &s->ca_pem, why)) != AG_OK)
		goto fail;
	if (!(s->curl = curl_easy_init())) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
		goto fail;
	}
	*out = s;
	return AG_OK;
fail:
	sync_session_close(s);
	return err;
}

agenda_err sync_session_post(sync_session *s, const char *path, const char *json, long total_ms,
                             struct https_response *out, agenda_detail *why)
{
	char url[PROVISION_URL_MAX + 64];
	long total = total_ms > 0 ? total_ms : HTTPS_TOTAL_TIMEOUT_MS;
	struct https_request post = {
	        .method = "POST",
	        .url = url,
	        .json_body = json,
	        .ca_pem = s->ca_pem,
	        .client_cert_file = s->files.cert,
	        .client_key_file = s->files.key,
	        .connect_timeout_ms = total < HTTPS_CONNECT_TIMEOUT_MS ? total : 0,
	        .total_timeout_ms = total,
	};
	long connects = 0;
	agenda_err err;

	snprintf(url, sizeof url, "%s%s", s->base, path);
	curl_easy_reset(s->curl);
	err = https_perform(s->curl, &post, SYNC_MAX_BODY_BYTES, out, why);
	if (curl_easy_getinfo(s->curl, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK)
		s->connections += connects;
	return err;
}

long sync_session_connections(const sync_session *s)
{
	return s->connections;
}

void sync_session_close(sync_session *s)
{
	if (!s)
		return;
	if (s->curl)
		curl_easy_cleanup(s->curl);
	free(s->ca_pem);
	free(s);
}
