/*
 * central_renew_route.c — POST /v1/device/renew (central_renew_route.h).
 */
#include "central_renew_route.h"

#include <jansson.h>

#include "central_reply.h"
#include "central_time.h"
#include "store_enrol.h"

#define ROUTE ROUTE_DEVICE_RENEW

static enum MHD_Result renew(struct central_server *srv, struct MHD_Connection *conn,
                             const char *device_id, const char *csr, const char *key)
{
	struct central_sign_request request = {&srv->issuer, csr};
	char not_after[CENTRAL_TIME_SIZE];
	central_device device;
	agenda_detail why;
	central_store *s = central_server_store(srv, &why);
	agenda_err err =
	        s ? central_store_renew_device(s, device_id, key, central_issuer_now(&srv->issuer),
	                                       central_issuer_sign_request, &request, &device, &why)
	          : AG_ERR_IO;
	enum MHD_Result result;

	switch (err) {
	case AG_OK:
		break;
	case AG_ERR_INVALID: /* the signer refused the request */
	case AG_ERR_REFUSED: /* another key (revoked was refused at the gate) */
		return central_reply_detail(conn, ROUTE, MHD_HTTP_BAD_REQUEST, "bad_request", &why);
	case AG_ERR_NOT_FOUND:
		return central_reply_error(conn, ROUTE, MHD_HTTP_FORBIDDEN, "revoked",
		                           MSG_CENTRAL_REVOKED);
	default:
		central_server_store_failed(srv, err, &why);
		return central_reply_error(conn, ROUTE, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
		                           MSG_CENTRAL_UNAVAILABLE);
	}
	central_time_text(device.not_after, not_after);
	result = central_reply_json(conn, ROUTE, MHD_HTTP_OK,
	                            json_pack("{s:s, s:s, s:s}", "device_id", device.id,
	                                      "certificate", device.certificate, "not_after",
	                                      not_after));
	central_device_clear(&device);
	return result;
}

enum MHD_Result central_renew_answer(struct central_server *srv, struct MHD_Connection *conn,
                                     const char *device_id, const char *body, size_t length)
{
	char key[CENTRAL_SHA256_HEX_SIZE];
	const char *csr = NULL;
	json_t *root = json_loadb(body, length, 0, NULL);
	agenda_detail why;
	enum MHD_Result result;

	if (!root || json_unpack(root, "{s:s}", "csr", &csr) != 0) {
		agenda_detail_set(&why, MSG_CENTRAL_BAD_REQUEST, "{\"csr\"}");
		result = central_reply_detail(conn, ROUTE, MHD_HTTP_BAD_REQUEST, "bad_request",
		                              &why);
	} else if (central_csr_key_hash(csr, key, &why) != AG_OK) {
		result = central_reply_detail(conn, ROUTE, MHD_HTTP_BAD_REQUEST, "bad_request",
		                              &why);
	} else {
		result = renew(srv, conn, device_id, csr, key);
	}
	json_decref(root);
	return result;
}
