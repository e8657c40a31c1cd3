/*
 * messages.c — lookup into the catalogue built from messages.def.
 */
#include "core/messages.h"

#include <string.h>

static const char *const CATALOGUE[MSG_COUNT][2] = {
#define MSG(id, it, en) [id] = {it, en},
#include "core/messages.def"
#undef MSG
};

const char *msg_get(agenda_msg id, agenda_lang lang)
{
	if ((int)id < 0 || id >= MSG_COUNT || (lang != LANG_IT && lang != LANG_EN))
		return "?";
	return CATALOGUE[id][lang];
}

agenda_lang msg_lang_from_code(const char *code)
{
	return (code && strncmp(code, "en", 2) == 0) ? LANG_EN : LANG_IT;
}

static const char *const NAMES[MSG_COUNT] = {
#define MSG(id, it, en) [id] = #id,
#include "core/messages.def"
#undef MSG
};

const char *msg_name(agenda_msg id)
{
	return (int)id < 0 || id >= MSG_COUNT ? NULL : NAMES[id];
}

agenda_msg msg_by_name(const char *name)
{
	for (int i = 0; name && i < MSG_COUNT; i++)
		if (strcmp(NAMES[i], name) == 0)
			return (agenda_msg)i;
	return (agenda_msg)-1;
}
