/*
 * central_enrol_route.c — POST /v1/enrol (central_enrol_route.h).
 */
#include "central_enrol_route.h"

#include <string.h>

#include <jansson.h>

#include "central_reply.h"
#include "central_time.h"
#include "core/enrol_code.h"
#include "store_enrol.h"

#define ROUTE ROUTE_ENROL

static enum MHD_Result unavailable(struct central_server *srv, struct MHD_Connection *conn,
                                   agenda_err err, const agenda_detail *why)
{
	central_server_store_failed(srv, err, why);
	central_metrics_enrol(ENROL_METRIC_UNAVAILABLE);
	return central_reply_error(conn, ROUTE, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
	                           MSG_CENTRAL_UNAVAILABLE);
}

bool central_enrol_blocked(struct central_server *srv, struct MHD_Connection *conn,
                           const char *address, enum MHD_Result *result)
{
	int64_t left = 0;
	agenda_detail why;
	central_store *s = central_server_store(srv, &why);
	agenda_err err = s ? central_store_throttle_left(
	                             s, address, central_issuer_now(&srv->issuer), &left, &why)
	                   : AG_ERR_IO;

	if (err != AG_OK) {
		*result = unavailable(srv, conn, err, &why);
		return true;
	}
	if (left <= 0)
		return false;
	central_metrics_enrol(ENROL_METRIC_THROTTLED);
	*result = central_reply_throttled(conn, ROUTE, left);
	return true;
}

/* A wrong code: counted against the address, then answered. */
static enum MHD_Result wrong_code(struct central_server *srv, struct MHD_Connection *conn,
                                  const char *address, unsigned status, const char *error,
                                  const agenda_detail *answer, enum central_enrol_metric metric)
{
	int64_t left = 0;
	agenda_detail why;
	central_store *s = central_server_store(srv, &why);
	agenda_err err = s ? central_store_throttle_failure(
	                             s, address, central_issuer_now(&srv->issuer), &left, &why)
	                   : AG_ERR_IO;

	if (err != AG_OK)
		return unavailable(srv, conn, err, &why);
	central_metrics_enrol(metric);
	return central_reply_detail(conn, ROUTE, status, error, answer);
}

static enum MHD_Result bad_request(struct MHD_Connection *conn, const agenda_detail *why)
{
	central_metrics_enrol(ENROL_METRIC_BAD_REQUEST);
	return central_reply_detail(conn, ROUTE, MHD_HTTP_BAD_REQUEST, "bad_request", why);
}

static enum MHD_Result enrolled(struct central_server *srv, struct MHD_Connection *conn,
                                const central_device *d, enum central_enrol_outcome outcome)
{
	char not_after[CENTRAL_TIME_SIZE];

	central_time_text(d->not_after, not_after);
	central_metrics_enrol(outcome == ENROL_ISSUED ? ENROL_METRIC_ISSUED
	                                              : ENROL_METRIC_REPEATED);
	return central_reply_json(conn, ROUTE, MHD_HTTP_OK,
	                          json_pack("{s:s, s:s, s:s, s:s, s:s}", "device_id", d->id, "site",
	                                    d->site, "certificate", d->certificate, "ca",
	                                    srv->issuer.ca_pem, "not_after", not_after));
}

/* The code is well formed and the request signed: the store decides. */
static enum MHD_Result consume(struct central_server *srv, struct MHD_Connection *conn,
                               const char *address, const char *code, const char *csr,
                               const char *key)
{
	struct central_sign_request request = {&srv->issuer, csr};
	char code_sha256[CENTRAL_SHA256_HEX_SIZE];
	enum central_enrol_outcome outcome;
	central_device device;
	agenda_detail why;
	central_store *s = central_server_store(srv, &why);
	agenda_err err;
	enum MHD_Result result;

	if (!s)
		return unavailable(srv, conn, AG_ERR_IO, &why);
	central_sha256_hex(code, strlen(code), code_sha256);
	err = central_store_enrol(s, code_sha256, key, central_issuer_now(&srv->issuer),
	                          central_issuer_sign_request, &request, &outcome, &device, &why);
	if (err == AG_ERR_INVALID)
		return bad_request(conn, &why); /* the signer refused the request */
	if (err != AG_OK)
		return unavailable(srv, conn, err, &why);
	switch (outcome) {
	case ENROL_ISSUED:
	case ENROL_REPEATED:
		result = enrolled(srv, conn, &device, outcome);
		central_device_clear(&device);
		return result;
	case ENROL_USED:
		central_metrics_enrol(ENROL_METRIC_CODE_USED);
		return central_reply_error(conn, ROUTE, MHD_HTTP_GONE, "code_used",
		                           MSG_CENTRAL_CODE_USED);
	case ENROL_EXPIRED:
		central_metrics_enrol(ENROL_METRIC_CODE_EXPIRED);
		return central_reply_error(conn, ROUTE, MHD_HTTP_GONE, "code_expired",
		                           MSG_CENTRAL_CODE_EXPIRED);
	default:
		agenda_detail_set(&why, MSG_CENTRAL_CODE_UNKNOWN);
		return wrong_code(srv, conn, address, MHD_HTTP_FORBIDDEN, "code_unknown", &why,
		                  ENROL_METRIC_CODE_UNKNOWN);
	}
}

enum MHD_Result central_enrol_answer(struct central_server *srv, struct MHD_Connection *conn,
                                     const char *address, const char *body, size_t length)
{
	char code[ENROL_CODE_SIZE], key[CENTRAL_SHA256_HEX_SIZE];
	const char *typed = NULL, *csr = NULL;
	json_t *root = json_loadb(body, length, 0, NULL);
	agenda_detail why;
	enum MHD_Result result;

	if (!root || json_unpack(root, "{s:s, s:s}", "code", &typed, "csr", &csr) != 0) {
		agenda_detail_set(&why, MSG_CENTRAL_BAD_REQUEST, "{\"code\", \"csr\"}");
		result = bad_request(conn, &why);
	} else if (enrol_code_normalise(typed, code, &why) != AG_OK) {
		/* not the device's own words ("nothing was sent"): it was sent, and it counts */
		agenda_detail_set(&why, MSG_CENTRAL_CODE_MALFORMED);
		result = wrong_code(srv, conn, address, MHD_HTTP_BAD_REQUEST, "code_malformed",
		                    &why, ENROL_METRIC_CODE_MALFORMED);
	} else if (central_csr_key_hash(csr, key, &why) != AG_OK) {
		result = bad_request(conn, &why);
	} else {
		result = consume(srv, conn, address, code, csr, key);
	}
	json_decref(root);
	return result;
}
