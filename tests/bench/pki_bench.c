/*
 * pki_bench.c — the cryptographic cost of one enrolment, step by step, on this machine.
 *
 * Medians and p99 over ROUNDS rounds of what each side does once per device: the device makes
 * its P-256 key and CSR, central checks the CSR and signs the device certificate, either side
 * verifies a certificate against the CA (pki_verify) and fingerprints the CA, and the help desk
 * makes an enrolment code that the device normalises and checks. Seeded RNG, fixed clock: the
 * figures are the computation's, not the entropy source's. Always exits 0: benchmarks report.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "core/enrol_code.h"
#include "pki/pki_ca.h"
#include "pki/pki_client_cert.h"
#include "pki/pki_csr.h"
#include "pki/pki_fingerprint.h"
#include "pki/pki_key.h"
#include "pki/pki_verify.h"

#define ROUNDS 200
#define STEPS  6

static const char *const STEP_NAMES[STEPS] = {
        "device: P-256 key",         "device: CSR",
        "central: sign CSR",         "pki_verify (chain, clock, EKU)",
        "pki_fingerprint of the CA", "enrol code: generate + normalise",
};

static void die(const char *what)
{
	fprintf(stderr, "pki_bench: %s failed\n", what);
	exit(1);
}

int main(void)
{
	static int64_t samples[STEPS][ROUNDS];
	int64_t now = 1777880000;
	agenda_clock clock = clock_fixed(&now);
	struct rng_state *rs;
	agenda_rng rng;
	mbedtls_pk_context ca_key;
	char *ca = NULL;

	if (rng_open_seeded(&rng, &rs, 1) != AG_OK)
		die("rng");
	mbedtls_pk_init(&ca_key);
	if (pki_key_generate(&rng, &ca_key) ||
	    pki_ca_create(&rng, &clock, &ca_key, "Agenda CA", PKI_CA_DAYS, &ca, NULL))
		die("ca");
	for (int r = 0; r < ROUNDS; r++) {
		mbedtls_pk_context key;
		char *csr = NULL, *cert = NULL, fp[PKI_FINGERPRINT_SIZE], code[ENROL_CODE_SIZE],
		     again[ENROL_CODE_SIZE];
		int64_t t[STEPS + 1];

		mbedtls_pk_init(&key);
		t[0] = bench_ns();
		if (pki_key_generate(&rng, &key))
			die("key");
		t[1] = bench_ns();
		if (pki_csr_create(&rng, &key, "kiosk", &csr, NULL))
			die("csr");
		t[2] = bench_ns();
		if (pki_client_cert_issue(&rng, &clock, ca, &ca_key, csr, "dev-0001",
		                          PKI_DEVICE_DAYS, &cert, NULL))
			die("sign");
		t[3] = bench_ns();
		if (pki_verify(cert, ca, &clock, PKI_PURPOSE_CLIENT, NULL))
			die("verify");
		t[4] = bench_ns();
		if (pki_fingerprint(ca, fp, NULL))
			die("fingerprint");
		t[5] = bench_ns();
		if (enrol_code_generate(&rng, code) || enrol_code_normalise(code, again, NULL))
			die("enrol code");
		t[6] = bench_ns();
		for (int s = 0; s < STEPS; s++)
			samples[s][r] = t[s + 1] - t[s];
		free(csr);
		free(cert);
		mbedtls_pk_free(&key);
	}
	printf("%-34s %12s %12s   (%d rounds, mbedTLS 2.28, one core)\n", "step", "median", "p99",
	       ROUNDS);
	int64_t total = 0;

	for (int s = 0; s < STEPS; s++) {
		int64_t median = bench_quantile(samples[s], ROUNDS, 0.5);

		total += median;
		printf("%-34s %9.3f ms %9.3f ms\n", STEP_NAMES[s], median / 1e6,
		       bench_quantile(samples[s], ROUNDS, 0.99) / 1e6);
	}
	printf("%-34s %9.3f ms\n", "sum of medians", total / 1e6);
	free(ca);
	mbedtls_pk_free(&ca_key);
	rng_close(rs);
	return 0;
}
