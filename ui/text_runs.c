/*
 * text_runs.c — kiosk text through the font chain (see text_runs.h).
 *
 * A character takes the first font that has it: right-to-left letters the Arabic-set face,
 * others the primary, then the CJK face. Spaces, digits, punctuation and combining marks stay
 * in the font of the letter before them when it has them, so a name is not broken into runs at
 * every space. A character no font has is left to the primary font (its .notdef box): nothing
 * is dropped. Each paragraph's direction comes from its first strong letter (rule P2).
 */
#include "text_runs.h"

#include <fribidi.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/bidi_order.h"
#include "printer/cp858.h"

enum { CHAIN_PRIMARY = 0, CHAIN_RTL, CHAIN_CJK };

typedef struct run {
	int from, to; /* byte offsets in the string */
	int level, which;
	SDL_Surface *surface;
} run;

typedef struct line_runs {
	run *runs;
	int count;
} line_runs;

static TTF_Font *chain_font(struct ui_text *t, enum ui_font font, int which)
{
	return which == CHAIN_RTL   ? t->rtl[font]
	       : which == CHAIN_CJK ? t->cjk[font]
	                            : t->fonts[font];
}

static bool provides(TTF_Font *f, uint32_t cp)
{
	return f && TTF_GlyphIsProvided32(f, cp);
}

bool ui_text_runs_needed(struct ui_text *t, enum ui_font font, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (p && *p) {
		uint32_t cp;

		if (*p < 0x80) { /* ASCII: the primary font has every printable one */
			p++;
			continue;
		}
		p += cp858_utf8_decode(p, &cp);
		if (FRIBIDI_IS_RTL(fribidi_get_bidi_type(cp)) || !provides(t->fonts[font], cp))
			return true;
	}
	return false;
}

static int pick(struct ui_text *t, enum ui_font font, uint32_t cp, int level)
{
	if ((level & 1) && provides(t->rtl[font], cp))
		return CHAIN_RTL;
	if (provides(t->fonts[font], cp))
		return CHAIN_PRIMARY;
	if (provides(t->cjk[font], cp))
		return CHAIN_CJK;
	return provides(t->rtl[font], cp) ? CHAIN_RTL : CHAIN_PRIMARY;
}

/* Splits s[0..len) into runs of one level and one font; false when memory ran out. */
static bool split(struct ui_text *t, enum ui_font font, const char *s, int len, line_runs *out)
{
	uint32_t *cps = calloc((size_t)len + 1, sizeof *cps);
	int *offs = calloc((size_t)len + 1, sizeof *offs), n = 0, prev = -1;
	FriBidiCharType *types = calloc((size_t)len + 1, sizeof *types);
	FriBidiBracketType *brackets = calloc((size_t)len + 1, sizeof *brackets);
	FriBidiLevel *levels = calloc((size_t)len + 1, sizeof *levels);
	FriBidiParType base = FRIBIDI_PAR_ON;
	bool ok = false;

	out->count = 0;
	out->runs = calloc((size_t)len + 1, sizeof *out->runs);
	if (!cps || !offs || !types || !brackets || !levels || !out->runs)
		goto done;
	for (int i = 0; i < len; n++) {
		offs[n] = i;
		i += (int)cp858_utf8_decode((const unsigned char *)s + i, &cps[n]);
	}
	offs[n] = len;
	fribidi_get_bidi_types(cps, n, types);
	fribidi_get_bracket_types(cps, n, types, brackets);
	if (n && !fribidi_get_par_embedding_levels_ex(types, brackets, n, &base, levels))
		goto done;
	for (int i = 0; i < n; i++) {
		int which;

		if (prev >= 0 && !FRIBIDI_IS_LETTER(types[i]) &&
		    provides(chain_font(t, font, prev), cps[i]) &&
		    (levels[i] & 1) == (prev == CHAIN_RTL))
			which = prev;
		else
			which = pick(t, font, cps[i], levels[i]);
		if (out->count && out->runs[out->count - 1].which == which &&
		    out->runs[out->count - 1].level == levels[i])
			out->runs[out->count - 1].to = offs[i + 1];
		else
			out->runs[out->count++] = (run){.from = offs[i],
			                                .to = offs[i + 1],
			                                .level = levels[i],
			                                .which = which};
		prev = which;
	}
	ok = true;
done:
	free(cps);
	free(offs);
	free(types);
	free(brackets);
	free(levels);
	if (!ok) {
		free(out->runs);
		out->runs = NULL;
	}
	return ok;
}

static void runs_free(line_runs *lr)
{
	for (int i = 0; lr->runs && i < lr->count; i++)
		if (lr->runs[i].surface)
			SDL_FreeSurface(lr->runs[i].surface);
	free(lr->runs);
	lr->runs = NULL;
}

/* Width of s[0..len) through the chain. */
static int width_of(struct ui_text *t, enum ui_font font, const char *s, int len)
{
	line_runs lr;
	int total = 0;

	if (!split(t, font, s, len, &lr))
		return 0;
	for (int i = 0; i < lr.count; i++) {
		char *part =
		        strndup(s + lr.runs[i].from, (size_t)(lr.runs[i].to - lr.runs[i].from));
		int w = 0;

		if (part)
			TTF_SizeUTF8(chain_font(t, font, lr.runs[i].which), part, &w, NULL);
		free(part);
		total += w;
	}
	runs_free(&lr);
	return total;
}

int ui_text_runs_width(struct ui_text *t, enum ui_font font, const char *s)
{
	return width_of(t, font, s, (int)strlen(s));
}

/* s[0..len) as one line. */
static SDL_Surface *render_line(struct ui_text *t, enum ui_font font, const char *s, int len,
                                SDL_Color colour)
{
	line_runs lr;
	int order[64], *ord = order, w = 0, ascent = TTF_FontAscent(t->fonts[font]);
	int h = TTF_FontHeight(t->fonts[font]), x = 0;
	SDL_Surface *out = NULL;

	if (!split(t, font, s, len, &lr))
		return NULL;
	if (lr.count > 64 && !(ord = malloc((size_t)lr.count * sizeof *ord)))
		goto done;
	for (int i = 0; i < lr.count; i++) {
		TTF_Font *f = chain_font(t, font, lr.runs[i].which);
		char *part =
		        strndup(s + lr.runs[i].from, (size_t)(lr.runs[i].to - lr.runs[i].from));

		lr.runs[i].surface = part ? TTF_RenderUTF8_Blended(f, part, colour) : NULL;
		free(part);
		if (!lr.runs[i].surface)
			continue;
		w += lr.runs[i].surface->w;
		if (TTF_FontAscent(f) > ascent)
			ascent = TTF_FontAscent(f);
	}
	for (int i = 0; i < lr.count; i++) {
		int a = TTF_FontAscent(chain_font(t, font, lr.runs[i].which));

		if (lr.runs[i].surface && ascent - a + lr.runs[i].surface->h > h)
			h = ascent - a + lr.runs[i].surface->h;
	}
	out = SDL_CreateRGBSurfaceWithFormat(0, w > 0 ? w : 1, h, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!out)
		goto done;
	bidi_order_runs(lr.runs, sizeof *lr.runs, offsetof(run, level), lr.count, ord);
	for (int i = 0; i < lr.count; i++) {
		run *r = &lr.runs[ord[i]];
		SDL_Rect at;

		if (!r->surface)
			continue;
		/* Runs never overlap: copy their pixels, alpha included, onto the clear line. */
		at = (SDL_Rect){x, ascent - TTF_FontAscent(chain_font(t, font, r->which)),
		                r->surface->w, r->surface->h};
		SDL_SetSurfaceBlendMode(r->surface, SDL_BLENDMODE_NONE);
		SDL_BlitSurface(r->surface, NULL, out, &at);
		x += r->surface->w;
	}
done:
	if (ord != order)
		free(ord);
	runs_free(&lr);
	return out;
}

SDL_Surface *ui_text_runs_render(struct ui_text *t, enum ui_font font, const char *s,
                                 SDL_Color colour)
{
	return render_line(t, font, s, (int)strlen(s), colour);
}

/* End of the next line of the paragraph s[from..end) wrapped at width; > from. */
static int line_end(struct ui_text *t, enum ui_font font, const char *s, int from, int end,
                    int width)
{
	int best = -1, at = from;

	while (at < end) {
		int next = at;

		while (next < end && s[next] == ' ')
			next++;
		while (next < end && s[next] != ' ')
			next++;
		if (width_of(t, font, s + from, next - from) > width)
			break;
		best = at = next;
	}
	if (best > from)
		return best;
	/* One word wider than the line: as many characters as fit, at least one. */
	best = from;
	while (best < end) {
		int next = best + 1;

		while (next < end && ((unsigned char)s[next] & 0xC0) == 0x80)
			next++;
		if (best > from && width_of(t, font, s + from, next - from) > width)
			break;
		best = next;
	}
	return best;
}

SDL_Surface *ui_text_runs_render_wrapped(struct ui_text *t, enum ui_font font, const char *s,
                                         SDL_Color colour, int width)
{
	int len = (int)strlen(s), skip = TTF_FontLineSkip(t->fonts[font]), count = 0, w = 1, h = 0;
	SDL_Surface *lines[64], *out = NULL;

	for (int at = 0; at < len && count < 64;) {
		int end = at, stop;

		while (end < len && s[end] != '\n')
			end++;
		while (at < end && s[at] == ' ')
			at++;
		stop = at < end ? line_end(t, font, s, at, end, width) : end;
		lines[count] = render_line(t, font, s + at, stop - at, colour);
		if (!lines[count])
			goto done;
		if (lines[count]->w > w)
			w = lines[count]->w;
		h = count * skip + lines[count]->h;
		count++;
		at = stop < end ? stop : end + 1;
	}
	out = SDL_CreateRGBSurfaceWithFormat(0, w, h > 0 ? h : 1, 32, SDL_PIXELFORMAT_ARGB8888);
	for (int i = 0; out && i < count; i++) {
		SDL_Rect at = {0, i * skip, lines[i]->w, lines[i]->h};

		SDL_SetSurfaceBlendMode(lines[i], SDL_BLENDMODE_NONE);
		SDL_BlitSurface(lines[i], NULL, out, &at);
	}
done:
	for (int i = 0; i < count; i++)
		SDL_FreeSurface(lines[i]);
	return out;
}
