/*
 * store.c — the backend-independent half of central's store: picks the backend from the
 * target's scheme, checks arguments once for both, and wraps each call in its own transaction
 * unless the caller opened one. The backends (store_sqlite.c, store_pg.c) only speak SQL.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "store_internal.h"

static bool starts_with(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

agenda_err central_store_open(const char *target, central_store **out, agenda_detail *why)
{
	const central_store_ops *ops = &central_store_sqlite_ops;
	const char *rest = target;
	central_store *s;
	agenda_err err;

	*out = NULL;
	if (!target || !*target) {
		agenda_detail_set(why, MSG_STORE_NO_PATH);
		return AG_ERR_USAGE;
	}
	if (starts_with(target, "postgresql://") || starts_with(target, "postgres://")) {
		ops = &central_store_pg_ops; /* libpq takes the URI whole */
	} else if (starts_with(target, "pg:")) {
		ops = &central_store_pg_ops;
		rest = target + 3;
	} else if (starts_with(target, "sqlite:")) {
		rest = target + 7;
	}
	if (!*rest) {
		agenda_detail_set(why, MSG_STORE_NO_PATH);
		return AG_ERR_USAGE;
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	s->ops = ops;
	err = ops->open(s, rest, why);
	if (err != AG_OK) {
		free(s);
		return err;
	}
	*out = s;
	return AG_OK;
}

void central_store_close(central_store *s)
{
	if (!s)
		return;
	if (s->depth > 0)
		s->ops->rollback(s);
	s->ops->close(s);
	free(s);
}

const char *central_store_backend(const central_store *s)
{
	return s->ops->name;
}

agenda_err central_store_begin(central_store *s, agenda_detail *why)
{
	agenda_err err;

	if (s->depth > 0)
		return AG_ERR_USAGE; /* one level: nested use is a caller's bug */
	err = s->ops->begin(s, why);
	if (err == AG_OK)
		s->depth = 1;
	return err;
}

agenda_err central_store_commit(central_store *s, agenda_detail *why)
{
	agenda_err err;

	if (s->depth == 0)
		return AG_ERR_USAGE;
	err = s->ops->commit(s, why);
	if (err != AG_OK)
		s->ops->rollback(s);
	s->depth = 0;
	return err;
}

void central_store_rollback(central_store *s)
{
	if (s->depth == 0)
		return;
	s->ops->rollback(s);
	s->depth = 0;
}

/* Opens a transaction for one call when the caller has none; *own says whether it did. */
agenda_err central_store_enter(central_store *s, bool *own, agenda_detail *why)
{
	*own = s->depth == 0;
	return *own ? central_store_begin(s, why) : AG_OK;
}

agenda_err central_store_leave(central_store *s, bool own, agenda_err err, agenda_detail *why)
{
	if (!own)
		return err;
	if (err != AG_OK) {
		central_store_rollback(s);
		return err;
	}
	return central_store_commit(s, why);
}

agenda_err central_store_create_schema(central_store *s, int *version, agenda_detail *why)
{
	int ignored;

	if (s->depth > 0)
		return AG_ERR_USAGE; /* migrations take their own transaction and lock */
	return s->ops->create_schema(s, version ? version : &ignored, why);
}

static bool text_fits(const char *text, size_t max)
{
	return text && *text && strlen(text) <= max;
}

agenda_err central_store_add_questura(central_store *s, const char *code, const char *name,
                                      agenda_detail *why)
{
	bool own;
	agenda_err err;

	if (!text_fits(code, CENTRAL_QUESTURA_CODE_MAX) || !name) {
		agenda_detail_set(why, MSG_CENTRAL_QUESTURA_BAD, code ? code : "",
		                  CENTRAL_QUESTURA_CODE_MAX);
		return AG_ERR_INVALID;
	}
	err = central_store_enter(s, &own, why);
	if (err != AG_OK)
		return err;
	return central_store_leave(s, own, s->ops->add_questura(s, code, name, why), why);
}

agenda_err central_store_add_slots(central_store *s, const char *questura, agenda_day day,
                                   const int *minutes, size_t count, size_t *added,
                                   agenda_detail *why)
{
	size_t ignored = 0;
	bool own;
	agenda_err err;

	if (!added)
		added = &ignored;
	*added = 0;
	if (!text_fits(questura, CENTRAL_QUESTURA_CODE_MAX) || (count > 0 && !minutes))
		return AG_ERR_USAGE;
	for (size_t i = 0; i < count; i++) {
		if (minutes[i] < 0 || minutes[i] > 1439) {
			agenda_detail_set(why, MSG_CENTRAL_BAD_MINUTE, minutes[i]);
			return AG_ERR_INVALID;
		}
	}
	err = central_store_enter(s, &own, why);
	if (err != AG_OK)
		return err;
	err = s->ops->add_slots(s, questura, day, minutes, count, added, why);
	err = central_store_leave(s, own, err, why);
	if (err != AG_OK)
		*added = 0;
	return err;
}

static int slot_order(const void *a, const void *b)
{
	const central_slot *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	if (x->minute != y->minute)
		return x->minute < y->minute ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

agenda_err central_store_allocate(central_store *s, const char *questura, agenda_day first,
                                  agenda_day last, const char *holder, size_t max,
                                  central_slot *out, size_t *got, agenda_detail *why)
{
	bool own;
	agenda_err err;

	*got = 0;
	if (!text_fits(questura, CENTRAL_QUESTURA_CODE_MAX) ||
	    !text_fits(holder, CENTRAL_HOLDER_MAX) || (max > 0 && !out) || first > last)
		return AG_ERR_USAGE;
	if (max == 0)
		return AG_OK;
	err = central_store_enter(s, &own, why);
	if (err != AG_OK)
		return err;
	err = s->ops->allocate(s, questura, first, last, holder, max, out, got, why);
	err = central_store_leave(s, own, err, why);
	if (err != AG_OK) {
		*got = 0; /* rolled back (or the caller must): nothing was given */
		return err;
	}
	/* RETURNING gives rows in no promised order; callers want them earliest first. */
	qsort(out, *got, sizeof *out, slot_order);
	return AG_OK;
}

agenda_err central_store_release(central_store *s, const char *holder, const int64_t *ids,
                                 size_t count, size_t *released, agenda_detail *why)
{
	size_t ignored = 0;
	bool own;
	agenda_err err;

	if (!released)
		released = &ignored;
	*released = 0;
	if (!text_fits(holder, CENTRAL_HOLDER_MAX) || (count > 0 && !ids))
		return AG_ERR_USAGE;
	if (count == 0)
		return AG_OK;
	err = central_store_enter(s, &own, why);
	if (err != AG_OK)
		return err;
	err = s->ops->release(s, holder, ids, count, released, why);
	err = central_store_leave(s, own, err, why);
	if (err != AG_OK)
		*released = 0;
	return err;
}

agenda_err central_store_count(central_store *s, const char *holder, int64_t *count,
                               agenda_detail *why)
{
	*count = 0;
	if (holder && !text_fits(holder, CENTRAL_HOLDER_MAX))
		return AG_ERR_USAGE;
	return s->ops->count(s, holder, count, why);
}
