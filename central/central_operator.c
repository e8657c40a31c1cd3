/*
 * central_operator.c — `agenda-central operator add|list|unlock|reset-password` and `outbox
 * list`: the accounts operators use at the counters, made centrally (the circular: "utenze
 * create centralmente con password generate").
 *
 * A password is generated and hashed by the device's rules (account/account.h: same alphabet,
 * length and Argon2id parameters) and its clear text goes to one place only: a message to the
 * site's Dirigente in central's outbox, queued in the same transaction as the account (the
 * sender arrives with the email issue). It is never printed, never logged, and wiped from
 * memory once queued. A reset replaces the message still waiting for that account (its topic),
 * so at most one clear password per account ever waits; on SQLite the replaced row is zeroed
 * and the WAL emptied (store_sqlite_admin.c). `outbox list` shows messages, never their text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_args.h"
#include "platform/clock.h"
#include "platform/rng.h"
#include "store_admin.h"

/* What one verb run needs for a password: the clock and a system RNG. */
struct password_run {
	agenda_clock clock;
	int64_t clock_storage;
	agenda_rng rng;
	struct rng_state *rng_state;
};

static int password_run_open(const struct central_cli *c, struct password_run *r)
{
	memset(r, 0, sizeof *r);
	if (clock_from_env(&r->clock, &r->clock_storage) != AG_OK)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_ARG, CLOCK_ENV);
	if (rng_open_system(&r->rng, &r->rng_state) != AG_OK)
		return central_fail_msg(c, AG_ERR_IO, MSG_RNG_FAILED);
	return CENTRAL_EXIT_OK;
}

/*
 * Gives username a new generated password: stored as its Argon2id hash (create: a new account
 * op, else the existing one), and queued in clear to the site's Dirigente, all in one
 * transaction. The clear text never leaves this function.
 */
static agenda_err set_password(central_store *s, const struct password_run *r, central_operator *op,
                               bool create, agenda_detail *why)
{
	char password[PASSWORD_MAX], hash[PASSWORD_HASH_ENCODED_MAX], uuid[37];
	char topic[48], message_id[96], subject[160], body[512];
	central_mail mail = {.kind = "password",
	                     .topic = topic,
	                     .message_id = message_id,
	                     .subject = subject,
	                     .body = body};
	central_site site = {0};
	int64_t now = clock_now(&r->clock);
	agenda_err err;

	if ((err = account_password_generate(&r->rng, password)) != AG_OK ||
	    (err = account_password_hash(&r->rng, password, hash)) != AG_OK ||
	    (err = rng_uuid(&r->rng, uuid)) != AG_OK) {
		agenda_detail_set(why, MSG_RNG_FAILED);
		goto done;
	}
	if ((err = central_store_begin(s, why)) != AG_OK)
		goto done;
	if (!create) {
		char username[USERNAME_MAX];

		/* get_operator fills op: the name it looks up must not be op's own buffer. */
		snprintf(username, sizeof username, "%s", op->username);
		err = central_store_get_operator(s, username, op, why);
	}
	if (err == AG_OK)
		err = central_store_get_site(s, op->site, &site, why);
	op->created_at = op->updated_at = now;
	if (err == AG_OK)
		err = create ? central_store_add_operator(s, op, hash, why)
		             : central_store_reset_operator(s, op->username, hash, now, why);
	snprintf(topic, sizeof topic, "password:%s", op->username);
	snprintf(message_id, sizeof message_id, "<password.%s@agenda-central>", uuid);
	snprintf(subject, sizeof subject, msg_get(MSG_OPERATOR_PASSWORD_SUBJECT, LANG_IT),
	         op->username);
	snprintf(body, sizeof body, msg_get(MSG_OPERATOR_PASSWORD_BODY, LANG_IT), site.city,
	         op->username, password);
	mail.recipient = site.dirigente;
	mail.created_at = now;
	if (err == AG_OK)
		err = central_store_queue_mail(s, &mail, why);
	if (err == AG_OK)
		err = central_store_commit(s, why);
	else
		central_store_rollback(s);
	if (err == AG_OK && !create)
		central_store_forget_deleted(s); /* the replaced message's bytes */
done:
	memset(password, 0, sizeof password);
	memset(body, 0, sizeof body);
	return err;
}

static json_t *operator_json(const central_operator *op, int64_t now)
{
	bool locked = op->locked_until > now;

	return json_pack("{s:s, s:s, s:s, s:i, s:b, s:I, s:I}", "username", op->username, "role",
	                 operator_role_name(op->role), "site", op->site, "failures", op->failures,
	                 "locked", locked, "locked_until",
	                 (json_int_t)(locked ? op->locked_until : 0), "created_at",
	                 (json_int_t)op->created_at);
}

/* add (create true) and reset-password. */
static int password_verb(const struct central_cli *c, int argc, char **argv, bool create)
{
	struct central_opt add[] = {{"--dir", true, 1, {0}, 0},
	                            {"--user", true, 1, {0}, 0},
	                            {"--role", true, 1, {0}, 0},
	                            {"--site", true, 1, {0}, 0}};
	struct central_opt reset[] = {{"--dir", true, 1, {0}, 0}, {"--user", true, 1, {0}, 0}};
	struct central_opt *o = create ? add : reset;
	central_operator op = {0};
	central_store *s = NULL;
	struct password_run run;
	agenda_detail why;
	int status = central_args_parse(c, argc, argv, o, create ? 4 : 2);

	if (status != CENTRAL_EXIT_OK)
		return status;
	snprintf(op.username, sizeof op.username, "%s", central_opt(&o[1]));
	if (create) {
		if (operator_username_check(central_opt(&o[1]), &why) != AG_OK)
			return central_fail(c, AG_ERR_INVALID, &why);
		if (!operator_role_parse(central_opt(&o[2]), &op.role))
			return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_ROLE,
			                        central_opt(&o[2]));
		snprintf(op.site, sizeof op.site, "%s", central_opt(&o[3]));
	} else if (strlen(central_opt(&o[1])) >= sizeof op.username) {
		return central_fail_msg(c, AG_ERR_NOT_FOUND, MSG_OPERATOR_NOT_FOUND,
		                        central_opt(&o[1]));
	}
	if ((status = password_run_open(c, &run)) != CENTRAL_EXIT_OK)
		return status;
	status = central_open_store(c, central_opt(&o[0]), &s);
	if (status == CENTRAL_EXIT_OK) {
		agenda_err err = set_password(s, &run, &op, create, &why);

		status = err == AG_OK ? CENTRAL_EXIT_OK : central_fail(c, err, &why);
	}
	central_store_close(s);
	rng_close(run.rng_state);
	if (status != CENTRAL_EXIT_OK)
		return status;
	if (c->json) {
		central_emit(json_pack("{s:s, s:s, s:s, s:b}", "username", op.username, "role",
		                       operator_role_name(op.role), "site", op.site,
		                       "password_mailed", true));
	} else {
		if (create)
			printf(msg_get(MSG_CENTRAL_OPERATOR_ADDED, c->lang), op.username,
			       operator_role_name(op.role), op.site);
		else
			printf(msg_get(MSG_CENTRAL_OPERATOR_RESET, c->lang), op.username, op.site);
		printf("\n");
	}
	return CENTRAL_EXIT_OK;
}

int central_operator_add(const struct central_cli *c, int argc, char **argv)
{
	return password_verb(c, argc, argv, true);
}

int central_operator_reset_password(const struct central_cli *c, int argc, char **argv)
{
	return password_verb(c, argc, argv, false);
}

int central_operator_unlock(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0}, {"--user", true, 1, {0}, 0}};
	central_store *s = NULL;
	int64_t seconds = 0;
	agenda_clock clock;
	agenda_detail why;
	agenda_err err;
	int status = central_args_parse(c, argc, argv, o, 2);

	if (status != CENTRAL_EXIT_OK)
		return status;
	if (clock_from_env(&clock, &seconds) != AG_OK)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_ARG, CLOCK_ENV);
	if ((status = central_open_store(c, central_opt(&o[0]), &s)) != CENTRAL_EXIT_OK)
		return status;
	err = central_store_reset_operator(s, central_opt(&o[1]), NULL, clock_now(&clock), &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	if (c->json) {
		central_emit(
		        json_pack("{s:s, s:b}", "username", central_opt(&o[1]), "unlocked", true));
	} else {
		printf(msg_get(MSG_CENTRAL_OPERATOR_UNLOCKED, c->lang), central_opt(&o[1]));
		printf("\n");
	}
	return CENTRAL_EXIT_OK;
}

int central_operator_list(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0}, {"--site", false, 1, {0}, 0}};
	central_operator *list = NULL;
	central_store *s = NULL;
	size_t count = 0;
	int64_t seconds = 0, now;
	agenda_clock clock;
	agenda_detail why;
	agenda_err err = AG_OK;
	int status = central_args_parse(c, argc, argv, o, 2);

	if (status != CENTRAL_EXIT_OK)
		return status;
	if (clock_from_env(&clock, &seconds) != AG_OK)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_ARG, CLOCK_ENV);
	now = clock_now(&clock);
	if ((status = central_open_store(c, central_opt(&o[0]), &s)) != CENTRAL_EXIT_OK)
		return status;
	if (central_opt(&o[1])) {
		central_site site;

		err = central_store_get_site(s, central_opt(&o[1]), &site, &why);
	}
	if (err == AG_OK)
		err = central_store_list_operators(s, central_opt(&o[1]), &list, &count, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	if (c->json) {
		json_t *array = json_array();

		for (size_t i = 0; i < count; i++)
			json_array_append_new(array, operator_json(&list[i], now));
		central_emit(json_pack("{s:o}", "operators", array));
	} else if (count == 0) {
		printf("%s\n", msg_get(MSG_CENTRAL_OPERATOR_NONE, c->lang));
	}
	for (size_t i = 0; i < count && !c->json; i++)
		printf("%-32s %-10s %-16s %d%s\n", list[i].username,
		       operator_role_name(list[i].role), list[i].site, list[i].failures,
		       list[i].locked_until > now ? " *" : "");
	free(list);
	return CENTRAL_EXIT_OK;
}

int central_outbox_list(const struct central_cli *c, int argc, char **argv)
{
	central_outbox_item *list = NULL;
	central_store *s = NULL;
	size_t count = 0;
	agenda_detail why;
	agenda_err err;
	int status = central_args_open_dir(c, argc, argv, &s);

	if (status != CENTRAL_EXIT_OK)
		return status;
	err = central_store_list_outbox(s, &list, &count, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	if (c->json) {
		json_t *array = json_array();

		for (size_t i = 0; i < count; i++) {
			const central_outbox_item *m = &list[i];

			json_array_append_new(
			        array,
			        json_pack(
			                "{s:I, s:s, s:s, s:s, s:s?, s:s, s:s, s:i, s:I, s:I, s:o?,"
			                " s:I}",
			                "id", (json_int_t)m->id, "state", m->state, "kind", m->kind,
			                "message_id", m->message_id, "topic",
			                m->topic[0] ? m->topic : NULL, "recipient", m->recipient,
			                "subject", m->subject, "attempts", m->attempts,
			                "created_at", (json_int_t)m->created_at, "next_try",
			                (json_int_t)m->next_try, "sent_at",
			                m->sent_at ? json_integer(m->sent_at) : NULL, "body_bytes",
			                (json_int_t)m->body_bytes));
		}
		central_emit(json_pack("{s:o}", "messages", array));
	} else if (count == 0) {
		printf("%s\n", msg_get(MSG_CENTRAL_OUTBOX_NONE, c->lang));
	}
	for (size_t i = 0; i < count && !c->json; i++)
		printf("%-6lld %-7s %-9s %-32s %s\n", (long long)list[i].id, list[i].state,
		       list[i].kind, list[i].recipient, list[i].subject);
	free(list);
	return CENTRAL_EXIT_OK;
}
