/*
 * mail_message.c — one outbox row into RFC 5322 + MIME bytes (mail_message.h).
 *
 * Everything a server or a mail client could mangle is encoded: header text that is not plain
 * ASCII becomes RFC 2047 encoded-words cut on UTF-8 character boundaries, text parts are
 * quoted-printable (so every line is ASCII and at most 76 characters, and a line never starts
 * with a '.'), lines end in CRLF. The multipart boundary is made from the Message-ID and starts
 * with "=_", which quoted-printable text can never contain, so it is both stable across a resend
 * and safe. The Date is Italian civil time with its offset, computed from the epoch given
 * (platform/italian_time.h), never from the process's TZ.
 */
#include "sync/mail_message.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/messages.h"
#include "platform/italian_time.h"

#define LINE_MAX_CHARS 76
/* The longest UTF-8 run in one encoded-word: 39 bytes make 52 base64 characters, so
 * "=?utf-8?B?" + 52 + "?=" is 64 characters and fits after "Subject: " within 76. */
#define WORD_BYTES_MAX 39

struct buffer {
	char *data;
	size_t length, capacity;
	bool failed;
};

static void put_bytes(struct buffer *b, const char *bytes, size_t n)
{
	if (b->failed)
		return;
	if (b->length + n + 1 > b->capacity) {
		size_t capacity = b->capacity ? b->capacity : 1024;
		char *grown;

		while (b->length + n + 1 > capacity)
			capacity *= 2;
		grown = malloc(capacity);
		if (!grown) {
			b->failed = true;
			return;
		}
		if (b->data) {
			memcpy(grown, b->data, b->length);
			/* the old copy may hold a password mail's body */
			explicit_bzero(b->data, b->capacity);
			free(b->data);
		}
		b->data = grown;
		b->capacity = capacity;
	}
	memcpy(b->data + b->length, bytes, n);
	b->length += n;
	b->data[b->length] = '\0';
}

static void put(struct buffer *b, const char *text)
{
	put_bytes(b, text, strlen(text));
}

/* ---- validation ---- */

/* Length of the UTF-8 character starting at s (1..4), 0 when s does not start a valid one. */
static size_t utf8_char_length(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F))
			return 0; /* overlong or a surrogate */
		return 3;
	}
	if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
			return 0;
		return 4;
	}
	return 0;
}

/* Valid UTF-8 with no control character (a header line break would forge a header). */
static bool header_text_ok(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;

	while (*s) {
		size_t n = utf8_char_length(s);

		if (n == 0 || (n == 1 && (*s < 0x20 || *s == 0x7F)))
			return false;
		s += n;
	}
	return true;
}

/* A bare address: printable ASCII, no space, no angle brackets, one '@' not at either end. */
static bool address_ok(const char *address)
{
	const char *at;

	if (!address || !*address || strlen(address) > 254)
		return false;
	for (const char *p = address; *p; p++)
		if (*p <= ' ' || *p >= 0x7F || *p == '<' || *p == '>' || *p == ',' || *p == '"')
			return false;
	at = strchr(address, '@');
	return at && at != address && at[1] && !strchr(at + 1, '@');
}

static bool message_id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n < 5 || n > 250 || id[0] != '<' || id[n - 1] != '>' || !strchr(id, '@'))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (id[i] <= ' ' || id[i] >= 0x7F || id[i] == '<' || id[i] == '>')
			return false;
	return true;
}

/* ---- header encodings ---- */

static bool plain_ascii(const char *text)
{
	for (const unsigned char *s = (const unsigned char *)text; *s; s++)
		if (*s < 0x20 || *s > 0x7E)
			return false;
	return !strstr(text, "=?");
}

static void put_base64(struct buffer *b, const unsigned char *in, size_t n)
{
	static const char alphabet[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char quad[4];

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		quad[0] = alphabet[(v >> 18) & 63];
		quad[1] = alphabet[(v >> 12) & 63];
		quad[2] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		quad[3] = i + 2 < n ? alphabet[v & 63] : '=';
		put_bytes(b, quad, 4);
	}
}

/* UTF-8 text as encoded-words, one per line (folded), each cut between whole characters. */
static void put_encoded_words(struct buffer *b, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	bool first = true;

	while (*s) {
		size_t n = 0;

		while (s[n]) {
			size_t c = utf8_char_length(s + n);

			if (n + c > WORD_BYTES_MAX)
				break;
			n += c;
		}
		if (!first)
			put(b, "\r\n ");
		put(b, "=?utf-8?B?");
		put_base64(b, s, n);
		put(b, "?=");
		first = false;
		s += n;
	}
}

/*
 * "Name: value" for free text (Subject): plain ASCII folded at spaces when every line fits,
 * encoded-words otherwise. Unfolding (removing each CRLF) gives the text back exactly.
 */
static void put_text_header(struct buffer *b, const char *name, const char *text)
{
	size_t column = strlen(name) + 2;
	bool fits = plain_ascii(text);

	if (fits) {
		/* every word (a space and what follows up to the next space) must fit on a line */
		const char *word = text;

		while (*word && fits) {
			const char *end = strchr(word + 1, ' ');
			size_t n = end ? (size_t)(end - word) : strlen(word);

			fits = n + 1 <= LINE_MAX_CHARS &&
			       !(word == text && column + n > LINE_MAX_CHARS);
			word += n;
		}
	}
	put(b, name);
	put(b, ": ");
	if (!fits) {
		put_encoded_words(b, text);
	} else {
		const char *word = text;

		while (*word) {
			const char *end = strchr(word + 1, ' ');
			size_t n = end ? (size_t)(end - word) : strlen(word);

			if (word != text && column + n > LINE_MAX_CHARS) {
				put(b, "\r\n"); /* the word's own leading space is the fold */
				column = 0;
			}
			put_bytes(b, word, n);
			column += n;
			word += n;
		}
	}
	put(b, "\r\n");
}

/* A display name is sent as is only when it is letters, digits, '-' and spaces (RFC 5322
 * atoms); anything else is encoded, which also quotes it. */
static bool phrase_atoms(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 60 || name[0] == ' ' || name[n - 1] == ' ')
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == ' ' || *p == '-'))
			return false;
	return true;
}

static void put_address_header(struct buffer *b, const char *name, const char *display,
                               const char *address)
{
	put(b, name);
	put(b, ": ");
	if (display && *display) {
		if (phrase_atoms(display))
			put(b, display);
		else
			put_encoded_words(b, display);
		put(b, "\r\n ");
	}
	put(b, "<");
	put(b, address);
	put(b, ">\r\n");
}

/* RFC 5322 date in Italian civil time: "Wed, 02 Dec 2026 10:30:00 +0100". */
static void put_date(struct buffer *b, int64_t epoch)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int offset = italian_utc_offset(epoch);
	time_t local = (time_t)(epoch + offset);
	struct tm tm;
	char line[64];

	gmtime_r(&local, &tm);
	snprintf(line, sizeof line, "Date: %s, %02d %s %04d %02d:%02d:%02d +%02d%02d\r\n",
	         days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, offset / 3600, offset % 3600 / 60);
	put(b, line);
}

/* ---- quoted-printable ---- */

/*
 * Quoted-printable of UTF-8 text. A line break of the text becomes a CRLF on the wire: "\n" and
 * "\r\n" when lf_breaks (the body, written with '\n'), "\r\n" only otherwise (an attachment such
 * as a CSV keeps its bytes: a lone '\n' inside a quoted field travels as =0A). Soft breaks keep
 * every line at 76 characters at most and never split an escape or a UTF-8 character.
 */
static void put_quoted_printable(struct buffer *b, const char *text, bool lf_breaks)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)text;
	size_t column = 0;

	while (*s) {
		char piece[16];
		size_t piece_length = 0;
		size_t consumed;
		bool line_end_after;

		if (s[0] == '\r' && s[1] == '\n') {
			put(b, "\r\n");
			column = 0;
			s += 2;
			continue;
		}
		if (s[0] == '\n' && lf_breaks) {
			put(b, "\r\n");
			column = 0;
			s += 1;
			continue;
		}
		/* one character (all bytes of a UTF-8 sequence), literal or escaped */
		consumed = utf8_char_length(s);
		if (consumed == 0)
			consumed = 1;
		line_end_after = s[consumed] == '\0' ||
		                 (s[consumed] == '\r' && s[consumed + 1] == '\n') ||
		                 (lf_breaks && s[consumed] == '\n');
		for (size_t i = 0; i < consumed; i++) {
			unsigned char c = s[i];
			bool literal = (c >= 33 && c <= 126 && c != '=') ||
			               ((c == ' ' || c == '\t') && !line_end_after);

			if (c == '.' && column == 0)
				literal = false; /* a leading dot would need SMTP's dot-stuffing */
			if (literal) {
				piece[piece_length++] = (char)c;
			} else {
				piece[piece_length++] = '=';
				piece[piece_length++] = hex[c >> 4];
				piece[piece_length++] = hex[c & 15];
			}
		}
		/* room for the piece and, unless the line ends right after it, a soft-break '=' */
		if (column + piece_length + (line_end_after ? 0 : 1) > LINE_MAX_CHARS) {
			put(b, "=\r\n");
			column = 0;
			if (piece[0] == '.') { /* the piece now starts a line: escape its dot */
				memmove(piece + 3, piece + 1, piece_length - 1);
				memcpy(piece, "=2E", 3);
				piece_length += 2;
			}
		}
		put_bytes(b, piece, piece_length);
		column += piece_length;
		s += consumed;
	}
}

/* ---- the message ---- */

/* 64-bit FNV-1a: only needs to be stable, the "=_" prefix makes the boundary collision-proof. */
static unsigned long long fnv1a(const char *text)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		h ^= *s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A file name as a MIME parameter: plain when it is safe ASCII, RFC 2231 UTF-8 otherwise. */
static void put_file_name_parameter(struct buffer *b, const char *parameter, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	bool plain = strlen(name) <= 40;

	for (const char *p = name; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || strchr("._-", *p);
	put(b, ";\r\n ");
	put(b, parameter);
	if (plain) {
		put(b, "=\"");
		put(b, name);
		put(b, "\"");
		return;
	}
	put(b, "*=utf-8''");
	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("._-", *s)) {
			put_bytes(b, (const char *)s, 1);
		} else {
			char escaped[3] = {'%', hex[*s >> 4], hex[*s & 15]};

			put_bytes(b, escaped, 3);
		}
	}
}

static const char *first_invalid_field(const struct mail_message *m)
{
	if (!message_id_ok(m->message_id))
		return "message_id";
	if (!address_ok(m->from))
		return "from";
	if (m->from_name && !header_text_ok(m->from_name))
		return "from_name";
	if (!address_ok(m->to))
		return "to";
	if (!m->subject || !header_text_ok(m->subject))
		return "subject";
	if (!m->body)
		return "body";
	if (m->attachment_name && (!*m->attachment_name || !header_text_ok(m->attachment_name) ||
	                           strlen(m->attachment_name) > 200 || !m->attachment))
		return "attachment_name";
	if (m->attachment_type && !plain_ascii(m->attachment_type))
		return "attachment_type";
	return NULL;
}

static void put_text_part_headers(struct buffer *b)
{
	put(b, "Content-Type: text/plain; charset=utf-8\r\n"
	       "Content-Transfer-Encoding: quoted-printable\r\n");
}

agenda_err mail_compose(const struct mail_message *m, char **out, size_t *len, agenda_detail *why)
{
	struct buffer b = {0};
	const char *bad = first_invalid_field(m);
	char boundary[40];

	*out = NULL;
	*len = 0;
	if (bad) {
		agenda_detail_set(why, MSG_MAIL_FIELD_INVALID, bad);
		return AG_ERR_INVALID;
	}
	snprintf(boundary, sizeof boundary, "=_agenda_%016llx", fnv1a(m->message_id));

	put_date(&b, m->date);
	put_address_header(&b, "From", m->from_name, m->from);
	put_address_header(&b, "To", NULL, m->to);
	put_text_header(&b, "Subject", m->subject);
	put(&b, "Message-ID: ");
	put(&b, m->message_id);
	put(&b, "\r\nMIME-Version: 1.0\r\n");
	if (!m->attachment_name) {
		put_text_part_headers(&b);
		put(&b, "\r\n");
		put_quoted_printable(&b, m->body, true);
	} else {
		const char *type =
		        m->attachment_type ? m->attachment_type : "application/octet-stream";

		put(&b, "Content-Type: multipart/mixed; boundary=\"");
		put(&b, boundary);
		put(&b, "\"\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n--");
		put(&b, boundary);
		put(&b, "\r\n");
		put_text_part_headers(&b);
		put(&b, "\r\n");
		put_quoted_printable(&b, m->body, true);
		/* the CRLF before a delimiter belongs to the delimiter, not to the part */
		put(&b, "\r\n--");
		put(&b, boundary);
		put(&b, "\r\nContent-Type: ");
		put(&b, type);
		if (strncmp(type, "text/", 5) == 0)
			put(&b, "; charset=utf-8");
		put_file_name_parameter(&b, "name", m->attachment_name);
		put(&b, "\r\nContent-Disposition: attachment");
		put_file_name_parameter(&b, "filename", m->attachment_name);
		put(&b, "\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
		put_quoted_printable(&b, m->attachment, false);
		put(&b, "\r\n--");
		put(&b, boundary);
		put(&b, "--");
	}
	/* the message ends with a line break (SMTP needs it); the body's own last one is enough */
	if (!b.failed && (b.length < 2 || memcmp(b.data + b.length - 2, "\r\n", 2) != 0))
		put(&b, "\r\n");
	if (b.failed) {
		if (b.data) {
			explicit_bzero(b.data, b.capacity);
			free(b.data);
		}
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	*out = b.data;
	*len = b.length;
	return AG_OK;
}
