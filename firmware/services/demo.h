/*
 * demo.h — a demo database: the four pilot Questure, capacity, fictional applicants, accounts.
 *
 * For showing the kiosk and agendactl without real data. Built only on the public service
 * functions (questura_put, capacity_set, practice_upsert, operator_add ...), so it obeys every
 * rule real data obeys. Every applicant is marked demo (practice.demo, surnames "DEMO ...",
 * progressive numbers from 900001) and all draws come from the context's RNG: the same seed
 * gives the same applicants. Running it again refreshes the same records and gives the demo
 * accounts new passwords.
 */
#ifndef AGENDA_SERVICES_DEMO_H
#define AGENDA_SERVICES_DEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "services/context.h"
#include "services/operators.h"
#include "services/practices.h"

#define DEMO_QUESTURE               4
#define DEMO_CAPACITY_DAYS          90
#define DEMO_FIRST_MINUTE           (8 * 60 + 30)
#define DEMO_MINUTES_PER_SLOT       15
#define DEMO_SLOTS_PER_DAY          16
#define DEMO_PRACTICES_PER_QUESTURA 80
#define DEMO_OPERATORS              3
#define DEMO_SAMPLES                6
#define DEMO_PROGRESSIVO_BASE       900000

struct demo_account {
	char username[USERNAME_MAX];
	enum operator_role role;
	char password[PASSWORD_MAX]; /* clear text: demo only; the caller wipes it */
};

struct demo_sample {
	char numero_pratica[PRATICA_MAX];
	char numero_visto[VISTO_MAX];
	char questura[QUESTURA_CODE_MAX];
	char tipo[FIELD_MAX];
	bool bookable; /* false for the kinds shown to be refused */
};

struct demo_report {
	int questure;
	int capacity_days;
	int slots_created;
	int practices;
	int practices_not_bookable;
	size_t account_count;
	struct demo_account accounts[DEMO_OPERATORS];
	size_t sample_count;
	struct demo_sample samples[DEMO_SAMPLES];
};

/*
 * Seeds the demo data into an initialised database, capacity from today for DEMO_CAPACITY_DAYS
 * days (Monday to Friday, from 08:30, 15 minutes, 16 slots a day). actor is named in the audit.
 * On failure the data written by the steps before it stays (each service call is its own
 * transaction) and running it again completes it.
 */
agenda_err demo_seed(agenda_ctx *ctx, const char *actor, struct demo_report *out,
                     agenda_detail *why);

#endif
