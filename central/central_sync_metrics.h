/*
 * central_sync_metrics.h — /metrics counters of the sync routes (POST /v1/device/sync and
 * /v1/device/grant) and the gauge of device alerts.
 *
 * Rounds answered, journal entries applied now or repeated, conflicts answered by reason (a
 * fixed list of reasons, anything else counted as "other"), slots granted (by demand in a round
 * or online), handed back, returned by an expired lease, revoke changes written, online grant
 * asks by outcome; and, read from the store when /metrics is asked, the devices with an open
 * alert by kind. Labels are fixed tokens: never a device, a practice or an address.
 * Thread-safe (the server answers on several threads). Kept apart from central_metrics.c,
 * whose counters are the same for every route.
 */
#ifndef AGENDA_CENTRAL_SYNC_METRICS_H
#define AGENDA_CENTRAL_SYNC_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "central_sync.h"

/* One round answered: its report and the conflicts of its response (reasons counted). */
void central_sync_metrics_round(const struct central_round_report *rep,
                                const struct sync_response *res);

/* One online grant answered: granted a slot or not. */
void central_sync_metrics_grant(bool granted);

/*
 * The Prometheus text of the sync counters, malloc'd (caller frees); NULL when out of memory.
 * alerts (devices with an open alert, per kind) is left out when NULL: the store did not answer.
 */
char *central_sync_metrics_text(const int64_t alerts[CENTRAL_ALERT_COUNT]);

#endif
