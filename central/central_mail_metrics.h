/*
 * central_mail_metrics.h — /metrics of central's outbox (issue 13): messages by state, read from
 * the store when /metrics is asked (queued, sent, failed: a gauge), and what serve's sender
 * thread did (attempts by outcome, drains that found no server: counters). Labels are fixed
 * tokens, never an address or a subject. Thread-safe.
 */
#ifndef AGENDA_CENTRAL_MAIL_METRICS_H
#define AGENDA_CENTRAL_MAIL_METRICS_H

#include "store_outbox.h"
#include "sync/mail_sender.h"

/* One drain of the sender thread. */
void central_mail_metrics_drain(const struct mail_drain_report *rep);

/* The Prometheus text, malloc'd (caller frees; NULL when out of memory); counts left out when
 * NULL (the store did not answer). */
char *central_mail_metrics_text(const central_outbox_counts *counts);

#endif
