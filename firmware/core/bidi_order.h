/*
 * bidi_order.h — the visual order of a line's runs (Unicode bidi rule L2), shared by the slip's
 * line images (drivers/printer/text_raster.c) and the kiosk's font chain (ui/text_runs.c).
 *
 * fribidi gives each run its embedding level; this turns the runs' logical order into the
 * order they are drawn in, left to right. Pure, like the rest of core/.
 */
#ifndef AGENDA_CORE_BIDI_ORDER_H
#define AGENDA_CORE_BIDI_ORDER_H

#include <stddef.h>

/*
 * runs: n structs of run_size bytes, each with an int embedding level at level_offset
 * (offsetof(struct, level)), in logical order. Fills order[0..n) with run indexes in visual
 * order: from the highest level down to the lowest odd one, every sequence of runs at that level
 * or higher is reversed.
 */
void bidi_order_runs(const void *runs, size_t run_size, size_t level_offset, int n, int *order);

#endif
