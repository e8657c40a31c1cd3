/*
 * protocol_request.c — the round request (device -> central) to and from JSON (protocol.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "sync/protocol.h"
#include "sync/protocol_fields.h"

void sync_request_free(struct sync_request *req)
{
	for (size_t i = 0; req->entries && i < req->n_entries; i++)
		json_decref(req->entries[i].payload);
	free(req->entries);
	free(req->releasing);
	free(req->demand);
	memset(req, 0, sizeof *req);
}

static json_t *entries_json(const struct sync_request *req)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < req->n_entries; i++) {
		const struct sync_entry *e = &req->entries[i];

		if (json_array_append_new(a, json_pack("{s:s,s:I,s:s,s:O}", "entry_id", e->entry_id,
		                                       "seq", (json_int_t)e->seq, "kind", e->kind,
		                                       "payload", e->payload)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *releasing_json(const struct sync_request *req)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < req->n_releasing; i++)
		if (json_array_append_new(a, json_integer(req->releasing[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *demand_json(const struct sync_request *req)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < req->n_demand; i++) {
		const struct sync_demand *d = &req->demand[i];

		if (json_array_append_new(a, json_pack("{s:s,s:i,s:i}", "questura", d->questura,
		                                       "days", d->days, "slots", d->slots)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

char *sync_request_encode(const struct sync_request *req, agenda_err *err)
{
	if (req->n_entries > SYNC_MAX_ENTRIES || req->n_releasing > SYNC_MAX_RELEASING ||
	    req->n_demand > SYNC_MAX_DEMAND) {
		*err = AG_ERR_USAGE;
		return NULL;
	}
	return pf_dump(json_pack("{s:i,s:s,s:I,s:o*,s:{s:I,s:s,s:I,s:s},s:s,s:o*,s:o*}", "version",
	                         SYNC_PROTOCOL_VERSION, "device_id", req->device_id, "cursor",
	                         (json_int_t)req->cursor, "entries", entries_json(req), "audit",
	                         "seq", (json_int_t)req->audit_seq, "hash", req->audit_hash,
	                         "anchor_seq", (json_int_t)req->audit_anchor_seq, "anchor_hash",
	                         req->audit_anchor_hash, "digest", req->digest, "releasing",
	                         releasing_json(req), "demand", demand_json(req)),
	               err);
}

static agenda_err entry_read(json_t *item, const char *where, struct sync_entry *e,
                             agenda_detail *why)
{
	agenda_err err;
	json_t *payload = NULL;
	size_t size;

	if (!json_is_object(item)) {
		agenda_detail_set(why, MSG_SYNC_PROTO_TYPE, where);
		return AG_ERR_INVALID;
	}
	if ((err = pf_string(item, where, "entry_id", PF_UUID, e->entry_id, sizeof e->entry_id,
	                     why)) ||
	    (err = pf_int(item, where, "seq", 1, INT64_MAX, &e->seq, why)) ||
	    (err = pf_string(item, where, "kind", PF_TOKEN, e->kind, sizeof e->kind, why)) ||
	    (err = pf_object(item, where, "payload", &payload, why)))
		return err;
	/* opaque to the protocol, but bounded: the journal writes small objects */
	size = json_dumpb(payload, NULL, 0, JSON_COMPACT);
	if (size == 0 || size > SYNC_MAX_PAYLOAD_BYTES)
		return pf_refuse(why, MSG_SYNC_PROTO_BAD_VALUE, where, "payload");
	e->payload = json_incref(payload);
	return AG_OK;
}

static agenda_err entries_read(json_t *root, struct sync_request *out, agenda_detail *why)
{
	json_t *a = NULL;
	agenda_err err = pf_array(root, "", "entries", SYNC_MAX_ENTRIES, &a, why);
	char where[PF_PATH_SIZE];

	if (err)
		return err;
	out->entries = calloc(json_array_size(a) + 1, sizeof *out->entries);
	if (!out->entries)
		return AG_ERR_NOMEM;
	for (size_t i = 0; i < json_array_size(a); i++, out->n_entries++) {
		snprintf(where, sizeof where, "entries[%zu]", i);
		if ((err = entry_read(json_array_get(a, i), where, &out->entries[i], why)))
			return err;
	}
	return AG_OK;
}

static agenda_err releasing_read(json_t *root, struct sync_request *out, agenda_detail *why)
{
	json_t *a = NULL;
	agenda_err err = pf_array(root, "", "releasing", SYNC_MAX_RELEASING, &a, why);
	char where[PF_PATH_SIZE];

	if (err)
		return err;
	out->releasing = calloc(json_array_size(a) + 1, sizeof *out->releasing);
	if (!out->releasing)
		return AG_ERR_NOMEM;
	for (size_t i = 0; i < json_array_size(a); i++, out->n_releasing++) {
		json_t *v = json_array_get(a, i);

		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			snprintf(where, sizeof where, "releasing[%zu]", i);
			agenda_detail_set(why, MSG_SYNC_PROTO_BAD_VALUE, where);
			return AG_ERR_INVALID;
		}
		out->releasing[i] = json_integer_value(v);
	}
	return AG_OK;
}

static agenda_err demand_read(json_t *root, struct sync_request *out, agenda_detail *why)
{
	json_t *a = NULL;
	agenda_err err = pf_array(root, "", "demand", SYNC_MAX_DEMAND, &a, why);
	char where[PF_PATH_SIZE];

	if (err)
		return err;
	out->demand = calloc(json_array_size(a) + 1, sizeof *out->demand);
	if (!out->demand)
		return AG_ERR_NOMEM;
	for (size_t i = 0; i < json_array_size(a); i++, out->n_demand++) {
		json_t *item = json_array_get(a, i);
		struct sync_demand *d = &out->demand[i];
		int64_t days = 0, slots = 0;

		snprintf(where, sizeof where, "demand[%zu]", i);
		if (!json_is_object(item)) {
			agenda_detail_set(why, MSG_SYNC_PROTO_TYPE, where);
			return AG_ERR_INVALID;
		}
		if ((err = pf_string(item, where, "questura", PF_NAME, d->questura,
		                     sizeof d->questura, why)) ||
		    (err = pf_int(item, where, "days", 0, SYNC_MAX_DEMAND_DAYS, &days, why)) ||
		    (err = pf_int(item, where, "slots", 0, SYNC_MAX_DEMAND_SLOTS, &slots, why)))
			return err;
		d->days = (int)days;
		d->slots = (int)slots;
	}
	return AG_OK;
}

agenda_err sync_request_decode(const void *bytes, size_t length, struct sync_request *out,
                               agenda_detail *why)
{
	json_t *root = NULL, *audit = NULL;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if ((err = pf_message(bytes, length, &root, why)))
		return err;
	out->version = SYNC_PROTOCOL_VERSION;
	if ((err = pf_string(root, "", "device_id", PF_NAME, out->device_id, sizeof out->device_id,
	                     why)) ||
	    (err = pf_int(root, "", "cursor", 0, INT64_MAX, &out->cursor, why)) ||
	    (err = entries_read(root, out, why)) ||
	    (err = pf_object(root, "", "audit", &audit, why)) ||
	    (err = pf_int(audit, "audit", "seq", 0, INT64_MAX, &out->audit_seq, why)) ||
	    (err = pf_string(audit, "audit", "hash", PF_HEX64, out->audit_hash,
	                     sizeof out->audit_hash, why)) ||
	    (err = pf_int(audit, "audit", "anchor_seq", 0, INT64_MAX, &out->audit_anchor_seq,
	                  why)) ||
	    (err = pf_string(audit, "audit", "anchor_hash", PF_HEX64, out->audit_anchor_hash,
	                     sizeof out->audit_anchor_hash, why)) ||
	    (err = pf_string(root, "", "digest", PF_HEX64, out->digest, sizeof out->digest, why)) ||
	    (err = releasing_read(root, out, why)) || (err = demand_read(root, out, why)))
		sync_request_free(out);
	json_decref(root);
	return err;
}
