/*
 * store_enrol.c — enrolment, devices and throttling in central's store, once for both
 * backends (store_enrol.h): argument checks, transactions and the rules; the backends'
 * central_enrol_ops only run SQL.
 */
#include "store_enrol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "store_internal.h"

void central_device_clear(central_device *d)
{
	free(d->certificate);
	memset(d, 0, sizeof *d);
}

static const central_enrol_ops *ops(const central_store *s)
{
	return s->ops->enrol;
}

static bool fits(const char *text, size_t max)
{
	return text && *text && strlen(text) <= max;
}

static bool is_hash(const char *hex)
{
	return hex && strlen(hex) == CENTRAL_HASH_HEX &&
	       strspn(hex, "0123456789abcdef") == CENTRAL_HASH_HEX;
}

agenda_err central_store_add_enrol_code(central_store *s, const char *code_sha256, const char *site,
                                        int64_t created_at, int64_t expires_at, agenda_detail *why)
{
	bool own;
	agenda_err err;

	if (!is_hash(code_sha256) || !fits(site, CENTRAL_SITE_CODE_MAX) || expires_at <= created_at)
		return AG_ERR_USAGE;
	err = central_store_enter(s, &own, why);
	if (err != AG_OK)
		return err;
	err = ops(s)->add_code(s, code_sha256, site, created_at, expires_at, why);
	return central_store_leave(s, own, err, why);
}

/* A code already used: the same key gets its device back, another key (or a revoked device)
 * does not. */
static agenda_err used_code(central_store *s, const central_code_row *row, const char *key,
                            enum central_enrol_outcome *outcome, central_device *device,
                            agenda_detail *why)
{
	bool found = false;
	agenda_err err = ops(s)->get_device(s, row->device, true, device, &found, why);

	if (err != AG_OK)
		return err;
	if (found && device->revoked_at == 0 && strcmp(device->public_key_sha256, key) == 0) {
		*outcome = ENROL_REPEATED;
		return AG_OK;
	}
	central_device_clear(device);
	*outcome = ENROL_USED;
	return AG_OK;
}

/* A fresh code: the next device id of the site, its certificate, the device, the code used. */
static agenda_err new_device(central_store *s, const char *code_sha256, const char *site,
                             const char *key, int64_t now, central_sign_fn sign, void *sign_ctx,
                             central_device *device, agenda_detail *why)
{
	int64_t number = 0;
	agenda_err err = ops(s)->next_device(s, site, &number, why);

	if (err != AG_OK)
		return err;
	snprintf(device->id, sizeof device->id, "%s-%04lld", site, (long long)number);
	snprintf(device->site, sizeof device->site, "%s", site);
	snprintf(device->public_key_sha256, sizeof device->public_key_sha256, "%s", key);
	device->enrolled_at = now;
	err = sign(sign_ctx, device->id, &device->certificate, &device->not_after, why);
	if (err == AG_OK)
		err = ops(s)->add_device(s, device, why);
	if (err == AG_OK)
		err = ops(s)->use_code(s, code_sha256, now, device->id, why);
	return err;
}

agenda_err central_store_enrol(central_store *s, const char *code_sha256,
                               const char *public_key_sha256, int64_t now, central_sign_fn sign,
                               void *sign_ctx, enum central_enrol_outcome *outcome,
                               central_device *device, agenda_detail *why)
{
	central_code_row row = {0};
	bool own, found = false;
	agenda_err err;

	memset(device, 0, sizeof *device);
	*outcome = ENROL_UNKNOWN;
	if (!is_hash(code_sha256) || !is_hash(public_key_sha256) || !sign)
		return AG_ERR_USAGE;
	err = central_store_enter(s, &own, why);
	if (err != AG_OK)
		return err;
	err = ops(s)->lock_code(s, code_sha256, &row, &found, why);
	if (err == AG_OK && found) {
		if (row.used_at != 0)
			err = used_code(s, &row, public_key_sha256, outcome, device, why);
		else if (now >= row.expires_at)
			*outcome = ENROL_EXPIRED;
		else {
			*outcome = ENROL_ISSUED;
			err = new_device(s, code_sha256, row.site, public_key_sha256, now, sign,
			                 sign_ctx, device, why);
		}
	}
	err = central_store_leave(s, own, err, why);
	if (err != AG_OK) {
		/* rolled back: whatever was signed was never recorded, so it is never given */
		central_device_clear(device);
		*outcome = ENROL_UNKNOWN;
	}
	return err;
}

static agenda_err device_or_not_found(central_store *s, const char *id, bool with_certificate,
                                      central_device *device, agenda_detail *why)
{
	bool found = false;
	agenda_err err = ops(s)->get_device(s, id, with_certificate, device, &found, why);

	if (err == AG_OK && !found) {
		agenda_detail_set(why, MSG_CENTRAL_DEVICE_UNKNOWN, id);
		err = AG_ERR_NOT_FOUND;
	}
	return err;
}

agenda_err central_store_get_device(central_store *s, const char *id, bool with_certificate,
                                    central_device *device, agenda_detail *why)
{
	agenda_err err;

	memset(device, 0, sizeof *device);
	if (!fits(id, CENTRAL_DEVICE_ID_MAX)) {
		agenda_detail_set(why, MSG_CENTRAL_DEVICE_UNKNOWN, id ? id : "");
		return AG_ERR_NOT_FOUND;
	}
	err = device_or_not_found(s, id, with_certificate, device, why);
	if (err != AG_OK)
		central_device_clear(device);
	return err;
}

agenda_err central_store_list_devices(central_store *s,
                                      agenda_err (*fn)(void *ctx, const central_device *d),
                                      void *ctx, agenda_detail *why)
{
	return ops(s)->list_devices(s, fn, ctx, why);
}

agenda_err central_store_revoke_device(central_store *s, const char *id, int64_t now,
                                       central_device *device, agenda_detail *why)
{
	bool own;
	agenda_err err;

	memset(device, 0, sizeof *device);
	if (!fits(id, CENTRAL_DEVICE_ID_MAX)) {
		agenda_detail_set(why, MSG_CENTRAL_DEVICE_UNKNOWN, id ? id : "");
		return AG_ERR_NOT_FOUND;
	}
	err = central_store_enter(s, &own, why);
	if (err != AG_OK)
		return err;
	err = device_or_not_found(s, id, false, device, why);
	if (err == AG_OK && device->revoked_at == 0) {
		err = ops(s)->revoke_device(s, id, now, why);
		device->revoked_at = now;
	}
	err = central_store_leave(s, own, err, why);
	if (err != AG_OK)
		central_device_clear(device);
	return err;
}

agenda_err central_store_renew_device(central_store *s, const char *id,
                                      const char *public_key_sha256, int64_t now,
                                      central_sign_fn sign, void *sign_ctx, central_device *device,
                                      agenda_detail *why)
{
	char *certificate = NULL;
	int64_t not_after = 0;
	bool own;
	agenda_err err;

	memset(device, 0, sizeof *device);
	if (!fits(id, CENTRAL_DEVICE_ID_MAX) || !is_hash(public_key_sha256) || !sign)
		return AG_ERR_USAGE;
	err = central_store_enter(s, &own, why);
	if (err != AG_OK)
		return err;
	err = device_or_not_found(s, id, false, device, why);
	if (err == AG_OK && device->revoked_at != 0) {
		agenda_detail_set(why, MSG_CENTRAL_REVOKED);
		err = AG_ERR_REFUSED;
	} else if (err == AG_OK && strcmp(device->public_key_sha256, public_key_sha256) != 0) {
		agenda_detail_set(why, MSG_CENTRAL_RENEW_OTHER_KEY);
		err = AG_ERR_REFUSED;
	}
	if (err == AG_OK)
		err = sign(sign_ctx, id, &certificate, &not_after, why);
	if (err == AG_OK)
		err = ops(s)->renew_device(s, id, certificate, not_after, now, why);
	err = central_store_leave(s, own, err, why);
	if (err != AG_OK) {
		free(certificate);
		central_device_clear(device);
		return err;
	}
	device->certificate = certificate;
	device->not_after = not_after;
	device->renewed_at = now;
	return AG_OK;
}

agenda_err central_store_count_devices(central_store *s, int64_t *active, int64_t *revoked,
                                       agenda_detail *why)
{
	*active = *revoked = 0;
	return ops(s)->count_devices(s, active, revoked, why);
}

agenda_err central_store_throttle_left(central_store *s, const char *address, int64_t now,
                                       int64_t *seconds_left, agenda_detail *why)
{
	central_throttle_row row = {0};
	bool found = false;
	agenda_err err;

	*seconds_left = 0;
	if (!fits(address, CENTRAL_ADDRESS_MAX))
		return AG_ERR_USAGE;
	err = ops(s)->get_throttle(s, address, &row, &found, why);
	if (err == AG_OK && found && row.blocked_until > now)
		*seconds_left = row.blocked_until - now;
	return err;
}

agenda_err central_store_throttle_failure(central_store *s, const char *address, int64_t now,
                                          int64_t *seconds_left, agenda_detail *why)
{
	central_throttle_row row = {0};
	bool own;
	agenda_err err;

	*seconds_left = 0;
	if (!fits(address, CENTRAL_ADDRESS_MAX))
		return AG_ERR_USAGE;
	err = central_store_enter(s, &own, why);
	if (err != AG_OK)
		return err;
	err = ops(s)->lock_throttle(s, address, &row, why);
	if (err == AG_OK) {
		/* a window that has run out (or a block that has) starts counting again */
		if (row.failures == 0 || now - row.window_start >= CENTRAL_THROTTLE_WINDOW ||
		    (row.blocked_until != 0 && row.blocked_until <= now)) {
			row.window_start = now;
			row.failures = 0;
			row.blocked_until = 0;
		}
		row.failures++;
		if (row.failures >= CENTRAL_THROTTLE_FAILURES && row.blocked_until <= now)
			row.blocked_until = now + CENTRAL_THROTTLE_BLOCK;
		err = ops(s)->put_throttle(s, address, &row, why);
	}
	err = central_store_leave(s, own, err, why);
	if (err == AG_OK && row.blocked_until > now)
		*seconds_left = row.blocked_until - now;
	return err;
}
