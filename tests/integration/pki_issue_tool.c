/*
 * pki_issue_tool.c — writes a whole agenda PKI into a folder for pki_openssl_test.py to check
 * with OpenSSL, an oracle that shares no code with mbedTLS: keys (through pki_key_write_file,
 * so their modes are the library's), the CA, a server certificate for agenda.interno.it and
 * localhost, a device CSR and certificate, a certificate of a foreign CA and one that expired
 * (issued on 2020-01-01 for 30 days), and info.json with our fingerprints and read-backs.
 * Usage: pki_issue_tool DIR SEED
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pki/pki_ca.h"
#include "pki/pki_cert_info.h"
#include "pki/pki_client_cert.h"
#include "pki/pki_csr.h"
#include "pki/pki_fingerprint.h"
#include "pki/pki_key.h"
#include "pki/pki_server_cert.h"

#define EXPIRED_ISSUED 1577836800 /* 2020-01-01 00:00 UTC */

static const char *dir;

static void fail(const char *what, const agenda_detail *d)
{
	fprintf(stderr, "pki_issue_tool: %s failed: %s\n", what, d ? d->en : "");
	exit(1);
}

static void write_text(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		fail(path, NULL);
}

static void new_key(const agenda_rng *rng, mbedtls_pk_context *key, const char *name)
{
	char path[512];
	agenda_detail d;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	mbedtls_pk_init(key);
	if (pki_key_generate(rng, key) != AG_OK || pki_key_write_file(key, path, &d) != AG_OK)
		fail(name, &d);
}

int main(int argc, char **argv)
{
	static const char *const HOSTS[] = {"agenda.interno.it", "localhost"};
	mbedtls_pk_context ca_key, server_key, device_key, foreign_key, foreign_device_key;
	char *ca, *server, *csr, *device, *foreign_ca, *foreign_csr, *foreign_device, *expired;
	char fp_ca[PKI_FINGERPRINT_SIZE], fp_server[PKI_FINGERPRINT_SIZE],
	        fp_device[PKI_FINGERPRINT_SIZE], json[2048];
	int64_t now = (int64_t)time(NULL), then = EXPIRED_ISSUED;
	agenda_clock clock = clock_fixed(&now), past = clock_fixed(&then);
	struct rng_state *rs;
	agenda_rng rng;
	agenda_detail d;
	pki_cert_info info;

	if (argc != 3) {
		fprintf(stderr, "usage: pki_issue_tool DIR SEED\n");
		return 2;
	}
	dir = argv[1];
	if (rng_open_seeded(&rng, &rs, strtoull(argv[2], NULL, 10)) != AG_OK)
		fail("rng", NULL);
	new_key(&rng, &ca_key, "ca.key");
	new_key(&rng, &server_key, "server.key");
	new_key(&rng, &device_key, "device.key");
	new_key(&rng, &foreign_key, "foreign-ca.key");
	new_key(&rng, &foreign_device_key, "foreign-device.key");
	if (pki_ca_create(&rng, &clock, &ca_key, "Agenda Elettronica CA", PKI_CA_DAYS, &ca, &d))
		fail("ca", &d);
	if (pki_server_cert_issue(&rng, &clock, ca, &ca_key, &server_key, HOSTS, 2, PKI_SERVER_DAYS,
	                          &server, &d))
		fail("server", &d);
	if (pki_csr_create(&rng, &device_key, "kiosk", &csr, &d))
		fail("csr", &d);
	if (pki_client_cert_issue(&rng, &clock, ca, &ca_key, csr, "dev-roma-0001", PKI_DEVICE_DAYS,
	                          &device, &d))
		fail("device", &d);
	/* a CA with the very same name but another key, and its device */
	if (pki_ca_create(&rng, &clock, &foreign_key, "Agenda Elettronica CA", PKI_CA_DAYS,
	                  &foreign_ca, &d) ||
	    pki_csr_create(&rng, &foreign_device_key, "kiosk", &foreign_csr, &d) ||
	    pki_client_cert_issue(&rng, &clock, foreign_ca, &foreign_key, foreign_csr,
	                          "dev-roma-0001", PKI_DEVICE_DAYS, &foreign_device, &d))
		fail("foreign", &d);
	/* our CA and device key, issued on a clock set to 2020 */
	if (pki_client_cert_issue(&rng, &past, ca, &ca_key, csr, "dev-roma-0001", 30, &expired, &d))
		fail("expired", &d);
	write_text("ca.pem", ca);
	write_text("server.pem", server);
	write_text("device.csr", csr);
	write_text("device.pem", device);
	write_text("foreign-ca.pem", foreign_ca);
	write_text("foreign-device.pem", foreign_device);
	write_text("expired-device.pem", expired);
	if (pki_fingerprint(ca, fp_ca, &d) || pki_fingerprint(server, fp_server, &d) ||
	    pki_fingerprint(device, fp_device, &d) || pki_cert_read_info(device, &info, &d))
		fail("read back", &d);
	snprintf(json, sizeof json,
	         "{\"ca_fingerprint\": \"%s\", \"server_fingerprint\": \"%s\", "
	         "\"device_fingerprint\": \"%s\", \"device_id\": \"%s\", "
	         "\"device_not_before\": %" PRId64 ", \"device_not_after\": %" PRId64
	         ", \"now\": %" PRId64 "}\n",
	         fp_ca, fp_server, fp_device, info.common_name, info.not_before, info.not_after,
	         now);
	write_text("info.json", json);
	/* freed so that the ASan build's leak check stays quiet */
	free(ca);
	free(server);
	free(csr);
	free(device);
	free(foreign_ca);
	free(foreign_csr);
	free(foreign_device);
	free(expired);
	mbedtls_pk_free(&ca_key);
	mbedtls_pk_free(&server_key);
	mbedtls_pk_free(&device_key);
	mbedtls_pk_free(&foreign_key);
	mbedtls_pk_free(&foreign_device_key);
	rng_close(rs);
	return 0;
}
