/*
 * practice_row.c — reading and checking one record of the practice CSV (practice_row.h), the
 * rules shared by the device's import and central's. Taken out of services/practice_import.c
 * unchanged, so both sides refuse the same lines with the same words.
 */
#include "core/practice_row.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/messages.h"
#include "core/text.h"

enum column {
	COL_PRATICA,
	COL_VISTO,
	COL_COGNOME,
	COL_NOME,
	COL_NASCITA,
	COL_NAZIONALITA,
	COL_TIPO,
	COL_QUESTURA
};

static const char *const HEADER[PRACTICE_CSV_COLUMNS] = {
        "numero_pratica", "numero_visto", "cognome", "nome",
        "data_nascita",   "nazionalita",  "tipo",    "questura"};

enum practice_kind practice_kind_of(const char *tipo)
{
	static const char *const LAVORO[] = {"lavoro", "lavoro subordinato", "lavoro_subordinato"};
	static const char *const FAMIGLIA[] = {"ricongiungimento familiare",
	                                       "ricongiungimento_familiare", "ricongiungimento",
	                                       "famiglia"};

	for (size_t i = 0; i < sizeof LAVORO / sizeof *LAVORO; i++)
		if (strcasecmp(tipo, LAVORO[i]) == 0)
			return KIND_LAVORO;
	for (size_t i = 0; i < sizeof FAMIGLIA / sizeof *FAMIGLIA; i++)
		if (strcasecmp(tipo, FAMIGLIA[i]) == 0)
			return KIND_RICONGIUNGIMENTO;
	return KIND_OTHER;
}

const char *practice_kind_name(enum practice_kind kind)
{
	switch (kind) {
	case KIND_LAVORO:
		return "lavoro";
	case KIND_RICONGIUNGIMENTO:
		return "ricongiungimento familiare";
	default:
		return "altro";
	}
}

const char *practice_tipo_stored(const char *tipo)
{
	enum practice_kind kind = practice_kind_of(tipo);

	return kind == KIND_OTHER ? tipo : practice_kind_name(kind);
}

bool practice_csv_header_ok(const struct csv_record *rec)
{
	if (rec->count != PRACTICE_CSV_COLUMNS)
		return false;
	for (int i = 0; i < PRACTICE_CSV_COLUMNS; i++) {
		char name[CSV_FIELD_MAX];

		if (!text_trim_copy(rec->field[i], name, sizeof name) ||
		    strcasecmp(name, HEADER[i]) != 0)
			return false;
	}
	return true;
}

/* A free-text field: trimmed, non-empty, valid UTF-8, no control characters, fits. */
static agenda_err text_field(const char *in, const char *column, char *out, size_t size,
                             agenda_detail *why)
{
	if (!text_is_utf8(in, strlen(in))) {
		agenda_detail_set(why, MSG_IMPORT_NOT_UTF8, column);
		return AG_ERR_INVALID;
	}
	if (text_has_control(in)) {
		agenda_detail_set(why, MSG_IMPORT_CONTROL, column);
		return AG_ERR_INVALID;
	}
	if (!text_trim_copy(in, out, size)) {
		agenda_detail_set(why, MSG_IMPORT_TOO_LONG, column, (int)size - 1);
		return AG_ERR_INVALID;
	}
	if (!out[0]) {
		agenda_detail_set(why, MSG_IMPORT_EMPTY, column);
		return AG_ERR_INVALID;
	}
	return AG_OK;
}

agenda_err practice_row_parse(const struct csv_record *rec, agenda_day today,
                              struct practice_row *p, agenda_detail *why)
{
	char tmp[CSV_FIELD_MAX];
	enum number_part part;
	agenda_err err;

	memset(p, 0, sizeof *p);
	if (rec->count != PRACTICE_CSV_COLUMNS) {
		agenda_detail_set(why, MSG_IMPORT_COLUMNS, rec->count, PRACTICE_CSV_COLUMNS);
		return AG_ERR_INVALID;
	}
	/* A NUL would end the C string early: the field would be read cut, so it is refused. */
	for (int i = 0; i < PRACTICE_CSV_COLUMNS; i++) {
		if (memchr(rec->field[i], '\0', (size_t)rec->len[i])) {
			agenda_detail_set(why, MSG_IMPORT_CONTROL, HEADER[i]);
			return AG_ERR_INVALID;
		}
	}
	if ((err = numero_pratica_normalise(rec->field[COL_PRATICA], p->numero_pratica, &part,
	                                    why)))
		return err;
	if (text_trim_copy(rec->field[COL_VISTO], tmp, sizeof tmp) && tmp[0] &&
	    (err = numero_visto_normalise(tmp, p->numero_visto, &part, why)))
		return err;
	if ((err = text_field(rec->field[COL_COGNOME], "cognome", p->cognome, sizeof p->cognome,
	                      why)) ||
	    (err = text_field(rec->field[COL_NOME], "nome", p->nome, sizeof p->nome, why)) ||
	    (err = text_field(rec->field[COL_NASCITA], "data_nascita", tmp, sizeof tmp, why)) ||
	    (err = text_field(rec->field[COL_NAZIONALITA], "nazionalita", p->nazionalita,
	                      sizeof p->nazionalita, why)) ||
	    (err = text_field(rec->field[COL_TIPO], "tipo", p->tipo, sizeof p->tipo, why)))
		return err;
	if (!date_parse(tmp, &p->data_nascita) || p->data_nascita > today) {
		agenda_detail_set(why, MSG_IMPORT_BAD_DATE, tmp);
		return AG_ERR_INVALID;
	}
	if ((err = text_field(rec->field[COL_QUESTURA], "questura", p->questura, sizeof p->questura,
	                      why)))
		return err;
	for (char *c = p->questura; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	return AG_OK;
}

void practice_csv_problem(enum csv_status cs, const struct csv_record *rec, agenda_detail *why)
{
	if (cs == CSV_UNCLOSED_QUOTE)
		agenda_detail_set(why, MSG_IMPORT_UNCLOSED_QUOTE, rec->quote_line);
	else if (cs == CSV_TEXT_AFTER_QUOTE)
		agenda_detail_set(why, MSG_IMPORT_TEXT_AFTER_QUOTE);
	else if (cs == CSV_TOO_MANY || rec->count != PRACTICE_CSV_COLUMNS)
		agenda_detail_set(why, MSG_IMPORT_COLUMNS, rec->count, PRACTICE_CSV_COLUMNS);
	else
		agenda_detail_set(why, MSG_IMPORT_TOO_LONG, HEADER[rec->bad_field],
		                  CSV_FIELD_MAX - 1);
}
