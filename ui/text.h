/*
 * text.h — fonts and text drawing for the kiosk, with a cache of rendered strings.
 *
 * SDL2_ttf turns a string into pixels slowly (tens of microseconds to milliseconds); a kiosk
 * frame draws the same few dozen strings again and again. So each (font, colour, wrap width,
 * string) is rendered once into a texture and kept; the cache is emptied when it fills up or
 * when the fonts change (window resized). Fonts are DejaVu Sans, regular and bold, then a
 * fallback chain for the applicants' names: DejaVu Sans again set right-to-left with the Arabic
 * script (HarfBuzz shapes the joins), then Droid Sans Fallback for Chinese, Japanese and Korean.
 * A string the primary font draws alone, left to right, is rendered exactly as before; any
 * other is split into runs by direction (libfribidi) and by the first font of the chain that
 * has each character (TTF_GlyphIsProvided32), each run rendered with its font and the runs
 * placed in visual order on one baseline.
 */
#ifndef AGENDA_UI_TEXT_H
#define AGENDA_UI_TEXT_H

#include <stdbool.h>

#include <SDL.h>
#include <SDL_ttf.h>

#define UI_FONT_REGULAR_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define UI_FONT_BOLD_PATH    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define UI_FONT_CJK_PATH     "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

enum ui_font {
	UI_FONT_SMALL = 0, /* status bar, hints */
	UI_FONT_BODY,      /* fields, lists, messages */
	UI_FONT_BUTTON,    /* button labels (bold) */
	UI_FONT_TITLE,     /* screen titles (bold) */
	UI_FONT_BIG,       /* the appointment date (bold) */
	UI_FONT_COUNT
};

enum ui_align { UI_ALIGN_LEFT = 0, UI_ALIGN_CENTER, UI_ALIGN_RIGHT };

struct ui_text_entry;

struct ui_text {
	SDL_Renderer *renderer;
	TTF_Font *fonts[UI_FONT_COUNT]; /* primary, left to right */
	TTF_Font *rtl[UI_FONT_COUNT];   /* the same face right to left, script Arab; may be NULL */
	TTF_Font *cjk[UI_FONT_COUNT];   /* CJK fallback; NULL when fonts-droid-fallback is absent */
	int sizes[UI_FONT_COUNT];
	struct ui_text_entry *entries; /* open-addressing table */
	int used;
};

/* Opens the fonts at pixel sizes[] (UI_FONT_COUNT of them); false with SDL's error set. */
bool ui_text_open(struct ui_text *t, SDL_Renderer *renderer, const int sizes[UI_FONT_COUNT]);
void ui_text_close(struct ui_text *t);

/* Size of one line of text in a font (no wrapping). */
void ui_text_measure(struct ui_text *t, enum ui_font font, const char *s, int *w, int *h);

/*
 * Draws s in box, aligned horizontally: one line centred vertically, or (wrap) a paragraph
 * wrapped at box.w from the top. Text beyond the box is clipped. Returns the height drawn.
 */
int ui_text_draw(struct ui_text *t, enum ui_font font, const char *s, SDL_Color colour,
                 SDL_Rect box, enum ui_align align, bool wrap);

/* Height of s drawn in font and wrapped at width w (what ui_text_draw with wrap would use). */
int ui_text_wrapped_height(struct ui_text *t, enum ui_font font, const char *s, int w);

/* Drops every cached texture (after a language switch nothing is lost, only time). */
void ui_text_flush(struct ui_text *t);

#endif
