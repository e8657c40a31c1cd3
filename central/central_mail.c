/*
 * central_mail.c — central's outbox as the shared sender's struct mail_outbox_ops, and the one
 * drain `outbox send` and serve's sender thread run (central_mail.h). The rules of delivery
 * (compose, submit, mark only after the server's 2xx, back-off) are sync/mail_sender.c's; this
 * file only adapts the store's calls to them.
 */
#include <stdio.h>
#include <string.h>

#include "central_mail.h"

static agenda_err next_due(void *outbox, int64_t now, struct mail_item *item, agenda_detail *why)
{
	struct central_mail_outbox *o = outbox;
	central_outbox_entry *e = &o->current;
	agenda_err err;

	central_outbox_entry_clear(e);
	if ((err = central_store_outbox_next_due(o->store, now, e, why)) != AG_OK)
		return err;
	memset(item, 0, sizeof *item);
	item->id = e->item.id;
	item->message_id = e->item.message_id;
	item->kind = e->item.kind;
	item->recipient = e->item.recipient;
	item->subject = e->item.subject;
	item->body = e->body ? e->body : "";
	item->attachment_name = e->attachment ? e->attachment_name : NULL;
	item->attachment = e->attachment;
	item->attempts = e->item.attempts;
	item->created_at = e->item.created_at;
	o->in_flight_id = e->item.id;
	snprintf(o->in_flight_message_id, sizeof o->in_flight_message_id, "%s", e->item.message_id);
	return AG_OK;
}

static void release(void *outbox, struct mail_item *item)
{
	struct central_mail_outbox *o = outbox;

	central_outbox_entry_clear(&o->current);
	memset(item, 0, sizeof *item);
}

/* The Message-ID that went out as id (NULL when id is not the one handed out: any). */
static const char *sent_as(const struct central_mail_outbox *o, int64_t id)
{
	return id == o->in_flight_id ? o->in_flight_message_id : NULL;
}

/* Refused: the row left 'queued' meanwhile (another sender, a retry): not ours to mark. */
static agenda_err not_ours(agenda_err err)
{
	return err == AG_ERR_REFUSED ? AG_ERR_NOT_FOUND : err;
}

static agenda_err mark_sent(void *outbox, int64_t id, const char *reply, agenda_detail *why)
{
	struct central_mail_outbox *o = outbox;

	return not_ours(central_store_outbox_mark_sent(o->store, id, sent_as(o, id), reply,
	                                               clock_now(o->clock), why));
}

static agenda_err mark_failed(void *outbox, int64_t id, const char *reply, int64_t next_try,
                              bool give_up, agenda_detail *why)
{
	struct central_mail_outbox *o = outbox;

	return not_ours(central_store_outbox_mark_failed(o->store, id, sent_as(o, id), reply,
	                                                 next_try, give_up, why));
}

const struct mail_outbox_ops central_mail_outbox_ops = {
        .next_due = next_due,
        .release = release,
        .mark_sent = mark_sent,
        .mark_failed = mark_failed,
};

agenda_err central_mail_drain(central_store *s, const char *dir, smtp_session *session,
                              const agenda_clock *clock, int max, struct mail_drain_report *out,
                              agenda_detail *why)
{
	struct central_mail_outbox outbox = {.store = s, .clock = clock};
	struct smtp_settings cfg;
	agenda_err err;

	memset(out, 0, sizeof *out);
	err = central_mail_settings_load(dir, &cfg, why);
	if (err == AG_OK)
		err = mail_drain(&central_mail_outbox_ops, &outbox, session, &cfg, clock, max, out,
		                 why);
	central_outbox_entry_clear(&outbox.current);
	memset(cfg.password, 0, sizeof cfg.password);
	return err;
}
