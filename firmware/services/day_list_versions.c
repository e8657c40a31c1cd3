/*
 * day_list_versions.c — the next version of each changed day list and its message to the
 * Questura, written in the caller's transaction (contract §2, invariant I5: the close and the
 * mail it owes are one commit; the sender takes it from the outbox later).
 *
 * Version 1 is the original and is never replaced. A later version is a RETTIFICA carrying the
 * full corrected list, queued under the topic rettifica:<YYYY-MM-DD>:<Q>, so a RETTIFICA still
 * waiting is replaced by the newer one and the Questura receives the latest only.
 */
#include "services/day_list_versions.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "services/audit.h"
#include "services/outbox.h"
#include "services/site.h"

/* The site as a DNS label: ASCII lower case, accents dropped, anything else a '-'. */
static void site_slug(const char *site, char *out, size_t size)
{
	size_t o = 0;
	bool dash = false;

	for (const unsigned char *p = (const unsigned char *)site; *p && o + 1 < size; p++) {
		if (*p >= 0x80) {
			/* A Latin-1 letter (C3 xx) keeps its base letter; others become a dash. */
			static const char BASE[] = "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
			if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
				char c = BASE[(p[1] & 0x1F)];
				p++;
				if (c != '/') {
					out[o++] = c;
					dash = false;
				}
				continue;
			}
			while ((p[1] & 0xC0) == 0x80)
				p++;
		} else if (isalnum(*p)) {
			out[o++] = (char)tolower(*p);
			dash = false;
			continue;
		}
		if (o > 0 && !dash && o + 1 < size) {
			out[o++] = '-';
			dash = true;
		}
	}
	while (o > 0 && out[o - 1] == '-')
		o--;
	out[o] = '\0';
	if (!o)
		snprintf(out, size, "sportello");
}

static agenda_err insert_version(agenda_ctx *ctx, const struct day_list *l, const char *message_id,
                                 agenda_detail *why)
{
	static const char SQL[] = "INSERT INTO day_list(day, questura, version, created_at,"
	                          " appointments, cancellations, message_id)"
	                          " VALUES(?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_int(st, 1, l->day);
	sqlite3_bind_text(st, 2, l->questura, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, l->version);
	sqlite3_bind_int64(st, 4, clock_now(&ctx->clock));
	sqlite3_bind_int(st, 5, l->appointments);
	sqlite3_bind_int(st, 6, l->cancellations);
	sqlite3_bind_text(st, 7, message_id, -1, SQLITE_TRANSIENT);
	return store_step_done(ctx->store, st, why);
}

/* The counts of the Questura's last version; false when it has none. */
static agenda_err last_counts(agenda_ctx *ctx, agenda_day day, const char *questura, bool *found,
                              int *appointments, int *cancellations, agenda_detail *why)
{
	static const char SQL[] = "SELECT appointments, cancellations FROM day_list"
	                          " WHERE day = ? AND questura = ? ORDER BY version DESC LIMIT 1";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_int(st, 1, day);
	sqlite3_bind_text(st, 2, questura, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found) {
		*appointments = sqlite3_column_int(st, 0);
		*cancellations = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}

/* The version l->version of l: its row, and its message when the Questura has an address. */
static agenda_err record(agenda_ctx *ctx, const char *actor, const struct day_list *l,
                         struct day_close_report *report, agenda_detail *why)
{
	char site[SITE_MAX] = "", slug[SITE_MAX], message_id[256], subject[512], prefix[48];
	char date[DATE_TEXT_MAX], compact[9], slashed[11], topic[64], attachment_name[96];
	char detail[96], *body = NULL, *csv = NULL;
	int y, m, d;
	agenda_err err;

	store_setting_get(ctx->store, "site", site, sizeof site);
	site_slug(site, slug, sizeof slug);
	date_format(l->day, date, sizeof date);
	date_to_ymd(l->day, &y, &m, &d);
	snprintf(compact, sizeof compact, "%04d%02d%02d", y, m, d);
	snprintf(slashed, sizeof slashed, "%02d/%02d/%04d", d, m, y);
	snprintf(message_id, sizeof message_id, "<elenco.%s.%s.v%d.%s@%s.agenda-elettronica.it>",
	         compact, l->questura, l->version, ctx->device_id, slug);
	if ((err = insert_version(ctx, l, message_id, why)) != AG_OK)
		return err;
	snprintf(detail, sizeof detail, "questura=%s version=%d appointments=%d cancellations=%d%s",
	         l->questura, l->version, l->appointments, l->cancellations,
	         l->questura_email[0] ? "" : " no_email");
	if ((err = audit_append(ctx, actor, "day_list", date, detail, why)) != AG_OK)
		return err;
	if (report)
		report->versions++;
	if (!l->questura_email[0]) {
		if (report) {
			if (report->without_email < DAY_CLOSE_NO_EMAIL_MAX)
				snprintf(report->no_email[report->without_email],
				         sizeof report->no_email[0], "%s", l->questura);
			report->without_email++;
		}
		return AG_OK;
	}
	prefix[0] = '\0';
	if (l->version > 1)
		snprintf(prefix, sizeof prefix, msg_get(MSG_DAYLIST_SUBJECT_RETTIFICA, LANG_IT),
		         l->version - 1);
	{
		char rest[448];

		snprintf(rest, sizeof rest, msg_get(MSG_DAYLIST_SUBJECT, LANG_IT),
		         site[0] ? site : msg_get(MSG_DAYLIST_NO_SITE, LANG_IT), l->questura_name,
		         slashed);
		snprintf(subject, sizeof subject, "%s%s", prefix, rest);
	}
	snprintf(topic, sizeof topic, "rettifica:%s:%s", date, l->questura);
	day_list_csv_name(l, attachment_name, sizeof attachment_name);
	body = day_list_text(l, site);
	csv = day_list_csv(l);
	if (!body || !csv) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
	} else {
		struct outbox_message msg = {.kind = "day_list",
		                             .topic = l->version > 1 ? topic : NULL,
		                             .message_id = message_id,
		                             .recipient = l->questura_email,
		                             .subject = subject,
		                             .body = body,
		                             .attachment_name = attachment_name,
		                             .attachment = csv};

		err = outbox_queue(ctx, &msg, why);
		if (err == AG_OK && report)
			report->messages++;
	}
	free(body);
	free(csv);
	return err;
}

/* One Questura: a new version when its list is new (or empty and sent anyway) or changed. */
static agenda_err one_questura(agenda_ctx *ctx, const char *actor, agenda_day day,
                               const char *questura, bool send_empty,
                               struct day_close_report *report, agenda_detail *why)
{
	struct day_list l;
	int appointments = 0, cancellations = 0;
	bool found;
	agenda_err err;

	if ((err = last_counts(ctx, day, questura, &found, &appointments, &cancellations, why)))
		return err;
	if ((err = day_list_load(ctx, day, questura, &l, why)) != AG_OK)
		return err;
	if (found ? (l.appointments != appointments || l.cancellations != cancellations)
	          : (l.count > 0 || send_empty)) {
		l.version++;
		err = record(ctx, actor, &l, report, why);
	}
	day_list_free(&l);
	return err;
}

struct code_set {
	char (*codes)[QUESTURA_CODE_MAX];
	size_t count, cap;
	bool failed;
};

static void add_code(void *arg, const struct questura *q)
{
	struct code_set *set = arg;

	for (size_t i = 0; i < set->count; i++)
		if (!strcmp(set->codes[i], q->code))
			return;
	if (set->count == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		char(*grown)[QUESTURA_CODE_MAX] = realloc(set->codes, cap * sizeof *grown);

		if (!grown) {
			set->failed = true;
			return;
		}
		set->codes = grown;
		set->cap = cap;
	}
	snprintf(set->codes[set->count++], QUESTURA_CODE_MAX, "%s", q->code);
}

agenda_err day_list_write_versions(agenda_ctx *ctx, const char *actor, agenda_day day,
                                   bool send_empty, struct day_close_report *report,
                                   agenda_detail *why)
{
	struct code_set set = {0};
	agenda_err err;

	if ((err = day_list_questure(ctx, day, &set.codes, &set.count, why)) != AG_OK)
		return err;
	set.cap = set.count;
	if (send_empty && (err = questura_list(ctx, add_code, &set, why)) != AG_OK)
		goto done;
	if (set.failed) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
		goto done;
	}
	for (size_t i = 0; i < set.count && err == AG_OK; i++)
		err = one_questura(ctx, actor, day, set.codes[i], send_empty, report, why);
done:
	free(set.codes);
	return err;
}

agenda_err day_list_after_change(agenda_ctx *ctx, const char *actor, int64_t created_at,
                                 agenda_detail *why)
{
	static const char CLOSED[] = "SELECT count(*) FROM day_close WHERE day = ?";
	agenda_day day;
	sqlite3_stmt *st;
	int minute, rc, closes = 0;

	clock_local(created_at, &day, &minute);
	if (!(st = store_stmt(ctx->store, CLOSED, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int(st, 1, day);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		closes = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_error(ctx->store, rc, why);
	return closes > 0 ? day_list_write_versions(ctx, actor, day, false, NULL, why) : AG_OK;
}
