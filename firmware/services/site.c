/*
 * site.c — validating and recording the device's site settings.
 */
#include "services/site.h"

#include <string.h>

#include "core/messages.h"
#include "core/text.h"
#include "services/audit.h"

static bool email_plausible(const char *e)
{
	const char *at = strchr(e, '@');

	return at && at != e && strchr(at + 1, '.') && !strchr(at + 1, '@') && !strchr(e, ' ') &&
	       strlen(e) < 128 && !text_has_control(e);
}

agenda_err site_configure(agenda_ctx *ctx, const char *actor, const char *site,
                          const char *dirigente_email, agenda_detail *why)
{
	agenda_err err;

	if (!site || !site[0] || strlen(site) >= SITE_MAX || !text_is_utf8(site, strlen(site)) ||
	    text_has_control(site)) {
		agenda_detail_set(why, MSG_SITE_BAD, SITE_MAX - 1);
		return AG_ERR_INVALID;
	}
	if (dirigente_email && !email_plausible(dirigente_email)) {
		agenda_detail_set(why, MSG_SITE_BAD_EMAIL);
		return AG_ERR_INVALID;
	}
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	err = store_setting_set(ctx->store, "site", site, why);
	if (err == AG_OK && dirigente_email)
		err = store_setting_set(ctx->store, "dirigente_email", dirigente_email, why);
	if (err == AG_OK)
		err = audit_append(ctx, actor, "site", site, dirigente_email ? dirigente_email : "",
		                   why);
	if (err == AG_OK)
		return store_commit(ctx->store, why);
	store_rollback(ctx->store);
	return err;
}
