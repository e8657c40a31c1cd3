/*
 * mail_message_test.c — mail_compose's wire form: an exact message, the Date in Italian time
 * across the DST changes whatever TZ says, encoded-words that never split a UTF-8 character,
 * quoted-printable that decodes back to the text with every line at most 76 characters and no
 * line starting with a dot, the same bytes for the same row, refusals of forged headers.
 * Python's email package checks the same messages independently (mail_compose_test.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sync/mail_message.h"

static const struct mail_message BASE = {
        .message_id = "<elenco.20260504.FO.v1.dev7@forli.agenda-elettronica.it>",
        .from = "agenda@forli.example.it",
        .to = "questura.fo@example.it",
        .subject = "Elenco",
        .body = "ciao\n",
        .date = 1777887000, /* Monday 4 May 2026, 11:30 in Rome */
};

static char *compose_ok(const struct mail_message *m, size_t *len)
{
	agenda_detail why;
	char *out = NULL;

	assert_int_equal(mail_compose(m, &out, len, &why), AG_OK);
	assert_non_null(out);
	assert_int_equal(strlen(out), *len);
	return out;
}

/* Every line ends in CRLF, is ASCII, at most 76 characters, and never starts with a dot. */
static void assert_wire_form(const char *raw)
{
	const char *line = raw;

	while (*line) {
		const char *end = strstr(line, "\r\n");

		assert_non_null(end);
		assert_true(end - line <= 76);
		assert_true(line[0] != '.');
		for (const char *p = line; p < end; p++)
			assert_true(*p != '\r' && *p != '\n' && (unsigned char)*p < 0x80);
		line = end + 2;
	}
}

static void exact_single_part(void **state)
{
	size_t len;
	char *raw;

	(void)state;
	raw = compose_ok(&BASE, &len);
	assert_string_equal(
	        raw, "Date: Mon, 04 May 2026 11:30:00 +0200\r\n"
	             "From: <agenda@forli.example.it>\r\n"
	             "To: <questura.fo@example.it>\r\n"
	             "Subject: Elenco\r\n"
	             "Message-ID: <elenco.20260504.FO.v1.dev7@forli.agenda-elettronica.it>\r\n"
	             "MIME-Version: 1.0\r\n"
	             "Content-Type: text/plain; charset=utf-8\r\n"
	             "Content-Transfer-Encoding: quoted-printable\r\n"
	             "\r\n"
	             "ciao\r\n");
	free(raw);
}

static void date_in_italian_time(void **state)
{
	static const struct {
		int64_t epoch;
		const char *want;
	} cases[] = {
	        {1774745999, "Date: Sun, 29 Mar 2026 01:59:59 +0100\r\n"}, /* last second of CET */
	        {1774746000, "Date: Sun, 29 Mar 2026 03:00:00 +0200\r\n"}, /* first of CEST */
	        {1792889999, "Date: Sun, 25 Oct 2026 02:59:59 +0200\r\n"},
	        {1792890000, "Date: Sun, 25 Oct 2026 02:00:00 +0100\r\n"},
	        {1798757999, "Date: Thu, 31 Dec 2026 23:59:59 +0100\r\n"},
	};
	struct mail_message m = BASE;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len;
		char *raw;

		m.date = cases[i].epoch;
		raw = compose_ok(&m, &len);
		assert_memory_equal(raw, cases[i].want, strlen(cases[i].want));
		free(raw);
	}
}

static int base64_value(char c)
{
	const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(alphabet, c);

	return c && p ? (int)(p - alphabet) : -1;
}

/* Decodes one "=?utf-8?B?...?=" word into out; returns the byte count. */
static size_t decode_word(const char *word, size_t n, unsigned char *out)
{
	size_t produced = 0;
	unsigned bits = 0;
	int have = 0;

	assert_true(n > 12 && memcmp(word, "=?utf-8?B?", 10) == 0 &&
	            memcmp(word + n - 2, "?=", 2) == 0);
	for (size_t i = 10; i < n - 2 && word[i] != '='; i++) {
		int v = base64_value(word[i]);

		assert_true(v >= 0);
		bits = bits << 6 | (unsigned)v;
		have += 6;
		if (have >= 8) {
			have -= 8;
			out[produced++] = (unsigned char)(bits >> have);
		}
	}
	return produced;
}

static bool utf8_whole(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t len = s[i] < 0x80 ? 1 : s[i] < 0xE0 ? 2 : s[i] < 0xF0 ? 3 : 4;

		if (s[i] >= 0x80 && s[i] < 0xC0)
			return false;
		if (i + len > n)
			return false;
		i += len;
	}
	return true;
}

static void encoded_words_keep_characters_whole(void **state)
{
	static const char *const subjects[] = {
	        "Forlì", "Città di Castello — Nguyễn Văn Anh — إدارة الهجرة 😀😀😀😀😀😀😀😀😀😀",
	        "èèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèèè",
	        "a😀a😀a😀a😀a😀a😀a😀a😀a😀a😀a😀a😀a😀a😀a😀a😀a😀"};
	struct mail_message m = BASE;

	(void)state;
	for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
		unsigned char decoded[1024];
		size_t decoded_length = 0, len;
		char *raw, *header, *end;

		m.subject = subjects[i];
		raw = compose_ok(&m, &len);
		assert_wire_form(raw);
		header = strstr(raw, "\r\nSubject: ") + 11;
		end = strstr(raw, "\r\nMessage-ID:");
		while (header < end) {
			char *word_end = strstr(header, "?=") + 2;
			unsigned char one[64];
			size_t n = decode_word(header, (size_t)(word_end - header), one);

			assert_true(utf8_whole(one, n)); /* RFC 2047: characters are never split */
			memcpy(decoded + decoded_length, one, n);
			decoded_length += n;
			header = word_end;
			if (strncmp(header, "\r\n ", 3) == 0)
				header += 3;
		}
		assert_int_equal(decoded_length, strlen(subjects[i]));
		assert_memory_equal(decoded, subjects[i], decoded_length);
		free(raw);
	}
}

static int hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Quoted-printable back to text: soft breaks joined, hard breaks as "\n", escapes decoded. */
static char *decode_qp(const char *qp)
{
	char *out = malloc(strlen(qp) + 1), *o = out;

	while (*qp) {
		if (qp[0] == '=' && qp[1] == '\r' && qp[2] == '\n') {
			qp += 3;
		} else if (qp[0] == '=') {
			assert_true(hex_value(qp[1]) >= 0 && hex_value(qp[2]) >= 0);
			*o++ = (char)(hex_value(qp[1]) * 16 + hex_value(qp[2]));
			qp += 3;
		} else if (qp[0] == '\r' && qp[1] == '\n') {
			*o++ = '\n';
			qp += 2;
		} else {
			*o++ = *qp++;
		}
	}
	*o = '\0';
	return out;
}

/* Lines of every length around the 76-character limit, with a dot, an '=', a space or a
 * two-byte character at each position where a soft break may fall. */
static void quoted_printable_round_trip(void **state)
{
	static const char *const tails[] = {".x", "=x", " x", "è", "\t", ". ", "é."};
	struct mail_message m = BASE;

	(void)state;
	for (size_t prefix = 60; prefix < 160; prefix++)
		for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
			char body[512];
			size_t len;
			char *raw, *decoded;

			memset(body, 'a', prefix);
			snprintf(body + prefix, sizeof body - prefix, "%s\n.riga\nfine \n",
			         tails[t]);
			m.body = body;
			raw = compose_ok(&m, &len);
			assert_wire_form(raw);
			decoded = decode_qp(strstr(raw, "\r\n\r\n") + 4);
			assert_string_equal(decoded, body);
			free(decoded);
			free(raw);
		}
}

static void same_row_same_bytes(void **state)
{
	struct mail_message m = BASE;
	size_t len_a, len_b, len_c;
	char *a, *b, *c;

	(void)state;
	m.attachment_name = "appuntamenti_FO_2026-05-04_v1.csv";
	m.attachment = "a;b\r\n";
	m.attachment_type = "text/csv";
	a = compose_ok(&m, &len_a);
	b = compose_ok(&m, &len_b);
	assert_int_equal(len_a, len_b);
	assert_memory_equal(a, b, len_a);
	m.message_id = "<elenco.20260504.FO.v2.dev7@forli.agenda-elettronica.it>";
	c = compose_ok(&m, &len_c);
	assert_non_null(strstr(a, "boundary=\"=_agenda_"));
	/* another Message-ID, another boundary */
	assert_memory_not_equal(strstr(a, "boundary="), strstr(c, "boundary="), 35);
	free(a);
	free(b);
	free(c);
}

static void refuses_forged_or_missing_fields(void **state)
{
	struct mail_message bad[8];
	const char *field[8] = {"message_id", "to", "subject",    "from_name",
	                        "from",       "to", "message_id", "subject"};

	(void)state;
	for (int i = 0; i < 8; i++)
		bad[i] = BASE;
	bad[0].message_id = "elenco@x.it";
	bad[1].to = "a@b.it>\r\nBcc: <c@d.it";
	bad[2].subject = "Elenco\r\nBcc: c@d.it";
	bad[3].from_name = "Forl\xec"; /* Latin-1, not UTF-8 */
	bad[4].from = "agenda";
	bad[5].to = NULL;
	bad[6].message_id = "<a b@c.it>";
	bad[7].subject = "x\xc0\xaf"; /* overlong '/' */
	for (int i = 0; i < 8; i++) {
		agenda_detail why;
		char *out = (char *)1;
		size_t len = 1;

		assert_int_equal(mail_compose(&bad[i], &out, &len, &why), AG_ERR_INVALID);
		assert_null(out);
		assert_int_equal(len, 0);
		assert_non_null(strstr(why.en, field[i]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(exact_single_part),
	        cmocka_unit_test(date_in_italian_time),
	        cmocka_unit_test(encoded_words_keep_characters_whole),
	        cmocka_unit_test(quoted_printable_round_trip),
	        cmocka_unit_test(same_row_same_bytes),
	        cmocka_unit_test(refuses_forged_or_missing_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
