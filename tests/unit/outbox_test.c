/*
 * outbox_test.c — the mail sender's side of the outbox on a real SQLite file: the next message
 * due (order, back-off, body and attachment), sent with the server's reply, failed and tried
 * again later, given up after the back-off's limit and retried by a person; a generated
 * password's body kept until the message is sent and gone from the file and its WAL once it is;
 * states surviving a process that dies without closing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/wait.h>

#include "core/backoff.h"
#include "core/text.h"
#include "fixture.h"
#include "services/outbox.h"

static const char PASSWORD[] = "Zq7vK3mPx9Tw"; /* stands for a generated one */

/* Queues one message (kind, topic may be NULL) at the fixture's time; returns its id. */
static int64_t queue(struct fixture *f, const char *kind, const char *topic, const char *body,
                     const char *attachment)
{
	static int serial;
	char message_id[64];
	struct outbox_message m = {.kind = kind,
	                           .topic = topic,
	                           .message_id = message_id,
	                           .recipient = "dirigente@example.test",
	                           .subject = "Oggetto",
	                           .body = body,
	                           .attachment_name = attachment ? "lista.csv" : NULL,
	                           .attachment = attachment};

	snprintf(message_id, sizeof message_id, "<m%d@test.agenda>", ++serial);
	assert_int_equal(store_begin(f->ctx.store, NULL), AG_OK);
	assert_int_equal(outbox_queue(&f->ctx, &m, NULL), AG_OK);
	assert_int_equal(store_commit(f->ctx.store, NULL), AG_OK);
	return sqlite3_last_insert_rowid(store_db(f->ctx.store));
}

static int64_t due_id(struct fixture *f, int64_t now)
{
	struct outbox_item it;
	agenda_err err = outbox_next_due(&f->ctx, now, &it, NULL);
	int64_t id = err == AG_OK ? it.id : -(int64_t)err;

	outbox_item_clear(&it);
	return id;
}

static struct outbox_item get(struct fixture *f, int64_t id)
{
	struct outbox_item it;

	assert_int_equal(outbox_get(&f->ctx, id, &it, NULL), AG_OK);
	return it;
}

static long long password_rows(struct fixture *f)
{
	char sql[160];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE instr(body, '%s')", PASSWORD);
	return fixture_count(f, sql);
}

/* Occurrences of needle in a file (0 when absent). */
static int file_hits(const char *path, const char *needle)
{
	FILE *in = fopen(path, "rb");
	size_t n = strlen(needle), len = 0;
	char *buf = NULL;
	int hits = 0;
	long size;

	if (!in)
		return 0;
	fseek(in, 0, SEEK_END);
	size = ftell(in);
	rewind(in);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	len = fread(buf, 1, (size_t)size, in);
	fclose(in);
	for (size_t i = 0; i + n <= len; i++)
		hits += memcmp(buf + i, needle, n) == 0;
	free(buf);
	return hits;
}

static int on_disk(struct fixture *f, const char *needle)
{
	char wal[128];

	snprintf(wal, sizeof wal, "%s-wal", f->path);
	return file_hits(f->path, needle) + file_hits(wal, needle);
}

/* ---- next due -------------------------------------------------------------------------- */

static void next_due_oldest_first_with_body(void **state)
{
	struct fixture *f = *state;
	struct outbox_item it;
	int64_t a, b;

	assert_int_equal(outbox_next_due(&f->ctx, f->now, &it, NULL), AG_ERR_NOT_FOUND);
	a = queue(f, "day_list", NULL, "Lista del giorno", "id;ora\n1;09:00\n");
	b = queue(f, "notice", NULL, "Avviso àèé", NULL);
	assert_int_equal(outbox_next_due(&f->ctx, f->now, &it, NULL), AG_OK);
	assert_int_equal(it.id, a);
	assert_string_equal(it.body, "Lista del giorno");
	assert_int_equal(it.body_bytes, strlen("Lista del giorno"));
	assert_string_equal(it.attachment, "id;ora\n1;09:00\n");
	assert_string_equal(it.attachment_name, "lista.csv");
	assert_string_equal(it.state, "queued");
	assert_string_equal(it.recipient, "dirigente@example.test");
	assert_int_equal(it.attempts, 0);
	assert_int_equal(it.created_at, f->now);
	outbox_item_clear(&it);
	assert_null(it.body);
	assert_null(it.attachment);
	/* a message without an attachment has none */
	assert_int_equal(outbox_mark_sent(&f->ctx, a, "250 ok", NULL), AG_OK);
	assert_int_equal(outbox_next_due(&f->ctx, f->now, &it, NULL), AG_OK);
	assert_int_equal(it.id, b);
	assert_string_equal(it.body, "Avviso àèé");
	assert_int_equal(it.body_bytes, strlen("Avviso àèé")); /* bytes, not characters */
	assert_null(it.attachment);
	outbox_item_clear(&it);
}

/* A failing message waits its turn; the others go meanwhile (no head-of-line blocking). */
static void failed_attempt_waits_for_next_try(void **state)
{
	struct fixture *f = *state;
	struct outbox_item it;
	int64_t a = queue(f, "notice", NULL, "uno", NULL),
	        b = queue(f, "notice", NULL, "due", NULL);
	int64_t next;

	assert_int_equal(due_id(f, f->now), a);
	assert_false(backoff_next(&BACKOFF_MAIL, 1, f->now, &next));
	assert_int_equal(next, f->now + 60);
	assert_int_equal(
	        outbox_mark_failed(&f->ctx, a, "421 4.7.0 Try again later", next, false, NULL),
	        AG_OK);
	it = get(f, a);
	assert_string_equal(it.state, "queued");
	assert_int_equal(it.attempts, 1);
	assert_int_equal(it.next_try, f->now + 60);
	assert_string_equal(it.reply, "421 4.7.0 Try again later");
	assert_string_equal(it.last_error, "421 4.7.0 Try again later");
	assert_int_equal(due_id(f, f->now), b);
	assert_int_equal(outbox_mark_sent(&f->ctx, b, "250 2.0.0 Ok: queued as 4F2", NULL), AG_OK);
	assert_int_equal(due_id(f, f->now + 59), -AG_ERR_NOT_FOUND);
	assert_int_equal(due_id(f, f->now + 60), a);
	/* after a later success the reply is the server's last word, the failure stays on record */
	assert_int_equal(outbox_mark_sent(&f->ctx, a, "250 2.0.0 Ok", NULL), AG_OK);
	it = get(f, a);
	assert_string_equal(it.state, "sent");
	assert_string_equal(it.reply, "250 2.0.0 Ok");
	assert_string_equal(it.last_error, "421 4.7.0 Try again later");
	assert_int_equal(it.sent_at, f->now);
	assert_int_equal(it.attempts, 1);
}

static void sent_once_only(void **state)
{
	struct fixture *f = *state;
	int64_t a = queue(f, "notice", NULL, "uno", NULL);
	agenda_detail why;
	char sql[200];

	assert_int_equal(outbox_mark_sent(&f->ctx, a, "250 ok", NULL), AG_OK);
	assert_int_equal(outbox_mark_sent(&f->ctx, a, "250 ok", &why), AG_ERR_REFUSED);
	assert_non_null(strstr(why.it, "sent"));
	assert_int_equal(outbox_mark_failed(&f->ctx, a, "x", f->now, false, NULL), AG_ERR_REFUSED);
	assert_int_equal(outbox_mark_sent(&f->ctx, 9999, "250 ok", &why), AG_ERR_NOT_FOUND);
	assert_non_null(strstr(why.it, "9999"));
	assert_int_equal(outbox_retry(&f->ctx, "tecnico", a, &why), AG_ERR_REFUSED);
	assert_non_null(strstr(why.en, "already sent"));
	assert_int_equal(outbox_retry(&f->ctx, "tecnico", 9999, NULL), AG_ERR_NOT_FOUND);
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM audit WHERE action = 'mail_sent' AND actor = 'mail'"
	         " AND subject = 'outbox:%lld' AND detail = 'kind=notice failed_attempts=0'",
	         (long long)a);
	assert_int_equal(fixture_count(f, sql), 1);
	assert_int_equal(due_id(f, f->now + 86400), -AG_ERR_NOT_FOUND);
}

/* The back-off's limit: the message is left failed, audited, until a person retries it. */
static void give_up_then_retry(void **state)
{
	struct fixture *f = *state;
	int64_t a = queue(f, "notice", NULL, "uno", NULL), now = f->now, next = 0;
	struct outbox_item it;
	int attempts = 0;
	int pending;

	while (!backoff_next(&BACKOFF_MAIL, ++attempts, now, &next)) {
		assert_int_equal(due_id(f, now), a);
		assert_int_equal(
		        outbox_mark_failed(&f->ctx, a, "Connection refused", next, false, NULL),
		        AG_OK);
		now = next;
	}
	assert_int_equal(outbox_mark_failed(&f->ctx, a, "Connection refused", 0, true, NULL),
	                 AG_OK);
	it = get(f, a);
	assert_string_equal(it.state, "failed");
	assert_int_equal(it.attempts, BACKOFF_MAIL.max_attempts);
	assert_int_equal(due_id(f, now + 365 * 86400), -AG_ERR_NOT_FOUND);
	assert_int_equal(outbox_pending(&f->ctx, &pending, NULL), AG_OK);
	assert_int_equal(pending, 0);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action ="
	                                  " 'mail_given_up' AND detail = 'kind=notice"
	                                  " failed_attempts=30'"),
	                 1);
	/* a failed message is not the sender's to mark */
	assert_int_equal(outbox_mark_sent(&f->ctx, a, "250", NULL), AG_ERR_REFUSED);

	assert_int_equal(outbox_retry(&f->ctx, "mario.rossi", a, NULL), AG_OK);
	it = get(f, a);
	assert_string_equal(it.state, "queued");
	assert_int_equal(it.attempts, 0); /* the back-off starts over */
	assert_int_equal(it.next_try, f->now);
	assert_string_equal(it.reply, "Connection refused"); /* kept for the record */
	assert_int_equal(due_id(f, f->now), a);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'mail_retry'"
	                                  " AND actor = 'mario.rossi'"),
	                 1);
	/* retrying a queued message brings it forward */
	assert_int_equal(outbox_mark_failed(&f->ctx, a, "421", f->now + 600, false, NULL), AG_OK);
	assert_int_equal(outbox_retry(&f->ctx, "mario.rossi", a, NULL), AG_OK);
	assert_int_equal(due_id(f, f->now), a);
}

/* A hostile or broken server's reply is kept bounded and valid UTF-8. */
static void reply_is_bounded_and_valid_text(void **state)
{
	struct fixture *f = *state;
	int64_t a = queue(f, "notice", NULL, "uno", NULL);
	char reply[2000];
	struct outbox_item it;

	memset(reply, 'r', sizeof reply - 1);
	reply[sizeof reply - 1] = '\0';
	reply[5] = (char)0xff;
	assert_int_equal(outbox_mark_failed(&f->ctx, a, reply, f->now, false, NULL), AG_OK);
	it = get(f, a);
	assert_true(strlen(it.reply) < OUTBOX_REPLY_MAX);
	assert_true(text_is_utf8(it.reply, strlen(it.reply)));
	assert_non_null(strstr(it.reply, "\xef\xbf\xbd"));
	assert_true(fixture_count(f, "SELECT max(length(CAST(reply AS BLOB))) FROM outbox") <
	            OUTBOX_REPLY_MAX);
	/* no reply at all (connection refused before a greeting) */
	assert_int_equal(outbox_mark_failed(&f->ctx, a, NULL, f->now, false, NULL), AG_OK);
	assert_string_equal(get(f, a).reply, "");
}

/* ---- the password body --------------------------------------------------------------- */

static void password_kept_until_sent_then_gone_from_disk(void **state)
{
	struct fixture *f = *state;
	char body[128];
	struct outbox_item it;
	int64_t a;

	snprintf(body, sizeof body, "Password per giulia.neri:\n    %s\n", PASSWORD);
	a = queue(f, "password", "password:giulia.neri", body, NULL);
	/* never wiped before it is sent: failed attempts, giving up, retrying keep it */
	assert_int_equal(outbox_mark_failed(&f->ctx, a, "421", f->now, false, NULL), AG_OK);
	assert_int_equal(password_rows(f), 1);
	assert_int_equal(outbox_mark_failed(&f->ctx, a, "550", 0, true, NULL), AG_OK);
	assert_int_equal(password_rows(f), 1);
	assert_int_equal(outbox_retry(&f->ctx, "tecnico", a, NULL), AG_OK);
	assert_int_equal(password_rows(f), 1);
	assert_int_equal(outbox_next_due(&f->ctx, f->now, &it, NULL), AG_OK);
	assert_string_equal(it.body, body);
	outbox_item_clear(&it);
	/* showing a message never shows its body */
	it = get(f, a);
	assert_null(it.body);
	assert_int_equal(it.body_bytes, strlen(body));
	assert_true(on_disk(f, PASSWORD) > 0);

	assert_int_equal(outbox_mark_sent(&f->ctx, a, "250 2.0.0 Ok", NULL), AG_OK);
	assert_int_equal(password_rows(f), 0);
	assert_int_equal(fixture_count(f, "SELECT length(body) FROM outbox"), 0);
	assert_int_equal(on_disk(f, PASSWORD), 0); /* neither the file nor its WAL */
	/* and no copy in the audit */
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE instr(detail ||"
	                                  " subject, 'Zq7vK3mPx9Tw')"),
	                 0);
}

/* Another kind's body is the record of what was sent: it stays. */
static void other_bodies_stay_after_sending(void **state)
{
	struct fixture *f = *state;
	int64_t a = queue(f, "day_list", NULL, "Lista del giorno", NULL);

	assert_int_equal(outbox_mark_sent(&f->ctx, a, "250", NULL), AG_OK);
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM outbox WHERE body = 'Lista del giorno'"), 1);
}

/* ---- listing, crash ------------------------------------------------------------------ */

struct listing {
	int n;
	int64_t ids[8];
	int stop_after;
};

static bool collect(const struct outbox_item *it, void *arg)
{
	struct listing *l = arg;

	assert_null(it->body);
	l->ids[l->n++] = it->id;
	return l->n != l->stop_after;
}

static void list_by_state(void **state)
{
	struct fixture *f = *state;
	int64_t a = queue(f, "notice", NULL, "uno", NULL),
	        b = queue(f, "notice", NULL, "due", NULL),
	        c = queue(f, "notice", NULL, "tre", NULL);
	struct listing l = {0};

	assert_int_equal(outbox_mark_sent(&f->ctx, b, "250", NULL), AG_OK);
	assert_int_equal(outbox_mark_failed(&f->ctx, c, "550", 0, true, NULL), AG_OK);
	assert_int_equal(outbox_list(&f->ctx, NULL, collect, &l, NULL), AG_OK);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.ids[0], a);
	assert_int_equal(l.ids[2], c);
	memset(&l, 0, sizeof l);
	assert_int_equal(outbox_list(&f->ctx, "queued", collect, &l, NULL), AG_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.ids[0], a);
	memset(&l, 0, sizeof l);
	assert_int_equal(outbox_list(&f->ctx, "failed", collect, &l, NULL), AG_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.ids[0], c);
	memset(&l, 0, sizeof l);
	l.stop_after = 2;
	assert_int_equal(outbox_list(&f->ctx, NULL, collect, &l, NULL), AG_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(outbox_get(&f->ctx, 999, &(struct outbox_item){0}, NULL),
	                 AG_ERR_NOT_FOUND);
}

/* A sender that marks and dies without closing: the next process sees every state. */
static void states_survive_a_killed_sender(void **state)
{
	struct fixture *f = *state;
	char body[96];
	int64_t a, b, c;
	agenda_rng rng = f->ctx.rng;
	pid_t pid;
	int status;

	snprintf(body, sizeof body, "password %s", PASSWORD);
	a = queue(f, "password", "password:x", body, NULL);
	b = queue(f, "notice", NULL, "due", NULL);
	c = queue(f, "notice", NULL, "tre", NULL);
	agenda_ctx_close(&f->ctx);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		agenda_ctx ctx;
		struct rng_state *rs;

		if (rng_open_seeded(&rng, &rs, 9) != AG_OK ||
		    agenda_ctx_open_with(&ctx, f->path, STORE_OPEN_EXISTING, clock_fixed(&f->now),
		                         rng, NULL) != AG_OK ||
		    outbox_mark_sent(&ctx, a, "250 a", NULL) != AG_OK ||
		    outbox_mark_failed(&ctx, b, "421 b", f->now + 60, false, NULL) != AG_OK ||
		    outbox_mark_failed(&ctx, c, "550 c", 0, true, NULL) != AG_OK)
			_exit(1);
		_exit(0); /* no close */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(agenda_ctx_open_with(&f->ctx, f->path, STORE_OPEN_EXISTING,
	                                      clock_fixed(&f->now), rng, NULL),
	                 AG_OK);
	assert_string_equal(get(f, a).state, "sent");
	assert_string_equal(get(f, a).reply, "250 a");
	assert_int_equal(password_rows(f), 0);
	assert_string_equal(get(f, b).state, "queued");
	assert_int_equal(get(f, b).next_try, f->now + 60);
	assert_string_equal(get(f, c).state, "failed");
	assert_int_equal(due_id(f, f->now), -AG_ERR_NOT_FOUND);
	assert_int_equal(due_id(f, f->now + 60), b);
}

/*
 * A RETTIFICA replaced while the sender has its predecessor on the wire: SQLite gives the
 * deleted row's id to the replacement, so a sender marking by id alone would mark the new,
 * unsent version sent. Marking by id and Message-ID leaves it queued.
 */
static void replaced_message_keeps_its_successor_queued(void **state)
{
	struct fixture *f = *state;
	struct outbox_item taken;
	int64_t first = queue(f, "day_list", "rettifica:2026-05-04:RM", "v2", NULL), second;

	assert_int_equal(outbox_next_due(&f->ctx, f->now, &taken, NULL), AG_OK);
	outbox_item_clear(&taken);
	second = queue(f, "day_list", "rettifica:2026-05-04:RM", "v3", NULL);
	assert_int_equal(second, first); /* the id came back: what the check is for */
	assert_int_equal(outbox_mark_sent_as(&f->ctx, first, taken.message_id, "250 ok", NULL),
	                 AG_ERR_NOT_FOUND);
	assert_int_equal(
	        outbox_mark_failed_as(&f->ctx, first, taken.message_id, "451", f->now, false, NULL),
	        AG_ERR_NOT_FOUND);
	assert_string_equal(get(f, second).state, "queued");
	assert_int_equal(get(f, second).attempts, 0);
	assert_string_not_equal(get(f, second).message_id, taken.message_id);
	{
		struct outbox_item now = get(f, second);

		assert_int_equal(
		        outbox_mark_sent_as(&f->ctx, second, now.message_id, "250 ok", NULL),
		        AG_OK);
	}
	assert_string_equal(get(f, second).state, "sent");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(next_due_oldest_first_with_body),
	        T(failed_attempt_waits_for_next_try),
	        T(sent_once_only),
	        T(give_up_then_retry),
	        T(reply_is_bounded_and_valid_text),
	        T(password_kept_until_sent_then_gone_from_disk),
	        T(other_bodies_stay_after_sending),
	        T(list_by_state),
	        T(states_survive_a_killed_sender),
	        T(replaced_message_keeps_its_successor_queued),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
