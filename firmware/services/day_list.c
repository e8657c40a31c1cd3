/*
 * day_list.c — reading one Questura's end-of-day list from the store: the appointments this
 * device fixed on a civil day (created_at within it, every state) of practices of that
 * Questura, sorted by appointment date, time and numero pratica. Laying the list out is
 * day_list_format.c; writing its versions and messages is day_list_send.c.
 */
#include "services/day_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "platform/clock.h"

static enum appointment_state state_of(const char *text)
{
	if (!strcmp(text, "cancelled"))
		return APPOINTMENT_CANCELLED;
	if (!strcmp(text, "moved"))
		return APPOINTMENT_MOVED;
	return APPOINTMENT_CONFIRMED;
}

static void read_row(sqlite3_stmt *st, struct day_list_row *r)
{
	char state[16];
	agenda_day fixed_day;
	int fixed_minute;

	memset(r, 0, sizeof *r);
	store_column_text(st, 0, r->appointment_id, sizeof r->appointment_id);
	r->day = sqlite3_column_int(st, 1);
	r->minute = sqlite3_column_int(st, 2);
	store_column_text(st, 3, r->numero_pratica, sizeof r->numero_pratica);
	store_column_text(st, 4, r->numero_visto, sizeof r->numero_visto);
	store_column_text(st, 5, r->cognome, sizeof r->cognome);
	store_column_text(st, 6, r->nome, sizeof r->nome);
	date_format(sqlite3_column_int(st, 7), r->data_nascita, sizeof r->data_nascita);
	store_column_text(st, 8, r->nazionalita, sizeof r->nazionalita);
	store_column_text(st, 9, r->tipo, sizeof r->tipo);
	store_column_text(st, 10, state, sizeof state);
	r->state = state_of(state);
	r->created_at = sqlite3_column_int64(st, 11);
	date_format(r->day, r->date_text, sizeof r->date_text);
	time_format(r->minute, r->time_text, sizeof r->time_text);
	/* Local offsets are whole minutes: the seconds are the epoch's. */
	clock_local(r->created_at, &fixed_day, &fixed_minute);
	{
		char d[DATE_TEXT_MAX];
		int sec = (int)((r->created_at % 60 + 60) % 60);

		date_format(fixed_day, d, sizeof d);
		snprintf(r->fixed_at, sizeof r->fixed_at, "%.10sT%02d:%02d:%02d", d,
		         (fixed_minute / 60) % 24, fixed_minute % 60, sec % 60);
	}
}

agenda_err day_list_load(agenda_ctx *ctx, agenda_day day, const char *questura,
                         struct day_list *out, agenda_detail *why)
{
	static const char ROWS[] =
	        "SELECT a.id, s.day, s.minute, p.numero_pratica, coalesce(p.numero_visto, ''),"
	        " p.cognome, p.nome, p.data_nascita, p.nazionalita, p.tipo, a.state, a.created_at"
	        " FROM appointment a JOIN practice p ON p.id = a.practice_id"
	        " JOIN slot s ON s.id = a.slot_id"
	        " WHERE a.created_at >= ?1 AND a.created_at < ?2 AND p.questura = ?3"
	        " ORDER BY s.day, s.minute, p.numero_pratica, a.id";
	static const char VERSION[] =
	        "SELECT coalesce(max(version), 0) FROM day_list WHERE day = ? AND questura = ?";
	struct questura q;
	sqlite3_stmt *st;
	size_t cap = 0;
	agenda_err err;
	int rc;

	memset(out, 0, sizeof *out);
	out->day = day;
	snprintf(out->questura, sizeof out->questura, "%s", questura);
	if ((err = questura_get(ctx, questura, &q, why)) == AG_OK) {
		snprintf(out->questura_name, sizeof out->questura_name, "%s", q.name);
		snprintf(out->questura_email, sizeof out->questura_email, "%s", q.email);
	} else if (err == AG_ERR_NOT_FOUND) { /* practices of a Questura not (yet) configured */
		agenda_detail_clear(why);
		snprintf(out->questura_name, sizeof out->questura_name, "Questura %s", questura);
	} else {
		return err;
	}
	if (!(st = store_stmt(ctx->store, VERSION, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int(st, 1, day);
	sqlite3_bind_text(st, 2, questura, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	out->version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_error(ctx->store, rc, why);
	if (!(st = store_stmt(ctx->store, ROWS, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, clock_epoch_of(day, 0));
	sqlite3_bind_int64(st, 2, clock_epoch_of(day + 1, 0));
	sqlite3_bind_text(st, 3, questura, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->count == cap) {
			size_t grown_cap = cap ? cap * 2 : 16;
			struct day_list_row *grown = realloc(out->rows, grown_cap * sizeof *grown);

			if (!grown) {
				sqlite3_reset(st);
				day_list_free(out);
				agenda_detail_set(why, MSG_NOMEM);
				return AG_ERR_NOMEM;
			}
			out->rows = grown;
			cap = grown_cap;
		}
		read_row(st, &out->rows[out->count]);
		if (out->rows[out->count].state == APPOINTMENT_CONFIRMED)
			out->appointments++;
		else
			out->cancellations++;
		out->count++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		day_list_free(out);
		return store_error(ctx->store, rc, why);
	}
	return AG_OK;
}

void day_list_free(struct day_list *l)
{
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

agenda_err day_list_questure(agenda_ctx *ctx, agenda_day day, char (**codes)[QUESTURA_CODE_MAX],
                             size_t *count, agenda_detail *why)
{
	static const char SQL[] = "SELECT DISTINCT p.questura FROM appointment a"
	                          " JOIN practice p ON p.id = a.practice_id"
	                          " WHERE a.created_at >= ? AND a.created_at < ? ORDER BY 1";
	char(*list)[QUESTURA_CODE_MAX] = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	*codes = NULL;
	*count = 0;
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, clock_epoch_of(day, 0));
	sqlite3_bind_int64(st, 2, clock_epoch_of(day + 1, 0));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t grown_cap = cap ? cap * 2 : 8;
			char(*grown)[QUESTURA_CODE_MAX] = realloc(list, grown_cap * sizeof *grown);

			if (!grown) {
				sqlite3_reset(st);
				free(list);
				agenda_detail_set(why, MSG_NOMEM);
				return AG_ERR_NOMEM;
			}
			list = grown;
			cap = grown_cap;
		}
		store_column_text(st, 0, list[n], sizeof list[n]);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(list);
		return store_error(ctx->store, rc, why);
	}
	*codes = list;
	*count = n;
	return AG_OK;
}
