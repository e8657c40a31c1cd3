/*
 * central_enrol_bench.c — the time of one enrolment end to end, as the technician sees it:
 * `agendactl provision` against a live `agenda-central serve` on loopback, for DEVICES fresh
 * devices (each its own `agendactl init` database). One provision is: check the code and the
 * fingerprint, make the P-256 key, GET /v1/ca and compare its fingerprint, POST /v1/enrol (central
 * checks the code, signs the certificate and records the device in one transaction), store
 * device.pem and ca.pem atomically, print the test slip (virtual printer: a PNG). Prints median,
 * min and max. Every provision must succeed and central must list every device, or no figure
 * is printed. Never fails on a target.
 * When AGENDA_CENTRAL_PG names a server (tests/bench/run.sh), the same again with the store
 * there. Usage: central_enrol_bench [AGENDA_CENTRAL AGENDACTL]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench_process.h"
#include "bench_util.h"

#define DEVICES 10

struct central {
	const char *binary, *agendactl;
	char base[4096], dir[4200], fingerprint[128];
	struct bench_server server;
};

/* `agenda-central --json enrol-code` for site BENCH: the code into code. */
static int new_code(struct central *c, char *code, size_t size)
{
	char out[1024];
	const char *text = NULL, *fingerprint = NULL;
	char *argv[] = {(char *)c->binary, "--json", "enrol-code", "--dir", (char *)c->dir,
	                "--site",          "BENCH",  "--expires",  "1h",    NULL};
	json_t *answer;
	int rc = -1;

	if (bench_run_capture(argv, out, sizeof out) != 0)
		return -1;
	answer = json_loads(out, 0, NULL);
	if (json_unpack(answer, "{s:s, s:s}", "code", &text, "ca_fingerprint", &fingerprint) == 0) {
		snprintf(code, size, "%s", text);
		snprintf(c->fingerprint, sizeof c->fingerprint, "%s", fingerprint);
		rc = 0;
	}
	json_decref(answer);
	return rc;
}

/* agendactl init + provision of device i; its provision time in nanoseconds, -1 on failure. */
static int64_t provision_one(struct central *c, int i)
{
	char device[4300], db[4400], slip[4400], url[64], code[64];
	char *init[] = {(char *)c->agendactl, "--db", db, "init", "--site", "Roma", NULL};
	char *provision[] = {
	        (char *)c->agendactl, "--db",      db,       "--json", "provision",
	        "--central",          url,         "--code", code,     "--ca-fingerprint",
	        c->fingerprint,       "--printer", slip,     NULL};
	int64_t start;

	snprintf(device, sizeof device, "%s/device%02d", c->base, i);
	snprintf(db, sizeof db, "%s/agenda.db", device);
	snprintf(slip, sizeof slip, "virtual:%s/slip", device);
	snprintf(url, sizeof url, "https://localhost:%d", c->server.port);
	if (mkdir(device, 0700) != 0 || bench_run(init) != 0 || new_code(c, code, sizeof code) != 0)
		return -1;
	start = bench_ns();
	if (bench_run(provision) != 0)
		return -1;
	return bench_ns() - start;
}

/* How many devices central lists. */
static int devices_listed(const struct central *c)
{
	static char out[65536];
	char *argv[] = {(char *)c->binary, "--json",       "device", "list",
	                "--dir",           (char *)c->dir, NULL};
	int n = -1;

	if (bench_run_capture(argv, out, sizeof out) == 0) {
		json_t *answer = json_loads(out, 0, NULL);

		n = (int)json_array_size(json_object_get(answer, "devices"));
		json_decref(answer);
	}
	return n;
}

static void bench_store(struct central *c, const char *label, const char *store)
{
	char *init[] = {
	        (char *)c->binary,        "init",        "--dir", c->dir, "--host", "localhost",
	        store ? "--store" : NULL, (char *)store, NULL};
	char *site[] = {(char *)c->binary,
	                "site",
	                "add",
	                "--dir",
	                c->dir,
	                "--code",
	                "BENCH",
	                "--city",
	                "Roma",
	                "--province",
	                "RM",
	                "--dirigente",
	                "dirigente@interno.it",
	                NULL};
	char *remove[] = {"/bin/rm", "-rf", c->base, NULL};
	int64_t times[DEVICES], median;
	int done = 0;

	bench_tempdir(c->base, sizeof c->base);
	snprintf(c->dir, sizeof c->dir, "%s/central", c->base);
	c->server.pid = 0;
	if (bench_run(init) != 0 || bench_run(site) != 0 ||
	    bench_serve_start(c->binary, c->dir, &c->server) != 0) {
		printf("%s: could not set up init/site/serve in %s\n", label, c->base);
		goto out;
	}
	for (; done < DEVICES; done++) {
		times[done] = provision_one(c, done);
		if (times[done] < 0)
			break;
	}
	if (done < DEVICES || devices_listed(c) != DEVICES) {
		printf("%s: provision %d failed or central lists %d devices\n", label, done + 1,
		       devices_listed(c));
		goto out;
	}
	median = bench_quantile(times, DEVICES, 0.5); /* sorts times */
	printf("%-10s agendactl provision, %d devices: median %.0f ms, min %.0f ms, max %.0f ms\n",
	       label, DEVICES, (double)median / 1e6, (double)times[0] / 1e6,
	       (double)times[DEVICES - 1] / 1e6);
out:
	if (c->server.pid > 0)
		bench_serve_stop(&c->server);
	bench_run(remove);
}

int main(int argc, char **argv)
{
	struct central c = {.binary = argc > 2 ? argv[1] : AGENDA_CENTRAL_BIN,
	                    .agendactl = argc > 2 ? argv[2] : AGENDACTL_BIN};
	const char *pg = getenv("AGENDA_CENTRAL_PG");

	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_print_load();
	printf("one enrolment end to end: agendactl provision against serve on loopback "
	       "(key, CA fetch and fingerprint, enrol, files, test slip on the virtual printer)\n");
	bench_store(&c, "sqlite", NULL);
	if (pg && *pg) {
		char store[1024];

		snprintf(store, sizeof store, "pg:%s dbname=postgres", pg);
		bench_store(&c, "postgresql", store);
	}
	return 0;
}
