/*
 * central_device_auth.h — who a device is, from its TLS client certificate.
 *
 * libmicrohttpd with a trust list only *asks* for a client certificate (DESIGN.md, "Facts"):
 * a handshake without one, or with one from another CA, still succeeds. So every /v1/device/
 * request is checked here before anything of it is read: GnuTLS verifies the peer's chain
 * against the agenda's CA (the trust list given to the server), its validity at the current
 * time and the clientAuth key purpose (gnutls_certificate_verify_peers with
 * GNUTLS_KP_TLS_WWW_CLIENT: verify_peers2 would ignore the extended key usage). The device id
 * is the certificate's CN, as central issued it (pki_client_cert.h).
 */
#ifndef AGENDA_CENTRAL_DEVICE_AUTH_H
#define AGENDA_CENTRAL_DEVICE_AUTH_H

#include <stdbool.h>

#include "central_metrics.h"

#define CENTRAL_DEVICE_ID_SIZE 65 /* a CN of at most 64 characters + NUL */

/*
 * True when the TLS session (a gnutls_session_t) carries a client certificate that passes the
 * checks above; device_id gets its CN. False with *why the reason otherwise.
 */
bool central_device_auth(void *tls_session, char device_id[CENTRAL_DEVICE_ID_SIZE],
                         enum central_refusal *why);

#endif
