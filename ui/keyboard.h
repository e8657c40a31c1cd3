/*
 * keyboard.h — the on-screen keyboards.
 *
 * Three layouts: UI_KEYS_TEXT for user names, passwords and reasons (lower case, a shift key for
 * upper case, digits, . - _ ' , and an accent key "key:accent" for à è é ì ò ù, whose keys
 * are named "key:agrave", "key:egrave", "key:eacute", "key:igrave", "key:ograve",
 * "key:ugrave"), and UI_KEYS_NUMBER for practice and visa numbers (upper-case
 * letters, digits and "/" only: what those formats are made of), and UI_KEYS_ENROL for activating
 * the device (central's https:// address, the help desk's code and the CA fingerprint: lower case
 * with shift, digits, ":" "/" "." "-"). Keys are widgets with ids
 * "key:<char>" and "key:shift", "key:space", "key:bksp", "key:clear", "key:enter", "key:next".
 * The keyboard only draws and names keys; the screen decides what a key does.
 */
#ifndef AGENDA_UI_KEYBOARD_H
#define AGENDA_UI_KEYBOARD_H

#include <stdbool.h>

#include "widget.h"

enum ui_keys { UI_KEYS_TEXT = 0, UI_KEYS_NUMBER, UI_KEYS_ENROL };

/* Rows a keyboard takes (its height is rows * unit + gaps). */
#define UI_KEYBOARD_ROWS 4

int ui_keyboard_height(const struct ui_layout *l);

/*
 * Draws the keyboard in r; enter_label names what Enter does ("Accedi", "Cerca"). With accent
 * (text keyboard only) the second row holds à è é ì ò ù and some punctuation.
 */
void ui_keyboard_draw(const struct ui_draw *d, SDL_Rect r, enum ui_keys keys, bool shift,
                      bool accent, const char *enter_label, const char *next_label);

/*
 * Applies key id (without the "key:" prefix) to text of capacity size. Returns true when the
 * key was a character, backspace, space or clear (text changed); shift, enter and next are left
 * to the caller.
 */
bool ui_keyboard_edit(const char *key, char *text, size_t size, bool shift);

/* Appends UTF-8 input (physical keyboard, scanner) to text, dropping what does not fit. */
void ui_text_append(char *text, size_t size, const char *input);

/* Removes the last UTF-8 character of text. */
void ui_text_backspace(char *text);

#endif
