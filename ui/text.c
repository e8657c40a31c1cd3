/*
 * text.c — font loading and the rendered-string cache (see text.h).
 *
 * The cache is a fixed open-addressing table keyed by an FNV-1a hash of font, colour, wrap width
 * and the string; when three quarters full it is emptied at once (simpler than LRU, and a kiosk
 * screen never shows anywhere near that many strings). Strings the primary font cannot draw
 * alone go through the font chain (text_runs.c); the cache holds their result the same way.
 */
#include "text.h"
#include "text_runs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 1024
#define CACHE_LIMIT (CACHE_SLOTS * 3 / 4)

struct ui_text_entry {
	uint32_t hash;
	int font, wrap, w, h;
	uint32_t colour;
	char *s; /* NULL = empty slot */
	SDL_Texture *texture;
};

static uint32_t colour_key(SDL_Color c)
{
	return ((uint32_t)c.r << 24) | ((uint32_t)c.g << 16) | ((uint32_t)c.b << 8) | c.a;
}

static uint32_t hash_of(int font, uint32_t colour, int wrap, const char *s)
{
	uint32_t h = 2166136261u;
	const uint32_t parts[3] = {(uint32_t)font, colour, (uint32_t)wrap};

	for (size_t i = 0; i < 3; i++) {
		h ^= parts[i];
		h *= 16777619u;
	}
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

bool ui_text_open(struct ui_text *t, SDL_Renderer *renderer, const int sizes[UI_FONT_COUNT])
{
	memset(t, 0, sizeof *t);
	t->renderer = renderer;
	t->entries = calloc(CACHE_SLOTS, sizeof *t->entries);
	if (!t->entries) {
		SDL_SetError("out of memory");
		return false;
	}
	for (int i = 0; i < UI_FONT_COUNT; i++) {
		bool bold = i == UI_FONT_BUTTON || i == UI_FONT_TITLE || i == UI_FONT_BIG;

		t->sizes[i] = sizes[i];
		t->fonts[i] =
		        TTF_OpenFont(bold ? UI_FONT_BOLD_PATH : UI_FONT_REGULAR_PATH, sizes[i]);
		if (!t->fonts[i]) {
			ui_text_close(t);
			return false;
		}
		/* The chain's fonts are optional: without them names show boxes, as before. */
		t->rtl[i] = TTF_OpenFont(bold ? UI_FONT_BOLD_PATH : UI_FONT_REGULAR_PATH, sizes[i]);
		if (t->rtl[i] && (TTF_SetFontDirection(t->rtl[i], TTF_DIRECTION_RTL) != 0 ||
		                  TTF_SetFontScriptName(t->rtl[i], "Arab") != 0)) {
			TTF_CloseFont(t->rtl[i]);
			t->rtl[i] = NULL;
		}
		t->cjk[i] = TTF_OpenFont(UI_FONT_CJK_PATH, sizes[i]);
		if (t->cjk[i] && bold)
			TTF_SetFontStyle(t->cjk[i], TTF_STYLE_BOLD);
	}
	SDL_ClearError(); /* a missing fallback font is not the caller's error */
	return true;
}

void ui_text_flush(struct ui_text *t)
{
	if (!t->entries)
		return;
	for (int i = 0; i < CACHE_SLOTS; i++) {
		struct ui_text_entry *e = &t->entries[i];

		if (e->s) {
			free(e->s);
			if (e->texture)
				SDL_DestroyTexture(e->texture);
		}
		memset(e, 0, sizeof *e);
	}
	t->used = 0;
}

static void close_font(TTF_Font **f)
{
	if (*f)
		TTF_CloseFont(*f);
	*f = NULL;
}

void ui_text_close(struct ui_text *t)
{
	ui_text_flush(t);
	free(t->entries);
	t->entries = NULL;
	for (int i = 0; i < UI_FONT_COUNT; i++) {
		close_font(&t->fonts[i]);
		close_font(&t->rtl[i]);
		close_font(&t->cjk[i]);
	}
}

void ui_text_measure(struct ui_text *t, enum ui_font font, const char *s, int *w, int *h)
{
	int tw = 0, th = TTF_FontHeight(t->fonts[font]);

	if (s && *s && ui_text_runs_needed(t, font, s))
		tw = ui_text_runs_width(t, font, s);
	else if (s && *s)
		TTF_SizeUTF8(t->fonts[font], s, &tw, &th);
	if (w)
		*w = tw;
	if (h)
		*h = th;
}

/* The cached texture of s, rendering it on a miss; NULL for an empty string or a failure. */
static struct ui_text_entry *lookup(struct ui_text *t, enum ui_font font, const char *s,
                                    SDL_Color colour, int wrap)
{
	uint32_t key = colour_key(colour);
	uint32_t h = hash_of(font, key, wrap, s);
	size_t i = h % CACHE_SLOTS;
	SDL_Surface *surface;
	struct ui_text_entry *e;

	for (;; i = (i + 1) % CACHE_SLOTS) {
		e = &t->entries[i];
		if (!e->s)
			break;
		if (e->hash == h && e->font == (int)font && e->colour == key && e->wrap == wrap &&
		    strcmp(e->s, s) == 0)
			return e->texture ? e : NULL;
	}
	if (t->used >= CACHE_LIMIT) {
		ui_text_flush(t);
		return lookup(t, font, s, colour, wrap);
	}
	if (ui_text_runs_needed(t, font, s))
		surface = wrap > 0 ? ui_text_runs_render_wrapped(t, font, s, colour, wrap)
		                   : ui_text_runs_render(t, font, s, colour);
	else
		surface = wrap > 0 ? TTF_RenderUTF8_Blended_Wrapped(t->fonts[font], s, colour,
		                                                    (Uint32)wrap)
		                   : TTF_RenderUTF8_Blended(t->fonts[font], s, colour);
	e->s = strdup(s);
	if (!e->s) {
		SDL_FreeSurface(surface);
		return NULL;
	}
	e->hash = h;
	e->font = font;
	e->colour = key;
	e->wrap = wrap;
	t->used++;
	if (surface) {
		e->texture = SDL_CreateTextureFromSurface(t->renderer, surface);
		e->w = surface->w;
		e->h = surface->h;
		SDL_FreeSurface(surface);
	}
	return e->texture ? e : NULL;
}

int ui_text_draw(struct ui_text *t, enum ui_font font, const char *s, SDL_Color colour,
                 SDL_Rect box, enum ui_align align, bool wrap)
{
	struct ui_text_entry *e;
	SDL_Rect src, dst;

	if (!s || !*s || box.w <= 0 || box.h <= 0)
		return 0;
	e = lookup(t, font, s, colour, wrap ? box.w : 0);
	if (!e)
		return 0;
	src = (SDL_Rect){0, 0, e->w < box.w ? e->w : box.w, e->h < box.h ? e->h : box.h};
	/* One line is centred vertically; a wrapped paragraph starts at the top. */
	dst = (SDL_Rect){box.x, wrap ? box.y : box.y + (box.h - src.h) / 2, src.w, src.h};
	if (align == UI_ALIGN_CENTER)
		dst.x = box.x + (box.w - src.w) / 2;
	else if (align == UI_ALIGN_RIGHT)
		dst.x = box.x + box.w - src.w;
	SDL_RenderCopy(t->renderer, e->texture, &src, &dst);
	return src.h;
}

int ui_text_wrapped_height(struct ui_text *t, enum ui_font font, const char *s, int w)
{
	const SDL_Color black = {0, 0, 0, 255};
	struct ui_text_entry *e;

	if (!s || !*s || w <= 0)
		return 0;
	e = lookup(t, font, s, black, w);
	return e ? e->h : TTF_FontHeight(t->fonts[font]);
}
