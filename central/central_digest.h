/*
 * central_digest.h — central's half of the sync digest (contract §2, docs/SYNC.md): the SHA-256
 * hex of `a <appointment id> <questura> <YYYY-MM-DD> <minute>\n` for each appointment confirmed
 * for the device, sorted by id bytewise, then `s <slot id>\n` for each slot the device holds,
 * by id ascending. The device computes the same over its own file (firmware/services/
 * sync_digest.c); a difference when nothing is in flight means its file was edited behind the
 * library's back.
 */
#ifndef AGENDA_CENTRAL_DIGEST_H
#define AGENDA_CENTRAL_DIGEST_H

#include "store.h"

agenda_err central_digest(central_store *s, const char *device, char hex[65], agenda_detail *why);

#endif
