/*
 * store_internal.h — what the backend-independent store files share (store.c and one file per
 * concept, store_*.c): every public call runs in the caller's transaction when one is open,
 * else in its own.
 */
#ifndef AGENDA_CENTRAL_STORE_INTERNAL_H
#define AGENDA_CENTRAL_STORE_INTERNAL_H

#include <stdbool.h>

#include "store.h"

/* Opens the call's own transaction unless the caller has one (*own says which). */
agenda_err central_store_enter(central_store *s, bool *own, agenda_detail *why);

/* Commits the call's own transaction on success, rolls it back on failure; returns err. */
agenda_err central_store_leave(central_store *s, bool own, agenda_err err, agenda_detail *why);

/* local@domain.tld of at most CENTRAL_EMAIL_MAX bytes, no spaces or list separators. */
bool central_email_valid(const char *text);

#endif
