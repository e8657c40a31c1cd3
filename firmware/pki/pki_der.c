/*
 * pki_der.c — subjectAltName and extendedKeyUsage values in DER (pki_der.h).
 */
#include "pki/pki_der.h"

#include <string.h>

#include <mbedtls/asn1write.h>

int pki_der_host_is_valid(const char *host)
{
	size_t n = host ? strlen(host) : 0;

	if (n == 0 || n > PKI_HOST_MAX || host[0] == '.' || host[0] == '-' || host[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = host[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '-' || (c == '.' && host[i + 1] != '.');

		if (!ok)
			return 0;
	}
	return 1;
}

/*
 * DER is written backwards: the contents (len bytes ending at the end of buf) are already at p;
 * this puts the SEQUENCE's length and tag in front and returns the whole length, or -1.
 */
static int close_sequence(unsigned char *p, unsigned char *buf, size_t len, unsigned char **start)
{
	int ret;

	if ((ret = mbedtls_asn1_write_len(&p, buf, len)) < 0)
		return -1;
	len += (size_t)ret;
	if ((ret = mbedtls_asn1_write_tag(&p, buf,
	                                  MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
		return -1;
	len += (size_t)ret;
	*start = p;
	return (int)len;
}

int pki_der_subject_alt_names(unsigned char *buf, size_t size, const char *const *hosts,
                              size_t count, unsigned char **start)
{
	unsigned char *p = buf + size;
	size_t len = 0;

	if (count == 0)
		return -1;
	/* asn1write works from the end backwards: the last name goes in first. */
	for (size_t i = count; i-- > 0;) {
		size_t n;
		int ret;

		if (!pki_der_host_is_valid(hosts[i]))
			return -1;
		n = strlen(hosts[i]);
		if ((ret = mbedtls_asn1_write_raw_buffer(&p, buf, (const unsigned char *)hosts[i],
		                                         n)) < 0)
			return -1;
		len += (size_t)ret;
		if ((ret = mbedtls_asn1_write_len(&p, buf, n)) < 0)
			return -1;
		len += (size_t)ret;
		/* dNSName [2] IMPLICIT IA5String */
		if ((ret = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)) < 0)
			return -1;
		len += (size_t)ret;
	}
	return close_sequence(p, buf, len, start);
}

int pki_der_extended_key_usage(unsigned char *buf, size_t size, const char *oid, size_t oid_len,
                               unsigned char **start)
{
	unsigned char *p = buf + size;
	size_t len = 0;
	int ret;

	if ((ret = mbedtls_asn1_write_oid(&p, buf, oid, oid_len)) < 0)
		return -1;
	len += (size_t)ret;
	return close_sequence(p, buf, len, start);
}
