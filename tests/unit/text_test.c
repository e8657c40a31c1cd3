/*
 * text_test.c — UTF-8 validation (overlongs, surrogates, range, truncation), control
 * characters, trimming that never cuts, and the sanitiser used to show bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/text.h"

static bool utf8(const char *s)
{
	return text_is_utf8(s, strlen(s));
}

static void utf8_validation(void **state)
{
	(void)state;
	assert_true(utf8("Perù, città, € 中文"));
	assert_true(utf8("\xf0\x9f\x98\x80"));  /* U+1F600 */
	assert_false(utf8("\xc3"));             /* truncated */
	assert_false(utf8("\xc0\xaf"));         /* overlong '/' */
	assert_false(utf8("\xe0\x80\xaf"));     /* overlong */
	assert_false(utf8("\xed\xa0\x80"));     /* surrogate */
	assert_false(utf8("\xf4\x90\x80\x80")); /* > U+10FFFF */
	assert_false(utf8("\xff\xfe"));
	assert_false(utf8("a\x80"));
}

static void control_and_trim(void **state)
{
	(void)state;
	char out[8];

	assert_true(text_has_control("a\tb"));
	assert_true(text_has_control("a\x7f"));
	assert_false(text_has_control("D'Amico"));
	/* C1 controls U+0080..U+009F (C2 80..C2 9F): NEL, CSI, ...; U+00A0 and up are text. */
	assert_true(text_has_control("MA\xc2\x85RIO"));
	assert_true(text_has_control("\xc2\x80"));
	assert_true(text_has_control("x\xc2\x9f"));
	assert_false(text_has_control("\xc2\xa0\xc3\xa0 Aïcha Ğ \xe2\x80\x99"));
	assert_true(text_trim_copy("  ab c ", out, sizeof out));
	assert_string_equal(out, "ab c");
	assert_false(text_trim_copy("12345678", out, sizeof out)); /* refuses, never cuts */
}

static void sanitize_for_display(void **state)
{
	(void)state;
	char out[32];

	text_utf8_sanitize("ok \xff\xfe città", out, sizeof out);
	assert_string_equal(out, "ok \xef\xbf\xbd\xef\xbf\xbd città");
	assert_true(utf8(out));
	text_utf8_sanitize("\xe2\x82", out, sizeof out); /* truncated euro */
	assert_string_equal(out, "\xef\xbf\xbd\xef\xbf\xbd");
	text_utf8_sanitize("ààààààààààààààààààààà", out, 6); /* stops on a character boundary */
	assert_string_equal(out, "àà");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(utf8_validation),
	        cmocka_unit_test(control_and_trim),
	        cmocka_unit_test(sanitize_for_display),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
