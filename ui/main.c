/*
 * main.c — agenda-kiosk's entry point: options, the --demo folder, then the loop.
 *
 * --demo without --db makes a fresh folder (under $TMPDIR or /tmp) holding a new database that
 * the worker initialises and seeds, and uses the virtual printer "virtual:<folder>/slip", whose
 * slips appear on screen and as PNG files there. The clock comes from AGENDA_NOW when set;
 * local time is Italian time unless TZ is set.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "args.h"
#include "platform/clock.h"
#include "script_run.h"
#include "store/store.h"

int main(int argc, char **argv)
{
	struct ui_config config;
	static struct ui_app app;
	static char demo_db[PATH_MAX + 16], demo_printer[PATH_MAX + 16];
	const char *bad;
	int status;

	clock_use_italian_time();
	store_process_init(); /* before any thread or store */
	/*
	 * The library makes its own files 0600 whatever the umask; this covers what others write
	 * for us (SDL_image's screenshots of screens that show applicants' names).
	 */
	umask(077);
	if (!ui_args_parse(argc, argv, &config, &bad)) {
		if (bad)
			fprintf(stderr, "%s: %s\n", bad, msg_get(MSG_CTL_ERR_USAGE, config.lang));
		fprintf(stderr, "%s\n", msg_get(MSG_UI_USAGE, config.lang));
		return 2;
	}
	if (config.demo && !config.db_path) {
		const char *tmp = getenv("TMPDIR");
		char dir[PATH_MAX];

		snprintf(dir, sizeof dir, "%s/agenda-kiosk-demo-XXXXXX",
		         tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			perror(dir);
			return 1;
		}
		snprintf(demo_db, sizeof demo_db, "%s/agenda.db", dir);
		config.db_path = demo_db;
		if (!config.printer_uri) {
			snprintf(demo_printer, sizeof demo_printer, "virtual:%s/slip", dir);
			config.printer_uri = demo_printer;
		}
		fprintf(stderr, "agenda-kiosk demo: database and slips in %s\n", dir);
	}
	if (!config.db_path)
		config.db_path = UI_DEFAULT_DB;
	if (!ui_app_open(&app, &config)) {
		fprintf(stderr, "agenda-kiosk: %s\n", SDL_GetError());
		ui_app_close(&app);
		return 1;
	}
	if (config.script_path) {
		app.script = ui_script_runner_open(config.script_path, config.screenshot_dir);
		if (!app.script) {
			ui_app_close(&app);
			return 2;
		}
	}
	status = ui_app_run(&app);
	ui_app_close(&app);
	return status;
}
