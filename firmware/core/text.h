/*
 * text.h — checks on text that comes from people and files: UTF-8, control characters, length.
 *
 * Fields are stored verbatim or refused with a reason; never silently cut or "cleaned".
 */
#ifndef AGENDA_CORE_TEXT_H
#define AGENDA_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool text_is_utf8(const char *s, size_t len);

/*
 * True when s contains a control character: C0 (tabs and newlines included), DEL, or C1
 * (U+0080..U+009F, encoded C2 80..C2 9F). Every check of free text uses it.
 */
bool text_has_control(const char *s);

/* Copies s without leading/trailing ASCII spaces into out; false if it does not fit. */
bool text_trim_copy(const char *s, char *out, size_t size);

/*
 * Copies s into out as valid UTF-8, each byte that does not start a well-formed sequence
 * replaced by U+FFFD; for showing (not storing) text that quotes bad input. Always terminates.
 */
void text_utf8_sanitize(const char *s, char *out, size_t size);

#endif
