/*
 * script_parse_test.c — the kiosk's test-mode script parser (ui/script.c): every command parses,
 * malformed lines are rejected with their line number, nothing is read past len.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "script.h"

static struct ui_script_cmd parse_ok(const char *line)
{
	struct ui_script_cmd c;
	char err[UI_SCRIPT_ERROR_MAX] = "";

	assert_true(ui_script_parse_line(line, strlen(line), &c, err, sizeof err));
	return c;
}

static void rejected(const char *line)
{
	struct ui_script_cmd c;
	char err[UI_SCRIPT_ERROR_MAX] = "";

	assert_false(ui_script_parse_line(line, strlen(line), &c, err, sizeof err));
	assert_true(err[0] != '\0');
}

static void every_command_parses(void **state)
{
	(void)state;
	struct ui_script_cmd c = parse_ok("tap 0.5 0.25");
	assert_int_equal(c.op, UI_SCRIPT_TAP);
	assert_true(c.x == 0.5 && c.y == 0.25);
	c = parse_ok("tap_button key:a");
	assert_int_equal(c.op, UI_SCRIPT_TAP_BUTTON);
	assert_string_equal(c.text, "key:a");
	c = parse_ok("type rm 2026  1234");
	assert_int_equal(c.op, UI_SCRIPT_TYPE);
	assert_string_equal(c.text, "rm 2026  1234");
	c = parse_ok("key Return\r");
	assert_string_equal(c.text, "Return");
	assert_int_equal(parse_ok("wait_idle").op, UI_SCRIPT_WAIT_IDLE);
	assert_int_equal(parse_ok("screenshot 01-login").op, UI_SCRIPT_SCREENSHOT);
	assert_int_equal(parse_ok("screenshot_now busy-band").op, UI_SCRIPT_SCREENSHOT_NOW);
	assert_int_equal(parse_ok("expect_screen ricerca").op, UI_SCRIPT_EXPECT_SCREEN);
	c = parse_ok("sleep 250");
	assert_int_equal(c.ms, 250);
	assert_int_equal(parse_ok("printer_fault paper_out").op, UI_SCRIPT_PRINTER_FAULT);
	c = parse_ok("wait_for_file /tmp/kiosk-e2e-disk_full-x1/free.flag");
	assert_int_equal(c.op, UI_SCRIPT_WAIT_FOR_FILE);
	assert_string_equal(c.text, "/tmp/kiosk-e2e-disk_full-x1/free.flag");
	assert_int_equal(parse_ok("check_layout").op, UI_SCRIPT_CHECK_LAYOUT);
	assert_int_equal(parse_ok("print_wait off").op, UI_SCRIPT_PRINT_WAIT);
	assert_int_equal(parse_ok("quit").op, UI_SCRIPT_QUIT);
	assert_int_equal(parse_ok("   # a comment").op, UI_SCRIPT_NOTHING);
	assert_int_equal(parse_ok("").op, UI_SCRIPT_NOTHING);
}

static void malformed_lines_are_rejected(void **state)
{
	(void)state;
	rejected("tapp 0.5 0.5");
	rejected("tap 0.5");
	rejected("tap 1.5 0.5");
	rejected("tap nan 0.5");
	rejected("tap 0.5 0.5 0.5");
	rejected("tap_button");
	rejected("tap_button a b");
	rejected("tap_button caf\xc3\xa9");
	rejected("type");
	rejected("type \x01");
	rejected("screenshot ../etc/passwd");
	rejected("screenshot a/b");
	rejected("screenshot_now ../x");
	rejected("sleep -1");
	rejected("sleep 99999999999");
	rejected("sleep 12ms");
	rejected("quit now");
	rejected("wait_idle 3");
	rejected("wait_for_file");
	rejected("wait_for_file /tmp/a b");
	rejected("wait_for_file /tmp/with space");
	rejected("wait_for_file /tmp/caf\xc3\xa9");
	rejected("check_layout now");
	rejected("print_wait");
	rejected("print_wait maybe");
}

static void nul_and_length_are_respected(void **state)
{
	struct ui_script_cmd c;
	char err[UI_SCRIPT_ERROR_MAX];
	const char with_nul[] = "quit\0 extra";
	char *exact = malloc(4);

	(void)state;
	assert_false(ui_script_parse_line(with_nul, sizeof with_nul - 1, &c, err, sizeof err));
	/* "quit" without a terminating NUL: the parser must stop at len. */
	memcpy(exact, "quit", 4);
	assert_true(ui_script_parse_line(exact, 4, &c, err, sizeof err));
	assert_int_equal(c.op, UI_SCRIPT_QUIT);
	free(exact);
}

static void whole_script_names_the_bad_line(void **state)
{
	const char text[] = "# login\nexpect_screen login\n\ntap 2 2\nquit\n";
	const char good[] = "tap 0.1 0.2\n# c\nkey Tab\n";
	struct ui_script s;
	char err[UI_SCRIPT_ERROR_MAX + 32];

	(void)state;
	assert_false(ui_script_parse(text, sizeof text - 1, &s, err, sizeof err));
	assert_non_null(strstr(err, "line 4"));
	assert_null(s.cmds);
	assert_true(ui_script_parse(good, sizeof good - 1, &s, err, sizeof err));
	assert_int_equal(s.count, 2);
	assert_int_equal(s.cmds[1].line, 3);
	ui_script_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(every_command_parses),
	        cmocka_unit_test(malformed_lines_are_rejected),
	        cmocka_unit_test(nul_and_length_are_respected),
	        cmocka_unit_test(whole_script_names_the_bad_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
