/*
 * keyboard.c — layouts and editing of the on-screen keyboards (keyboard.h).
 *
 * Four rows of twelve columns (text, enrolment) or eleven (numbers); the wide keys take two or
 * three. Every key is one touch unit high and at least (772 px - gaps) / 12 = 57 px wide on the
 * smallest panel (800x480), above UI_TOUCH_MIN; check_layout verifies it at every size.
 */
#include "keyboard.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define COLUMNS 12 /* the most any layout has */

struct key {
	const char *id;    /* after "key:" */
	const char *label; /* NULL: the id itself (or what it types, for named characters) */
	int span;          /* columns */
};

/* Characters whose key id is a name: script-friendly ASCII ids for accents and punctuation. */
static const struct {
	const char *id, *lower, *upper;
} NAMED[] = {
        {"agrave", "\xc3\xa0", "\xc3\x80"}, /* à À */
        {"egrave", "\xc3\xa8", "\xc3\x88"}, /* è È */
        {"eacute", "\xc3\xa9", "\xc3\x89"}, /* é É */
        {"igrave", "\xc3\xac", "\xc3\x8c"}, /* ì Ì */
        {"ograve", "\xc3\xb2", "\xc3\x92"}, /* ò Ò */
        {"ugrave", "\xc3\xb9", "\xc3\x99"}, /* ù Ù */
        {"apos", "'", "'"},
        {"comma", ",", ","},
        {"qmark", "?", "?"},
        {"excl", "!", "!"},
        {"colon", ":", ":"},
        {"lparen", "(", "("},
        {"rparen", ")", ")"},
};

static const char *named(const char *id, bool shift)
{
	for (size_t i = 0; i < sizeof NAMED / sizeof NAMED[0]; i++)
		if (strcmp(NAMED[i].id, id) == 0)
			return shift ? NAMED[i].upper : NAMED[i].lower;
	return NULL;
}

/* The key macros and tables are aligned by hand, each line of a table a row of keys. */
/* clang-format off */
/* A key one column wide whose label is its id (or the character it types). */
#define K(id) {id, NULL, 1}
/* The keys that do something else than type: label (UTF-8 symbol) and width in columns. */
#define BKSP   {"bksp", "\xe2\x8c\xab", 1}       /* ⌫ */
#define SHIFT  {"shift", "\xe2\x87\xa7", 1}      /* ⇧ */
#define SPACE  {"space", "\xe2\x90\xa3", 2}      /* ␣ */
#define ACCENT {"accent", "\xc3\xa0\xc3\xa8", 1} /* àè */
#define CLEAR  {"clear", "\xe2\x9c\x95", 1}      /* ✕ */
#define ENTER  {"enter", NULL, 2}                 /* labelled by the screen */
#define NEXT   {"next", NULL, 3}                  /* labelled by the screen */

/*
 * Twelve columns: Italian reasons need the apostrophe and the comma at hand; the accent key
 * ("key:accent") swaps the second row for à è é ì ò ù and a little punctuation, for one
 * character, as shift does for upper case.
 */
static const struct key TEXT_ROWS[UI_KEYBOARD_ROWS][COLUMNS] = {
	{K("1"), K("2"), K("3"), K("4"), K("5"), K("6"), K("7"), K("8"), K("9"), K("0"), K("apos"), BKSP},
	{K("q"), K("w"), K("e"), K("r"), K("t"), K("y"), K("u"), K("i"), K("o"), K("p"), K("-"), ACCENT},
	{K("a"), K("s"), K("d"), K("f"), K("g"), K("h"), K("j"), K("k"), K("l"), K("comma"), ENTER},
	{SHIFT, K("z"), K("x"), K("c"), K("v"), K("b"), K("n"), K("m"), K("."), K("_"), SPACE},
};

/* The second row of the text keyboard while the accent key is on. */
static const struct key ACCENT_ROW[COLUMNS] = {
	K("agrave"), K("egrave"), K("eacute"), K("igrave"), K("ograve"), K("ugrave"),
	K("qmark"), K("excl"), K("colon"), K("lparen"), K("rparen"), {"accent", "abc", 1},
};

/* Eleven columns: practice and visa numbers are upper-case letters, digits and '/'. */
static const struct key NUMBER_ROWS[UI_KEYBOARD_ROWS][COLUMNS] = {
	{K("1"), K("2"), K("3"), K("4"), K("5"), K("6"), K("7"), K("8"), K("9"), K("0"), BKSP},
	{K("Q"), K("W"), K("E"), K("R"), K("T"), K("Y"), K("U"), K("I"), K("O"), K("P"), K("/")},
	{K("A"), K("S"), K("D"), K("F"), K("G"), K("H"), K("J"), K("K"), K("L"), ENTER},
	{K("Z"), K("X"), K("C"), K("V"), K("B"), K("N"), K("M"), CLEAR, NEXT},
};

/*
 * Twelve columns for activating the device: an address "https://agenda.interno.it:8443"
 * (lower case, ":" "/" "." "-"), a code "K7QM-4XRT-9HCW-B3NE" and 64 hex digits. Lower case is
 * enough for all three (the code and the fingerprint ignore case); shift gives capitals.
 */
static const struct key ENROL_ROWS[UI_KEYBOARD_ROWS][COLUMNS] = {
	{K("1"), K("2"), K("3"), K("4"), K("5"), K("6"), K("7"), K("8"), K("9"), K("0"), K("colon"), BKSP},
	{K("q"), K("w"), K("e"), K("r"), K("t"), K("y"), K("u"), K("i"), K("o"), K("p"), K("/"), K("-")},
	{K("a"), K("s"), K("d"), K("f"), K("g"), K("h"), K("j"), K("k"), K("l"), K("."), ENTER},
	{SHIFT, K("z"), K("x"), K("c"), K("v"), K("b"), K("n"), K("m"), CLEAR, NEXT},
};
/* clang-format on */

int ui_keyboard_height(const struct ui_layout *l)
{
	return UI_KEYBOARD_ROWS * l->unit + (UI_KEYBOARD_ROWS - 1) * l->gap;
}

void ui_keyboard_draw(const struct ui_draw *d, SDL_Rect r, enum ui_keys keys, bool shift,
                      bool accent, const char *enter_label, const char *next_label)
{
	const struct key(*rows)[COLUMNS] = keys == UI_KEYS_NUMBER  ? NUMBER_ROWS
	                                   : keys == UI_KEYS_ENROL ? ENROL_ROWS
	                                                           : TEXT_ROWS;
	int columns = keys == UI_KEYS_NUMBER ? 11 : COLUMNS;
	int gap = d->layout->gap, unit = d->layout->unit;
	int key_w = (r.w - (columns - 1) * gap) / columns;

	ui_fill(d, (SDL_Rect){r.x - gap, r.y - gap, r.w + 2 * gap, r.h + 2 * gap}, UI_LIGHT);
	for (int row = 0; row < UI_KEYBOARD_ROWS; row++) {
		const struct key *keys_of_row =
		        keys == UI_KEYS_TEXT && accent && row == 1 ? ACCENT_ROW : rows[row];
		int col = 0;

		for (int k = 0; k < COLUMNS && col < columns && keys_of_row[k].id; k++) {
			const struct key *key = &keys_of_row[k];
			SDL_Rect kr = {r.x + col * (key_w + gap), r.y + row * (unit + gap),
			               key->span * key_w + (key->span - 1) * gap, unit};
			char id[UI_ID_MAX], label[8];
			const char *text = key->label ? key->label : key->id;
			const char *typed = named(key->id, shift);
			enum ui_button_style style = UI_BUTTON_NORMAL;

			if (strcmp(key->id, "enter") == 0) {
				text = enter_label;
				style = UI_BUTTON_PRIMARY;
			} else if (strcmp(key->id, "next") == 0) {
				text = next_label;
			} else if ((strcmp(key->id, "shift") == 0 && shift) ||
			           (strcmp(key->id, "accent") == 0 && accent)) {
				style = UI_BUTTON_PRIMARY;
			} else if (typed && !key->label) {
				text = typed;
			} else if (!key->label && shift && islower((unsigned char)key->id[0])) {
				snprintf(label, sizeof label, "%c",
				         toupper((unsigned char)key->id[0]));
				text = label;
			}
			snprintf(id, sizeof id, "key:%s", key->id);
			ui_button(d, id, text, kr, style);
			col += key->span;
		}
	}
}

void ui_text_append(char *text, size_t size, const char *input)
{
	size_t n = strlen(text), add = strlen(input);

	if (n + add >= size)
		return; /* a partial UTF-8 sequence would be worse than nothing */
	memcpy(text + n, input, add + 1);
}

void ui_text_backspace(char *text)
{
	size_t n = strlen(text);

	while (n > 0) {
		n--;
		if (((unsigned char)text[n] & 0xc0) != 0x80)
			break;
	}
	text[n] = '\0';
}

bool ui_keyboard_edit(const char *key, char *text, size_t size, bool shift)
{
	char c[2] = {0, 0};

	if (strcmp(key, "bksp") == 0) {
		ui_text_backspace(text);
		return true;
	}
	if (strcmp(key, "clear") == 0) {
		text[0] = '\0';
		return true;
	}
	if (strcmp(key, "space") == 0) {
		ui_text_append(text, size, " ");
		return true;
	}
	if (named(key, shift)) {
		ui_text_append(text, size, named(key, shift));
		return true;
	}
	if (strlen(key) != 1)
		return false;
	c[0] = shift ? (char)toupper((unsigned char)key[0]) : key[0];
	ui_text_append(text, size, c);
	return true;
}
