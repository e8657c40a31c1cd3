/*
 * device_files_test.c — the device's identity files and the factory reset: certificates are
 * replaced whole and stay 0600 whatever the umask, with no temporary left behind; a file others
 * can read is refused; the data folder is the database's; the factory reset needs the exact
 * device id and then deletes the keys, certificates, the database with -wal/-shm and its key,
 * and nothing else in the folder. Real files in a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>

#include "fixture.h"
#include "sync/device_files.h"
#include "sync/factory_reset.h"

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void data_dir_is_the_database_folder(void **state)
{
	char dir[PATH_MAX];

	(void)state;
	device_files_data_dir("/var/lib/agenda/agenda.db", dir, sizeof dir);
	assert_string_equal(dir, "/var/lib/agenda");
	device_files_data_dir("agenda.db", dir, sizeof dir);
	assert_string_equal(dir, ".");
	device_files_data_dir("/agenda.db", dir, sizeof dir);
	assert_string_equal(dir, "/");
}

static void replace_is_whole_private_and_leaves_no_temporary(void **state)
{
	char dir[] = "/tmp/agenda-files-XXXXXX", path[64], *text = NULL;
	struct stat st;
	mode_t old = umask(0); /* the widest umask: modes must not depend on it */

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/device.pem", dir);
	assert_int_equal(device_file_replace(path, "first\n", NULL), AG_OK);
	assert_int_equal(device_file_replace(path, "second certificate\n", NULL), AG_OK);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(device_file_read(path, &text, NULL), AG_OK);
	assert_string_equal(text, "second certificate\n");
	free(text);
	assert_int_equal(count_entries(dir), 1); /* no device.pem.XXXXXX left */
	/* a folder that cannot be written: refused, the detail names the file */
	agenda_detail why;
	char missing[96];
	snprintf(missing, sizeof missing, "%s/nope/device.pem", dir);
	assert_int_equal(device_file_replace(missing, "x", &why), AG_ERR_IO);
	assert_non_null(strstr(why.it, missing));
	unlink(path);
	rmdir(dir);
}

static void exposed_or_missing_files_are_not_read(void **state)
{
	char dir[] = "/tmp/agenda-files-XXXXXX", path[64], *text = NULL;
	agenda_detail why;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/ca.pem", dir);
	assert_int_equal(device_file_read(path, &text, &why), AG_ERR_NOT_FOUND);
	assert_int_equal(device_file_replace(path, "ca\n", NULL), AG_OK);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(device_file_read(path, &text, &why), AG_ERR_REFUSED);
	assert_null(text);
	assert_non_null(strstr(why.it, "chmod 600"));
	unlink(path);
	rmdir(dir);
}

static void touch(const char *dir, const char *name)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("x", f);
	fclose(f);
}

static void factory_reset_needs_the_exact_id(void **state)
{
	struct fixture *f = *state;

	assert_false(factory_reset_confirms(&f->ctx, NULL));
	assert_false(factory_reset_confirms(&f->ctx, ""));
	assert_true(factory_reset_confirms(&f->ctx, f->ctx.device_id));
	char lower[DEVICE_ID_MAX];
	snprintf(lower, sizeof lower, "%s", f->ctx.device_id);
	lower[0] = lower[0] == 'x' ? 'y' : 'x';
	assert_false(factory_reset_confirms(&f->ctx, lower));
}

static void factory_reset_deletes_identity_and_data_only(void **state)
{
	struct fixture *f = *state;
	char path[160];
	int removed = 0;

	touch(f->dir, "device.key");
	touch(f->dir, "device.pem");
	touch(f->dir, "ca.pem");
	touch(f->dir, "agenda.db-wal"); /* as a crash would leave it */
	touch(f->dir, "printer.log");   /* not the device's identity or data: kept */
	agenda_ctx_close(&f->ctx);
	assert_int_equal(factory_reset_wipe(f->path, &removed, NULL), AG_OK);
	assert_true(removed >= 6); /* 3 identity files, the database, its key, its -wal */
	assert_int_equal(count_entries(f->dir), 1);
	snprintf(path, sizeof path, "%s/printer.log", f->dir);
	assert_int_equal(access(path, F_OK), 0);
	/* run again (a cut wipe): nothing left to do, still fine */
	assert_int_equal(factory_reset_wipe(f->path, &removed, NULL), AG_OK);
	assert_int_equal(removed, 0);
	/* the fixture's teardown closes the context again: give it a fresh one */
	agenda_rng rng;
	rng_close(f->rng_state);
	assert_int_equal(rng_open_seeded(&rng, &f->rng_state, 7), AG_OK);
	assert_int_equal(agenda_ctx_open_with(&f->ctx, f->path, STORE_OPEN_CREATE,
	                                      clock_fixed(&f->now), rng, NULL),
	                 AG_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(data_dir_is_the_database_folder),
	        cmocka_unit_test(replace_is_whole_private_and_leaves_no_temporary),
	        cmocka_unit_test(exposed_or_missing_files_are_not_read),
	        cmocka_unit_test_setup_teardown(factory_reset_needs_the_exact_id, fixture_setup,
	                                        fixture_teardown),
	        cmocka_unit_test_setup_teardown(factory_reset_deletes_identity_and_data_only,
	                                        fixture_setup, fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
