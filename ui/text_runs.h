/*
 * text_runs.h — one line of kiosk text in the fonts that can draw it: split into runs by
 * direction (libfribidi, the Unicode bidi algorithm) and by font along the chain of text.h
 * (primary, right-to-left Arabic, CJK), each run rendered by SDL2_ttf (HarfBuzz shaping) and
 * the runs placed left to right in visual order (rule L2) on one baseline.
 *
 * Used by text.c only for strings the primary font cannot draw alone or that hold
 * right-to-left letters; everything else keeps SDL2_ttf's direct path.
 */
#ifndef AGENDA_UI_TEXT_RUNS_H
#define AGENDA_UI_TEXT_RUNS_H

#include <stdbool.h>

#include "text.h"

/* True when s needs the chain: a character the primary font lacks, or a right-to-left one. */
bool ui_text_runs_needed(struct ui_text *t, enum ui_font font, const char *s);

/* Width in pixels of one line s drawn with the chain. */
int ui_text_runs_width(struct ui_text *t, enum ui_font font, const char *s);

/* One line s drawn with the chain as an ARGB surface (caller frees); NULL on failure. */
SDL_Surface *ui_text_runs_render(struct ui_text *t, enum ui_font font, const char *s,
                                 SDL_Color colour);

/*
 * s wrapped at width pixels (at spaces, inside a word only when it alone is wider, and at
 * newlines), each line drawn with the chain, lines one line skip apart; NULL on failure.
 */
SDL_Surface *ui_text_runs_render_wrapped(struct ui_text *t, enum ui_font font, const char *s,
                                         SDL_Color colour, int width);

#endif
