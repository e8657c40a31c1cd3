/*
 * central_answer.h — what agenda-central's error answers mean on the device.
 *
 * Central answers every error with {"error": "<token>", "message": "...", "message_en": "..."}
 * (docs/CENTRAL.md, "API"). The device turns the tokens it knows into its own catalogue's words
 * and a project error code, so agendactl's exit status and the Tecnico screen say the same:
 *   code_malformed, bad_request → AG_ERR_INVALID   code_unknown → AG_ERR_NOT_FOUND
 *   code_used, code_expired, throttled, revoked, forbidden → AG_ERR_REFUSED
 *   any other 4xx → AG_ERR_REFUSED, 5xx or anything else → AG_ERR_IO (central's own words)
 */
#ifndef AGENDA_SYNC_CENTRAL_ANSWER_H
#define AGENDA_SYNC_CENTRAL_ANSWER_H

#include <jansson.h>

#include "core/error.h"
#include "sync/https_client.h"

#define CENTRAL_TOKEN_SIZE 32

/*
 * For an answer whose status is not 200: the error code, the detail, and the server's token
 * in token ("" when the body is not central's error object).
 */
agenda_err central_answer_error(const struct https_response *r, char token[CENTRAL_TOKEN_SIZE],
                                agenda_detail *why);

/*
 * For a 200 answer: the body as a JSON object (caller json_decref()s it). NULL with
 * AG_ERR_CORRUPT's detail (MSG_SYNC_BAD_ANSWER) when it is not one.
 */
json_t *central_answer_object(const struct https_response *r, agenda_detail *why);

/* A string member of obj, or NULL when missing or not a string. */
const char *central_answer_string(json_t *obj, const char *key);

#endif
