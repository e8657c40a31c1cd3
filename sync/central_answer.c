/*
 * central_answer.c — central's error tokens into the device's words (central_answer.h).
 */
#include "sync/central_answer.h"

#include <stdio.h>
#include <string.h>

#include "core/messages.h"

struct known_token {
	const char *token;
	agenda_err err;
	agenda_msg msg;
};

static const struct known_token KNOWN[] = {
        {"code_malformed", AG_ERR_INVALID, MSG_SYNC_CODE_MALFORMED},
        {"code_unknown", AG_ERR_NOT_FOUND, MSG_SYNC_CODE_UNKNOWN},
        {"code_used", AG_ERR_REFUSED, MSG_SYNC_CODE_USED},
        {"code_expired", AG_ERR_REFUSED, MSG_SYNC_CODE_EXPIRED},
        {"revoked", AG_ERR_REFUSED, MSG_SYNC_REVOKED},
        {"forbidden", AG_ERR_REFUSED, MSG_SYNC_FORBIDDEN},
};

const char *central_answer_string(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *central_answer_object(const struct https_response *r, agenda_detail *why)
{
	json_t *obj = r->body ? json_loadb(r->body, r->length, 0, NULL) : NULL;

	if (!json_is_object(obj)) {
		json_decref(obj);
		agenda_detail_set(why, MSG_SYNC_BAD_ANSWER, r->status);
		return NULL;
	}
	return obj;
}

agenda_err central_answer_error(const struct https_response *r, char token[CENTRAL_TOKEN_SIZE],
                                agenda_detail *why)
{
	json_t *obj = r->body ? json_loadb(r->body, r->length, 0, NULL) : NULL;
	const char *error = central_answer_string(obj, "error");
	const char *it = central_answer_string(obj, "message");
	const char *en = central_answer_string(obj, "message_en");
	agenda_err err = r->status >= 400 && r->status < 500 ? AG_ERR_REFUSED : AG_ERR_IO;

	snprintf(token, CENTRAL_TOKEN_SIZE, "%s", error ? error : "");
	for (size_t i = 0; error && i < sizeof KNOWN / sizeof KNOWN[0]; i++)
		if (strcmp(error, KNOWN[i].token) == 0) {
			agenda_detail_set(why, KNOWN[i].msg);
			json_decref(obj);
			return KNOWN[i].err;
		}
	if (error && strcmp(error, "throttled") == 0) {
		agenda_detail_set(why, MSG_SYNC_THROTTLED,
		                  r->retry_after > 0 ? r->retry_after : 900L);
		err = AG_ERR_REFUSED;
	} else if (it && en) {
		/* central's own words (same catalogue on both sides), after the status */
		agenda_detail_set(why, MSG_SYNC_SERVER_SAID, r->status);
		if (why) {
			size_t ni = strlen(why->it), ne = strlen(why->en);

			snprintf(why->it + ni, sizeof why->it - ni, " %s", it);
			snprintf(why->en + ne, sizeof why->en - ne, " %s", en);
		}
		if (error && strcmp(error, "bad_request") == 0)
			err = AG_ERR_INVALID;
	} else {
		agenda_detail_set(why, MSG_SYNC_BAD_ANSWER, r->status);
	}
	json_decref(obj);
	return err;
}
