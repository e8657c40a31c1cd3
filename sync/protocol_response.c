/*
 * protocol_response.c — the round response (central -> device) to and from JSON (protocol.h).
 * Changes are flat objects {"seq", "type", ...fields of the type} (protocol_change.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "sync/protocol.h"
#include "sync/protocol_change.h"
#include "sync/protocol_fields.h"

static const char *const ACTION_NAMES[] = {"cancel_copy", "worklist"};

const char *sync_action_name(enum sync_action action)
{
	return (unsigned)action < 2 ? ACTION_NAMES[action] : "?";
}

void sync_response_free(struct sync_response *res)
{
	free(res->acks);
	free(res->conflicts);
	free(res->changes);
	memset(res, 0, sizeof *res);
}

static json_t *acks_json(const struct sync_response *res)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < res->n_acks; i++)
		if (json_array_append_new(a, json_string(res->acks[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *conflicts_json(const struct sync_response *res)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < res->n_conflicts; i++) {
		const struct sync_conflict *c = &res->conflicts[i];

		if (json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "entry_id", c->entry_id,
		                                       "reason", c->reason, "action",
		                                       sync_action_name(c->action))) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *changes_json(const struct sync_response *res)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < res->n_changes; i++)
		if (json_array_append_new(a, sync_change_json(&res->changes[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

char *sync_response_encode(const struct sync_response *res, agenda_err *err)
{
	if (res->n_acks > SYNC_MAX_ENTRIES || res->n_conflicts > SYNC_MAX_ENTRIES ||
	    res->n_changes > SYNC_MAX_CHANGES) {
		*err = AG_ERR_USAGE;
		return NULL;
	}
	return pf_dump(json_pack("{s:i,s:o*,s:o*,s:o*,s:I,s:b,s:I,s:I}", "version",
	                         SYNC_PROTOCOL_VERSION, "acks", acks_json(res), "conflicts",
	                         conflicts_json(res), "changes", changes_json(res), "cursor",
	                         (json_int_t)res->cursor, "more", res->more, "lease_end",
	                         (json_int_t)res->lease_end, "now", (json_int_t)res->now),
	               err);
}

static agenda_err acks_read(json_t *root, struct sync_response *out, agenda_detail *why)
{
	json_t *a = NULL;
	agenda_err err = pf_array(root, "", "acks", SYNC_MAX_ENTRIES, &a, why);
	char where[PF_PATH_SIZE];

	if (err)
		return err;
	out->acks = calloc(json_array_size(a) + 1, sizeof *out->acks);
	if (!out->acks)
		return AG_ERR_NOMEM;
	for (size_t i = 0; i < json_array_size(a); i++, out->n_acks++) {
		/* an array item is read through a one-member object so the shape rules stay one */
		json_t *wrap = json_pack("{s:O}", "id", json_array_get(a, i));

		snprintf(where, sizeof where, "acks[%zu]", i);
		err = wrap ? pf_string(wrap, where, "id", PF_UUID, out->acks[i], SYNC_UUID_SIZE,
		                       why)
		           : AG_ERR_NOMEM;
		json_decref(wrap);
		if (err)
			return err;
	}
	return AG_OK;
}

static agenda_err conflicts_read(json_t *root, struct sync_response *out, agenda_detail *why)
{
	json_t *a = NULL;
	agenda_err err = pf_array(root, "", "conflicts", SYNC_MAX_ENTRIES, &a, why);
	char where[PF_PATH_SIZE], action[SYNC_TOKEN_SIZE];

	if (err)
		return err;
	out->conflicts = calloc(json_array_size(a) + 1, sizeof *out->conflicts);
	if (!out->conflicts)
		return AG_ERR_NOMEM;
	for (size_t i = 0; i < json_array_size(a); i++, out->n_conflicts++) {
		json_t *item = json_array_get(a, i);
		struct sync_conflict *c = &out->conflicts[i];

		snprintf(where, sizeof where, "conflicts[%zu]", i);
		if (!json_is_object(item)) {
			agenda_detail_set(why, MSG_SYNC_PROTO_TYPE, where);
			return AG_ERR_INVALID;
		}
		if ((err = pf_string(item, where, "entry_id", PF_UUID, c->entry_id,
		                     sizeof c->entry_id, why)) ||
		    (err = pf_string(item, where, "reason", PF_TOKEN, c->reason, sizeof c->reason,
		                     why)) ||
		    (err = pf_string(item, where, "action", PF_TOKEN, action, sizeof action, why)))
			return err;
		if (strcmp(action, "cancel_copy") == 0) {
			c->action = SYNC_ACTION_CANCEL_COPY;
		} else if (strcmp(action, "worklist") == 0) {
			c->action = SYNC_ACTION_WORKLIST;
		} else {
			return pf_refuse(why, MSG_SYNC_PROTO_BAD_VALUE, where, "action");
		}
	}
	return AG_OK;
}

static agenda_err changes_read(json_t *root, struct sync_response *out, agenda_detail *why)
{
	json_t *a = NULL;
	agenda_err err = pf_array(root, "", "changes", SYNC_MAX_CHANGES, &a, why);
	char where[PF_PATH_SIZE];

	if (err)
		return err;
	out->changes = calloc(json_array_size(a) + 1, sizeof *out->changes);
	if (!out->changes)
		return AG_ERR_NOMEM;
	for (size_t i = 0; i < json_array_size(a); i++, out->n_changes++) {
		snprintf(where, sizeof where, "changes[%zu]", i);
		if ((err = sync_change_read(json_array_get(a, i), where, &out->changes[i], why)))
			return err;
		/* strictly increasing: the device's cursor may never go back */
		if (i > 0 && out->changes[i].seq <= out->changes[i - 1].seq)
			return pf_refuse(why, MSG_SYNC_PROTO_BAD_VALUE, where, "seq");
	}
	return AG_OK;
}

agenda_err sync_response_decode(const void *bytes, size_t length, struct sync_response *out,
                                agenda_detail *why)
{
	json_t *root = NULL;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if ((err = pf_message(bytes, length, &root, why)))
		return err;
	out->version = SYNC_PROTOCOL_VERSION;
	if ((err = acks_read(root, out, why)) || (err = conflicts_read(root, out, why)) ||
	    (err = changes_read(root, out, why)) ||
	    (err = pf_int(root, "", "cursor", 0, INT64_MAX, &out->cursor, why)) ||
	    (err = pf_bool(root, "", "more", &out->more, why)) ||
	    (err = pf_int(root, "", "lease_end", 0, INT64_MAX, &out->lease_end, why)) ||
	    (err = pf_int(root, "", "now", 0, INT64_MAX, &out->now, why))) {
		sync_response_free(out);
	} else if (out->n_changes > 0 && out->cursor < out->changes[out->n_changes - 1].seq) {
		agenda_detail_set(why, MSG_SYNC_PROTO_BAD_VALUE, "cursor");
		sync_response_free(out);
		err = AG_ERR_INVALID;
	}
	json_decref(root);
	return err;
}
