/*
 * sync_protocol_test.c — the sync protocol v1's messages (sync/protocol.h): every message type
 * round-trips (encode -> decode -> encode gives the same text, fields read back), and decode
 * refuses, with a message naming the field, every missing field, every wrong type, overlong
 * strings, too many items, another version, and every truncation of a valid message; unknown
 * fields are ignored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/protocol.h"

#define UUID_A "2ea901a4-e6c0-41a3-b7e7-323ee043b07a"
#define UUID_B "22214165-c10d-46ee-abea-85664afd264d"
#define HEX_A  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX_B  "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static struct sync_entry ENTRIES[2];
static int64_t RELEASING[] = {41, 42};
static struct sync_demand DEMAND[] = {{"RM", 10, 120}, {"LT", 5, 0}};

static struct sync_request sample_request(void)
{
	struct sync_request r = {.version = 1,
	                         .device_id = "ROMA-0001",
	                         .cursor = 77,
	                         .entries = ENTRIES,
	                         .n_entries = 2,
	                         .audit_seq = 12,
	                         .audit_hash = HEX_A,
	                         .audit_anchor_seq = 9,
	                         .audit_anchor_hash = HEX_B,
	                         .digest = HEX_B,
	                         .releasing = RELEASING,
	                         .n_releasing = 2,
	                         .demand = DEMAND,
	                         .n_demand = 2};

	snprintf(ENTRIES[0].entry_id, SYNC_UUID_SIZE, "%s", UUID_A);
	ENTRIES[0].seq = 11;
	snprintf(ENTRIES[0].kind, SYNC_TOKEN_SIZE, "book");
	ENTRIES[0].payload =
	        json_pack("{s:s,s:I,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:s}", "appointment_id", UUID_B,
	                  "at", (json_int_t)1777878000, "date", "2026-05-05", "entry_id", UUID_A,
	                  "kind", "book", "modello209", 0, "numero_pratica", "RM/2026/000001",
	                  "operator", "mario.rossi", "questura", "RM", "time", "09:00");
	snprintf(ENTRIES[1].entry_id, SYNC_UUID_SIZE, "%s", UUID_B);
	ENTRIES[1].seq = 12;
	snprintf(ENTRIES[1].kind, SYNC_TOKEN_SIZE, "close_day");
	ENTRIES[1].payload = json_pack("{s:s,s:i}", "day", "2026-05-05", "version", 1);
	return r;
}

static void sample_request_free(void)
{
	for (int i = 0; i < 2; i++)
		json_decref(ENTRIES[i].payload);
}

static char ACKS[2][SYNC_UUID_SIZE] = {UUID_A, UUID_B};
static struct sync_conflict CONFLICTS[] = {{UUID_B, "duplicate_practice", SYNC_ACTION_CANCEL_COPY},
                                           {UUID_A, "closure", SYNC_ACTION_WORKLIST}};
static struct sync_change CHANGES[6];

static struct sync_response sample_response(void)
{
	struct sync_response r = {.version = 1,
	                          .acks = ACKS,
	                          .n_acks = 2,
	                          .conflicts = CONFLICTS,
	                          .n_conflicts = 2,
	                          .changes = CHANGES,
	                          .n_changes = 6,
	                          .cursor = 106,
	                          .more = true,
	                          .lease_end = 1777900000,
	                          .now = 1777800000};

	memset(CHANGES, 0, sizeof CHANGES);
	CHANGES[0] = (struct sync_change){.seq = 100,
	                                  .type = SYNC_CHANGE_GRANT,
	                                  .u.grant = {501, "RM", "2026-05-06", 540, 1777900000}};
	CHANGES[1] = (struct sync_change){
	        .seq = 101, .type = SYNC_CHANGE_REVOKE, .u.revoke = {502, "closure"}};
	CHANGES[2] = (struct sync_change){.seq = 102,
	                                  .type = SYNC_CHANGE_CAPACITY,
	                                  .u.capacity = {"RM", "2026-05-07", false, "Sciopero"}};
	CHANGES[3] = (struct sync_change){.seq = 103,
	                                  .type = SYNC_CHANGE_PRACTICE,
	                                  .u.practice = {"RM/2026/000002", "", "Rossi", "Ana",
	                                                 "1990-01-31", "ALB", "lavoro", "RM",
	                                                 "nulla_osta_rilasciato"}};
	CHANGES[4] =
	        (struct sync_change){.seq = 104,
	                             .type = SYNC_CHANGE_OPERATOR,
	                             .u.op = {"mario.rossi", "operatore", "roma-centro",
	                                      "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA", 0}};
	CHANGES[5] = (struct sync_change){
	        .seq = 106,
	        .type = SYNC_CHANGE_QUESTURA,
	        .u.questura = {"RM", "Questura di Roma", "Roma", "Via di San Vitale 15",
	                       "immigrazione.rm@poliziadistato.it", 6, 29}};
	return r;
}

static char *request_text(void)
{
	struct sync_request r = sample_request();
	agenda_err err = AG_ERR_IO;
	char *text = sync_request_encode(&r, &err);

	assert_int_equal(err, AG_OK);
	sample_request_free();
	return text;
}

static char *response_text(void)
{
	struct sync_response r = sample_response();
	agenda_err err = AG_ERR_IO;
	char *text = sync_response_encode(&r, &err);

	assert_int_equal(err, AG_OK);
	return text;
}

typedef agenda_err (*decode_fn)(const char *text, size_t n, agenda_detail *why);

static agenda_err decode_request(const char *text, size_t n, agenda_detail *why)
{
	struct sync_request r;
	agenda_err err = sync_request_decode(text, n, &r, why);

	if (err == AG_OK)
		sync_request_free(&r);
	else
		assert_null(r.entries); /* nothing left to free on failure */
	return err;
}

static agenda_err decode_response(const char *text, size_t n, agenda_detail *why)
{
	struct sync_response r;
	agenda_err err = sync_response_decode(text, n, &r, why);

	if (err == AG_OK)
		sync_response_free(&r);
	else
		assert_null(r.changes);
	return err;
}

static void request_round_trips(void **state)
{
	char *text = request_text(), *again;
	struct sync_request r;
	agenda_detail why;
	agenda_err err;

	(void)state;
	assert_int_equal(sync_request_decode(text, strlen(text), &r, &why), AG_OK);
	assert_string_equal(r.device_id, "ROMA-0001");
	assert_int_equal(r.cursor, 77);
	assert_int_equal(r.n_entries, 2);
	assert_string_equal(r.entries[1].entry_id, UUID_B);
	assert_int_equal(r.entries[1].seq, 12);
	assert_string_equal(r.entries[1].kind, "close_day");
	assert_string_equal(
	        json_string_value(json_object_get(r.entries[0].payload, "numero_pratica")),
	        "RM/2026/000001");
	assert_int_equal(r.audit_seq, 12);
	assert_string_equal(r.audit_hash, HEX_A);
	assert_int_equal(r.audit_anchor_seq, 9);
	assert_string_equal(r.audit_anchor_hash, HEX_B);
	assert_string_equal(r.digest, HEX_B);
	assert_int_equal(r.n_releasing, 2);
	assert_int_equal(r.releasing[1], 42);
	assert_int_equal(r.n_demand, 2);
	assert_string_equal(r.demand[0].questura, "RM");
	assert_int_equal(r.demand[0].days, 10);
	assert_int_equal(r.demand[0].slots, 120);
	again = sync_request_encode(&r, &err);
	assert_string_equal(again, text);
	sync_request_free(&r);
	free(again);
	free(text);
}

static void empty_request_is_small(void **state)
{
	struct sync_request r = {.device_id = "ROMA-0001",
	                         .audit_hash = HEX_A,
	                         .audit_anchor_hash = HEX_A,
	                         .digest = HEX_B},
	                    back;
	agenda_err err;
	char *text = sync_request_encode(&r, &err);
	agenda_detail why;

	(void)state;
	assert_non_null(text);
	assert_true(strlen(text) < 400); /* a round with nothing to say is one small request */
	assert_int_equal(sync_request_decode(text, strlen(text), &back, &why), AG_OK);
	assert_int_equal(back.n_entries, 0);
	sync_request_free(&back);
	free(text);
}

static void response_round_trips(void **state)
{
	char *text = response_text(), *again;
	struct sync_response r;
	agenda_detail why;
	agenda_err err;

	(void)state;
	assert_int_equal(sync_response_decode(text, strlen(text), &r, &why), AG_OK);
	assert_int_equal(r.n_acks, 2);
	assert_string_equal(r.acks[1], UUID_B);
	assert_int_equal(r.n_conflicts, 2);
	assert_string_equal(r.conflicts[0].reason, "duplicate_practice");
	assert_int_equal(r.conflicts[0].action, SYNC_ACTION_CANCEL_COPY);
	assert_int_equal(r.conflicts[1].action, SYNC_ACTION_WORKLIST);
	assert_int_equal(r.n_changes, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(r.changes[i].seq, CHANGES[i].seq);
		assert_int_equal(r.changes[i].type, CHANGES[i].type);
	}
	assert_int_equal(r.changes[0].u.grant.slot_id, 501);
	assert_string_equal(r.changes[0].u.grant.day, "2026-05-06");
	assert_int_equal(r.changes[0].u.grant.minute, 540);
	assert_int_equal(r.changes[0].u.grant.lease_end, 1777900000);
	assert_string_equal(r.changes[1].u.revoke.reason, "closure");
	assert_false(r.changes[2].u.capacity.open);
	assert_string_equal(r.changes[2].u.capacity.note, "Sciopero");
	assert_string_equal(r.changes[3].u.practice.data_nascita, "1990-01-31");
	assert_string_equal(r.changes[3].u.practice.numero_visto, "");
	assert_string_equal(r.changes[4].u.op.password_hash, CHANGES[4].u.op.password_hash);
	assert_int_equal(r.changes[5].u.questura.patron_day, 29);
	assert_int_equal(r.cursor, 106);
	assert_true(r.more);
	assert_int_equal(r.lease_end, 1777900000);
	assert_int_equal(r.now, 1777800000);
	again = sync_response_encode(&r, &err);
	assert_string_equal(again, text);
	sync_response_free(&r);
	free(again);
	free(text);
}

/* Calls visit(root, obj, key) for every member of every object outside journal payloads. */
static void each_member(json_t *root, json_t *node, decode_fn decode,
                        void (*visit)(json_t *, json_t *, const char *, decode_fn))
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(node))
		json_array_foreach(node, i, v) each_member(root, v, decode, visit);
	if (!json_is_object(node))
		return;
	{
		/* the keys first: visit() removes and re-adds members, which moves the iterator */
		char keys[16][64];
		size_t n = 0;

		json_object_foreach(node, key, v) snprintf(keys[n++ % 16], 64, "%s", key);
		assert_true(n <= 16);
		for (i = 0; i < n; i++) {
			visit(root, node, keys[i], decode);
			if (strcmp(keys[i], "payload") != 0)
				each_member(root, json_object_get(node, keys[i]), decode, visit);
		}
	}
}

static void expect_refused(json_t *root, decode_fn decode, const char *key)
{
	char *text = json_dumps(root, JSON_COMPACT);
	agenda_detail why = {{0}, {0}};

	assert_non_null(text);
	if (decode(text, strlen(text), &why) != AG_ERR_INVALID)
		fail_msg("accepted without \"%s\": %s", key, text);
	if (!strstr(why.it, key) || !strstr(why.en, key))
		fail_msg("the message does not name \"%s\": %s", key, why.it);
	free(text);
}

static void remove_one(json_t *root, json_t *obj, const char *key, decode_fn decode)
{
	json_t *kept = json_incref(json_object_get(obj, key));
	char name[64];

	if (strcmp(key, "version") == 0) {
		json_decref(kept);
		return; /* its own test: wrong_version_refused */
	}
	snprintf(name, sizeof name, "%s", key); /* key dies with the member */
	json_object_del(obj, name);
	expect_refused(root, decode, name);
	json_object_set_new(obj, name, kept);
}

static void retype_one(json_t *root, json_t *obj, const char *key, decode_fn decode)
{
	json_t *kept = json_incref(json_object_get(obj, key));
	char name[64];

	if (strcmp(key, "version") == 0) {
		json_decref(kept);
		return;
	}
	snprintf(name, sizeof name, "%s", key);
	/* a string where a number, bool, array or object belongs, and 7 where a string does */
	json_object_set_new(obj, name, json_is_string(kept) ? json_integer(7) : json_string("7"));
	expect_refused(root, decode, name);
	json_object_set_new(obj, name, kept);
}

static void every_field_required_and_typed(void **state)
{
	char *texts[2] = {request_text(), response_text()};
	decode_fn decoders[2] = {decode_request, decode_response};

	(void)state;
	for (int m = 0; m < 2; m++) {
		json_t *root = json_loads(texts[m], 0, NULL);

		each_member(root, root, decoders[m], remove_one);
		each_member(root, root, decoders[m], retype_one);
		json_decref(root);
		free(texts[m]);
	}
}

static void wrong_version_refused(void **state)
{
	char *texts[2] = {request_text(), response_text()};
	decode_fn decoders[2] = {decode_request, decode_response};
	agenda_detail why;

	(void)state;
	for (int m = 0; m < 2; m++) {
		json_t *root = json_loads(texts[m], 0, NULL);
		char *text;

		json_object_set_new(root, "version", json_integer(2));
		text = json_dumps(root, JSON_COMPACT);
		assert_int_equal(decoders[m](text, strlen(text), &why), AG_ERR_REFUSED);
		assert_non_null(strstr(why.en, "version: 2"));
		free(text);
		json_object_del(root, "version");
		text = json_dumps(root, JSON_COMPACT);
		assert_int_equal(decoders[m](text, strlen(text), &why), AG_ERR_INVALID);
		assert_non_null(strstr(why.en, "version"));
		free(text);
		json_decref(root);
		free(texts[m]);
	}
}

static void every_truncation_refused(void **state)
{
	char *texts[2] = {request_text(), response_text()};
	decode_fn decoders[2] = {decode_request, decode_response};

	(void)state;
	for (int m = 0; m < 2; m++) {
		size_t n = strlen(texts[m]);

		for (size_t cut = 0; cut < n; cut++) {
			/* a copy of exactly cut bytes, so ASan sees any read past the end */
			char *part = malloc(cut ? cut : 1);
			agenda_detail why = {{0}, {0}};

			memcpy(part, texts[m], cut);
			assert_int_equal(decoders[m](part, cut, &why), AG_ERR_INVALID);
			assert_true(why.it[0] != '\0');
			free(part);
		}
		free(texts[m]);
	}
}

/* Replaces the member at a JSON pointer-like path (top key, index, key) and decodes. */
static agenda_err decode_with(char *base, decode_fn decode, const char *top, int index,
                              const char *key, json_t *value, agenda_detail *why)
{
	json_t *root = json_loads(base, 0, NULL), *obj = json_object_get(root, top);
	agenda_err err;
	char *text;

	if (index >= 0)
		obj = json_array_get(obj, (size_t)index);
	if (key)
		json_object_set_new(obj, key, value);
	else
		json_object_set_new(root, top, value);
	text = json_dumps(root, JSON_COMPACT);
	err = decode(text, strlen(text), why);
	free(text);
	json_decref(root);
	return err;
}

static void bad_values_refused(void **state)
{
	char *req = request_text(), *res = response_text(), long_id[SYNC_NAME_SIZE + 1];
	agenda_detail why;

	(void)state;
	memset(long_id, 'x', SYNC_NAME_SIZE);
	long_id[SYNC_NAME_SIZE] = '\0';
	assert_int_equal(
	        decode_with(req, decode_request, "device_id", -1, NULL, json_string(long_id), &why),
	        AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "\"device_id\""));
	long_id[SYNC_NAME_SIZE - 1] = '\0'; /* the longest that fits */
	assert_int_equal(
	        decode_with(req, decode_request, "device_id", -1, NULL, json_string(long_id), &why),
	        AG_OK);
	assert_int_equal(
	        decode_with(req, decode_request, "device_id", -1, NULL, json_string("RM\tX"), &why),
	        AG_ERR_INVALID);
	assert_int_equal(decode_with(req, decode_request, "entries", 0, "entry_id",
	                             json_string("2EA901A4-E6C0-41A3-B7E7-323EE043B07A"), &why),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "\"entries[0].entry_id\""));
	assert_int_equal(
	        decode_with(req, decode_request, "entries", 1, "seq", json_integer(0), &why),
	        AG_ERR_INVALID);
	assert_int_equal(
	        decode_with(req, decode_request, "entries", 1, "kind", json_string("Book!"), &why),
	        AG_ERR_INVALID);
	assert_int_equal(
	        decode_with(req, decode_request, "digest", -1, NULL, json_string(HEX_A "0"), &why),
	        AG_ERR_INVALID);
	assert_int_equal(
	        decode_with(req, decode_request, "demand", 0, "days", json_integer(367), &why),
	        AG_ERR_INVALID);
	assert_int_equal(
	        decode_with(req, decode_request, "cursor", -1, NULL, json_integer(-1), &why),
	        AG_ERR_INVALID);
	assert_int_equal(decode_with(req, decode_request, "cursor", -1, NULL, json_real(1.0), &why),
	                 AG_ERR_INVALID);
	assert_int_equal(decode_with(res, decode_response, "changes", 0, "day",
	                             json_string("2026-13-01"), &why),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "\"changes[0].day\""));
	assert_int_equal(decode_with(res, decode_response, "changes", 0, "day",
	                             json_string("2026-02-31"), &why),
	                 AG_ERR_INVALID); /* the right shape, not a date */
	assert_int_equal(
	        decode_with(res, decode_response, "changes", 0, "minute", json_integer(1440), &why),
	        AG_ERR_INVALID);
	assert_int_equal(decode_with(res, decode_response, "changes", 0, "type",
	                             json_string("teleport"), &why),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "\"changes[0].type\""));
	assert_int_equal(
	        decode_with(res, decode_response, "changes", 4, "role", json_string("admin"), &why),
	        AG_ERR_INVALID);
	assert_int_equal(decode_with(res, decode_response, "conflicts", 0, "action",
	                             json_string("ignore"), &why),
	                 AG_ERR_INVALID);
	/* change seqs strictly increase, and the cursor covers the last one */
	assert_int_equal(
	        decode_with(res, decode_response, "changes", 1, "seq", json_integer(100), &why),
	        AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "\"changes[1].seq\""));
	assert_int_equal(
	        decode_with(res, decode_response, "cursor", -1, NULL, json_integer(105), &why),
	        AG_ERR_INVALID);
	assert_int_equal(decode_with(res, decode_response, "acks", -1, NULL,
	                             json_pack("[s]", "not-a-uuid"), &why),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "\"acks[0]"));
	free(req);
	free(res);
}

static void too_many_or_too_large_refused(void **state)
{
	char *req = request_text(), *big;
	json_t *many = json_array(), *entry, *root;
	struct sync_request r = {
	        .device_id = "X", .audit_hash = HEX_A, .audit_anchor_hash = HEX_A, .digest = HEX_B};
	agenda_detail why;
	agenda_err err;

	(void)state;
	root = json_loads(req, 0, NULL);
	entry = json_array_get(json_object_get(root, "entries"), 0);
	for (int i = 0; i <= SYNC_MAX_ENTRIES; i++)
		json_array_append(many, entry);
	json_decref(root);
	assert_int_equal(decode_with(req, decode_request, "entries", -1, NULL, many, &why),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "\"entries\""));
	assert_non_null(strstr(why.en, "500"));
	/* a payload over its bound */
	big = calloc(SYNC_MAX_PAYLOAD_BYTES + 1, 1);
	memset(big, 'a', SYNC_MAX_PAYLOAD_BYTES);
	assert_int_equal(decode_with(req, decode_request, "entries", 0, "payload",
	                             json_pack("{s:s}", "x", big), &why),
	                 AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "\"entries[0].payload\""));
	free(big);
	/* a body over the limit is refused before parsing */
	big = malloc(SYNC_MAX_BODY_BYTES + 1);
	memset(big, ' ', SYNC_MAX_BODY_BYTES + 1);
	assert_int_equal(decode_request(big, SYNC_MAX_BODY_BYTES + 1, &why), AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "too large"));
	free(big);
	/* encode refuses to build what decode would refuse */
	r.n_entries = SYNC_MAX_ENTRIES + 1;
	assert_null(sync_request_encode(&r, &err));
	assert_int_equal(err, AG_ERR_USAGE);
	free(req);
}

static void not_json_or_not_object_refused(void **state)
{
	static const char *const bad[] = {"",
	                                  "[]",
	                                  "1",
	                                  "null",
	                                  "{\"version\":1,\"version\":1}",
	                                  "{\"version\":\"1\"}",
	                                  "\xff\xfe"};
	agenda_detail why;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(decode_request(bad[i], strlen(bad[i]), &why), AG_ERR_INVALID);
		assert_int_equal(decode_response(bad[i], strlen(bad[i]), &why), AG_ERR_INVALID);
	}
	assert_int_equal(decode_request(NULL, 0, &why), AG_ERR_INVALID);
}

static void unknown_fields_ignored(void **state)
{
	char *texts[2] = {request_text(), response_text()};
	decode_fn decoders[2] = {decode_request, decode_response};
	const char *lists[2] = {"entries", "changes"};
	agenda_detail why;

	(void)state;
	for (int m = 0; m < 2; m++) {
		json_t *root = json_loads(texts[m], 0, NULL);
		char *text;

		json_object_set_new(root, "future", json_pack("{s:[i]}", "x", 1));
		json_object_set_new(json_array_get(json_object_get(root, lists[m]), 0), "later",
		                    json_string("ok"));
		text = json_dumps(root, JSON_COMPACT);
		assert_int_equal(decoders[m](text, strlen(text), &why), AG_OK);
		free(text);
		json_decref(root);
		free(texts[m]);
	}
}

/* The online grant pair: both round-trip; a response without its grant, or with another change
 * type, and a request with a minute past 1440 are refused naming the field. */
static void grant_messages_round_trip_and_refuse(void **state)
{
	struct sync_grant_request q = {.questura = "RM",
	                               .from_day = "2026-05-04",
	                               .before_day = "2026-05-10",
	                               .before_minute = 540},
	                          qb;
	struct sync_grant_response a = {.now = 1777800000,
	                                .granted = true,
	                                .lease_end = 1777900000},
	                           ab;
	agenda_detail why;
	agenda_err err;
	char *text, *again;

	(void)state;
	a.grant = (struct sync_change){.seq = 7,
	                               .type = SYNC_CHANGE_GRANT,
	                               .u.grant = {501, "RM", "2026-05-05", 570, 1777900000}};
	text = sync_grant_request_encode(&q, &err);
	assert_non_null(text);
	assert_int_equal(sync_grant_request_decode(text, strlen(text), &qb, &why), AG_OK);
	assert_string_equal(qb.before_day, "2026-05-10");
	assert_int_equal(qb.before_minute, 540);
	again = sync_grant_request_encode(&qb, &err);
	assert_string_equal(text, again);
	free(again);
	free(text);

	text = sync_grant_response_encode(&a, &err);
	assert_non_null(text);
	assert_int_equal(sync_grant_response_decode(text, strlen(text), &ab, &why), AG_OK);
	assert_true(ab.granted);
	assert_int_equal(ab.grant.seq, 7);
	assert_int_equal(ab.grant.u.grant.slot_id, 501);
	assert_int_equal(ab.now, 1777800000);
	again = sync_grant_response_encode(&ab, &err);
	assert_string_equal(text, again);
	free(again);
	free(text);

	a.granted = false; /* no grant: the member is absent and not required */
	text = sync_grant_response_encode(&a, &err);
	assert_null(strstr(text, "\"grant\""));
	assert_int_equal(sync_grant_response_decode(text, strlen(text), &ab, &why), AG_OK);
	assert_false(ab.granted);
	free(text);

	text = "{\"granted\":true,\"lease_end\":1,\"now\":2,\"version\":1}";
	assert_int_equal(sync_grant_response_decode(text, strlen(text), &ab, &why), AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "\"grant\""));
	text = "{\"granted\":true,\"grant\":{\"reason\":\"closure\",\"seq\":3,\"slot_id\":4,"
	       "\"type\":\"revoke\"},\"lease_end\":1,\"now\":2,\"version\":1}";
	assert_int_equal(sync_grant_response_decode(text, strlen(text), &ab, &why), AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "grant.type"));
	text = "{\"before_day\":\"2026-05-10\",\"before_minute\":1441,\"from_day\":\"2026-05-04\","
	       "\"questura\":\"RM\",\"version\":1}";
	assert_int_equal(sync_grant_request_decode(text, strlen(text), &qb, &why), AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "before_minute"));
	text = "{\"before_day\":\"2026-02-31\",\"before_minute\":0,\"from_day\":\"2026-05-04\","
	       "\"questura\":\"RM\",\"version\":1}";
	assert_int_equal(sync_grant_request_decode(text, strlen(text), &qb, &why), AG_ERR_INVALID);
	assert_non_null(strstr(why.en, "before_day"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(request_round_trips),
	        cmocka_unit_test(empty_request_is_small),
	        cmocka_unit_test(response_round_trips),
	        cmocka_unit_test(every_field_required_and_typed),
	        cmocka_unit_test(wrong_version_refused),
	        cmocka_unit_test(every_truncation_refused),
	        cmocka_unit_test(bad_values_refused),
	        cmocka_unit_test(too_many_or_too_large_refused),
	        cmocka_unit_test(not_json_or_not_object_refused),
	        cmocka_unit_test(unknown_fields_ignored),
	        cmocka_unit_test(grant_messages_round_trip_and_refuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
