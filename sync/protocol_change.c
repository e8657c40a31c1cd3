/*
 * protocol_change.c — one change of a round response to and from JSON (protocol_change.h).
 */
#include "sync/protocol_change.h"

#include <string.h>

#include "core/messages.h"
#include "sync/protocol_fields.h"

#define MINUTES_PER_DAY 1440

static const char *const TYPE_NAMES[] = {"grant",    "revoke",   "capacity",
                                         "practice", "operator", "questura"};
#define TYPE_COUNT (sizeof TYPE_NAMES / sizeof TYPE_NAMES[0])

const char *sync_change_type_name(enum sync_change_type type)
{
	return (unsigned)type < TYPE_COUNT ? TYPE_NAMES[type] : "?";
}

static json_t *body_json(const struct sync_change *c)
{
	switch (c->type) {
	case SYNC_CHANGE_GRANT:
		return json_pack("{s:I,s:s,s:s,s:i,s:I}", "slot_id", (json_int_t)c->u.grant.slot_id,
		                 "questura", c->u.grant.questura, "day", c->u.grant.day, "minute",
		                 c->u.grant.minute, "lease_end", (json_int_t)c->u.grant.lease_end);
	case SYNC_CHANGE_REVOKE:
		return json_pack("{s:I,s:s}", "slot_id", (json_int_t)c->u.revoke.slot_id, "reason",
		                 c->u.revoke.reason);
	case SYNC_CHANGE_CAPACITY:
		return json_pack("{s:s,s:s,s:b,s:s}", "questura", c->u.capacity.questura, "day",
		                 c->u.capacity.day, "open", c->u.capacity.open, "note",
		                 c->u.capacity.note);
	case SYNC_CHANGE_PRACTICE: {
		const struct sync_practice *p = &c->u.practice;

		return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "numero_pratica",
		                 p->numero_pratica, "numero_visto", p->numero_visto, "cognome",
		                 p->cognome, "nome", p->nome, "data_nascita", p->data_nascita,
		                 "nazionalita", p->nazionalita, "tipo", p->tipo, "questura",
		                 p->questura, "status", p->status);
	}
	case SYNC_CHANGE_OPERATOR:
		return json_pack("{s:s,s:s,s:s,s:s,s:I}", "username", c->u.op.username, "role",
		                 c->u.op.role, "site", c->u.op.site, "password_hash",
		                 c->u.op.password_hash, "locked_until",
		                 (json_int_t)c->u.op.locked_until);
	case SYNC_CHANGE_QUESTURA: {
		const struct sync_questura *q = &c->u.questura;

		return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:i}", "code", q->code, "name", q->name,
		                 "city", q->city, "address", q->address, "email", q->email,
		                 "patron_month", q->patron_month, "patron_day", q->patron_day);
	}
	}
	return NULL;
}

json_t *sync_change_json(const struct sync_change *c)
{
	json_t *o = body_json(c);

	if (o &&
	    (json_object_set_new(o, "seq", json_integer(c->seq)) != 0 ||
	     json_object_set_new(o, "type", json_string(sync_change_type_name(c->type))) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static agenda_err grant_read(json_t *o, const char *w, struct sync_grant *g, agenda_detail *why)
{
	int64_t minute = 0;
	agenda_err err;

	if ((err = pf_int(o, w, "slot_id", 1, INT64_MAX, &g->slot_id, why)) ||
	    (err = pf_string(o, w, "questura", PF_NAME, g->questura, sizeof g->questura, why)) ||
	    (err = pf_string(o, w, "day", PF_DAY, g->day, sizeof g->day, why)) ||
	    (err = pf_int(o, w, "minute", 0, MINUTES_PER_DAY - 1, &minute, why)) ||
	    (err = pf_int(o, w, "lease_end", 0, INT64_MAX, &g->lease_end, why)))
		return err;
	g->minute = (int)minute;
	return AG_OK;
}

static agenda_err revoke_read(json_t *o, const char *w, struct sync_revoke *r, agenda_detail *why)
{
	agenda_err err = pf_int(o, w, "slot_id", 1, INT64_MAX, &r->slot_id, why);

	return err ? err : pf_string(o, w, "reason", PF_TOKEN, r->reason, sizeof r->reason, why);
}

static agenda_err capacity_read(json_t *o, const char *w, struct sync_capacity *c,
                                agenda_detail *why)
{
	agenda_err err;

	if ((err = pf_string(o, w, "questura", PF_NAME, c->questura, sizeof c->questura, why)) ||
	    (err = pf_string(o, w, "day", PF_DAY, c->day, sizeof c->day, why)) ||
	    (err = pf_bool(o, w, "open", &c->open, why)))
		return err;
	return pf_string(o, w, "note", PF_TEXT, c->note, sizeof c->note, why);
}

static agenda_err practice_read(json_t *o, const char *w, struct sync_practice *p,
                                agenda_detail *why)
{
	agenda_err err;

	if ((err = pf_string(o, w, "numero_pratica", PF_NAME, p->numero_pratica,
	                     sizeof p->numero_pratica, why)) ||
	    (err = pf_string(o, w, "numero_visto", PF_TEXT, p->numero_visto, sizeof p->numero_visto,
	                     why)) ||
	    (err = pf_string(o, w, "cognome", PF_NAME, p->cognome, sizeof p->cognome, why)) ||
	    (err = pf_string(o, w, "nome", PF_NAME, p->nome, sizeof p->nome, why)) ||
	    (err = pf_string(o, w, "data_nascita", PF_DAY, p->data_nascita, sizeof p->data_nascita,
	                     why)) ||
	    (err = pf_string(o, w, "nazionalita", PF_NAME, p->nazionalita, sizeof p->nazionalita,
	                     why)) ||
	    (err = pf_string(o, w, "tipo", PF_NAME, p->tipo, sizeof p->tipo, why)) ||
	    (err = pf_string(o, w, "questura", PF_NAME, p->questura, sizeof p->questura, why)))
		return err;
	return pf_string(o, w, "status", PF_TOKEN, p->status, sizeof p->status, why);
}

static agenda_err operator_read(json_t *o, const char *w, struct sync_operator *op,
                                agenda_detail *why)
{
	agenda_err err;

	if ((err = pf_string(o, w, "username", PF_NAME, op->username, sizeof op->username, why)) ||
	    (err = pf_string(o, w, "role", PF_TOKEN, op->role, sizeof op->role, why)) ||
	    (err = pf_string(o, w, "site", PF_NAME, op->site, sizeof op->site, why)) ||
	    (err = pf_string(o, w, "password_hash", PF_NAME, op->password_hash,
	                     sizeof op->password_hash, why)) ||
	    (err = pf_int(o, w, "locked_until", 0, INT64_MAX, &op->locked_until, why)))
		return err;
	/* the device's operator table takes these three roles only (store CHECK) */
	if (strcmp(op->role, "operatore") != 0 && strcmp(op->role, "dirigente") != 0 &&
	    strcmp(op->role, "tecnico") != 0)
		return pf_refuse(why, MSG_SYNC_PROTO_BAD_VALUE, w, "role");
	return AG_OK;
}

static agenda_err questura_read(json_t *o, const char *w, struct sync_questura *q,
                                agenda_detail *why)
{
	int64_t month = 0, day = 0;
	agenda_err err;

	if ((err = pf_string(o, w, "code", PF_NAME, q->code, sizeof q->code, why)) ||
	    (err = pf_string(o, w, "name", PF_NAME, q->name, sizeof q->name, why)) ||
	    (err = pf_string(o, w, "city", PF_NAME, q->city, sizeof q->city, why)) ||
	    (err = pf_string(o, w, "address", PF_TEXT, q->address, sizeof q->address, why)) ||
	    (err = pf_string(o, w, "email", PF_TEXT, q->email, sizeof q->email, why)) ||
	    (err = pf_int(o, w, "patron_month", 0, 12, &month, why)) ||
	    (err = pf_int(o, w, "patron_day", 0, 31, &day, why)))
		return err;
	q->patron_month = (int)month;
	q->patron_day = (int)day;
	return AG_OK;
}

agenda_err sync_change_read(json_t *item, const char *where, struct sync_change *out,
                            agenda_detail *why)
{
	char type[SYNC_TOKEN_SIZE];
	agenda_err err;
	size_t t = 0;

	memset(out, 0, sizeof *out);
	if (!json_is_object(item)) {
		agenda_detail_set(why, MSG_SYNC_PROTO_TYPE, where);
		return AG_ERR_INVALID;
	}
	if ((err = pf_int(item, where, "seq", 1, INT64_MAX, &out->seq, why)) ||
	    (err = pf_string(item, where, "type", PF_TOKEN, type, sizeof type, why)))
		return err;
	while (t < TYPE_COUNT && strcmp(type, TYPE_NAMES[t]) != 0)
		t++;
	out->type = (enum sync_change_type)t;
	switch (out->type) {
	case SYNC_CHANGE_GRANT:
		return grant_read(item, where, &out->u.grant, why);
	case SYNC_CHANGE_REVOKE:
		return revoke_read(item, where, &out->u.revoke, why);
	case SYNC_CHANGE_CAPACITY:
		return capacity_read(item, where, &out->u.capacity, why);
	case SYNC_CHANGE_PRACTICE:
		return practice_read(item, where, &out->u.practice, why);
	case SYNC_CHANGE_OPERATOR:
		return operator_read(item, where, &out->u.op, why);
	case SYNC_CHANGE_QUESTURA:
		return questura_read(item, where, &out->u.questura, why);
	}
	/* an unknown type is refused, not skipped: skipping would move the cursor past it */
	return pf_refuse(why, MSG_SYNC_PROTO_BAD_VALUE, where, "type");
}
