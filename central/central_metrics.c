/*
 * central_metrics.c — the counters behind GET /metrics, under one mutex.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_metrics.h"

static const char *const ROUTE_LABEL[ROUTE_COUNT] = {"/v1/health", "/metrics", "/v1/device/whoami",
                                                     "other"};
static const char *const REFUSAL_LABEL[REFUSED_COUNT] = {"no_certificate", "untrusted"};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long requests[ROUTE_COUNT], errors[ROUTE_COUNT], refused[REFUSED_COUNT];

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

char *central_metrics_text(void)
{
	size_t cap = 4096, len = 0;
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
	pthread_mutex_unlock(&lock);
	return out;
}
