/*
 * audit.c — appending to and verifying the hash-chained audit log.
 *
 * hash(n) = HMAC-SHA-256(device secret, hash(n-1) || be64(seq) || be64(at) || for each text
 * field: be32(len) || bytes), with hash(0) = 32 zero bytes. Length prefixes make the encoding
 * unambiguous, so no two different records hash the same input. The key lives outside the
 * database (device_secret.h): with the file alone one can delete or cut records, which verify
 * catches, but not write a chain or head that verifies. What only central can catch (a whole
 * file replaced by an older copy of itself with its key): docs/ARCHITECTURE.md.
 */
#include "services/audit.h"

#include <string.h>

#include <mbedtls/md.h>

#include "core/messages.h"

#define HASH_LEN 32

static void put_be(unsigned char *out, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		out[i] = (unsigned char)(v & 0xff);
}

static void mac_text(mbedtls_md_context_t *md, const char *text)
{
	unsigned char len[4];
	size_t n = strlen(text);

	put_be(len, n, 4);
	mbedtls_md_hmac_update(md, len, 4);
	mbedtls_md_hmac_update(md, (const unsigned char *)text, n);
}

static void record_hash(const agenda_ctx *ctx, const unsigned char prev[HASH_LEN], int64_t seq,
                        int64_t at, const char *actor, const char *action, const char *subject,
                        const char *detail, unsigned char out[HASH_LEN])
{
	mbedtls_md_context_t md;
	unsigned char num[16];

	put_be(num, (uint64_t)seq, 8);
	put_be(num + 8, (uint64_t)at, 8);
	mbedtls_md_init(&md);
	/* Fails only on a bad digest type or no memory: the record then fails to verify. */
	if (mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1) != 0) {
		memset(out, 0, HASH_LEN);
		mbedtls_md_free(&md);
		return;
	}
	mbedtls_md_hmac_starts(&md, ctx->secret, sizeof ctx->secret);
	mbedtls_md_hmac_update(&md, prev, HASH_LEN);
	mbedtls_md_hmac_update(&md, num, sizeof num);
	mac_text(&md, actor);
	mac_text(&md, action);
	mac_text(&md, subject);
	mac_text(&md, detail);
	mbedtls_md_hmac_finish(&md, out);
	mbedtls_md_free(&md);
}

agenda_err audit_append(agenda_ctx *ctx, const char *actor, const char *action, const char *subject,
                        const char *detail, agenda_detail *why)
{
	static const char HEAD[] = "SELECT seq, hash FROM audit_head WHERE id = 1";
	static const char INSERT[] = "INSERT INTO audit(seq, at, actor, action, subject, detail,"
	                             " prev_hash, hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?)";
	static const char PUT_HEAD[] = "INSERT INTO audit_head(id, seq, hash) VALUES(1, ?, ?)"
	                               " ON CONFLICT(id) DO UPDATE SET seq = excluded.seq,"
	                               " hash = excluded.hash";
	unsigned char prev[HASH_LEN] = {0}, hash[HASH_LEN];
	int64_t seq = 1, at = clock_now(&ctx->clock);
	sqlite3_stmt *st = store_stmt(ctx->store, HEAD, why);
	agenda_err err;

	if (!st)
		return AG_ERR_STORE;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == HASH_LEN) {
		seq = sqlite3_column_int64(st, 0) + 1;
		memcpy(prev, sqlite3_column_blob(st, 1), HASH_LEN);
	}
	sqlite3_reset(st);
	record_hash(ctx, prev, seq, at, actor, action, subject, detail, hash);

	if (!(st = store_stmt(ctx->store, INSERT, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, detail, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, prev, HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, hash, HASH_LEN, SQLITE_STATIC);
	err = store_step_done(ctx->store, st, why);
	if (err != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, PUT_HEAD, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_blob(st, 2, hash, HASH_LEN, SQLITE_STATIC);
	return store_step_done(ctx->store, st, why);
}

static const char *column_text(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return t ? t : "";
}

agenda_err audit_verify(agenda_ctx *ctx, struct audit_report *report, agenda_detail *why)
{
	static const char ALL[] = "SELECT seq, at, actor, action, subject, detail, prev_hash, hash"
	                          " FROM audit ORDER BY seq";
	static const char HEAD[] = "SELECT seq, hash FROM audit_head WHERE id = 1";
	unsigned char prev[HASH_LEN] = {0}, hash[HASH_LEN];
	int64_t expected = 1;
	sqlite3_stmt *st = store_stmt(ctx->store, ALL, why);
	int rc;

	memset(report, 0, sizeof *report);
	if (!st)
		return AG_ERR_STORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);

		report->records++;
		if (seq != expected) {
			report->problem = AUDIT_GAP;
			report->first_bad = expected;
			break;
		}
		if (sqlite3_column_bytes(st, 6) != HASH_LEN ||
		    memcmp(sqlite3_column_blob(st, 6), prev, HASH_LEN) != 0) {
			report->problem = AUDIT_BROKEN_LINK;
			report->first_bad = seq;
			break;
		}
		record_hash(ctx, prev, seq, sqlite3_column_int64(st, 1), column_text(st, 2),
		            column_text(st, 3), column_text(st, 4), column_text(st, 5), hash);
		if (sqlite3_column_bytes(st, 7) != HASH_LEN ||
		    memcmp(sqlite3_column_blob(st, 7), hash, HASH_LEN) != 0) {
			report->problem = AUDIT_HASH_MISMATCH;
			report->first_bad = seq;
			break;
		}
		memcpy(prev, hash, HASH_LEN);
		expected++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(ctx->store, rc, why);
	if (report->problem != AUDIT_INTACT)
		return AG_OK;

	/* The chain is whole; is it all of it? The head remembers the last record written. */
	if (!(st = store_stmt(ctx->store, HEAD, why)))
		return AG_ERR_STORE;
	if (sqlite3_step(st) == SQLITE_ROW) {
		int64_t head_seq = sqlite3_column_int64(st, 0);

		if (head_seq != expected - 1 || sqlite3_column_bytes(st, 1) != HASH_LEN ||
		    memcmp(sqlite3_column_blob(st, 1), prev, HASH_LEN) != 0) {
			report->problem = AUDIT_TRUNCATED;
			report->first_bad = expected;
		}
	} else if (expected > 1) {
		report->problem = AUDIT_TRUNCATED;
		report->first_bad = 1;
	}
	sqlite3_reset(st);
	return AG_OK;
}

/* 64 lowercase hex digits of a 32-byte hash (zeros when blob is not one). */
static void hash_hex(const void *blob, int bytes, char hex[AUDIT_HEX_SIZE])
{
	static const char DIGITS[] = "0123456789abcdef";
	const unsigned char *b = blob;

	for (int i = 0; i < HASH_LEN; i++) {
		unsigned v = bytes == HASH_LEN && b ? b[i] : 0;

		hex[2 * i] = DIGITS[v >> 4];
		hex[2 * i + 1] = DIGITS[v & 15];
	}
	hex[2 * HASH_LEN] = '\0';
}

agenda_err audit_head(agenda_ctx *ctx, int64_t *seq, char hex[AUDIT_HEX_SIZE], agenda_detail *why)
{
	static const char HEAD[] = "SELECT seq, hash FROM audit_head WHERE id = 1";
	sqlite3_stmt *st = store_stmt(ctx->store, HEAD, why);
	int rc;

	*seq = 0;
	hash_hex(NULL, 0, hex);
	if (!st)
		return AG_ERR_STORE;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		hash_hex(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1), hex);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}

agenda_err audit_hash_at(agenda_ctx *ctx, int64_t seq, char hex[AUDIT_HEX_SIZE], agenda_detail *why)
{
	static const char AT[] = "SELECT hash FROM audit WHERE seq = ?";
	sqlite3_stmt *st;
	int rc;

	hash_hex(NULL, 0, hex);
	if (seq == 0)
		return AG_OK;
	if (!(st = store_stmt(ctx->store, AT, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		hash_hex(sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0), hex);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return AG_OK;
	return rc == SQLITE_DONE ? AG_ERR_NOT_FOUND : store_error(ctx->store, rc, why);
}

const char *audit_problem_text(enum audit_problem p, agenda_lang lang)
{
	static const agenda_msg MSGS[] = {
	        [AUDIT_INTACT] = MSG_AUDIT_INTACT,
	        [AUDIT_HASH_MISMATCH] = MSG_AUDIT_HASH_MISMATCH,
	        [AUDIT_BROKEN_LINK] = MSG_AUDIT_BROKEN_LINK,
	        [AUDIT_GAP] = MSG_AUDIT_GAP,
	        [AUDIT_TRUNCATED] = MSG_AUDIT_TRUNCATED,
	};

	if ((int)p < 0 || p > AUDIT_TRUNCATED)
		return "?";
	return msg_get(MSGS[p], lang);
}
