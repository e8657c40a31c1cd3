/*
 * store_outbox.c — delivering central's outbox, backend-independent half (store_outbox.h): each
 * call in the caller's transaction or its own, a state change refused with the reason when the
 * row is not in the state it expects, the server's words kept valid UTF-8 and bounded, and the
 * backend's files emptied of a password once its message is sent.
 */
#include "store_outbox.h"

#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "core/text.h"
#include "store_internal.h"

static const central_outbox_ops *outbox(central_store *s)
{
	return s->ops->admin->outbox;
}

void central_outbox_entry_clear(central_outbox_entry *e)
{
	if (e->body) {
		memset(e->body, 0, strlen(e->body));
		free(e->body);
		e->body = NULL;
	}
	if (e->attachment) {
		memset(e->attachment, 0, strlen(e->attachment));
		free(e->attachment);
		e->attachment = NULL;
	}
}

agenda_err central_store_outbox_next_due(central_store *s, int64_t now, central_outbox_entry *out,
                                         agenda_detail *why)
{
	agenda_err err;
	bool own;

	memset(out, 0, sizeof *out);
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = central_store_leave(s, own, outbox(s)->next_due(s, now, out, why), why);
	if (err != AG_OK)
		central_outbox_entry_clear(out);
	return err;
}

static agenda_err get(central_store *s, int64_t id, central_outbox_entry *out, agenda_detail *why)
{
	agenda_err err;

	memset(out, 0, sizeof *out);
	err = outbox(s)->get(s, id, out, why);
	if (err == AG_ERR_NOT_FOUND)
		agenda_detail_set(why, MSG_OUTBOX_NOT_FOUND, (long long)id);
	return err;
}

agenda_err central_store_outbox_get(central_store *s, int64_t id, central_outbox_entry *out,
                                    agenda_detail *why)
{
	agenda_err err;
	bool own;

	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	return central_store_leave(s, own, get(s, id, out, why), why);
}

/*
 * One change in one transaction: the message must exist (else AG_ERR_NOT_FOUND) and the guarded
 * UPDATE must change it (else AG_ERR_REFUSED, saying its state). After a commit that sent a
 * password, the backend forgets the old bytes.
 */
static agenda_err change(central_store *s, enum central_outbox_change c, int64_t id,
                         const char *message_id, const char *reply, int64_t when,
                         agenda_detail *why)
{
	char clean[CENTRAL_OUTBOX_REPLY_MAX];
	central_outbox_entry before;
	int changed = 0;
	agenda_err err;
	bool own;

	/* A server's words: kept valid UTF-8 and bounded, whatever it sent. */
	text_utf8_sanitize(reply ? reply : "", clean, sizeof clean);
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = get(s, id, &before, why);
	if (err == AG_OK && message_id && strcmp(message_id, before.item.message_id) != 0) {
		agenda_detail_set(why, MSG_OUTBOX_NOT_FOUND, (long long)id); /* a newer message */
		err = AG_ERR_NOT_FOUND;
	}
	if (err == AG_OK)
		err = outbox(s)->change(s, c, id, clean, when, &changed, why);
	if (err == AG_OK && changed != 1) {
		if (c == OUTBOX_CHANGE_RETRY)
			agenda_detail_set(why, MSG_OUTBOX_ALREADY_SENT, (long long)id);
		else
			agenda_detail_set(why, MSG_OUTBOX_NOT_QUEUED, (long long)id,
			                  before.item.state);
		err = AG_ERR_REFUSED;
	}
	err = central_store_leave(s, own, err, why);
	if (err == AG_OK && c == OUTBOX_CHANGE_SENT && strcmp(before.item.kind, "password") == 0)
		central_store_forget_deleted(s); /* only outside a caller's transaction */
	return err;
}

agenda_err central_store_outbox_mark_sent(central_store *s, int64_t id, const char *message_id,
                                          const char *reply, int64_t now, agenda_detail *why)
{
	return change(s, OUTBOX_CHANGE_SENT, id, message_id, reply, now, why);
}

agenda_err central_store_outbox_mark_failed(central_store *s, int64_t id, const char *message_id,
                                            const char *reply, int64_t next_try, bool give_up,
                                            agenda_detail *why)
{
	return change(s, give_up ? OUTBOX_CHANGE_GIVE_UP : OUTBOX_CHANGE_LATER, id, message_id,
	              reply, next_try, why);
}

agenda_err central_store_outbox_retry(central_store *s, int64_t id, int64_t now, agenda_detail *why)
{
	return change(s, OUTBOX_CHANGE_RETRY, id, NULL, NULL, now, why);
}

agenda_err central_store_outbox_counts(central_store *s, central_outbox_counts *out,
                                       agenda_detail *why)
{
	agenda_err err;
	bool own;

	memset(out, 0, sizeof *out);
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	return central_store_leave(s, own, outbox(s)->counts(s, out, why), why);
}
