/*
 * central_metrics.c — the counters behind GET /metrics, under one mutex.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_metrics.h"

static const char *const ROUTE_LABEL[ROUTE_COUNT] = {"/v1/health", "/metrics",  "/v1/device/whoami",
                                                     "/v1/ca",     "/v1/enrol", "/v1/device/renew",
                                                     "other"};
static const char *const REFUSAL_LABEL[REFUSED_COUNT] = {"no_certificate", "untrusted", "revoked"};
static const char *const ENROL_LABEL[ENROL_METRIC_COUNT] = {
        "issued",    "repeated",     "bad_request", "code_malformed", "code_unknown",
        "code_used", "code_expired", "throttled",   "too_large",      "unavailable"};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long requests[ROUTE_COUNT], errors[ROUTE_COUNT], refused[REFUSED_COUNT],
        enrolments[ENROL_METRIC_COUNT];

enum central_route central_route_of(const char *url)
{
	for (int r = 0; r < ROUTE_OTHER; r++)
		if (strcmp(url, ROUTE_LABEL[r]) == 0)
			return (enum central_route)r;
	return ROUTE_OTHER;
}

void central_metrics_count(enum central_route route, unsigned status)
{
	pthread_mutex_lock(&lock);
	requests[route]++;
	if (status >= 400)
		errors[route]++;
	pthread_mutex_unlock(&lock);
}

void central_metrics_refused(enum central_refusal why)
{
	pthread_mutex_lock(&lock);
	refused[why]++;
	pthread_mutex_unlock(&lock);
}

void central_metrics_enrol(enum central_enrol_metric outcome)
{
	pthread_mutex_lock(&lock);
	enrolments[outcome]++;
	pthread_mutex_unlock(&lock);
}

/* The enrolment counters and the device gauge; len grows, within cap. */
static size_t enrol_text(char *out, size_t cap, size_t len,
                         const struct central_device_counts *devices)
{
	len += (size_t)snprintf(out + len, cap - len,
	                        "# HELP agenda_central_enrol_total Enrolment answers, by outcome.\n"
	                        "# TYPE agenda_central_enrol_total counter\n");
	for (int o = 0; o < ENROL_METRIC_COUNT; o++)
		len += (size_t)snprintf(out + len, cap - len,
		                        "agenda_central_enrol_total{outcome=\"%s\"} %llu\n",
		                        ENROL_LABEL[o], enrolments[o]);
	if (devices && devices->known)
		len += (size_t)snprintf(
		        out + len, cap - len,
		        "# HELP agenda_central_devices Enrolled devices, by state.\n"
		        "# TYPE agenda_central_devices gauge\n"
		        "agenda_central_devices{state=\"active\"} %lld\n"
		        "agenda_central_devices{state=\"revoked\"} %lld\n",
		        devices->active, devices->revoked);
	return len;
}

char *central_metrics_text(const struct central_device_counts *devices)
{
	size_t cap = 8192, len = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	pthread_mutex_lock(&lock);
	len += (size_t)snprintf(
	        out + len, cap - len,
	        "# HELP agenda_central_requests_total Requests answered, by route.\n"
	        "# TYPE agenda_central_requests_total counter\n");
	for (int r = 0; r < ROUTE_COUNT; r++)
		len += (size_t)snprintf(out + len, cap - len,
		                        "agenda_central_requests_total{route=\"%s\"} %llu\n",
		                        ROUTE_LABEL[r], requests[r]);
	len += (size_t)snprintf(out + len, cap - len,
	                        "# HELP agenda_central_errors_total Answers with status >= 400, by "
	                        "route.\n# TYPE agenda_central_errors_total counter\n");
	for (int r = 0; r < ROUTE_COUNT; r++)
		len += (size_t)snprintf(out + len, cap - len,
		                        "agenda_central_errors_total{route=\"%s\"} %llu\n",
		                        ROUTE_LABEL[r], errors[r]);
	len += (size_t)snprintf(
	        out + len, cap - len,
	        "# HELP agenda_central_device_refused_total Device requests refused "
	        "before reading them, by reason.\n"
	        "# TYPE agenda_central_device_refused_total counter\n");
	for (int w = 0; w < REFUSED_COUNT; w++)
		len += (size_t)snprintf(out + len, cap - len,
		                        "agenda_central_device_refused_total{reason=\"%s\"} %llu\n",
		                        REFUSAL_LABEL[w], refused[w]);
	len = enrol_text(out, cap, len, devices);
	pthread_mutex_unlock(&lock);
	(void)len;
	return out;
}
