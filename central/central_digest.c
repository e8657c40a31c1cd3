/*
 * central_digest.c — the digest of what central believes a device holds (central_digest.h).
 * Appointment ids are sorted here with strcmp, not by the database: PostgreSQL's ORDER BY
 * follows the database's collation, which need not be bytewise.
 */
#include "central_digest.h"

#include <mbedtls/sha256.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/messages.h"
#include "store_sync.h"

static int by_id(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

agenda_err central_digest(central_store *s, const char *device, char hex[65], agenda_detail *why)
{
	const char *params[] = {device};
	struct central_rows rows = {0};
	mbedtls_sha256_context sha;
	unsigned char sum[32];
	char **lines = NULL;
	agenda_err err;

	mbedtls_sha256_init(&sha);
	mbedtls_sha256_starts_ret(&sha, 0);
	err = central_sync_query(s,
	                         "SELECT id, questura, day, minute FROM appointment"
	                         " WHERE device = $1 AND state = 'confirmed'",
	                         1, params, &rows, NULL, why);
	if (err == AG_OK && rows.n_rows > 0 && !(lines = calloc(rows.n_rows, sizeof *lines)))
		err = AG_ERR_NOMEM;
	for (size_t i = 0; err == AG_OK && i < rows.n_rows; i++) {
		char day[11];
		size_t size = strlen(central_rows_text(&rows, i, 0)) +
		              strlen(central_rows_text(&rows, i, 1)) + 40;

		date_format((agenda_day)central_rows_int(&rows, i, 2), day, sizeof day);
		if (!(lines[i] = malloc(size))) {
			err = AG_ERR_NOMEM;
			break;
		}
		snprintf(lines[i], size, "a %s %s %s %lld\n", central_rows_text(&rows, i, 0),
		         central_rows_text(&rows, i, 1), day,
		         (long long)central_rows_int(&rows, i, 3));
	}
	if (err == AG_OK && lines)
		qsort(lines, rows.n_rows, sizeof *lines, by_id);
	for (size_t i = 0; err == AG_OK && i < rows.n_rows; i++)
		mbedtls_sha256_update_ret(&sha, (const unsigned char *)lines[i], strlen(lines[i]));
	for (size_t i = 0; lines && i < rows.n_rows; i++)
		free(lines[i]);
	free(lines);
	central_rows_free(&rows);
	if (err == AG_OK)
		err = central_sync_query(s, "SELECT id FROM slot WHERE holder = $1 ORDER BY id", 1,
		                         params, &rows, NULL, why);
	for (size_t i = 0; err == AG_OK && i < rows.n_rows; i++) {
		char line[32];
		int n = snprintf(line, sizeof line, "s %lld\n",
		                 (long long)central_rows_int(&rows, i, 0));

		mbedtls_sha256_update_ret(&sha, (const unsigned char *)line, (size_t)n);
	}
	central_rows_free(&rows);
	mbedtls_sha256_finish_ret(&sha, sum);
	mbedtls_sha256_free(&sha);
	for (size_t i = 0; i < sizeof sum; i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
	if (err == AG_ERR_NOMEM)
		agenda_detail_set(why, MSG_NOMEM);
	return err;
}
