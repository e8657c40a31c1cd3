/*
 * numbers_test.c — numero di pratica and numero di visto: the variants operators type, the
 * part named on each kind of mistake, and hostile input (NULL, 10 KB, control and non-ASCII).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/numbers.h"

static void pratica_ok(const char *input, const char *want)
{
	char out[PRATICA_MAX];
	enum number_part part = NUMBER_PART_CHARACTERS;
	agenda_detail why;

	if (numero_pratica_normalise(input, out, &part, &why) != AG_OK)
		fail_msg("\"%s\" refused: %s", input, why.it);
	assert_string_equal(out, want);
	assert_int_equal(part, NUMBER_PART_NONE);
	assert_string_equal(why.it, "");
}

/* Checks the part and that the Italian detail contains each of the given fragments. */
static void pratica_bad(const char *input, enum number_part want, const char *frag1,
                        const char *frag2)
{
	char out[PRATICA_MAX] = "junk";
	enum number_part part = NUMBER_PART_NONE;
	agenda_detail why;

	if (numero_pratica_normalise(input, out, &part, &why) != AG_ERR_INVALID)
		fail_msg("\"%s\" accepted as %s", input, out);
	if (part != want)
		fail_msg("\"%s\": part %d, want %d (%s)", input, part, want, why.it);
	assert_string_equal(out, "");
	assert_true(why.it[0] != '\0' && why.en[0] != '\0');
	if (frag1 && !strstr(why.it, frag1))
		fail_msg("\"%s\": detail \"%s\" lacks \"%s\"", input, why.it, frag1);
	if (frag2 && !strstr(why.it, frag2))
		fail_msg("\"%s\": detail \"%s\" lacks \"%s\"", input, why.it, frag2);
}

static void visto_ok(const char *input, const char *want)
{
	char out[VISTO_MAX];
	enum number_part part = NUMBER_PART_CHARACTERS;
	agenda_detail why;

	if (numero_visto_normalise(input, out, &part, &why) != AG_OK)
		fail_msg("\"%s\" refused: %s", input, why.it);
	assert_string_equal(out, want);
	assert_int_equal(part, NUMBER_PART_NONE);
}

static void visto_bad(const char *input, enum number_part want, const char *frag)
{
	char out[VISTO_MAX] = "junk";
	enum number_part part = NUMBER_PART_NONE;
	agenda_detail why;

	if (numero_visto_normalise(input, out, &part, &why) != AG_ERR_INVALID)
		fail_msg("\"%s\" accepted as %s", input, out);
	if (part != want)
		fail_msg("\"%s\": part %d, want %d (%s)", input, part, want, why.it);
	assert_string_equal(out, "");
	assert_true(why.it[0] != '\0' && why.en[0] != '\0');
	if (frag && !strstr(why.it, frag))
		fail_msg("\"%s\": detail \"%s\" lacks \"%s\"", input, why.it, frag);
}

static void pratica_variants_accepted(void **state)
{
	(void)state;
	pratica_ok("RM/2026/001234", "RM/2026/001234");
	pratica_ok("rm 2026 1234", "RM/2026/001234");
	pratica_ok("RM-2026-001234", "RM/2026/001234");
	pratica_ok("rm2026001234", "RM/2026/001234");
	pratica_ok("RM2026/1234", "RM/2026/001234");
	pratica_ok("RM 2026001234", "RM/2026/001234");
	pratica_ok("  Rm.2026.1234  ", "RM/2026/001234");
	pratica_ok("\tRM / 2026 / 1234\t", "RM/2026/001234");
	pratica_ok("mi_2025_7", "MI/2025/000007");
	pratica_ok("mi20257", "MI/2025/000007");
	pratica_ok("BO/2000/999999", "BO/2000/999999");
	pratica_ok("pd 2099 000001", "PD/2099/000001");
	pratica_ok("su/2026/42", "SU/2026/000042");
}

static void pratica_mistakes_name_the_part(void **state)
{
	(void)state;
	pratica_bad("", NUMBER_PART_EMPTY, "mancante", NULL);
	pratica_bad(NULL, NUMBER_PART_EMPTY, "mancante", NULL);
	pratica_bad("   ", NUMBER_PART_EMPTY, NULL, NULL);
	pratica_bad("/-._", NUMBER_PART_EMPTY, NULL, NULL);

	pratica_bad("XX/2026/001234", NUMBER_PART_PROVINCIA, "Provincia «XX» sconosciuta",
	            "RM/2026/001234");
	pratica_bad("2026/001234", NUMBER_PART_PROVINCIA, "Provincia mancante", NULL);
	pratica_bad("ROMA/2026/1", NUMBER_PART_PROVINCIA, "«ROMA»", NULL);
	pratica_bad("R/2026/1", NUMBER_PART_PROVINCIA, "«R»", NULL);
	pratica_bad("FO/2026/1", NUMBER_PART_PROVINCIA, "«FO»",
	            NULL); /* Forlì's old sigla, now FC */

	pratica_bad("RM", NUMBER_PART_ANNO, "Anno mancante", NULL);
	pratica_bad("RM/26/1234", NUMBER_PART_ANNO, "Anno «26»", "2000 al 2099");
	pratica_bad("RM/1999/1", NUMBER_PART_ANNO, "«1999»", NULL);
	pratica_bad("RM/2100/1", NUMBER_PART_ANNO, "«2100»", NULL);
	pratica_bad("RM/20X6/1", NUMBER_PART_ANNO, "«20X6»", NULL);
	pratica_bad("RM/20261/1", NUMBER_PART_ANNO, "«20261»", NULL);

	pratica_bad("RM/2026", NUMBER_PART_PROGRESSIVO, "Progressivo mancante", NULL);
	pratica_bad("RM/2026/", NUMBER_PART_PROGRESSIVO, "Progressivo mancante", NULL);
	pratica_bad("RM/2026/0", NUMBER_PART_PROGRESSIVO, "«0»", "da 1 a 6 cifre");
	pratica_bad("RM/2026/000000", NUMBER_PART_PROGRESSIVO, "«000000»", NULL);
	pratica_bad("RM/2026/1234567", NUMBER_PART_PROGRESSIVO, "«1234567»", NULL);
	pratica_bad("rm20261234567", NUMBER_PART_PROGRESSIVO, "«1234567»", NULL);
	pratica_bad("RM/2026/12A4", NUMBER_PART_PROGRESSIVO, "«12A4»", NULL);

	pratica_bad("RM/2026/1234/5", NUMBER_PART_CHARACTERS, "in più «5»", NULL);
	pratica_bad("RM#2026#1", NUMBER_PART_CHARACTERS, "«#»", "posizione 3");
	pratica_bad("RM/2026/1234\n", NUMBER_PART_CHARACTERS, "0x0A", "posizione 13");
	pratica_bad("RM/2026/00123\xC3\xA8", NUMBER_PART_CHARACTERS, "0xC3", "posizione 14");
	pratica_bad("\x1b[2JRM/2026/1", NUMBER_PART_CHARACTERS, "0x1B", "posizione 1");
}

static void pratica_english_detail(void **state)
{
	(void)state;
	char out[PRATICA_MAX];
	enum number_part part;
	agenda_detail why;

	assert_int_equal(numero_pratica_normalise("XX/2026/1", out, &part, &why), AG_ERR_INVALID);
	assert_string_equal(why.it, "Provincia «XX» sconosciuta nel numero di pratica "
	                            "(atteso es. RM/2026/001234).");
	assert_string_equal(why.en, "Unknown province code \"XX\" in the practice number "
	                            "(expected e.g. RM/2026/001234).");
}

static void visto_variants_accepted(void **state)
{
	(void)state;
	visto_ok("ITA012345678", "ITA012345678");
	visto_ok("ita 012 345 678", "ITA012345678");
	visto_ok("ITA-012345678", "ITA012345678");
	visto_ok(" ita.012.345.678 ", "ITA012345678");
	visto_ok("Ita 012-345-678", "ITA012345678");
	visto_ok("ITA_999999999", "ITA999999999");
}

static void visto_mistakes_name_the_part(void **state)
{
	(void)state;
	visto_bad("", NUMBER_PART_EMPTY, "mancante");
	visto_bad(NULL, NUMBER_PART_EMPTY, NULL);
	visto_bad("012345678", NUMBER_PART_PREFISSO, "Prefisso ITA mancante");
	visto_bad("FRA012345678", NUMBER_PART_PREFISSO, "«FRA»");
	visto_bad("IT012345678", NUMBER_PART_PREFISSO, "«IT»");
	visto_bad("ITAL012345678", NUMBER_PART_PREFISSO, "«ITAL»");
	visto_bad("ITA01234567", NUMBER_PART_CIFRE, "scritte 8");
	visto_bad("ITA0123456789", NUMBER_PART_CIFRE, "scritte 10");
	visto_bad("ITA", NUMBER_PART_CIFRE, "scritte 0");
	visto_bad("ITA 012 345 67X", NUMBER_PART_CIFRE, "«67X»");
	visto_bad("ITA012345678 ITA", NUMBER_PART_CIFRE, "«ITA»");
	visto_bad("ITA012345678\r", NUMBER_PART_CHARACTERS, "0x0D");
	visto_bad("ITA+012345678", NUMBER_PART_CHARACTERS, "«+»");
	visto_bad("ΙΤΑ012345678", NUMBER_PART_CHARACTERS, "0xCE"); /* Greek capitals */
}

static void hostile_input(void **state)
{
	(void)state;
	enum { BIG = 10 * 1024 };
	char *big = malloc(BIG + 16);
	char pratica[PRATICA_MAX];
	char visto[VISTO_MAX];
	enum number_part part;
	agenda_detail why;

	assert_non_null(big);
	memset(big, 'A', BIG);
	big[BIG] = '\0';
	assert_int_equal(numero_pratica_normalise(big, pratica, &part, &why), AG_ERR_INVALID);
	assert_int_equal(part, NUMBER_PART_PROVINCIA);
	assert_true(strlen(why.it) < 200); /* the quote is capped */
	assert_int_equal(numero_visto_normalise(big, visto, &part, &why), AG_ERR_INVALID);
	assert_int_equal(part, NUMBER_PART_PREFISSO);

	memcpy(big, "RM/2026/", 8);
	memset(big + 8, '1', BIG - 8);
	assert_int_equal(numero_pratica_normalise(big, pratica, &part, &why), AG_ERR_INVALID);
	assert_int_equal(part, NUMBER_PART_PROGRESSIVO);

	memcpy(big, "ITA ", 4);
	memset(big + 4, '1', BIG - 4);
	assert_int_equal(numero_visto_normalise(big, visto, &part, &why), AG_ERR_INVALID);
	assert_int_equal(part, NUMBER_PART_CIFRE);
	assert_non_null(strstr(why.it, "scritte 10236"));

	memset(big, ' ', BIG);
	assert_int_equal(numero_pratica_normalise(big, pratica, &part, &why), AG_ERR_INVALID);
	assert_int_equal(part, NUMBER_PART_EMPTY);

	for (int i = 0; i < BIG; i++)
		big[i] = "RM/2026 "[i % 8];
	assert_int_equal(numero_pratica_normalise(big, pratica, &part, &why), AG_ERR_INVALID);
	assert_int_equal(numero_visto_normalise(big, visto, &part, &why), AG_ERR_INVALID);
	free(big);

	/* NULL out is a caller's mistake; NULL part and detail are allowed. */
	assert_int_equal(numero_pratica_normalise("RM/2026/1", NULL, &part, &why), AG_ERR_USAGE);
	assert_int_equal(numero_visto_normalise("ITA012345678", NULL, NULL, NULL), AG_ERR_USAGE);
	assert_int_equal(numero_pratica_normalise("RM/2026/1", pratica, NULL, NULL), AG_OK);
	assert_string_equal(pratica, "RM/2026/000001");
	assert_int_equal(numero_pratica_normalise("XX", pratica, NULL, NULL), AG_ERR_INVALID);
	assert_int_equal(numero_visto_normalise("ita012345678", visto, NULL, NULL), AG_OK);
	assert_int_equal(numero_visto_normalise("ita", visto, NULL, NULL), AG_ERR_INVALID);
}

/* Random bytes: never a crash; every result is either canonical and stable, or names a part. */
static void random_input_is_safe(void **state)
{
	(void)state;
	static const char ALPHABET[] = "RMrmIiTtAa0123456789 /-._#\x01\x80\xff";
	unsigned seed = 12345;
	char input[40], pratica[PRATICA_MAX], visto[VISTO_MAX], again[PRATICA_MAX];
	enum number_part part;
	agenda_detail why;
	int accepted = 0;

	for (int n = 0; n < 100000; n++) {
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % (sizeof input - 1);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			input[i] = ALPHABET[(seed >> 16) % (sizeof ALPHABET - 1)];
		}
		input[len] = '\0';
		if (numero_pratica_normalise(input, pratica, &part, &why) == AG_OK) {
			accepted++;
			assert_int_equal(numero_pratica_normalise(pratica, again, &part, &why),
			                 AG_OK);
			assert_string_equal(pratica, again);
		} else {
			assert_int_not_equal(part, NUMBER_PART_NONE);
		}
		if (numero_visto_normalise(input, visto, &part, &why) == AG_OK)
			assert_int_equal(strlen(visto), 12);
		else
			assert_int_not_equal(part, NUMBER_PART_NONE);
	}
	(void)accepted;
}

static void province_table(void **state)
{
	(void)state;
	/* The 107 current provinces and metropolitan cities, by region. */
	static const char *const ALL[] = {
	        "AL", "AT", "BI", "CN", "NO", "TO", "VB", "VC", /* Piemonte */
	        "AO",                                           /* Valle d'Aosta */
	        "BG", "BS", "CO", "CR", "LC", "LO", "MN", "MI", "MB", "PV", "SO", /* Lombardia */
	        "VA", "BZ", "TN",                                                 /* Trentino-AA */
	        "BL", "PD", "RO", "TV", "VE", "VR", "VI",                         /* Veneto */
	        "GO", "PN", "TS", "UD",                                           /* Friuli VG */
	        "GE", "IM", "SP", "SV",                                           /* Liguria */
	        "BO", "FC", "FE", "MO", "PR", "PC", "RA", "RE", "RN",             /* Emilia-R. */
	        "AR", "FI", "GR", "LI", "LU", "MS", "PI", "PT", "PO", "SI",       /* Toscana */
	        "PG", "TR",                                                       /* Umbria */
	        "AN", "AP", "FM", "MC", "PU",                                     /* Marche */
	        "FR", "LT", "RI", "RM", "VT",                                     /* Lazio */
	        "AQ", "CH", "PE", "TE",                                           /* Abruzzo */
	        "CB", "IS",                                                       /* Molise */
	        "AV", "BN", "CE", "NA", "SA",                                     /* Campania */
	        "BA", "BT", "BR", "FG", "LE", "TA",                               /* Puglia */
	        "MT", "PZ",                                                       /* Basilicata */
	        "CZ", "CS", "KR", "RC", "VV",                                     /* Calabria */
	        "AG", "CL", "CT", "EN", "ME", "PA", "RG", "SR", "TP",             /* Sicilia */
	        "CA", "NU", "OR", "SS", "SU",                                     /* Sardegna */
	};
	char sigla[3] = "AA";
	int known = 0;

	assert_int_equal(sizeof ALL / sizeof ALL[0], 107);
	for (size_t i = 0; i < sizeof ALL / sizeof ALL[0]; i++)
		assert_true(provincia_is_known(ALL[i]));
	for (char a = 'A'; a <= 'Z'; a++)
		for (char b = 'A'; b <= 'Z'; b++) {
			sigla[0] = a;
			sigla[1] = b;
			known += provincia_is_known(sigla);
		}
	assert_int_equal(known, 107);
	assert_true(provincia_is_known("rm"));
	assert_true(provincia_is_known("Pd"));
	/* Abolished or never existed. */
	assert_false(provincia_is_known("CI"));
	assert_false(provincia_is_known("VS"));
	assert_false(provincia_is_known("OG"));
	assert_false(provincia_is_known("OT"));
	assert_false(provincia_is_known("FO"));
	assert_false(provincia_is_known("PS"));
	assert_false(provincia_is_known("XX"));
	assert_false(provincia_is_known("R"));
	assert_false(provincia_is_known("RMM"));
	assert_false(provincia_is_known(""));
	assert_false(provincia_is_known(NULL));
	assert_false(provincia_is_known("R1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(pratica_variants_accepted),
	        cmocka_unit_test(pratica_mistakes_name_the_part),
	        cmocka_unit_test(pratica_english_detail),
	        cmocka_unit_test(visto_variants_accepted),
	        cmocka_unit_test(visto_mistakes_name_the_part),
	        cmocka_unit_test(hostile_input),
	        cmocka_unit_test(random_input_is_safe),
	        cmocka_unit_test(province_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
