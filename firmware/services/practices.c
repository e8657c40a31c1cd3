/*
 * practices.c — the practice cache: lookup by either number, eligibility, upsert.
 * The CSV import that fills it is practice_import.c.
 */
#include "services/practices.h"

#include <string.h>

#include "core/messages.h"
#include "services/audit.h"

#define SELECT_COLUMNS                                                                             \
	"SELECT id, numero_pratica, coalesce(numero_visto, ''), cognome, nome, data_nascita,"      \
	" nazionalita, tipo, questura, status, demo FROM practice "

static void read_practice(sqlite3_stmt *st, void *out)
{
	struct practice *p = out;

	memset(p, 0, sizeof *p);
	p->id = sqlite3_column_int64(st, 0);
	store_column_text(st, 1, p->numero_pratica, sizeof p->numero_pratica);
	store_column_text(st, 2, p->numero_visto, sizeof p->numero_visto);
	store_column_text(st, 3, p->cognome, sizeof p->cognome);
	store_column_text(st, 4, p->nome, sizeof p->nome);
	p->data_nascita = (agenda_day)sqlite3_column_int(st, 5);
	store_column_text(st, 6, p->nazionalita, sizeof p->nazionalita);
	store_column_text(st, 7, p->tipo, sizeof p->tipo);
	store_column_text(st, 8, p->questura, sizeof p->questura);
	store_column_text(st, 9, p->status, sizeof p->status);
	p->demo = sqlite3_column_int(st, 10) != 0;
}

/* One row by a bound key; AG_ERR_NOT_FOUND when none. */
static agenda_err find_one(agenda_ctx *ctx, const char *sql, const char *text, int64_t id,
                           struct practice *out, agenda_detail *why)
{
	return store_query_one(ctx->store, sql, text, id, read_practice, out, why);
}

/*
 * SQL texts built at compile time (the statement cache is keyed by their address): no mutable
 * global, so two threads (the kiosk's worker, the sync worker) may look up at once.
 */
static const char BY_PRATICA[] = SELECT_COLUMNS "WHERE numero_pratica = ?";
static const char BY_VISTO[] = SELECT_COLUMNS "WHERE numero_visto = ?";
static const char BY_ID[] = SELECT_COLUMNS "WHERE id = ?";

agenda_err practice_by_id(agenda_ctx *ctx, int64_t id, struct practice *out, agenda_detail *why)
{
	agenda_err err;

	err = find_one(ctx, BY_ID, NULL, id, out, why);
	if (err == AG_ERR_NOT_FOUND)
		agenda_detail_set(why, MSG_PRACTICE_ID_NOT_FOUND, (long long)id);
	return err;
}

agenda_err practice_lookup(agenda_ctx *ctx, const struct session *who, const char *numero_pratica,
                           const char *numero_visto, struct practice *out, agenda_detail *why)
{
	char pratica[PRATICA_MAX] = "", visto[VISTO_MAX] = "";
	struct practice by_visto;
	enum number_part part;
	bool has_pratica = numero_pratica && *numero_pratica,
	     has_visto = numero_visto && *numero_visto;
	agenda_err err;

	if ((err = session_require_personal_data(who, why)) != AG_OK)
		return err;
	if (!has_pratica && !has_visto) {
		agenda_detail_set(why, MSG_LOOKUP_NEED_NUMBER);
		return AG_ERR_USAGE;
	}
	if (has_pratica && (err = numero_pratica_normalise(numero_pratica, pratica, &part, why)))
		return err;
	if (has_visto && (err = numero_visto_normalise(numero_visto, visto, &part, why)))
		return err;
	if (has_pratica) {
		err = find_one(ctx, BY_PRATICA, pratica, 0, out, why);
		if (err == AG_ERR_NOT_FOUND)
			agenda_detail_set(why, MSG_LOOKUP_PRATICA_NOT_FOUND, pratica);
		if (err != AG_OK)
			return err;
	}
	if (has_visto) {
		err = find_one(ctx, BY_VISTO, visto, 0, has_pratica ? &by_visto : out, why);
		if (err == AG_ERR_NOT_FOUND)
			agenda_detail_set(why, MSG_LOOKUP_VISTO_NOT_FOUND, visto);
		if (err != AG_OK)
			return err;
		if (has_pratica && by_visto.id != out->id) {
			agenda_detail_set(why, MSG_LOOKUP_MISMATCH, visto, by_visto.numero_pratica,
			                  pratica);
			return AG_ERR_REFUSED;
		}
	}
	return AG_OK;
}

agenda_err practice_check_bookable(const struct practice *p, agenda_detail *why)
{
	if (practice_kind_of(p->tipo) == KIND_OTHER) {
		agenda_detail_set(why, MSG_PRACTICE_NOT_ELIGIBLE, p->numero_pratica, p->tipo);
		return AG_ERR_REFUSED;
	}
	if (strcmp(p->status, "nulla_osta_rilasciato") != 0) {
		agenda_detail_set(why, MSG_PRACTICE_BAD_STATUS, p->numero_pratica, p->status);
		return AG_ERR_REFUSED;
	}
	return AG_OK;
}

agenda_err practice_upsert(agenda_ctx *ctx, const struct practice *p, agenda_detail *why)
{
	static const char SQL[] =
	        "INSERT INTO practice(numero_pratica, numero_visto, cognome, nome, data_nascita,"
	        " nazionalita, tipo, questura, status, demo, updated_at)"
	        " VALUES(?1, nullif(?2, ''), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
	        " ON CONFLICT(numero_pratica) DO UPDATE SET numero_visto = excluded.numero_visto,"
	        " cognome = excluded.cognome, nome = excluded.nome,"
	        " data_nascita = excluded.data_nascita, nazionalita = excluded.nazionalita,"
	        " tipo = excluded.tipo, questura = excluded.questura, status = excluded.status,"
	        " demo = excluded.demo, updated_at = excluded.updated_at";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, p->numero_pratica, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->numero_visto, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->cognome, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->nome, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, p->data_nascita);
	sqlite3_bind_text(st, 6, p->nazionalita, -1, SQLITE_STATIC);
	/* A recognised kind is stored in its one spelling, whoever wrote the record. */
	sqlite3_bind_text(st, 7, practice_tipo_stored(p->tipo), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, p->questura, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, p->status[0] ? p->status : "nulla_osta_rilasciato", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int(st, 10, p->demo);
	sqlite3_bind_int64(st, 11, clock_now(&ctx->clock));
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return AG_OK;
	if (sqlite3_extended_errcode(store_db(ctx->store)) == SQLITE_CONSTRAINT_UNIQUE) {
		agenda_detail_set(why, MSG_IMPORT_VISTO_TAKEN, p->numero_visto);
		return AG_ERR_EXISTS;
	}
	return store_error(ctx->store, rc, why);
}

agenda_err practice_upsert_from_central(agenda_ctx *ctx, const struct practice *p,
                                        agenda_detail *why)
{
	/* Central's record wins: a visa number now on this practice leaves an older one. */
	static const char FREE_VISTO[] = "UPDATE practice SET numero_visto = NULL"
	                                 " WHERE numero_visto = ?1 AND numero_pratica <> ?2";
	struct practice q = *p;
	enum number_part part;
	sqlite3_stmt *st;
	agenda_err err;

	if ((err = numero_pratica_normalise(p->numero_pratica, q.numero_pratica, &part, why)))
		return err;
	if (p->numero_visto[0] &&
	    (err = numero_visto_normalise(p->numero_visto, q.numero_visto, &part, why)))
		return err;
	q.demo = false;
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if (q.numero_visto[0]) {
		if (!(st = store_stmt(ctx->store, FREE_VISTO, why))) {
			err = AG_ERR_STORE;
			goto done;
		}
		sqlite3_bind_text(st, 1, q.numero_visto, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, q.numero_pratica, -1, SQLITE_STATIC);
		if ((err = store_step_done(ctx->store, st, why)) != AG_OK)
			goto done;
	}
	if ((err = practice_upsert(ctx, &q, why)) ||
	    (err = audit_append(ctx, "central", "practice_from_central", q.numero_pratica,
	                        q.status[0] ? q.status : "nulla_osta_rilasciato", why)))
		goto done;
	return store_commit(ctx->store, why);
done:
	store_rollback(ctx->store);
	return err;
}
