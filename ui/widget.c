/*
 * widget.c — drawing of buttons, fields, tick boxes and labels, and the hit list (widget.h).
 */
#include "widget.h"

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

void ui_hit_add(const struct ui_draw *d, const char *id, SDL_Rect r)
{
	struct ui_hits *h = d->hits;

	if (!h || h->count >= UI_HITS_MAX)
		return;
	snprintf(h->items[h->count].id, UI_ID_MAX, "%s", id);
	h->items[h->count].rect = r;
	h->count++;
}

/* The largest font that fits label in width w: button font, then body, then small. */
static enum ui_font fitting_font(const struct ui_draw *d, const char *label, int w)
{
	static const enum ui_font order[] = {UI_FONT_BUTTON, UI_FONT_BODY, UI_FONT_SMALL};
	int tw;

	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		ui_text_measure(d->text, order[i], label, &tw, NULL);
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
	enum ui_font font = fitting_font(d, label, inner.w);

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
	if (style != UI_BUTTON_OFF)
		ui_hit_add(d, id, r);
}

void ui_field(const struct ui_draw *d, const char *id, const char *caption, const char *value,
              SDL_Rect r, bool focused, enum ui_field_state state, bool masked)
{
	SDL_Color border = focused ? UI_BLUE : UI_INK;
	SDL_Rect inner = ui_rect_inset(r, d->layout->gap + 2);
	int caption_h;
	char shown[160];
	size_t n = strlen(value);

	if (state == UI_FIELD_BAD)
		border = UI_RED;
	else if (state == UI_FIELD_OK)
		border = UI_GREEN;
	ui_fill(d, r, UI_WHITE);
	ui_outline(d, r, border, focused ? 4 : 2);
	ui_text_measure(d->text, UI_FONT_SMALL, caption, NULL, &caption_h);
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
	ui_hit_add(d, id, r);
}

void ui_checkbox(const struct ui_draw *d, const char *id, const char *label, bool checked,
                 SDL_Rect r)
{
	int side = r.h;
	SDL_Rect box = ui_rect_inset((SDL_Rect){r.x, r.y, side, side}, d->layout->gap);
	SDL_Rect text = {r.x + side + d->layout->gap, r.y, r.w - side - d->layout->gap, r.h};

	ui_fill(d, box, UI_WHITE);
	ui_outline(d, box, UI_INK, 3);
	if (checked) {
		ui_fill(d, ui_rect_inset(box, box.w / 5), UI_BLUE);
		ui_text_draw(d->text, UI_FONT_BUTTON, "\xe2\x9c\x93", UI_WHITE, box,
		             UI_ALIGN_CENTER, false);
	}
	ui_text_draw(d->text, UI_FONT_BODY, label, UI_BLACK, text, UI_ALIGN_LEFT, false);
	ui_hit_add(d, id, r);
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
		if (SDL_PointInRect(&p, &h->items[i].rect))
			return h->items[i].id;
	return NULL;
}

bool ui_hits_rect(const struct ui_hits *h, const char *id, SDL_Rect *out)
{
	for (int i = h->count - 1; i >= 0; i--) {
		if (strcmp(h->items[i].id, id) == 0) {
			*out = h->items[i].rect;
			return true;
		}
	}
	return false;
}
