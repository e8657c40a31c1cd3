/*
 * fuzz_sync_protocol.c — libFuzzer target for the sync protocol's decoders (sync/protocol.h):
 * whatever bytes reach a device from central, or central from a device, are decoded as a
 * round request, a round response and both messages of the online grant. Checks: decode never
 * crashes or leaks; a refusal always says why; an accepted message re-encodes, and that text
 * decodes to the same text again (nothing accepted that the encoder cannot reproduce), within the
 * documented limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/protocol.h"

static void check_request(const uint8_t *data, size_t size)
{
	struct sync_request r, back;
	agenda_detail why = {{0}, {0}};
	agenda_err err;
	char *text, *again;

	if (sync_request_decode(data, size, &r, &why) != AG_OK) {
		if (!why.it[0] || r.entries || r.releasing || r.demand)
			abort();
		return;
	}
	if (r.n_entries > SYNC_MAX_ENTRIES || r.n_demand > SYNC_MAX_DEMAND ||
	    r.n_releasing > SYNC_MAX_RELEASING)
		abort();
	text = sync_request_encode(&r, &err);
	if (!text || sync_request_decode(text, strlen(text), &back, &why) != AG_OK)
		abort();
	again = sync_request_encode(&back, &err);
	if (!again || strcmp(text, again) != 0)
		abort();
	free(again);
	free(text);
	sync_request_free(&back);
	sync_request_free(&r);
}

static void check_response(const uint8_t *data, size_t size)
{
	struct sync_response r, back;
	agenda_detail why = {{0}, {0}};
	agenda_err err;
	char *text, *again;

	if (sync_response_decode(data, size, &r, &why) != AG_OK) {
		if (!why.it[0] || r.acks || r.conflicts || r.changes)
			abort();
		return;
	}
	for (size_t i = 1; i < r.n_changes; i++)
		if (r.changes[i].seq <= r.changes[i - 1].seq)
			abort();
	if (r.n_changes > SYNC_MAX_CHANGES ||
	    (r.n_changes && r.cursor < r.changes[r.n_changes - 1].seq))
		abort();
	text = sync_response_encode(&r, &err);
	if (!text || sync_response_decode(text, strlen(text), &back, &why) != AG_OK)
		abort();
	again = sync_response_encode(&back, &err);
	if (!again || strcmp(text, again) != 0)
		abort();
	free(again);
	free(text);
	sync_response_free(&back);
	sync_response_free(&r);
}

/* The grant pair: decode, re-encode, decode again, same text (nothing allocated to free). */
static void check_grant(const uint8_t *data, size_t size)
{
	struct sync_grant_request q, qb;
	struct sync_grant_response a, ab;
	agenda_detail why = {{0}, {0}};
	agenda_err err;
	char *text, *again;

	if (sync_grant_request_decode(data, size, &q, &why) == AG_OK) {
		text = sync_grant_request_encode(&q, &err);
		if (!text || sync_grant_request_decode(text, strlen(text), &qb, &why) != AG_OK)
			abort();
		again = sync_grant_request_encode(&qb, &err);
		if (!again || strcmp(text, again) != 0)
			abort();
		free(again);
		free(text);
	} else if (!why.it[0]) {
		abort();
	}
	if (sync_grant_response_decode(data, size, &a, &why) == AG_OK) {
		text = sync_grant_response_encode(&a, &err);
		if (!text || sync_grant_response_decode(text, strlen(text), &ab, &why) != AG_OK)
			abort();
		again = sync_grant_response_encode(&ab, &err);
		if (!again || strcmp(text, again) != 0)
			abort();
		free(again);
		free(text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_request(data, size);
	check_response(data, size);
	check_grant(data, size);
	return 0;
}
