/*
 * cp858.h — UTF-8 to and from code page 858 (PC858, the Euro variant of CP850), the code page
 * the slip is printed in (ESC t 19 on Epson printers).
 *
 * CP858 holds every Italian letter (à è é ì ò ù À È É Ì Ò Ù) and the euro sign. Other Latin
 * letters with diacritics (Romanian, Polish, Turkish, ... names) are transliterated to their
 * base letter, typographic quotes and dashes to ASCII, anything else to '?'.
 */
#ifndef AGENDA_DRIVERS_CP858_H
#define AGENDA_DRIVERS_CP858_H

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

/* Appends the UTF-8 form of a CP858 byte to out (at least 4 bytes); returns bytes written. */
size_t cp858_byte_to_utf8(unsigned char byte, char *out);

#endif
