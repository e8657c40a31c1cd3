/*
 * loop.c — the window, the renderer, the print queue and the worker; the event loop, which
 * draws frames (frame.c) only when needed.
 *
 * Rendering is SDL's software renderer with SDL_HINT_FRAMEBUFFER_ACCELERATION "0" (without it
 * SDL goes through Mesa: ~6x the frame time and ~100 MB more memory). Frames are drawn only when
 * something changed, or while busy/printing (progress), or each second for the clock. Finger
 * events are fractions of the window; mouse events synthesised from touches are ignored, else a
 * tap would count twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <SDL_image.h>
#include <SDL_ttf.h>

#include "app.h"
#include "screens.h"
#include "script_run.h"

#define STATUS_EVERY_MS 5000
#define PRINTER_POLL_MS 2000

static bool open_window(struct ui_app *app)
{
	Uint32 flags = SDL_WINDOW_SHOWN;
	int w, h;

	if (app->config.fullscreen)
		flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
	else
		flags |= SDL_WINDOW_RESIZABLE;
	app->window = SDL_CreateWindow(msg_get(MSG_UI_TITLE, app->lang), SDL_WINDOWPOS_CENTERED,
	                               SDL_WINDOWPOS_CENTERED, app->config.width,
	                               app->config.height, flags);
	if (!app->window)
		return false;
	app->renderer = SDL_CreateRenderer(app->window, -1, SDL_RENDERER_SOFTWARE);
	if (!app->renderer)
		return false;
	SDL_GetRendererOutputSize(app->renderer, &w, &h);
	ui_layout_compute(&app->layout, w, h);
	SDL_Log("video driver %s, window %dx%d, touch unit %d px", SDL_GetCurrentVideoDriver(), w,
	        h, app->layout.unit);
	return ui_text_open(&app->text, app->renderer, app->layout.font_sizes);
}

/*
 * The printer as agendactl chooses it (print/printer_choice.h): --printer, else
 * $AGENDA_PRINTER, else the device's printer_uri / printer_profile settings, else "usb". The
 * settings are read once at start through a read-only connection, before the worker opens the
 * store; a database not there yet (a first --demo run) has none.
 */
static bool choose_printer(struct ui_app *app)
{
	struct stat st;
	store *settings = NULL;
	agenda_detail why = {{0}, {0}};
	agenda_err err;

	if (stat(app->config.db_path, &st) == 0 &&
	    store_open(app->config.db_path, STORE_READ_ONLY | STORE_SKIP_CHECK, &settings, &why) !=
	            AG_OK)
		settings = NULL; /* the worker's own open will say what is wrong with the file */
	err = printer_choice_resolve(app->config.printer_uri, NULL, settings, &app->printer_choice,
	                             &why);
	store_close(settings);
	if (err != AG_OK) {
		SDL_SetError("%s", why.en);
		return false;
	}
	app->config.printer_uri = app->printer_choice.uri;
	SDL_Log("printer %s (%s), profile %s", app->printer_choice.uri,
	        app->printer_choice.uri_from, app->printer_choice.profile->id);
	return true;
}

static bool start_services(struct ui_app *app)
{
	print_queue_config pc = {.poll_ms = PRINTER_POLL_MS};
	struct ui_worker_config wc = {.db_path = app->config.db_path,
	                              .create_demo = app->config.demo};
	const printer_profile *profile;

	if (!choose_printer(app))
		return false;
	pc.uri = app->printer_choice.uri;
	pc.profile = app->printer_choice.profile;
	if (print_queue_start(&pc, &app->printer) != AG_OK) {
		SDL_SetError("cannot start the print queue");
		return false;
	}
	if (strncmp(pc.uri, "virtual:", 8) == 0)
		snprintf(app->virtual_prefix, sizeof app->virtual_prefix, "%s", pc.uri + 8);
	profile = print_queue_profile(app->printer);
	wc.printer = app->printer;
	wc.slip_columns = profile ? profile->columns : 48;
	wc.preview_prefix = app->virtual_prefix[0] ? app->virtual_prefix : NULL;
	app->worker = ui_worker_start(&wc);
	if (!app->worker) {
		SDL_SetError("cannot start the worker thread");
		return false;
	}
	app->outstanding = 1; /* UI_REQ_OPEN, posted by ui_worker_start */
	return true;
}

bool ui_app_open(struct ui_app *app, const struct ui_config *config)
{
	memset(app, 0, sizeof *app);
	app->config = *config;
	app->lang = config->lang;
	app->dirty = true;
	if (!ui_screens_open(app, ui_screens)) {
		SDL_SetError("out of memory");
		return false;
	}
	SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
	SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
	if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0 || TTF_Init() != 0 ||
	    (IMG_Init(IMG_INIT_PNG) & IMG_INIT_PNG) == 0)
		return false;
	if (clock_from_env(&app->clock, &app->clock_storage) != AG_OK) {
		SDL_SetError("%s", msg_get(MSG_CTL_BAD_NOW, LANG_EN));
		return false;
	}
	if (!open_window(app) || !start_services(app))
		return false;
	app->last_input_ms = SDL_GetTicks64();
	SDL_StartTextInput();
	ui_go(app, UI_SCREEN_LOGIN);
	return true;
}

static void drain_results(void)
{
	SDL_Event e;
	uint32_t type = ui_worker_event_type();

	while (SDL_PeepEvents(&e, 1, SDL_GETEVENT, type, type) == 1)
		ui_result_free(e.user.data1);
}

void ui_app_close(struct ui_app *app)
{
	ui_script_runner_close(app->script);
	app->script = NULL;
	if (!sync_worker_stop(app->sync))
		SDL_Log("sync: a round still in flight ends with the process");
	app->sync = NULL;
	ui_worker_stop(app->worker);    /* no more slips queued */
	print_queue_stop(app->printer); /* the last completions post their results */
	drain_results();
	ui_screens_close(app); /* before the renderer goes: a screen may hold textures */
	ui_text_close(&app->text);
	if (app->renderer)
		SDL_DestroyRenderer(app->renderer);
	if (app->window)
		SDL_DestroyWindow(app->window);
	explicit_bzero(app, sizeof *app);
	IMG_Quit();
	TTF_Quit();
	SDL_Quit();
}

static void resized(struct ui_app *app)
{
	int w, h;

	SDL_GetRendererOutputSize(app->renderer, &w, &h);
	if (w == app->layout.w && h == app->layout.h)
		return;
	ui_layout_compute(&app->layout, w, h);
	ui_text_close(&app->text);
	if (!ui_text_open(&app->text, app->renderer, app->layout.font_sizes)) {
		SDL_Log("fonts: %s", SDL_GetError());
		app->quit = true;
		app->exit_code = 1;
	}
}

static void tap_at(struct ui_app *app, int x, int y)
{
	const char *id = ui_hits_find(&app->hits[app->hits_shown], x, y);

	if (id)
		ui_app_tap(app, id);
}

void ui_app_event(struct ui_app *app, const SDL_Event *e)
{
	if (e->type == ui_worker_event_type()) {
		ui_app_result(app, e->user.data1);
		ui_result_free(e->user.data1);
		return;
	}
	switch (e->type) {
	case SDL_QUIT:
		app->quit = true;
		break;
	case SDL_WINDOWEVENT:
		if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
			resized(app);
		app->dirty = true;
		break;
	case SDL_FINGERDOWN:
		app->last_input_ms = SDL_GetTicks64();
		tap_at(app, (int)(e->tfinger.x * (float)app->layout.w),
		       (int)(e->tfinger.y * (float)app->layout.h));
		break;
	case SDL_MOUSEBUTTONDOWN:
		if (e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
			break; /* a touch already handled as SDL_FINGERDOWN */
		app->last_input_ms = SDL_GetTicks64();
		tap_at(app, e->button.x, e->button.y);
		break;
	case SDL_TEXTINPUT:
		app->last_input_ms = SDL_GetTicks64();
		ui_app_text(app, e->text.text);
		break;
	case SDL_KEYDOWN:
		app->last_input_ms = SDL_GetTicks64();
		ui_app_key(app, e->key.keysym.sym);
		break;
	default:
		break;
	}
}

void ui_app_tick(struct ui_app *app)
{
	Uint64 now = SDL_GetTicks64();
	struct ui_request status = {.kind = UI_REQ_STATUS};

	if (app->sync) {
		unsigned long seen = app->sync_status.version;

		sync_worker_status(app->sync, &app->sync_status);
		if (app->sync_status.version != seen)
			app->dirty = true;
	}
	for (int s = 0; s < UI_SCREEN_COUNT; s++)
		if (app->screens[s]->tick)
			app->screens[s]->tick(app);
	if (app->logged_in && app->config.idle_logout_s > 0 && ui_idle(app) &&
	    now - app->last_input_ms > (Uint64)app->config.idle_logout_s * 1000) {
		SDL_Log("idle for %d s: logging out", app->config.idle_logout_s);
		ui_logout(app);
		ui_note_msg(app, false, MSG_UI_IDLE_LOGOUT, app->config.idle_logout_s);
	}
	if (app->store_ready && app->outstanding == 0 &&
	    now - app->status_asked_ms > STATUS_EVERY_MS) {
		app->status_asked_ms = now;
		ui_post(app, &status, false);
	}
}

int ui_app_run(struct ui_app *app)
{
	Uint64 last_frame = 0;

	while (!app->quit) {
		SDL_Event e;
		bool animate = app->busy > 0 || ui_in_flight(app);
		int timeout = app->script ? 5 : animate ? 50 : 250;

		if (SDL_WaitEventTimeout(&e, timeout)) {
			ui_app_event(app, &e);
			while (!app->quit && SDL_PollEvent(&e))
				ui_app_event(app, &e);
		}
		ui_app_tick(app);
		if (app->script)
			ui_script_step(app);
		if (app->quit)
			break;
		Uint64 now = SDL_GetTicks64();
		if (app->dirty || (animate && now - last_frame >= 100) ||
		    now - last_frame >= 1000) {
			ui_app_frame(app, NULL);
			last_frame = now;
		}
	}
	return app->exit_code;
}
