/*
 * widget.c — drawing of buttons, fields, tick boxes and labels, and the hit list (widget.h).
 */
#include "widget.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ui_fill(const struct ui_draw *d, SDL_Rect r, SDL_Color c)
{
	SDL_SetRenderDrawColor(d->renderer, c.r, c.g, c.b, c.a);
	SDL_RenderFillRect(d->renderer, &r);
}

void ui_outline(const struct ui_draw *d, SDL_Rect r, SDL_Color c, int thickness)
{
	SDL_SetRenderDrawColor(d->renderer, c.r, c.g, c.b, c.a);
	for (int i = 0; i < thickness && r.w > 0 && r.h > 0; i++) {
		SDL_RenderDrawRect(d->renderer, &r);
		r = ui_rect_inset(r, 1);
	}
}

void ui_hit_add_label(const struct ui_draw *d, const char *id, SDL_Rect r, int label_w, int room_w)
{
	struct ui_hits *h = d->hits;

	if (!h || h->count >= UI_HITS_MAX)
		return;
	snprintf(h->items[h->count].id, UI_ID_MAX, "%s", id);
	h->items[h->count].rect = r;
	h->items[h->count].label_w = label_w;
	h->items[h->count].room_w = room_w;
	h->items[h->count].off = false;
	h->count++;
}

void ui_hit_add(const struct ui_draw *d, const char *id, SDL_Rect r)
{
	ui_hit_add_label(d, id, r, 0, 0);
}

/* Appends one finding to out (kept NUL-terminated, cut when full). */
static void finding(char *out, size_t size, const char *fmt, ...)
{
	size_t n = strlen(out);
	va_list ap;

	if (n + 1 >= size)
		return;
	if (n > 0)
		n += (size_t)snprintf(out + n, size - n, "; ");
	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(out + n, size - n, fmt, ap);
	va_end(ap);
}

bool ui_hits_check(const struct ui_hits *h, int win_w, int win_h, int min_h, char *out, size_t size)
{
	SDL_Rect window = {0, 0, win_w, win_h}, both;

	out[0] = '\0';
	for (int i = 0; i < h->count; i++) {
		const struct ui_hit *a = &h->items[i];

		if (a->rect.h < min_h)
			finding(out, size, "%s %d px high", a->id, a->rect.h);
		if (a->rect.w < min_h)
			finding(out, size, "%s %d px wide", a->id, a->rect.w);
		if (!SDL_IntersectRect(&a->rect, &window, &both) ||
		    !SDL_RectEquals(&both, &a->rect))
			finding(out, size, "%s outside the window (%d,%d %dx%d)", a->id, a->rect.x,
			        a->rect.y, a->rect.w, a->rect.h);
		if (a->label_w > a->room_w)
			finding(out, size, "%s label %d > %d px", a->id, a->label_w, a->room_w);
		for (int j = i + 1; j < h->count; j++)
			if (SDL_HasIntersection(&a->rect, &h->items[j].rect))
				finding(out, size, "%s overlaps %s", a->id, h->items[j].id);
	}
	return out[0] == '\0';
}

enum ui_font ui_fitting_font(struct ui_text *t, const char *text, int w)
{
	static const enum ui_font order[] = {UI_FONT_BUTTON, UI_FONT_BODY, UI_FONT_SMALL};
	int tw;

	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		ui_text_measure(t, order[i], text, &tw, NULL);
		if (tw <= w)
			return order[i];
	}
	return UI_FONT_SMALL;
}

void ui_button(const struct ui_draw *d, const char *id, const char *label, SDL_Rect r,
               enum ui_button_style style)
{
	SDL_Color bg = UI_WHITE, fg = UI_INK, border = UI_INK;
	SDL_Rect inner = ui_rect_inset(r, d->layout->gap);
	enum ui_font font = ui_fitting_font(d->text, label, inner.w);
	int label_w;

	switch (style) {
	case UI_BUTTON_PRIMARY:
		bg = UI_BLUE, fg = UI_WHITE, border = UI_BLUE;
		break;
	case UI_BUTTON_DANGER:
		bg = UI_RED, fg = UI_WHITE, border = UI_RED;
		break;
	case UI_BUTTON_OFF:
		bg = UI_LIGHT, fg = UI_GREY, border = UI_GREY;
		break;
	case UI_BUTTON_NORMAL:
		break;
	}
	ui_fill(d, r, bg);
	ui_outline(d, r, border, 2);
	ui_text_draw(d->text, font, label, fg, inner, UI_ALIGN_CENTER, false);
	ui_text_measure(d->text, font, label, &label_w, NULL);
	ui_hit_add_label(d, id, r, label_w, inner.w);
	if (style == UI_BUTTON_OFF && d->hits && d->hits->count > 0 &&
	    strcmp(d->hits->items[d->hits->count - 1].id, id) == 0)
		d->hits->items[d->hits->count - 1].off = true;
}

void ui_field(const struct ui_draw *d, const char *id, const char *caption, const char *value,
              SDL_Rect r, bool focused, enum ui_field_state state, bool masked)
{
	SDL_Color border = focused ? UI_BLUE : UI_INK;
	SDL_Rect inner = ui_rect_inset(r, d->layout->gap + 2);
	int caption_h, caption_w;
	char shown[160];
	size_t n = strlen(value);

	if (state == UI_FIELD_BAD)
		border = UI_RED;
	else if (state == UI_FIELD_OK)
		border = UI_GREEN;
	ui_fill(d, r, UI_WHITE);
	ui_outline(d, r, border, focused ? 4 : 2);
	ui_text_measure(d->text, UI_FONT_SMALL, caption, &caption_w, &caption_h);
	SDL_Rect top = {inner.x, inner.y, inner.w, caption_h};
	SDL_Rect rest = {inner.x, inner.y + caption_h, inner.w, inner.h - caption_h};
	ui_text_draw(d->text, UI_FONT_SMALL, caption, UI_GREY, top, UI_ALIGN_LEFT, false);
	if (masked) {
		if (n > sizeof shown / 3 - 2)
			n = sizeof shown / 3 - 2;
		shown[0] = '\0';
		for (size_t i = 0; i < n; i++)
			strcat(shown, "\xe2\x80\xa2"); /* U+2022 bullet, 3 bytes */
	} else {
		snprintf(shown, sizeof shown, "%s", value);
	}
	if (focused)
		strncat(shown, "|", sizeof shown - strlen(shown) - 1);
	ui_text_draw(d->text, UI_FONT_BODY, shown, UI_BLACK, rest, UI_ALIGN_LEFT, false);
	ui_hit_add_label(d, id, r, caption_w, inner.w);
}

void ui_checkbox(const struct ui_draw *d, const char *id, const char *label, bool checked,
                 SDL_Rect r)
{
	int side = r.h;
	SDL_Rect box = ui_rect_inset((SDL_Rect){r.x, r.y, side, side}, d->layout->gap);
	SDL_Rect text = {r.x + side + d->layout->gap, r.y, r.w - side - d->layout->gap, r.h};
	int label_w;

	ui_fill(d, box, UI_WHITE);
	ui_outline(d, box, UI_INK, 3);
	if (checked) {
		ui_fill(d, ui_rect_inset(box, box.w / 5), UI_BLUE);
		ui_text_draw(d->text, UI_FONT_BUTTON, "\xe2\x9c\x93", UI_WHITE, box,
		             UI_ALIGN_CENTER, false);
	}
	ui_text_draw(d->text, UI_FONT_BODY, label, UI_BLACK, text, UI_ALIGN_LEFT, false);
	ui_text_measure(d->text, UI_FONT_BODY, label, &label_w, NULL);
	ui_hit_add_label(d, id, r, label_w, text.w);
}

int ui_label(const struct ui_draw *d, const char *text, SDL_Rect r, enum ui_font font, SDL_Color c,
             enum ui_align align, bool wrap)
{
	return ui_text_draw(d->text, font, text, c, r, align, wrap);
}

const char *ui_hits_find(const struct ui_hits *h, int x, int y)
{
	SDL_Point p = {x, y};

	for (int i = h->count - 1; i >= 0; i--)
		if (!h->items[i].off && SDL_PointInRect(&p, &h->items[i].rect))
			return h->items[i].id;
	return NULL;
}

bool ui_hits_rect(const struct ui_hits *h, const char *id, SDL_Rect *out)
{
	for (int i = h->count - 1; i >= 0; i--) {
		if (!h->items[i].off && strcmp(h->items[i].id, id) == 0) {
			*out = h->items[i].rect;
			return true;
		}
	}
	return false;
}
