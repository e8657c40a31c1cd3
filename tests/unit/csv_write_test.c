/*
 * csv_write_test.c — the RFC 4180 writer: exact bytes for plain, separator, quote, line break
 * and accented fields, BOM and CRLF; and every awkward field read back unchanged by the
 * project's own reader (core/csv.h), the way a spreadsheet or the import would read it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/csv_write.h"

static char *write_record(char sep, bool bom, const char *const *fields, int n)
{
	struct csv_writer w;

	csv_write_init(&w, sep, bom);
	for (int i = 0; i < n; i++)
		csv_write_field(&w, fields[i]);
	csv_write_end_record(&w);
	return csv_write_finish(&w, NULL);
}

static void exact_bytes(void **state)
{
	const char *const fields[] = {"RM/2026/000001", "D'Angelo", "a;b",         "say \"hi\"",
	                              "two\nlines",     "",         "Aïcha Ñúñez", "x\r"};
	char *out;

	(void)state;
	out = write_record(';', true, fields, 8);
	assert_non_null(out);
	assert_string_equal(out, "\xEF\xBB\xBF"
	                         "RM/2026/000001;D'Angelo;\"a;b\";\"say \"\"hi\"\"\";"
	                         "\"two\nlines\";;Aïcha Ñúñez;\"x\r\"\r\n");
	free(out);
}

static void comma_is_plain_with_semicolon_separator(void **state)
{
	const char *const fields[] = {"Rossi, Mario", NULL, "ok"};
	char *out;

	(void)state;
	out = write_record(';', false, fields, 3);
	assert_string_equal(out, "Rossi, Mario;;ok\r\n");
	free(out);
	out = write_record(',', false, fields, 3);
	assert_string_equal(out, "\"Rossi, Mario\",,ok\r\n");
	free(out);
}

static void empty_text_is_not_null(void **state)
{
	struct csv_writer w;
	size_t len = 99;
	char *out;

	(void)state;
	csv_write_init(&w, ';', false);
	out = csv_write_finish(&w, &len);
	assert_non_null(out);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");
	free(out);
}

/* What the writer wrote, the reader reads back field for field (stray quotes included). */
static void read_back_unchanged(void **state)
{
	static const char *const rows[][4] = {
	        {"\"", "\"\"", "a\"b", "\"starts"},
	        {";", ";;", "end;", "\r\n"},
	        {"line1\nline2\nline3", "ends\n", "\nstarts", "crlf\r\ninside"},
	        {"Ç'è ùn àccento", "日本", "émile;\"x\"\n", " spaces "},
	};
	static struct csv_reader reader;
	struct csv_record *rec = malloc(sizeof *rec);
	struct csv_writer w;
	struct csv_memory m;
	size_t len;
	char *text;

	(void)state;
	csv_write_init(&w, ';', true);
	for (size_t r = 0; r < 4; r++) {
		for (int c = 0; c < 4; c++)
			csv_write_field(&w, rows[r][c]);
		csv_write_end_record(&w);
	}
	text = csv_write_finish(&w, &len);
	assert_non_null(text);
	m = (struct csv_memory){text, len, 0, 7};
	csv_reader_init(&reader, csv_read_memory, &m, ';');
	for (size_t r = 0; r < 4; r++) {
		assert_int_equal(csv_next(&reader, rec), CSV_RECORD);
		assert_int_equal(rec->count, 4);
		for (int c = 0; c < 4; c++)
			assert_string_equal(rec->field[c], rows[r][c]);
	}
	assert_int_equal(csv_next(&reader, rec), CSV_END);
	free(rec);
	free(text);
}

/* A long text grows the buffer many times and stays whole. */
static void grows(void **state)
{
	struct csv_writer w;
	size_t len;
	char *out;

	(void)state;
	csv_write_init(&w, ';', false);
	for (int i = 0; i < 5000; i++) {
		csv_write_field(&w, "abc");
		csv_write_field(&w, "d;e");
		csv_write_end_record(&w);
	}
	out = csv_write_finish(&w, &len);
	assert_int_equal(len, 5000 * strlen("abc;\"d;e\"\r\n"));
	assert_int_equal(strlen(out), len);
	assert_memory_equal(out + len - 11, "abc;\"d;e\"\r\n", 11);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(exact_bytes),
	        cmocka_unit_test(comma_is_plain_with_semicolon_separator),
	        cmocka_unit_test(empty_text_is_not_null),
	        cmocka_unit_test(read_back_unchanged),
	        cmocka_unit_test(grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
