/*
 * slip_test.c — the convocation slip's layout model: every required part is there, in Italian
 * with English under the headings, lines fit the paper, DUPLICATO only on reprints, the deferred
 * notice only when the date moved, the QR carries the booking reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/slip.h"

#define REFERENCE "3f2b8c1e-7d4a-4e0b-9a51-0c6d2e8f1a77"

static slip_input sample(int columns)
{
	slip_input in = {
	        .city = "Bologna",
	        .surname = "NGUYỄN",
	        .name = "Thị Mai",
	        .birth_date = date_from_ymd(1990, 3, 7),
	        .nationality = "Vietnamita",
	        .numero_pratica = "P-BO/L/N/2026/100123",
	        .numero_visto = "ITA012345678",
	        .questura_name = "Questura di Bologna - Ufficio Immigrazione",
	        .questura_address = "Via Bovi Campeggi 13, 40131 Bologna",
	        .day = date_from_ymd(2026, 5, 4),
	        .minute = 9 * 60 + 30,
	        .reference = REFERENCE,
	        .operator_id = "op.rossi",
	        .printed_at = 1777000000,
	        .printed_day = date_from_ymd(2026, 4, 24),
	        .printed_minute = 11 * 60 + 5,
	        .columns = columns,
	};
	return in;
}

static const slip_line *find(const slip *s, const char *needle)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->lines[i].kind == SLIP_TEXT && strstr(s->lines[i].text, needle))
			return &s->lines[i];
	return NULL;
}

static void all_lines_fit(const slip *s)
{
	for (size_t i = 0; i < s->count; i++) {
		const slip_line *l = &s->lines[i];
		size_t width = (size_t)s->columns / ((l->style & SLIP_DOUBLE_WIDTH) ? 2 : 1);

		if (l->kind == SLIP_TEXT) {
			assert_true(slip_text_width(l->text) <= width);
			assert_true(l->text[0] != '\0');
		}
	}
}

static void full_slip_80mm(void **state)
{
	(void)state;
	static slip s;
	slip_input in = sample(48);
	agenda_detail d;
	const slip_line *l;

	assert_int_equal(slip_build(&in, &s, &d), AG_OK);
	all_lines_fit(&s);
	assert_string_equal(s.lines[0].text, "Ministero dell'Interno");
	assert_true(s.lines[0].style & SLIP_BOLD);
	assert_int_equal(s.lines[0].align, SLIP_ALIGN_CENTER);
	assert_string_equal(s.lines[1].text, "Sportello Unico per l'Immigrazione di Bologna");
	l = find(&s, "CONVOCAZIONE PER FOTOSEGNALAMENTO");
	assert_non_null(l);
	assert_true(l->style & SLIP_DOUBLE_HEIGHT);
	/* the English line right under the title */
	assert_non_null(strstr((l + 1)->text, "fingerprinting"));
	assert_null(find(&s, "DUPLICATO"));
	assert_null(find(&s, "erano al completo"));
	assert_non_null(find(&s, "Cognome: NGUYỄN"));
	assert_non_null(find(&s, "Nome: Thị Mai"));
	assert_non_null(find(&s, "Nato/a il: 07/03/1990"));
	assert_non_null(find(&s, "Nazionalità: Vietnamita"));
	assert_non_null(find(&s, "Numero pratica: P-BO/L/N/2026/100123"));
	assert_non_null(find(&s, "Numero visto: ITA012345678"));
	l = find(&s, "lunedì 4 maggio 2026");
	assert_non_null(l);
	assert_true(l->style & SLIP_BOLD);
	assert_non_null(find(&s, "ore 09:30"));
	assert_non_null(find(&s, "Monday 4 May 2026, at 09:30"));
	assert_non_null(find(&s, "Presso: Questura di Bologna -"));
	assert_non_null(find(&s, "Via Bovi Campeggi 13"));
	assert_non_null(find(&s, "Passaporto"));
	assert_non_null(find(&s, "Operatore: op.rossi"));
	assert_non_null(find(&s, "Stampato il 24/04/2026 alle 11:05"));
	assert_non_null(find(&s, REFERENCE));
	assert_non_null(slip_find_qr(&s));
	assert_string_equal(slip_find_qr(&s)->text, REFERENCE);
}

static void headings_have_english_under_them(void **state)
{
	(void)state;
	static slip s;
	slip_input in = sample(48);
	const char *pairs[][2] = {{"RICHIEDENTE", "Applicant"},
	                          {"PRATICA", "Application"},
	                          {"APPUNTAMENTO", "Appointment"},
	                          {"PORTARE CON SÉ", "Bring with you"},
	                          {"RIFERIMENTO PRENOTAZIONE", "Booking reference"}};

	assert_int_equal(slip_build(&in, &s, NULL), AG_OK);
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		const slip_line *l = NULL;

		for (size_t j = 0; j < s.count; j++)
			if (strcmp(s.lines[j].text, pairs[i][0]) == 0)
				l = &s.lines[j];
		assert_non_null(l);
		assert_true(l->style & SLIP_BOLD);
		assert_string_equal((l + 1)->text, pairs[i][1]);
	}
}

static void reprint_and_deferred(void **state)
{
	(void)state;
	static slip s;
	slip_input in = sample(48);
	const slip_line *l;

	in.reprint = true;
	in.deferred = true;
	in.first_tried = date_from_ymd(2026, 4, 27);
	in.what_to_bring = "Passaporto e questo foglio. Marca da bollo da 16 €.";
	assert_int_equal(slip_build(&in, &s, NULL), AG_OK);
	all_lines_fit(&s);
	l = find(&s, "DUPLICATO");
	assert_non_null(l);
	assert_true(l->style & SLIP_DOUBLE_WIDTH);
	/* above the title */
	assert_true(l < find(&s, "CONVOCAZIONE"));
	assert_non_null(find(&s, "I giorni dal 27/04/2026 erano al completo"));
	assert_non_null(find(&s, "The days from 27/04/2026 were full"));
	assert_non_null(find(&s, "€."));
	assert_null(find(&s, "Passaporto, questo foglio"));
}

static void narrow_paper_wraps_and_breaks(void **state)
{
	(void)state;
	static slip s;
	slip_input in = sample(32);
	char joined[128] = "";

	assert_int_equal(slip_build(&in, &s, NULL), AG_OK);
	all_lines_fit(&s);
	/* the 36-character reference is broken over two bold centred lines, QR intact */
	for (size_t i = 0; i < s.count; i++)
		if (s.lines[i].kind == SLIP_TEXT && (s.lines[i].style & SLIP_BOLD) &&
		    s.lines[i].align == SLIP_ALIGN_CENTER && strstr(REFERENCE, s.lines[i].text))
			strcat(joined, s.lines[i].text);
	assert_string_equal(joined, REFERENCE);
	assert_string_equal(slip_find_qr(&s)->text, REFERENCE);
	assert_non_null(find(&s, "Sportello Unico per"));
}

/* Columns counted here, independently of slip.c: a CJK ideograph takes two Font A cells. */
static size_t columns(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			n += (*p == 0xE4 || *p == 0xE5 || *p == 0xE6 || *p == 0xE7 || *p == 0xE8 ||
			      *p == 0xE9)
			             ? 2 /* U+4000..U+9FFF */
			             : 1;
	return n;
}

static void cjk_names_wrap_by_columns(void **state)
{
	(void)state;
	static slip s;
	slip_input in = sample(32);
	char joined[SLIP_LINE_MAX * 4] = "";
	const char *name = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"; /* 20 ideographs */
	size_t lines = 0;
	bool in_name = false;

	in.surname = name;
	assert_int_equal(slip_build(&in, &s, NULL), AG_OK);
	for (size_t i = 0; i < s.count; i++) {
		const slip_line *l = &s.lines[i];
		const char *part;

		if (l->kind != SLIP_TEXT)
			continue;
		assert_true(columns(l->text) <= 32); /* 49 columns would not fit a 58 mm line */
		assert_true(slip_text_width(l->text) == columns(l->text));
		if (strstr(l->text, "Cognome"))
			in_name = true;
		part = strstr(l->text, "王") ? strstr(l->text, "王") : l->text;
		if (in_name && strstr(name, part)) {
			strcat(joined, part);
			lines++;
		} else if (in_name && lines) {
			in_name = false;
		}
	}
	assert_int_equal(lines, 2);        /* 16 + 4 ideographs, after a line "Cognome:" */
	assert_string_equal(joined, name); /* not a character lost */
}

static void missing_fields_are_refused(void **state)
{
	(void)state;
	static slip s;
	slip_input in = sample(48);
	agenda_detail d;

	in.reference = "";
	assert_int_equal(slip_build(&in, &s, &d), AG_ERR_INVALID);
	assert_non_null(strstr(d.it, "reference"));
	in = sample(48);
	in.surname = NULL;
	assert_int_equal(slip_build(&in, &s, &d), AG_ERR_INVALID);
	in = sample(10);
	assert_int_equal(slip_build(&in, &s, &d), AG_ERR_INVALID);
	in = sample(48);
	in.numero_visto = NULL; /* optional */
	assert_int_equal(slip_build(&in, &s, &d), AG_OK);
	assert_null(find(&s, "Numero visto"));
	assert_int_equal(slip_build(NULL, &s, &d), AG_ERR_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(full_slip_80mm),
	        cmocka_unit_test(headings_have_english_under_them),
	        cmocka_unit_test(reprint_and_deferred),
	        cmocka_unit_test(narrow_paper_wraps_and_breaks),
	        cmocka_unit_test(cjk_names_wrap_by_columns),
	        cmocka_unit_test(missing_fields_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
