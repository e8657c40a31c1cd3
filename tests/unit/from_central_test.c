/*
 * from_central_test.c — the records a round applies from central, on a real SQLite file: a
 * practice (numbers normalised, status kept: a withdrawn one can no longer be booked, a visa
 * number moves to the newer record), an operator (central's Argon2id hash is what log-in then
 * accepts, a lock the device counted is cleared), a calendar closure (accepted even over booked
 * appointments: central decided) — each audited with actor "central".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

static const agenda_day MAY4 = 20577;

static void practice_from_central(void **state)
{
	struct fixture *f = *state;
	struct practice p = {0}, got;
	struct booking b;
	agenda_detail why;

	snprintf(p.numero_pratica, sizeof p.numero_pratica, "rm 2026 1");
	snprintf(p.numero_visto, sizeof p.numero_visto, "ITA000000002"); /* famiglia's visa */
	snprintf(p.cognome, sizeof p.cognome, "DEMO ROSSI");
	snprintf(p.nome, sizeof p.nome, "Aïcha");
	p.data_nascita = date_from_ymd(1990, 3, 1);
	snprintf(p.nazionalita, sizeof p.nazionalita, "Marocco");
	snprintf(p.tipo, sizeof p.tipo, "lavoro");
	snprintf(p.questura, sizeof p.questura, "RM");
	snprintf(p.status, sizeof p.status, "ritirata");
	assert_int_equal(practice_upsert_from_central(&f->ctx, &p, &why), AG_OK);
	assert_int_equal(practice_by_id(&f->ctx, f->practice_lavoro, &got, NULL), AG_OK);
	assert_string_equal(got.status, "ritirata");
	assert_string_equal(got.numero_visto, "ITA000000002");
	assert_int_equal(practice_by_id(&f->ctx, f->practice_famiglia, &got, NULL), AG_OK);
	assert_string_equal(got.numero_visto, "");
	fixture_capacity(f, MAY4, 10, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, &why),
	                 AG_ERR_REFUSED);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE actor = 'central'"
	                                  " AND action = 'practice_from_central'"
	                                  " AND subject = 'RM/2026/000001'"),
	                 1);
	snprintf(p.numero_pratica, sizeof p.numero_pratica, "not a number");
	assert_int_equal(practice_upsert_from_central(&f->ctx, &p, &why), AG_ERR_INVALID);
}

static void operator_from_central_logs_in(void **state)
{
	struct fixture *f = *state;
	char encoded[PASSWORD_HASH_ENCODED_MAX];
	struct session s;
	agenda_detail why;

	assert_int_equal(account_password_hash(&f->ctx.rng, "Central-Pass-1", encoded), AG_OK);
	assert_int_equal(operator_upsert_from_central(&f->ctx, "luigi.bianchi", ROLE_DIRIGENTE,
	                                              encoded, &why),
	                 AG_OK);
	assert_int_equal(session_login(&f->ctx, "luigi.bianchi", "Central-Pass-1", &s, &why),
	                 AG_OK);
	assert_int_equal(s.role, ROLE_DIRIGENTE);
	/* An existing local account takes central's role and hash; its lock goes. */
	for (int i = 0; i < LOGIN_MAX_FAILURES; i++)
		session_login(&f->ctx, "mario.rossi", "wrong", &s, NULL);
	assert_int_equal(session_login(&f->ctx, "mario.rossi", f->password, &s, NULL), AG_ERR_AUTH);
	assert_int_equal(
	        operator_upsert_from_central(&f->ctx, "mario.rossi", ROLE_OPERATORE, encoded, &why),
	        AG_OK);
	assert_int_equal(session_login(&f->ctx, "mario.rossi", "Central-Pass-1", &s, &why), AG_OK);
	assert_int_equal(
	        operator_upsert_from_central(&f->ctx, "x.y", ROLE_OPERATORE, "plain", &why),
	        AG_ERR_INVALID);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE actor = 'central'"
	                                  " AND action = 'operator_from_central'"),
	                 2);
}

static void closure_from_central_over_bookings(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	agenda_detail why;

	fixture_capacity(f, MAY4, 10, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	/* Refused locally with an appointment on the day, accepted from central. */
	assert_int_equal(questura_exception_add(&f->ctx, "t", "RM", b.day, false, "x", &why),
	                 AG_ERR_REFUSED);
	assert_int_equal(
	        questura_exception_from_central(&f->ctx, "RM", b.day, false, "sciopero", &why),
	        AG_OK);
	assert_int_equal(questura_exception_from_central(&f->ctx, "MI", MAY4 + 3, true, NULL, &why),
	                 AG_OK);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM calendar_exception"), 2);
	assert_int_equal(questura_exception_from_central(&f->ctx, "ZZ", MAY4, true, NULL, &why),
	                 AG_ERR_INVALID);
	/* The next booking skips the closed day. */
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(b.day, MAY4 + 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(practice_from_central),
	        T(operator_from_central_logs_in),
	        T(closure_from_central_over_bookings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
