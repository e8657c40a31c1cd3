/*
 * protocol_fields.c — strict readers of one JSON field (protocol_fields.h).
 */
#include "sync/protocol_fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/messages.h"
#include "sync/protocol.h"

void pf_path(char out[PF_PATH_SIZE], const char *parent, const char *key)
{
	snprintf(out, PF_PATH_SIZE, "%s%s%s", parent, parent[0] ? "." : "", key);
}

agenda_err pf_refuse(agenda_detail *why, int msg, const char *parent, const char *key)
{
	char path[PF_PATH_SIZE];

	pf_path(path, parent, key);
	agenda_detail_set(why, msg, path);
	return AG_ERR_INVALID;
}

/* Present and of the expected type, else the message naming the field. */
static json_t *member(json_t *obj, const char *parent, const char *key, json_type type,
                      agenda_err *err, agenda_detail *why)
{
	json_t *v = json_object_get(obj, key);

	*err = AG_OK;
	if (!v)
		*err = pf_refuse(why, MSG_SYNC_PROTO_MISSING, parent, key);
	else if (json_typeof(v) != type &&
	         !(type == JSON_TRUE && json_is_boolean(v))) /* JSON_TRUE stands for boolean */
		*err = pf_refuse(why, MSG_SYNC_PROTO_TYPE, parent, key);
	return *err == AG_OK ? v : NULL;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool shaped(const char *s, size_t n, enum pf_shape shape)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false; /* no control characters anywhere (they reach screens and
			                 logs) */
	switch (shape) {
	case PF_TEXT:
		return true;
	case PF_NAME:
		return n > 0;
	case PF_TOKEN:
		for (size_t i = 0; i < n; i++)
			if (!is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'z') && s[i] != '_')
				return false;
		return n > 0;
	case PF_UUID:
		if (n != 36)
			return false;
		for (size_t i = 0; i < n; i++)
			if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !is_hex(s[i]))
				return false;
		return true;
	case PF_HEX64:
		for (size_t i = 0; i < n; i++)
			if (!is_hex(s[i]))
				return false;
		return n == 64;
	case PF_DAY: {
		if (n != 10 || s[4] != '-' || s[7] != '-')
			return false;
		for (size_t i = 0; i < n; i++)
			if (i != 4 && i != 7 && !is_digit(s[i]))
				return false;
		/* a real date of the calendar: 2026-02-31 is refused */
		return date_ymd_valid(atoi(s), atoi(s + 5), atoi(s + 8));
	}
	}
	return false;
}

agenda_err pf_string(json_t *obj, const char *parent, const char *key, enum pf_shape shape,
                     char *out, size_t size, agenda_detail *why)
{
	agenda_err err;
	json_t *v = member(obj, parent, key, JSON_STRING, &err, why);
	const char *s;
	size_t n;

	if (!v)
		return err;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n >= size || strlen(s) != n || !shaped(s, n, shape))
		return pf_refuse(why, MSG_SYNC_PROTO_BAD_VALUE, parent, key);
	memcpy(out, s, n + 1);
	return AG_OK;
}

agenda_err pf_int(json_t *obj, const char *parent, const char *key, int64_t min, int64_t max,
                  int64_t *out, agenda_detail *why)
{
	agenda_err err;
	json_t *v = member(obj, parent, key, JSON_INTEGER, &err, why);

	if (!v)
		return err;
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return pf_refuse(why, MSG_SYNC_PROTO_BAD_VALUE, parent, key);
	*out = json_integer_value(v);
	return AG_OK;
}

agenda_err pf_bool(json_t *obj, const char *parent, const char *key, bool *out, agenda_detail *why)
{
	agenda_err err;
	json_t *v = member(obj, parent, key, JSON_TRUE, &err, why);

	if (v)
		*out = json_is_true(v);
	return err;
}

agenda_err pf_array(json_t *obj, const char *parent, const char *key, size_t max, json_t **out,
                    agenda_detail *why)
{
	agenda_err err;
	json_t *v = member(obj, parent, key, JSON_ARRAY, &err, why);

	if (!v)
		return err;
	if (json_array_size(v) > max) {
		char path[PF_PATH_SIZE];

		pf_path(path, parent, key);
		agenda_detail_set(why, MSG_SYNC_PROTO_TOO_MANY, path, (int)max);
		return AG_ERR_INVALID;
	}
	*out = v;
	return AG_OK;
}

agenda_err pf_object(json_t *obj, const char *parent, const char *key, json_t **out,
                     agenda_detail *why)
{
	agenda_err err;
	json_t *v = member(obj, parent, key, JSON_OBJECT, &err, why);

	if (v)
		*out = v;
	return err;
}

agenda_err pf_message(const void *bytes, size_t length, json_t **out, agenda_detail *why)
{
	json_error_t error;
	json_t *root, *version;

	*out = NULL;
	if (length > SYNC_MAX_BODY_BYTES) {
		agenda_detail_set(why, MSG_SYNC_PROTO_TOO_LARGE, (unsigned long)length,
		                  (unsigned long)SYNC_MAX_BODY_BYTES);
		return AG_ERR_INVALID;
	}
	root = json_loadb(bytes ? bytes : "", bytes ? length : 0, JSON_REJECT_DUPLICATES, &error);
	if (!root) {
		agenda_detail_set(why, MSG_SYNC_PROTO_NOT_JSON, error.position);
		return AG_ERR_INVALID;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		agenda_detail_set(why, MSG_SYNC_PROTO_TYPE, "(message)");
		return AG_ERR_INVALID;
	}
	version = json_object_get(root, "version");
	if (!json_is_integer(version)) {
		json_decref(root);
		return pf_refuse(why, version ? MSG_SYNC_PROTO_TYPE : MSG_SYNC_PROTO_MISSING, "",
		                 "version");
	}
	if (json_integer_value(version) != SYNC_PROTOCOL_VERSION) {
		agenda_detail_set(why, MSG_SYNC_PROTO_VERSION,
		                  (long long)json_integer_value(version), SYNC_PROTOCOL_VERSION);
		json_decref(root);
		return AG_ERR_REFUSED;
	}
	*out = root;
	return AG_OK;
}

char *pf_dump(json_t *root, agenda_err *err)
{
	char *text = root ? json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(root);
	*err = text ? AG_OK : AG_ERR_NOMEM;
	if (text && strlen(text) > SYNC_MAX_BODY_BYTES) {
		free(text);
		*err = AG_ERR_USAGE;
		return NULL;
	}
	return text;
}
