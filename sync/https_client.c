/*
 * https_client.c — one HTTPS request on libcurl's easy interface, over mbedTLS.
 *
 * A new easy handle per request: the device makes a handful of these a day (enrolment,
 * renewal), and a fresh handle carries no state (cookies, connections, TLS sessions) from one to
 * the next. Rounds keep theirs in sync_session.c; both share https_transport.c.
 */
#include "sync/https_client.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/messages.h"
#include "sync/https_transport.h"

agenda_err https_request(const struct https_request *req, struct https_response *out,
                         agenda_detail *why)
{
	CURL *curl;
	agenda_err err;

	if ((err = https_request_check(req, out, why)) != AG_OK)
		return err;
	if (!(curl = curl_easy_init())) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	err = https_perform(curl, req, HTTPS_BODY_MAX, out, why);
	curl_easy_cleanup(curl);
	return err;
}

void https_response_free(struct https_response *r)
{
	if (!r)
		return;
	free(r->body);
	r->body = NULL;
	r->length = 0;
}

const char *https_tls_library(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	return v && v->ssl_version ? v->ssl_version : "";
}
