/*
 * store_site.c — sites in central's store, the backend-independent half: what a valid site is
 * (checked once here for both backends), then the backend in the call's transaction.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "core/numbers.h"
#include "store.h"
#include "store_internal.h"

static bool code_valid(const char *code)
{
	size_t n = strlen(code);

	if (n == 0 || n > CENTRAL_SITE_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)code[i]) && !isdigit((unsigned char)code[i]))
			return false;
	return true;
}

/* Printable text, no control characters (a city shows on slips and in emails). */
static bool text_valid(const char *text, size_t max)
{
	size_t n = strlen(text);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			return false;
	return true;
}

/* local@domain.tld with no spaces: enough to catch a slip of the keyboard, not RFC 5322. */
bool central_email_valid(const char *text)
{
	const char *at = strchr(text, '@');
	const char *dot = at ? strrchr(at, '.') : NULL;

	if (!text_valid(text, CENTRAL_EMAIL_MAX) || !at || at == text || strchr(at + 1, '@') ||
	    !dot || dot == at + 1 || !dot[1])
		return false;
	for (const char *p = text; *p; p++)
		if (*p == ' ' || *p == ',' || *p == ';' || *p == '<' || *p == '>')
			return false;
	return true;
}

static agenda_err site_valid(const central_site *site, agenda_detail *why)
{
	if (!code_valid(site->code)) {
		agenda_detail_set(why, MSG_CENTRAL_SITE_BAD_CODE, site->code,
		                  CENTRAL_SITE_CODE_MAX);
		return AG_ERR_INVALID;
	}
	if (!text_valid(site->city, CENTRAL_CITY_MAX)) {
		agenda_detail_set(why, MSG_CENTRAL_SITE_BAD_CITY, CENTRAL_CITY_MAX);
		return AG_ERR_INVALID;
	}
	if (!central_email_valid(site->dirigente)) {
		agenda_detail_set(why, MSG_CENTRAL_SITE_BAD_EMAIL, site->dirigente);
		return AG_ERR_INVALID;
	}
	if (site->province_count == 0 || site->province_count > CENTRAL_SITE_PROVINCES_MAX) {
		agenda_detail_set(why, MSG_CENTRAL_SITE_PROVINCES, CENTRAL_SITE_PROVINCES_MAX);
		return AG_ERR_INVALID;
	}
	for (size_t i = 0; i < site->province_count; i++) {
		if (!provincia_is_known(site->provinces[i])) {
			agenda_detail_set(why, MSG_CENTRAL_SITE_BAD_PROVINCE, site->provinces[i]);
			return AG_ERR_INVALID;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(site->provinces[i], site->provinces[j]) == 0) {
				agenda_detail_set(why, MSG_CENTRAL_SITE_PROVINCE_TWICE,
				                  site->provinces[i]);
				return AG_ERR_INVALID;
			}
		}
	}
	return AG_OK;
}

agenda_err central_store_add_site(central_store *s, const central_site *site, agenda_detail *why)
{
	bool own;
	agenda_err err = site_valid(site, why);

	if (err == AG_OK)
		err = central_store_enter(s, &own, why);
	if (err != AG_OK)
		return err;
	err = s->ops->add_site(s, site, why);
	if (err == AG_ERR_EXISTS)
		agenda_detail_set(why, MSG_CENTRAL_SITE_EXISTS, site->code);
	return central_store_leave(s, own, err, why);
}

agenda_err central_store_get_site(central_store *s, const char *code, central_site *out,
                                  agenda_detail *why)
{
	bool own;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if (!code || !code_valid(code)) {
		agenda_detail_set(why, MSG_CENTRAL_SITE_UNKNOWN, code ? code : "");
		return AG_ERR_NOT_FOUND;
	}
	err = central_store_enter(s, &own, why);
	if (err != AG_OK)
		return err;
	err = s->ops->get_site(s, code, out, why);
	if (err == AG_ERR_NOT_FOUND)
		agenda_detail_set(why, MSG_CENTRAL_SITE_UNKNOWN, code);
	return central_store_leave(s, own, err, why);
}

agenda_err central_store_list_sites(central_store *s, central_site **out, size_t *count,
                                    agenda_detail *why)
{
	bool own;
	agenda_err err;

	*out = NULL;
	*count = 0;
	err = central_store_enter(s, &own, why);
	if (err != AG_OK)
		return err;
	err = central_store_leave(s, own, s->ops->list_sites(s, out, count, why), why);
	if (err != AG_OK) {
		free(*out);
		*out = NULL;
		*count = 0;
	}
	return err;
}
