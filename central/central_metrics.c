/*
 * central_metrics.c — the counters behind GET /metrics, under one mutex.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "central_metrics.h"

static const char *const ROUTE_LABEL[ROUTE_COUNT] = {
        "/v1/health",       "/metrics",        "/v1/device/whoami", "/v1/ca", "/v1/enrol",
        "/v1/device/renew", "/v1/device/sync", "/v1/device/grant",  "other"};
static const char *const REFUSAL_LABEL[REFUSED_COUNT] = {"no_certificate", "untrusted", "revoked"};
static const char *const ENROL_LABEL[ENROL_METRIC_COUNT] = {
        "issued",    "repeated",     "bad_request", "code_malformed", "code_unknown",
        "code_used", "code_expired", "throttled",   "too_large",      "unavailable"};

/* Upper bounds of the answer-time buckets, seconds (+Inf is implied). */
static const double BUCKETS[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,   0.25,   0.5,   1,    2.5,   5};
#define BUCKET_COUNT (sizeof BUCKETS / sizeof BUCKETS[0])

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Per thread: a callback runs start to end on one thread, so this is the current request's. */
static _Thread_local double current_start;
static unsigned long long duration_bucket[ROUTE_COUNT][BUCKET_COUNT];
static double duration_sum[ROUTE_COUNT];
static unsigned long long requests[ROUTE_COUNT], errors[ROUTE_COUNT], refused[REFUSED_COUNT],
        enrolments[ENROL_METRIC_COUNT];

enum central_route central_route_of(const char *url)
{
	for (int r = 0; r < ROUTE_OTHER; r++)
		if (strcmp(url, ROUTE_LABEL[r]) == 0)
			return (enum central_route)r;
	return ROUTE_OTHER;
}

double central_metrics_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void central_metrics_started(double seconds)
{
	current_start = seconds;
}

void central_metrics_count(enum central_route route, unsigned status)
{
	double took = current_start > 0 ? central_metrics_clock() - current_start : 0;

	if (took < 0)
		took = 0;
	pthread_mutex_lock(&lock);
	for (size_t b = 0; b < BUCKET_COUNT; b++)
		if (took <= BUCKETS[b])
			duration_bucket[route][b]++; /* cumulative, as Prometheus buckets are */
	duration_sum[route] += took;
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

/* The answer-time histogram of every route; len grows, within cap. */
static size_t duration_text(char *out, size_t cap, size_t len)
{
	len += (size_t)snprintf(
	        out + len, cap - len,
	        "# HELP agenda_central_request_duration_seconds Time to answer, by "
	        "route.\n# TYPE agenda_central_request_duration_seconds histogram\n");
	for (int r = 0; r < ROUTE_COUNT; r++) {
		for (size_t b = 0; b < BUCKET_COUNT; b++)
			len += (size_t)snprintf(out + len, cap - len,
			                        "agenda_central_request_duration_seconds_bucket{"
			                        "route=\"%s\",le=\"%g\"} "
			                        "%llu\n",
			                        ROUTE_LABEL[r], BUCKETS[b], duration_bucket[r][b]);
		len += (size_t)snprintf(
		        out + len, cap - len,
		        "agenda_central_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} "
		        "%llu\n"
		        "agenda_central_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
		        "agenda_central_request_duration_seconds_count{route=\"%s\"} %llu\n",
		        ROUTE_LABEL[r], requests[r], ROUTE_LABEL[r], duration_sum[r],
		        ROUTE_LABEL[r], requests[r]);
	}
	return len;
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
	size_t cap = 65536, len = 0; /* ~17 KiB today: room for more routes */
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
	len = duration_text(out, cap, len);
	len = enrol_text(out, cap, len, devices);
	pthread_mutex_unlock(&lock);
	(void)len;
	return out;
}
