/*
 * free_text_test.c — what people type into the device (closure notes, cancellation reasons,
 * the site's name) on a real database: C1 control characters are refused like C0 ones, every
 * free text has a documented limit (docs/CLI.md) enforced with a message that names it, and a
 * refused text leaves nothing behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "services/site.h"

#define MAY4 (date_from_ymd(2026, 5, 4))

static void closure_note_limited_and_clean(void **state)
{
	struct fixture *f = *state;
	size_t big = 120 * 1024;
	char *note = malloc(big + 1);
	char at_limit[NOTE_MAX];
	agenda_detail why;

	memset(note, 'a', big);
	note[big] = '\0';
	assert_int_equal(
	        questura_exception_add(&f->ctx, "test", "RM", MAY4 + 10, false, note, &why),
	        AG_ERR_INVALID);
	assert_non_null(strstr(why.it, "Nota non valida: al massimo 255 byte"));
	assert_int_equal(questura_exception_add(&f->ctx, "test", "RM", MAY4 + 10, false,
	                                        "Assemblea\xc2\x85sindacale", &why),
	                 AG_ERR_INVALID);
	assert_int_equal(
	        questura_exception_add(&f->ctx, "test", "RM", MAY4 + 10, false, "a\tb", &why),
	        AG_ERR_INVALID);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM calendar_exception"), 0);
	memset(at_limit, 'x', sizeof at_limit - 1);
	at_limit[sizeof at_limit - 1] = '\0';
	assert_int_equal(
	        questura_exception_add(&f->ctx, "test", "RM", MAY4 + 10, false, at_limit, &why),
	        AG_OK);
	assert_int_equal(questura_exception_add(&f->ctx, "test", "RM", MAY4 + 11, true,
	                                        "Apertura straordinaria, è così", &why),
	                 AG_OK);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM calendar_exception"), 2);
	free(note);
}

static void reason_and_site_refuse_c1(void **state)
{
	struct fixture *f = *state;
	struct booking a;
	agenda_detail why;

	fixture_capacity(f, MAY4, 30, 1);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, a.id, "rinuncia\xc2\x9b", &why),
	                 AG_ERR_INVALID);
	assert_string_equal(why.it, "Il motivo contiene caratteri non ammessi.");
	assert_int_equal(booking_cancel(&f->ctx, &f->op, a.id, "rinuncia del richiedente", &why),
	                 AG_OK);
	assert_int_equal(site_configure(&f->ctx, "test", "Ro\xc2\x80ma", NULL, &why),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(why.it, "Sede non valida"));
	assert_int_equal(site_configure(&f->ctx, "test", "Forlì", NULL, &why), AG_OK);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(closure_note_limited_and_clean),
	        T(reason_and_site_refuse_c1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
