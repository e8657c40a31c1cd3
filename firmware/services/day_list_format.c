/*
 * day_list_format.c — a day list as the mail body (one printed page: at most 60 lines of at
 * most 80 columns, columns counted in code points) and as the CSV attachment (docs/FORMATS.md).
 * The body is for a person at the Questura, so it is Italian whatever the kiosk's language;
 * the CSV's header and state words are a fixed format, never translated.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv_write.h"
#include "core/messages.h"
#include "services/day_list.h"

/* Column widths of a row: date, time, numero pratica, name, state (with 4 spaces: 80). */
enum { W_DATE = 10, W_TIME = 5, W_PRATICA = PRATICA_MAX - 1, W_NAME = 35, W_STATE = 10 };

struct text_buf {
	char *buf;
	size_t len, cap;
	bool failed;
	int lines;
};

static void put(struct text_buf *t, const char *s, size_t n)
{
	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 1024;
		char *grown;

		while (t->len + n + 1 > cap)
			cap *= 2;
		if (!(grown = realloc(t->buf, cap))) {
			t->failed = true;
			return;
		}
		t->buf = grown;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

/* Bytes of the first `cols` code points of s (a whole UTF-8 sequence or nothing). */
static size_t prefix_bytes(const char *s, size_t cols, size_t *taken)
{
	size_t i = 0, n = 0;

	while (s[i] && n < cols) {
		i++;
		while ((s[i] & 0xC0) == 0x80)
			i++;
		n++;
	}
	if (taken)
		*taken = n;
	return i;
}

/* s cut to width code points, then padded with spaces to width when pad. */
static void put_cols(struct text_buf *t, const char *s, size_t width, bool pad)
{
	size_t taken;

	put(t, s, prefix_bytes(s, width, &taken));
	for (; pad && taken < width; taken++)
		put(t, " ", 1);
}

/* One line of the body, cut at the page width. */
static void put_line(struct text_buf *t, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	put_cols(t, line, DAY_LIST_TEXT_COLUMNS, false);
	put(t, "\n", 1);
	t->lines++;
}

/* COGNOME in capitals (ASCII and Latin-1 letters: what the ministry's records hold). */
static void upper_latin(const char *in, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; in[i] && o + 1 < size; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		else if (i > 0 && (unsigned char)in[i - 1] == 0xC3 && c >= 0xA0 && c <= 0xBE &&
		         c != 0xB7)
			c = (unsigned char)(c - 0x20); /* à..þ → À..Þ, not ÷ */
		out[o++] = (char)c;
	}
	out[o] = '\0';
}

static const char *state_word(enum appointment_state s)
{
	switch (s) {
	case APPOINTMENT_CANCELLED:
		return msg_get(MSG_DAYLIST_STATE_CANCELLED, LANG_IT);
	case APPOINTMENT_MOVED:
		return msg_get(MSG_DAYLIST_STATE_MOVED, LANG_IT);
	default:
		return msg_get(MSG_DAYLIST_STATE_CONFIRMED, LANG_IT);
	}
}

static void slashed_date(agenda_day d, char *out, size_t size)
{
	int y, m, dd;

	date_to_ymd(d, &y, &m, &dd);
	snprintf(out, size, "%02d/%02d/%04d", dd, m, y);
}

static void put_row(struct text_buf *t, const struct day_list_row *r)
{
	char date[16], name[2 * PERSON_NAME_MAX + 2], cognome[PERSON_NAME_MAX];

	slashed_date(r->day, date, sizeof date);
	upper_latin(r->cognome, cognome, sizeof cognome);
	snprintf(name, sizeof name, "%s %s", cognome, r->nome);
	put_cols(t, date, W_DATE, true);
	put(t, " ", 1);
	put_cols(t, r->time_text, W_TIME, true);
	put(t, " ", 1);
	put_cols(t, r->numero_pratica, W_PRATICA, true);
	put(t, " ", 1);
	put_cols(t, name, W_NAME, true);
	put(t, " ", 1);
	put_cols(t, state_word(r->state), W_STATE, false);
	put(t, "\n", 1);
	t->lines++;
}

static void put_header(struct text_buf *t)
{
	put_cols(t, msg_get(MSG_DAYLIST_HEADER_DATE, LANG_IT), W_DATE, true);
	put(t, " ", 1);
	put_cols(t, msg_get(MSG_DAYLIST_HEADER_TIME, LANG_IT), W_TIME, true);
	put(t, " ", 1);
	put_cols(t, msg_get(MSG_DAYLIST_HEADER_PRATICA, LANG_IT), W_PRATICA, true);
	put(t, " ", 1);
	put_cols(t, msg_get(MSG_DAYLIST_HEADER_NAME, LANG_IT), W_NAME, true);
	put(t, " ", 1);
	put_cols(t, msg_get(MSG_DAYLIST_HEADER_STATE, LANG_IT), W_STATE, false);
	put(t, "\n", 1);
	t->lines++;
}

void day_list_csv_name(const struct day_list *l, char *out, size_t size)
{
	char date[DATE_TEXT_MAX];

	date_format(l->day, date, sizeof date);
	snprintf(out, size, "appuntamenti_%s_%s_v%d.csv", l->questura, date,
	         l->version > 0 ? l->version : 1);
}

char *day_list_text(const struct day_list *l, const char *site)
{
	struct text_buf t = {0};
	char date[16], attachment[96];
	size_t shown, room, i;
	int tail_lines;

	if (!site || !site[0])
		site = msg_get(MSG_DAYLIST_NO_SITE, LANG_IT);
	slashed_date(l->day, date, sizeof date);
	day_list_csv_name(l, attachment, sizeof attachment);
	put_line(&t, msg_get(MSG_DAYLIST_TITLE, LANG_IT), site);
	put_line(&t, "%s (%s)", l->questura_name, l->questura);
	put_line(&t, msg_get(MSG_DAYLIST_FIXED, LANG_IT), date);
	put_line(&t, msg_get(MSG_DAYLIST_COUNTS, LANG_IT), l->appointments, l->cancellations);
	if (l->version > 1)
		put_line(&t, msg_get(MSG_DAYLIST_REPLACES, LANG_IT), l->version - 1);
	put_line(&t, "%s", "");
	if (l->count == 0) {
		put_line(&t, "%s", msg_get(MSG_DAYLIST_EMPTY, LANG_IT));
	} else {
		put_header(&t);
		tail_lines = 2; /* blank line and the attachment's name */
		room = (size_t)(DAY_LIST_TEXT_LINES - t.lines - tail_lines);
		shown = l->count <= room ? l->count : room - 1;
		for (i = 0; i < shown; i++)
			put_row(&t, &l->rows[i]);
		if (shown < l->count)
			put_line(&t, msg_get(MSG_DAYLIST_MORE, LANG_IT), l->count - shown);
		put_line(&t, "%s", "");
		put_line(&t, msg_get(MSG_DAYLIST_ATTACHED, LANG_IT), attachment);
	}
	if (t.failed) {
		free(t.buf);
		return NULL;
	}
	return t.buf;
}

/* The CSV's columns, fixed (docs/FORMATS.md). */
static const char *const CSV_COLUMNS[] = {
        "data_appuntamento", "ora",     "questura", "numero_pratica",
        "numero_visto",      "cognome", "nome",     "data_nascita",
        "nazionalita",       "tipo",    "stato",    "id_prenotazione",
        "fissato_il"};

static const char *csv_state(enum appointment_state s)
{
	return s == APPOINTMENT_CANCELLED ? "annullato"
	       : s == APPOINTMENT_MOVED   ? "spostato"
	                                  : "confermato";
}

char *day_list_csv(const struct day_list *l)
{
	struct csv_writer w;
	size_t i;

	csv_write_init(&w, ';', true);
	for (i = 0; i < sizeof CSV_COLUMNS / sizeof CSV_COLUMNS[0]; i++)
		csv_write_field(&w, CSV_COLUMNS[i]);
	csv_write_end_record(&w);
	for (i = 0; i < l->count; i++) {
		const struct day_list_row *r = &l->rows[i];

		csv_write_field(&w, r->date_text);
		csv_write_field(&w, r->time_text);
		csv_write_field(&w, l->questura);
		csv_write_field(&w, r->numero_pratica);
		csv_write_field(&w, r->numero_visto);
		csv_write_field(&w, r->cognome);
		csv_write_field(&w, r->nome);
		csv_write_field(&w, r->data_nascita);
		csv_write_field(&w, r->nazionalita);
		csv_write_field(&w, r->tipo);
		csv_write_field(&w, csv_state(r->state));
		csv_write_field(&w, r->appointment_id);
		csv_write_field(&w, r->fixed_at);
		csv_write_end_record(&w);
	}
	return csv_write_finish(&w, NULL);
}
