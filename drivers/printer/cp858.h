/*
 * cp858.h — UTF-8 to and from code page 858 (PC858, the Euro variant of CP850), the code page
 * the slip is printed in (ESC t 19 on Epson printers).
 *
 * CP858 holds every Italian letter (à è é ì ò ù À È É Ì Ò Ù) and the euro sign. Other Latin
 * letters with diacritics (Romanian, Polish, Turkish, ... names) are transliterated to their
 * base letter, typographic quotes and dashes to ASCII, anything else to '?'. The slip encoder
 * uses this only for lines cp858_prints_exactly accepts; other lines go out as raster images.
 */
#ifndef AGENDA_DRIVERS_CP858_H
#define AGENDA_DRIVERS_CP858_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CP858_REPLACEMENT '?'

/* The CP858 byte of a code point, or -1 when CP858 has no such character. */
int cp858_from_unicode(uint32_t cp);

/* The code point of a CP858 byte (0x00..0x7F are ASCII). */
uint32_t cp858_to_unicode(unsigned char byte);

/*
 * Converts NUL-terminated UTF-8 to CP858 with transliteration, writing at most size-1 bytes and
 * a NUL. Malformed UTF-8 bytes become '?'. Returns the length the full conversion needs (as
 * snprintf does), so a result >= size means it was cut.
 */
size_t cp858_from_utf8(const char *utf8, char *out, size_t size);

/*
 * True when CP858 prints every character of utf8 as itself: letters it holds, and typographic
 * punctuation or spaces whose ASCII stand-in reads the same (quotes, dashes, ellipsis). False
 * as soon as one letter would be transliterated (ş -> s) or replaced by '?' (Arabic, CJK), or
 * the UTF-8 is malformed: such a line is printed as an image (text_raster.h).
 */
bool cp858_prints_exactly(const char *utf8);

/* Decodes one UTF-8 sequence; returns its length, *cp = 0xFFFD when malformed (length 1). */
size_t cp858_utf8_decode(const unsigned char *s, uint32_t *cp);

/* Appends the UTF-8 form of a CP858 byte to out (at least 4 bytes); returns bytes written. */
size_t cp858_byte_to_utf8(unsigned char byte, char *out);

#endif
