/*
 * printer_choice_test.c — the one printer choice both programs make (print/printer_choice.h):
 * the option beats $AGENDA_PRINTER, which beats the device's printer_uri setting, which beats
 * "usb"; the profile is the option, else the printer_profile setting, else the URI's guess; a
 * malformed URI or an unknown profile is refused whichever of them it came from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "print/printer_choice.h"

static void setting(struct fixture *f, const char *key, const char *value)
{
	assert_int_equal(store_setting_set(f->ctx.store, key, value, NULL), AG_OK);
}

static void option_then_environment_then_setting_then_default(void **state)
{
	struct fixture *f = *state;
	struct printer_choice pc;

	unsetenv(PRINTER_CHOICE_ENV);
	assert_int_equal(printer_choice_resolve(NULL, NULL, NULL, &pc, NULL), AG_OK);
	assert_string_equal(pc.uri, "usb");
	assert_string_equal(pc.uri_from, "default");
	assert_int_equal(printer_choice_resolve("", "", f->ctx.store, &pc, NULL), AG_OK);
	assert_string_equal(pc.uri, "usb");

	setting(f, "printer_uri", "tcp:10.0.0.5");
	assert_int_equal(printer_choice_resolve(NULL, NULL, f->ctx.store, &pc, NULL), AG_OK);
	assert_string_equal(pc.uri, "tcp:10.0.0.5");
	assert_string_equal(pc.uri_from, "setting");

	setenv(PRINTER_CHOICE_ENV, "file:/dev/usb/lp0", 1);
	assert_int_equal(printer_choice_resolve(NULL, NULL, f->ctx.store, &pc, NULL), AG_OK);
	assert_string_equal(pc.uri, "file:/dev/usb/lp0");
	assert_string_equal(pc.uri_from, "environment");

	assert_int_equal(
	        printer_choice_resolve("virtual:/tmp/x/slip", NULL, f->ctx.store, &pc, NULL),
	        AG_OK);
	assert_string_equal(pc.uri, "virtual:/tmp/x/slip");
	assert_string_equal(pc.uri_from, "option");
	unsetenv(PRINTER_CHOICE_ENV);
}

static void profile_option_then_setting_then_guess(void **state)
{
	struct fixture *f = *state;
	struct printer_choice pc;

	unsetenv(PRINTER_CHOICE_ENV);
	assert_int_equal(printer_choice_resolve("file:/tmp/lp", NULL, f->ctx.store, &pc, NULL),
	                 AG_OK);
	assert_ptr_equal(pc.profile, printer_guess_profile("file:/tmp/lp"));
	setting(f, "printer_profile", "generic-58");
	assert_int_equal(printer_choice_resolve("file:/tmp/lp", NULL, f->ctx.store, &pc, NULL),
	                 AG_OK);
	assert_string_equal(pc.profile->id, "generic-58");
	assert_int_equal(pc.profile->columns, 32);
	assert_int_equal(printer_choice_resolve("file:/tmp/lp", "tm-t88v", f->ctx.store, &pc, NULL),
	                 AG_OK);
	assert_string_equal(pc.profile->id, "tm-t88v");
}

static void malformed_choices_are_refused_wherever_they_come_from(void **state)
{
	struct fixture *f = *state;
	struct printer_choice pc;
	agenda_detail why;

	unsetenv(PRINTER_CHOICE_ENV);
	setting(f, "printer_uri", "usb:04b8:0e28junk");
	assert_int_equal(printer_choice_resolve(NULL, NULL, f->ctx.store, &pc, &why),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(why.it, "usb:04b8:0e28junk"));
	setenv(PRINTER_CHOICE_ENV, "lpt1", 1);
	assert_int_equal(printer_choice_resolve(NULL, NULL, f->ctx.store, &pc, &why),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "lpt1"));
	unsetenv(PRINTER_CHOICE_ENV);
	setting(f, "printer_uri", "usb");
	setting(f, "printer_profile", "tm-x999");
	assert_int_equal(printer_choice_resolve(NULL, NULL, f->ctx.store, &pc, &why),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(why.it, "tm-x999"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(option_then_environment_then_setting_then_default),
	        T(profile_option_then_setting_then_guess),
	        T(malformed_choices_are_refused_wherever_they_come_from),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
