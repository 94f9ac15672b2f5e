#include "base/mailmsg.h"

#include <stdint.h>
#include <string.h>

/* RFC 2047: a line that holds encoded-words is at most 76 characters.
 * "Subject: " and the 12 characters of =?UTF-8?B? ?= leave 55 for base64,
 * i.e. 52 characters = 39 bytes of text per word. */
#define SUBJECT_WORD_BYTES 39
/* Longer plain subjects are encoded too, which folds them into lines. */
#define SUBJECT_PLAIN_MAX 200
/* RFC 2045: base64 lines are at most 76 characters. */
#define BODY_LINE_CHARS 76

static const char base64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void mailmsg_base64(struct buf *out, const unsigned char *data, size_t len, size_t line_chars)
{
	size_t col = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)data[i + 1] << 8;
		if (i + 2 < len)
			v |= data[i + 2];
		char quad[4] = {base64_chars[(v >> 18) & 63], base64_chars[(v >> 12) & 63],
				i + 1 < len ? base64_chars[(v >> 6) & 63] : '=',
				i + 2 < len ? base64_chars[v & 63] : '='};
		for (int k = 0; k < 4; k++) {
			buf_add(out, &quad[k], 1);
			if (line_chars > 0 && ++col == line_chars) {
				buf_puts(out, "\r\n");
				col = 0;
			}
		}
	}
	if (line_chars > 0 && col > 0)
		buf_puts(out, "\r\n");
	if (out->data == NULL)
		buf_add(out, "", 0);
}

static bool is_atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool is_domain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

bool mailmsg_address_ok(const char *addr)
{
	if (addr == NULL)
		return false;
	const char *at = strchr(addr, '@');
	if (at == NULL || at == addr || strlen(addr) > 254 || at - addr > 64)
		return false;
	/* local part: dot-atom */
	char prev = '.';
	for (const char *c = addr; c < at; c++) {
		if (*c == '.' ? prev == '.' : !is_atext(*c))
			return false;
		prev = *c;
	}
	if (prev == '.')
		return false;
	/* domain: labels of letters, digits and inner hyphens */
	const char *d = at + 1;
	if (*d == '\0')
		return false;
	size_t label = 0;
	prev = '.';
	for (; *d != '\0'; d++) {
		if (*d == '.') {
			if (label == 0 || prev == '-')
				return false;
			label = 0;
		} else {
			if (!is_domain_char(*d) || (label == 0 && *d == '-') || ++label > 63)
				return false;
		}
		prev = *d;
	}
	return label > 0 && prev != '-';
}

static void add_date(struct buf *out, time_t when)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	if (gmtime_r(&when, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
	    tm.tm_mon > 11) {
		when = 0;
		gmtime_r(&when, &tm);
	}
	/* Names by hand: strftime's %a and %b follow the locale. */
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
		   tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		   tm.tm_sec);
}

/* A byte that starts a UTF-8 sequence (or is ASCII). */
static bool starts_char(unsigned char c)
{
	return (c & 0xC0) != 0x80;
}

static void add_subject(struct buf *out, const char *subject)
{
	size_t len = strlen(subject);
	bool plain = len <= SUBJECT_PLAIN_MAX;
	for (size_t i = 0; i < len && plain; i++)
		plain = subject[i] >= 0x20 && subject[i] < 0x7F;
	/* A word that looks like an encoded-word would be decoded by readers. */
	if (plain && strstr(subject, "=?") != NULL)
		plain = false;
	if (plain) {
		buf_printf(out, "Subject: %s\r\n", subject);
		return;
	}

	/* Control characters (a line break would end the header) become
	 * blanks; the rest is encoded as is, cut only between characters. */
	unsigned char word[SUBJECT_WORD_BYTES];
	buf_puts(out, "Subject:");
	size_t i = 0;
	do {
		size_t n = len - i < SUBJECT_WORD_BYTES ? len - i : SUBJECT_WORD_BYTES;
		if (i + n < len) {
			size_t cut = n;
			while (cut > 0 && !starts_char((unsigned char)subject[i + cut]))
				cut--;
			if (cut > 0) /* else not UTF-8: cut anywhere */
				n = cut;
		}
		for (size_t k = 0; k < n; k++) {
			unsigned char c = (unsigned char)subject[i + k];
			word[k] = c < 0x20 || c == 0x7F ? ' ' : c;
		}
		buf_puts(out, i == 0 ? " =?UTF-8?B?" : "\r\n =?UTF-8?B?");
		mailmsg_base64(out, word, n, 0);
		buf_puts(out, "?=");
		i += n;
	} while (i < len);
	buf_puts(out, "\r\n");
}

/* The body with every line end (LF, CRLF or a lone CR) made CRLF. */
static void add_body(struct buf *out, const char *body)
{
	struct buf text;
	buf_init(&text);
	for (const char *c = body; *c != '\0'; c++) {
		if (*c == '\r') {
			if (c[1] == '\n')
				c++;
			buf_puts(&text, "\r\n");
		} else if (*c == '\n') {
			buf_puts(&text, "\r\n");
		} else {
			buf_add(&text, c, 1);
		}
	}
	mailmsg_base64(out, (const unsigned char *)text.data, text.len, BODY_LINE_CHARS);
	buf_wipe(&text);
}

void mailmsg_build(struct buf *out, const struct mailmsg *m)
{
	const char *domain = strchr(m->from, '@');
	domain = domain != NULL ? domain + 1 : "localhost";

	buf_printf(out, "From: %s\r\n", m->from);
	buf_printf(out, "To: %s\r\n", m->to);
	add_subject(out, m->subject);
	add_date(out, m->date);
	/* The same for every attempt: a receiver can drop a duplicate. */
	buf_printf(out, "Message-ID: <hotline-outbox-%lld@%s>\r\n", m->outbox_id, domain);
	buf_puts(out, "Auto-Submitted: auto-generated\r\n"
		      "MIME-Version: 1.0\r\n"
		      "Content-Type: text/plain; charset=utf-8\r\n"
		      "Content-Transfer-Encoding: base64\r\n"
		      "\r\n");
	add_body(out, m->body);
}
