/*
 * crash_workload.c — the booking workload of the crash harnesses (see crash_workload.h).
 */
#include "crash_workload.h"

#include <stdlib.h>
#include <string.h>

#include "services/questure.h"

#define START_EPOCH 1777878000 /* Monday 4 May 2026, 09:00 Europe/Rome */

int crash_workload_setup(const char *path, char password_out[PASSWORD_MAX])
{
	struct questura q = {.code = "RM",
	                     .name = "Questura di Roma",
	                     .city = "Roma",
	                     .address = "Via di San Vitale 15"};
	struct capacity_plan plan = {.weekdays = 0x1f,
	                             .first_minute = 8 * 60 + 30,
	                             .minutes_per_slot = 15,
	                             .slots_per_day = 16};
	struct capacity_report report;
	struct crash_worker w = {.now = START_EPOCH};
	agenda_detail why;
	int rc = -1;

	agenda_detail_clear(&why);
	if (agenda_ctx_open(&w.ctx, path, true, clock_fixed(&w.now), &why) != AG_OK)
		goto fail;
	plan.from = date_from_ymd(2026, 5, 4);
	plan.to = plan.from + 60;
	if (questura_put(&w.ctx, "crash", &q, &why) != AG_OK ||
	    capacity_set(&w.ctx, "crash", "RM", &plan, &report, &why) != AG_OK ||
	    operator_add(&w.ctx, "crash", CRASH_OPERATOR, ROLE_OPERATORE, password_out, &why) !=
	            AG_OK)
		goto fail;
	for (int i = 1; i <= CRASH_PRACTICES; i++) {
		struct practice p = {.data_nascita = date_from_ymd(1990, 1, 1)};

		snprintf(p.numero_pratica, sizeof p.numero_pratica, "RM/2026/%06d", i);
		snprintf(p.numero_visto, sizeof p.numero_visto, "ITA%09d", i);
		snprintf(p.cognome, sizeof p.cognome, "COGNOME%d", i);
		snprintf(p.nome, sizeof p.nome, "NOME");
		snprintf(p.nazionalita, sizeof p.nazionalita, "MAROCCO");
		snprintf(p.tipo, sizeof p.tipo, i % 3 ? "lavoro" : "ricongiungimento familiare");
		snprintf(p.questura, sizeof p.questura, "RM");
		if (practice_upsert(&w.ctx, &p, &why) != AG_OK)
			goto fail;
	}
	rc = 0;
fail:
	if (rc)
		fprintf(stderr, "crash set-up: %s\n", why.en);
	agenda_ctx_close(&w.ctx);
	return rc;
}

int crash_worker_open(struct crash_worker *w, const char *path, const char *password, uint64_t seed)
{
	agenda_detail why;

	memset(w, 0, sizeof *w);
	w->now = START_EPOCH;
	w->draw = seed * 2654435761u + 88172645463325252ull;
	agenda_detail_clear(&why);
	/*
	 * A kill between counting a log-in and settling it counts as a failed attempt (by design:
	 * docs/ARCHITECTURE.md, Operators), and kills land in log-ins often here: clear the count
	 * first, as the Dirigente would, so five such kills in a row do not lock the worker out.
	 */
	if (agenda_ctx_open(&w->ctx, path, false, clock_fixed(&w->now), &why) != AG_OK ||
	    operator_unlock(&w->ctx, "crash-harness", CRASH_OPERATOR, &why) != AG_OK ||
	    session_login(&w->ctx, CRASH_OPERATOR, password, &w->who, &why) != AG_OK) {
		fprintf(stderr, "crash worker: %s\n", why.en);
		if (w->ctx.store)
			agenda_ctx_close(&w->ctx);
		return -1;
	}
	return 0;
}

static uint64_t next(struct crash_worker *w)
{
	w->draw ^= w->draw << 13;
	w->draw ^= w->draw >> 7;
	w->draw ^= w->draw << 17;
	return w->draw;
}

int crash_worker_step(struct crash_worker *w, FILE *ledger)
{
	struct booking b;
	agenda_detail why;
	int64_t practice = (int64_t)(next(w) % CRASH_PRACTICES) + 1;

	agenda_detail_clear(&why);
	w->now += 7; /* a counter's pace; keeps audit times distinct */
	if (booking_confirm(&w->ctx, &w->who, practice, NULL, &b, &why) != AG_OK) {
		fprintf(stderr, "booking_confirm(%lld): %s\n", (long long)practice, why.en);
		return -1;
	}
	if (!b.existing) {
		fprintf(ledger, "book %s\n", b.id);
	} else {
		if (booking_cancel(&w->ctx, &w->who, b.id, "prova di interruzione", &why) !=
		    AG_OK) {
			fprintf(stderr, "booking_cancel(%s): %s\n", b.id, why.en);
			return -1;
		}
		fprintf(ledger, "cancel %s\n", b.id);
	}
	fflush(ledger);
	return 0;
}

void crash_worker_close(struct crash_worker *w)
{
	agenda_ctx_close(&w->ctx);
}
