/*
 * messages.h — the one catalogue of person-facing text, Italian first, English second.
 *
 * Entries live in messages.def as MSG(ID, "italiano", "english"); the kiosk, agendactl and the
 * slip all take their words from here so a translation is one file. Formats are printf-style and
 * both languages of an entry take the same arguments in the same order.
 */
#ifndef AGENDA_CORE_MESSAGES_H
#define AGENDA_CORE_MESSAGES_H

typedef enum agenda_msg {
#define MSG(id, it, en) id,
#include "core/messages.def"
#undef MSG
	MSG_COUNT
} agenda_msg;

typedef enum agenda_lang { LANG_IT = 0, LANG_EN = 1 } agenda_lang;

/* The text of an entry in a language; never NULL (an unknown id gives "?"). */
const char *msg_get(agenda_msg id, agenda_lang lang);

/* "it" or "en" (anything else, including NULL, is Italian). */
agenda_lang msg_lang_from_code(const char *code);

/* The entry's identifier as written in messages.def ("MSG_OK"); NULL for an unknown id. */
const char *msg_name(agenda_msg id);

/* The entry named name, or -1 (as agenda_msg) when none has that name. */
agenda_msg msg_by_name(const char *name);

#endif
