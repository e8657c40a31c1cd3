/*
 * text_raster.c — slip text as dots (see text_raster.h): bidi runs (libfribidi), font per
 * character along a fallback chain, HarfBuzz shaping per run, FreeType glyphs thresholded to
 * one bit per dot, runs placed in visual order (rule L2 of the bidi algorithm).
 *
 * Glyphs are rendered anti-aliased and cut at half intensity rather than with FreeType's mono
 * mode: thin Arabic and CJK strokes survive at 20 px where mono hinting drops some.
 */
#include "printer/text_raster.h"
#include "printer/cp858.h"
#include "core/bidi_order.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_SYNTHESIS_H
#include <fribidi.h>
#include <hb-ft.h>
#include <hb.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define FONTS_MAX    6
#define PATH_MAX_LEN 512
#define PIXELS       20 /* em size giving DejaVu Sans Mono Font A's 12-dot advance */
#define BASELINE     19 /* dots from the top of a 24-dot cell, as the virtual printer's Font A */
#define FONT_DIR     "/usr/share/fonts/truetype/"

typedef struct font {
	char path[2][PATH_MAX_LEN]; /* regular, bold ("" when bold is synthesised) */
	bool arabic_first;          /* tried first for Arabic letters */
	FT_Face ft[2];
	hb_font_t *hb[2];
	int wpx[2], hpx[2]; /* pixel size set on the face */
	bool failed[2];
} font;

struct text_raster {
	FT_Library lib;
	bool lib_failed;
	int count;
	font fonts[FONTS_MAX];
};

typedef struct run {
	int start, len, level, font; /* font -1: no font has these characters */
	int width;                   /* dots */
	hb_buffer_t *glyphs;         /* shaped, NULL for a missing run */
} run;

static void add_font(text_raster *tr, const char *regular, const char *bold, bool arabic_first)
{
	font *f;

	if (tr->count == FONTS_MAX || strlen(regular) >= PATH_MAX_LEN ||
	    (bold && strlen(bold) >= PATH_MAX_LEN))
		return;
	f = &tr->fonts[tr->count++];
	strcpy(f->path[0], regular);
	strcpy(f->path[1], bold ? bold : "");
	f->arabic_first = arabic_first;
}

text_raster *text_raster_new(void)
{
	text_raster *tr = calloc(1, sizeof *tr);
	const char *env = getenv("AGENDA_PRINTER_RASTER_FONTS");

	if (!tr)
		return NULL;
	if (env && *env) {
		char path[PATH_MAX_LEN];
		const char *p = env;

		while (*p) {
			size_t n = strcspn(p, ":");

			if (n > 0 && n < sizeof path) {
				memcpy(path, p, n);
				path[n] = '\0';
				add_font(tr, path, NULL, false);
			}
			p += n + (p[n] == ':');
		}
	} else {
		add_font(tr, FONT_DIR "dejavu/DejaVuSansMono.ttf",
		         FONT_DIR "dejavu/DejaVuSansMono-Bold.ttf", false);
		add_font(tr, FONT_DIR "dejavu/DejaVuSans.ttf",
		         FONT_DIR "dejavu/DejaVuSans-Bold.ttf", true);
		add_font(tr, FONT_DIR "droid/DroidSansFallbackFull.ttf", NULL, false);
	}
	return tr;
}

void text_raster_free(text_raster *tr)
{
	if (!tr)
		return;
	for (int i = 0; i < tr->count; i++) {
		for (int b = 0; b < 2; b++) {
			if (tr->fonts[i].hb[b])
				hb_font_destroy(tr->fonts[i].hb[b]);
			if (tr->fonts[i].ft[b])
				FT_Done_Face(tr->fonts[i].ft[b]);
		}
	}
	if (tr->lib)
		FT_Done_FreeType(tr->lib);
	free(tr);
}

void text_raster_image_free(text_raster_image *img)
{
	free(img->bits);
	memset(img, 0, sizeof *img);
}

static bool load(text_raster *tr, font *f, int which)
{
	if (!f->ft[which] && !f->failed[which]) {
		if (FT_New_Face(tr->lib, f->path[which], 0, &f->ft[which]) != 0) {
			f->ft[which] = NULL;
			f->failed[which] = true;
		} else {
			f->hb[which] = hb_ft_font_create_referenced(f->ft[which]);
		}
	}
	return f->ft[which] != NULL;
}

/* Which face of f draws weight bold: 1 when its bold file loads, else 0 (regular). */
static int weight_of(const font *f, int bold)
{
	return bold && f->ft[1] ? 1 : 0;
}

/* The face of font f for weight bold, loaded; *synthetic when bold has to be drawn thicker. */
static FT_Face face_of(text_raster *tr, font *f, int bold, bool *synthetic)
{
	if (!tr->lib && !tr->lib_failed && FT_Init_FreeType(&tr->lib) != 0)
		tr->lib_failed = true;
	if (!tr->lib)
		return NULL;
	if (bold && f->path[1][0] && load(tr, f, 1)) {
		*synthetic = false;
		return f->ft[1];
	}
	*synthetic = bold != 0;
	return load(tr, f, 0) ? f->ft[0] : NULL;
}

static bool is_arabic(uint32_t cp)
{
	return (cp >= 0x0600 && cp <= 0x06FF) || (cp >= 0x0750 && cp <= 0x077F) ||
	       (cp >= 0x08A0 && cp <= 0x08FF) || (cp >= 0xFB50 && cp <= 0xFDFF) ||
	       (cp >= 0xFE70 && cp <= 0xFEFF);
}

static bool has_glyph(text_raster *tr, int i, int bold, uint32_t cp)
{
	bool synthetic;
	FT_Face face = face_of(tr, &tr->fonts[i], bold, &synthetic);

	return face && FT_Get_Char_Index(face, cp) != 0;
}

/* The first font of the chain with a glyph for cp (Arabic-first fonts first for Arabic). */
static int pick_font(text_raster *tr, int bold, uint32_t cp)
{
	for (int pass = is_arabic(cp) ? 0 : 1; pass < 2; pass++)
		for (int i = 0; i < tr->count; i++)
			if ((pass == 1 || tr->fonts[i].arabic_first) && has_glyph(tr, i, bold, cp))
				return i;
	return -1;
}

static void set_size(font *f, int bold, int wpx, int hpx)
{
	int use = weight_of(f, bold);

	if (f->wpx[use] != wpx || f->hpx[use] != hpx) {
		FT_Set_Pixel_Sizes(f->ft[use], (FT_UInt)wpx, (FT_UInt)hpx);
		hb_ft_font_changed(f->hb[use]);
		f->wpx[use] = wpx;
		f->hpx[use] = hpx;
	}
}

/* Shapes run r of cps; its width in dots. */
static agenda_err shape(text_raster *tr, const uint32_t *cps, int n, run *r, int bold, int sx,
                        int sy)
{
	font *f = &tr->fonts[r->font];
	bool synthetic;
	unsigned count;
	hb_glyph_position_t *pos;

	if (!face_of(tr, f, bold, &synthetic))
		return AG_ERR_IO; /* cannot happen: the font was picked for having the glyphs */
	set_size(f, bold, PIXELS * sx, PIXELS * sy);
	r->glyphs = hb_buffer_create();
	if (!hb_buffer_allocation_successful(r->glyphs))
		return AG_ERR_NOMEM;
	hb_buffer_add_utf32(r->glyphs, cps, n, (unsigned)r->start, r->len);
	hb_buffer_set_direction(r->glyphs, (r->level & 1) ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
	hb_buffer_guess_segment_properties(r->glyphs);
	hb_shape(f->hb[weight_of(f, bold)], r->glyphs, NULL, 0);
	pos = hb_buffer_get_glyph_positions(r->glyphs, &count);
	r->width = 0;
	for (unsigned i = 0; i < count; i++)
		r->width += pos[i].x_advance;
	r->width = (r->width + 32) / 64;
	if (synthetic)
		r->width += (int)count; /* emboldening widens each glyph by about a dot */
	return AG_OK;
}

static void dot(unsigned char *bits, int width_bytes, int height, int x, int y)
{
	if (x >= 0 && y >= 0 && x < width_bytes * 8 && y < height)
		bits[(size_t)y * (size_t)width_bytes + (size_t)(x / 8)] |=
		        (unsigned char)(0x80 >> (x % 8));
}

/* An empty box in a character cell: what a character no font has looks like. */
static void draw_box(unsigned char *bits, int wb, int height, int x, int sx, int sy)
{
	int x0 = x + sx, x1 = x + TEXT_RASTER_CELL_W * sx - 2 * sx;
	int y0 = (BASELINE - 16) * sy, y1 = BASELINE * sy;

	for (int t = 0; t < sx + 1; t++)
		for (int y = y0; y <= y1; y++) {
			dot(bits, wb, height, x0 + t, y);
			dot(bits, wb, height, x1 - t, y);
		}
	for (int t = 0; t < sy + 1; t++)
		for (int xx = x0; xx <= x1; xx++) {
			dot(bits, wb, height, xx, y0 + t);
			dot(bits, wb, height, xx, y1 - t);
		}
}

/* Draws a shaped run with its left edge at x; returns the x after it. */
static int draw_run(text_raster *tr, const run *r, int bold, unsigned char *bits, int wb,
                    int height, int x, int sy)
{
	bool synthetic;
	FT_Face face = face_of(tr, &tr->fonts[r->font], bold, &synthetic);
	unsigned count;
	hb_glyph_info_t *info = hb_buffer_get_glyph_infos(r->glyphs, &count);
	hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(r->glyphs, &count);
	int pen = x * 64;

	for (unsigned i = 0; i < count; i++) {
		FT_GlyphSlot slot = face->glyph;
		int gx = (pen + pos[i].x_offset + 32) / 64,
		    gy = BASELINE * sy - (pos[i].y_offset + 32) / 64;

		pen += pos[i].x_advance + (synthetic ? 64 : 0);
		if (FT_Load_Glyph(face, info[i].codepoint, FT_LOAD_NO_BITMAP) != 0)
			continue;
		if (synthetic)
			FT_GlyphSlot_Embolden(slot);
		if (FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) != 0)
			continue;
		for (unsigned row = 0; row < slot->bitmap.rows; row++) {
			const unsigned char *src =
			        slot->bitmap.buffer + (long)row * slot->bitmap.pitch;

			for (unsigned col = 0; col < slot->bitmap.width; col++)
				if (src[col] >= 128)
					dot(bits, wb, height, gx + slot->bitmap_left + (int)col,
					    gy - slot->bitmap_top + (int)row);
		}
	}
	return (pen + 32) / 64;
}

/* Copies the w-dot-wide drawing into out, aligned, or narrowed to fit when it is wider. */
static void place(const unsigned char *src, int stride, int w, int height, slip_align align,
                  int dots_per_line, text_raster_image *out)
{
	int left = 0;

	out->squeezed = w > dots_per_line;
	if (!out->squeezed)
		left = align == SLIP_ALIGN_CENTER  ? (dots_per_line - w) / 2
		       : align == SLIP_ALIGN_RIGHT ? dots_per_line - w
		                                   : 0;
	for (int y = 0; y < height; y++) {
		const unsigned char *row = src + (size_t)y * (size_t)stride;

		for (int x = 0; x < (out->squeezed ? dots_per_line : w); x++) {
			/* Narrowed: a dot is black when any source dot it covers is. */
			int from = out->squeezed ? (int)((long)x * w / dots_per_line) : x;
			int to = out->squeezed ? (int)((long)(x + 1) * w / dots_per_line) : x + 1;

			for (int s = from; s < (to > from ? to : from + 1); s++)
				if (row[s / 8] & (0x80 >> (s % 8))) {
					dot(out->bits, out->width_bytes, out->height, left + x, y);
					break;
				}
		}
	}
}

typedef struct line_work {
	uint32_t *cps;
	FriBidiCharType *types;
	FriBidiBracketType *brackets;
	FriBidiLevel *levels;
	int *fonts, *order;
	run *runs;
	unsigned char *canvas;
} line_work;

static void work_free(line_work *w, int nruns)
{
	for (int i = 0; i < nruns; i++)
		if (w->runs[i].glyphs)
			hb_buffer_destroy(w->runs[i].glyphs);
	free(w->cps);
	free(w->types);
	free(w->brackets);
	free(w->levels);
	free(w->fonts);
	free(w->order);
	free(w->runs);
	free(w->canvas);
}

/* Splits cps into runs of one level and one font; returns how many. */
static int split_runs(text_raster *tr, line_work *w, int n, int bold)
{
	int nruns = 0;

	for (int i = 0; i < n; i++) {
		int prev = i ? w->fonts[i - 1] : -1;

		/* Digits, spaces, punctuation and combining marks stay in the font of the letter
		 * before them when it has them: a run is not broken for a space. */
		if (prev >= 0 && !FRIBIDI_IS_LETTER(w->types[i]) &&
		    has_glyph(tr, prev, bold, w->cps[i]))
			w->fonts[i] = prev;
		else
			w->fonts[i] = pick_font(tr, bold, w->cps[i]);
		if (nruns && w->runs[nruns - 1].font == w->fonts[i] &&
		    w->runs[nruns - 1].level == w->levels[i]) {
			w->runs[nruns - 1].len++;
		} else {
			w->runs[nruns] = (run){
			        .start = i, .len = 1, .level = w->levels[i], .font = w->fonts[i]};
			nruns++;
		}
	}
	return nruns;
}

agenda_err text_raster_line(text_raster *tr, const char *utf8, unsigned style, slip_align align,
                            int dots_per_line, text_raster_image *out)
{
	int sx = (style & SLIP_DOUBLE_WIDTH) ? 2 : 1, sy = (style & SLIP_DOUBLE_HEIGHT) ? 2 : 1;
	int bold = (style & SLIP_BOLD) ? 1 : 0, n = 0, nruns = 0, width = 0, x = 0, cw, stride;
	int height = TEXT_RASTER_CELL_H * sy + TEXT_RASTER_GAP;
	size_t len = strlen(utf8 ? utf8 : "");
	const unsigned char *s = (const unsigned char *)(utf8 ? utf8 : "");
	FriBidiParType base = FRIBIDI_PAR_ON;
	line_work w = {0};
	agenda_err err = AG_ERR_NOMEM;

	memset(out, 0, sizeof *out);
	if (!tr || dots_per_line < 8 || dots_per_line > 4096)
		return AG_ERR_INVALID;
	out->width_bytes = (dots_per_line + 7) / 8;
	out->height = height;
	out->bits = calloc((size_t)out->width_bytes * (size_t)height, 1);
	w.cps = calloc(len + 1, sizeof *w.cps);
	w.types = calloc(len + 1, sizeof *w.types);
	w.brackets = malloc((len + 1) * sizeof *w.brackets);
	w.levels = malloc((len + 1) * sizeof *w.levels);
	w.fonts = malloc((len + 1) * sizeof *w.fonts);
	w.order = malloc((len + 1) * sizeof *w.order);
	w.runs = calloc(len + 1, sizeof *w.runs);
	if (!out->bits || !w.cps || !w.types || !w.brackets || !w.levels || !w.fonts || !w.order ||
	    !w.runs)
		goto done;
	while (*s)
		s += cp858_utf8_decode(s, &w.cps[n++]);
	fribidi_get_bidi_types(w.cps, n, w.types);
	fribidi_get_bracket_types(w.cps, n, w.types, w.brackets);
	if (n && !fribidi_get_par_embedding_levels_ex(w.types, w.brackets, n, &base, w.levels))
		goto done;
	nruns = split_runs(tr, &w, n, bold);
	cw = TEXT_RASTER_CELL_W * sx;
	for (int i = 0; i < nruns; i++) {
		run *r = &w.runs[i];

		w.order[i] = i;
		if (r->font < 0) {
			r->width = r->len * cw;
			out->missing += r->len;
		} else if ((err = shape(tr, w.cps, n, r, bold, sx, sy)) != AG_OK) {
			goto done;
		}
		width += r->width;
	}
	bidi_order_runs(w.runs, sizeof *w.runs, offsetof(run, level), nruns, w.order);
	err = AG_ERR_NOMEM;
	stride = width / 8 + 1;
	w.canvas = calloc((size_t)stride, (size_t)height);
	if (!w.canvas)
		goto done;
	for (int i = 0; i < nruns; i++) {
		const run *r = &w.runs[w.order[i]];

		if (r->font < 0) {
			for (int k = 0; k < r->len; k++, x += cw)
				draw_box(w.canvas, stride, height, x, sx, sy);
		} else {
			draw_run(tr, r, bold, w.canvas, stride, height, x, sy);
			x += r->width;
		}
	}
	place(w.canvas, stride, width, height, align, dots_per_line, out);
	err = AG_OK;
done:
	work_free(&w, nruns);
	if (err != AG_OK)
		text_raster_image_free(out);
	return err;
}
