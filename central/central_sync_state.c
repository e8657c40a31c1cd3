/*
 * central_sync_state.c — a device's sync state for people: `agenda-central device list` (its
 * alert column), `device clear-alert ID`, and the alert gauges of /metrics.
 */
#include <string.h>

#include "central_sync.h"
#include "core/messages.h"
#include "store_enrol.h"
#include "store_internal.h"
#include "store_sync.h"

agenda_err central_sync_device_state(central_store *s, const char *device,
                                     struct central_device_sync *out, agenda_detail *why)
{
	const char *params[] = {device};
	struct central_rows rows = {0};
	bool own;
	agenda_err err;

	memset(out, 0, sizeof *out);
	snprintf(out->device, sizeof out->device, "%s", device);
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = central_sync_query(s,
	                         "SELECT last_round_at, cursor_sent, lease_end, alert, alert_at,"
	                         " (SELECT count(*) FROM slot WHERE holder = $1)"
	                         " FROM device_sync WHERE device = $1",
	                         1, params, &rows, NULL, why);
	if (err == AG_OK && rows.n_rows == 1) {
		out->last_round_at = central_rows_int(&rows, 0, 0);
		out->cursor_sent = central_rows_int(&rows, 0, 1);
		out->lease_end = central_rows_int(&rows, 0, 2);
		out->alert = central_alert_from_name(central_rows_text(&rows, 0, 3));
		out->alert_at = central_rows_int(&rows, 0, 4);
		out->held = central_rows_int(&rows, 0, 5);
	}
	central_rows_free(&rows);
	return central_store_leave(s, own, err, why);
}

agenda_err central_sync_alert_counts(central_store *s, int64_t counts[CENTRAL_ALERT_COUNT],
                                     agenda_detail *why)
{
	struct central_rows rows = {0};
	bool own;
	agenda_err err;

	memset(counts, 0, CENTRAL_ALERT_COUNT * sizeof *counts);
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = central_sync_query(s,
	                         "SELECT alert, count(*) FROM device_sync WHERE alert IS NOT NULL"
	                         " GROUP BY alert",
	                         0, NULL, &rows, NULL, why);
	for (size_t i = 0; err == AG_OK && i < rows.n_rows; i++) {
		enum central_alert a = central_alert_from_name(central_rows_text(&rows, i, 0));

		if (a != CENTRAL_ALERT_NONE)
			counts[a] += central_rows_int(&rows, i, 1);
	}
	central_rows_free(&rows);
	return central_store_leave(s, own, err, why);
}

agenda_err central_sync_clear_alert(central_store *s, const char *device, bool *had,
                                    agenda_detail *why)
{
	central_device d;
	int64_t changed = 0;
	bool own;
	agenda_err err;

	*had = false;
	memset(&d, 0, sizeof d);
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = central_store_get_device(s, device, false, &d, why);
	central_device_clear(&d);
	if (err == AG_OK) {
		const char *params[] = {device};

		err = central_sync_query(s,
		                         "UPDATE device_sync SET alert = NULL, alert_at = NULL,"
		                         " digest_ok = 1 WHERE device = $1 AND alert IS NOT NULL",
		                         1, params, NULL, &changed, why);
	}
	*had = err == AG_OK && changed > 0;
	return central_store_leave(s, own, err, why);
}
