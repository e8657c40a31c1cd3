/*
 * store_admin.h — the tables of agenda-central's admin verbs (migration 3), in the domain's
 * words: Questure and their calendars (patron saint, closures), capacity, practices imported
 * from the SPI's CSV, operator accounts and central's outbox. One sub-table of operations per
 * backend (store_sqlite_admin.c, store_pg_admin.c), arguments checked once (store_admin.c).
 *
 * Every call runs in the caller's transaction when one is open (central_store_begin), else in
 * its own. Times are unix seconds from the caller's clock; days are core/date.h day numbers.
 */
#ifndef AGENDA_CENTRAL_STORE_ADMIN_H
#define AGENDA_CENTRAL_STORE_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "account/account.h"
#include "core/calendar.h"
#include "core/practice_row.h"
#include "store.h"

#define CENTRAL_QUESTURA_NAME_MAX 96
/* A Questura's address for the end-of-day lists; it must fit the device's (questure.h). */
#define CENTRAL_QUESTURA_EMAIL_MAX 127
#define CENTRAL_NOTE_MAX           255 /* bytes of UTF-8, as agendactl's notes */

typedef struct central_questura {
	char code[CENTRAL_QUESTURA_CODE_MAX + 1];
	char name[CENTRAL_QUESTURA_NAME_MAX + 1];
	int patron_month; /* 0: none on file */
	int patron_day;
	char email[CENTRAL_QUESTURA_EMAIL_MAX + 1]; /* "" until given: no end-of-day email */
} central_questura;

typedef struct central_operator {
	char username[USERNAME_MAX];
	enum operator_role role;
	char site[CENTRAL_SITE_CODE_MAX + 1];
	int failures;
	int64_t locked_until; /* 0: not locked */
	int64_t created_at, updated_at;
} central_operator;

/* One message to queue; topic (may be NULL) replaces the waiting message of the same topic. */
typedef struct central_mail {
	const char *kind; /* "password" */
	const char *topic;
	const char *message_id;
	const char *recipient;
	const char *subject;
	const char *body;
	int64_t created_at;
} central_mail;

/* A message as listed: never its body, only how long it is. */
typedef struct central_outbox_item {
	int64_t id;
	char message_id[160];
	char kind[24];
	char topic[64];
	char recipient[CENTRAL_EMAIL_MAX + 1];
	char subject[256];
	char state[8]; /* "queued", "sent", "failed" */
	int attempts;
	int64_t created_at, next_try, sent_at; /* sent_at 0: not sent */
	size_t body_bytes;
} central_outbox_item;

/* What a backend implements (the caller has checked arguments and holds a transaction). */
typedef struct central_admin_ops {
	/* AG_ERR_NOT_FOUND when there is no such Questura. */
	agenda_err (*set_patron)(central_store *s, const char *code, int month, int day,
	                         agenda_detail *why);
	/* Every Questura by code into a malloc'd array. */
	agenda_err (*list_questure)(central_store *s, central_questura **out, size_t *count,
	                            agenda_detail *why);
	/* Patron and closures of code in [from, to], exceptions malloc'd into rules. */
	agenda_err (*calendar)(central_store *s, const char *code, agenda_day from, agenda_day to,
	                       struct cal_rules *rules, agenda_detail *why);
	/* Records the exception; a closure deletes that day's free pool slots (*removed) and
	 * counts those devices hold (*held). */
	agenda_err (*put_closure)(central_store *s, const char *code, agenda_day day, bool open,
	                          const char *note, size_t *removed, size_t *held,
	                          agenda_detail *why);
	/* Upserts rows by numero_pratica; taken[i] true when row i's visa is another practice's
	 * (that row is not written). *written counts the rows written. */
	agenda_err (*upsert_practices)(central_store *s, const struct practice_row *rows, size_t n,
	                               int64_t now, bool *taken, size_t *written,
	                               agenda_detail *why);
	agenda_err (*add_operator)(central_store *s, const central_operator *op, const char *hash,
	                           agenda_detail *why);
	agenda_err (*get_operator)(central_store *s, const char *username, central_operator *out,
	                           agenda_detail *why);
	/* New hash (NULL: keep it) and the lock cleared; AG_ERR_NOT_FOUND for no such user. */
	agenda_err (*reset_operator)(central_store *s, const char *username, const char *hash,
	                             int64_t now, agenda_detail *why);
	/* site NULL: every site. */
	agenda_err (*list_operators)(central_store *s, const char *site, central_operator **out,
	                             size_t *count, agenda_detail *why);
	agenda_err (*queue_mail)(central_store *s, const central_mail *m, agenda_detail *why);
	agenda_err (*list_outbox)(central_store *s, central_outbox_item **out, size_t *count,
	                          agenda_detail *why);
	/* After a commit that deleted secrets: leaves no copy in the backend's files it can
	 * remove (SQLite: the WAL is checkpointed and emptied). */
	void (*forget_deleted)(central_store *s);
	/* delivering the outbox (issue 13, store_outbox.h) */
	const struct central_outbox_ops *outbox;
} central_admin_ops;

extern const central_admin_ops central_sqlite_admin_ops;
extern const central_admin_ops central_pg_admin_ops;

/* A Questura with its calendar: code a known province, name 1..96 bytes of printable UTF-8,
 * patron (0/0: none) a valid day. AG_ERR_EXISTS when the code is taken. */
agenda_err central_store_add_questura_full(central_store *s, const central_questura *q,
                                           agenda_detail *why);
/* Sets (or with "" clears) where a Questura's end-of-day lists go, and tells the devices. */
agenda_err central_store_set_questura_email(central_store *s, const char *code, const char *email,
                                            agenda_detail *why);
agenda_err central_store_list_questure(central_store *s, central_questura **out, size_t *count,
                                       agenda_detail *why);

/* Calendar rules of a Questura for [from, to] (free with central_calendar_free). */
agenda_err central_store_calendar(central_store *s, const char *code, agenda_day from,
                                  agenda_day to, struct cal_rules *rules, agenda_detail *why);
void central_calendar_free(struct cal_rules *rules);

/* A closure (open false) or an extra opening day (open true); note NULL or checked text. */
agenda_err central_store_put_closure(central_store *s, const char *code, agenda_day day, bool open,
                                     const char *note, size_t *removed, size_t *held,
                                     agenda_detail *why);

/* See central_admin_ops.upsert_practices; rows already checked by practice_row_parse. */
agenda_err central_store_upsert_practices(central_store *s, const struct practice_row *rows,
                                          size_t n, int64_t now, bool *taken, size_t *written,
                                          agenda_detail *why);

/* AG_ERR_EXISTS (user taken), AG_ERR_NOT_FOUND (no such site), AG_ERR_INVALID (name, role). */
agenda_err central_store_add_operator(central_store *s, const central_operator *op,
                                      const char *hash, agenda_detail *why);
agenda_err central_store_get_operator(central_store *s, const char *username, central_operator *out,
                                      agenda_detail *why);
agenda_err central_store_reset_operator(central_store *s, const char *username, const char *hash,
                                        int64_t now, agenda_detail *why);
agenda_err central_store_list_operators(central_store *s, const char *site, central_operator **out,
                                        size_t *count, agenda_detail *why);

agenda_err central_store_queue_mail(central_store *s, const central_mail *m, agenda_detail *why);
agenda_err central_store_list_outbox(central_store *s, central_outbox_item **out, size_t *count,
                                     agenda_detail *why);
void central_store_forget_deleted(central_store *s);

#endif
