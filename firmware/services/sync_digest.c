/*
 * sync_digest.c — the digest of what the device holds (definition in sync_digest.h), streamed
 * into SHA-256 line by line: two ordered reads, no list kept in memory.
 */
#include "services/sync_digest.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/md.h>

#include "core/date.h"
#include "core/messages.h"

/* Feeds every row of st, formatted by line(), into sha; resets st. */
static agenda_err feed(agenda_ctx *ctx, sqlite3_stmt *st, mbedtls_md_context_t *sha,
                       int (*line)(sqlite3_stmt *, char *, size_t), agenda_detail *why)
{
	char text[160];
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = line(st, text, sizeof text);

		if (n < 0 || (size_t)n >= sizeof text) {
			sqlite3_reset(st);
			agenda_detail_set(why, MSG_STORE_FAILED, "digest line");
			return AG_ERR_STORE;
		}
		mbedtls_md_update(sha, (const unsigned char *)text, (size_t)n);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}

static int appointment_line(sqlite3_stmt *st, char *out, size_t size)
{
	char day[DATE_TEXT_MAX];

	date_format((agenda_day)sqlite3_column_int(st, 2), day, sizeof day);
	return snprintf(out, size, "a %s %s %s %d\n", (const char *)sqlite3_column_text(st, 0),
	                (const char *)sqlite3_column_text(st, 1), day, sqlite3_column_int(st, 3));
}

static int slot_line(sqlite3_stmt *st, char *out, size_t size)
{
	return snprintf(out, size, "s %lld\n", (long long)sqlite3_column_int64(st, 0));
}

agenda_err sync_digest(agenda_ctx *ctx, char hex[SYNC_DIGEST_HEX_SIZE], agenda_detail *why)
{
	/* BINARY collation compares bytes (memcmp): the bytewise order of the definition. */
	static const char APPOINTMENTS[] =
	        "SELECT a.id, s.questura, s.day, s.minute FROM appointment a"
	        " JOIN slot s ON s.id = a.slot_id WHERE a.state = 'confirmed' ORDER BY a.id";
	static const char SLOTS[] = "SELECT CAST(grant_id AS INTEGER) AS central FROM slot"
	                            " WHERE grant_id IS NOT NULL AND (state = 'free' OR"
	                            " state = 'booked') ORDER BY central";
	static const char DIGITS[] = "0123456789abcdef";
	unsigned char sum[32];
	mbedtls_md_context_t sha;
	sqlite3_stmt *st;
	agenda_err err = AG_ERR_STORE;

	memset(hex, 0, SYNC_DIGEST_HEX_SIZE);
	mbedtls_md_init(&sha);
	if (mbedtls_md_setup(&sha, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 0) != 0 ||
	    mbedtls_md_starts(&sha) != 0) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
		goto done;
	}
	if (!(st = store_stmt(ctx->store, APPOINTMENTS, why)) ||
	    (err = feed(ctx, st, &sha, appointment_line, why)) != AG_OK)
		goto done;
	if (!(st = store_stmt(ctx->store, SLOTS, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	if ((err = feed(ctx, st, &sha, slot_line, why)) != AG_OK)
		goto done;
	mbedtls_md_finish(&sha, sum);
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = DIGITS[sum[i] >> 4];
		hex[2 * i + 1] = DIGITS[sum[i] & 15];
	}
done:
	mbedtls_md_free(&sha);
	return err;
}
