/*
 * sync_digest_test.c — the digest central compares (services/sync_digest.h) equals SHA-256,
 * computed by sha256sum (a separate implementation), of the documented lines: confirmed
 * appointments by id bytewise, then granted free/booked slots by central id numerically
 * (7 < 12 < 100, which text order would get wrong); cancelled appointments, own capacity,
 * releasing slots are left out. Also audit_head / audit_hash_at as central anchors them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "services/audit.h"
#include "services/grants.h"
#include "services/sync_digest.h"
#include "services/sync_state.h"

static const agenda_day MAY4 = 20577;

/* sha256sum of text, as 64 hex digits. */
static void sha256sum(struct fixture *f, const char *text, char out[65])
{
	char path[128], cmd[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/lines.txt", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%64s", out), 1);
	pclose(fp);
}

static void digest_matches_documented_lines(void **state)
{
	struct fixture *f = *state;
	char hex[SYNC_DIGEST_HEX_SIZE], expected[65], lines[1024];
	struct booking a, b, c;
	int64_t ids[1];
	size_t n;

	/* Nothing held: the hash of nothing. */
	assert_int_equal(sync_digest(&f->ctx, hex, NULL), AG_OK);
	assert_string_equal(hex,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	fixture_capacity(f, MAY4 + 1, 1, 2); /* own capacity: not in the digest */
	assert_int_equal(grants_apply(&f->ctx, 100, "RM", MAY4 + 2, 540, f->now + 9999, NULL),
	                 AG_OK);
	assert_int_equal(grants_apply(&f->ctx, 12, "RM", MAY4 + 2, 560, f->now + 9999, NULL),
	                 AG_OK);
	assert_int_equal(grants_apply(&f->ctx, 7, "RM", MAY4 + 3, 600, f->now + 9999, NULL), AG_OK);
	assert_int_equal(grants_apply(&f->ctx, 55, "RM", MAY4 + 40, 600, f->now + 9999, NULL),
	                 AG_OK);
	assert_int_equal(grants_hand_back(&f->ctx, 10, ids, 1, &n, NULL), AG_OK); /* 55 */
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	int64_t third;
	fixture_practice(f, "RM/2026/000009", "", "lavoro", &third);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, third, NULL, &c, NULL), AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, c.id, "rinuncia", NULL), AG_OK);
	/* a and b are on own capacity (5 May, 09:00 and 09:20); c's slot is free again. */
	const struct booking *p = strcmp(a.id, b.id) < 0 ? &a : &b, *q = p == &a ? &b : &a;
	snprintf(lines, sizeof lines,
	         "a %s RM 2026-05-05 %d\na %s RM 2026-05-05 %d\ns 7\ns 12\ns 100\n", p->id,
	         p->minute, q->id, q->minute);
	sha256sum(f, lines, expected);
	assert_int_equal(sync_digest(&f->ctx, hex, NULL), AG_OK);
	assert_string_equal(hex, expected);
}

static void audit_head_and_hash_at(void **state)
{
	struct fixture *f = *state;
	char head[AUDIT_HEX_SIZE], at[AUDIT_HEX_SIZE], zeros[65];
	int64_t seq = -1;

	memset(zeros, '0', 64);
	zeros[64] = '\0';
	assert_int_equal(audit_head(&f->ctx, &seq, head, NULL), AG_OK);
	assert_true(seq > 0); /* the fixture's set-up was audited */
	assert_int_equal(strlen(head), 64);
	assert_int_equal(audit_hash_at(&f->ctx, seq, at, NULL), AG_OK);
	assert_string_equal(at, head);
	assert_int_equal(audit_hash_at(&f->ctx, seq - 1, at, NULL), AG_OK);
	assert_string_not_equal(at, head);
	assert_int_equal(audit_hash_at(&f->ctx, 0, at, NULL), AG_OK);
	assert_string_equal(at, zeros);
	assert_int_equal(audit_hash_at(&f->ctx, seq + 1, at, NULL), AG_ERR_NOT_FOUND);
	assert_int_equal(audit_append(&f->ctx, "t", "x", "-", "", NULL), AG_OK);
	assert_int_equal(audit_head(&f->ctx, &seq, at, NULL), AG_OK);
	assert_string_not_equal(at, head);
	char sql[200];
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM audit WHERE seq = %lld AND lower(hex(hash)) = '%s'",
	         (long long)seq, at);
	assert_int_equal(fixture_count(f, sql), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(digest_matches_documented_lines),
	        T(audit_head_and_hash_at),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
