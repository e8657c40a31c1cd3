/*
 * practice_import_test.c — the CSV import on a real database file: every line accounted for
 * (imported, or rejected once with the line its record starts on), the reasons a person reads
 * (unclosed quote from its line, column count, NUL and C1 characters with the field named), a
 * byte-order mark accepted, batches with their audit records, and an import cut short by a read
 * failure that a second run of the same file completes.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#define HEADER "numero_pratica,numero_visto,cognome,nome,data_nascita,nazionalita,tipo,questura\n"

struct rejections {
	int n;
	int line[64];
	char reason[64][AGENDA_DETAIL_MAX];
};

static void collect(void *arg, int line, const char *it, const char *en)
{
	struct rejections *r = arg;

	assert_true(it[0] && en[0]);
	if (r->n < 64) {
		r->line[r->n] = line;
		snprintf(r->reason[r->n], AGENDA_DETAIL_MAX, "%s", it);
	}
	r->n++;
}

static agenda_err import_bytes(struct fixture *f, const char *text, size_t len,
                               struct rejections *rej, struct import_report *rep)
{
	FILE *in = fmemopen((void *)text, len, "r");
	agenda_detail why;
	agenda_err err;

	assert_non_null(in);
	memset(rej, 0, sizeof *rej);
	err = practice_import_csv(&f->ctx, "test", in, collect, rej, rep, &why);
	fclose(in);
	return err;
}

static agenda_err import_text(struct fixture *f, const char *text, struct rejections *rej,
                              struct import_report *rep)
{
	return import_bytes(f, text, strlen(text), rej, rep);
}

static bool stored(struct fixture *f, const char *pratica)
{
	struct practice p;

	return practice_lookup(&f->ctx, &f->op, pratica, NULL, &p, NULL) == AG_OK;
}

/* The file: the quote opened on line 3 is never closed. */
static void stray_quote_every_line_accounted(void **state)
{
	struct fixture *f = *state;
	static const char TEXT[] =
	        HEADER "RM/2026/000101,ITA000000101,ROSSI1,MARIO,1990-01-01,MAROCCO,lavoro,RM\n"
	               "RM/2026/000102,ITA000000102,\"ROSSI2,MARIO,1990-01-01,MAROCCO,lavoro,RM\n"
	               "RM/2026/000103,ITA000000103,ROSSI3,MARIO,1990-01-01,MAROCCO,lavoro,RM\n"
	               "RM/2026/000104,ITA000000104,ROSSI4,MARIO,1990-01-01,MAROCCO,lavoro,RM\n"
	               "RM/2026/000105,ITA000000105,ROSSI5,MARIO,1990-01-01,MAROCCO,lavoro,RM\n"
	               "RM/2026/000106,ITA000000106,ROSSI6,MARIO,1990-01-01,MAROCCO,lavoro,RM\n";
	struct import_report rep;
	struct rejections rej;

	assert_int_equal(import_text(f, TEXT, &rej, &rep), AG_OK);
	assert_int_equal(rep.rows_read, 6);
	assert_int_equal(rep.rows_imported, 5);
	assert_int_equal(rep.rows_rejected, 1);
	assert_int_equal(rej.n, 1);
	assert_int_equal(rej.line[0], 3);
	assert_non_null(strstr(rej.reason[0], "Virgolette non chiuse dalla riga 3"));
	for (int i = 101; i <= 106; i++) {
		char pratica[PRATICA_MAX];

		snprintf(pratica, sizeof pratica, "RM/2026/%06d", i);
		assert_int_equal(stored(f, pratica), i != 102);
	}
}

static void reasons_name_the_field(void **state)
{
	struct fixture *f = *state;
	static const char TEXT[] = HEADER
	        "RM/2026/000201,ITA000000201,RO\0SSI,MARIO,1990-01-01,MAROCCO,lavoro,RM\n"
	        "RM/2026/000202,ITA000000202,ROSSI,MA\xc2\x85RIO,1990-01-01,MAROCCO,lavoro,RM\n"
	        "RM/2026/000203,ITA000000203,ROSSI,MARIO,1990-01-01,MAROCCO,lavoro,RM,x\n"
	        "RM/2026/000204,,A,B,1990-01-01,C,lavoro,RM,1,2,3,4,5,6,7,8,9,10,11,12\n"
	        "RM/2026/000205\0,ITA000000205,ROSSI,MARIO,1990-01-01,MAROCCO,lavoro,RM\n"
	        "RM/2026/000206,ITA000000206,ROSSI,MARIO,1990-01-01,MAROCCO,lavoro,RM\n";
	struct import_report rep;
	struct rejections rej;

	assert_int_equal(import_bytes(f, TEXT, sizeof TEXT - 1, &rej, &rep), AG_OK);
	assert_int_equal(rep.rows_read, 6);
	assert_int_equal(rep.rows_imported, 1);
	assert_int_equal(rej.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(rej.line[i], i + 2);
	assert_string_equal(rej.reason[0], "Il campo cognome contiene caratteri di controllo.");
	assert_string_equal(rej.reason[1], "Il campo nome contiene caratteri di controllo.");
	assert_string_equal(rej.reason[2], "9 colonne invece di 8.");
	assert_string_equal(rej.reason[3], "20 colonne invece di 8.");
	assert_string_equal(rej.reason[4],
	                    "Il campo numero_pratica contiene caratteri di controllo.");
	assert_false(stored(f, "RM/2026/000201"));
	assert_false(stored(f, "RM/2026/000205"));
	assert_true(stored(f, "RM/2026/000206"));
}

static void byte_order_mark_accepted(void **state)
{
	struct fixture *f = *state;
	static const char TEXT[] = "\xef\xbb\xbfnumero_pratica;numero_visto;cognome;nome;"
	                           "data_nascita;nazionalita;tipo;questura\r\n"
	                           "RM/2026/000301;;Rossi;Aïcha;01/03/1990;Marocco;lavoro;rm\r\n";
	struct import_report rep;
	struct rejections rej;

	assert_int_equal(import_text(f, TEXT, &rej, &rep), AG_OK);
	assert_int_equal(rep.rows_imported, 1);
	assert_int_equal(rej.n, 0);
	assert_true(stored(f, "RM/2026/000301"));
}

/* Generated rows RM/2027/000001.. with line i + 2 for row i; every 1000th row is bad. */
static char *generated(int rows, size_t *len)
{
	size_t cap = (size_t)rows * 96 + sizeof HEADER;
	char *text = malloc(cap);
	size_t n = (size_t)snprintf(text, cap, "%s", HEADER);

	for (int i = 0; i < rows; i++)
		n += (size_t)snprintf(
		        text + n, cap - n,
		        "RM/2027/%06d,ITA7%08d,COGNOME%d,NOME,1990-01-01,MAROCCO,%s,RM\n", i + 1,
		        i + 1, i, i % 1000 == 999 ? "lavoro,x" : "lavoro");
	*len = n;
	return text;
}

static void batches_account_for_every_row(void **state)
{
	struct fixture *f = *state;
	size_t len;
	char *text = generated(40000, &len); /* three batches */
	struct import_report rep;
	struct rejections rej;

	assert_int_equal(import_bytes(f, text, len, &rej, &rep), AG_OK);
	assert_int_equal(rep.rows_read, 40000);
	assert_int_equal(rep.rows_imported, 39960);
	assert_int_equal(rej.n, 40);
	for (int i = 0; i < 40; i++)
		assert_int_equal(rej.line[i], 1000 * (i + 1) + 1);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM practice WHERE "
	                                  "numero_pratica LIKE 'RM/2027/%'"),
	                 39960);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = "
	                                  "'practice_import_begin'"),
	                 1);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = "
	                                  "'practice_import' AND detail = "
	                                  "'imported=39960 rejected=40'"),
	                 1);
	assert_false(practice_import_pending(&f->ctx, NULL));
	free(text);
}

/* A stream that fails after `left` bytes, as a disk or a cable can. */
struct failing {
	const char *data;
	size_t left, pos;
};

static ssize_t failing_read(void *cookie, char *buf, size_t size)
{
	struct failing *s = cookie;

	if (s->left == 0) {
		errno = EIO;
		return -1;
	}
	if (size > s->left)
		size = s->left;
	memcpy(buf, s->data + s->pos, size);
	s->pos += size;
	s->left -= size;
	return (ssize_t)size;
}

static void cut_short_then_completed(void **state)
{
	struct fixture *f = *state;
	size_t len;
	char *text = generated(40000, &len);
	struct failing src = {text, len / 4 * 3, 0}; /* fails in the second batch */
	cookie_io_functions_t io = {.read = failing_read};
	FILE *in = fopencookie(&src, "r", io);
	struct import_progress progress;
	struct import_report rep;
	struct rejections rej = {0};
	agenda_detail why;

	assert_non_null(in);
	setvbuf(in, NULL, _IONBF, 0);
	assert_int_equal(practice_import_csv(&f->ctx, "test", in, collect, &rej, &rep, &why),
	                 AG_ERR_IO);
	fclose(in);
	assert_string_equal(why.it, "Impossibile leggere il file.");
	/* Whole batches were kept, and the progress says how far it got. */
	assert_int_equal(rep.rows_imported, 16384); /* the first batch: 16,384 good rows */
	assert_true(practice_import_pending(&f->ctx, &progress));
	assert_int_equal(progress.rows_imported, rep.rows_imported);
	assert_int_equal(progress.started, f->now);
	assert_int_equal(progress.line, 16401); /* 16 bad rows among them, and the header */
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM practice WHERE "
	                                  "numero_pratica LIKE 'RM/2027/%'"),
	                 rep.rows_imported);
	/* The same file again: complete, nothing twice, the progress gone. */
	assert_int_equal(import_bytes(f, text, len, &rej, &rep), AG_OK);
	assert_true(rep.interrupted_before);
	assert_int_equal(rep.rows_read, 40000);
	assert_int_equal(rep.rows_imported, 39960);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM practice WHERE "
	                                  "numero_pratica LIKE 'RM/2027/%'"),
	                 39960);
	assert_false(practice_import_pending(&f->ctx, NULL));
	free(text);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(stray_quote_every_line_accounted), T(reasons_name_the_field),
	        T(byte_order_mark_accepted),         T(batches_account_for_every_row),
	        T(cut_short_then_completed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
