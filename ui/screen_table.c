/*
 * screen_table.c — every screen's ops table, indexed by enum ui_screen. The one place that
 * names all screens; ui_app_open hands it to struct ui_app, so app.c dispatches to screens
 * without naming any (screens call app.c, never the other way round).
 */
#include "screens.h"

const struct ui_screen_ops *const ui_screens[UI_SCREEN_COUNT] = {
        [UI_SCREEN_LOGIN] = &ui_login_screen,       [UI_SCREEN_SEARCH] = &ui_search_screen,
        [UI_SCREEN_PRACTICE] = &ui_practice_screen, [UI_SCREEN_PROPOSAL] = &ui_proposal_screen,
        [UI_SCREEN_PRINT] = &ui_print_screen,       [UI_SCREEN_DAY] = &ui_day_screen,
        [UI_SCREEN_TECH] = &ui_tech_screen,
};
