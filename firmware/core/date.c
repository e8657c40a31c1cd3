/*
 * date.c — day-number arithmetic (Howard Hinnant's days_from_civil / civil_from_days),
 * parsing and formatting of dates and times of day.
 */
#include "core/date.h"

#include <stdio.h>
#include <string.h>

agenda_day date_from_ymd(int year, int month, int day)
{
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int mp = (month + 9) % 12;
	int doy = (153 * mp + 2) / 5 + day - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (agenda_day)(era * 146097 + doe - 719468);
}

void date_to_ymd(agenda_day d, int *year, int *month, int *day)
{
	int z = (int)d + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int m = mp < 10 ? mp + 3 : mp - 9;

	*year = yoe + era * 400 + (m <= 2);
	*month = m;
	*day = doy - (153 * mp + 2) / 5 + 1;
}

int date_weekday(agenda_day d)
{
	/* 1970-01-01 was a Thursday (ISO 4). */
	int w = (int)((d % 7 + 7 + 3) % 7);

	return w + 1;
}

bool date_ymd_valid(int year, int month, int day)
{
	static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int max;

	if (year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1)
		return false;
	max = DAYS[month - 1];
	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		max = 29;
	return day <= max;
}

bool date_parse(const char *text, agenda_day *out)
{
	int y, m, d, n = 0;

	if (!text)
		return false;
	if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10 && text[n] == '\0')
		goto check;
	n = 0;
	if (sscanf(text, "%2d/%2d/%4d%n", &d, &m, &y, &n) == 3 && text[n] == '\0' && n >= 8)
		goto check;
	return false;
check:
	if (!date_ymd_valid(y, m, d))
		return false;
	*out = date_from_ymd(y, m, d);
	return true;
}

void date_format(agenda_day d, char *out, size_t size)
{
	int y, m, dd;

	date_to_ymd(d, &y, &m, &dd);
	snprintf(out, size, "%04d-%02d-%02d", y, m, dd);
}

void date_format_long(agenda_day d, agenda_lang lang, char *out, size_t size)
{
	static const char *const WEEKDAYS[2][7] = {
	        {"lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"},
	        {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}};
	static const char *const MONTHS[2][12] = {
	        {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
	         "settembre", "ottobre", "novembre", "dicembre"},
	        {"January", "February", "March", "April", "May", "June", "July", "August",
	         "September", "October", "November", "December"}};
	int y, m, dd, l = lang == LANG_EN ? 1 : 0;

	date_to_ymd(d, &y, &m, &dd);
	snprintf(out, size, "%s %d %s %d", WEEKDAYS[l][date_weekday(d) - 1], dd, MONTHS[l][m - 1],
	         y);
}

void time_format(int minute_of_day, char *out, size_t size)
{
	snprintf(out, size, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
}

bool time_parse(const char *text, int *minute_of_day)
{
	int h, m, n = 0;

	if (!text || sscanf(text, "%2d:%2d%n", &h, &m, &n) != 2 || text[n] != '\0')
		return false;
	if (h < 0 || h > 23 || m < 0 || m > 59 || strlen(text) < 4)
		return false;
	*minute_of_day = h * 60 + m;
	return true;
}
