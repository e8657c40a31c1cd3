/*
 * central_metrics.h — agenda-central's counters for GET /metrics (Prometheus text format).
 *
 * Requests, errors (answers with status >= 400) and a histogram of answer times by route (from
 * the request's first callback to the answer being queued, monotonic clock), device requests
 * refused by
 * reason, enrolment answers by outcome and the number of enrolled devices (from the store). Routes
 * are the fixed names below, never the path a client sent, and nothing about a person or a device
 * is counted: the labels cannot carry personal data. Thread-safe (the server answers on several
 * threads).
 */
#ifndef AGENDA_CENTRAL_METRICS_H
#define AGENDA_CENTRAL_METRICS_H

#include <stddef.h>

enum central_route {
	ROUTE_HEALTH,
	ROUTE_METRICS,
	ROUTE_DEVICE_WHOAMI,
	ROUTE_CA,
	ROUTE_ENROL,
	ROUTE_DEVICE_RENEW,
	ROUTE_DEVICE_SYNC,  /* issue 12: a sync round */
	ROUTE_DEVICE_GRANT, /* issue 12: the online earliest-slot grant */
	ROUTE_OTHER,        /* anything else: 404 */
	ROUTE_COUNT
};

enum central_refusal {
	REFUSED_NO_CERT,   /* no client certificate was presented */
	REFUSED_UNTRUSTED, /* another CA, expired, not yet valid, or without clientAuth */
	REFUSED_REVOKED,   /* a good certificate of a device revoked or unknown to the store */
	REFUSED_COUNT
};

/* How POST /v1/enrol ended: the contract's answer tokens plus the two successes. */
enum central_enrol_metric {
	ENROL_METRIC_ISSUED,
	ENROL_METRIC_REPEATED, /* the same key and code again: the stored certificate */
	ENROL_METRIC_BAD_REQUEST,
	ENROL_METRIC_CODE_MALFORMED,
	ENROL_METRIC_CODE_UNKNOWN,
	ENROL_METRIC_CODE_USED,
	ENROL_METRIC_CODE_EXPIRED,
	ENROL_METRIC_THROTTLED,
	ENROL_METRIC_TOO_LARGE,
	ENROL_METRIC_UNAVAILABLE,
	ENROL_METRIC_COUNT
};

/* The route of a request path. */
enum central_route central_route_of(const char *url);

/*
 * Marks when the callback now running on this thread began serving its request (monotonic
 * seconds): the handler calls it on every callback, with the time of the request's first one,
 * so central_metrics_count, called from within that callback, knows how long the answer took.
 */
void central_metrics_started(double seconds);

/* Seconds on the monotonic clock. */
double central_metrics_clock(void);

void central_metrics_count(enum central_route route, unsigned status);
void central_metrics_refused(enum central_refusal why);
void central_metrics_enrol(enum central_enrol_metric outcome);

/* Devices in the store, for the gauge; known false: the store did not answer (left out). */
struct central_device_counts {
	int known;
	long long active, revoked;
};

/* The Prometheus text of every counter, malloc'd (caller frees); NULL when out of memory. */
char *central_metrics_text(const struct central_device_counts *devices);

#endif
