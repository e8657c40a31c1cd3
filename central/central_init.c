/*
 * central_init.c — `agenda-central init`: a new central agenda in one private folder.
 *
 * The folder (0700) gets the central store (SQLite central.db unless --store names another
 * target), the agenda's CA (ca.key, ca.pem) and the TLS server certificate for the given host
 * names (server.key, server.pem), all made with agenda_pki, and store.conf naming the store for
 * every other verb. Keys are 0600 and never
 * overwritten; a folder that already has a CA is refused, because a new CA would cut off every
 * enrolled device. The CA's fingerprint is printed for the help desk to read out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "central_cli.h"
#include "central_files.h"
#include "central_store_dir.h"
#include "pki/pki_ca.h"
#include "pki/pki_fingerprint.h"
#include "pki/pki_key.h"
#include "pki/pki_server_cert.h"
#include "platform/clock.h"
#include "platform/private_file.h"
#include "platform/rng.h"
#include "store.h"

#define MAX_HOSTS 16

struct init_args {
	const char *dir;
	const char *store;
	const char *hosts[MAX_HOSTS];
	int host_count;
};

static int parse(const struct central_cli *c, int argc, char **argv, struct init_args *a)
{
	for (int i = 0; i < argc; i++) {
		const char *name = argv[i];

		if (i + 1 >= argc || (strcmp(name, "--dir") != 0 && strcmp(name, "--host") != 0 &&
		                      strcmp(name, "--store") != 0))
			return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_BAD_ARG, name);
		if (strcmp(name, "--dir") == 0) {
			a->dir = argv[++i];
		} else if (strcmp(name, "--store") == 0) {
			a->store = argv[++i];
		} else {
			if (a->host_count == MAX_HOSTS)
				return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_TOO_MANY_HOSTS,
				                        MAX_HOSTS);
			a->hosts[a->host_count++] = argv[++i];
		}
	}
	if (!a->dir || !*a->dir)
		return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_MISSING, "--dir");
	if (a->host_count == 0)
		return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_MISSING, "--host");
	return CENTRAL_EXIT_OK;
}

/* The store named by target, created at the newest schema, and named in dir/store.conf. */
static int make_store(const struct central_cli *c, const char *dir, const char *target)
{
	central_store *s = NULL;
	agenda_detail why;
	agenda_err err;
	int version = 0;

	err = central_store_open(target, &s, &why);
	if (err == AG_OK)
		err = central_store_create_schema(s, &version, &why);
	central_store_close(s);
	if (err == AG_OK)
		err = central_store_conf_write(dir, target, &why);
	return err == AG_OK ? CENTRAL_EXIT_OK : central_fail(c, err, &why);
}

/* A new key written to dir/name (0600, never over an existing file). */
static int make_key(const struct central_cli *c, const agenda_rng *rng, const char *dir,
                    const char *name, mbedtls_pk_context *key)
{
	char path[CENTRAL_PATH_MAX];
	agenda_detail why;
	agenda_err err;

	central_path(path, dir, name);
	err = pki_key_generate(rng, key);
	if (err != AG_OK)
		return central_fail_msg(c, err, MSG_CENTRAL_WRITE_FAILED, path, "rng");
	err = pki_key_write_file(key, path, &why);
	return err == AG_OK ? CENTRAL_EXIT_OK : central_fail(c, err, &why);
}

static int write_cert(const struct central_cli *c, const char *dir, const char *name,
                      const char *pem)
{
	char path[CENTRAL_PATH_MAX];

	central_path(path, dir, name);
	if (private_file_create_once(path, pem, strlen(pem)) != 0)
		return central_fail_msg(c, errno == EEXIST ? AG_ERR_EXISTS : AG_ERR_IO,
		                        MSG_CENTRAL_WRITE_FAILED, path, strerror(errno));
	return CENTRAL_EXIT_OK;
}

static void report(const struct central_cli *c, const struct init_args *a, const char *target,
                   const char *fingerprint)
{
	if (c->json) {
		json_t *hosts = json_array();

		for (int i = 0; i < a->host_count; i++)
			json_array_append_new(hosts, json_string(a->hosts[i]));
		central_emit(json_pack("{s:s, s:s, s:o, s:s}", "dir", a->dir, "store", target,
		                       "hosts", hosts, "ca_fingerprint", fingerprint));
		return;
	}
	printf(msg_get(MSG_CENTRAL_INIT_DONE, c->lang), a->dir, target, fingerprint);
	printf("\n");
	fflush(stdout);
}

/* The CA and the server certificate, with their keys, into dir. */
static int make_pki(const struct central_cli *c, const struct init_args *a, char **ca_pem)
{
	mbedtls_pk_context ca_key, server_key;
	struct rng_state *rs = NULL;
	int64_t clock_storage = 0;
	agenda_clock clock;
	agenda_detail why;
	agenda_rng rng;
	char *server_pem = NULL;
	agenda_err err;
	int status;

	mbedtls_pk_init(&ca_key);
	mbedtls_pk_init(&server_key);
	if (clock_from_env(&clock, &clock_storage) != AG_OK)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_ARG, CLOCK_ENV);
	if (rng_open_system(&rng, &rs) != AG_OK)
		return central_fail_msg(c, AG_ERR_IO, MSG_RNG_FAILED);
	status = make_key(c, &rng, a->dir, CENTRAL_CA_KEY, &ca_key);
	if (status == CENTRAL_EXIT_OK) {
		err = pki_ca_create(&rng, &clock, &ca_key, CENTRAL_CA_NAME, PKI_CA_DAYS, ca_pem,
		                    &why);
		status = err == AG_OK ? write_cert(c, a->dir, CENTRAL_CA_CERT, *ca_pem)
		                      : central_fail(c, err, &why);
	}
	if (status == CENTRAL_EXIT_OK)
		status = make_key(c, &rng, a->dir, CENTRAL_SERVER_KEY, &server_key);
	if (status == CENTRAL_EXIT_OK) {
		err = pki_server_cert_issue(&rng, &clock, *ca_pem, &ca_key, &server_key, a->hosts,
		                            (size_t)a->host_count, PKI_SERVER_DAYS, &server_pem,
		                            &why);
		status = err == AG_OK ? write_cert(c, a->dir, CENTRAL_SERVER_CERT, server_pem)
		                      : central_fail(c, err, &why);
	}
	free(server_pem);
	mbedtls_pk_free(&ca_key);
	mbedtls_pk_free(&server_key);
	rng_close(rs);
	return status;
}

int central_init(const struct central_cli *c, int argc, char **argv)
{
	struct init_args a = {0};
	char target[CENTRAL_PATH_MAX], ca_path[CENTRAL_PATH_MAX], key_path[CENTRAL_PATH_MAX];
	char *ca_pem = NULL;
	struct stat st;
	int status;

	status = parse(c, argc, argv, &a);
	if (status != CENTRAL_EXIT_OK)
		return status;
	central_path(ca_path, a.dir, CENTRAL_CA_CERT);
	central_path(key_path, a.dir, CENTRAL_CA_KEY);
	if (stat(ca_path, &st) == 0 || stat(key_path, &st) == 0)
		return central_fail_msg(c, AG_ERR_REFUSED, MSG_CENTRAL_CA_EXISTS, a.dir);
	if (private_dir_make(a.dir) != 0 || chmod(a.dir, 0700) != 0)
		return central_fail_msg(c, AG_ERR_IO, MSG_CENTRAL_DIR_FAILED, a.dir,
		                        strerror(errno));
	if (a.store)
		snprintf(target, sizeof target, "%s", a.store);
	else
		central_path(target, a.dir, "central.db");
	status = make_store(c, a.dir, target);
	if (status == CENTRAL_EXIT_OK)
		status = make_pki(c, &a, &ca_pem);
	if (status == CENTRAL_EXIT_OK) {
		char fingerprint[PKI_FINGERPRINT_SIZE];
		agenda_detail why;
		agenda_err err = pki_fingerprint(ca_pem, fingerprint, &why);

		if (err != AG_OK)
			status = central_fail(c, err, &why);
		else
			report(c, &a, target, fingerprint);
	}
	free(ca_pem);
	return status;
}
