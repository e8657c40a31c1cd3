/*
 * device_cert_tool.c — device certificates for server_test.py, made with agenda_pki.
 *
 * Reads the CA that `agenda-central init` put in CENTRAL_DIR and writes into OUT_DIR:
 * device.key + device.pem (CN dev-test-0001, issued now by that CA), expired.pem (the same key,
 * issued by that CA on 2020-01-01 for 30 days), foreign.key + foreign.pem (a device of another CA
 * with the very same name), server-as-client.pem (a certificate of that CA with serverAuth only,
 * over its own key server.key: the EKU check must refuse it as a device).
 * Stands in for enrolment, which comes later in issue 11.
 * Usage: device_cert_tool CENTRAL_DIR OUT_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pki/pki_ca.h"
#include "pki/pki_client_cert.h"
#include "pki/pki_csr.h"
#include "pki/pki_key.h"
#include "pki/pki_server_cert.h"

#define EXPIRED_ISSUED 1577836800 /* 2020-01-01 00:00 UTC */
#define DEVICE_ID      "dev-test-0001"

static void fail(const char *what, const agenda_detail *d)
{
	fprintf(stderr, "device_cert_tool: %s failed: %s\n", what, d ? d->en : "");
	exit(1);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 65536);
	size_t n;

	if (!f || !buf)
		fail(path, NULL);
	n = fread(buf, 1, 65535, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		fail(path, NULL);
}

static void new_key(const agenda_rng *rng, mbedtls_pk_context *key, const char *dir,
                    const char *name)
{
	char path[4096];
	agenda_detail d;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	mbedtls_pk_init(key);
	if (pki_key_generate(rng, key) != AG_OK || pki_key_write_file(key, path, &d) != AG_OK)
		fail(name, &d);
}

int main(int argc, char **argv)
{
	static const char *const HOSTS[] = {"localhost"};
	mbedtls_pk_context ca_key, device_key, foreign_ca_key, foreign_key, server_key;
	char *ca, *csr, *device, *expired, *foreign_ca, *foreign_csr, *foreign, *server;
	int64_t now = (int64_t)time(NULL), then = EXPIRED_ISSUED;
	agenda_clock clock = clock_fixed(&now), past = clock_fixed(&then);
	char path[4096];
	struct rng_state *rs;
	agenda_rng rng;
	agenda_detail d;

	if (argc != 3) {
		fprintf(stderr, "usage: device_cert_tool CENTRAL_DIR OUT_DIR\n");
		return 2;
	}
	if (rng_open_system(&rng, &rs) != AG_OK)
		fail("rng", NULL);
	snprintf(path, sizeof path, "%s/ca.pem", argv[1]);
	ca = read_text(path);
	snprintf(path, sizeof path, "%s/ca.key", argv[1]);
	mbedtls_pk_init(&ca_key);
	if (pki_key_read_file(path, &ca_key, &d) != AG_OK)
		fail("ca.key", &d);
	new_key(&rng, &device_key, argv[2], "device.key");
	new_key(&rng, &foreign_ca_key, argv[2], "foreign-ca.key");
	new_key(&rng, &foreign_key, argv[2], "foreign.key");
	new_key(&rng, &server_key, argv[2], "server.key");
	if (pki_csr_create(&rng, &device_key, "kiosk", &csr, &d) ||
	    pki_client_cert_issue(&rng, &clock, ca, &ca_key, csr, DEVICE_ID, PKI_DEVICE_DAYS,
	                          &device, &d))
		fail("device", &d);
	if (pki_client_cert_issue(&rng, &past, ca, &ca_key, csr, DEVICE_ID, 30, &expired, &d))
		fail("expired", &d);
	if (pki_ca_create(&rng, &clock, &foreign_ca_key, "Agenda Elettronica CA", PKI_CA_DAYS,
	                  &foreign_ca, &d) ||
	    pki_csr_create(&rng, &foreign_key, "kiosk", &foreign_csr, &d) ||
	    pki_client_cert_issue(&rng, &clock, foreign_ca, &foreign_ca_key, foreign_csr, DEVICE_ID,
	                          PKI_DEVICE_DAYS, &foreign, &d))
		fail("foreign", &d);
	if (pki_server_cert_issue(&rng, &clock, ca, &ca_key, &server_key, HOSTS, 1, PKI_SERVER_DAYS,
	                          &server, &d))
		fail("server-as-client", &d);
	write_text(argv[2], "device.pem", device);
	write_text(argv[2], "expired.pem", expired);
	write_text(argv[2], "foreign.pem", foreign);
	write_text(argv[2], "server-as-client.pem", server);
	free(ca);
	free(csr);
	free(device);
	free(expired);
	free(foreign_ca);
	free(foreign_csr);
	free(foreign);
	free(server);
	mbedtls_pk_free(&ca_key);
	mbedtls_pk_free(&device_key);
	mbedtls_pk_free(&foreign_ca_key);
	mbedtls_pk_free(&foreign_key);
	mbedtls_pk_free(&server_key);
	rng_close(rs);
	return 0;
}
