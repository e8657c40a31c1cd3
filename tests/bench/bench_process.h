/*
 * bench_process.h — the benchmarks that drive real programs (agenda-central, agendactl): run
 * one to completion (stdout dropped or captured), start `agenda-central serve` on a free port
 * and stop it with SIGTERM. posix_spawn, no shell. Header-only, like bench_util.h.
 */
#ifndef AGENDA_BENCH_PROCESS_H
#define AGENDA_BENCH_PROCESS_H

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct bench_server {
	pid_t pid;
	int port;
};

/* Runs argv to completion, its stdout to /dev/null; 0 when it exits 0. */
static inline int bench_run(char *const argv[])
{
	posix_spawn_file_actions_t actions;
	pid_t pid;
	int status, rc;

	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (rc != 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Starts `serve --dir DIR --listen 127.0.0.1:0` and reads the port from its first line. */
static inline int bench_serve_start(const char *binary, const char *dir, struct bench_server *s)
{
	char *argv[] = {(char *)binary, "serve",       "--dir", (char *)dir,
	                "--listen",     "127.0.0.1:0", NULL};
	posix_spawn_file_actions_t actions;
	int out[2];
	FILE *f;
	int rc;

	if (pipe(out) != 0)
		return -1;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&actions, out[0]);
	rc = posix_spawn(&s->pid, binary, &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(out[1]);
	if (rc != 0) {
		close(out[0]);
		return -1;
	}
	/* the rest of stdout is never read: serve writes one line, then only on stderr */
	f = fdopen(out[0], "r");
	rc = f && fscanf(f, "%d", &s->port) == 1 && s->port > 0 ? 0 : -1;
	if (f)
		fclose(f);
	return rc;
}

static inline void bench_serve_stop(const struct bench_server *s)
{
	int status;

	kill(s->pid, SIGTERM);
	waitpid(s->pid, &status, 0);
}

/* Runs argv, its stdout into out (NUL-terminated); 0 when it exits 0. */
static inline int bench_run_capture(char *const argv[], char *out, size_t size)
{
	posix_spawn_file_actions_t actions;
	size_t used = 0;
	ssize_t got;
	int pipe_fds[2], status, rc;
	pid_t pid;

	if (pipe(pipe_fds) != 0)
		return -1;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
	rc = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(pipe_fds[1]);
	while (rc == 0 && used + 1 < size &&
	       (got = read(pipe_fds[0], out + used, size - 1 - used)) > 0)
		used += (size_t)got;
	out[used] = '\0';
	close(pipe_fds[0]);
	if (rc != 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The machine's load when the run starts: these figures move with it. */
static inline void bench_print_load(void)
{
	char line[128] = "?";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (!fgets(line, sizeof line, f))
			line[0] = '\0';
		fclose(f);
	}
	printf("cores online %ld, load average %s", sysconf(_SC_NPROCESSORS_ONLN), line);
}

#endif
