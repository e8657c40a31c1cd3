/*
 * pki_fingerprint.c — SHA-256 fingerprints, grouped for reading out (pki_fingerprint.h).
 */
#include "pki/pki_fingerprint.h"

#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "core/messages.h"

#define DIGITS 64

agenda_err pki_fingerprint(const char *cert_pem, char out[PKI_FINGERPRINT_SIZE],
                           agenda_detail *detail)
{
	static const char HEX[] = "0123456789ABCDEF";
	mbedtls_x509_crt crt;
	unsigned char digest[32];
	char *o = out;
	int rc;

	mbedtls_x509_crt_init(&crt);
	rc = cert_pem ? mbedtls_x509_crt_parse(&crt, (const unsigned char *)cert_pem,
	                                       strlen(cert_pem) + 1)
	              : -1;
	if (rc != 0 || mbedtls_sha256_ret(crt.raw.p, crt.raw.len, digest, 0) != 0) {
		mbedtls_x509_crt_free(&crt);
		agenda_detail_set(detail, MSG_PKI_BAD_CERT);
		return AG_ERR_INVALID;
	}
	for (size_t i = 0; i < sizeof digest; i++) {
		if (i > 0 && i % 2 == 0)
			*o++ = ' ';
		*o++ = HEX[digest[i] >> 4];
		*o++ = HEX[digest[i] & 0x0f];
	}
	*o = '\0';
	mbedtls_x509_crt_free(&crt);
	return AG_OK;
}

/* The hex digits of text, upper case, separators dropped; false on anything else. */
static bool hex_digits(const char *text, char out[DIGITS + 1])
{
	size_t n = 0;

	if (!text)
		return false;
	for (; *text; text++) {
		char c = *text;

		if (c == ' ' || c == ':' || c == '-' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) || n == DIGITS)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == DIGITS;
}

bool pki_fingerprint_equal(const char *a, const char *b)
{
	char x[DIGITS + 1], y[DIGITS + 1];

	return hex_digits(a, x) && hex_digits(b, y) && memcmp(x, y, DIGITS) == 0;
}
