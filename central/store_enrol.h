/*
 * store_enrol.h — enrolment and device identity in central's store (migration 2's tables).
 *
 * A help-desk agent makes a one-time code for a site (only its SHA-256 is stored); a device
 * sends it with a certificate request; central_store_enrol consumes the code, chooses the
 * device id "<SITE>-<NNNN>" from site.next_device, has the caller sign the certificate and
 * records the device, all in ONE transaction: two keys racing for one code get one winner
 * (PostgreSQL: the code's row is locked with SELECT ... FOR UPDATE; SQLite: BEGIN IMMEDIATE),
 * and a certificate signed for a transaction that then fails is never returned. The same key
 * sending the same code again gets the stored device and certificate back.
 * Wrong codes are counted per client address in enrol_throttle, in the store, so every server
 * on one PostgreSQL shares the count: CENTRAL_THROTTLE_FAILURES within CENTRAL_THROTTLE_WINDOW
 * seconds block the address for CENTRAL_THROTTLE_BLOCK seconds.
 * The logic is store_enrol.c's, once for both backends; store_sqlite_enrol.c and
 * store_pg_enrol.c only speak SQL (central_enrol_ops). Times are unix seconds.
 */
#ifndef AGENDA_CENTRAL_STORE_ENROL_H
#define AGENDA_CENTRAL_STORE_ENROL_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

#define CENTRAL_DEVICE_ID_MAX     39 /* device_identity: 1..39 of A-Z a-z 0-9 . _ - */
#define CENTRAL_HASH_HEX          64 /* a hex SHA-256 */
#define CENTRAL_ADDRESS_MAX       45 /* INET6_ADDRSTRLEN - 1 */
#define CENTRAL_THROTTLE_FAILURES 5
#define CENTRAL_THROTTLE_WINDOW   (15 * 60)
#define CENTRAL_THROTTLE_BLOCK    (15 * 60)

typedef struct central_device {
	char id[CENTRAL_DEVICE_ID_MAX + 1];
	char site[CENTRAL_SITE_CODE_MAX + 1];
	char public_key_sha256[CENTRAL_HASH_HEX + 1];
	char *certificate; /* the newest PEM, malloc'd (central_device_clear), NULL if not read */
	int64_t not_after, enrolled_at;
	int64_t renewed_at, revoked_at; /* 0: never */
} central_device;

/* Frees the certificate; the rest is plain data. */
void central_device_clear(central_device *d);

/* One enrolment code as the store has it (its hash is the key). */
typedef struct central_code_row {
	char site[CENTRAL_SITE_CODE_MAX + 1];
	int64_t expires_at, used_at; /* used_at 0: unused */
	char device[CENTRAL_DEVICE_ID_MAX + 1];
} central_code_row;

typedef struct central_throttle_row {
	int64_t window_start, failures, blocked_until; /* blocked_until 0: not blocked */
} central_throttle_row;

/* What each backend implements; store_enrol.c opens the transactions and holds the logic. */
typedef struct central_enrol_ops {
	/* AG_ERR_NOT_FOUND when site is unknown, AG_ERR_EXISTS when the hash is taken */
	agenda_err (*add_code)(central_store *s, const char *code_sha256, const char *site,
	                       int64_t created_at, int64_t expires_at, agenda_detail *why);
	/* The code's row, locked until the transaction ends; *found false when none. */
	agenda_err (*lock_code)(central_store *s, const char *code_sha256, central_code_row *row,
	                        bool *found, agenda_detail *why);
	agenda_err (*use_code)(central_store *s, const char *code_sha256, int64_t used_at,
	                       const char *device, agenda_detail *why);
	/* site.next_device, incremented: the number of the site's next device. */
	agenda_err (*next_device)(central_store *s, const char *site, int64_t *number,
	                          agenda_detail *why);
	agenda_err (*add_device)(central_store *s, const central_device *d, agenda_detail *why);
	/* with_certificate: also read the PEM into d->certificate */
	agenda_err (*get_device)(central_store *s, const char *id, bool with_certificate,
	                         central_device *d, bool *found, agenda_detail *why);
	/* every device in id order; stops at the first error fn returns */
	agenda_err (*list_devices)(central_store *s,
	                           agenda_err (*fn)(void *ctx, const central_device *d), void *ctx,
	                           agenda_detail *why);
	agenda_err (*revoke_device)(central_store *s, const char *id, int64_t revoked_at,
	                            agenda_detail *why);
	agenda_err (*renew_device)(central_store *s, const char *id, const char *certificate,
	                           int64_t not_after, int64_t renewed_at, agenda_detail *why);
	agenda_err (*count_devices)(central_store *s, int64_t *active, int64_t *revoked,
	                            agenda_detail *why);
	/* The address's row, created (all zero) if missing, locked until the transaction ends. */
	agenda_err (*lock_throttle)(central_store *s, const char *address,
	                            central_throttle_row *row, agenda_detail *why);
	agenda_err (*put_throttle)(central_store *s, const char *address,
	                           const central_throttle_row *row, agenda_detail *why);
	/* Without creating or locking; *found false when the address has no row. */
	agenda_err (*get_throttle)(central_store *s, const char *address, central_throttle_row *row,
	                           bool *found, agenda_detail *why);
} central_enrol_ops;

extern const central_enrol_ops central_sqlite_enrol_ops;
extern const central_enrol_ops central_pg_enrol_ops;

/*
 * Records a new code for site, valid until expires_at. The code itself is never stored, only
 * code_sha256 (hex SHA-256 of its canonical form). AG_ERR_NOT_FOUND for an unknown site.
 */
agenda_err central_store_add_enrol_code(central_store *s, const char *code_sha256, const char *site,
                                        int64_t created_at, int64_t expires_at, agenda_detail *why);

enum central_enrol_outcome {
	ENROL_ISSUED,   /* a new device, its certificate just signed */
	ENROL_REPEATED, /* the same key with the same code again: the stored device */
	ENROL_UNKNOWN,  /* no such code */
	ENROL_USED,     /* used by another key (or by a device since revoked) */
	ENROL_EXPIRED
};

/*
 * Signs the certificate of device_id (the key is the caller's, from its request): called
 * inside the enrolment's transaction, at most once. *cert_pem is malloc'd.
 */
typedef agenda_err (*central_sign_fn)(void *ctx, const char *device_id, char **cert_pem,
                                      int64_t *not_after, agenda_detail *why);

/*
 * Consumes the code for the key public_key_sha256 at time now, in one transaction (see
 * above). ISSUED and REPEATED fill *device (certificate included: central_device_clear);
 * the other outcomes are answers, not errors (AG_OK). An error from sign or the store rolls
 * everything back.
 */
agenda_err central_store_enrol(central_store *s, const char *code_sha256,
                               const char *public_key_sha256, int64_t now, central_sign_fn sign,
                               void *sign_ctx, enum central_enrol_outcome *outcome,
                               central_device *device, agenda_detail *why);

/* The device with its certificate when with_certificate; AG_ERR_NOT_FOUND when unknown. */
agenda_err central_store_get_device(central_store *s, const char *id, bool with_certificate,
                                    central_device *device, agenda_detail *why);

/* Every device, in id order, without certificates. */
agenda_err central_store_list_devices(central_store *s,
                                      agenda_err (*fn)(void *ctx, const central_device *d),
                                      void *ctx, agenda_detail *why);

/*
 * Marks the device revoked at now (a device already revoked keeps its first time); *device
 * gets the result. AG_ERR_NOT_FOUND when unknown.
 */
agenda_err central_store_revoke_device(central_store *s, const char *id, int64_t now,
                                       central_device *device, agenda_detail *why);

/*
 * Replaces the device's certificate with a new one for the same key: sign is called inside the
 * transaction with the device id. AG_ERR_NOT_FOUND when unknown, AG_ERR_REFUSED when revoked
 * or when public_key_sha256 is not the device's key. *device gets the result.
 */
agenda_err central_store_renew_device(central_store *s, const char *id,
                                      const char *public_key_sha256, int64_t now,
                                      central_sign_fn sign, void *sign_ctx, central_device *device,
                                      agenda_detail *why);

/* Devices not revoked, and revoked. */
agenda_err central_store_count_devices(central_store *s, int64_t *active, int64_t *revoked,
                                       agenda_detail *why);

/* Seconds the address stays blocked from now (0: not blocked). */
agenda_err central_store_throttle_left(central_store *s, const char *address, int64_t now,
                                       int64_t *seconds_left, agenda_detail *why);

/*
 * Counts one wrong code from address at now; *seconds_left is how long it is now blocked
 * (0: not yet).
 */
agenda_err central_store_throttle_failure(central_store *s, const char *address, int64_t now,
                                          int64_t *seconds_left, agenda_detail *why);

#endif
