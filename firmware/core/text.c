/*
 * text.c — UTF-8 validation (RFC 3629 table) and small text helpers.
 */
#include "core/text.h"

#include <string.h>

bool text_is_utf8(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned char lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0; /* no overlongs */
			if (c == 0xed)
				hi = 0x9f; /* no surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			if (c == 0xf4)
				hi = 0x8f; /* <= U+10FFFF */
		} else {
			return false;
		}
		if (i + n >= len)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return false;
		i += n + 1;
	}
	return true;
}

bool text_has_control(const char *s)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		if (*u < 0x20 || *u == 0x7f)
			return true;
		/* U+0080..U+009F, the C1 controls, are C2 80..C2 9F in UTF-8. */
		if (*u == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
			return true;
	}
	return false;
}

bool text_trim_copy(const char *s, char *out, size_t size)
{
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n >= size)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_sequence(const char *s, size_t left)
{
	for (size_t n = 1; n <= 4 && n <= left; n++)
		if (text_is_utf8(s, n))
			return n;
	return 0;
}

void text_utf8_sanitize(const char *s, char *out, size_t size)
{
	size_t o = 0, left = strlen(s);

	if (size == 0)
		return;
	while (*s) {
		size_t n = utf8_sequence(s, left);
		const char *piece = n ? s : "\xef\xbf\xbd";
		size_t len = n ? n : 3;

		if (o + len >= size)
			break;
		memcpy(out + o, piece, len);
		o += len;
		s += n ? n : 1;
		left -= n ? n : 1;
	}
	out[o] = '\0';
}
