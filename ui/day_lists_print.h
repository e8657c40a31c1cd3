/*
 * day_lists_print.h — Giornata's "Stampa elenco" (issue 13): today's list of every Questura the
 * device fixed appointments for, one after the other on the thermal printer (day_list_print,
 * the same page agendactl day print makes). Runs on the UI worker: it reads the store.
 */
#ifndef AGENDA_UI_DAY_LISTS_PRINT_H
#define AGENDA_UI_DAY_LISTS_PRINT_H

#include "core/date.h"
#include "printer/print_queue.h"
#include "services/context.h"
#include "services/operators.h"

/*
 * Queues the list of each Questura of day (day_list_questure order); *printed counts them (0:
 * nothing fixed that day, not an error). Stops at the first failure.
 */
agenda_err ui_day_lists_print(agenda_ctx *ctx, const struct session *who, print_queue *queue,
                              agenda_day day, int *printed, agenda_detail *why);

#endif
