/*
 * day_list_test.c — the end-of-day lists on a real SQLite file with the fixed clock (Monday
 * 4 May 2026, 09:00): the close writes version 1 and its message in its one transaction; a late
 * change writes exactly one RETTIFICA, and a newer one replaces it while it waits (never the
 * original); closing again with no change queues nothing; the CSV lines are the appointments;
 * the text fits a page with 200 appointments; send_empty; a Questura without an address; a
 * store error leaves neither the close nor any message; the automatic close at the close time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/csv.h"
#include "fixture.h"
#include "services/day_list.h"
#include "services/outbox.h"
#include "services/site.h"

static const agenda_day MAY4 = 20577; /* 2026-05-04, Monday */

static int setup(void **state)
{
	struct fixture *f;

	fixture_setup(state);
	f = *state;
	if (site_configure(&f->ctx, "test", "Reggio nell'Emilia", NULL, NULL) != AG_OK)
		abort();
	fixture_capacity(f, MAY4, 40, 10);
	return 0;
}

static void book(struct fixture *f, int64_t practice, struct booking *b)
{
	agenda_detail why;

	assert_int_equal(booking_confirm(&f->ctx, &f->op, practice, NULL, b, &why), AG_OK);
}

static long long count(struct fixture *f, const char *sql)
{
	return fixture_count(f, sql);
}

/* The waiting message of a version: body and attachment (caller frees with outbox_item_clear). */
static void next_message(struct fixture *f, struct outbox_item *it)
{
	assert_int_equal(outbox_next_due(&f->ctx, INT64_MAX / 2, it, NULL), AG_OK);
}

static void close_writes_version_one_and_its_message(void **state)
{
	struct fixture *f = *state;
	struct day_close_report r;
	struct outbox_item it;
	struct booking a, b;
	char expect[256];

	book(f, f->practice_lavoro, &a);
	book(f, f->practice_famiglia, &b);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, NULL), AG_OK);
	assert_int_equal(r.version, 1);
	assert_int_equal(r.versions, 1);
	assert_int_equal(r.messages, 1);
	assert_int_equal(r.without_email, 0);
	/* One transaction: the close, the list's version and its message are all there. */
	assert_int_equal(count(f, "SELECT count(*) FROM day_close WHERE day = 20577"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM day_list WHERE day = 20577 AND"
	                          " questura = 'RM' AND version = 1 AND appointments = 2 AND"
	                          " cancellations = 0"),
	                 1);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 1);
	next_message(f, &it);
	snprintf(expect, sizeof expect,
	         "<elenco.20260504.RM.v1.%s@reggio-nell-emilia.agenda-elettronica.it>",
	         f->ctx.device_id);
	assert_string_equal(it.message_id, expect);
	assert_int_equal(count(f, "SELECT count(*) FROM day_list d JOIN outbox o"
	                          " ON o.message_id = d.message_id"),
	                 1);
	assert_string_equal(it.kind, "day_list");
	assert_string_equal(it.topic, "");
	assert_string_equal(it.recipient, "questura.rm@example.test");
	assert_string_equal(it.subject, "Agenda Elettronica - Sportello Unico per l'Immigrazione di"
	                                " Reggio nell'Emilia - Questura di Roma - appuntamenti"
	                                " fissati il 04/05/2026");
	assert_string_equal(it.attachment_name, "appuntamenti_RM_2026-05-04_v1.csv");
	assert_non_null(strstr(it.body, "appuntamenti: 2, annullati/spostati: 0\n"));
	assert_non_null(strstr(it.body, "RM/2026/000001"));
	assert_non_null(strstr(it.body, "DEMO ROSSI Aïcha"));
	assert_null(strstr(it.body, "RETTIFICA"));
	assert_memory_equal(it.attachment,
	                    "\xEF\xBB\xBF"
	                    "data_appuntamento;ora;questura;",
	                    34);
	outbox_item_clear(&it);
	/* The audit says who closed and what was written, without personal data. */
	assert_int_equal(count(f,
	                       "SELECT count(*) FROM audit WHERE action = 'day_list' AND"
	                       " actor = 'mario.rossi' AND detail GLOB 'questura=RM version=1 *'"),
	                 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE detail GLOB '*ROSSI*'"), 0);
}

static void closing_again_without_change_queues_nothing(void **state)
{
	struct fixture *f = *state;
	struct day_close_report r;
	struct booking a;

	book(f, f->practice_lavoro, &a);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, NULL), AG_OK);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, NULL), AG_OK);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.versions, 0);
	assert_int_equal(r.messages, 0);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM day_list"), 1);
}

static void late_cancel_writes_exactly_one_rettifica(void **state)
{
	struct fixture *f = *state;
	struct day_close_report r;
	struct outbox_item it;
	struct booking a, b;

	book(f, f->practice_lavoro, &a);
	book(f, f->practice_famiglia, &b);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, NULL), AG_OK);
	f->now += 3600;
	assert_int_equal(booking_cancel(&f->ctx, &f->op, a.id, "errore", NULL), AG_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM day_list WHERE version = 2 AND"
	                          " appointments = 1 AND cancellations = 1"),
	                 1);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE topic ="
	                          " 'rettifica:2026-05-04:RM' AND message_id GLOB '<elenco.*.v2.*'"
	                          " AND subject GLOB 'RETTIFICA n. 1 - Agenda Elettronica - *'"
	                          " AND attachment_name = 'appuntamenti_RM_2026-05-04_v2.csv'"),
	                 1);
	/* The sender takes the original first (oldest), then the RETTIFICA. */
	next_message(f, &it);
	assert_non_null(strstr(it.message_id, ".v1."));
	assert_int_equal(outbox_mark_sent(&f->ctx, it.id, "250 ok", NULL), AG_OK);
	outbox_item_clear(&it);
	next_message(f, &it);
	assert_non_null(strstr(it.body, "RETTIFICA n. 1: sostituisce l'elenco inviato in"
	                                " precedenza.\n"));
	assert_non_null(strstr(it.body, "appuntamenti: 1, annullati/spostati: 1\n"));
	assert_non_null(strstr(it.body, "annullato\n"));
	assert_non_null(strstr(it.attachment, ";annullato;"));
	outbox_item_clear(&it);
	/* Closing again now changes nothing more: the RETTIFICA already says it. */
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, NULL), AG_OK);
	assert_int_equal(r.messages, 0);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 2);
}

static void newer_rettifica_replaces_the_waiting_one_never_the_original(void **state)
{
	struct fixture *f = *state;
	struct day_close_report r;
	struct booking a, b, moved;

	book(f, f->practice_lavoro, &a);
	book(f, f->practice_famiglia, &b);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, NULL), AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, a.id, "errore", NULL), AG_OK);
	assert_int_equal(booking_move(&f->ctx, &f->op, b.id, "richiesta", NULL, &moved, NULL),
	                 AG_OK);
	/* v1 (original, waiting) and v3 (the newest RETTIFICA); v2 replaced unsent. */
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE message_id GLOB '*.v1.*'"
	                          " AND topic IS NULL"),
	                 1);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE message_id GLOB '*.v3.*'"
	                          " AND subject GLOB 'RETTIFICA n. 2 - *'"),
	                 1);
	/* The move's new appointment was fixed today, a closed day: it is in v3 (3 rows). */
	assert_int_equal(count(f, "SELECT count(*) FROM day_list WHERE version = 3 AND"
	                          " appointments = 1 AND cancellations = 2"),
	                 1);
	assert_int_equal(count(f, "SELECT max(version) FROM day_list"), 3);
}

static void late_changes_from_every_path(void **state)
{
	struct fixture *f = *state;
	struct day_close_report r;
	struct booking a, b, out;

	book(f, f->practice_lavoro, &a);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, NULL), AG_OK);
	/* Booked on the closed day itself. */
	book(f, f->practice_famiglia, &b);
	assert_int_equal(count(f, "SELECT max(version) FROM day_list"), 2);
	/* Central cancels one (issue 12): a RETTIFICA under its name. */
	assert_int_equal(booking_cancel_by_central(&f->ctx, b.id, "duplicata", &out, NULL), AG_OK);
	assert_int_equal(count(f, "SELECT max(version) FROM day_list"), 3);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'day_list' AND"
	                          " actor = 'central' AND detail GLOB '*version=3*'"),
	                 1);
	/* Next day (not closed): a cancel of that day's appointment writes nothing. */
	f->now = clock_epoch_of(MAY4 + 1, 9 * 60);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, b.id, "errore", NULL), AG_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM day_list WHERE day = 20578"), 0);
	/* Only the original and the newest RETTIFICA wait. */
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 2);
}

/* Reads the CSV back with the project's reader: one record per appointment, in order. */
static void csv_lines_equal_the_appointments(void **state)
{
	static struct csv_reader reader;
	struct fixture *f = *state;
	struct csv_record *rec = malloc(sizeof *rec);
	struct booking a, b, c;
	struct day_list l;
	struct csv_memory m;
	char *csv;

	book(f, f->practice_lavoro, &a);
	book(f, f->practice_famiglia, &b);
	assert_int_equal(booking_move(&f->ctx, &f->op, a.id, "richiesta", NULL, &c, NULL), AG_OK);
	assert_int_equal(fixture_sql(f,
	                             "UPDATE practice SET cognome = 'D''Àngelo; \"Jr\"',"
	                             " nome = 'Mary\nAnn' WHERE numero_pratica = 'RM/2026/000002'"),
	                 SQLITE_OK);
	assert_int_equal(day_list_load(&f->ctx, MAY4, "RM", &l, NULL), AG_OK);
	assert_int_equal(l.count, 3);
	assert_int_equal(l.appointments, 2);
	assert_int_equal(l.cancellations, 1);
	csv = day_list_csv(&l);
	assert_non_null(csv);
	m = (struct csv_memory){csv, strlen(csv), 0, 0};
	csv_reader_init(&reader, csv_read_memory, &m, ';');
	assert_int_equal(csv_next(&reader, rec), CSV_RECORD);
	assert_int_equal(rec->count, 13);
	assert_string_equal(rec->field[0], "data_appuntamento");
	assert_string_equal(rec->field[12], "fissato_il");
	for (size_t i = 0; i < l.count; i++) {
		const struct day_list_row *row = &l.rows[i];
		struct booking g;

		assert_int_equal(csv_next(&reader, rec), CSV_RECORD);
		assert_int_equal(rec->count, 13);
		assert_int_equal(booking_get(&f->ctx, &f->op, rec->field[11], &g, NULL), AG_OK);
		assert_string_equal(rec->field[0], row->date_text);
		assert_int_equal(date_parse(rec->field[0], &g.day) ? g.day : -1, row->day);
		assert_string_equal(rec->field[2], "RM");
		assert_string_equal(rec->field[3], g.numero_pratica);
		assert_string_equal(rec->field[5], row->cognome);
		assert_string_equal(rec->field[6], row->nome);
		assert_string_equal(rec->field[10], g.state == APPOINTMENT_CONFIRMED ? "confermato"
		                                    : g.state == APPOINTMENT_MOVED   ? "spostato"
		                                                                     : "annullato");
		assert_string_equal(rec->field[12], "2026-05-04T09:00:00");
		if (i > 0) /* sorted by date, time */
			assert_true(l.rows[i - 1].day * 1440 + l.rows[i - 1].minute <=
			            row->day * 1440 + row->minute);
	}
	assert_string_equal(l.rows[1].cognome, "D'Àngelo; \"Jr\"");
	assert_string_equal(l.rows[1].nome, "Mary\nAnn");
	assert_int_equal(csv_next(&reader, rec), CSV_END);
	/* CRLF record ends; the line break inside the quoted name stays a bare LF. */
	assert_non_null(strstr(csv, "\"Mary\nAnn\""));
	assert_non_null(strstr(csv, "\"D'Àngelo; \"\"Jr\"\"\""));
	free(csv);
	free(rec);
	day_list_free(&l);
}

/* Code points of one line. */
static size_t columns(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static void text_fits_a_page_with_200_appointments(void **state)
{
	struct fixture *f = *state;
	struct day_list l;
	struct booking b;
	char *text, *csv;
	int lines = 0;

	fixture_capacity(f, MAY4, 40, 20);
	for (int i = 0; i < 200; i++) {
		struct practice p = {0};

		snprintf(p.numero_pratica, sizeof p.numero_pratica, "RM/2026/%06d", 100 + i);
		snprintf(p.cognome, sizeof p.cognome, "CÔTÉ-VILLANUEVA DE LAS ÁGUILAS Y %d", i);
		snprintf(p.nome, sizeof p.nome, "Zoë Marie-Thérèse");
		p.data_nascita = date_from_ymd(1990, 1, 1);
		snprintf(p.nazionalita, sizeof p.nazionalita, "Perù");
		snprintf(p.tipo, sizeof p.tipo, "lavoro");
		snprintf(p.questura, sizeof p.questura, "RM");
		assert_int_equal(practice_upsert(&f->ctx, &p, NULL), AG_OK);
		assert_int_equal(practice_lookup(&f->ctx, &f->op, p.numero_pratica, NULL, &p, NULL),
		                 AG_OK);
		book(f, p.id, &b);
	}
	assert_int_equal(day_list_load(&f->ctx, MAY4, "RM", &l, NULL), AG_OK);
	assert_int_equal(l.count, 200);
	l.version = 2; /* the longest heading: a RETTIFICA */
	text = day_list_text(&l, "Reggio nell'Emilia");
	assert_non_null(text);
	for (char *p = text, *nl; *p; p = nl + 1) {
		assert_non_null(nl = strchr(p, '\n'));
		assert_true(columns(p, (size_t)(nl - p)) <= DAY_LIST_TEXT_COLUMNS);
		lines++;
	}
	assert_true(lines <= DAY_LIST_TEXT_LINES);
	assert_true(lines >= DAY_LIST_TEXT_LINES - 1);
	assert_non_null(strstr(text, ": elenco completo nel file allegato\n"));
	assert_non_null(strstr(text, "CÔTÉ-VILLANUEVA DE LAS ÁGUILAS Y 0  confermato\n")); /* cut */
	csv = day_list_csv(&l);
	assert_non_null(csv);
	{
		int records = 0;

		for (char *p = csv; (p = strstr(p, "\r\n")); p += 2)
			records++;
		assert_int_equal(records, 201); /* header + every appointment, no summary row */
	}
	free(csv);
	free(text);
	day_list_free(&l);
}

static void send_empty_and_a_questura_without_email(void **state)
{
	struct fixture *f = *state;
	struct questura mi = {.code = "MI", .name = "Questura di Milano", .city = "Milano"};
	struct day_close_report r;
	struct outbox_item it;
	struct booking a;

	assert_int_equal(questura_put(&f->ctx, "test", &mi, NULL), AG_OK);
	book(f, f->practice_lavoro, &a);
	/* Without send_empty Milano (no appointments) gets nothing. */
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4 - 3, &r, NULL), AG_OK);
	assert_int_equal(r.versions, 0);
	assert_int_equal(fixture_sql(f, "INSERT INTO setting VALUES('day_close.send_empty', '1')"),
	                 SQLITE_OK);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, NULL), AG_OK);
	/* Roma: its list; Milano: "nessun appuntamento" recorded, but it has no address. */
	assert_int_equal(r.versions, 2);
	assert_int_equal(r.messages, 1);
	assert_int_equal(r.without_email, 1);
	assert_string_equal(r.no_email[0], "MI");
	assert_int_equal(count(f, "SELECT count(*) FROM day_list WHERE questura = 'MI' AND"
	                          " appointments = 0 AND cancellations = 0"),
	                 1);
	/* With an address, the empty list goes out. */
	snprintf(mi.email, sizeof mi.email, "questura.mi@example.test");
	assert_int_equal(questura_put(&f->ctx, "test", &mi, NULL), AG_OK);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4 + 1, &r, NULL), AG_OK);
	assert_int_equal(r.messages, 2); /* Roma and Milano, both empty that day */
	assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE recipient ="
	                          " 'questura.mi@example.test' AND body GLOB"
	                          " '*nessun appuntamento*'"),
	                 1);
	next_message(f, &it);
	assert_string_equal(it.recipient, "questura.rm@example.test");
	outbox_item_clear(&it);
}

/* A store error anywhere in the close (here: the message) leaves no close, list or message. */
static void failed_message_rolls_the_whole_close_back(void **state)
{
	struct fixture *f = *state;
	struct day_close_report r;
	struct booking a;
	agenda_detail why;

	book(f, f->practice_lavoro, &a);
	assert_int_equal(fixture_sql(f, "CREATE TRIGGER no_mail BEFORE INSERT ON outbox BEGIN"
	                                " SELECT RAISE(ABORT, 'disk trouble'); END"),
	                 SQLITE_OK);
	assert_int_not_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, &why), AG_OK);
	assert_int_equal(r.messages, 0);
	assert_int_equal(count(f, "SELECT count(*) FROM day_close"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM day_list"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM journal WHERE kind = 'close_day'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action IN"
	                          " ('close_day', 'day_list')"),
	                 0);
	/* Once the store works the close goes through whole. */
	assert_int_equal(fixture_sql(f, "DROP TRIGGER no_mail"), SQLITE_OK);
	assert_int_equal(booking_close_day(&f->ctx, &f->op, MAY4, &r, NULL), AG_OK);
	assert_int_equal(r.version, 1);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 1);
	/* A late cancel whose RETTIFICA cannot be written is not done either. */
	assert_int_equal(fixture_sql(f, "CREATE TRIGGER no_mail BEFORE INSERT ON outbox BEGIN"
	                                " SELECT RAISE(ABORT, 'disk trouble'); END"),
	                 SQLITE_OK);
	assert_int_not_equal(booking_cancel(&f->ctx, &f->op, a.id, "errore", NULL), AG_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM appointment WHERE state = 'confirmed'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM day_list"), 1);
}

static void automatic_close_at_the_close_time(void **state)
{
	struct fixture *f = *state;
	struct day_close_report r;
	struct booking a;
	bool closed;

	/* Nothing booked: nothing to close, even late. */
	f->now = clock_epoch_of(MAY4, 19 * 60);
	assert_int_equal(day_close_due(&f->ctx, &r, &closed, NULL), AG_OK);
	assert_false(closed);
	f->now = clock_epoch_of(MAY4, 9 * 60);
	book(f, f->practice_lavoro, &a);
	f->now = clock_epoch_of(MAY4, 17 * 60 + 59);
	assert_int_equal(day_close_due(&f->ctx, &r, &closed, NULL), AG_OK);
	assert_false(closed);
	f->now = clock_epoch_of(MAY4, 18 * 60);
	assert_int_equal(day_close_due(&f->ctx, &r, &closed, NULL), AG_OK);
	assert_true(closed);
	assert_int_equal(r.day, MAY4);
	assert_int_equal(r.messages, 1);
	assert_int_equal(count(f, "SELECT count(*) FROM day_close WHERE operator_id IS NULL"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE actor = 'sistema' AND"
	                          " action IN ('close_day', 'day_list')"),
	                 2);
	assert_int_equal(day_close_due(&f->ctx, &r, &closed, NULL), AG_OK);
	assert_false(closed);
}

static void automatic_close_catches_up_and_follows_the_setting(void **state)
{
	struct fixture *f = *state;
	struct day_close_report r;
	struct booking a, b;
	bool closed;

	book(f, f->practice_lavoro, &a);
	f->now = clock_epoch_of(MAY4 + 1, 10 * 60);
	book(f, f->practice_famiglia, &b);
	assert_int_equal(fixture_sql(f, "INSERT INTO setting VALUES('day_close.time', '12:30')"),
	                 SQLITE_OK);
	/* The device was off on the evening of the 4th: next morning it closes the 4th only. */
	assert_int_equal(day_close_due(&f->ctx, &r, &closed, NULL), AG_OK);
	assert_true(closed);
	assert_int_equal(r.day, MAY4);
	assert_int_equal(day_close_due(&f->ctx, &r, &closed, NULL), AG_OK);
	assert_false(closed);
	f->now = clock_epoch_of(MAY4 + 1, 12 * 60 + 30);
	assert_int_equal(day_close_due(&f->ctx, &r, &closed, NULL), AG_OK);
	assert_true(closed);
	assert_int_equal(r.day, MAY4 + 1);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(close_writes_version_one_and_its_message),
	        T(closing_again_without_change_queues_nothing),
	        T(late_cancel_writes_exactly_one_rettifica),
	        T(newer_rettifica_replaces_the_waiting_one_never_the_original),
	        T(late_changes_from_every_path),
	        T(csv_lines_equal_the_appointments),
	        T(text_fits_a_page_with_200_appointments),
	        T(send_empty_and_a_questura_without_email),
	        T(failed_message_rolls_the_whole_close_back),
	        T(automatic_close_at_the_close_time),
	        T(automatic_close_catches_up_and_follows_the_setting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
