/*
 * private_files_test.c — the device's files stay private and are created whole: every file
 * made under umask 0 or 022 is 0600 (its new folder 0700), a database that others can read is
 * refused with the chmod that fixes it, an empty path is refused, and several set-ups racing on
 * one missing file leave one database whose slots all belong to its one device id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "fixture.h"
#include "platform/private_file.h"

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void open_new(struct fixture *f, const char *path, agenda_ctx *ctx)
{
	agenda_rng rng;
	struct rng_state *rs;
	agenda_detail why;

	assert_int_equal(rng_open_seeded(&rng, &rs, 7), AG_OK);
	assert_int_equal(
	        agenda_ctx_open_with(ctx, path, STORE_OPEN_CREATE, clock_fixed(&f->now), rng, &why),
	        AG_OK);
	ctx->rng_state = rs; /* closed with the context */
}

static void files_are_private_whatever_the_umask(void **state)
{
	struct fixture *f = *state;
	static const mode_t UMASKS[] = {0, 022};
	char path[160], name[200];
	agenda_ctx ctx;

	for (size_t i = 0; i < sizeof UMASKS / sizeof UMASKS[0]; i++) {
		mode_t old = umask(UMASKS[i]);

		snprintf(path, sizeof path, "%s/new%zu/agenda.db", f->dir, i);
		open_new(f, path, &ctx);
		/* a write makes the -wal and -shm exist */
		assert_int_equal(store_setting_set(ctx.store, "site", "Roma", NULL), AG_OK);
		assert_int_equal(mode_of(path), 0600);
		for (const char *const *suffix =
		             (const char *const[]){"-wal", "-shm", ".key", NULL};
		     *suffix; suffix++) {
			snprintf(name, sizeof name, "%s%s", path, *suffix);
			assert_int_equal(mode_of(name), 0600);
		}
		snprintf(name, sizeof name, "%s/new%zu", f->dir, i);
		assert_int_equal(mode_of(name), 0700);
		agenda_ctx_close(&ctx);
		umask(old);
	}
	/* the helpers used by the printer's file outputs behave the same */
	umask(0);
	snprintf(name, sizeof name, "%s/slip.txt", f->dir);
	FILE *out = private_file_fopen(name, "w");
	assert_non_null(out);
	fclose(out);
	assert_int_equal(mode_of(name), 0600);
	umask(022);
}

/*
 * A device or pipe written through private_file_open keeps its mode: run as root, narrowing
 * /dev/null (a fuzz target's output) once broke every other program on the machine. A FIFO
 * stands in for the device, so a regression cannot harm this machine's /dev/null.
 */
static void devices_are_not_narrowed(void **state)
{
	struct fixture *f = *state;
	char fifo[160], plain[160];
	int fd;

	snprintf(fifo, sizeof fifo, "%s/printer.fifo", f->dir);
	snprintf(plain, sizeof plain, "%s/old.txt", f->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(chmod(fifo, 0666), 0);
	fd = private_file_open(fifo, O_RDWR | O_NONBLOCK);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mode_of(fifo), 0666);
	/* An older regular file is still narrowed. */
	fd = open(plain, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(plain, 0644), 0);
	fd = private_file_open(plain, O_WRONLY);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mode_of(plain), 0600);
}

static void readable_database_refused(void **state)
{
	struct fixture *f = *state;
	char wal[128];
	store *s = NULL;
	agenda_detail why;

	assert_int_equal(chmod(f->path, 0644), 0);
	assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &s, &why), AG_ERR_REFUSED);
	assert_null(s);
	assert_non_null(strstr(why.it, "chmod 600"));
	assert_non_null(strstr(why.it, f->path));
	assert_int_equal(chmod(f->path, 0600), 0);
	/* the WAL beside it counts too: it holds the same data */
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	assert_int_equal(chmod(wal, 0640), 0);
	assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &s, &why), AG_ERR_REFUSED);
	assert_non_null(strstr(why.it, "-wal"));
	assert_int_equal(chmod(wal, 0600), 0);
	assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &s, &why), AG_OK);
	store_close(s);
	/* and the device key */
	snprintf(wal, sizeof wal, "%s.key", f->path);
	assert_int_equal(chmod(wal, 0644), 0);
	agenda_ctx ctx;
	assert_int_equal(agenda_ctx_open_with(&ctx, f->path, STORE_OPEN_EXISTING,
	                                      clock_fixed(&f->now), f->ctx.rng, &why),
	                 AG_ERR_REFUSED);
	assert_non_null(strstr(why.it, ".key"));
	assert_int_equal(chmod(wal, 0600), 0);
}

static void empty_path_refused(void **state)
{
	struct fixture *f = *state;
	agenda_ctx ctx;
	agenda_detail why;
	store *s = NULL;

	assert_int_equal(store_open("", STORE_OPEN_CREATE, &s, &why), AG_ERR_USAGE);
	assert_non_null(strstr(why.it, "vuoto"));
	assert_int_equal(agenda_ctx_open_with(&ctx, "", STORE_OPEN_CREATE, clock_fixed(&f->now),
	                                      f->ctx.rng, &why),
	                 AG_ERR_USAGE);
}

/* One provisioning script: create the database if missing, then plan capacity. */
static void set_up_in_child(struct fixture *f, const char *path, int seed)
{
	struct questura q = {.code = "RM", .name = "Questura di Roma", .city = "Roma"};
	struct capacity_plan plan = {.from = date_from_ymd(2026, 5, 4),
	                             .to = date_from_ymd(2026, 5, 29),
	                             .weekdays = 0x1f,
	                             .first_minute = 9 * 60,
	                             .minutes_per_slot = 20,
	                             .slots_per_day = 4};
	struct capacity_report r;
	struct rng_state *rs;
	agenda_rng rng;
	agenda_ctx ctx;
	agenda_detail why;

	if (rng_open_seeded(&rng, &rs, (uint64_t)seed) != AG_OK)
		_exit(2);
	if (agenda_ctx_open_with(&ctx, path, STORE_OPEN_CREATE, clock_fixed(&f->now), rng, &why) !=
	    AG_OK) {
		fprintf(stderr, "child %d: %s\n", seed, why.en);
		_exit(3);
	}
	if (questura_put(&ctx, "test", &q, &why) != AG_OK ||
	    capacity_set(&ctx, "test", "RM", &plan, &r, &why) != AG_OK) {
		fprintf(stderr, "child %d: %s\n", seed, why.en);
		_exit(4);
	}
	agenda_ctx_close(&ctx);
	rng_close(rs);
	_exit(0);
}

static void racing_set_ups_leave_one_database(void **state)
{
	struct fixture *f = *state;
	enum { PROCESSES = 6, ROUNDS = 4 };
	char path[160], sql[200];

	for (int round = 0; round < ROUNDS; round++) {
		pid_t pid[PROCESSES];
		int status;
		agenda_ctx ctx;

		snprintf(path, sizeof path, "%s/race%d.db", f->dir, round);
		for (int i = 0; i < PROCESSES; i++) {
			pid[i] = fork();
			assert_true(pid[i] >= 0);
			if (pid[i] == 0)
				set_up_in_child(f, path, 1000 * round + i);
		}
		for (int i = 0; i < PROCESSES; i++) {
			assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
			assert_true(WIFEXITED(status));
			assert_int_equal(WEXITSTATUS(status), 0);
		}
		open_new(f, path, &ctx);
		/* every slot is held by the device id the file carries: all of them bookable */
		snprintf(sql, sizeof sql,
		         "SELECT count(*) FROM slot WHERE held_by <> '%s' OR state <> 'free'",
		         ctx.device_id);
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(store_db(ctx.store), sql, -1, &st, NULL),
		                 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 0);
		sqlite3_finalize(st);
		assert_int_equal(sqlite3_prepare_v2(store_db(ctx.store),
		                                    "SELECT count(*) FROM slot", -1, &st, NULL),
		                 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 20 * 4);
		sqlite3_finalize(st);
		agenda_ctx_close(&ctx);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(files_are_private_whatever_the_umask),
	        T(devices_are_not_narrowed),
	        T(readable_database_refused),
	        T(empty_path_refused),
	        T(racing_set_ups_leave_one_database),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
