/*
 * protocol_fields.h — strict readers of one JSON field for the sync protocol's decoders
 * (protocol_request.c, protocol_response.c). Each one checks presence, type, bounds and shape,
 * and on failure fills why with a catalogue message naming the field by its path
 * ("entries[3].entry_id"), returning AG_ERR_INVALID.
 */
#ifndef AGENDA_SYNC_PROTOCOL_FIELDS_H
#define AGENDA_SYNC_PROTOCOL_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* What a string must look like besides fitting its buffer. */
enum pf_shape {
	PF_TEXT,  /* any UTF-8 without control characters, may be empty */
	PF_NAME,  /* non-empty text */
	PF_TOKEN, /* [a-z0-9_]+ */
	PF_UUID,  /* 8-4-4-4-12 lowercase hex */
	PF_HEX64, /* 64 lowercase hex digits */
	PF_DAY,   /* YYYY-MM-DD with a plausible month and day */
};

#define PF_PATH_SIZE 64

/* Where a field sits: the parent's path (may be "") joined with key into out. */
void pf_path(char out[PF_PATH_SIZE], const char *parent, const char *key);

/* Fills why with msg (one %s: the field's path) and returns AG_ERR_INVALID. */
agenda_err pf_refuse(agenda_detail *why, int msg, const char *parent, const char *key);

agenda_err pf_string(json_t *obj, const char *parent, const char *key, enum pf_shape shape,
                     char *out, size_t size, agenda_detail *why);
agenda_err pf_int(json_t *obj, const char *parent, const char *key, int64_t min, int64_t max,
                  int64_t *out, agenda_detail *why);
agenda_err pf_bool(json_t *obj, const char *parent, const char *key, bool *out, agenda_detail *why);
/* A required array of at most max items (borrowed reference in *out). */
agenda_err pf_array(json_t *obj, const char *parent, const char *key, size_t max, json_t **out,
                    agenda_detail *why);
/* A required object (borrowed reference in *out). */
agenda_err pf_object(json_t *obj, const char *parent, const char *key, json_t **out,
                     agenda_detail *why);

/* The whole message: size bound, JSON parse, top-level object, version (owned *out). */
agenda_err pf_message(const void *bytes, size_t length, json_t **out, agenda_detail *why);

/* Serialises root (stolen) compactly with sorted keys; NULL when over SYNC_MAX_BODY_BYTES. */
char *pf_dump(json_t *root, agenda_err *err);

#endif
