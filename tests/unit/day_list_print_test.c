/*
 * day_list_print_test.c — a Questura's list through the real print queue onto the virtual
 * printer, whose decoder turns the ESC/POS back into text: the text is exactly the expected
 * page (heading, counts, rows, footer) for 48 and 32 columns; a list longer than one slip is
 * still one job with one cut; a session that may not read personal data prints nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "print/day_list_print.h"
#include "printer/virtual.h"
#include "services/site.h"

static const agenda_day MAY4 = 20577;

static int setup(void **state)
{
	struct fixture *f;

	fixture_setup(state);
	f = *state;
	if (site_configure(&f->ctx, "test", "Bologna", NULL, NULL) != AG_OK)
		abort();
	fixture_capacity(f, MAY4, 40, 10);
	return 0;
}

/* Prints RM's list of May 4 on a virtual printer with profile; returns page 1's text. */
static char *print_page(struct fixture *f, const char *profile_id, int *pages)
{
	char uri[160], path[160];
	print_queue *q;
	print_job_info info;
	uint64_t job;
	size_t count;
	const printer_profile *profiles = printer_profiles(&count), *profile = NULL;
	char *text;
	FILE *in;
	long len;

	for (size_t i = 0; i < count; i++)
		if (!strcmp(profiles[i].id, profile_id))
			profile = &profiles[i];
	assert_non_null(profile);
	snprintf(uri, sizeof uri, "virtual:%s/%s", f->dir, profile_id);
	assert_int_equal(
	        print_queue_start(&(print_queue_config){.uri = uri, .profile = profile}, &q),
	        AG_OK);
	assert_int_equal(day_list_print(&f->ctx, &f->op, q, MAY4, "RM", &job, NULL), AG_OK);
	assert_int_equal(print_queue_wait(q, job, 10000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_DONE);
	print_queue_stop(q);
	*pages = 0;
	for (int n = 1; n < 5; n++) {
		snprintf(path, sizeof path, "%s/%s-%d.txt", f->dir, profile_id, n);
		if (access(path, F_OK) == 0)
			(*pages)++;
	}
	snprintf(path, sizeof path, "%s/%s-1.txt", f->dir, profile_id);
	assert_non_null(in = fopen(path, "rb"));
	fseek(in, 0, SEEK_END);
	len = ftell(in);
	rewind(in);
	text = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(text, 1, (size_t)len, in), (size_t)len);
	fclose(in);
	return text;
}

static void list_prints_as_expected(void **state)
{
	struct fixture *f = *state;
	struct booking a, b;
	char *text;
	int pages;

	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, b.id, "errore", NULL), AG_OK);
	f->now = clock_epoch_of(MAY4, 18 * 60 + 5);
	text = print_page(f, "tm-t20iii", &pages);
	assert_int_equal(pages, 1);
	{
		const char *rule = "------------------------------------------------";
		char expect[2048];

		snprintf(expect, sizeof expect,
		         "Agenda Elettronica - Sportello Unico per\n"
		         "l'Immigrazione di Bologna\n"
		         "Questura di Roma (RM)\n"
		         "Appuntamenti fissati il 04/05/2026 da questo\n"
		         "sportello.\n"
		         "appuntamenti: 1, annullati/spostati: 1\n"
		         "%s\n"
		         "05/05 09:00 RM/2026/000001  confermato\n"
		         "  DEMO ROSSI Aïcha\n"
		         "05/05 09:20 RM/2026/000002  annullato\n"
		         "  DEMO ROSSI Aïcha\n"
		         "%s\n"
		         "Stampato il 04/05/2026 alle 18:05.\n",
		         rule, rule);
		if (strcmp(text, expect))
			fprintf(stderr, "got:\n%s\n", text);
		assert_string_equal(text, expect);
	}
	free(text);
}

static void narrow_paper_and_long_list_one_job(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	char *text, *p;
	int pages, entries = 0;

	for (int i = 0; i < 80; i++) {
		struct practice pr = {0};

		snprintf(pr.numero_pratica, sizeof pr.numero_pratica, "RM/2026/%06d", 100 + i);
		/* Odd ones need an image: the code page has no Ễ (the text shows the others). */
		snprintf(pr.cognome, sizeof pr.cognome, "%s", i % 2 ? "NGUYỄN" : "NGUYEN");
		snprintf(pr.nome, sizeof pr.nome, "Minh Lorenza Maria Giovanna %d", i);
		pr.data_nascita = date_from_ymd(1990, 1, 1);
		snprintf(pr.nazionalita, sizeof pr.nazionalita, "Vietnam");
		snprintf(pr.tipo, sizeof pr.tipo, "lavoro");
		snprintf(pr.questura, sizeof pr.questura, "RM");
		assert_int_equal(practice_upsert(&f->ctx, &pr, NULL), AG_OK);
		assert_int_equal(
		        practice_lookup(&f->ctx, &f->op, pr.numero_pratica, NULL, &pr, NULL),
		        AG_OK);
		assert_int_equal(booking_confirm(&f->ctx, &f->op, pr.id, NULL, &b, NULL), AG_OK);
	}
	text = print_page(f, "generic-58", &pages);
	assert_int_equal(pages, 1); /* 160 row lines, more than one slip: still one cut */
	assert_non_null(strstr(text, "Stampato il 04/05/2026 alle\n09:00.\n"));
	for (p = text; (p = strstr(p, " RM/2026/")); p++)
		entries++;
	assert_int_equal(entries, 80);
	assert_non_null(
	        strstr(text, "\n05/05 09:00 RM/2026/000100\n  confermato NGUYEN Minh Lore"));
	for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		size_t cols = 0;

		for (char *c = line; c < nl; c++)
			cols += ((unsigned char)*c & 0xC0) != 0x80;
		assert_true(cols <= 32);
	}
	free(text);
}

static void tecnico_prints_nothing(void **state)
{
	struct fixture *f = *state;
	char uri[160], password[PASSWORD_MAX];
	struct session tech;
	print_queue *q;
	uint64_t job = 0;

	assert_int_equal(operator_add(&f->ctx, "test", "tec", ROLE_TECNICO, password, NULL), AG_OK);
	assert_int_equal(session_login(&f->ctx, "tec", password, &tech, NULL), AG_OK);
	snprintf(uri, sizeof uri, "virtual:%s/tech", f->dir);
	assert_int_equal(print_queue_start(&(print_queue_config){.uri = uri}, &q), AG_OK);
	assert_int_not_equal(day_list_print(&f->ctx, &tech, q, MAY4, "RM", &job, NULL), AG_OK);
	assert_int_equal(job, 0);
	print_queue_stop(q);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(list_prints_as_expected),
	        T(narrow_paper_and_long_list_one_job),
	        T(tecnico_prints_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
