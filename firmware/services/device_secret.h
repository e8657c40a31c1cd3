/*
 * device_secret.h — the device's own secret, kept beside the database and never inside it.
 *
 * 32 random bytes in "<database>.key" (mode 0600), made once with the database. They key the
 * audit chain (HMAC-SHA-256, I6), so whoever can edit the database file but not read this one
 * cannot rewrite the chain or forge its head; and they key the log-in guard's names
 * (operators.c), so typed user names are never stored in clear. Factory reset wipes both files.
 */
#ifndef AGENDA_SERVICES_DEVICE_SECRET_H
#define AGENDA_SERVICES_DEVICE_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "platform/rng.h"
#include "store/store.h"

#define DEVICE_SECRET_LEN 32

/*
 * Loads the secret of the database at db_path into out. When the file is missing and create is
 * true, a new one is made (atomically: a concurrent creator's secret wins and is read back) —
 * but only while the audit log is empty: a chain without its key cannot be trusted, and the
 * device refuses it with a message for the technician (AG_ERR_CORRUPT). A secret file that
 * others may read is refused like the database (AG_ERR_REFUSED). A read-only caller (create
 * false) on a device with no secret and no audit record gets zeros: it will sign nothing.
 */
agenda_err device_secret_load(store *s, const char *db_path, agenda_rng *rng, bool create,
                              unsigned char out[DEVICE_SECRET_LEN], agenda_detail *why);

/* HMAC-SHA-256 under the secret of label || 0x00 || data, as 32 bytes (label: what it is for). */
void device_secret_mac(const unsigned char secret[DEVICE_SECRET_LEN], const char *label,
                       const void *data, size_t len, unsigned char out[32]);

#endif
