/*
 * central_device_auth.c — the client-certificate check of every /v1/device/ request.
 */
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "central_device_auth.h"

/* The CN of the peer's own (first) certificate; false when it has none that fits. */
static bool peer_common_name(gnutls_session_t session, char out[CENTRAL_DEVICE_ID_SIZE])
{
	const gnutls_datum_t *chain;
	unsigned int count = 0;
	gnutls_x509_crt_t crt;
	size_t size = CENTRAL_DEVICE_ID_SIZE;
	bool ok;

	chain = gnutls_certificate_get_peers(session, &count);
	if (!chain || count == 0 || gnutls_x509_crt_init(&crt) < 0)
		return false;
	ok = gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER) >= 0 &&
	     gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, out, &size) >=
	             0 &&
	     size > 0;
	gnutls_x509_crt_deinit(crt);
	return ok;
}

bool central_device_auth(void *tls_session, char device_id[CENTRAL_DEVICE_ID_SIZE],
                         enum central_refusal *why)
{
	gnutls_session_t session = tls_session;
	gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
	                                 (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT, 0};
	unsigned int status = 0, count = 0;
	int rc;

	*why = REFUSED_NO_CERT;
	if (!session || gnutls_certificate_type_get(session) != GNUTLS_CRT_X509 ||
	    !gnutls_certificate_get_peers(session, &count) || count == 0)
		return false;
	*why = REFUSED_UNTRUSTED;
	rc = gnutls_certificate_verify_peers(session, &purpose, 1, &status);
	if (rc < 0 || status != 0)
		return false;
	return peer_common_name(session, device_id);
}
