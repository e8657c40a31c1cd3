/*
 * device_mail.c — the device outbox as struct mail_outbox_ops, and one drain with the
 * device's settings (device_mail.h).
 *
 * Replaced or moved-on rows are not errors for the sender: a RETTIFICA that replaced the
 * message being sent deletes its row (AG_ERR_NOT_FOUND), and another drain that marked the
 * same row first leaves it 'sent' (AG_ERR_REFUSED from outbox_mark_*): both mean "nothing
 * left to record here".
 */
#include "sync/device_mail.h"

#include <string.h>

#include "core/messages.h"
#include "sync/device_mail_settings.h"

static agenda_err next_due(void *outbox, int64_t now, struct mail_item *item, agenda_detail *why)
{
	struct device_mail_outbox *o = outbox;
	struct outbox_item *it = &o->current;
	agenda_err err = outbox_next_due(o->ctx, now, it, why);

	memset(item, 0, sizeof *item);
	if (err != AG_OK)
		return err;
	item->id = it->id;
	item->message_id = it->message_id;
	item->kind = it->kind;
	item->recipient = it->recipient;
	item->subject = it->subject;
	item->body = it->body;
	item->attachment_name = it->attachment_name[0] ? it->attachment_name : NULL;
	item->attachment = it->attachment;
	item->attempts = it->attempts;
	item->created_at = it->created_at;
	return AG_OK;
}

static void release(void *outbox, struct mail_item *item)
{
	struct device_mail_outbox *o = outbox;

	outbox_item_clear(&o->current);
	memset(item, 0, sizeof *item);
}

/* The row moved on meanwhile (replaced, or marked by another drain): nothing to record. */
static agenda_err moved_on(agenda_err err)
{
	return err == AG_ERR_REFUSED ? AG_ERR_NOT_FOUND : err;
}

static agenda_err mark_sent(void *outbox, int64_t id, const char *reply, agenda_detail *why)
{
	struct device_mail_outbox *o = outbox;

	return moved_on(outbox_mark_sent(o->ctx, id, reply, why));
}

static agenda_err mark_failed(void *outbox, int64_t id, const char *reply, int64_t next_try,
                              bool give_up, agenda_detail *why)
{
	struct device_mail_outbox *o = outbox;

	return moved_on(outbox_mark_failed(o->ctx, id, reply, next_try, give_up, why));
}

const struct mail_outbox_ops DEVICE_MAIL_OUTBOX_OPS = {
        .next_due = next_due,
        .release = release,
        .mark_sent = mark_sent,
        .mark_failed = mark_failed,
};

agenda_err device_mail_drain(agenda_ctx *ctx, const char *data_dir, smtp_session *session, int max,
                             struct mail_drain_report *out, agenda_detail *why)
{
	struct device_mail_outbox outbox = {.ctx = ctx};
	struct smtp_settings cfg;
	smtp_session *own = NULL;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if ((err = device_mail_load(ctx, data_dir, &cfg, why)) != AG_OK)
		goto done;
	if (!session && !(session = own = smtp_session_new())) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
		goto done;
	}
	err = mail_drain(&DEVICE_MAIL_OUTBOX_OPS, &outbox, session, &cfg, &ctx->clock, max, out,
	                 why);
done:
	outbox_item_clear(&outbox.current);
	explicit_bzero(&cfg, sizeof cfg);
	smtp_session_free(own);
	return err;
}
