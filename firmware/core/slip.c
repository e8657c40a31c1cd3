/*
 * slip.c — lays out the convocation slip (see slip.h): header, title, applicant, practice,
 * appointment, what to bring, booking reference with its QR code, operator and print time.
 *
 * Words come from the catalogue; values are wrapped at spaces to the paper width (a word longer
 * than a line, such as a reference on 58 mm paper or a Chinese name, is broken where the line
 * ends). Widths are in Font A columns: a CJK character counts two. It does not
 * transliterate: the encoder maps UTF-8 to the printer's code page.
 */
#include "core/slip.h"
#include "core/messages.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SLIP_SCRATCH 1024

static const char *next_cp(const char *p)
{
	p++;
	while (((unsigned char)*p & 0xC0) == 0x80)
		p++;
	return p;
}

/* The code point starting at p (0xFFFD when malformed; only its range matters here). */
static uint32_t code_point(const char *p)
{
	const unsigned char *s = (const unsigned char *)p;
	int n = s[0] < 0x80 ? 0 : s[0] >= 0xF0 ? 3 : s[0] >= 0xE0 ? 2 : s[0] >= 0xC0 ? 1 : -1;
	uint32_t cp = n == 0 ? s[0] : (uint32_t)(s[0] & (0x3F >> n));

	if (n < 0)
		return 0xFFFD;
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0xFFFD;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	return cp;
}

/*
 * Columns of the character at p: 2 for East Asian wide characters (CJK, kana, Hangul, full-width
 * forms), which take two Font A cells when the slip draws them as an image, else 1.
 */
static size_t columns_of(const char *p)
{
	uint32_t c = code_point(p);

	return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
	                       (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
	                       (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
	                       (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD)
	               ? 2
	               : 1;
}

size_t slip_text_width(const char *s)
{
	size_t n = 0;

	for (; s && *s; s = next_cp(s))
		n += columns_of(s);
	return n;
}

const slip_line *slip_find_qr(const slip *s)
{
	for (size_t i = 0; s && i < s->count; i++)
		if (s->lines[i].kind == SLIP_QR)
			return &s->lines[i];
	return NULL;
}

static bool empty(const char *s)
{
	return !s || !*s;
}

static agenda_err emit(slip *s, slip_kind kind, unsigned style, slip_align align, const char *text,
                       size_t len, agenda_detail *detail)
{
	slip_line *l;

	if (s->count >= SLIP_LINES_MAX || len >= SLIP_LINE_MAX) {
		agenda_detail_set(detail, MSG_SLIP_TOO_LONG, text ? text : "");
		return AG_ERR_INVALID;
	}
	l = &s->lines[s->count++];
	l->kind = kind;
	l->style = style;
	l->align = align;
	memcpy(l->text, text ? text : "", len);
	l->text[len] = '\0';
	return AG_OK;
}

/* Splits text into lines of at most the width a line of this style has, breaking at spaces. */
static agenda_err add_text(slip *s, unsigned style, slip_align align, const char *text,
                           agenda_detail *detail)
{
	size_t width = (size_t)s->columns / ((style & SLIP_DOUBLE_WIDTH) ? 2 : 1);
	const char *p = text;
	agenda_err err = AG_OK;

	while (err == AG_OK && *p) {
		const char *q, *cut = NULL, *end;
		size_t n = 0;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		for (q = p; *q && n + columns_of(q) <= width; q = next_cp(q)) {
			if (*q == ' ')
				cut = q;
			n += columns_of(q);
		}
		if (q == p)
			q = next_cp(q); /* a wide character on a line one column wide: never here */
		if (!*q || *q == ' ' || !cut)
			cut = q; /* all of it fits, the line ends at a space, or one word is too
			            long */
		for (end = cut; end > p && end[-1] == ' ';)
			end--;
		err = emit(s, SLIP_TEXT, style, align, p, (size_t)(end - p), detail);
		p = cut;
	}
	return err;
}

static agenda_err add_msg(slip *s, unsigned style, slip_align align, agenda_lang lang,
                          agenda_detail *detail, int id, ...)
{
	char buf[SLIP_SCRATCH];
	va_list ap;

	va_start(ap, id);
	vsnprintf(buf, sizeof buf, msg_get((agenda_msg)id, lang), ap);
	va_end(ap);
	return add_text(s, style, align, buf, detail);
}

static agenda_err add_heading(slip *s, agenda_msg id, agenda_detail *detail)
{
	agenda_err err = add_msg(s, SLIP_BOLD, SLIP_ALIGN_LEFT, LANG_IT, detail, id);

	return err ? err : add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_EN, detail, id);
}

static void date_it(agenda_day d, char *out, size_t size)
{
	int y, m, dd;

	date_to_ymd(d, &y, &m, &dd);
	snprintf(out, size, "%02d/%02d/%04d", dd, m, y);
}

static agenda_err check_input(const slip_input *in, agenda_detail *detail)
{
	const struct {
		const char *value, *field;
	} required[] = {
	        {in->city, "city"},
	        {in->surname, "surname"},
	        {in->name, "name"},
	        {in->nationality, "nationality"},
	        {in->numero_pratica, "numero_pratica"},
	        {in->questura_name, "questura_name"},
	        {in->reference, "reference"},
	        {in->operator_id, "operator_id"},
	};

	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		if (empty(required[i].value)) {
			agenda_detail_set(detail, MSG_SLIP_MISSING, required[i].field);
			return AG_ERR_INVALID;
		}
	}
	if (in->columns < SLIP_COLUMNS_MIN || in->columns > SLIP_COLUMNS_MAX || in->minute < 0 ||
	    in->minute >= 24 * 60) {
		agenda_detail_set(detail, MSG_SLIP_MISSING, "columns/minute");
		return AG_ERR_INVALID;
	}
	return AG_OK;
}

static agenda_err layout_header(const slip_input *in, slip *s, agenda_detail *detail)
{
	char en[SLIP_SCRATCH], office[SLIP_SCRATCH / 2];
	agenda_err err;

	snprintf(office, sizeof office, msg_get(MSG_SLIP_OFFICE, LANG_EN), in->city);
	snprintf(en, sizeof en, "%s - %s", msg_get(MSG_SLIP_MINISTRY, LANG_EN), office);
	if ((err = add_msg(s, SLIP_BOLD, SLIP_ALIGN_CENTER, LANG_IT, detail, MSG_SLIP_MINISTRY)) ||
	    (err = add_msg(s, 0, SLIP_ALIGN_CENTER, LANG_IT, detail, MSG_SLIP_OFFICE, in->city)) ||
	    (err = add_text(s, 0, SLIP_ALIGN_CENTER, en, detail)) ||
	    (err = emit(s, SLIP_RULE, 0, SLIP_ALIGN_LEFT, "", 0, detail)))
		return err;
	if (in->reprint) {
		if ((err = add_msg(s, SLIP_BOLD | SLIP_DOUBLE_WIDTH | SLIP_DOUBLE_HEIGHT,
		                   SLIP_ALIGN_CENTER, LANG_IT, detail, MSG_SLIP_DUPLICATE)) ||
		    (err = add_msg(s, 0, SLIP_ALIGN_CENTER, LANG_EN, detail, MSG_SLIP_DUPLICATE)))
			return err;
	}
	if ((err = add_msg(s, SLIP_BOLD | SLIP_DOUBLE_HEIGHT, SLIP_ALIGN_CENTER, LANG_IT, detail,
	                   MSG_SLIP_TITLE)) ||
	    (err = add_msg(s, 0, SLIP_ALIGN_CENTER, LANG_EN, detail, MSG_SLIP_TITLE)))
		return err;
	return emit(s, SLIP_BLANK, 0, SLIP_ALIGN_LEFT, "", 0, detail);
}

static agenda_err layout_applicant(const slip_input *in, slip *s, agenda_detail *detail)
{
	char born[DATE_TEXT_MAX + 4];
	agenda_err err;

	date_it(in->birth_date, born, sizeof born);
	if ((err = add_heading(s, MSG_SLIP_APPLICANT, detail)) ||
	    (err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_IT, detail, MSG_SLIP_SURNAME,
	                   in->surname)) ||
	    (err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_IT, detail, MSG_SLIP_NAME, in->name)) ||
	    (err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_IT, detail, MSG_SLIP_BORN, born)) ||
	    (err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_IT, detail, MSG_SLIP_NATIONALITY,
	                   in->nationality)) ||
	    (err = emit(s, SLIP_BLANK, 0, SLIP_ALIGN_LEFT, "", 0, detail)) ||
	    (err = add_heading(s, MSG_SLIP_PRACTICE, detail)) ||
	    (err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_IT, detail, MSG_SLIP_NUMERO_PRATICA,
	                   in->numero_pratica)))
		return err;
	if (!empty(in->numero_visto) && (err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_IT, detail,
	                                               MSG_SLIP_NUMERO_VISTO, in->numero_visto)))
		return err;
	return emit(s, SLIP_BLANK, 0, SLIP_ALIGN_LEFT, "", 0, detail);
}

static agenda_err layout_appointment(const slip_input *in, slip *s, agenda_detail *detail)
{
	char date_it_long[64], date_en_long[64], hhmm[8], at_en[32], en[SLIP_SCRATCH];
	agenda_err err;

	date_format_long(in->day, LANG_IT, date_it_long, sizeof date_it_long);
	date_format_long(in->day, LANG_EN, date_en_long, sizeof date_en_long);
	time_format(in->minute, hhmm, sizeof hhmm);
	snprintf(at_en, sizeof at_en, msg_get(MSG_SLIP_AT_TIME, LANG_EN), hhmm);
	snprintf(en, sizeof en, "%s, %s", date_en_long, at_en);
	if ((err = add_heading(s, MSG_SLIP_APPOINTMENT, detail)) ||
	    (err = add_text(s, SLIP_BOLD | SLIP_DOUBLE_HEIGHT, SLIP_ALIGN_CENTER, date_it_long,
	                    detail)) ||
	    (err = add_msg(s, SLIP_BOLD | SLIP_DOUBLE_HEIGHT, SLIP_ALIGN_CENTER, LANG_IT, detail,
	                   MSG_SLIP_AT_TIME, hhmm)) ||
	    (err = add_text(s, 0, SLIP_ALIGN_CENTER, en, detail)) ||
	    (err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_IT, detail, MSG_SLIP_WHERE,
	                   in->questura_name)))
		return err;
	if (!empty(in->questura_address) &&
	    (err = add_text(s, 0, SLIP_ALIGN_LEFT, in->questura_address, detail)))
		return err;
	if (in->deferred) {
		char first[DATE_TEXT_MAX + 4];

		date_it(in->first_tried, first, sizeof first);
		if ((err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_IT, detail, MSG_SLIP_DEFERRED,
		                   first)) ||
		    (err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_EN, detail, MSG_SLIP_DEFERRED,
		                   first)))
			return err;
	}
	return emit(s, SLIP_BLANK, 0, SLIP_ALIGN_LEFT, "", 0, detail);
}

static agenda_err layout_footer(const slip_input *in, slip *s, agenda_detail *detail)
{
	char day[DATE_TEXT_MAX + 4], hhmm[8];
	agenda_err err;

	if ((err = add_heading(s, MSG_SLIP_BRING, detail)))
		return err;
	if (empty(in->what_to_bring)) {
		if ((err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_IT, detail,
		                   MSG_SLIP_BRING_DEFAULT)) ||
		    (err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_EN, detail, MSG_SLIP_BRING_DEFAULT)))
			return err;
	} else if ((err = add_text(s, 0, SLIP_ALIGN_LEFT, in->what_to_bring, detail))) {
		return err;
	}
	date_it(in->printed_day, day, sizeof day);
	time_format(in->printed_minute, hhmm, sizeof hhmm);
	if ((err = emit(s, SLIP_BLANK, 0, SLIP_ALIGN_LEFT, "", 0, detail)) ||
	    (err = add_heading(s, MSG_SLIP_REFERENCE, detail)) ||
	    (err = add_text(s, SLIP_BOLD, SLIP_ALIGN_CENTER, in->reference, detail)) ||
	    (err = emit(s, SLIP_QR, 0, SLIP_ALIGN_CENTER, in->reference, strlen(in->reference),
	                detail)) ||
	    (err = emit(s, SLIP_RULE, 0, SLIP_ALIGN_LEFT, "", 0, detail)) ||
	    (err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_IT, detail, MSG_SLIP_OPERATOR,
	                   in->operator_id)) ||
	    (err = add_msg(s, 0, SLIP_ALIGN_LEFT, LANG_IT, detail, MSG_SLIP_PRINTED_AT, day, hhmm)))
		return err;
	return AG_OK;
}

agenda_err slip_build(const slip_input *in, slip *out, agenda_detail *detail)
{
	agenda_err err;

	if (!in || !out)
		return AG_ERR_USAGE;
	if ((err = check_input(in, detail)))
		return err;
	out->columns = in->columns;
	out->count = 0;
	if ((err = layout_header(in, out, detail)) || (err = layout_applicant(in, out, detail)) ||
	    (err = layout_appointment(in, out, detail)) || (err = layout_footer(in, out, detail)))
		return err;
	return AG_OK;
}
