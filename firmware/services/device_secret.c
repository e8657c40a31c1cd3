/*
 * device_secret.c — making, checking and reading the device secret (device_secret.h).
 */
#include "services/device_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/md.h>

#include "core/messages.h"
#include "platform/private_file.h"

#define SECRET_PATH_MAX 4200

static agenda_err read_secret(const char *path, unsigned char out[DEVICE_SECRET_LEN],
                              agenda_detail *why)
{
	unsigned char extra;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	bool whole;

	if (fd < 0) {
		agenda_detail_set(why, MSG_SECRET_UNREADABLE, path, strerror(errno));
		return AG_ERR_IO;
	}
	n = read(fd, out, DEVICE_SECRET_LEN);
	whole = n == DEVICE_SECRET_LEN && read(fd, &extra, 1) == 0;
	close(fd);
	if (!whole) {
		agenda_detail_set(why, MSG_SECRET_DAMAGED, path);
		return AG_ERR_CORRUPT;
	}
	return AG_OK;
}

static agenda_err audit_is_empty(store *s, bool *empty, agenda_detail *why)
{
	static const char SQL[] = "SELECT NOT EXISTS(SELECT 1 FROM audit)";
	sqlite3_stmt *st = store_stmt(s, SQL, why);
	int rc;

	if (!st)
		return AG_ERR_STORE;
	rc = sqlite3_step(st);
	*empty = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? AG_OK : store_error(s, rc, why);
}

agenda_err device_secret_load(store *s, const char *db_path, agenda_rng *rng, bool create,
                              unsigned char out[DEVICE_SECRET_LEN], agenda_detail *why)
{
	char path[SECRET_PATH_MAX];
	unsigned char fresh[DEVICE_SECRET_LEN];
	bool empty = false;
	mode_t mode;
	agenda_err err;

	snprintf(path, sizeof path, "%s.key", db_path);
	if (private_file_exposed(path, &mode)) {
		agenda_detail_set(why, MSG_STORE_EXPOSED, path, (unsigned)mode, path);
		return AG_ERR_REFUSED;
	}
	if (access(path, F_OK) == 0)
		return read_secret(path, out, why);
	if ((err = audit_is_empty(s, &empty, why)) != AG_OK)
		return err;
	if (!empty) {
		agenda_detail_set(why, MSG_SECRET_MISSING, path);
		return AG_ERR_CORRUPT;
	}
	if (!create) { /* read-only and nothing signed yet: nothing to check, nothing to sign */
		memset(out, 0, DEVICE_SECRET_LEN);
		return AG_OK;
	}
	if (rng_fill(rng, fresh, sizeof fresh) != 0) {
		agenda_detail_set(why, MSG_RNG_FAILED);
		return AG_ERR_IO;
	}
	/* EEXIST: another program made it a moment ago; both then use that one. */
	if (private_file_create_once(path, fresh, sizeof fresh) != 0 && errno != EEXIST) {
		agenda_detail_set(why, MSG_SECRET_UNREADABLE, path, strerror(errno));
		err = AG_ERR_IO;
	} else {
		err = read_secret(path, out, why);
	}
	memset(fresh, 0, sizeof fresh);
	return err;
}

void device_secret_mac(const unsigned char secret[DEVICE_SECRET_LEN], const char *label,
                       const void *data, size_t len, unsigned char out[32])
{
	mbedtls_md_context_t md;

	mbedtls_md_init(&md);
	if (mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1) != 0) {
		memset(out, 0, 32); /* no memory: a key that matches nothing real */
	} else {
		mbedtls_md_hmac_starts(&md, secret, DEVICE_SECRET_LEN);
		mbedtls_md_hmac_update(&md, (const unsigned char *)label, strlen(label) + 1);
		mbedtls_md_hmac_update(&md, data, len);
		mbedtls_md_hmac_finish(&md, out);
	}
	mbedtls_md_free(&md);
}
