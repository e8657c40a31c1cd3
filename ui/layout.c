/*
 * layout.c — the touch unit, font sizes and the rectangle helpers every screen cuts its
 * regions with (see layout.h).
 */
#include "layout.h"

void ui_layout_compute(struct ui_layout *l, int w, int h)
{
	int base;

	l->w = w;
	l->h = h;
	l->unit = h / 12;
	if (l->unit < UI_TOUCH_MIN)
		l->unit = UI_TOUCH_MIN;
	l->gap = l->unit / 8;
	l->margin = l->unit / 4;
	base = l->unit * 9 / 28; /* 18 px at 56, 21 px at 66 */
	l->font_sizes[UI_FONT_SMALL] = base * 5 / 6;
	l->font_sizes[UI_FONT_BODY] = base;
	l->font_sizes[UI_FONT_BUTTON] = base;
	l->font_sizes[UI_FONT_TITLE] = base * 5 / 4;
	l->font_sizes[UI_FONT_BIG] = base * 8 / 5;
	l->status = (SDL_Rect){0, 0, w, l->unit * 5 / 8};
	l->content = (SDL_Rect){l->margin, l->status.h + l->margin, w - 2 * l->margin,
	                        h - l->status.h - 2 * l->margin};
}

SDL_Rect ui_rect_take_top(SDL_Rect *r, int height, int gap)
{
	SDL_Rect top = {r->x, r->y, r->w, height};

	r->y += height + gap;
	r->h -= height + gap;
	return top;
}

SDL_Rect ui_rect_take_bottom(SDL_Rect *r, int height, int gap)
{
	SDL_Rect bottom = {r->x, r->y + r->h - height, r->w, height};

	r->h -= height + gap;
	return bottom;
}

SDL_Rect ui_rect_take_left(SDL_Rect *r, int width, int gap)
{
	SDL_Rect left = {r->x, r->y, width, r->h};

	r->x += width + gap;
	r->w -= width + gap;
	return left;
}

SDL_Rect ui_rect_take_right(SDL_Rect *r, int width, int gap)
{
	SDL_Rect right = {r->x + r->w - width, r->y, width, r->h};

	r->w -= width + gap;
	return right;
}

SDL_Rect ui_rect_column(SDL_Rect r, int i, int n, int gap)
{
	int w = (r.w - (n - 1) * gap) / n;

	return (SDL_Rect){r.x + i * (w + gap), r.y, w, r.h};
}

SDL_Rect ui_rect_inset(SDL_Rect r, int d)
{
	return (SDL_Rect){r.x + d, r.y + d, r.w - 2 * d, r.h - 2 * d};
}
