/*
 * csv_test.c — the streaming RFC 4180 reader: byte-order mark, separators, quoting, line
 * numbers, recovery from a stray quote (every physical line accounted for), the right reason
 * for too many columns and too long fields, NUL bytes kept visible, records larger than the
 * window, and the same records whatever the size of the chunks the source hands over.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

/* One reading of a text: statuses, lines and first fields of at most 16 records. */
struct reading {
	int n;
	enum csv_status st[16];
	int line[16], count[16], quote_line[16], bad_field[16];
	char first[16][CSV_FIELD_MAX];
	int first_len[16];
};

static struct csv_reader reader;

static void read_text(const char *text, size_t len, char sep, size_t chunk, struct reading *out)
{
	struct csv_memory m = {text, len, 0, chunk};
	struct csv_record *rec = malloc(sizeof *rec);
	enum csv_status st;

	memset(out, 0, sizeof *out);
	csv_reader_init(&reader, csv_read_memory, &m, sep);
	while ((st = csv_next(&reader, rec)) != CSV_END) {
		assert_true(out->n < 16);
		out->st[out->n] = st;
		out->line[out->n] = rec->first_line;
		out->count[out->n] = rec->count;
		out->quote_line[out->n] = rec->quote_line;
		out->bad_field[out->n] = rec->bad_field;
		memcpy(out->first[out->n], rec->field[0], CSV_FIELD_MAX);
		out->first_len[out->n] = rec->len[0];
		out->n++;
	}
	free(rec);
}

static void read_str(const char *text, struct reading *out)
{
	read_text(text, strlen(text), 0, 0, out);
}

static void byte_order_mark_skipped(void **state)
{
	struct reading r;

	(void)state;
	read_str("\xef\xbb\xbfnumero_pratica;cognome\nRM/2026/1;ROSSI\n", &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(reader.sep, ';'); /* guessed after the mark */
	assert_string_equal(r.first[0], "numero_pratica");
	assert_int_equal(r.count[0], 2);
	assert_int_equal(r.line[1], 2);
	/* A mark anywhere else is data. */
	read_str("a,b\n\xef\xbb\xbf"
	         "c,d\n",
	         &r);
	assert_string_equal(r.first[1], "\xef\xbb\xbf"
	                                "c");
}

static void quoting_and_lines(void **state)
{
	struct reading r;

	(void)state;
	read_str("h1,h2\r\n\"D'Amico, detto \"\"Toni\"\"\",x\r\n\r\n\"two\nlines\",y\nlast,z", &r);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.first[1], "D'Amico, detto \"Toni\"");
	assert_int_equal(r.line[1], 2);
	assert_string_equal(r.first[2], "two\nlines");
	assert_int_equal(r.line[2], 4); /* line 3 is blank */
	assert_int_equal(r.line[3], 6);
	assert_int_equal(r.count[3], 2);
	/* A lone CR ends a line too. */
	read_str("a\rb\rc", &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.line[2], 3);
}

/* The file: a stray quote on line 3 must not swallow lines 4-7. */
static void stray_quote_hides_no_line(void **state)
{
	static const char TEXT[] = "numero_pratica,numero_visto,cognome,nome\n"
	                           "RM/2026/000001,ITA000000001,ROSSI1,MARIO\n"
	                           "RM/2026/000002,ITA000000002,\"ROSSI2,MARIO\n"
	                           "RM/2026/000003,ITA000000003,ROSSI3,MARIO\n"
	                           "RM/2026/000004,ITA000000004,ROSSI4,MARIO\n"
	                           "RM/2026/000005,ITA000000005,\"ROSSI5\",MARIO\n"
	                           "RM/2026/000006,ITA000000006,ROSSI6,MARIO\n";
	struct reading r;

	(void)state;
	read_str(TEXT, &r);
	assert_int_equal(r.n, 7);
	for (int i = 0; i < 7; i++) {
		assert_int_equal(r.line[i], i + 1); /* every line once, in order */
		assert_int_equal(r.st[i], i == 2 ? CSV_UNCLOSED_QUOTE : CSV_RECORD);
	}
	assert_int_equal(r.quote_line[2], 3);
	assert_string_equal(r.first[3], "RM/2026/000003");
	assert_int_equal(r.count[5], 4);
}

static void stray_quote_to_the_end(void **state)
{
	struct reading r;

	(void)state;
	/* Never closed at all, across short lines: the end of the input tells. */
	read_str("a,\"b\nc,d\ne,f", &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.st[0], CSV_UNCLOSED_QUOTE);
	assert_int_equal(r.quote_line[0], 1);
	assert_int_equal(r.st[1], CSV_RECORD);
	assert_int_equal(r.line[1], 2);
	assert_int_equal(r.line[2], 3);
	/* Unclosed on the last line. */
	read_str("a,b\nc,\"d", &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st[1], CSV_UNCLOSED_QUOTE);
	assert_int_equal(r.line[1], 2);
}

static void text_after_closing_quote(void **state)
{
	struct reading r;

	(void)state;
	read_str("\"ab\"c,d\nx,y\n", &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st[0], CSV_TEXT_AFTER_QUOTE);
	assert_int_equal(r.st[1], CSV_RECORD);
	assert_int_equal(r.line[1], 2);
}

static void too_many_columns_is_said_so(void **state)
{
	struct reading r;
	char text[200] = "";

	(void)state;
	for (int i = 0; i < 20; i++)
		strcat(text, i ? ",f" : "f");
	strcat(text, "\n\"q\",\"a,b\",c\n");
	read_str(text, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st[0], CSV_TOO_MANY); /* not a quoting problem */
	assert_int_equal(r.count[0], 20);
	assert_int_equal(r.st[1], CSV_RECORD);
	assert_int_equal(r.count[1], 3);
	assert_int_equal(r.line[1], 2);
}

static void long_field_named_and_window(void **state)
{
	size_t big = 3 * CSV_WINDOW;
	char *text = malloc(big + 64);
	struct reading r;

	(void)state;
	memset(text, 'x', 300);
	strcpy(text + 300, ",b,c\nnext,line\n");
	text[0] = 'a';
	memcpy(text, "a,", 2);
	read_str(text, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st[0], CSV_TOO_LONG);
	assert_int_equal(r.bad_field[0], 1);
	assert_int_equal(r.count[0], 4);
	assert_string_equal(r.first[1], "next");
	/* A line three windows long: reported once, the next line read, lines right. */
	memset(text, 'y', big);
	strcpy(text + big, "\nnext,line\n");
	read_str(text, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st[0], CSV_TOO_LONG);
	assert_int_equal(r.line[1], 2);
	assert_string_equal(r.first[1], "next");
	/* A record across lines that then fills the window: given up after the line reached,
	 * not taken back to its second line (that would cost 64 KiB again for every line). */
	memcpy(text, "\"a\nb\",", 6);
	read_str(text, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st[0], CSV_TOO_LONG);
	assert_int_equal(r.line[1], 3);
	assert_string_equal(r.first[1], "next");
	memset(text, 'y', 6);
	/* The same inside a quote that never closes. */
	text[0] = '"';
	read_str(text, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st[0], CSV_UNCLOSED_QUOTE);
	assert_int_equal(r.line[1], 2);
	free(text);
}

static void nul_byte_kept_visible(void **state)
{
	static const char TEXT[] = "RO\0SSI,b\n\"x\0y\",c\n";
	struct reading r;

	(void)state;
	read_text(TEXT, sizeof TEXT - 1, ',', 0, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st[0], CSV_RECORD);
	assert_int_equal(r.first_len[0], 6); /* strlen says 2: the caller can tell */
	assert_memory_equal(r.first[0], "RO\0SSI", 7);
	assert_int_equal(r.first_len[1], 3);
}

static void chunks_do_not_matter(void **state)
{
	static const char TEXT[] = "\xef\xbb\xbfh1;h2\r\n\"a;\"\"b\"\"\r\nc\";d\r\n\r\n"
	                           "x;\"open\ny;z\n\"q\"w;v\n1;2;3\n\"last";
	struct reading whole, bit;

	(void)state;
	read_text(TEXT, sizeof TEXT - 1, 0, 0, &whole);
	for (size_t chunk = 1; chunk <= 7; chunk++) {
		read_text(TEXT, sizeof TEXT - 1, 0, chunk, &bit);
		assert_int_equal(bit.n, whole.n);
		for (int i = 0; i < whole.n; i++) {
			assert_int_equal(bit.st[i], whole.st[i]);
			assert_int_equal(bit.line[i], whole.line[i]);
			assert_int_equal(bit.count[i], whole.count[i]);
			assert_string_equal(bit.first[i], whole.first[i]);
		}
	}
	assert_int_equal(whole.n, 7);
	assert_string_equal(whole.first[1], "a;\"b\"\r\nc");
	assert_int_equal(whole.st[2], CSV_UNCLOSED_QUOTE); /* "open" never closes... */
	assert_int_equal(whole.line[3], 6);                /* ...so line 6 is read again */
	assert_int_equal(whole.st[4], CSV_TEXT_AFTER_QUOTE);
	assert_int_equal(whole.count[5], 3);
	assert_int_equal(whole.st[6], CSV_UNCLOSED_QUOTE);
}

static long failing_source(void *source, char *buf, size_t size)
{
	(void)source;
	(void)buf;
	(void)size;
	return -1;
}

static void read_error_reported(void **state)
{
	struct csv_record *rec = malloc(sizeof *rec);

	(void)state;
	csv_reader_init(&reader, failing_source, NULL, ',');
	assert_int_equal(csv_next(&reader, rec), CSV_READ_ERROR);
	free(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(byte_order_mark_skipped),
	        cmocka_unit_test(quoting_and_lines),
	        cmocka_unit_test(stray_quote_hides_no_line),
	        cmocka_unit_test(stray_quote_to_the_end),
	        cmocka_unit_test(text_after_closing_quote),
	        cmocka_unit_test(too_many_columns_is_said_so),
	        cmocka_unit_test(long_field_named_and_window),
	        cmocka_unit_test(nul_byte_kept_visible),
	        cmocka_unit_test(chunks_do_not_matter),
	        cmocka_unit_test(read_error_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
