/*
 * fuzz_text.c — libFuzzer target for the text checks (core/text.h), against a reference.
 *
 * text_is_utf8 is compared with a straightforward decoder written here from RFC 3629 (no
 * overlongs, no surrogates, nothing above U+10FFFF); text_has_control with a byte scan; and
 * text_trim_copy must either fit the whole trimmed text or refuse, never cut it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static bool reference_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i], need, min;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1, min = 0x80, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2, min = 0x800, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return false;
		if (len - i <= need)
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += need + 1;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[64];
	bool control = false;
	size_t start = 0, end;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (text_is_utf8(s, size) != reference_utf8(data, size))
		abort();
	for (size_t i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i], next = (unsigned char)s[i + 1];

		/* C0, DEL, and the C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F) */
		if (c < 0x20 || c == 0x7F || (c == 0xC2 && next >= 0x80 && next <= 0x9F))
			control = true;
	}
	if (text_has_control(s) != control)
		abort();
	end = strlen(s);
	while (start < end && s[start] == ' ')
		start++;
	while (end > start && s[end - 1] == ' ')
		end--;
	if (text_trim_copy(s, out, sizeof out)) {
		if (strlen(out) != end - start || memcmp(out, s + start, end - start))
			abort();
	} else if (end - start < sizeof out) {
		abort(); /* it would have fitted */
	}
	free(s);
	return 0;
}
