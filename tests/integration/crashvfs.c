/*
 * crashvfs.c — the power-cut VFS shim (see crashvfs.h). Test code only.
 *
 * Bookkeeping is per file name, not per handle: fsync makes an inode durable whichever
 * descriptor asks, and data written through a handle that was closed without a sync is as
 * volatile as any other. Temporary files (no name) and the -shm index are not tracked: SQLite
 * rebuilds the WAL index after a crash and temporary files do not survive one.
 */
#include "crashvfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PATHS 16
#define SECTOR    512

struct event {
	int path;
	int truncate;           /* 1: truncate to `size`; 0: write `len` bytes at `offset` */
	sqlite3_int64 offset;   /* write offset, or truncate size */
	int len;                /* bytes written */
	unsigned char *data;    /* the bytes written */
	sqlite3_int64 old_size; /* file size before */
	int old_len;            /* bytes of the old content saved */
	unsigned char *old;     /* what was there before (write range, or the truncated tail) */
};

struct cv_file {
	sqlite3_file base;
	int path; /* index in paths, -1 when not tracked */
	sqlite3_file *real;
};

static sqlite3_vfs *orig;
static sqlite3_vfs vfs;
static sqlite3_io_methods io;
static char *paths[MAX_PATHS];
static int path_count;
static struct event *events;
static long event_count, event_cap;
static long steps, armed_at;
static enum crashvfs_mode mode;
static uint64_t draw;
static crashvfs_report_fn report;
static int lying_disk;

static uint64_t next(void)
{
	draw ^= draw << 13;
	draw ^= draw >> 7;
	draw ^= draw << 17;
	return draw;
}

static void put(int fd, const unsigned char *buf, int len, sqlite3_int64 off)
{
	if (len > 0 && pwrite(fd, buf, (size_t)len, (off_t)off) != len)
		_exit(CRASHVFS_EXIT + 1);
}

static void resize(int fd, sqlite3_int64 size)
{
	if (ftruncate(fd, (off_t)size) != 0)
		_exit(CRASHVFS_EXIT + 1);
}

/* Puts back what was durable, then lays the surviving unsynced writes on top. */
static void cut_path(int path, long *lost, long *kept, long *torn)
{
	int fd = open(paths[path], O_RDWR);
	long n = 0, prefix;

	if (fd < 0)
		return; /* deleted since: nothing to restore */
	for (long i = event_count - 1; i >= 0; i--) {
		struct event *e = &events[i];

		if (e->path != path)
			continue;
		n++;
		if (e->truncate) {
			resize(fd, e->old_size);
			put(fd, e->old, e->old_len, e->offset);
		} else {
			put(fd, e->old, e->old_len, e->offset);
			resize(fd, e->old_size);
		}
	}
	prefix = n ? (long)(next() % (uint64_t)(n + 1)) : 0;
	for (long i = 0, k = 0; i < event_count; i++) {
		struct event *e = &events[i];
		int survive;

		if (e->path != path)
			continue;
		survive = mode == CRASHVFS_RANDOM_WRITES ? (int)(next() & 1)
		          : mode == CRASHVFS_PREFIX      ? k < prefix
		                                         : mode == CRASHVFS_TORN_SECTORS;
		k++;
		if (!survive) {
			(*lost)++;
			continue;
		}
		if (e->truncate) {
			resize(fd, e->offset);
			(*kept)++;
		} else if (mode != CRASHVFS_TORN_SECTORS) {
			put(fd, e->data, e->len, e->offset);
			(*kept)++;
		} else {
			int pieces = 0, whole = 1;

			for (int at = 0; at < e->len; at += SECTOR) {
				int len = e->len - at < SECTOR ? e->len - at : SECTOR;

				if (next() & 1) {
					put(fd, e->data + at, len, e->offset + at);
					pieces++;
				} else {
					whole = 0;
				}
			}
			if (whole)
				(*kept)++;
			else if (pieces)
				(*torn)++;
			else
				(*lost)++;
		}
	}
	close(fd);
}

_Noreturn void crashvfs_cut(void)
{
	long lost = 0, kept = 0, torn = 0;

	for (int p = 0; p < path_count; p++)
		cut_path(p, &lost, &kept, &torn);
	if (report)
		report(lost, kept, torn);
	_exit(CRASHVFS_EXIT);
}

static void step(void)
{
	if (++steps == armed_at)
		crashvfs_cut();
}

static int path_index(const char *name)
{
	for (int i = 0; i < path_count; i++)
		if (strcmp(paths[i], name) == 0)
			return i;
	if (path_count == MAX_PATHS)
		abort();
	paths[path_count] = strdup(name);
	return path_count++;
}

static int record(struct cv_file *f, int truncate, sqlite3_int64 offset, const void *data, int len)
{
	struct event *e;
	sqlite3_int64 size = 0;
	int rc = f->real->pMethods->xFileSize(f->real, &size);

	if (rc != SQLITE_OK)
		return rc;
	if (event_count == event_cap) {
		struct event *bigger =
		        realloc(events, sizeof *events * (size_t)(event_cap * 2 + 64));

		if (!bigger)
			return SQLITE_NOMEM;
		events = bigger;
		event_cap = event_cap * 2 + 64;
	}
	e = &events[event_count];
	memset(e, 0, sizeof *e);
	e->path = f->path;
	e->truncate = truncate;
	e->offset = offset;
	e->old_size = size;
	if (truncate)
		e->old_len = size > offset ? (int)(size - offset) : 0;
	else
		e->old_len = size > offset ? (int)(size - offset < len ? size - offset : len) : 0;
	e->len = truncate ? 0 : len;
	e->old = malloc((size_t)e->old_len + 1);
	e->data = malloc((size_t)e->len + 1);
	if (!e->old || !e->data)
		return SQLITE_NOMEM;
	if (e->len)
		memcpy(e->data, data, (size_t)len);
	if (e->old_len) {
		rc = f->real->pMethods->xRead(f->real, e->old, e->old_len, offset);
		if (rc != SQLITE_OK)
			return rc;
	}
	event_count++;
	return SQLITE_OK;
}

static void forget(int path)
{
	long j = 0;

	for (long i = 0; i < event_count; i++) {
		if (events[i].path == path) {
			free(events[i].data);
			free(events[i].old);
		} else {
			events[j++] = events[i];
		}
	}
	event_count = j;
}

static int cv_close(sqlite3_file *p)
{
	struct cv_file *f = (struct cv_file *)p;

	return f->real->pMethods->xClose(f->real);
}

static int cv_read(sqlite3_file *p, void *buf, int amt, sqlite3_int64 off)
{
	struct cv_file *f = (struct cv_file *)p;

	return f->real->pMethods->xRead(f->real, buf, amt, off);
}

static int cv_write(sqlite3_file *p, const void *buf, int amt, sqlite3_int64 off)
{
	struct cv_file *f = (struct cv_file *)p;

	if (f->path >= 0) {
		int rc;

		step();
		if ((rc = record(f, 0, off, buf, amt)) != SQLITE_OK)
			return rc;
	}
	return f->real->pMethods->xWrite(f->real, buf, amt, off);
}

static int cv_truncate(sqlite3_file *p, sqlite3_int64 size)
{
	struct cv_file *f = (struct cv_file *)p;

	if (f->path >= 0) {
		int rc = record(f, 1, size, NULL, 0);

		if (rc != SQLITE_OK)
			return rc;
	}
	return f->real->pMethods->xTruncate(f->real, size);
}

static int cv_sync(sqlite3_file *p, int flags)
{
	struct cv_file *f = (struct cv_file *)p;
	int rc;

	if (f->path >= 0)
		step();
	rc = f->real->pMethods->xSync(f->real, flags);
	if (rc == SQLITE_OK && f->path >= 0 && !lying_disk)
		forget(f->path);
	return rc;
}

#define FORWARD(name, proto, args)                                                                 \
	static int cv_##name proto                                                                 \
	{                                                                                          \
		struct cv_file *f = (struct cv_file *)p;                                           \
		return f->real->pMethods->x##name args;                                            \
	}

FORWARD(FileSize, (sqlite3_file * p, sqlite3_int64 *size), (f->real, size))
FORWARD(Lock, (sqlite3_file * p, int lock), (f->real, lock))
FORWARD(Unlock, (sqlite3_file * p, int lock), (f->real, lock))
FORWARD(CheckReservedLock, (sqlite3_file * p, int *out), (f->real, out))
FORWARD(FileControl, (sqlite3_file * p, int op, void *arg), (f->real, op, arg))
FORWARD(SectorSize, (sqlite3_file * p), (f->real))
FORWARD(DeviceCharacteristics, (sqlite3_file * p), (f->real))
FORWARD(ShmMap, (sqlite3_file * p, int page, int size, int extend, void volatile **out),
        (f->real, page, size, extend, out))
FORWARD(ShmLock, (sqlite3_file * p, int offset, int n, int flags), (f->real, offset, n, flags))
FORWARD(ShmUnmap, (sqlite3_file * p, int del), (f->real, del))
FORWARD(Fetch, (sqlite3_file * p, sqlite3_int64 off, int amt, void **out), (f->real, off, amt, out))
FORWARD(Unfetch, (sqlite3_file * p, sqlite3_int64 off, void *page), (f->real, off, page))

static void cv_shm_barrier(sqlite3_file *p)
{
	struct cv_file *f = (struct cv_file *)p;

	f->real->pMethods->xShmBarrier(f->real);
}

static int cv_open(sqlite3_vfs *v, const char *name, sqlite3_file *p, int flags, int *out_flags)
{
	struct cv_file *f = (struct cv_file *)p;
	int rc;

	(void)v;
	f->real = (sqlite3_file *)(f + 1);
	f->path = -1;
	rc = orig->xOpen(orig, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK || !f->real->pMethods) {
		p->pMethods = NULL;
		return rc;
	}
	if (name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL)))
		f->path = path_index(name);
	p->pMethods = &io;
	return SQLITE_OK;
}

static int cv_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
	(void)v;
	for (int i = 0; i < path_count; i++)
		if (strcmp(paths[i], name) == 0)
			forget(i);
	return orig->xDelete(orig, name, sync_dir);
}

static int cv_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return orig->xAccess(orig, name, flags, out);
}

static int cv_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return orig->xFullPathname(orig, name, n, out);
}

int crashvfs_register(void)
{
	orig = sqlite3_vfs_find(NULL);
	if (!orig)
		return -1;
	vfs = *orig; /* randomness, sleep, time, dlopen: the real ones */
	vfs.szOsFile = (int)sizeof(struct cv_file) + orig->szOsFile;
	vfs.zName = "crashvfs";
	vfs.pNext = NULL;
	vfs.xOpen = cv_open;
	vfs.xDelete = cv_delete;
	vfs.xAccess = cv_access;
	vfs.xFullPathname = cv_full_pathname;
	io = (sqlite3_io_methods){3,
	                          cv_close,
	                          cv_read,
	                          cv_write,
	                          cv_truncate,
	                          cv_sync,
	                          cv_FileSize,
	                          cv_Lock,
	                          cv_Unlock,
	                          cv_CheckReservedLock,
	                          cv_FileControl,
	                          cv_SectorSize,
	                          cv_DeviceCharacteristics,
	                          cv_ShmMap,
	                          cv_ShmLock,
	                          cv_shm_barrier,
	                          cv_ShmUnmap,
	                          cv_Fetch,
	                          cv_Unfetch};
	return sqlite3_vfs_register(&vfs, 1) == SQLITE_OK ? 0 : -1;
}

void crashvfs_arm(long at, enum crashvfs_mode m, uint64_t seed)
{
	armed_at = at;
	mode = m;
	draw = seed * 0x9E3779B97F4A7C15ull + 1;
}

void crashvfs_lying_disk(int on)
{
	lying_disk = on;
}

long crashvfs_steps(void)
{
	return steps;
}

long crashvfs_pending(void)
{
	return event_count;
}

void crashvfs_on_cut(crashvfs_report_fn fn)
{
	report = fn;
}
