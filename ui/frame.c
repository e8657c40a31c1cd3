/*
 * frame.c — one frame: the current screen (through its ops table), the status bar over it and,
 * while the person waits for the worker, the busy band; then presented, with the pixels copied
 * first when a script takes a screenshot. The loop (loop.c), the script runner and the
 * benchmark all draw through here, so what a screenshot shows is what the counter sees.
 */
#include <stdio.h>

#include "app.h"
#include "statusbar.h"

void ui_app_draw_screen(struct ui_app *app, const struct ui_draw *d)
{
	SDL_Rect area = app->layout.content;

	app->screens[app->screen]->draw(app, d, area);
	ui_statusbar_draw(app, d);
	if (app->busy > 0) {
		/* Busy: a band over the bottom of the screen; drawing and input go on. */
		const struct ui_layout *l = &app->layout;
		SDL_Rect band = {0, l->h - l->unit, l->w, l->unit};
		int dots = (int)(SDL_GetTicks64() / 300 % 4);

		char text[128];

		snprintf(text, sizeof text, "%s%.*s",
		         ui_msg(app, app->busy_msg ? app->busy_msg : MSG_UI_BUSY), dots, "...");
		ui_fill(d, band, UI_AMBER);
		ui_label(d, text, ui_rect_inset(band, l->gap), UI_FONT_TITLE, UI_BLACK,
		         UI_ALIGN_CENTER, false);
	}
}

void ui_app_frame(struct ui_app *app, SDL_Surface **shot)
{
	int next = 1 - app->hits_shown;
	struct ui_draw d = {app->renderer, &app->text, &app->hits[next], &app->layout};

	app->hits[next].count = 0;
	SDL_SetRenderDrawColor(app->renderer, 0xff, 0xff, 0xff, 0xff);
	SDL_RenderClear(app->renderer);
	ui_app_draw_screen(app, &d);
	if (shot) {
		/* Read before present: afterwards the back buffer's content is undefined. */
		*shot = SDL_CreateRGBSurfaceWithFormat(0, app->layout.w, app->layout.h, 32,
		                                       SDL_PIXELFORMAT_ARGB8888);
		if (*shot && SDL_RenderReadPixels(app->renderer, NULL, SDL_PIXELFORMAT_ARGB8888,
		                                  (*shot)->pixels, (*shot)->pitch) != 0) {
			SDL_FreeSurface(*shot);
			*shot = NULL;
		}
	}
	SDL_RenderPresent(app->renderer);
	app->hits_shown = next;
	app->dirty = false;
}
