/*
 * central_metrics.h — agenda-central's counters for GET /metrics (Prometheus text format).
 *
 * Requests and errors (answers with status >= 400) by route, and device requests refused by
 * reason. Routes are the fixed names below, never the path a client sent, and nothing about a
 * person or a device is counted: the labels cannot carry personal data. Thread-safe (the server
 * answers on several threads).
 */
#ifndef AGENDA_CENTRAL_METRICS_H
#define AGENDA_CENTRAL_METRICS_H

#include <stddef.h>

enum central_route {
	ROUTE_HEALTH,
	ROUTE_METRICS,
	ROUTE_DEVICE_WHOAMI,
	ROUTE_OTHER, /* anything else: 404 */
	ROUTE_COUNT
};

enum central_refusal {
	REFUSED_NO_CERT,   /* no client certificate was presented */
	REFUSED_UNTRUSTED, /* another CA, expired, not yet valid, or without clientAuth */
	REFUSED_COUNT
};

/* The route of a request path. */
enum central_route central_route_of(const char *url);

void central_metrics_count(enum central_route route, unsigned status);
void central_metrics_refused(enum central_refusal why);

/* The Prometheus text of every counter, malloc'd (caller frees); NULL when out of memory. */
char *central_metrics_text(void);

#endif
