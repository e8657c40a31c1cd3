/*
 * cp858_test.c — UTF-8 to CP858 and back: the Italian letters and € land on the bytes glibc's
 * own IBM858 converter gives (an independent table), every byte round-trips, the rest of Latin
 * script is transliterated, malformed input never overruns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <iconv.h>
#include <string.h>

#include "printer/cp858.h"

static void italian_letters_and_euro(void **state)
{
	(void)state;
	char out[64];

	assert_int_equal(cp858_from_utf8("àèéìòùÀÈÉÌÒÙ€", out, sizeof out), 13);
	assert_memory_equal(out, "\x85\x8a\x82\x8d\x95\x97\xb7\xd4\x90\xde\xe3\xeb\xd5", 13);
	assert_int_equal(cp858_from_utf8("Nazionalità: 16 €", out, sizeof out), 17);
	assert_string_equal(out, "Nazionalit\x85: 16 \xd5");
}

/* Every upper-half byte decodes to the code point glibc's IBM858 says it is, and back. */
static void table_matches_glibc(void **state)
{
	(void)state;
	iconv_t cd = iconv_open("UTF-8", "IBM858");

	assert_true(cd != (iconv_t)-1);
	for (int b = 0x20; b < 0x100; b++) {
		char in[1] = {(char)b}, mine[8] = {0}, theirs[8] = {0}, back[4];
		char *ip = in, *op = theirs;
		size_t il = 1, ol = sizeof theirs - 1;

		if (b == 0x7F)
			continue;
		assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
		cp858_byte_to_utf8((unsigned char)b, mine);
		assert_string_equal(mine, theirs);
		assert_int_equal(cp858_from_utf8(mine, back, sizeof back), 1);
		assert_int_equal((unsigned char)back[0], b);
	}
	iconv_close(cd);
}

static void transliteration(void **state)
{
	(void)state;
	char out[64];

	cp858_from_utf8("Ștefănescu Łukasz Čapek Ğül", out, sizeof out);
	assert_string_equal(out, "Stefanescu Lukasz Capek G\x81l"); /* ü exists in CP858 */
	cp858_from_utf8("“Sì” – l’ufficio…", out, sizeof out);
	assert_string_equal(out, "\"S\x8d\" - l'ufficio...");
	cp858_from_utf8("محمد 王", out, sizeof out);
	assert_string_equal(out, "???? ?");
}

static void malformed_and_truncated(void **state)
{
	(void)state;
	char out[4];

	assert_int_equal(cp858_from_utf8("\xC3", out, sizeof out), 1);
	assert_string_equal(out, "?");
	assert_int_equal(cp858_from_utf8("\xE2\x82x", out, sizeof out), 3); /* bad continuation */
	assert_int_equal(cp858_from_utf8("abcdef", out, sizeof out), 6);
	assert_string_equal(out, "abc");
	assert_int_equal(cp858_from_utf8("…", out, 2), 3);
	assert_string_equal(out, ".");
	assert_int_equal(cp858_from_unicode(0x20AC), 0xD5);
	assert_int_equal(cp858_from_unicode(0x0131), -1); /* dotless i: CP850's 0xD5 is gone */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(italian_letters_and_euro),
	        cmocka_unit_test(table_matches_glibc),
	        cmocka_unit_test(transliteration),
	        cmocka_unit_test(malformed_and_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
