/*
 * day_list_print.c — a day list as slip lines (core/slip.h) rendered with the slip's own
 * encoder, in pieces of SLIP_LINES_MAX lines joined into one stream with one cut at the end,
 * so a list of any length is one job and non-CP858 names print as they do on the slip.
 */
#include "print/day_list_print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "services/site.h"

#define STATE_ON_FIRST_LINE 38 /* "DD/MM HH:MM " + pratica (15) + " " + state (10) */

struct lines {
	slip_line *line;
	size_t count, cap;
	bool failed;
};

static slip_line *add(struct lines *ls, slip_kind kind, unsigned style)
{
	if (ls->failed)
		return NULL;
	if (ls->count == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 64;
		slip_line *grown = realloc(ls->line, cap * sizeof *grown);

		if (!grown) {
			ls->failed = true;
			return NULL;
		}
		ls->line = grown;
		ls->cap = cap;
	}
	memset(&ls->line[ls->count], 0, sizeof ls->line[0]);
	ls->line[ls->count].kind = kind;
	ls->line[ls->count].style = style;
	return &ls->line[ls->count++];
}

/* Bytes of s's first cols code points. */
static size_t prefix_bytes(const char *s, size_t cols)
{
	size_t i = 0;

	for (size_t n = 0; s[i] && n < cols; n++)
		for (i++; (s[i] & 0xC0) == 0x80; i++)
			;
	return i;
}

/* One text line cut to columns. */
static void add_cut(struct lines *ls, const char *text, int columns, unsigned style)
{
	slip_line *l = add(ls, SLIP_TEXT, style);
	size_t n;

	if (!l)
		return;
	n = prefix_bytes(text, (size_t)columns);
	if (n >= sizeof l->text)
		n = sizeof l->text - 1;
	memcpy(l->text, text, n);
	l->text[n] = '\0';
}

/* Text wrapped at spaces to columns (a word longer than a line is cut). */
static void add_wrapped(struct lines *ls, const char *text, int columns, unsigned style)
{
	while (*text) {
		size_t fit = prefix_bytes(text, (size_t)columns), cut = fit;
		char piece[SLIP_LINE_MAX];

		if (text[fit]) {
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = fit;
		}
		snprintf(piece, sizeof piece, "%.*s", (int)cut, text);
		add_cut(ls, piece, columns, style);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

static const char *state_word(enum appointment_state s)
{
	return msg_get(s == APPOINTMENT_CANCELLED ? MSG_DAYLIST_STATE_CANCELLED
	               : s == APPOINTMENT_MOVED   ? MSG_DAYLIST_STATE_MOVED
	                                          : MSG_DAYLIST_STATE_CONFIRMED,
	               LANG_IT);
}

static void add_row(struct lines *ls, const struct day_list_row *r, int columns)
{
	bool state_first = columns >= STATE_ON_FIRST_LINE;
	char line[SLIP_LINE_MAX];
	int y, m, d;

	date_to_ymd(r->day, &y, &m, &d);
	if (state_first)
		snprintf(line, sizeof line, "%02d/%02d %s %-*s %s", d, m, r->time_text,
		         PRATICA_MAX - 1, r->numero_pratica, state_word(r->state));
	else
		snprintf(line, sizeof line, "%02d/%02d %s %s", d, m, r->time_text,
		         r->numero_pratica);
	add_cut(ls, line, columns, SLIP_BOLD);
	snprintf(line, sizeof line, "  %s%s%s %s", state_first ? "" : state_word(r->state),
	         state_first ? "" : " ", r->cognome, r->nome);
	add_cut(ls, line, columns, 0);
}

static void lay_out(const struct day_list *l, const char *site, int64_t printed_at, int columns,
                    struct lines *ls)
{
	char text[512], date[16], when_day[16], when_time[8];
	agenda_day pday;
	int y, m, d, pminute;

	date_to_ymd(l->day, &y, &m, &d);
	snprintf(date, sizeof date, "%02d/%02d/%04d", d, m, y);
	snprintf(text, sizeof text, msg_get(MSG_DAYLIST_TITLE, LANG_IT),
	         site && site[0] ? site : msg_get(MSG_DAYLIST_NO_SITE, LANG_IT));
	add_wrapped(ls, text, columns, SLIP_BOLD);
	snprintf(text, sizeof text, "%s (%s)", l->questura_name, l->questura);
	add_wrapped(ls, text, columns, SLIP_BOLD);
	snprintf(text, sizeof text, msg_get(MSG_DAYLIST_FIXED, LANG_IT), date);
	add_wrapped(ls, text, columns, 0);
	snprintf(text, sizeof text, msg_get(MSG_DAYLIST_COUNTS, LANG_IT), l->appointments,
	         l->cancellations);
	add_wrapped(ls, text, columns, 0);
	add(ls, SLIP_RULE, 0);
	if (l->count == 0)
		add_wrapped(ls, msg_get(MSG_DAYLIST_EMPTY, LANG_IT), columns, 0);
	for (size_t i = 0; i < l->count; i++)
		add_row(ls, &l->rows[i], columns);
	add(ls, SLIP_RULE, 0);
	clock_local(printed_at, &pday, &pminute);
	date_to_ymd(pday, &y, &m, &d);
	snprintf(when_day, sizeof when_day, "%02d/%02d/%04d", d, m, y);
	time_format(pminute, when_time, sizeof when_time);
	snprintf(text, sizeof text, msg_get(MSG_DAYLIST_PRINTED, LANG_IT), when_day, when_time);
	add_wrapped(ls, text, columns, 0);
}

agenda_err day_list_escpos(const struct day_list *l, const char *site, int64_t printed_at,
                           const printer_profile *profile, escpos_buf *out, agenda_detail *why)
{
	static const unsigned char CUT[4] = {GS, 'V', 66, 0};
	struct lines ls = {0};
	slip *piece = malloc(sizeof *piece);
	agenda_err err = AG_OK;

	if (piece)
		lay_out(l, site, printed_at, profile->columns, &ls);
	if (!piece || ls.failed) {
		free(piece);
		free(ls.line);
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	for (size_t at = 0; at < ls.count && err == AG_OK; at += SLIP_LINES_MAX) {
		size_t n = ls.count - at < SLIP_LINES_MAX ? ls.count - at : SLIP_LINES_MAX;

		piece->columns = profile->columns;
		piece->count = n;
		memcpy(piece->lines, &ls.line[at], n * sizeof ls.line[0]);
		err = escpos_render_slip(piece, profile, out);
		/* Every piece but the last loses its cut: the list comes out as one strip. */
		if (err == AG_OK && at + n < ls.count && out->len >= sizeof CUT &&
		    !memcmp(out->data + out->len - sizeof CUT, CUT, sizeof CUT))
			out->len -= sizeof CUT;
	}
	free(piece);
	free(ls.line);
	if (err != AG_OK)
		agenda_detail_set(why, MSG_NOMEM);
	return err;
}

agenda_err day_list_print(agenda_ctx *ctx, const struct session *who, print_queue *q,
                          agenda_day day, const char *questura, uint64_t *job_id,
                          agenda_detail *why)
{
	char site[SITE_MAX] = "", reference[PRINT_REFERENCE_MAX], date[DATE_TEXT_MAX];
	struct day_list l;
	escpos_buf b;
	agenda_err err;

	if ((err = session_require_personal_data(who, why)) ||
	    (err = day_list_load(ctx, day, questura, &l, why)))
		return err;
	store_setting_get(ctx->store, "site", site, sizeof site);
	escpos_buf_init(&b);
	err = day_list_escpos(&l, site, clock_now(&ctx->clock), print_queue_profile(q), &b, why);
	date_format(day, date, sizeof date);
	snprintf(reference, sizeof reference, "elenco:%s:%s", date, questura);
	if (err == AG_OK && (err = print_queue_submit(q, reference, b.data, b.len, job_id)))
		agenda_detail_set(why, MSG_NOMEM);
	escpos_buf_free(&b);
	day_list_free(&l);
	return err;
}
