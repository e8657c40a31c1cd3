/*
 * demo.c — seeds a demo database through the public service functions only.
 *
 * The four pilot Questure of the 2008 circular's experiment (Roma, Milano, Bologna, Padova),
 * DEMO_CAPACITY_DAYS days of capacity from today, DEMO_PRACTICES_PER_QUESTURA fictional
 * applicants per Questura and three demo accounts. Applicants are plainly fictional: surnames
 * "DEMO ...", progressive numbers from DEMO_PROGRESSIVO_BASE, practice.demo set. Kinds follow a
 * fixed pattern (mostly lavoro, a quarter ricongiungimento familiare, one in twenty of a kind
 * that may not be booked, to show the refusal); names, nationalities and birth dates are drawn
 * from the context's RNG, so a seeded RNG gives the same people every time.
 */
#include "services/demo.h"

#include <stdio.h>
#include <string.h>

#include "core/numbers.h"
#include "services/questure.h"

struct demo_questura {
	const char *code, *name, *city, *address, *email;
};

static const struct demo_questura QUESTURE[DEMO_QUESTURE] = {
        {"RM", "Questura di Roma - Ufficio Immigrazione", "Roma", "Via di San Vitale 15, Roma",
         "immigrazione.rm@demo.invalid"},
        {"MI", "Questura di Milano - Ufficio Immigrazione", "Milano", "Via Montebello 26, Milano",
         "immigrazione.mi@demo.invalid"},
        {"BO", "Questura di Bologna - Ufficio Immigrazione", "Bologna",
         "Via Bovi Campeggi 13, Bologna", "immigrazione.bo@demo.invalid"},
        {"PD", "Questura di Padova - Ufficio Immigrazione", "Padova",
         "Piazzetta Palatucci 5, Padova", "immigrazione.pd@demo.invalid"},
};

static const char *const SURNAMES[] = {
        "DEMO ROSSI",  "DEMO BIANCHI",  "DEMO ESPOSITO", "DEMO RUSSO",    "DEMO FERRARI",
        "DEMO ROMANO", "DEMO COLOMBO",  "DEMO RICCI",    "DEMO MARINO",   "DEMO GRECO",
        "DEMO BRUNO",  "DEMO GALLO",    "DEMO CONTI",    "DEMO DE LUCA",  "DEMO MANCINI",
        "DEMO COSTA",  "DEMO GIORDANO", "DEMO RIZZO",    "DEMO LOMBARDI", "DEMO MORETTI",
};

static const char *const NAMES[] = {
        "AHMED", "FATIMA", "MOHAMED", "AMINA", "ANA",   "JOSE",  "OLENA", "IVAN",
        "PRIYA", "RAVI",   "WEI",     "MEI",   "MARIA", "JUAN",  "KOFI",  "AISHA",
        "ELENA", "ARBEN",  "SARA",    "OMAR",  "LUZ",   "NIMAL", "ROSA",  "YUSUF",
};

static const char *const NATIONALITIES[] = {
        "MAROCCO",   "ALBANIA", "INDIA",   "CINA",       "UCRAINA",  "FILIPPINE",
        "PERÙ",      "EGITTO",  "SENEGAL", "BANGLADESH", "PAKISTAN", "MOLDOVA",
        "SRI LANKA", "TUNISIA", "ECUADOR", "GHANA",
};

/* Kinds of first entry that the rules refuse: shown so operators see the refusal. */
static const char *const OTHER_KINDS[] = {"studio", "cure mediche", "residenza elettiva"};

static const struct {
	const char *username;
	enum operator_role role;
} ACCOUNTS[DEMO_OPERATORS] = {
        {"demo.operatore", ROLE_OPERATORE},
        {"demo.dirigente", ROLE_DIRIGENTE},
        {"demo.tecnico", ROLE_TECNICO},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A number in [0, n) from the context's RNG (n is small: the modulo bias does not matter). */
static agenda_err draw(agenda_ctx *ctx, unsigned n, unsigned *out)
{
	unsigned char b[4];

	if (rng_fill(&ctx->rng, b, sizeof b) != 0)
		return AG_ERR_IO;
	*out = (((unsigned)b[0] << 24) | ((unsigned)b[1] << 16) | ((unsigned)b[2] << 8) | b[3]) % n;
	return AG_OK;
}

static const char *kind_for(int i)
{
	if (i % 20 == 0)
		return OTHER_KINDS[(i / 20) % COUNT(OTHER_KINDS)];
	if (i % 4 == 1)
		return "ricongiungimento familiare";
	return "lavoro subordinato";
}

/* Fills one fictional applicant of Questura qi, number i (1-based). */
static agenda_err make_practice(agenda_ctx *ctx, size_t qi, int i, int year, struct practice *p,
                                agenda_detail *why)
{
	char raw[32];
	unsigned s, n, nat, age, doy;
	enum number_part part;
	agenda_err err;

	memset(p, 0, sizeof *p);
	snprintf(raw, sizeof raw, "%s/%d/%06d", QUESTURE[qi].code, year,
	         DEMO_PROGRESSIVO_BASE + (int)qi * 1000 + i);
	err = numero_pratica_normalise(raw, p->numero_pratica, &part, why);
	if (err == AG_OK && i % 10 != 7) {
		snprintf(raw, sizeof raw, "ITA9%02u%06d", (unsigned)qi, i);
		err = numero_visto_normalise(raw, p->numero_visto, &part, why);
	}
	if (err == AG_OK)
		err = draw(ctx, COUNT(SURNAMES), &s);
	if (err == AG_OK)
		err = draw(ctx, COUNT(NAMES), &n);
	if (err == AG_OK)
		err = draw(ctx, COUNT(NATIONALITIES), &nat);
	if (err == AG_OK)
		err = draw(ctx, 40, &age);
	if (err == AG_OK)
		err = draw(ctx, 365, &doy);
	if (err != AG_OK)
		return err;
	snprintf(p->cognome, sizeof p->cognome, "%s", SURNAMES[s]);
	snprintf(p->nome, sizeof p->nome, "%s", NAMES[n]);
	snprintf(p->nazionalita, sizeof p->nazionalita, "%s", NATIONALITIES[nat]);
	snprintf(p->tipo, sizeof p->tipo, "%s", kind_for(i));
	snprintf(p->questura, sizeof p->questura, "%s", QUESTURE[qi].code);
	snprintf(p->status, sizeof p->status, "nulla_osta_rilasciato");
	p->data_nascita = date_from_ymd(year - 20 - (int)age, 1, 1) + (agenda_day)doy;
	p->demo = true;
	return AG_OK;
}

static void keep_sample(struct demo_report *out, const struct practice *p, bool bookable)
{
	struct demo_sample *s;

	if (out->sample_count >= DEMO_SAMPLES)
		return;
	s = &out->samples[out->sample_count++];
	snprintf(s->numero_pratica, sizeof s->numero_pratica, "%s", p->numero_pratica);
	snprintf(s->numero_visto, sizeof s->numero_visto, "%s", p->numero_visto);
	snprintf(s->questura, sizeof s->questura, "%s", p->questura);
	snprintf(s->tipo, sizeof s->tipo, "%s", p->tipo);
	s->bookable = bookable;
}

/* Samples: numbers 2 (lavoro) of each Questura, number 1 (ricongiungimento) of Milano, 20 of Roma.
 */
static bool is_sample(size_t qi, int i)
{
	return i == 2 || (qi == 1 && i == 1) || (qi == 0 && i == 20);
}

static agenda_err seed_questura(agenda_ctx *ctx, const char *actor, size_t qi, agenda_day today,
                                struct demo_report *out, agenda_detail *why)
{
	struct questura q = {0};
	struct capacity_plan plan = {
	        .from = today,
	        .to = today + DEMO_CAPACITY_DAYS - 1,
	        .weekdays = 0x1f,
	        .first_minute = DEMO_FIRST_MINUTE,
	        .minutes_per_slot = DEMO_MINUTES_PER_SLOT,
	        .slots_per_day = DEMO_SLOTS_PER_DAY,
	};
	struct capacity_report rep = {0};
	agenda_err err;

	snprintf(q.code, sizeof q.code, "%s", QUESTURE[qi].code);
	snprintf(q.name, sizeof q.name, "%s", QUESTURE[qi].name);
	snprintf(q.city, sizeof q.city, "%s", QUESTURE[qi].city);
	snprintf(q.address, sizeof q.address, "%s", QUESTURE[qi].address);
	snprintf(q.email, sizeof q.email, "%s", QUESTURE[qi].email);
	err = questura_put(ctx, actor, &q, why);
	if (err == AG_OK)
		err = capacity_set(ctx, actor, q.code, &plan, &rep, why);
	if (err != AG_OK)
		return err;
	out->questure++;
	out->slots_created += rep.slots_created;
	return AG_OK;
}

/* All applicants in one transaction: one durable commit instead of hundreds. */
static agenda_err seed_practices(agenda_ctx *ctx, int year, struct demo_report *out,
                                 agenda_detail *why)
{
	struct practice p;
	agenda_err err = store_begin(ctx->store, why);

	for (size_t qi = 0; err == AG_OK && qi < DEMO_QUESTURE; qi++) {
		for (int i = 1; err == AG_OK && i <= DEMO_PRACTICES_PER_QUESTURA; i++) {
			bool bookable;

			err = make_practice(ctx, qi, i, year, &p, why);
			if (err == AG_OK)
				err = practice_upsert(ctx, &p, why);
			if (err != AG_OK)
				break;
			bookable = practice_check_bookable(&p, NULL) == AG_OK;
			out->practices++;
			out->practices_not_bookable += !bookable;
			if (is_sample(qi, i))
				keep_sample(out, &p, bookable);
		}
	}
	if (err == AG_OK)
		return store_commit(ctx->store, why);
	store_rollback(ctx->store);
	return err;
}

static agenda_err seed_accounts(agenda_ctx *ctx, const char *actor, struct demo_report *out,
                                agenda_detail *why)
{
	for (size_t i = 0; i < DEMO_OPERATORS; i++) {
		struct demo_account *a = &out->accounts[i];
		agenda_err err;

		snprintf(a->username, sizeof a->username, "%s", ACCOUNTS[i].username);
		a->role = ACCOUNTS[i].role;
		err = operator_add(ctx, actor, a->username, a->role, a->password, why);
		if (err == AG_ERR_EXISTS) {
			agenda_detail_clear(why);
			err = operator_reset_password(ctx, actor, a->username, a->password, why);
		}
		if (err != AG_OK)
			return err;
		out->account_count++;
	}
	return AG_OK;
}

agenda_err demo_seed(agenda_ctx *ctx, const char *actor, struct demo_report *out,
                     agenda_detail *why)
{
	agenda_day today = agenda_today(ctx, NULL);
	agenda_err err = AG_OK;
	int year, month, day;

	memset(out, 0, sizeof *out);
	date_to_ymd(today, &year, &month, &day);
	out->capacity_days = DEMO_CAPACITY_DAYS;
	for (size_t qi = 0; err == AG_OK && qi < DEMO_QUESTURE; qi++)
		err = seed_questura(ctx, actor, qi, today, out, why);
	if (err == AG_OK)
		err = seed_practices(ctx, year, out, why);
	if (err == AG_OK)
		err = seed_accounts(ctx, actor, out, why);
	return err;
}
