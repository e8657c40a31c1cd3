/*
 * operators_test.c — generated passwords, Argon2id storage, log-in, lockout after five failures
 * for fifteen minutes, unlock, password reset, and the Dirigente's email in the outbox.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "services/audit.h"
#include "services/outbox.h"

static void password_is_generated_and_hashed(void **state)
{
	struct fixture *f = *state;
	char pw[PASSWORD_MAX], other[PASSWORD_MAX];

	assert_int_equal(operator_add(&f->ctx, "test", "anna.bianchi", ROLE_DIRIGENTE, pw, NULL),
	                 AG_OK);
	assert_int_equal(strlen(pw), PASSWORD_LENGTH);
	assert_int_equal(operator_add(&f->ctx, "test", "luca.verdi", ROLE_TECNICO, other, NULL),
	                 AG_OK);
	assert_string_not_equal(pw, other);
	/* only an Argon2id hash is stored, never the password */
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM operator WHERE password_hash"
	                                  " LIKE '$argon2id$v=19$m=19456,t=2,p=1$%'"),
	                 3);
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM operator WHERE instr(password_hash, '%s')",
	         pw);
	assert_int_equal(fixture_count(f, sql), 0);
	assert_int_equal(operator_add(&f->ctx, "test", "anna.bianchi", ROLE_OPERATORE, pw, NULL),
	                 AG_ERR_EXISTS);
	assert_int_equal(operator_add(&f->ctx, "test", "Bad Name", ROLE_OPERATORE, pw, NULL),
	                 AG_ERR_INVALID);
	assert_int_equal(operator_add(&f->ctx, "test", "x'); DROP TABLE operator;--",
	                              ROLE_OPERATORE, pw, NULL),
	                 AG_ERR_INVALID);
}

static void login_right_and_wrong(void **state)
{
	struct fixture *f = *state;
	struct session s;
	agenda_detail why;

	assert_int_equal(session_login(&f->ctx, "mario.rossi", f->password, &s, NULL), AG_OK);
	assert_string_equal(s.username, "mario.rossi");
	assert_int_equal(s.role, ROLE_OPERATORE);
	assert_int_equal(session_login(&f->ctx, "mario.rossi", "sbagliata", &s, &why), AG_ERR_AUTH);
	assert_non_null(strstr(why.it, "Tentativi rimasti"));
	assert_int_equal(session_login(&f->ctx, "nessuno", "x", &s, &why), AG_ERR_AUTH);
	assert_int_equal(session_login(&f->ctx, "mario.rossi", "", &s, &why), AG_ERR_AUTH);
}

static void five_failures_lock_for_fifteen_minutes(void **state)
{
	struct fixture *f = *state;
	struct session s;
	agenda_detail why;

	for (int i = 1; i < LOGIN_MAX_FAILURES; i++)
		assert_int_equal(session_login(&f->ctx, "mario.rossi", "no", &s, &why),
		                 AG_ERR_AUTH);
	assert_int_equal(session_login(&f->ctx, "mario.rossi", "no", &s, &why), AG_ERR_LOCKED);
	assert_non_null(strstr(why.it, "09:15"));
	/* even the right password is refused while locked */
	assert_int_equal(session_login(&f->ctx, "mario.rossi", f->password, &s, &why),
	                 AG_ERR_LOCKED);
	f->now += LOGIN_LOCK_SECONDS - 1;
	assert_int_equal(session_login(&f->ctx, "mario.rossi", f->password, &s, &why),
	                 AG_ERR_LOCKED);
	f->now += 1;
	assert_int_equal(session_login(&f->ctx, "mario.rossi", f->password, &s, &why), AG_OK);
	/* the count starts again from zero */
	assert_int_equal(session_login(&f->ctx, "mario.rossi", "no", &s, &why), AG_ERR_AUTH);
	assert_non_null(strstr(why.it, ": 4."));
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'login_locked'"), 1);
}

static void unlock_and_reset(void **state)
{
	struct fixture *f = *state;
	struct session s;
	char pw[PASSWORD_MAX];

	for (int i = 0; i < LOGIN_MAX_FAILURES; i++)
		session_login(&f->ctx, "mario.rossi", "no", &s, NULL);
	assert_int_equal(session_login(&f->ctx, "mario.rossi", f->password, &s, NULL),
	                 AG_ERR_LOCKED);
	assert_int_equal(operator_unlock(&f->ctx, "dirigente", "mario.rossi", NULL), AG_OK);
	assert_int_equal(session_login(&f->ctx, "mario.rossi", f->password, &s, NULL), AG_OK);
	assert_int_equal(operator_unlock(&f->ctx, "dirigente", "nessuno", NULL), AG_ERR_NOT_FOUND);
	assert_int_equal(operator_reset_password(&f->ctx, "dirigente", "mario.rossi", pw, NULL),
	                 AG_OK);
	assert_int_equal(session_login(&f->ctx, "mario.rossi", f->password, &s, NULL), AG_ERR_AUTH);
	assert_int_equal(session_login(&f->ctx, "mario.rossi", pw, &s, NULL), AG_OK);
	assert_int_equal(operator_reset_password(&f->ctx, "d", "nessuno", pw, NULL),
	                 AG_ERR_NOT_FOUND);
}

static void password_mailed_to_dirigente(void **state)
{
	struct fixture *f = *state;
	char pw[PASSWORD_MAX], sql[200];
	int pending;

	assert_int_equal(outbox_pending(&f->ctx, &pending, NULL), AG_OK);
	assert_int_equal(pending, 0); /* no address configured yet */
	assert_int_equal(
	        store_setting_set(f->ctx.store, "dirigente_email", "dirigente@example.test", NULL),
	        AG_OK);
	assert_int_equal(operator_add(&f->ctx, "test", "giulia.neri", ROLE_OPERATORE, pw, NULL),
	                 AG_OK);
	assert_int_equal(outbox_pending(&f->ctx, &pending, NULL), AG_OK);
	assert_int_equal(pending, 1);
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM outbox WHERE recipient = 'dirigente@example.test'"
	         " AND instr(body, '%s') AND instr(subject, 'giulia.neri')",
	         pw);
	assert_int_equal(fixture_count(f, sql), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(password_is_generated_and_hashed),       T(login_right_and_wrong),
	        T(five_failures_lock_for_fifteen_minutes), T(unlock_and_reset),
	        T(password_mailed_to_dirigente),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
