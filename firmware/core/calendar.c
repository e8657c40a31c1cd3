/*
 * calendar.c — the Italian working calendar of one Questura: Easter, national holidays,
 * the city's patron saint, weekends and per-Questura exceptions.
 *
 * Pure and table-driven: the rules of a Questura arrive as data (struct cal_rules), nothing is
 * read from disk and nothing is cached, so any thread may call it. The national holidays are
 * those of current law (L. 260/1949 as amended; 4 October again from 2026, L. 151/2025); years
 * before 2001, when 2 June was still moved to a Sunday, are not modelled — the kiosk never
 * books in the past. Patron days of cities not in the small table below come from data: each
 * questura record carries its own patron month and day.
 */
#include "core/calendar.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* First year in which 4 October is again a national holiday (Legge 151/2025). */
#define CAL_4_OCTOBER_FROM 2026

agenda_day cal_easter_sunday(int year)
{
	/* Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return date_from_ymd(year, month, day);
}

struct fixed_holiday {
	int month, day;
	int from_year; /* 0: every year */
	const char *name;
};

static const struct fixed_holiday FIXED[] = {
        {1, 1, 0, "Capodanno"},
        {1, 6, 0, "Epifania"},
        {4, 25, 0, "Festa della Liberazione"},
        {5, 1, 0, "Festa del Lavoro"},
        {6, 2, 0, "Festa della Repubblica"},
        {8, 15, 0, "Ferragosto"},
        {10, 4, CAL_4_OCTOBER_FROM, "San Francesco d'Assisi e Santa Caterina da Siena"},
        {11, 1, 0, "Ognissanti"},
        {12, 8, 0, "Immacolata Concezione"},
        {12, 25, 0, "Natale"},
        {12, 26, 0, "Santo Stefano"},
};

bool cal_national_holiday(agenda_day d, const char **name)
{
	int y, m, dd;

	date_to_ymd(d, &y, &m, &dd);
	for (size_t i = 0; i < sizeof FIXED / sizeof FIXED[0]; i++) {
		if (FIXED[i].month == m && FIXED[i].day == dd && y >= FIXED[i].from_year) {
			if (name)
				*name = FIXED[i].name;
			return true;
		}
	}
	/* Easter falls between 22 March and 25 April, its Monday by 26 April. */
	if (m == 3 || m == 4) {
		agenda_day easter = cal_easter_sunday(y);

		if (d == easter || d == easter + 1) {
			if (name)
				*name = d == easter ? "Pasqua" : "Lunedì dell'Angelo";
			return true;
		}
	}
	if (name)
		*name = NULL;
	return false;
}

static const struct cal_exception *find_exception(const struct cal_rules *rules, agenda_day d)
{
	size_t lo = 0, hi;

	if (!rules || !rules->exceptions)
		return NULL;
	hi = rules->exception_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rules->exceptions[mid].day < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < rules->exception_count && rules->exceptions[lo].day == d)
	               ? &rules->exceptions[lo]
	               : NULL;
}

/*
 * Precedence: an explicit exception decides alone; otherwise the most telling reason wins
 * (Easter Sunday reads "holiday", not "weekend"), so screens can say why a day is closed.
 */
static enum cal_status normal_status(const struct cal_rules *rules, agenda_day d)
{
	int y, m, dd;

	if (cal_national_holiday(d, NULL))
		return CAL_HOLIDAY;
	if (rules && rules->patron_month != 0) {
		date_to_ymd(d, &y, &m, &dd);
		if (m == rules->patron_month && dd == rules->patron_day)
			return CAL_PATRON;
	}
	if (date_weekday(d) >= 6)
		return CAL_WEEKEND;
	return CAL_OPEN;
}

enum cal_status cal_day_status(const struct cal_rules *rules, agenda_day d)
{
	const struct cal_exception *ex = find_exception(rules, d);
	enum cal_status normal;

	if (ex && !ex->open)
		return CAL_CLOSURE;
	normal = normal_status(rules, d);
	if (ex && normal != CAL_OPEN)
		return CAL_OPEN_EXTRA;
	return normal;
}

const char *cal_status_name(enum cal_status status)
{
	switch (status) {
	case CAL_OPEN:
		return "open";
	case CAL_OPEN_EXTRA:
		return "open_extra";
	case CAL_WEEKEND:
		return "weekend";
	case CAL_HOLIDAY:
		return "holiday";
	case CAL_PATRON:
		return "patron";
	case CAL_CLOSURE:
		return "closure";
	}
	return "unknown";
}

struct city_patron {
	/* cppcheck-suppress unusedStructMember ; read through bsearch's compare_city */
	const char *city;
	int month, day;
};

/*
 * Patron saints' days of Questura cities known for certain (the ones python3-holidays also
 * lists were checked against it). Sorted by name for bsearch. Any other city's patron day comes
 * from data: the questura record carries its own patron month and day.
 */
static const struct city_patron PATRONS[] = {
        {"ancona", 5, 4},      /* San Ciriaco */
        {"aosta", 9, 7},       /* San Grato */
        {"bari", 12, 6},       /* San Nicola */
        {"bergamo", 8, 26},    /* Sant'Alessandro */
        {"bologna", 10, 4},    /* San Petronio */
        {"brescia", 2, 15},    /* Santi Faustino e Giovita */
        {"cagliari", 10, 30},  /* San Saturnino */
        {"campobasso", 4, 23}, /* San Giorgio */
        {"catania", 2, 5},     /* Sant'Agata */
        {"ferrara", 4, 23},    /* San Giorgio */
        {"firenze", 6, 24},    /* San Giovanni Battista */
        {"genova", 6, 24},     /* San Giovanni Battista */
        {"la spezia", 3, 19},  /* San Giuseppe */
        {"mantova", 3, 18},    /* Sant'Anselmo */
        {"messina", 6, 3},     /* Madonna della Lettera */
        {"milano", 12, 7},     /* Sant'Ambrogio */
        {"modena", 1, 31},     /* San Geminiano */
        {"monza", 6, 24},      /* San Giovanni Battista */
        {"napoli", 9, 19},     /* San Gennaro */
        {"padova", 6, 13},     /* Sant'Antonio */
        {"palermo", 7, 15},    /* Santa Rosalia */
        {"parma", 1, 13},      /* Sant'Ilario */
        {"perugia", 1, 29},    /* Sant'Ercolano e San Lorenzo */
        {"piacenza", 7, 4},    /* Sant'Antonino */
        {"roma", 6, 29},       /* Santi Pietro e Paolo */
        {"torino", 6, 24},     /* San Giovanni Battista */
        {"trento", 6, 26},     /* San Vigilio */
        {"trieste", 11, 3},    /* San Giusto */
        {"venezia", 4, 25},    /* San Marco (also Festa della Liberazione) */
        {"verona", 5, 21},     /* San Zeno */
};

/* Longest name in the table is short; anything longer cannot match. */
#define CITY_KEY_MAX 32

static int compare_city(const void *key, const void *entry)
{
	return strcmp((const char *)key, ((const struct city_patron *)entry)->city);
}

bool cal_patron_for_city(const char *city, int *month, int *day)
{
	char key[CITY_KEY_MAX];
	size_t start = 0, end, n = 0;
	const struct city_patron *hit;

	if (!city)
		return false;
	end = strlen(city);
	while (start < end && city[start] == ' ')
		start++;
	while (end > start && city[end - 1] == ' ')
		end--;
	if (end - start >= sizeof key)
		return false;
	for (size_t i = start; i < end; i++)
		key[n++] = (char)tolower((unsigned char)city[i]);
	key[n] = '\0';
	hit = bsearch(key, PATRONS, sizeof PATRONS / sizeof PATRONS[0], sizeof PATRONS[0],
	              compare_city);
	if (!hit)
		return false;
	if (month)
		*month = hit->month;
	if (day)
		*day = hit->day;
	return true;
}
