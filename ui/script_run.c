/*
 * script_run.c — the test-mode runner (script_run.h): turns parsed commands into SDL events
 * (SDL_FINGERDOWN/UP at fractions of the window, SDL_TEXTINPUT, SDL_KEYDOWN), checks screens,
 * writes screenshots with SDL_RenderReadPixels + IMG_SavePNG, and injects virtual printer
 * faults. File reading and PNG writing happen on the UI thread: acceptable in test mode only.
 */
#include "script_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <SDL_image.h>

#include "app.h"
#include "printer/virtual.h"
#include "script.h"

#define IDLE_TIMEOUT_MS 20000
#define SETTLE_TURNS    2

struct ui_script_runner {
	struct ui_script script;
	size_t next;
	char path[1024];
	char dir[1024];
	Uint64 wait_until;
	Uint64 waiting_since;                 /* 0: not waiting for idle */
	int settle;                           /* loop turns still to run after the last command */
	const struct ui_script_cmd *file_cmd; /* wait_for_file in progress, or NULL */
	Uint64 file_since;
	bool print_nowait; /* print_wait off: commands do not wait for print jobs */
};

struct ui_script_runner *ui_script_runner_open(const char *path, const char *screenshot_dir)
{
	struct ui_script_runner *r = calloc(1, sizeof *r);
	char err[UI_SCRIPT_ERROR_MAX + 32];
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "rb");

	if (!r || !f) {
		fprintf(stderr, "script %s: cannot open\n", path);
		goto fail;
	}
	text = malloc(1 << 20);
	if (!text)
		goto fail;
	len = fread(text, 1, (1 << 20) - 1, f);
	if (!feof(f)) {
		fprintf(stderr, "script %s: longer than 1 MiB\n", path);
		goto fail;
	}
	if (!ui_script_parse(text, len, &r->script, err, sizeof err)) {
		fprintf(stderr, "script %s: %s\n", path, err);
		goto fail;
	}
	snprintf(r->path, sizeof r->path, "%s", path);
	snprintf(r->dir, sizeof r->dir, "%s", screenshot_dir ? screenshot_dir : ".");
	fclose(f);
	free(text);
	return r;
fail:
	if (f)
		fclose(f);
	free(text);
	free(r);
	return NULL;
}

void ui_script_runner_close(struct ui_script_runner *r)
{
	if (!r)
		return;
	ui_script_free(&r->script);
	free(r);
}

static void stop(struct ui_app *app, int status, const struct ui_script_cmd *cmd, const char *why)
{
	if (status != 0) {
		fprintf(stderr, "script %s line %d: %s\n", app->script->path, cmd ? cmd->line : 0,
		        why);
		if (app->note.shown)
			fprintf(stderr, "  note on screen: %s\n", app->note.text.en);
	}
	app->exit_code = status;
	app->quit = true;
}

bool ui_screenshot_png(struct ui_app *app, const char *path)
{
	SDL_Surface *shot = NULL;
	bool ok;

	ui_app_frame(app, &shot);
	ok = shot && IMG_SavePNG(shot, path) == 0;
	if (!ok)
		SDL_Log("screenshot %s: %s", path, SDL_GetError());
	SDL_FreeSurface(shot);
	return ok;
}

static void push_tap(float x, float y)
{
	SDL_Event e;

	SDL_zero(e);
	e.type = SDL_FINGERDOWN;
	e.tfinger.touchId = 1;
	e.tfinger.x = x;
	e.tfinger.y = y;
	e.tfinger.pressure = 1.0f;
	SDL_PushEvent(&e);
	e.type = SDL_FINGERUP;
	SDL_PushEvent(&e);
}

static void push_text(const char *text)
{
	size_t len = strlen(text), at = 0;

	while (at < len) {
		SDL_Event e;
		size_t n = len - at;

		if (n > SDL_TEXTINPUTEVENT_TEXT_SIZE - 1)
			n = SDL_TEXTINPUTEVENT_TEXT_SIZE - 1;
		while (n > 1 && at + n < len && ((unsigned char)text[at + n] & 0xc0) == 0x80)
			n--; /* do not split a UTF-8 sequence */
		SDL_zero(e);
		e.type = SDL_TEXTINPUT;
		memcpy(e.text.text, text + at, n);
		SDL_PushEvent(&e);
		at += n;
	}
}

static bool push_key(const char *name)
{
	SDL_Keycode key = SDL_GetKeyFromName(name);
	SDL_Event e;

	if (key == SDLK_UNKNOWN)
		return false;
	SDL_zero(e);
	e.type = SDL_KEYDOWN;
	e.key.state = SDL_PRESSED;
	e.key.keysym.sym = key;
	e.key.keysym.scancode = SDL_GetScancodeFromKey(key);
	SDL_PushEvent(&e);
	e.type = SDL_KEYUP;
	e.key.state = SDL_RELEASED;
	SDL_PushEvent(&e);
	return true;
}

static bool inject_fault(const char *name)
{
	printer_fault fault = PRINTER_FAULT_COUNT;
	unsigned flags = 0;

	if (strcmp(name, "none") == 0)
		fault = PRINTER_OK;
	for (int i = 1; i < PRINTER_FAULT_COUNT && fault == PRINTER_FAULT_COUNT; i++)
		if (strcmp(printer_fault_name((printer_fault)i), name) == 0)
			fault = (printer_fault)i;
	if (fault == PRINTER_FAULT_COUNT)
		return false;
	if (fault == PRINTER_PAPER_OUT)
		flags = PRINTER_STATUS_PAPER_OUT;
	else if (fault == PRINTER_COVER_OPEN)
		flags = PRINTER_STATUS_COVER_OPEN;
	else if (fault == PRINTER_OFFLINE)
		flags = PRINTER_STATUS_OFFLINE;
	printer_virtual_inject(flags, fault);
	return true;
}

/* True when the previous command has had its effect and the screen shows it. */
static bool settled(struct ui_app *app, struct ui_script_runner *r)
{
	if (r->settle > 0) {
		r->settle--;
		return false;
	}
	if (r->print_nowait)
		return app->outstanding == 0 && !app->dirty &&
		       !SDL_HasEvents(SDL_FIRSTEVENT, SDL_LASTEVENT);
	return ui_idle(app) && !app->dirty && !SDL_HasEvents(SDL_FIRSTEVENT, SDL_LASTEVENT);
}

static void run(struct ui_app *app, struct ui_script_runner *r, const struct ui_script_cmd *c)
{
	char why[256], path[2200];
	SDL_Rect rect;

	switch (c->op) {
	case UI_SCRIPT_NOTHING:
	case UI_SCRIPT_WAIT_IDLE:
		break;
	case UI_SCRIPT_TAP:
		push_tap((float)c->x, (float)c->y);
		break;
	case UI_SCRIPT_TAP_BUTTON:
		if (!ui_hits_rect(&app->hits[app->hits_shown], c->text, &rect)) {
			snprintf(why, sizeof why, "no widget '%s' on screen '%s'", c->text,
			         ui_screen_name(app));
			stop(app, 1, c, why);
			return;
		}
		push_tap(((float)rect.x + (float)rect.w / 2) / (float)app->layout.w,
		         ((float)rect.y + (float)rect.h / 2) / (float)app->layout.h);
		break;
	case UI_SCRIPT_TYPE:
		push_text(c->text);
		break;
	case UI_SCRIPT_KEY:
		if (!push_key(c->text)) {
			snprintf(why, sizeof why, "unknown key name '%s'", c->text);
			stop(app, 1, c, why);
			return;
		}
		break;
	case UI_SCRIPT_SCREENSHOT:
	case UI_SCRIPT_SCREENSHOT_NOW:
		snprintf(path, sizeof path, "%s/%s.png", r->dir, c->text);
		if (!ui_screenshot_png(app, path)) {
			stop(app, 1, c, "cannot write the screenshot");
			return;
		}
		SDL_Log("screenshot %s", path);
		break;
	case UI_SCRIPT_EXPECT_SCREEN:
		if (strcmp(ui_screen_name(app), c->text) != 0) {
			snprintf(why, sizeof why, "expected screen '%s', showing '%s'", c->text,
			         ui_screen_name(app));
			stop(app, 1, c, why);
			return;
		}
		break;
	case UI_SCRIPT_SLEEP:
		r->wait_until = SDL_GetTicks64() + (Uint64)c->ms;
		break;
	case UI_SCRIPT_PRINTER_FAULT:
		if (!inject_fault(c->text)) {
			snprintf(why, sizeof why, "unknown printer fault '%s'", c->text);
			stop(app, 1, c, why);
			return;
		}
		break;
	case UI_SCRIPT_WAIT_FOR_FILE:
		r->file_cmd = c;
		r->file_since = SDL_GetTicks64();
		SDL_Log("waiting for %s", c->text);
		break;
	case UI_SCRIPT_CHECK_LAYOUT: {
		char found[1536];

		ui_app_frame(app, NULL); /* the hit list of what is on screen now */
		if (!ui_hits_check(&app->hits[app->hits_shown], app->layout.w, app->layout.h,
		                   UI_TOUCH_MIN, found, sizeof found)) {
			snprintf(path, sizeof path, "layout of '%s' at %dx%d: %s",
			         ui_screen_name(app), app->layout.w, app->layout.h, found);
			stop(app, 1, c, path);
			return;
		}
		SDL_Log("layout of %s at %dx%d: %d touch targets ok", ui_screen_name(app),
		        app->layout.w, app->layout.h, app->hits[app->hits_shown].count);
		break;
	}
	case UI_SCRIPT_PRINT_WAIT:
		r->print_nowait = strcmp(c->text, "off") == 0;
		break;
	case UI_SCRIPT_QUIT:
		stop(app, 0, c, NULL);
		return;
	}
	r->settle = SETTLE_TURNS;
}

void ui_script_step(struct ui_app *app)
{
	struct ui_script_runner *r = app->script;
	const struct ui_script_cmd *c;
	Uint64 now = SDL_GetTicks64();

	if (now < r->wait_until)
		return;
	if (r->file_cmd) {
		struct stat st;

		if (stat(r->file_cmd->text, &st) == 0) {
			SDL_Log("found %s", r->file_cmd->text);
			r->file_cmd = NULL;
		} else if (now - r->file_since > UI_SCRIPT_FILE_WAIT_MS) {
			stop(app, 1, r->file_cmd, "the file did not appear within 60 s");
		}
		return;
	}
	if (r->next >= r->script.count) {
		if (settled(app, r))
			stop(app, 0, NULL, NULL);
		return;
	}
	c = &r->script.cmds[r->next];
	/* sleep and screenshot_now run at once: the one waits, the other shows work in progress */
	if (c->op != UI_SCRIPT_SLEEP && c->op != UI_SCRIPT_SCREENSHOT_NOW && !settled(app, r)) {
		if (!r->waiting_since)
			r->waiting_since = now;
		if (now - r->waiting_since > IDLE_TIMEOUT_MS)
			stop(app, 1, c, "still busy after 20 s");
		return;
	}
	r->waiting_since = 0;
	r->next++;
	run(app, r, c);
}
