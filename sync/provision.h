/*
 * provision.h — enrolling the device with agenda-central through the help desk.
 *
 * The technician types central's address, the one-time code and the CA fingerprint the help
 * desk dictated (agendactl provision, the kiosk's Tecnico screen). provision_run then:
 *   1. checks the code's check character and the fingerprint's shape here: a typo is caught
 *      before anything is sent (and before a throttled attempt is burnt at central);
 *   2. refuses a device already enrolled — unless with this same central (a repeated run:
 *      nothing to do);
 *   3. fetches GET /v1/ca without checking the server (no trust anchor yet) and compares the
 *      CA's fingerprint with the typed one: a mismatch stops everything, nothing is sent;
 *   4. makes device.key once (0600, never sent; a repeated run reuses it) and a CSR;
 *   5. POST /v1/enrol with the server now checked against that CA only;
 *   6. checks the certificate (issued_cert.h), writes ca.pem and device.pem atomically, records
 *      the central's address and site in the settings, and takes the device id from the
 *      certificate (device_identity_assign: exactly once).
 * Every step is safe to repeat: a run cut after central answered and before the files were
 * written is finished by running it again — same key, so central returns the same certificate.
 */
#ifndef AGENDA_SYNC_PROVISION_H
#define AGENDA_SYNC_PROVISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/context.h"
#include "sync/central_answer.h"
#include "sync/https_client.h"

#define PROVISION_URL_MAX  256
#define PROVISION_SITE_MAX 32
#define PROVISION_FP_HEX   64

struct provision_request {
	const char *central_url;    /* https://NAME:PORT as typed (trailing slashes ignored) */
	const char *code;           /* as typed: case, spaces and dashes do not matter */
	const char *ca_fingerprint; /* as typed: spaces, colons, dashes and case do not matter */
	const char *data_dir;       /* the database's folder (device_files.h) */
	long timeout_ms;            /* per request; 0: https_client's defaults */
};

struct provision_result {
	char device_id[DEVICE_ID_MAX];
	char site[PROVISION_SITE_MAX];
	int64_t not_after;     /* the certificate's, seconds since the epoch */
	bool resumed;          /* already enrolled with this central: nothing was sent */
	https_failure network; /* HTTPS_ANSWERED unless central could not be reached */
	char server_error[CENTRAL_TOKEN_SIZE]; /* central's token when it refused ("" otherwise) */
	long retry_after;                      /* seconds, when central throttled */
};

/*
 * Runs the steps above. AG_OK with out filled; otherwise the error and why (central_answer.h for
 * central's refusals; AG_ERR_INVALID for a mistyped code, fingerprint or address; AG_ERR_REFUSED
 * for a fingerprint mismatch, a TLS failure or an enrolment elsewhere; AG_ERR_IO with
 * out->network set when central could not be reached).
 */
agenda_err provision_run(agenda_ctx *ctx, const char *actor, const struct provision_request *req,
                         struct provision_result *out, agenda_detail *why);

/*
 * The 64 hex digits of a typed fingerprint, upper case, into out; spaces, colons and dashes
 * are skipped. Returns how many hex digits were typed (64 when well formed), or -1 when the text
 * holds anything else.
 */
int provision_fingerprint_digits(const char *typed, char out[PROVISION_FP_HEX + 1]);

/*
 * Central's address in canonical form ("https://name:port", no trailing slash) into out.
 * AG_ERR_INVALID when it is not https://, has no host, names an IP address (mbedTLS cannot
 * match those against the certificate), or does not fit.
 */
agenda_err provision_central_url(const char *typed, char out[PROVISION_URL_MAX],
                                 agenda_detail *why);

#endif
