/*
 * sync_mail.c — the sync thread's email step (sync_mail.h): the automatic day close, the drain,
 * the counts read back from the outbox, and the retry of given-up messages.
 */
#include "sync_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/day_list.h"
#include "sync/device_mail.h"
#include "sync/smtp_transport.h"

agenda_err sync_mail_step(struct sync_mail *m, agenda_ctx *ctx, bool link_up,
                          struct sync_mail_outcome *out, agenda_detail *why)
{
	struct sync_mail_counts counts;
	agenda_detail ignored;
	agenda_err err;

	memset(out, 0, sizeof *out);
	err = day_close_due(ctx, &out->close, &out->closed, why);
	if (!link_up || sync_mail_counts_read(ctx, &counts, &ignored) != AG_OK ||
	    !counts.configured || counts.queued == 0)
		return err;
	if (!m->session && !(m->session = smtp_session_new())) {
		out->drain_err = AG_ERR_NOMEM;
		return err;
	}
	out->drained = true;
	out->drain_err = device_mail_drain(ctx, m->data_dir, m->session, SYNC_MAIL_DRAIN_MAX,
	                                   &out->drain, err == AG_OK ? why : &ignored);
	return err;
}

void sync_mail_close(struct sync_mail *m)
{
	if (m->session)
		smtp_session_free(m->session);
	m->session = NULL;
}

struct tally {
	int queued, failed;
	char *last_failure;
};

static bool count_one(const struct outbox_item *item, void *arg)
{
	struct tally *t = arg;

	if (strcmp(item->state, "queued") == 0) {
		t->queued++;
	} else if (strcmp(item->state, "failed") == 0) {
		t->failed++;
		/* Oldest first: the last one seen is the newest failure. */
		snprintf(t->last_failure, OUTBOX_REPLY_MAX, "%s",
		         item->last_error[0] ? item->last_error : item->reply);
	}
	return true;
}

/* "host:port" from the settings, the port defaulting as smtp_transport.h does. */
static bool server_name(agenda_ctx *ctx, char *out, size_t size)
{
	char host[256] = "", port[16] = "", mode[16] = "";

	if (!store_setting_get(ctx->store, "mail.host", host, sizeof host) || !host[0])
		return false;
	store_setting_get(ctx->store, "mail.port", port, sizeof port);
	store_setting_get(ctx->store, "mail.mode", mode, sizeof mode);
	if (!port[0] || atoi(port) <= 0)
		snprintf(port, sizeof port, "%d", strcmp(mode, "smtps") == 0 ? 465 : 587);
	snprintf(out, size, "%s:%s", host, port);
	return true;
}

agenda_err sync_mail_counts_read(agenda_ctx *ctx, struct sync_mail_counts *out, agenda_detail *why)
{
	struct tally t = {0, 0, out->last_failure};
	agenda_err err;

	memset(out, 0, sizeof *out);
	out->configured = server_name(ctx, out->server, sizeof out->server);
	if ((err = outbox_list(ctx, "queued", count_one, &t, why)) != AG_OK ||
	    (err = outbox_list(ctx, "failed", count_one, &t, why)) != AG_OK)
		return err;
	out->queued = t.queued;
	out->failed = t.failed;
	return AG_OK;
}

struct ids {
	int64_t *id;
	size_t count, size;
};

static bool collect(const struct outbox_item *item, void *arg)
{
	struct ids *ids = arg;

	if (ids->count == ids->size) {
		size_t size = ids->size ? 2 * ids->size : 16;
		int64_t *more = realloc(ids->id, size * sizeof *more);

		if (!more)
			return false;
		ids->id = more;
		ids->size = size;
	}
	ids->id[ids->count++] = item->id;
	return true;
}

agenda_err sync_mail_retry_failed(agenda_ctx *ctx, const char *actor, int *retried,
                                  agenda_detail *why)
{
	struct ids ids = {NULL, 0, 0};
	agenda_err err = outbox_list(ctx, "failed", collect, &ids, why);

	*retried = 0;
	/* Retried after the listing: no write while its statement is open. */
	for (size_t i = 0; err == AG_OK && i < ids.count; i++)
		if ((err = outbox_retry(ctx, actor, ids.id[i], why)) == AG_OK)
			(*retried)++;
	free(ids.id);
	return err;
}
