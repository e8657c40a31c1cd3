/*
 * central_mail_metrics.c — the counters and the gauge of central's outbox for GET /metrics,
 * under one mutex (central_mail_metrics.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "central_mail_metrics.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long sent, retried, given_up, link_down;

void central_mail_metrics_drain(const struct mail_drain_report *rep)
{
	pthread_mutex_lock(&lock);
	sent += (unsigned long long)rep->sent;
	retried += (unsigned long long)rep->retried;
	given_up += (unsigned long long)rep->given_up;
	link_down += rep->link_down ? 1 : 0;
	pthread_mutex_unlock(&lock);
}

char *central_mail_metrics_text(const central_outbox_counts *counts)
{
	size_t cap = 2048, len = 0; /* ~1 KiB */
	char *out = malloc(cap);

	if (!out)
		return NULL;
	pthread_mutex_lock(&lock);
	len += (size_t)snprintf(
	        out + len, cap - len,
	        "# HELP agenda_central_mail_attempts_total Messages the sender thread tried, by "
	        "outcome (sent, retried later, given up).\n"
	        "# TYPE agenda_central_mail_attempts_total counter\n"
	        "agenda_central_mail_attempts_total{outcome=\"sent\"} %llu\n"
	        "agenda_central_mail_attempts_total{outcome=\"retried\"} %llu\n"
	        "agenda_central_mail_attempts_total{outcome=\"given_up\"} %llu\n"
	        "# HELP agenda_central_mail_link_down_total Drains that reached no mail server.\n"
	        "# TYPE agenda_central_mail_link_down_total counter\n"
	        "agenda_central_mail_link_down_total %llu\n",
	        sent, retried, given_up, link_down);
	pthread_mutex_unlock(&lock);
	if (counts)
		len += (size_t)snprintf(out + len, cap - len,
		                        "# HELP agenda_central_outbox_messages Outbox messages, by "
		                        "state.\n# TYPE agenda_central_outbox_messages gauge\n"
		                        "agenda_central_outbox_messages{state=\"queued\"} %lld\n"
		                        "agenda_central_outbox_messages{state=\"sent\"} %lld\n"
		                        "agenda_central_outbox_messages{state=\"failed\"} %lld\n",
		                        (long long)counts->queued, (long long)counts->sent,
		                        (long long)counts->failed);
	(void)len;
	return out;
}
