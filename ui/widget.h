/*
 * widget.h — the few widgets the kiosk draws: buttons, text fields, a tick box, labels.
 *
 * Immediate mode: a screen draws its widgets every frame, and each touchable one records its
 * id and rectangle in a hit list. A tap is matched against the list of the frame the person
 * saw, so input never depends on layout code running twice. Ids ("login", "key:a", "row:3") are
 * stable names that test scripts use with tap_button.
 */
#ifndef AGENDA_UI_WIDGET_H
#define AGENDA_UI_WIDGET_H

#include <stdbool.h>

#include <SDL.h>

#include "layout.h"
#include "text.h"

#define UI_ID_MAX   32
#define UI_HITS_MAX 128

/* High-contrast palette: dark text on white, white text on dark blue/red/green. */
#define UI_WHITE ((SDL_Color){0xff, 0xff, 0xff, 0xff})
#define UI_BLACK ((SDL_Color){0x00, 0x00, 0x00, 0xff})
#define UI_INK   ((SDL_Color){0x10, 0x18, 0x20, 0xff})
#define UI_GREY  ((SDL_Color){0x59, 0x59, 0x59, 0xff})
#define UI_LIGHT ((SDL_Color){0xe8, 0xec, 0xf0, 0xff})
#define UI_BLUE  ((SDL_Color){0x00, 0x3c, 0x8f, 0xff})
#define UI_RED   ((SDL_Color){0xa8, 0x00, 0x1c, 0xff})
#define UI_GREEN ((SDL_Color){0x00, 0x66, 0x2a, 0xff})
#define UI_AMBER ((SDL_Color){0xff, 0xc4, 0x00, 0xff})
#define UI_BAR   ((SDL_Color){0x12, 0x12, 0x12, 0xff})

struct ui_hit {
	char id[UI_ID_MAX];
	SDL_Rect rect;
	int label_w; /* width of the label as drawn (0: no label) */
	int room_w;  /* width the label has inside the widget */
	bool off;    /* a greyed button: laid out (and checked) but not touchable now */
};

struct ui_hits {
	int count;
	struct ui_hit items[UI_HITS_MAX];
};

/* What drawing needs: where to draw, with which fonts, where to record touchable areas. */
struct ui_draw {
	SDL_Renderer *renderer;
	struct ui_text *text;
	struct ui_hits *hits;
	const struct ui_layout *layout;
};

enum ui_button_style { UI_BUTTON_NORMAL = 0, UI_BUTTON_PRIMARY, UI_BUTTON_DANGER, UI_BUTTON_OFF };
enum ui_field_state { UI_FIELD_PLAIN = 0, UI_FIELD_OK, UI_FIELD_BAD };

void ui_fill(const struct ui_draw *d, SDL_Rect r, SDL_Color c);
void ui_outline(const struct ui_draw *d, SDL_Rect r, SDL_Color c, int thickness);

/* Records r as the touchable area of id (later entries win when areas overlap). */
void ui_hit_add(const struct ui_draw *d, const char *id, SDL_Rect r);

/* The same, with the label's width and the room it has, for the layout check. */
void ui_hit_add_label(const struct ui_draw *d, const char *id, SDL_Rect r, int label_w, int room_w);

/*
 * The layout check of test mode (script command check_layout): every area of h is at least
 * min_h high, inside a w x h window, overlaps no other area and holds its label. False with the
 * offending ids and why in out ("key:a 50 px high; row:0 label 620 > 572 px; ...").
 */
bool ui_hits_check(const struct ui_hits *h, int win_w, int win_h, int min_h, char *out,
                   size_t size);

/* The largest font, from the button font down to the small one, that fits text in width w. */
enum ui_font ui_fitting_font(struct ui_text *t, const char *text, int w);

/* A button; UI_BUTTON_OFF draws it greyed and records it as off (taps miss it). */
void ui_button(const struct ui_draw *d, const char *id, const char *label, SDL_Rect r,
               enum ui_button_style style);

/* A text field: caption small at the top, value below (dots when masked), cursor when focused. */
void ui_field(const struct ui_draw *d, const char *id, const char *caption, const char *value,
              SDL_Rect r, bool focused, enum ui_field_state state, bool masked);

void ui_checkbox(const struct ui_draw *d, const char *id, const char *label, bool checked,
                 SDL_Rect r);

/* Text in r; returns the height drawn. */
int ui_label(const struct ui_draw *d, const char *text, SDL_Rect r, enum ui_font font, SDL_Color c,
             enum ui_align align, bool wrap);

/* The id of the last recorded area (not off) containing (x, y), or NULL. */
const char *ui_hits_find(const struct ui_hits *h, int x, int y);

/* The area recorded for id (not off); false when the frame has none. */
bool ui_hits_rect(const struct ui_hits *h, const char *id, SDL_Rect *out);

#endif
