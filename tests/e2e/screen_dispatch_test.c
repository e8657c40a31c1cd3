/*
 * screen_dispatch_test.c — app.c drives the kiosk's real screens through their ops table, with
 * no window and no worker: the table holds every screen under the name scripts use; a worker
 * result reaches the screen that posted it whatever screen shows; typed text goes into the
 * field the showing screen's typing hook names (and nowhere on a screen without one); log-out
 * wipes what was typed and the practice but keeps the demo accounts. Nothing here posts a
 * request (no request-posting screen is entered), so no worker is needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app.h"
#include "screen_login.h"

static int app_setup(void **state)
{
	struct ui_app *app = calloc(1, sizeof *app);

	if (!app || !ui_screens_open(app, ui_screens))
		return -1;
	app->lang = LANG_IT;
	*state = app;
	return 0;
}

static int app_teardown(void **state)
{
	struct ui_app *app = *state;

	ui_screens_close(app);
	free(app);
	return 0;
}

/* A worker result as ui_app_event hands it on (the caller frees it). */
static struct ui_result *result_of(enum ui_request_kind kind)
{
	struct ui_result *r = calloc(1, sizeof *r);

	assert_non_null(r);
	r->kind = kind;
	return r;
}

static void deliver(struct ui_app *app, struct ui_result *r)
{
	app->outstanding++; /* as ui_post counted it */
	ui_app_result(app, r);
	free(r);
	assert_false(app->store_ready); /* else ui_app_result would ask for the status */
}

static void every_screen_is_in_the_table_under_its_script_name(void **state)
{
	static const char *const NAMES[UI_SCREEN_COUNT] = {
	        "login", "ricerca", "scheda", "proposta", "stampa", "giornata", "tecnico"};
	struct ui_app *app = *state;

	for (int s = 0; s < UI_SCREEN_COUNT; s++) {
		assert_non_null(ui_screens[s]);
		assert_string_equal(ui_screens[s]->name, NAMES[s]);
		assert_non_null(ui_screens[s]->draw);
		assert_non_null(ui_screens[s]->tap);
		app->screen = (enum ui_screen)s;
		assert_string_equal(ui_screen_name(app), NAMES[s]);
	}
	assert_true(ui_idle(app)); /* nothing posted, no print job */
}

static void results_reach_the_screen_that_posted_them(void **state)
{
	struct ui_app *app = *state;
	struct ui_result *r;

	ui_go(app, UI_SCREEN_SEARCH);
	/* The store's opening (Login's request) arrives while Ricerca shows. */
	r = result_of(UI_REQ_OPEN);
	r->err = AG_ERR_IO; /* keeps store_ready false: no status request without a worker */
	snprintf(r->why.it, sizeof r->why.it, "archivio non disponibile");
	r->demo_seeded = true;
	r->demo.account_count = 1;
	snprintf(r->demo.accounts[0].username, sizeof r->demo.accounts[0].username, "demo.op");
	deliver(app, r);
	assert_int_equal(app->screen, UI_SCREEN_SEARCH);
	assert_non_null(ui_login_demo(app));
	assert_string_equal(ui_login_demo(app)->accounts[0].username, "demo.op");
	assert_true(app->note.shown && app->note.error);

	/* Ricerca's lookup: the practice is at the counter and Scheda shows it. */
	r = result_of(UI_REQ_LOOKUP);
	snprintf(r->practice.numero_pratica, sizeof r->practice.numero_pratica, "RM/2026/000001");
	r->practice.id = 7;
	r->bookable = true;
	deliver(app, r);
	assert_int_equal(app->screen, UI_SCREEN_PRACTICE);
	assert_string_equal(app->practice.numero_pratica, "RM/2026/000001");
	assert_true(app->bookable);
	assert_false(app->note.shown);

	/* Scheda's proposal booked meanwhile elsewhere: shown as the existing one, no Proposta. */
	r = result_of(UI_REQ_PROPOSE);
	r->booking.existing = true;
	r->booking.day = 20580;
	deliver(app, r);
	assert_int_equal(app->screen, UI_SCREEN_PRACTICE);
	assert_true(app->has_booking);
	assert_int_equal(app->existing.day, 20580);

	/* A fresh proposal opens Proposta. */
	app->has_booking = false;
	r = result_of(UI_REQ_PROPOSE);
	r->booking.day = 20581;
	deliver(app, r);
	assert_int_equal(app->screen, UI_SCREEN_PROPOSAL);

	/* A refused log-in (Login's request) does not move Proposta; its words are shown. */
	r = result_of(UI_REQ_LOGIN);
	r->err = AG_ERR_REFUSED;
	snprintf(r->why.it, sizeof r->why.it, "credenziali non valide");
	deliver(app, r);
	assert_int_equal(app->screen, UI_SCREEN_PROPOSAL);
	assert_string_equal(app->note.text.it, "credenziali non valide");
	assert_int_equal(app->focus, UI_FIELD_PASSWORD);
}

static void typing_goes_where_the_screen_says(void **state)
{
	struct ui_app *app = *state;

	ui_go(app, UI_SCREEN_LOGIN);
	assert_int_equal(app->focus, UI_FIELD_USER);
	ui_app_text(app, "mario");
	ui_app_tap(app, "key:next");
	ui_app_text(app, "segreta");
	assert_string_equal(app->fields[UI_FIELD_USER], "mario");
	assert_string_equal(app->fields[UI_FIELD_PASSWORD], "segreta");

	ui_app_tap(app, "search"); /* the global "Nuova ricerca": empty numbers, Ricerca */
	assert_int_equal(app->screen, UI_SCREEN_SEARCH);
	ui_app_text(app, "RM/2026/12");
	ui_app_key(app, SDLK_BACKSPACE);
	ui_app_key(app, SDLK_TAB);
	ui_app_text(app, "ITA");
	assert_string_equal(app->fields[UI_FIELD_PRATICA], "RM/2026/1");
	assert_string_equal(app->fields[UI_FIELD_VISTO], "ITA");

	/* Scheda has no field: typing there changes none. */
	app->screen = UI_SCREEN_PRACTICE;
	ui_app_text(app, "x");
	assert_string_equal(app->fields[UI_FIELD_PRATICA], "RM/2026/1");
	assert_string_equal(app->fields[UI_FIELD_VISTO], "ITA");
	assert_string_equal(app->fields[UI_FIELD_REASON], "");
}

static void logout_wipes_the_session_and_keeps_the_demo_accounts(void **state)
{
	struct ui_app *app = *state;
	struct ui_result *r = result_of(UI_REQ_OPEN);

	r->err = AG_ERR_IO;
	r->demo_seeded = true;
	r->demo.account_count = 1;
	deliver(app, r);
	app->logged_in = true;
	snprintf(app->session.username, sizeof app->session.username, "mario");
	snprintf(app->fields[UI_FIELD_PRATICA], UI_FIELD_MAX, "RM/2026/1");
	snprintf(app->practice.cognome, sizeof app->practice.cognome, "ROSSI");
	app->screen = UI_SCREEN_PRACTICE;
	ui_logout(app);
	assert_int_equal(app->screen, UI_SCREEN_LOGIN);
	assert_false(app->logged_in);
	assert_string_equal(app->session.username, "");
	assert_string_equal(app->fields[UI_FIELD_PRATICA], "");
	assert_string_equal(app->practice.cognome, "");
	assert_non_null(ui_login_demo(app)); /* the buttons stay for the next operator */
	assert_true(ui_idle(app));
}

/*
 * Tecnico on a device with no identity (issue 11): the enrolment answer opens the activation
 * form, typing goes into its focused field, a throttled refusal is told in minutes with the
 * fields kept, and log-out wipes the typed code. (Entered by hand: its enter hook posts.)
 */
static void tecnico_form_keeps_fields_and_says_minutes(void **state)
{
	struct ui_app *app = *state;
	struct ui_result *r = result_of(UI_REQ_ENROLMENT);

	app->screen = UI_SCREEN_TECH;
	deliver(app, r); /* not provisioned */
	ui_app_tap(app, "field:code");
	ui_app_text(app, "k7qm-4xrt");
	r = result_of(UI_REQ_PROVISION);
	r->err = AG_ERR_REFUSED;
	snprintf(r->provision.server_error, sizeof r->provision.server_error, "throttled");
	r->provision.retry_after = 840;
	deliver(app, r);
	assert_true(app->note.shown && app->note.error);
	assert_non_null(strstr(app->note.text.it, "tra 14 minuti"));
	assert_non_null(strstr(app->note.text.en, "in 14 minutes"));
	ui_app_text(app, "-9hcw");
	assert_false(app->note.shown); /* typing again: the check replaces the answer */
	assert_string_equal(app->screens[UI_SCREEN_TECH]->typing(app), "k7qm-4xrt-9hcw");
	ui_logout(app);
	app->screen = UI_SCREEN_TECH;
	assert_null(app->screens[UI_SCREEN_TECH]->typing(app)); /* no form until central says */
	r = result_of(UI_REQ_ENROLMENT);
	deliver(app, r);
	assert_string_equal(app->screens[UI_SCREEN_TECH]->typing(app), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(every_screen_is_in_the_table_under_its_script_name,
	                                        app_setup, app_teardown),
	        cmocka_unit_test_setup_teardown(results_reach_the_screen_that_posted_them,
	                                        app_setup, app_teardown),
	        cmocka_unit_test_setup_teardown(typing_goes_where_the_screen_says, app_setup,
	                                        app_teardown),
	        cmocka_unit_test_setup_teardown(
	                logout_wipes_the_session_and_keeps_the_demo_accounts, app_setup,
	                app_teardown),
	        cmocka_unit_test_setup_teardown(tecnico_form_keeps_fields_and_says_minutes,
	                                        app_setup, app_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
