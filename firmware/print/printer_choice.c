/*
 * printer_choice.c — the printer and profile a program uses (printer_choice.h): option, then
 * environment, then the device's settings, then the default.
 */
#include "print/printer_choice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "services/audit.h"

agenda_err printer_choice_resolve(const char *uri_option, const char *profile_option,
                                  store *settings, struct printer_choice *out, agenda_detail *why)
{
	const char *env = getenv(PRINTER_CHOICE_ENV), *uri = PRINTER_CHOICE_DEFAULT_URI;
	char stored[PRINTER_URI_MAX + 1]; /* one more: a longer setting stays too long */
	char profile[64] = "";

	memset(out, 0, sizeof *out);
	out->uri_from = "default";
	if (uri_option && *uri_option) {
		uri = uri_option;
		out->uri_from = "option";
	} else if (env && *env) {
		uri = env;
		out->uri_from = "environment";
	} else if (settings && store_setting_get(settings, "printer_uri", stored, sizeof stored) &&
	           stored[0]) {
		uri = stored;
		out->uri_from = "setting";
	}
	if (printer_uri_check(uri, why) != AG_OK)
		return AG_ERR_INVALID;
	memcpy(out->uri, uri, strlen(uri) + 1); /* checked: shorter than PRINTER_URI_MAX */
	if (profile_option && *profile_option)
		snprintf(profile, sizeof profile, "%s", profile_option);
	else if (settings)
		store_setting_get(settings, "printer_profile", profile, sizeof profile);
	out->profile = profile[0] ? printer_profile_find(profile) : printer_guess_profile(out->uri);
	if (!out->profile) {
		agenda_detail_set(why, MSG_CTL_PRINTER_BAD_PROFILE, profile);
		return AG_ERR_INVALID;
	}
	return AG_OK;
}

agenda_err printer_choice_save(agenda_ctx *ctx, const char *actor, const char *uri,
                               const char *profile, agenda_detail *why)
{
	char detail[PRINTER_URI_MAX + 80];
	agenda_err err;

	if (!uri || printer_uri_check(uri, why) != AG_OK)
		return AG_ERR_INVALID;
	if (!profile)
		profile = "";
	if (profile[0] && !printer_profile_find(profile)) {
		agenda_detail_set(why, MSG_CTL_PRINTER_BAD_PROFILE, profile);
		return AG_ERR_INVALID;
	}
	snprintf(detail, sizeof detail, "uri=%s profile=%s", uri, profile[0] ? profile : "-");
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if ((err = store_setting_set(ctx->store, "printer_uri", uri, why)) ||
	    (err = store_setting_set(ctx->store, "printer_profile", profile, why)) ||
	    (err = audit_append(ctx, actor, "printer_set", "printer", detail, why)) ||
	    (err = store_commit(ctx->store, why)))
		store_rollback(ctx->store);
	return err;
}
