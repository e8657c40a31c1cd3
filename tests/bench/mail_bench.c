/*
 * mail_bench.c — what SMTP costs against composing: 100 end-of-day messages (a body and a
 * 30-row CSV each) composed only, then drained through mail_drain to tests/tools/smtp_server.py
 * on loopback (STARTTLS + AUTH, libcurl on mbedTLS) over one kept session, then with a new
 * session (connection, TLS handshake, AUTH) per message. Prints the times and the ratios.
 * Needs /usr/bin/python3 with aiosmtpd and the openssl command (smtp_certs.sh). Always exits 0
 * unless something fails to start.
 */
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "sync/mail_message.h"
#include "sync/mail_sender.h"

#define MESSAGES 100

extern char **environ;

struct bench_outbox {
	char message_id[MESSAGES][96];
	bool sent[MESSAGES];
	const char *body, *csv;
};

static agenda_err next_due(void *outbox, int64_t now, struct mail_item *item, agenda_detail *why)
{
	struct bench_outbox *o = outbox;

	(void)now;
	(void)why;
	for (int i = 0; i < MESSAGES; i++)
		if (!o->sent[i]) {
			item->id = i;
			item->message_id = o->message_id[i];
			item->kind = "day_list";
			item->recipient = "questura@example.it";
			item->subject =
			        "Agenda Elettronica - Sportello Unico per l'Immigrazione di Forlì "
			        "- "
			        "Questura di Forlì-Cesena - appuntamenti fissati il 04/05/2026";
			item->body = o->body;
			item->attachment_name = "appuntamenti_FO_2026-05-04_v1.csv";
			item->attachment = o->csv;
			return AG_OK;
		}
	return AG_ERR_NOT_FOUND;
}

static void release(void *outbox, struct mail_item *item)
{
	(void)outbox;
	memset(item, 0, sizeof *item);
}

static agenda_err mark_sent(void *outbox, int64_t id, const char *reply, agenda_detail *why)
{
	(void)reply;
	(void)why;
	((struct bench_outbox *)outbox)->sent[id] = true;
	return AG_OK;
}

static agenda_err mark_failed(void *outbox, int64_t id, const char *reply, int64_t next_try,
                              bool give_up, agenda_detail *why)
{
	(void)next_try;
	(void)give_up;
	(void)why;
	fprintf(stderr, "mail_bench: message %" PRId64 " failed: %s\n", id, reply);
	((struct bench_outbox *)outbox)->sent[id] = true; /* not retried within the bench */
	return AG_OK;
}

static const struct mail_outbox_ops OPS = {next_due, release, mark_sent, mark_failed};

static void text_of_a_day(char *body, size_t body_size, char *csv, size_t csv_size)
{
	size_t b = 0, c = 0;

	b += (size_t)snprintf(body + b, body_size - b,
	                      "Sportello Unico per l'Immigrazione di Forlì\nappuntamenti: 30\n\n");
	c += (size_t)snprintf(csv + c, csv_size - c,
	                      "\xef\xbb\xbf"
	                      "data_appuntamento;ora;questura;numero_pratica;"
	                      "cognome;nome;stato\r\n");
	for (int i = 0; i < 30; i++) {
		b += (size_t)snprintf(body + b, body_size - b,
		                      "05/05/2026 %02d:%02d FO-%04d NGUYỄN Văn Anh confermato\n",
		                      9 + i / 4, i % 4 * 15, i);
		c += (size_t)snprintf(
		        csv + c, csv_size - c,
		        "2026-05-05;%02d:%02d;FO;FO-%04d;NGUYỄN;Văn Anh;confermato\r\n", 9 + i / 4,
		        i % 4 * 15, i);
	}
}

static pid_t start_server(const char *dir, int *port)
{
	char script[1024], cert[1024], key[1024], maildir[1024], line[32];
	char *argv[] = {"/usr/bin/python3",
	                script,
	                "--mode",
	                "starttls",
	                "--cert",
	                cert,
	                "--key",
	                key,
	                "--port",
	                "0",
	                "--maildir",
	                maildir,
	                "--user",
	                "agenda",
	                "--password",
	                "bench",
	                NULL};
	posix_spawn_file_actions_t actions;
	int pipe_fd[2];
	pid_t pid;
	FILE *out;

	snprintf(script, sizeof script, "%s/tests/tools/smtp_server.py", AGENDA_SOURCE_DIR);
	snprintf(cert, sizeof cert, "%s/server.pem", dir);
	snprintf(key, sizeof key, "%s/server.key", dir);
	snprintf(maildir, sizeof maildir, "%s/mail", dir);
	if (pipe(pipe_fd) != 0)
		return -1;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, pipe_fd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&actions, pipe_fd[0]);
	if (posix_spawn(&pid, argv[0], &actions, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&actions);
	close(pipe_fd[1]);
	out = fdopen(pipe_fd[0], "r");
	if (pid < 0 || !out || !fgets(line, sizeof line, out))
		return -1;
	*port = atoi(line);
	/* the pipe stays open (the server may print "up"/"down"): leaked until exit on purpose */
	return pid;
}

static double drain_ms(const struct smtp_settings *cfg, bool session_per_message)
{
	static struct bench_outbox o;
	static char body[8192], csv[8192];
	int64_t now = 1777887000;
	agenda_clock clock = clock_fixed(&now);
	struct mail_drain_report report;
	agenda_detail why;
	int64_t start;
	int sent = 0;

	memset(&o, 0, sizeof o);
	text_of_a_day(body, sizeof body, csv, sizeof csv);
	o.body = body;
	o.csv = csv;
	for (int i = 0; i < MESSAGES; i++)
		snprintf(o.message_id[i], sizeof o.message_id[i],
		         "<elenco.20260504.FO.v%d.dev7@forli.agenda-elettronica.it>", i + 1);
	start = bench_ns();
	if (session_per_message) {
		for (int i = 0; i < MESSAGES; i++) {
			smtp_session *s = smtp_session_new();

			mail_drain(&OPS, &o, s, cfg, &clock, 1, &report, &why);
			sent += report.sent;
			smtp_session_free(s);
		}
	} else {
		smtp_session *s = smtp_session_new();

		mail_drain(&OPS, &o, s, cfg, &clock, 0, &report, &why);
		sent = report.sent;
		smtp_session_free(s);
	}
	if (sent != MESSAGES)
		fprintf(stderr, "mail_bench: only %d of %d sent (%s)\n", sent, MESSAGES,
		        report.last.reply);
	return (double)(bench_ns() - start) / 1e6;
}

int main(void)
{
	char dir[512], command[1200];
	static char body[8192], csv[8192];
	struct smtp_settings cfg = {0};
	double compose_ms, one_session_ms, per_message_ms;
	int64_t start;
	int port = 0;
	pid_t server;

	bench_tempdir(dir, sizeof dir);
	snprintf(command, sizeof command, "sh %s/tests/tools/smtp_certs.sh %s", AGENDA_SOURCE_DIR,
	         dir);
	if (system(command) != 0 || (server = start_server(dir, &port)) < 0) {
		fprintf(stderr, "mail_bench: cannot start the test SMTP server\n");
		return 1;
	}

	text_of_a_day(body, sizeof body, csv, sizeof csv);
	start = bench_ns();
	for (int i = 0; i < MESSAGES; i++) {
		char id[96], *out = NULL;
		size_t len;
		agenda_detail why;
		struct mail_message m = {.message_id = id,
		                         .from = "agenda@forli.example.it",
		                         .from_name = "Sportello Unico di Forlì",
		                         .to = "questura@example.it",
		                         .subject = "Agenda Elettronica - Forlì - appuntamenti",
		                         .body = body,
		                         .attachment_name = "appuntamenti.csv",
		                         .attachment = csv,
		                         .attachment_type = "text/csv",
		                         .date = 1777887000};

		snprintf(id, sizeof id, "<elenco.v%d@forli.agenda-elettronica.it>", i);
		mail_compose(&m, &out, &len, &why);
		free(out);
	}
	compose_ms = (double)(bench_ns() - start) / 1e6;

	snprintf(cfg.host, sizeof cfg.host, "localhost");
	cfg.port = port;
	snprintf(cfg.user, sizeof cfg.user, "agenda");
	snprintf(cfg.password, sizeof cfg.password, "bench");
	snprintf(cfg.from, sizeof cfg.from, "agenda@forli.example.it");
	snprintf(cfg.ca_file, sizeof cfg.ca_file, "%s/ca.pem", dir);
	one_session_ms = drain_ms(&cfg, false);
	per_message_ms = drain_ms(&cfg, true);

	printf("mail_bench: %d messages (body + 30-row CSV), STARTTLS + AUTH on loopback\n",
	       MESSAGES);
	printf("  compose only:               %8.1f ms (%.3f ms/message)\n", compose_ms,
	       compose_ms / MESSAGES);
	printf("  drain, one session:         %8.1f ms (%.2f ms/message)\n", one_session_ms,
	       one_session_ms / MESSAGES);
	printf("  drain, a session each:      %8.1f ms (%.2f ms/message)\n", per_message_ms,
	       per_message_ms / MESSAGES);
	printf("  ratio one session / compose: %.0fx; a session each / one session: %.1fx\n",
	       one_session_ms / compose_ms, per_message_ms / one_session_ms);
	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	snprintf(command, sizeof command, "rm -rf %s", dir);
	if (system(command) != 0)
		fprintf(stderr, "mail_bench: %s left behind\n", dir);
	return 0;
}
