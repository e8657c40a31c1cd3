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

/* What a practice looks like now (malloc'd text, NULL when there is none): compared before and
 * after an import so only rows inserted or changed become changes. */
agenda_err central_practice_fingerprint(central_store *s, const char *numero, char **out,
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
