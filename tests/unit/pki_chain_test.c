/*
 * pki_chain_test.c — the agenda's certificates as mbedTLS sees them: a CA, a server
 * certificate for two host names and a device certificate from a CSR all verify with
 * mbedtls_x509_crt_verify and pki_verify; the extensions (CA:true and keyCertSign, SAN
 * dNSNames, EKU serverAuth / clientAuth) are what the issue asks; the device id and notAfter
 * read back; certificates of another CA, expired or not yet valid (injected clock), or for the
 * other purpose are refused; bad names, tampered CSRs and a CA with the wrong key are refused.
 * The same chain checked by OpenSSL is tests/integration/pki_openssl_test.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "pki/pki_ca.h"
#include "pki/pki_cert_info.h"
#include "pki/pki_client_cert.h"
#include "pki/pki_csr.h"
#include "pki/pki_key.h"
#include "pki/pki_server_cert.h"
#include "pki/pki_verify.h"

#define DEVICE_ID "dev-7f3a9c21"

static const char *const HOSTS[] = {"agenda.interno.it", "localhost"};

/* One agenda: CA, server and device, issued at the injected now. */
struct agenda_pki {
	struct rng_state *rng_state;
	agenda_rng rng;
	int64_t now;
	agenda_clock clock;
	mbedtls_pk_context ca_key, server_key, device_key;
	char *ca, *server, *csr, *device;
};

static void make_agenda(struct agenda_pki *p, uint64_t seed, int64_t now, const char *ca_name)
{
	memset(p, 0, sizeof *p);
	assert_int_equal(rng_open_seeded(&p->rng, &p->rng_state, seed), AG_OK);
	p->now = now;
	p->clock = clock_fixed(&p->now);
	mbedtls_pk_init(&p->ca_key);
	mbedtls_pk_init(&p->server_key);
	mbedtls_pk_init(&p->device_key);
	assert_int_equal(pki_key_generate(&p->rng, &p->ca_key), AG_OK);
	assert_int_equal(pki_key_generate(&p->rng, &p->server_key), AG_OK);
	assert_int_equal(pki_key_generate(&p->rng, &p->device_key), AG_OK);
	assert_int_equal(
	        pki_ca_create(&p->rng, &p->clock, &p->ca_key, ca_name, PKI_CA_DAYS, &p->ca, NULL),
	        AG_OK);
	assert_int_equal(pki_server_cert_issue(&p->rng, &p->clock, p->ca, &p->ca_key,
	                                       &p->server_key, HOSTS, 2, PKI_SERVER_DAYS,
	                                       &p->server, NULL),
	                 AG_OK);
	assert_int_equal(
	        pki_csr_create(&p->rng, &p->device_key, "kiosk requested name", &p->csr, NULL),
	        AG_OK);
	assert_int_equal(pki_client_cert_issue(&p->rng, &p->clock, p->ca, &p->ca_key, p->csr,
	                                       DEVICE_ID, PKI_DEVICE_DAYS, &p->device, NULL),
	                 AG_OK);
}

static void free_agenda(struct agenda_pki *p)
{
	free(p->ca);
	free(p->server);
	free(p->csr);
	free(p->device);
	mbedtls_pk_free(&p->ca_key);
	mbedtls_pk_free(&p->server_key);
	mbedtls_pk_free(&p->device_key);
	rng_close(p->rng_state);
}

static void parse(mbedtls_x509_crt *crt, const char *pem)
{
	mbedtls_x509_crt_init(crt);
	assert_int_equal(mbedtls_x509_crt_parse(crt, (const unsigned char *)pem, strlen(pem) + 1),
	                 0);
}

/* mbedtls_x509_crt_verify's flags for cert against ca (system time). */
static uint32_t mbedtls_flags(const char *cert, const char *ca)
{
	mbedtls_x509_crt c, a;
	uint32_t flags = 0;

	parse(&c, cert);
	parse(&a, ca);
	(void)mbedtls_x509_crt_verify(&c, &a, NULL, NULL, &flags, NULL, NULL);
	mbedtls_x509_crt_free(&c);
	mbedtls_x509_crt_free(&a);
	return flags;
}

static void chain_verifies_with_mbedtls(void **state)
{
	struct agenda_pki p;
	agenda_detail d;

	(void)state;
	make_agenda(&p, 1, (int64_t)time(NULL), "Agenda Elettronica CA");
	assert_int_equal(mbedtls_flags(p.server, p.ca), 0);
	assert_int_equal(mbedtls_flags(p.device, p.ca), 0);
	assert_int_equal(mbedtls_flags(p.ca, p.ca), 0);
	assert_int_equal(pki_verify(p.server, p.ca, &p.clock, PKI_PURPOSE_SERVER, &d), AG_OK);
	assert_int_equal(pki_verify(p.device, p.ca, &p.clock, PKI_PURPOSE_CLIENT, &d), AG_OK);
	/* each certificate only for its own use */
	assert_int_equal(pki_verify(p.server, p.ca, &p.clock, PKI_PURPOSE_CLIENT, &d),
	                 AG_ERR_REFUSED);
	assert_non_null(strstr(d.en, "not issued for this use"));
	assert_int_equal(pki_verify(p.device, p.ca, &p.clock, PKI_PURPOSE_SERVER, &d),
	                 AG_ERR_REFUSED);
	assert_int_equal(pki_verify(p.ca, p.ca, &p.clock, PKI_PURPOSE_CLIENT, &d), AG_ERR_REFUSED);
	assert_int_equal(pki_verify("not a certificate", p.ca, &p.clock, PKI_PURPOSE_CLIENT, &d),
	                 AG_ERR_INVALID);
	free_agenda(&p);
}

static void extensions_are_the_ones_asked_for(void **state)
{
	struct agenda_pki p;
	mbedtls_x509_crt ca, server, device;
	const mbedtls_x509_sequence *san;

	(void)state;
	make_agenda(&p, 2, (int64_t)time(NULL), "Agenda Elettronica CA");
	parse(&ca, p.ca);
	parse(&server, p.server);
	parse(&device, p.device);

	assert_true(ca.ca_istrue);
	assert_int_equal(ca.max_pathlen, 1); /* mbedTLS stores path length + 1 */
	assert_int_equal(ca.key_usage, MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN);
	assert_int_equal(mbedtls_x509_crt_check_key_usage(&ca, MBEDTLS_X509_KU_KEY_CERT_SIGN), 0);
	assert_false(server.ca_istrue);
	assert_false(device.ca_istrue);

	san = &server.subject_alt_names;
	for (size_t i = 0; i < 2; i++, san = san->next) {
		assert_non_null(san);
		assert_int_equal(san->buf.tag, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2);
		assert_int_equal(san->buf.len, strlen(HOSTS[i]));
		assert_memory_equal(san->buf.p, HOSTS[i], san->buf.len);
	}
	assert_null(san);
	assert_int_equal(mbedtls_x509_crt_check_extended_key_usage(
	                         &server, MBEDTLS_OID_SERVER_AUTH,
	                         MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)),
	                 0);
	assert_int_not_equal(mbedtls_x509_crt_check_extended_key_usage(
	                             &server, MBEDTLS_OID_CLIENT_AUTH,
	                             MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)),
	                     0);
	assert_int_equal(mbedtls_x509_crt_check_extended_key_usage(
	                         &device, MBEDTLS_OID_CLIENT_AUTH,
	                         MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)),
	                 0);
	assert_int_not_equal(mbedtls_x509_crt_check_extended_key_usage(
	                             &device, MBEDTLS_OID_SERVER_AUTH,
	                             MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)),
	                     0);
	/* the device certificate carries the device's own key, not the CA's */
	assert_int_equal(mbedtls_pk_check_pair(&device.pk, &p.device_key), 0);
	/* serials: 16 bytes, positive, all different */
	assert_int_equal(ca.serial.len, 16);
	assert_int_equal(server.serial.len, 16);
	assert_int_equal(device.serial.len, 16);
	assert_true(ca.serial.p[0] < 0x80 && ca.serial.p[0] >= 0x40);
	assert_memory_not_equal(ca.serial.p, server.serial.p, 16);
	assert_memory_not_equal(server.serial.p, device.serial.p, 16);
	mbedtls_x509_crt_free(&ca);
	mbedtls_x509_crt_free(&server);
	mbedtls_x509_crt_free(&device);
	free_agenda(&p);
}

static void device_id_and_validity_read_back(void **state)
{
	struct agenda_pki p;
	pki_cert_info info;
	const int64_t now = 1777880000; /* 2026-05-04 */

	(void)state;
	make_agenda(&p, 3, now, "Agenda Elettronica CA");
	assert_int_equal(pki_cert_read_info(p.device, &info, NULL), AG_OK);
	/* central's choice, not the name the device asked for */
	assert_string_equal(info.common_name, DEVICE_ID);
	assert_int_equal(info.not_before, now - PKI_BACKDATE);
	assert_int_equal(info.not_after, now + PKI_DEVICE_DAYS * 86400LL);
	assert_false(info.is_ca);
	assert_int_equal(pki_cert_read_info(p.server, &info, NULL), AG_OK);
	assert_string_equal(info.common_name, "agenda.interno.it");
	assert_int_equal(info.not_after, now + PKI_SERVER_DAYS * 86400LL);
	assert_int_equal(pki_cert_read_info(p.ca, &info, NULL), AG_OK);
	assert_string_equal(info.common_name, "Agenda Elettronica CA");
	assert_int_equal(info.not_after, now + PKI_CA_DAYS * 86400LL);
	assert_true(info.is_ca);
	assert_int_equal(pki_cert_read_info("garbage", &info, NULL), AG_ERR_INVALID);
	free_agenda(&p);
}

static void another_ca_is_refused(void **state)
{
	struct agenda_pki ours, theirs;
	agenda_detail d;

	(void)state;
	make_agenda(&ours, 4, (int64_t)time(NULL), "Agenda Elettronica CA");
	/* same name, another key: only the signature tells them apart */
	make_agenda(&theirs, 5, (int64_t)time(NULL), "Agenda Elettronica CA");
	assert_true(mbedtls_flags(theirs.device, ours.ca) & MBEDTLS_X509_BADCERT_NOT_TRUSTED);
	assert_true(mbedtls_flags(theirs.server, ours.ca) & MBEDTLS_X509_BADCERT_NOT_TRUSTED);
	assert_int_equal(pki_verify(theirs.device, ours.ca, &ours.clock, PKI_PURPOSE_CLIENT, &d),
	                 AG_ERR_REFUSED);
	assert_non_null(strstr(d.it, "non è stato rilasciato dalla CA"));
	assert_int_equal(pki_verify(theirs.server, ours.ca, &ours.clock, PKI_PURPOSE_SERVER, &d),
	                 AG_ERR_REFUSED);
	free_agenda(&ours);
	free_agenda(&theirs);
}

static void expired_and_future_certificates_are_refused(void **state)
{
	struct agenda_pki p;
	agenda_detail d;
	char *short_lived = NULL;
	const int64_t issued = 1577836800; /* 2020-01-01 00:00 UTC */

	(void)state;
	make_agenda(&p, 6, issued, "Agenda Elettronica CA");
	assert_int_equal(pki_client_cert_issue(&p.rng, &p.clock, p.ca, &p.ca_key, p.csr, DEVICE_ID,
	                                       30, &short_lived, NULL),
	                 AG_OK);
	/* by the system clock (today, years later) mbedTLS itself says expired */
	assert_true(mbedtls_flags(short_lived, p.ca) & MBEDTLS_X509_BADCERT_EXPIRED);
	/* by the injected clock: valid on day 29, expired on day 31, not yet valid 2 hours before
	 */
	p.now = issued + 29 * 86400;
	assert_int_equal(pki_verify(short_lived, p.ca, &p.clock, PKI_PURPOSE_CLIENT, &d), AG_OK);
	p.now = issued + 30 * 86400 + 1;
	assert_int_equal(pki_verify(short_lived, p.ca, &p.clock, PKI_PURPOSE_CLIENT, &d),
	                 AG_ERR_REFUSED);
	assert_non_null(strstr(d.it, "scaduto il 2020-01-31 00:00"));
	p.now = issued - 2 * 3600;
	assert_int_equal(pki_verify(short_lived, p.ca, &p.clock, PKI_PURPOSE_CLIENT, &d),
	                 AG_ERR_REFUSED);
	assert_non_null(strstr(d.en, "valid only from 2019-12-31 23:00"));
	/* a CA past its own end takes its devices with it */
	p.now = issued + (PKI_CA_DAYS + 1) * 86400LL;
	assert_int_equal(pki_verify(p.device, p.ca, &p.clock, PKI_PURPOSE_CLIENT, &d),
	                 AG_ERR_REFUSED);
	free(short_lived);
	free_agenda(&p);
}

static void bad_input_is_refused(void **state)
{
	struct agenda_pki p, other;
	agenda_detail d;
	char *pem = (char *)"unchanged", *tampered;
	const char *bad_hosts[] = {"agenda.interno.it", "bad host"};
	const char *ip_like[] = {"-leading.dash"};

	(void)state;
	make_agenda(&p, 7, (int64_t)time(NULL), "Agenda Elettronica CA");
	make_agenda(&other, 8, (int64_t)time(NULL), "Other CA");
	/* names that would inject into "CN=...,O=..." or overflow the CN */
	assert_int_equal(pki_csr_create(&p.rng, &p.device_key, "x,O=Evil", &pem, &d),
	                 AG_ERR_INVALID);
	assert_null(pem);
	assert_non_null(strstr(d.it, "x,O=Evil"));
	assert_int_equal(
	        pki_client_cert_issue(
	                &p.rng, &p.clock, p.ca, &p.ca_key, p.csr,
	                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 30,
	                &pem, &d),
	        AG_ERR_INVALID);
	assert_int_equal(
	        pki_client_cert_issue(&p.rng, &p.clock, p.ca, &p.ca_key, p.csr, "", 30, &pem, &d),
	        AG_ERR_INVALID);
	assert_int_equal(pki_server_cert_issue(&p.rng, &p.clock, p.ca, &p.ca_key, &p.server_key,
	                                       bad_hosts, 2, 30, &pem, &d),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(d.en, "bad host"));
	assert_int_equal(pki_server_cert_issue(&p.rng, &p.clock, p.ca, &p.ca_key, &p.server_key,
	                                       ip_like, 1, 30, &pem, &d),
	                 AG_ERR_INVALID);
	assert_int_equal(pki_server_cert_issue(&p.rng, &p.clock, p.ca, &p.ca_key, &p.server_key,
	                                       HOSTS, 0, 30, &pem, &d),
	                 AG_ERR_INVALID);
	/* a CSR whose body was changed after signing */
	tampered = strdup(p.csr);
	tampered[100] = tampered[100] == 'A' ? 'B' : 'A';
	assert_int_equal(pki_client_cert_issue(&p.rng, &p.clock, p.ca, &p.ca_key, tampered,
	                                       DEVICE_ID, 30, &pem, &d),
	                 AG_ERR_INVALID);
	assert_null(pem);
	free(tampered);
	/* a CA certificate with another CA's key, or a leaf given as the CA */
	assert_int_equal(pki_client_cert_issue(&p.rng, &p.clock, p.ca, &other.ca_key, p.csr,
	                                       DEVICE_ID, 30, &pem, &d),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(d.en, "does not match"));
	assert_int_equal(pki_client_cert_issue(&p.rng, &p.clock, p.server, &p.server_key, p.csr,
	                                       DEVICE_ID, 30, &pem, &d),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(d.en, "not a CA"));
	assert_int_equal(pki_client_cert_issue(&p.rng, &p.clock, p.ca, &p.ca_key, p.csr, DEVICE_ID,
	                                       0, &pem, &d),
	                 AG_ERR_USAGE);
	free_agenda(&p);
	free_agenda(&other);
}

static void seeded_issuing_repeats_exactly(void **state)
{
	struct agenda_pki a, b;

	(void)state;
	/* same seed, same clock: byte-identical keys and certificates, so failures reproduce */
	make_agenda(&a, 10, 1777880000, "Agenda Elettronica CA");
	make_agenda(&b, 10, 1777880000, "Agenda Elettronica CA");
	assert_string_equal(a.ca, b.ca);
	assert_string_equal(a.server, b.server);
	assert_string_equal(a.csr, b.csr);
	assert_string_equal(a.device, b.device);
	free_agenda(&a);
	make_agenda(&a, 11, 1777880000, "Agenda Elettronica CA");
	assert_string_not_equal(a.ca, b.ca);
	free_agenda(&a);
	free_agenda(&b);
}

static void csr_reads_back_the_requested_name(void **state)
{
	struct agenda_pki p;
	mbedtls_x509_csr csr;
	char cn[PKI_NAME_SIZE];

	(void)state;
	make_agenda(&p, 9, (int64_t)time(NULL), "Agenda Elettronica CA");
	assert_int_equal(pki_csr_read(p.csr, &csr, cn, NULL), AG_OK);
	assert_string_equal(cn, "kiosk requested name");
	assert_int_equal(mbedtls_pk_check_pair(&csr.pk, &p.device_key), 0);
	mbedtls_x509_csr_free(&csr);
	assert_int_equal(pki_csr_read(p.ca, &csr, cn, NULL), AG_ERR_INVALID);
	free_agenda(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(chain_verifies_with_mbedtls),
	        cmocka_unit_test(extensions_are_the_ones_asked_for),
	        cmocka_unit_test(device_id_and_validity_read_back),
	        cmocka_unit_test(another_ca_is_refused),
	        cmocka_unit_test(expired_and_future_certificates_are_refused),
	        cmocka_unit_test(bad_input_is_refused),
	        cmocka_unit_test(seeded_issuing_repeats_exactly),
	        cmocka_unit_test(csr_reads_back_the_requested_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
