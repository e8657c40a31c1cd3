/*
 * central_sync_metrics.c — the sync counters behind GET /metrics, under one mutex
 * (central_sync_metrics.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_sync_metrics.h"

/* The conflict reasons central gives (central_apply.c); any other counts as "other". */
static const char *const REASONS[] = {"duplicate_practice", "slot_taken", "invalid", "other"};
#define REASON_COUNT (sizeof REASONS / sizeof REASONS[0])

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long rounds, applied, repeated, granted_round, granted_online, online_none,
        released, expired, revoked, conflicts[REASON_COUNT];

static size_t reason_index(const char *reason)
{
	for (size_t i = 0; i + 1 < REASON_COUNT; i++)
		if (strcmp(reason, REASONS[i]) == 0)
			return i;
	return REASON_COUNT - 1;
}

void central_sync_metrics_round(const struct central_round_report *rep,
                                const struct sync_response *res)
{
	pthread_mutex_lock(&lock);
	rounds++;
	applied += rep->applied;
	repeated += rep->repeated;
	granted_round += rep->granted;
	released += rep->released;
	expired += rep->expired;
	revoked += rep->revoked;
	for (size_t i = 0; i < res->n_conflicts; i++)
		conflicts[reason_index(res->conflicts[i].reason)]++;
	pthread_mutex_unlock(&lock);
}

void central_sync_metrics_grant(bool granted)
{
	pthread_mutex_lock(&lock);
	if (granted)
		granted_online++;
	else
		online_none++;
	pthread_mutex_unlock(&lock);
}

/* One counter with its HELP and TYPE lines; len grows, within cap. */
static size_t counter(char *out, size_t cap, size_t len, const char *name, const char *help,
                      unsigned long long value)
{
	return len + (size_t)snprintf(out + len, cap - len,
	                              "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help,
	                              name, name, value);
}

char *central_sync_metrics_text(const int64_t alerts[CENTRAL_ALERT_COUNT])
{
	size_t cap = 8192, len = 0; /* ~2.5 KiB: room to spare */
	char *out = malloc(cap);

	if (!out)
		return NULL;
	pthread_mutex_lock(&lock);
	len = counter(out, cap, len, "agenda_central_sync_rounds_total",
	              "Sync rounds answered (200).", rounds);
	len += (size_t)snprintf(
	        out + len, cap - len,
	        "# HELP agenda_central_sync_entries_total Journal entries of rounds, "
	        "applied now or repeated (applied before: the same answer).\n"
	        "# TYPE agenda_central_sync_entries_total counter\n"
	        "agenda_central_sync_entries_total{outcome=\"applied\"} %llu\n"
	        "agenda_central_sync_entries_total{outcome=\"repeated\"} %llu\n",
	        applied, repeated);
	len += (size_t)snprintf(out + len, cap - len,
	                        "# HELP agenda_central_sync_conflicts_total Conflicts answered, by "
	                        "reason.\n# TYPE agenda_central_sync_conflicts_total counter\n");
	for (size_t i = 0; i < REASON_COUNT; i++)
		len += (size_t)snprintf(out + len, cap - len,
		                        "agenda_central_sync_conflicts_total{reason=\"%s\"} %llu\n",
		                        REASONS[i], conflicts[i]);
	len += (size_t)snprintf(out + len, cap - len,
	                        "# HELP agenda_central_sync_grants_total Slots granted to devices, "
	                        "by demand in a round or online before a booking.\n"
	                        "# TYPE agenda_central_sync_grants_total counter\n"
	                        "agenda_central_sync_grants_total{via=\"round\"} %llu\n"
	                        "agenda_central_sync_grants_total{via=\"online\"} %llu\n",
	                        granted_round, granted_online);
	len = counter(out, cap, len, "agenda_central_sync_online_grant_none_total",
	              "Online grant asks answered without a slot (none earlier in the pool).",
	              online_none);
	len = counter(out, cap, len, "agenda_central_sync_released_total",
	              "Slots handed back by devices to the pool.", released);
	len = counter(out, cap, len, "agenda_central_sync_leases_expired_total",
	              "Slots back to the pool because their lease ended.", expired);
	len = counter(out, cap, len, "agenda_central_sync_revoked_total",
	              "Revoke changes written by rounds (lease expired, duplicate practice).",
	              revoked);
	pthread_mutex_unlock(&lock);
	if (alerts) {
		len += (size_t)snprintf(
		        out + len, cap - len,
		        "# HELP agenda_central_device_alerts Devices with an open tamper "
		        "alert, by reason (until device clear-alert).\n"
		        "# TYPE agenda_central_device_alerts gauge\n");
		for (int a = CENTRAL_ALERT_NONE + 1; a < CENTRAL_ALERT_COUNT; a++)
			len += (size_t)snprintf(
			        out + len, cap - len,
			        "agenda_central_device_alerts{reason=\"%s\"} %lld\n",
			        central_alert_name((enum central_alert)a), (long long)alerts[a]);
	}
	(void)len;
	return out;
}
