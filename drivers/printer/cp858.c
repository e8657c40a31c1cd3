/*
 * cp858.c — the CP858 table (upper half; the lower half is ASCII) and a small transliteration
 * for code points CP858 lacks. The table is IBM's PC858: CP850 with 0xD5 = U+20AC (€).
 */
#include "printer/cp858.h"

static const uint16_t UPPER[128] = {
        0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, /* 0x80 */
        0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
        0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, /* 0x90 */
        0x00FF, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x00D7, 0x0192,
        0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, /* 0xA0 */
        0x00BF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
        0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2, 0x00C0, /* 0xB0 */
        0x00A9, 0x2563, 0x2551, 0x2557, 0x255D, 0x00A2, 0x00A5, 0x2510,
        0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3, /* 0xC0 */
        0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4,
        0x00F0, 0x00D0, 0x00CA, 0x00CB, 0x00C8, 0x20AC, 0x00CD, 0x00CE, /* 0xD0 */
        0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580,
        0x00D3, 0x00DF, 0x00D4, 0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x00FE, /* 0xE0 */
        0x00DE, 0x00DA, 0x00DB, 0x00D9, 0x00FD, 0x00DD, 0x00AF, 0x00B4,
        0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8, /* 0xF0 */
        0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0,
};

/* Base letters of U+0100..U+017F (Latin Extended-A), for names CP858 cannot spell. */
static const char LATIN_EXT_A[129] = "AaAaAaCcCcCcCcDd"
                                     "DdEeEeEeEeEeGgGg"
                                     "GgGgHhHhIiIiIiIi"
                                     "IiJjJjKkkLlLlLlL"
                                     "lLlNnNnNnnNnOoOo"
                                     "OoOoRrRrRrSsSsSs"
                                     "SsTtTtTtUuUuUuUu"
                                     "UuUuWwYyYZzZzZzs";

uint32_t cp858_to_unicode(unsigned char byte)
{
	return byte < 0x80 ? byte : UPPER[byte - 0x80];
}

int cp858_from_unicode(uint32_t cp)
{
	if (cp < 0x80)
		return (int)cp;
	for (int i = 0; i < 128; i++)
		if (UPPER[i] == cp)
			return 0x80 + i;
	return -1;
}

/* ASCII stand-ins for what CP858 lacks; NULL when there is none. */
static const char *transliterate(uint32_t cp, char one[2])
{
	if (cp >= 0x100 && cp <= 0x17F) {
		one[0] = LATIN_EXT_A[cp - 0x100];
		one[1] = '\0';
		return one;
	}
	switch (cp) {
	case 0x0218:
		return "S"; /* Romanian comma-below letters */
	case 0x0219:
		return "s";
	case 0x021A:
		return "T";
	case 0x021B:
		return "t";
	case 0x2010:
	case 0x2011:
	case 0x2012:
	case 0x2013:
	case 0x2014:
	case 0x2212:
		return "-";
	case 0x2018:
	case 0x2019:
	case 0x201A:
	case 0x2032:
		return "'";
	case 0x201C:
	case 0x201D:
	case 0x201E:
		return "\"";
	case 0x2026:
		return "...";
	case 0x2022:
		return "*";
	case 0x202F:
	case 0x2009:
	case 0x2002:
	case 0x2003:
		return " ";
	default:
		return NULL;
	}
}

/* Decodes one UTF-8 sequence; returns its length, *cp = 0xFFFD when malformed (length 1). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		c = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		c = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	*cp = c;
	return n;
}

size_t cp858_utf8_decode(const unsigned char *s, uint32_t *cp)
{
	return utf8_decode(s, cp);
}

size_t cp858_from_utf8(const char *utf8, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t len = 0;

	while (s && *s) {
		uint32_t cp;
		int b;
		const char *t;
		char one[2] = {CP858_REPLACEMENT, '\0'};

		if (*s < 0x80) { /* ASCII is itself: most of every line */
			if (size && len < size - 1)
				out[len] = (char)*s;
			len++;
			s++;
			continue;
		}
		s += utf8_decode(s, &cp);
		b = cp == 0xFFFD ? -1 : cp858_from_unicode(cp);
		if (b >= 0) {
			one[0] = (char)b;
			t = one;
		} else {
			t = transliterate(cp, one);
			if (!t) {
				one[0] = CP858_REPLACEMENT;
				t = one;
			}
		}
		for (; *t; t++, len++)
			if (size && len < size - 1)
				out[len] = *t;
	}
	if (size)
		out[len < size ? len : size - 1] = '\0';
	return len;
}

size_t cp858_byte_to_utf8(unsigned char byte, char *out)
{
	uint32_t cp = cp858_to_unicode(byte);

	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

bool cp858_prints_exactly(const char *utf8)
{
	const unsigned char *s = (const unsigned char *)utf8;

	while (s && *s) {
		uint32_t cp;
		char one[2];
		const char *t;

		if (*s < 0x80) { /* ASCII: most of every line */
			s++;
			continue;
		}
		s += utf8_decode(s, &cp);
		if (cp != 0xFFFD && cp858_from_unicode(cp) >= 0)
			continue;
		/* A stand-in made of ASCII punctuation or space reads the same; a letter does not.
		 */
		t = cp == 0xFFFD ? NULL : transliterate(cp, one);
		if (!t)
			return false;
		for (; *t; t++)
			if ((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z'))
				return false;
	}
	return true;
}
