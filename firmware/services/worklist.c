/*
 * worklist.c — the counter's list of appointments to look at by hand (see worklist.h): items
 * are added by grants.c inside the round's transaction and marked done by an operator.
 */
#include "services/worklist.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "services/audit.h"

bool worklist_kind_ok(const char *kind)
{
	size_t n = kind ? strlen(kind) : 0;

	if (n == 0 || n >= WORKLIST_KIND_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((kind[i] >= 'a' && kind[i] <= 'z') || (kind[i] >= '0' && kind[i] <= '9') ||
		      kind[i] == '_'))
			return false;
	return true;
}

/* NULL for "" so the table says "none" the same way for both. */
static void bind_optional(sqlite3_stmt *st, int i, const char *text)
{
	if (text && text[0])
		sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

agenda_err worklist_add(agenda_ctx *ctx, const char *kind, const char *appointment_id,
                        const char *numero_pratica, const char *detail, int64_t *id,
                        agenda_detail *why)
{
	static const char SQL[] = "INSERT INTO worklist(created_at, kind, appointment_id,"
	                          " numero_pratica, detail) VALUES(?, ?, ?, ?, ?)";
	char subject[24], audit_detail[WORKLIST_KIND_MAX + WORKLIST_ID_MAX + 8];
	sqlite3_stmt *st;
	agenda_err err;
	int64_t new_id;

	if (!worklist_kind_ok(kind)) {
		agenda_detail_set(why, MSG_WORKLIST_BAD_KIND, kind ? kind : "");
		return AG_ERR_INVALID;
	}
	if (detail && (strlen(detail) >= WORKLIST_DETAIL_MAX ||
	               !text_is_utf8(detail, strlen(detail)) || text_has_control(detail))) {
		agenda_detail_set(why, MSG_NOTE_BAD, WORKLIST_DETAIL_MAX - 1);
		return AG_ERR_INVALID;
	}
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, clock_now(&ctx->clock));
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	bind_optional(st, 3, appointment_id);
	bind_optional(st, 4, numero_pratica);
	sqlite3_bind_text(st, 5, detail ? detail : "", -1, SQLITE_STATIC);
	if ((err = store_step_done(ctx->store, st, why)) != AG_OK)
		return err;
	new_id = sqlite3_last_insert_rowid(store_db(ctx->store));
	if (id)
		*id = new_id;
	snprintf(subject, sizeof subject, "%lld", (long long)new_id);
	snprintf(audit_detail, sizeof audit_detail, "kind=%s appointment=%s", kind,
	         appointment_id && appointment_id[0] ? appointment_id : "-");
	return audit_append(ctx, "central", "worklist_add", subject, audit_detail, why);
}

static void read_item(sqlite3_stmt *st, struct worklist_item *it)
{
	memset(it, 0, sizeof *it);
	it->id = sqlite3_column_int64(st, 0);
	it->created_at = sqlite3_column_int64(st, 1);
	store_column_text(st, 2, it->kind, sizeof it->kind);
	store_column_text(st, 3, it->appointment_id, sizeof it->appointment_id);
	store_column_text(st, 4, it->numero_pratica, sizeof it->numero_pratica);
	store_column_text(st, 5, it->detail, sizeof it->detail);
	it->done_at = sqlite3_column_int64(st, 6);
	store_column_text(st, 7, it->done_by, sizeof it->done_by);
}

agenda_err worklist_list(agenda_ctx *ctx, bool open_only, worklist_visit_fn visit, void *arg,
                         agenda_detail *why)
{
	static const char SQL[] =
	        "SELECT id, created_at, kind, appointment_id, numero_pratica, detail,"
	        " coalesce(done_at, 0), done_by FROM worklist WHERE ?1 = 0 OR done_at IS NULL"
	        " ORDER BY done_at IS NOT NULL, done_at DESC, id";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	struct worklist_item it;
	int rc;

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_int(st, 1, open_only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_item(st, &it);
		visit(arg, &it);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}

agenda_err worklist_done(agenda_ctx *ctx, const struct session *who, int64_t id, agenda_detail *why)
{
	static const char DONE[] = "UPDATE worklist SET done_at = ?2, done_by = ?3"
	                           " WHERE id = ?1 AND done_at IS NULL";
	static const char EXISTS[] = "SELECT count(*) FROM worklist WHERE id = ?";
	char subject[24];
	sqlite3_stmt *st;
	agenda_err err;
	int rc;

	if ((err = session_require_personal_data(who, why)) != AG_OK)
		return err;
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, DONE, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, clock_now(&ctx->clock));
	sqlite3_bind_text(st, 3, who->username, -1, SQLITE_STATIC);
	if ((err = store_step_done(ctx->store, st, why)) != AG_OK)
		goto done;
	if (sqlite3_changes(store_db(ctx->store)) == 0) {
		if (!(st = store_stmt(ctx->store, EXISTS, why))) {
			err = AG_ERR_STORE;
			goto done;
		}
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		err = rc != SQLITE_ROW                 ? store_error(ctx->store, rc, why)
		      : sqlite3_column_int(st, 0) == 0 ? AG_ERR_NOT_FOUND
		                                       : AG_ERR_EXISTS;
		sqlite3_reset(st);
		if (err == AG_ERR_NOT_FOUND)
			agenda_detail_set(why, MSG_WORKLIST_NOT_FOUND, (long long)id);
		else if (err == AG_ERR_EXISTS)
			agenda_detail_set(why, MSG_WORKLIST_ALREADY_DONE, (long long)id);
		goto done;
	}
	snprintf(subject, sizeof subject, "%lld", (long long)id);
	if ((err = audit_append(ctx, who->username, "worklist_done", subject, "", why)) != AG_OK)
		goto done;
	err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

agenda_err worklist_open_count(agenda_ctx *ctx, int64_t *count, agenda_detail *why)
{
	static const char SQL[] = "SELECT count(*) FROM worklist WHERE done_at IS NULL";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	*count = 0;
	if (!st)
		return AG_ERR_STORE;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? AG_OK : store_error(ctx->store, rc, why);
}

agenda_msg worklist_kind_message(const char *kind)
{
	static const struct {
		const char *kind;
		agenda_msg msg;
	} KINDS[] = {
	        {"closure", MSG_WORKLIST_CLOSURE},
	        {"slot_taken", MSG_WORKLIST_SLOT_TAKEN},
	        {"lease_expired", MSG_WORKLIST_LEASE_EXPIRED},
	        {"duplicate_practice", MSG_WORKLIST_DUPLICATE},
	        {"withdrawn", MSG_WORKLIST_WITHDRAWN},
	};

	for (size_t i = 0; kind && i < sizeof KINDS / sizeof KINDS[0]; i++)
		if (strcmp(KINDS[i].kind, kind) == 0)
			return KINDS[i].msg;
	return MSG_WORKLIST_OTHER;
}
