/*
 * screen_login.c — Login: user name and password on the on-screen keyboard (or a physical
 * one), "Accedi". Wrong passwords show the service's words with the attempts left; a lock says
 * until when. With --demo on a new database, the demo accounts are buttons that fill both
 * fields. A tecnico goes to the Tecnico screen, everyone else to Ricerca.
 */
#include "screen_login.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"

/* --demo on a new database: the accounts to tap on the log-in screen */
struct ui_login_state {
	bool demo_accounts;
	struct demo_report demo;
};

static bool state_open(struct ui_app *app)
{
	app->login_state = calloc(1, sizeof *app->login_state);
	return app->login_state != NULL;
}

static void state_close(struct ui_app *app)
{
	if (!app->login_state)
		return;
	explicit_bzero(app->login_state, sizeof *app->login_state); /* demo passwords */
	free(app->login_state);
	app->login_state = NULL;
}

const struct demo_report *ui_login_demo(const struct ui_app *app)
{
	return app->login_state->demo_accounts ? &app->login_state->demo : NULL;
}

static void draw(struct ui_app *app, const struct ui_draw *d, SDL_Rect area)
{
	const struct ui_login_state *ls = app->login_state;
	const struct ui_layout *l = d->layout;
	const char *ids[] = {"lang"};
	const char *labels[] = {ui_msg(app, MSG_UI_LANG_OTHER)};
	SDL_Rect head, row, keys;

	head = ui_header(app, d, &area, ui_msg(app, MSG_UI_LOGIN_TITLE), ids, labels, 1);
	if (ls->demo_accounts) {
		/* The title row's free part holds the demo accounts instead of the title. */
		ui_fill(d, head, UI_WHITE);
		for (size_t i = 0; i < ls->demo.account_count; i++) {
			char id[UI_ID_MAX];

			snprintf(id, sizeof id, "demo:%zu", i);
			ui_button(d, id, ls->demo.accounts[i].username,
			          ui_rect_column(head, (int)i, (int)ls->demo.account_count, l->gap),
			          UI_BUTTON_NORMAL);
		}
	}
	keys = ui_rect_take_bottom(&area, ui_keyboard_height(l), l->gap);
	row = ui_rect_take_top(&area, l->unit, l->gap);
	ui_field(d, "field:user", ui_msg(app, MSG_UI_USER), app->fields[UI_FIELD_USER],
	         ui_rect_column(row, 0, 3, l->gap), app->focus == UI_FIELD_USER, UI_FIELD_PLAIN,
	         false);
	ui_field(d, "field:password", ui_msg(app, MSG_UI_PASSWORD), app->fields[UI_FIELD_PASSWORD],
	         ui_rect_column(row, 1, 3, l->gap), app->focus == UI_FIELD_PASSWORD, UI_FIELD_PLAIN,
	         true);
	ui_button(d, "login", ui_msg(app, MSG_UI_LOGIN), ui_rect_column(row, 2, 3, l->gap),
	          app->store_ready && app->fields[UI_FIELD_USER][0] ? UI_BUTTON_PRIMARY
	                                                            : UI_BUTTON_OFF);
	if (app->note.shown)
		ui_note_draw(app, d, area);
	else
		ui_label(d,
		         ui_msg(app, !app->store_ready   ? MSG_UI_STARTING
		                     : ls->demo_accounts ? MSG_UI_DEMO_HINT
		                                         : MSG_UI_LOGIN_HINT),
		         area, UI_FONT_SMALL, UI_INK, UI_ALIGN_LEFT, true);
	ui_keyboard_draw(d, keys, UI_KEYS_TEXT, app->shift, app->accent, ui_msg(app, MSG_UI_LOGIN),
	                 ui_msg(app, MSG_UI_NEXT_FIELD));
}

static void submit(struct ui_app *app)
{
	struct ui_request req = {.kind = UI_REQ_LOGIN};

	if (!app->store_ready || !app->fields[UI_FIELD_USER][0])
		return;
	snprintf(req.username, sizeof req.username, "%.*s", (int)sizeof req.username - 1,
	         app->fields[UI_FIELD_USER]);
	snprintf(req.password, sizeof req.password, "%.*s", (int)sizeof req.password - 1,
	         app->fields[UI_FIELD_PASSWORD]);
	explicit_bzero(app->fields[UI_FIELD_PASSWORD], UI_FIELD_MAX);
	ui_post(app, &req, true);
	explicit_bzero(&req, sizeof req);
}

static void tap(struct ui_app *app, const char *id)
{
	const struct ui_login_state *ls = app->login_state;

	if (strcmp(id, "login") == 0 || strcmp(id, "key:enter") == 0) {
		if (app->focus == UI_FIELD_USER && strcmp(id, "key:enter") == 0)
			app->focus = UI_FIELD_PASSWORD;
		else
			submit(app);
	} else if (strcmp(id, "key:next") == 0) {
		app->focus = app->focus == UI_FIELD_USER ? UI_FIELD_PASSWORD : UI_FIELD_USER;
	} else if (strcmp(id, "field:user") == 0) {
		app->focus = UI_FIELD_USER;
	} else if (strcmp(id, "field:password") == 0) {
		app->focus = UI_FIELD_PASSWORD;
	} else if (strncmp(id, "demo:", 5) == 0) {
		size_t i = (size_t)(id[5] - '0');

		if (i < ls->demo.account_count) {
			snprintf(app->fields[UI_FIELD_USER], UI_FIELD_MAX, "%s",
			         ls->demo.accounts[i].username);
			snprintf(app->fields[UI_FIELD_PASSWORD], UI_FIELD_MAX, "%s",
			         ls->demo.accounts[i].password);
			app->focus = UI_FIELD_PASSWORD;
		}
	}
}

/* Typing goes into the user name or the password. */
static char *typing(struct ui_app *app)
{
	if (app->focus != UI_FIELD_USER && app->focus != UI_FIELD_PASSWORD)
		app->focus = UI_FIELD_USER;
	return app->fields[app->focus];
}

static void enter(struct ui_app *app)
{
	app->focus = app->fields[UI_FIELD_USER][0] ? UI_FIELD_PASSWORD : UI_FIELD_USER;
	app->shift = false;
}

static void result(struct ui_app *app, struct ui_result *r)
{
	struct ui_login_state *ls = app->login_state;

	if (r->kind == UI_REQ_OPEN) {
		app->store_ready = r->err == AG_OK;
		if (r->err != AG_OK) {
			ui_note_detail(app, true, &r->why);
			SDL_Log("store: %s", r->why.en);
		}
		if (r->demo_seeded) {
			ls->demo = r->demo;
			ls->demo_accounts = true;
		}
		return;
	}
	if (r->err != AG_OK) {
		ui_note_detail(app, true, &r->why);
		app->focus = UI_FIELD_PASSWORD;
		return;
	}
	app->session = r->session;
	app->logged_in = true;
	explicit_bzero(app->fields[UI_FIELD_PASSWORD], UI_FIELD_MAX);
	SDL_Log("login: %s (%s)", r->session.username, operator_role_name(r->session.role));
	ui_go(app, r->session.role == ROLE_TECNICO ? UI_SCREEN_TECH : UI_SCREEN_SEARCH);
}

const struct ui_screen_ops ui_login_screen = {
        .name = "login",
        .open = state_open,
        .close = state_close,
        .enter = enter,
        .draw = draw,
        .tap = tap,
        .typing = typing,
        .result = result,
};
