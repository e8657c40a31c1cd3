/*
 * protocol_grant.c — the online earliest-slot grant (POST /v1/device/grant, docs/SYNC.md): the
 * device names the Questura, the first day it may book and its own best slot; central answers
 * with one pool slot strictly earlier, as a grant change with its seq, or granted=false.
 * Same strict rules as the round's messages (protocol_fields.h).
 */
#include <string.h>

#include "core/messages.h"
#include "sync/protocol.h"
#include "sync/protocol_change.h"
#include "sync/protocol_fields.h"

char *sync_grant_request_encode(const struct sync_grant_request *req, agenda_err *err)
{
	return pf_dump(json_pack("{s:i,s:s,s:s,s:s,s:i}", "version", SYNC_PROTOCOL_VERSION,
	                         "questura", req->questura, "from_day", req->from_day, "before_day",
	                         req->before_day, "before_minute", req->before_minute),
	               err);
}

char *sync_grant_response_encode(const struct sync_grant_response *res, agenda_err *err)
{
	json_t *root = json_pack("{s:i,s:I,s:b,s:I}", "version", SYNC_PROTOCOL_VERSION, "now",
	                         (json_int_t)res->now, "granted", res->granted, "lease_end",
	                         (json_int_t)res->lease_end);

	if (root && res->granted) {
		if (res->grant.type != SYNC_CHANGE_GRANT) {
			json_decref(root);
			*err = AG_ERR_USAGE;
			return NULL;
		}
		if (json_object_set_new(root, "grant", sync_change_json(&res->grant)) != 0) {
			json_decref(root);
			root = NULL;
		}
	}
	return pf_dump(root, err);
}

agenda_err sync_grant_request_decode(const void *bytes, size_t length,
                                     struct sync_grant_request *out, agenda_detail *why)
{
	json_t *root = NULL;
	int64_t minute = 0;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if ((err = pf_message(bytes, length, &root, why)))
		return err;
	out->version = SYNC_PROTOCOL_VERSION;
	if (!(err = pf_string(root, "", "questura", PF_NAME, out->questura, sizeof out->questura,
	                      why)) &&
	    !(err = pf_string(root, "", "from_day", PF_DAY, out->from_day, sizeof out->from_day,
	                      why)) &&
	    !(err = pf_string(root, "", "before_day", PF_DAY, out->before_day,
	                      sizeof out->before_day, why)) &&
	    !(err = pf_int(root, "", "before_minute", 0, 1440, &minute, why)))
		out->before_minute = (int)minute;
	json_decref(root);
	if (err)
		memset(out, 0, sizeof *out);
	return err;
}

agenda_err sync_grant_response_decode(const void *bytes, size_t length,
                                      struct sync_grant_response *out, agenda_detail *why)
{
	json_t *root = NULL;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if ((err = pf_message(bytes, length, &root, why)))
		return err;
	out->version = SYNC_PROTOCOL_VERSION;
	if (!(err = pf_int(root, "", "now", 0, INT64_MAX, &out->now, why)) &&
	    !(err = pf_bool(root, "", "granted", &out->granted, why)) &&
	    !(err = pf_int(root, "", "lease_end", 0, INT64_MAX, &out->lease_end, why)) &&
	    out->granted) {
		json_t *grant = json_object_get(root, "grant");

		if (!grant) {
			err = pf_refuse(why, MSG_SYNC_PROTO_MISSING, "", "grant");
		} else if (!(err = sync_change_read(grant, "grant", &out->grant, why)) &&
		           out->grant.type != SYNC_CHANGE_GRANT) {
			err = pf_refuse(why, MSG_SYNC_PROTO_BAD_VALUE, "grant", "type");
		}
	}
	json_decref(root);
	if (err)
		memset(out, 0, sizeof *out);
	return err;
}
