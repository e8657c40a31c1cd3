/*
 * pki_cert_info.h — what the device and central read back from a certificate.
 *
 * The device takes its device id from the CN of the certificate central issued it, and both
 * sides use notAfter to decide when to renew. Times are seconds since the epoch (UTC).
 */
#ifndef AGENDA_PKI_CERT_INFO_H
#define AGENDA_PKI_CERT_INFO_H

#include <stdint.h>

#include "core/error.h"
#include "pki/pki_issue.h"

typedef struct pki_cert_info {
	char common_name[PKI_NAME_SIZE]; /* the device id of a device certificate */
	int64_t not_before;
	int64_t not_after;
	int is_ca;
} pki_cert_info;

/* Reads the first certificate in cert_pem. AG_ERR_INVALID when unreadable or without a CN. */
agenda_err pki_cert_read_info(const char *cert_pem, pki_cert_info *info, agenda_detail *detail);

#endif
