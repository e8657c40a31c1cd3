/*
 * layout.h — sizes and regions computed from the window size.
 *
 * Everything on screen is placed from one number, the touch unit: the height of a button or a
 * key, never under UI_TOUCH_MIN pixels (about 9 mm on the 7"-10" panels the kiosk ships with).
 * The same code lays out 800x480, 1024x600 and 1280x800; nothing is positioned in fixed pixels.
 */
#ifndef AGENDA_UI_LAYOUT_H
#define AGENDA_UI_LAYOUT_H

#include <SDL.h>

#include "text.h"

#define UI_TOUCH_MIN 56

struct ui_layout {
	int w, h;
	int unit;         /* height of buttons, fields and keys */
	int gap;          /* space between widgets */
	int margin;       /* space around the content */
	SDL_Rect status;  /* the always visible status bar, at the top */
	SDL_Rect content; /* everything below it */
	int font_sizes[UI_FONT_COUNT];
};

void ui_layout_compute(struct ui_layout *l, int w, int h);

/* The part of r left after taking `height` off its top (*top gets that strip). */
SDL_Rect ui_rect_take_top(SDL_Rect *r, int height, int gap);
SDL_Rect ui_rect_take_bottom(SDL_Rect *r, int height, int gap);
SDL_Rect ui_rect_take_left(SDL_Rect *r, int width, int gap);
SDL_Rect ui_rect_take_right(SDL_Rect *r, int width, int gap);

/* Column i of n equal columns of r separated by gap. */
SDL_Rect ui_rect_column(SDL_Rect r, int i, int n, int gap);

/* r shrunk by d on every side. */
SDL_Rect ui_rect_inset(SDL_Rect r, int d);

#endif
