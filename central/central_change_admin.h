/*
 * central_change_admin.h — the change rows the admin verbs write in their own transaction
 * (contract §1): a Questura added (every device), a closure or extra opening (capacity, to the
 * devices of sites serving that province, plus for a closure a `closure` revoke of every slot a
 * device holds that day: a granted slot not booked at central leaves, a booked one stays its
 * device's), practices imported or changed, a practice withdrawn (its confirmed appointment
 * cancelled and revoked, `withdrawn`), operators added, reset or unlocked (to their site's
 * devices, with the argon2 hash so any counter accepts them offline). Every call takes the change
 * lock first (store_sync.h) and runs inside the caller's transaction.
 */
#ifndef AGENDA_CENTRAL_CHANGE_ADMIN_H
#define AGENDA_CENTRAL_CHANGE_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/practice_row.h"
#include "store.h"

agenda_err central_changes_questura(central_store *s, const char *code, int64_t now,
                                    agenda_detail *why);
agenda_err central_changes_closure(central_store *s, const char *code, agenda_day day, bool open,
                                   const char *note, int64_t now, agenda_detail *why);
agenda_err central_changes_operator(central_store *s, const char *username, int64_t now,
                                    agenda_detail *why);

/* The practices of an import batch as they are now (one statement), and the practice changes
 * of those inserted or changed between two such reads (central_change_practice.c). */
struct central_rows;
agenda_err central_practices_read(central_store *s, const struct practice_row *rows, size_t n,
                                  struct central_rows *out, agenda_detail *why);
agenda_err central_changes_practices(central_store *s, const struct central_rows *before,
                                     const struct central_rows *after, int64_t now,
                                     agenda_detail *why);
/* A practice change for numero as it is now. */
agenda_err central_changes_practice(central_store *s, const char *numero, int64_t now,
                                    agenda_detail *why);

/*
 * `practice withdraw NUMERO`: status `ritirata` with its practice change; a confirmed
 * appointment at central becomes cancelled and its device gets a revoke `withdrawn` for that
 * slot (*cancelled true). AG_ERR_NOT_FOUND for an unknown practice. Own transaction or the
 * caller's.
 */
agenda_err central_store_withdraw_practice(central_store *s, const char *numero, int64_t now,
                                           bool *cancelled, agenda_detail *why);

#endif
