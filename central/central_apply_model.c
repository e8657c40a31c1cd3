/*
 * central_apply_model.c — the in-memory copy a batch of journal entries is applied to
 * (central_apply_model.h): read in a few IN (...) statements, looked up through small hash
 * tables, written back in multi-row statements at the end of step 2.
 */
#include "central_apply_model.h"

#include <stdlib.h>
#include <string.h>

#include "central_changes.h"
#include "core/messages.h"
#include "store_sync.h"

/* Keys per IN (...) and rows per INSERT: a round of 500 entries in one statement each (on
 * PostgreSQL a statement is a round trip); 10,000 parameters at most, under SQLite's 32,766. */
#define CHUNK 1000

static const char APPT_COLUMNS[] =
        "SELECT id, device, numero_pratica, questura, day, minute, slot_id, state, at, entry_id"
        " FROM appointment WHERE ";

/* Open addressing, keys by pointer (they live in the model's rows or the request). */
struct strmap {
	size_t cap;
	const char **keys;
	size_t *vals;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static bool strmap_init(struct strmap *m, size_t expected)
{
	m->cap = 64;
	while (m->cap < expected * 2 + 16)
		m->cap *= 2;
	m->keys = calloc(m->cap, sizeof *m->keys);
	m->vals = calloc(m->cap, sizeof *m->vals);
	return m->keys && m->vals;
}

static size_t strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = (size_t)hash(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void strmap_put(struct strmap *m, const char *key, size_t val)
{
	size_t i = strmap_slot(m, key);

	m->keys[i] = key;
	m->vals[i] = val;
}

static bool strmap_get(const struct strmap *m, const char *key, size_t *val)
{
	size_t i = strmap_slot(m, key);

	if (!m->keys[i])
		return false;
	*val = m->vals[i];
	return true;
}

static void strmap_free(struct strmap *m)
{
	free(m->keys);
	free(m->vals);
}

struct revoke {
	const char *device;
	int64_t slot_id;
};

struct apply_model {
	struct central_round *r;
	struct central_rows *reads; /* every row read, kept: the model points into them */
	size_t n_reads, cap_reads;
	struct model_appt *appts;
	size_t n_appts, cap_appts;
	struct model_slot *slots;
	size_t n_slots, cap_slots;
	struct revoke *revokes;
	size_t n_revokes;
	struct strmap by_id, by_practice, by_key, by_slot_id;
	char (*slot_ids)[24]; /* by_slot_id's keys, one per slot */
	struct central_rows questure;
};

static agenda_err nomem(agenda_detail *why)
{
	agenda_detail_set(why, MSG_NOMEM);
	return AG_ERR_NOMEM;
}

static void slot_key(char *buf, size_t size, const char *questura, int64_t day, int64_t minute)
{
	snprintf(buf, size, "%s|%" PRId64 "|%" PRId64, questura, day, minute);
}

/*
 * Runs head, then n tuples joined by ", " (tuple: a format of up to 10 %zu, the placeholders of
 * one item: `per` params each, after the n_fixed first ones), then tail. params: the fixed ones,
 * then the items'. Rows (when got) are kept in the model.
 */
static agenda_err run_list(struct apply_model *m, const char *head, const char *tuple, size_t per,
                           size_t n_fixed, const char *tail, const char *const *params, size_t n,
                           struct central_rows **got, agenda_detail *why)
{
	size_t size = strlen(head) + strlen(tail) + n * (strlen(tuple) + per * 8 + 4) + 8, used;
	char *sql = malloc(size);
	struct central_rows *rows = NULL;
	agenda_err err;

	if (got)
		*got = NULL;
	if (!sql)
		return nomem(why);
	if (got && m->n_reads == m->cap_reads) {
		size_t bigger = m->cap_reads ? m->cap_reads * 2 : 16;
		struct central_rows *more = realloc(m->reads, bigger * sizeof *more);

		if (!more) {
			free(sql);
			return nomem(why);
		}
		m->reads = more;
		m->cap_reads = bigger;
	}
	used = (size_t)snprintf(sql, size, "%s", head);
	for (size_t i = 0; i < n; i++) {
		size_t p = n_fixed + i * per + 1;

		used += (size_t)snprintf(sql + used, size - used, "%s", i ? ", " : "");
		used += (size_t)snprintf(sql + used, size - used, tuple, p, p + 1, p + 2, p + 3,
		                         p + 4, p + 5, p + 6, p + 7, p + 8, p + 9);
	}
	snprintf(sql + used, size - used, "%s", tail);
	if (got)
		rows = &m->reads[m->n_reads];
	err = central_sync_query(m->r->s, sql, n_fixed + n * per, params, rows, NULL, why);
	free(sql);
	if (err == AG_OK && got) {
		m->n_reads++;
		*got = rows;
	}
	return err;
}

static agenda_err keep_appts(struct apply_model *m, const struct central_rows *rows)
{
	for (size_t i = 0; i < rows->n_rows; i++) {
		const char *id = central_rows_text(rows, i, 0);
		struct model_appt *a;
		size_t known;

		if (strmap_get(&m->by_id, id, &known))
			continue;
		if (m->n_appts == m->cap_appts)
			return AG_ERR_NOMEM; /* cannot happen: room for every id asked */
		a = &m->appts[m->n_appts];
		a->id = id;
		a->device = central_rows_text(rows, i, 1);
		a->numero_pratica = central_rows_text(rows, i, 2);
		a->questura = central_rows_text(rows, i, 3);
		a->day = central_rows_int(rows, i, 4);
		a->minute = central_rows_int(rows, i, 5);
		a->slot_id = central_rows_int(rows, i, 6);
		a->state = strcmp(central_rows_text(rows, i, 7), "confirmed") == 0   ? "confirmed"
		           : strcmp(central_rows_text(rows, i, 7), "cancelled") == 0 ? "cancelled"
		                                                                     : "moved";
		a->initial_state = a->state;
		a->at = central_rows_int(rows, i, 8);
		a->entry_id = central_rows_text(rows, i, 9);
		strmap_put(&m->by_id, a->id, m->n_appts);
		if (strcmp(a->state, "confirmed") == 0)
			strmap_put(&m->by_practice, a->numero_pratica, m->n_appts);
		m->n_appts++;
	}
	return AG_OK;
}

static void index_slot(struct apply_model *m, size_t k)
{
	struct model_slot *s = &m->slots[k];

	slot_key(s->key, sizeof s->key, s->questura, s->day, s->minute);
	strmap_put(&m->by_key, s->key, k);
	snprintf(m->slot_ids[k], sizeof m->slot_ids[k], "%" PRId64, s->id);
	strmap_put(&m->by_slot_id, m->slot_ids[k], k);
}

static agenda_err keep_slots(struct apply_model *m, const struct central_rows *rows)
{
	for (size_t i = 0; i < rows->n_rows; i++) {
		struct model_slot *s;

		if (m->n_slots == m->cap_slots)
			return AG_ERR_NOMEM;
		s = &m->slots[m->n_slots];
		memset(s, 0, sizeof *s);
		s->id = central_rows_int(rows, i, 0);
		s->questura = central_rows_text(rows, i, 1);
		s->day = central_rows_int(rows, i, 2);
		s->minute = central_rows_int(rows, i, 3);
		s->holder = central_rows_null(rows, i, 4) ? NULL : central_rows_text(rows, i, 4);
		s->confirmed = central_rows_int(rows, i, 5);
		index_slot(m, m->n_slots++);
	}
	return AG_OK;
}

/* The appointments by id and those confirmed for the practices, in chunks. */
static agenda_err load_appts(struct apply_model *m, const char *const *ids, size_t n_ids,
                             const char *const *practices, size_t n_practices, agenda_detail *why)
{
	char by_id[sizeof APPT_COLUMNS + 16], by_practice[sizeof APPT_COLUMNS + 48];
	struct central_rows *rows;
	agenda_err err = AG_OK;

	snprintf(by_id, sizeof by_id, "%sid IN (", APPT_COLUMNS);
	snprintf(by_practice, sizeof by_practice, "%sstate = 'confirmed' AND numero_pratica IN (",
	         APPT_COLUMNS);
	for (size_t i = 0; err == AG_OK && i < n_ids; i += CHUNK) {
		size_t k = n_ids - i < CHUNK ? n_ids - i : CHUNK;

		err = run_list(m, by_id, "$%zu", 1, 0, ")", ids + i, k, &rows, why);
		if (err == AG_OK)
			err = keep_appts(m, rows);
	}
	for (size_t i = 0; err == AG_OK && i < n_practices; i += CHUNK) {
		size_t k = n_practices - i < CHUNK ? n_practices - i : CHUNK;

		err = run_list(m, by_practice, "$%zu", 1, 0, ")", practices + i, k, &rows, why);
		if (err == AG_OK)
			err = keep_appts(m, rows);
	}
	return err;
}

/* The slots at the bookings' times, with their confirmed appointments counted. */
static agenda_err load_slots(struct apply_model *m, const struct booking *const *bookings, size_t n,
                             agenda_detail *why)
{
	const char **params = calloc(CHUNK * 3, sizeof *params);
	char(*numbers)[24] = calloc(CHUNK * 2, sizeof *numbers);
	struct central_rows *rows;
	agenda_err err = AG_OK;
	size_t k = 0;

	if (!params || !numbers) {
		free(params);
		free(numbers);
		return nomem(why);
	}
	for (size_t i = 0; err == AG_OK && i <= n; i++) {
		if (i < n && bookings[i]) {
			params[3 * k] = bookings[i]->questura;
			I64(numbers[2 * k], bookings[i]->day);
			I64(numbers[2 * k + 1], bookings[i]->minute);
			params[3 * k + 1] = numbers[2 * k];
			params[3 * k + 2] = numbers[2 * k + 1];
			k++;
		}
		if (k > 0 && (k == CHUNK || i == n)) {
			err = run_list(m,
			               "SELECT s.id, s.questura, s.day, s.minute, s.holder,"
			               " (SELECT count(*) FROM appointment a WHERE a.slot_id = s.id"
			               " AND a.state = 'confirmed') FROM slot s"
			               " WHERE (s.questura, s.day, s.minute) IN (VALUES ",
			               "($%zu, CAST($%zu AS bigint), CAST($%zu AS bigint))", 3, 0,
			               ")", params, k, &rows, why);
			if (err == AG_OK)
				err = keep_slots(m, rows);
			k = 0;
		}
	}
	free(params);
	free(numbers);
	return err;
}

static agenda_err alloc_model(struct apply_model *m, size_t n, size_t n_extra)
{
	m->cap_appts = 4 * n + n_extra; /* by id (2n + extra) + by practice + made */
	m->cap_slots = 2 * n;           /* read + made */
	m->appts = calloc(m->cap_appts ? m->cap_appts : 1, sizeof *m->appts);
	m->slots = calloc(m->cap_slots ? m->cap_slots : 1, sizeof *m->slots);
	m->slot_ids = calloc(m->cap_slots ? m->cap_slots : 1, sizeof *m->slot_ids);
	m->revokes = calloc(n ? n : 1, sizeof *m->revokes);
	if (!m->appts || !m->slots || !m->slot_ids || !m->revokes ||
	    !strmap_init(&m->by_id, m->cap_appts) || !strmap_init(&m->by_practice, m->cap_appts) ||
	    !strmap_init(&m->by_key, m->cap_slots) || !strmap_init(&m->by_slot_id, m->cap_slots))
		return AG_ERR_NOMEM;
	return AG_OK;
}

agenda_err apply_model_load(struct central_round *r, const struct booking *const *bookings,
                            size_t n, const char *const *extra_ids, size_t n_extra,
                            struct apply_model **out, agenda_detail *why)
{
	struct apply_model *m = calloc(1, sizeof *m);
	const char **ids = calloc(2 * n + n_extra + 1, sizeof *ids);
	const char **practices = calloc(n + 1, sizeof *practices);
	size_t n_ids = 0, n_practices = 0;
	agenda_err err;

	*out = NULL;
	if (!m || !ids || !practices || (m->r = r, alloc_model(m, n, n_extra)) != AG_OK) {
		free(ids);
		free(practices);
		apply_model_free(m);
		return nomem(why);
	}
	for (size_t i = 0; i < n; i++) {
		if (!bookings[i])
			continue;
		ids[n_ids++] = bookings[i]->appointment_id;
		if (bookings[i]->replaces)
			ids[n_ids++] = bookings[i]->replaces;
		practices[n_practices++] = bookings[i]->numero_pratica;
	}
	for (size_t i = 0; i < n_extra; i++)
		ids[n_ids++] = extra_ids[i];
	err = load_appts(m, ids, n_ids, practices, n_practices, why);
	if (err == AG_OK)
		err = load_slots(m, bookings, n, why);
	if (err == AG_OK && n_practices > 0)
		err = central_sync_query(r->s, "SELECT code FROM questura", 0, NULL, &m->questure,
		                         NULL, why);
	free(ids);
	free(practices);
	if (err == AG_ERR_NOMEM)
		agenda_detail_set(why, MSG_NOMEM);
	if (err != AG_OK) {
		apply_model_free(m);
		return err;
	}
	*out = m;
	return AG_OK;
}

void apply_model_free(struct apply_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_reads; i++)
		central_rows_free(&m->reads[i]);
	central_rows_free(&m->questure);
	free(m->reads);
	free(m->appts);
	free(m->slots);
	free(m->slot_ids);
	free(m->revokes);
	strmap_free(&m->by_id);
	strmap_free(&m->by_practice);
	strmap_free(&m->by_key);
	strmap_free(&m->by_slot_id);
	free(m);
}

struct model_appt *apply_model_appt(struct apply_model *m, const char *id)
{
	size_t k;

	return strmap_get(&m->by_id, id, &k) ? &m->appts[k] : NULL;
}

struct model_appt *apply_model_confirmed(struct apply_model *m, const char *numero_pratica)
{
	size_t k;

	/* the table keeps the last confirmed one: it may have left `confirmed` since */
	if (!strmap_get(&m->by_practice, numero_pratica, &k) ||
	    strcmp(m->appts[k].state, "confirmed") != 0)
		return NULL;
	return &m->appts[k];
}

struct model_slot *apply_model_slot(struct apply_model *m, const char *questura, int64_t day,
                                    int64_t minute)
{
	char key[sizeof m->slots[0].key];
	size_t k;

	slot_key(key, sizeof key, questura, day, minute);
	return strmap_get(&m->by_key, key, &k) ? &m->slots[k] : NULL;
}

bool apply_model_questura(const struct apply_model *m, const char *questura)
{
	for (size_t i = 0; i < m->questure.n_rows; i++)
		if (strcmp(central_rows_text(&m->questure, i, 0), questura) == 0)
			return true;
	return false;
}

struct model_slot *apply_model_make_slot(struct apply_model *m, const char *questura, int64_t day,
                                         int64_t minute)
{
	struct model_slot *s;

	if (m->n_slots == m->cap_slots)
		return NULL; /* cannot happen: one per booking at most */
	s = &m->slots[m->n_slots];
	memset(s, 0, sizeof *s);
	s->id = -(int64_t)(m->n_slots + 1);
	s->questura = questura;
	s->day = day;
	s->minute = minute;
	s->holder = m->r->device;
	s->made = true;
	index_slot(m, m->n_slots++);
	return s;
}

static struct model_slot *slot_by_id(struct apply_model *m, int64_t id)
{
	char key[24];
	size_t k;

	I64(key, id);
	return strmap_get(&m->by_slot_id, key, &k) ? &m->slots[k] : NULL;
}

void apply_model_set_state(struct apply_model *m, struct model_appt *a, const char *state)
{
	struct model_slot *s;

	if (strcmp(a->state, "confirmed") == 0 && strcmp(state, "confirmed") != 0 &&
	    (s = slot_by_id(m, a->slot_id)) != NULL)
		s->confirmed--;
	a->state = state;
}

void apply_model_book(struct apply_model *m, const struct booking *b, const char *entry_id,
                      const struct model_slot *slot)
{
	struct model_appt *a = &m->appts[m->n_appts];
	struct model_slot *s = slot_by_id(m, slot->id);

	memset(a, 0, sizeof *a);
	a->id = b->appointment_id;
	a->device = m->r->device;
	a->numero_pratica = b->numero_pratica;
	a->questura = b->questura;
	a->day = b->day;
	a->minute = b->minute;
	a->slot_id = slot->id;
	a->state = "confirmed";
	a->at = b->at;
	a->entry_id = entry_id;
	strmap_put(&m->by_id, a->id, m->n_appts);
	strmap_put(&m->by_practice, a->numero_pratica, m->n_appts);
	m->n_appts++;
	if (s)
		s->confirmed++;
}

void apply_model_revoke(struct apply_model *m, const struct model_appt *a)
{
	m->revokes[m->n_revokes].device = a->device;
	m->revokes[m->n_revokes++].slot_id = a->slot_id;
}

/* A slot id as written: a slot made in this batch has its real id after the flush's INSERT. */
static int64_t real_slot_id(const struct apply_model *m, int64_t id)
{
	return id < 0 ? m->slots[(size_t)(-id - 1)].id : id;
}

/* Runs head + "$k, ..." + ")" over ids in chunks, after the n_fixed fixed params. */
static agenda_err run_ids(struct apply_model *m, const char *head, size_t n_fixed,
                          const char *const *fixed, const char *const *ids, size_t n,
                          agenda_detail *why)
{
	const char **params = calloc(n_fixed + CHUNK, sizeof *params);
	agenda_err err = AG_OK;

	if (!params)
		return nomem(why);
	for (size_t k = 0; k < n_fixed; k++)
		params[k] = fixed[k];
	for (size_t i = 0; err == AG_OK && i < n; i += CHUNK) {
		size_t k = n - i < CHUNK ? n - i : CHUNK;

		memcpy(params + n_fixed, ids + i, k * sizeof *ids);
		err = run_list(m, head, "$%zu", 1, n_fixed, ")", params, k, NULL, why);
	}
	free(params);
	return err;
}

/* Appointments read as confirmed that left that state: moved or cancelled. */
static agenda_err flush_states(struct apply_model *m, const char **ids, agenda_detail *why)
{
	static const char *const STATES[] = {"moved", "cancelled"};
	agenda_err err = AG_OK;

	for (size_t s = 0; err == AG_OK && s < 2; s++) {
		char head[96];
		size_t n = 0;

		for (size_t i = 0; i < m->n_appts; i++)
			if (m->appts[i].initial_state &&
			    m->appts[i].state != m->appts[i].initial_state &&
			    strcmp(m->appts[i].state, STATES[s]) == 0)
				ids[n++] = m->appts[i].id;
		snprintf(head, sizeof head, "UPDATE appointment SET state = '%s' WHERE id IN (",
		         STATES[s]);
		if (n > 0)
			err = run_ids(m, head, 0, NULL, ids, n, why);
	}
	return err;
}

/* Pool slots the device took: one UPDATE per chunk of ids. */
static agenda_err flush_taken(struct apply_model *m, const char **ids, char (*numbers)[24],
                              agenda_detail *why)
{
	char lease[24];
	const char *fixed[] = {m->r->device, lease};
	size_t n = 0;

	I64(lease, m->r->lease_end);
	for (size_t i = 0; i < m->n_slots; i++)
		if (m->slots[i].taken) {
			I64(numbers[n], m->slots[i].id);
			ids[n] = numbers[n];
			n++;
		}
	return n == 0 ? AG_OK
	              : run_ids(m,
	                        "UPDATE slot SET holder = $1, lease_end = CAST($2 AS bigint)"
	                        " WHERE holder IS NULL AND id IN (",
	                        2, fixed, ids, n, why);
}

/* Slots unknown before: inserted, their real ids found by (questura, day, minute). */
static agenda_err flush_made(struct apply_model *m, const char **params, char (*numbers)[24],
                             agenda_detail *why)
{
	char lease[24];
	size_t n = 0;
	agenda_err err = AG_OK;

	I64(lease, m->r->lease_end);
	params[0] = m->r->device;
	params[1] = lease;
	for (size_t i = 0; err == AG_OK && i <= m->n_slots; i++) {
		struct central_rows *rows;

		if (i < m->n_slots && m->slots[i].made) {
			params[2 + 3 * n] = m->slots[i].questura;
			I64(numbers[2 * n], m->slots[i].day);
			I64(numbers[2 * n + 1], m->slots[i].minute);
			params[3 + 3 * n] = numbers[2 * n];
			params[4 + 3 * n] = numbers[2 * n + 1];
			n++;
		}
		if (n == 0 || (n < CHUNK && i < m->n_slots))
			continue;
		err = run_list(m,
		               "INSERT INTO slot(questura, day, minute, holder, lease_end) VALUES ",
		               "($%zu, CAST($%zu AS integer), CAST($%zu AS integer), $1,"
		               " CAST($2 AS bigint))",
		               3, 2, " RETURNING id, questura, day, minute", params, n, &rows, why);
		for (size_t k = 0; err == AG_OK && k < rows->n_rows; k++) {
			struct model_slot *s = apply_model_slot(m, central_rows_text(rows, k, 1),
			                                        central_rows_int(rows, k, 2),
			                                        central_rows_int(rows, k, 3));

			if (s)
				s->id = central_rows_int(rows, k, 0);
		}
		n = 0;
	}
	return err;
}

/* Appointments made in this batch, in their final state. */
static agenda_err flush_booked(struct apply_model *m, const char **params, char (*numbers)[24],
                               agenda_detail *why)
{
	size_t n = 0, rows_per = CHUNK;
	agenda_err err = AG_OK;

	for (size_t i = 0; err == AG_OK && i <= m->n_appts; i++) {
		const struct model_appt *a = &m->appts[i < m->n_appts ? i : 0];

		if (i < m->n_appts && !a->initial_state) {
			const char **p = params + 10 * n;
			char(*num)[24] = numbers + 4 * n;

			I64(num[0], a->day);
			I64(num[1], a->minute);
			I64(num[2], real_slot_id(m, a->slot_id));
			I64(num[3], a->at);
			p[0] = a->id;
			p[1] = a->device;
			p[2] = a->numero_pratica;
			p[3] = a->questura;
			p[4] = num[0];
			p[5] = num[1];
			p[6] = num[2];
			p[7] = a->state;
			p[8] = num[3];
			p[9] = a->entry_id;
			n++;
		}
		if (n == 0 || (n < rows_per && i < m->n_appts))
			continue;
		err = run_list(
		        m,
		        "INSERT INTO appointment(id, device, numero_pratica, questura, day,"
		        " minute, slot_id, state, at, entry_id) VALUES ",
		        "($%zu, $%zu, $%zu, $%zu, CAST($%zu AS bigint), CAST($%zu AS bigint),"
		        " CAST($%zu AS bigint), $%zu, CAST($%zu AS bigint), $%zu)",
		        10, 0, "", params, n, NULL, why);
		n = 0;
	}
	return err;
}

agenda_err apply_model_flush(struct apply_model *m, agenda_detail *why)
{
	size_t most = m->n_appts > m->n_slots ? m->n_appts : m->n_slots;
	const char **params = calloc(10 * CHUNK + most + 8, sizeof *params);
	char(*numbers)[24] = calloc(4 * CHUNK + most + 8, sizeof *numbers);
	agenda_err err;

	if (!params || !numbers) {
		free(params);
		free(numbers);
		return nomem(why);
	}
	/* states first: a practice or slot confirmed again below must be free in the indexes */
	err = flush_states(m, params, why);
	if (err == AG_OK)
		err = flush_taken(m, params, numbers, why);
	if (err == AG_OK)
		err = flush_made(m, params, numbers, why);
	if (err == AG_OK)
		err = flush_booked(m, params, numbers, why);
	for (size_t i = 0; err == AG_OK && i < m->n_revokes; i++) {
		err = central_change_revoke(m->r->s, m->revokes[i].device,
		                            real_slot_id(m, m->revokes[i].slot_id),
		                            "duplicate_practice", m->r->now, why);
		if (err == AG_OK)
			m->r->rep->revoked++;
	}
	free(params);
	free(numbers);
	return err;
}
