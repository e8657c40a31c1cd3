/*
 * worklist_test.c — the counter's worklist on a real SQLite file (services/worklist.h): items
 * are added with an audit record, listed open first, marked done once by an operator (not a
 * tecnico), and each kind has its Italian sentence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "core/messages.h"
#include "services/worklist.h"

struct seen {
	int n;
	int64_t ids[8];
	bool done[8];
};

static void collect(void *arg, const struct worklist_item *it)
{
	struct seen *s = arg;

	if (s->n < 8) {
		s->ids[s->n] = it->id;
		s->done[s->n++] = it->done_at != 0;
	}
}

static void add_list_done(void **state)
{
	struct fixture *f = *state;
	struct seen s = {0};
	int64_t a, b, c, open;
	agenda_detail why;

	assert_int_equal(worklist_add(&f->ctx, "closure", "11111111-1111-4111-8111-111111111111",
	                              "RM/2026/000001", NULL, &a, &why),
	                 AG_OK);
	assert_int_equal(worklist_add(&f->ctx, "withdrawn", NULL, "RM/2026/000002", "x", &b, &why),
	                 AG_OK);
	assert_int_equal(worklist_add(&f->ctx, "slot_taken", NULL, NULL, NULL, &c, &why), AG_OK);
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'worklist_add'"), 3);
	assert_int_equal(worklist_done(&f->ctx, &f->op, a, &why), AG_OK);
	assert_int_equal(worklist_done(&f->ctx, &f->op, a, &why), AG_ERR_EXISTS);
	assert_int_equal(worklist_done(&f->ctx, &f->op, 999, &why), AG_ERR_NOT_FOUND);
	assert_non_null(strstr(why.it, "999"));
	assert_int_equal(worklist_open_count(&f->ctx, &open, NULL), AG_OK);
	assert_int_equal(open, 2);
	assert_int_equal(worklist_list(&f->ctx, false, collect, &s, NULL), AG_OK);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ids[0], b); /* open first, oldest first */
	assert_int_equal(s.ids[1], c);
	assert_int_equal(s.ids[2], a);
	assert_true(s.done[2]);
	memset(&s, 0, sizeof s);
	assert_int_equal(worklist_list(&f->ctx, true, collect, &s, NULL), AG_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM worklist WHERE id = 1"
	                                  " AND done_by = 'mario.rossi' AND done_at > 0"),
	                 1);
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'worklist_done'"), 1);
}

static void bad_input_and_tecnico_refused(void **state)
{
	struct fixture *f = *state;
	struct session tech;
	char password[PASSWORD_MAX];
	int64_t id;

	assert_int_equal(worklist_add(&f->ctx, "Closure!", NULL, NULL, NULL, NULL, NULL),
	                 AG_ERR_INVALID);
	assert_int_equal(worklist_add(&f->ctx, "", NULL, NULL, NULL, NULL, NULL), AG_ERR_INVALID);
	assert_int_equal(worklist_add(&f->ctx, "closure", NULL, NULL, "a\nb", NULL, NULL),
	                 AG_ERR_INVALID);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM worklist"), 0);
	assert_int_equal(worklist_add(&f->ctx, "closure", NULL, NULL, NULL, &id, NULL), AG_OK);
	assert_int_equal(operator_add(&f->ctx, "test", "tec.nico", ROLE_TECNICO, password, NULL),
	                 AG_OK);
	assert_int_equal(session_login(&f->ctx, "tec.nico", password, &tech, NULL), AG_OK);
	assert_int_equal(worklist_done(&f->ctx, &tech, id, NULL), AG_ERR_REFUSED);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM worklist WHERE done_at IS NULL"),
	                 1);
}

static void every_kind_has_words(void **state)
{
	(void)state;
	assert_int_equal(worklist_kind_message("closure"), MSG_WORKLIST_CLOSURE);
	assert_int_equal(worklist_kind_message("withdrawn"), MSG_WORKLIST_WITHDRAWN);
	assert_int_equal(worklist_kind_message("duplicate_practice"), MSG_WORKLIST_DUPLICATE);
	assert_int_equal(worklist_kind_message("lease_expired"), MSG_WORKLIST_LEASE_EXPIRED);
	assert_int_equal(worklist_kind_message("slot_taken"), MSG_WORKLIST_SLOT_TAKEN);
	assert_int_equal(worklist_kind_message("invalid"), MSG_WORKLIST_OTHER);
	assert_non_null(strstr(msg_get(MSG_WORKLIST_CLOSURE, LANG_IT), "Questura"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(add_list_done),
	        T(bad_input_and_tecnico_refused),
	        T(every_kind_has_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
