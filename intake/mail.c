#include "intake/mail.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

void mail_init(void)
{
	g_mime_init();
}

static char *xstrdup(const char *s)
{
	return mail_clean_text(s ? s : "", s ? strlen(s) : 0);
}

/* --- text helpers --- */

static size_t utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, v = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, v = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

char *mail_clean_text(const char *s, size_t len)
{
	char *out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_seq(u + i, len - i, &cp);
		if (n == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		if (!(cp < 0x20 && cp != '\t' && cp != '\r' && cp != '\n') && cp != 0x7f) {
			memcpy(out + o, u + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	return out;
}

const char *mail_guess_language(const char *text)
{
	bool cyrillic = false, latin = false;
	const unsigned char *u = (const unsigned char *)text;
	size_t len = strlen(text);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_seq(u + i, len - i, &cp);
		if (n == 0) {
			i++;
			continue;
		}
		i += n;
		switch (cp) {
		case 0x04d8:
		case 0x04d9: /* Ә ә */
		case 0x0492:
		case 0x0493: /* Ғ ғ */
		case 0x049a:
		case 0x049b: /* Қ қ */
		case 0x04a2:
		case 0x04a3: /* Ң ң */
		case 0x04e8:
		case 0x04e9: /* Ө ө */
		case 0x04b0:
		case 0x04b1: /* Ұ ұ */
		case 0x04ae:
		case 0x04af: /* Ү ү */
		case 0x04ba:
		case 0x04bb: /* Һ һ */
		case 0x0406:
		case 0x0456: /* І і */
			return "kk";
		default:
			break;
		}
		if (cp >= 0x0400 && cp <= 0x04ff)
			cyrillic = true;
		else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
			latin = true;
	}
	return cyrillic ? "ru" : latin ? "en" : NULL;
}

bool mail_find_reg_no(const char *s, char out[16])
{
	size_t len = strlen(s);
	for (size_t i = 0; i + 11 <= len; i++) {
		if (i > 0 && isdigit((unsigned char)s[i - 1]))
			continue;
		bool ok = s[i + 4] == '-';
		for (size_t k = 0; ok && k < 4; k++)
			ok = isdigit((unsigned char)s[i + k]);
		/* six digits, or up to eight past 999,999 (workflow/journal.h) */
		size_t n = 0;
		while (ok && i + 5 + n < len && isdigit((unsigned char)s[i + 5 + n]))
			n++;
		if (ok && (n == 6 || (n >= 7 && n <= 8 && s[i + 5] != '0'))) {
			memcpy(out, s + i, 5 + n);
			out[5 + n] = '\0';
			return true;
		}
	}
	out[0] = '\0';
	return false;
}

bool mail_find_receipt(const char *s, size_t from, size_t *start, size_t *end)
{
	size_t len = strlen(s);
	for (size_t i = from; i < len; i++) {
		if (!isdigit((unsigned char)s[i]) || (i > 0 && isdigit((unsigned char)s[i - 1])))
			continue;
		size_t digits = 0, j = i, last = i;
		while (j < len) {
			if (isdigit((unsigned char)s[j])) {
				digits++;
				last = j++;
			} else if ((s[j] == ' ' || s[j] == '-' || s[j] == '\t') && j + 1 < len &&
				   isdigit((unsigned char)s[j + 1]) && digits < 28) {
				j++;
			} else {
				break;
			}
		}
		/* a 29th digit, even after a separator, makes it something else */
		bool longer = last + 1 < len &&
			      (isdigit((unsigned char)s[last + 1]) ||
			       ((s[last + 1] == ' ' || s[last + 1] == '-' || s[last + 1] == '\t') &&
				last + 2 < len && isdigit((unsigned char)s[last + 2])));
		if (digits == 28 && !longer) {
			*start = i;
			*end = last + 1;
			return true;
		}
		i = last;
	}
	return false;
}

static bool base32_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
}

bool mail_find_token(const char *s, size_t from, size_t n, size_t *start)
{
	size_t len = strlen(s);
	for (size_t i = from; i + n < len; i++) {
		if (s[i] != '#')
			continue;
		size_t k = 0;
		while (k < n && base32_char(s[i + 1 + k]))
			k++;
		if (k == n && !isalnum((unsigned char)s[i + 1 + n])) {
			*start = i + 1;
			return true;
		}
	}
	return false;
}

/* --- HTML to text --- */

static void put_utf8(char *out, size_t *o, uint32_t cp)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		out[(*o)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*o)++] = (char)(0xc0 | (cp >> 6));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*o)++] = (char)(0xe0 | (cp >> 12));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*o)++] = (char)(0xf0 | (cp >> 18));
		out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static bool tag_is(const char *tag, size_t len, const char *name)
{
	size_t n = strlen(name);
	return len >= n && strncasecmp(tag, name, n) == 0 &&
	       (len == n || !isalnum((unsigned char)tag[n]));
}

/* Decodes the entity at s (after '&'); returns the bytes used, 0 if none. */
static size_t entity(const char *s, size_t len, uint32_t *cp)
{
	static const struct {
		const char *name;
		uint32_t cp;
	} named[] = {{"amp;", '&'},	 {"lt;", '<'},	     {"gt;", '>'},	  {"quot;", '"'},
		     {"apos;", '\''},	 {"nbsp;", 0xa0},    {"laquo;", 0xab},	  {"raquo;", 0xbb},
		     {"mdash;", 0x2014}, {"ndash;", 0x2013}, {"hellip;", 0x2026}, {"copy;", 0xa9}};
	if (len > 1 && s[0] == '#') {
		size_t i = 1;
		int base = 10;
		if (len > 2 && (s[1] == 'x' || s[1] == 'X'))
			base = 16, i = 2;
		uint32_t v = 0;
		size_t start = i;
		while (i < len && i < start + 7 && isxdigit((unsigned char)s[i]) &&
		       (base == 16 || isdigit((unsigned char)s[i]))) {
			v = v * (uint32_t)base +
			    (uint32_t)(isdigit((unsigned char)s[i])
					   ? s[i] - '0'
					   : (tolower((unsigned char)s[i]) - 'a' + 10));
			i++;
		}
		if (i == start)
			return 0;
		if (i < len && s[i] == ';')
			i++;
		*cp = v;
		return i;
	}
	for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
		size_t n = strlen(named[k].name);
		if (len >= n && memcmp(s, named[k].name, n) == 0) {
			*cp = named[k].cp;
			return n;
		}
	}
	return 0;
}

char *mail_html_to_text(const char *html, size_t len)
{
	char *out = malloc(len * 2 + 2);
	if (!out)
		return NULL;
	size_t o = 0;
	const char *skip_until = NULL; /* inside <script> or <style> */
	for (size_t i = 0; i < len;) {
		if (html[i] == '<') {
			const char *end = memchr(html + i, '>', len - i);
			if (!end)
				break;
			const char *tag = html + i + 1;
			size_t tlen = (size_t)(end - tag);
			bool closing = tlen && tag[0] == '/';
			const char *name = closing ? tag + 1 : tag;
			size_t nlen = closing ? tlen - 1 : tlen;
			i = (size_t)(end - html) + 1;
			if (skip_until) {
				if (closing && tag_is(name, nlen, skip_until))
					skip_until = NULL;
				continue;
			}
			if (!closing && tag_is(name, nlen, "script"))
				skip_until = "script";
			else if (!closing && tag_is(name, nlen, "style"))
				skip_until = "style";
			else if (tag_is(name, nlen, "br") || tag_is(name, nlen, "p") ||
				 tag_is(name, nlen, "div") || tag_is(name, nlen, "li") ||
				 tag_is(name, nlen, "tr") || tag_is(name, nlen, "h1") ||
				 tag_is(name, nlen, "h2") || tag_is(name, nlen, "h3"))
				if (o && out[o - 1] != '\n')
					out[o++] = '\n';
			continue;
		}
		if (skip_until) {
			i++;
			continue;
		}
		if (html[i] == '&') {
			uint32_t cp;
			size_t n = entity(html + i + 1, len - i - 1, &cp);
			if (n) {
				/* no controls, surrogates or non-characters from
				 * numeric entities: they would make the text invalid */
				if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7f ||
				    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
					cp = 0xfffd;
				put_utf8(out, &o, cp == 0xa0 ? ' ' : cp);
				i += 1 + n;
				continue;
			}
		}
		if (html[i] == '\r') {
			i++;
			continue;
		}
		/* source line breaks are just spaces in HTML */
		char c = html[i] == '\n' || html[i] == '\t' ? ' ' : html[i];
		if (c == ' ' && (o == 0 || out[o - 1] == ' ' || out[o - 1] == '\n')) {
			i++;
			continue;
		}
		out[o++] = c;
		i++;
	}
	while (o && (out[o - 1] == ' ' || out[o - 1] == '\n'))
		o--;
	out[o] = '\0';
	return out;
}

/* --- the parse --- */

struct walk {
	struct mail *m;
	unsigned max_files;
	char *plain; /* first inline text/plain */
	char *html;  /* first inline text/html */
	bool failed;
};

static bool stream_bytes(GMimeStream *mem, struct mail_attachment *f)
{
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	f->len = ba ? ba->len : 0;
	f->data = malloc(f->len ? f->len : 1);
	if (!f->data)
		return false;
	if (f->len)
		memcpy(f->data, ba->data, f->len);
	return true;
}

static void add_file(struct walk *w, GMimeObject *part)
{
	struct mail *m = w->m;
	if (m->nfiles >= w->max_files) {
		m->files_dropped++;
		return;
	}
	struct mail_attachment *f = &m->files[m->nfiles];
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	char *type = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	f->type = xstrdup(type ? type : "application/octet-stream");
	g_free(type);
	GMimeStream *mem = g_mime_stream_mem_new();
	if (GMIME_IS_PART(part)) {
		f->name = xstrdup(g_mime_part_get_filename(GMIME_PART(part)));
		GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(part));
		if (content)
			g_mime_data_wrapper_write_to_stream(content, mem);
	} else {
		/* message/rfc822 and the like: kept whole */
		f->name = xstrdup("message.eml");
		GMimeMessage *inner =
		    GMIME_IS_MESSAGE_PART(part)
			? g_mime_message_part_get_message(GMIME_MESSAGE_PART(part))
			: NULL;
		if (inner)
			g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
	}
	bool ok = f->name && f->type && stream_bytes(mem, f);
	g_object_unref(mem);
	if (!ok) {
		w->failed = true;
		free(f->name);
		free(f->type);
		free(f->data);
		memset(f, 0, sizeof(*f));
		return;
	}
	m->nfiles++;
}

static void visit(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	(void)parent;
	struct walk *w = data;
	if (GMIME_IS_MULTIPART(part))
		return;
	if (GMIME_IS_TEXT_PART(part) && !g_mime_part_is_attachment(GMIME_PART(part))) {
		GMimeContentType *ct = g_mime_object_get_content_type(part);
		bool plain = g_mime_content_type_is_type(ct, "text", "plain");
		bool html = g_mime_content_type_is_type(ct, "text", "html");
		if ((plain && !w->plain) || (html && !w->html)) {
			char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
			char *clean = xstrdup(text);
			g_free(text);
			if (!clean) {
				w->failed = true;
				return;
			}
			if (plain)
				w->plain = clean;
			else
				w->html = clean;
			return;
		}
		/* a second text part in the body (alternatives, signatures):
		 * when both kinds are there the plain one is the text, the
		 * other is dropped; anything else is kept as a file */
		if (plain || html)
			return;
	}
	add_file(w, part);
}

static bool is_content_header(const char *name)
{
	return strcasecmp(name, "Subject") == 0 || strncasecmp(name, "Content-", 8) == 0 ||
	       strcasecmp(name, "MIME-Version") == 0;
}

static bool header_has(GMimeObject *o, const char *name, const char *const *values)
{
	const char *v = g_mime_object_get_header(o, name);
	if (!v)
		return false;
	while (*v == ' ' || *v == '\t')
		v++;
	for (; *values; values++) {
		if (strncasecmp(v, *values, strlen(*values)) == 0)
			return true;
	}
	return false;
}

static bool is_automatic(GMimeObject *o, const char *from)
{
	static const char *const bulk[] = {"bulk", "junk", "list", NULL};
	static const char *const no[] = {"no", NULL};
	const char *auto_submitted = g_mime_object_get_header(o, "Auto-Submitted");
	if (auto_submitted && !header_has(o, "Auto-Submitted", no))
		return true;
	if (header_has(o, "Precedence", bulk) || g_mime_object_get_header(o, "List-Id"))
		return true;
	const char *rp = g_mime_object_get_header(o, "Return-Path");
	if (rp) {
		while (*rp == ' ')
			rp++;
		if (strcmp(rp, "<>") == 0)
			return true;
	}
	if (from) {
		if (strncasecmp(from, "mailer-daemon@", 14) == 0 ||
		    strncasecmp(from, "postmaster@", 11) == 0)
			return true;
	}
	return false;
}

enum mail_status mail_parse(const char *data, size_t len, unsigned max_attachments,
			    struct mail **out)
{
	*out = NULL;
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (!msg)
		return MAIL_UNREADABLE;
	GMimeObject *o = GMIME_OBJECT(msg);
	GMimeHeaderList *hl = g_mime_object_get_header_list(o);
	int nh = hl ? g_mime_header_list_get_count(hl) : 0;
	if (nh <= 0) {
		g_object_unref(msg);
		return MAIL_UNREADABLE;
	}
	struct walk w = {0};
	struct mail *m = calloc(1, sizeof(*m));
	if (!m)
		goto fail;
	w.m = m;
	w.max_files = max_attachments;

	InternetAddressList *from = g_mime_message_get_from(msg);
	if (from && internet_address_list_length(from) > 0) {
		InternetAddress *ia = internet_address_list_get_address(from, 0);
		const char *name = internet_address_get_name(ia);
		if (name && *name && !(m->from_name = xstrdup(name)))
			goto fail;
		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *addr =
			    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
			if (addr && *addr && !(m->from_address = xstrdup(addr)))
				goto fail;
		}
	}
	m->headers = calloc((size_t)nh, sizeof(*m->headers));
	if (!m->headers)
		goto fail;
	for (int i = 0; i < nh; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);
		if (!name || is_content_header(name))
			continue;
		const char *value = g_mime_header_get_value(h);
		struct mail_header *mh = &m->headers[m->nheaders];
		mh->name = xstrdup(name);
		mh->value = xstrdup(value);
		if (!mh->name || !mh->value) {
			free(mh->name);
			free(mh->value);
			goto fail;
		}
		m->nheaders++;
	}
	m->subject = xstrdup(g_mime_message_get_subject(msg));
	if (!m->subject)
		goto fail;

	m->files = calloc(max_attachments ? max_attachments : 1, sizeof(*m->files));
	if (!m->files)
		goto fail;
	g_mime_message_foreach(msg, visit, &w);
	if (w.failed)
		goto fail;
	if (w.plain) {
		m->text = w.plain;
		w.plain = NULL;
	} else if (w.html) {
		char *text = mail_html_to_text(w.html, strlen(w.html));
		m->text = text ? mail_clean_text(text, strlen(text)) : NULL;
		free(text);
		m->from_html = true;
	} else {
		m->text = xstrdup("");
	}
	free(w.plain);
	free(w.html);
	w.plain = w.html = NULL;
	if (!m->text)
		goto fail;

	static const char *const langs[] = {"kk", "ru", "en", NULL};
	m->language = mail_guess_language(m->text);
	if (!m->language)
		m->language = mail_guess_language(m->subject);
	if (!m->language) {
		const char *cl = g_mime_object_get_header(o, "Content-Language");
		for (size_t i = 0; cl && langs[i]; i++) {
			if (strncasecmp(cl, langs[i], 2) == 0)
				m->language = langs[i];
		}
	}
	m->automatic = is_automatic(o, m->from_address);
	mail_find_reg_no(m->subject, m->reg_no);
	g_object_unref(msg);
	*out = m;
	return m->files_dropped ? MAIL_TOO_MANY_ATTACHMENTS : MAIL_OK;
fail:
	/* out of memory: the caller answers 4xx */
	free(w.plain);
	free(w.html);
	mail_free(m);
	g_object_unref(msg);
	return MAIL_NO_MEMORY;
}

void mail_free(struct mail *m)
{
	if (!m)
		return;
	free(m->from_address);
	free(m->from_name);
	for (unsigned i = 0; i < m->nheaders; i++) {
		free(m->headers[i].name);
		free(m->headers[i].value);
	}
	free(m->headers);
	free(m->subject);
	if (m->text) {
		memset(m->text, 0, strlen(m->text));
		free(m->text);
	}
	for (unsigned i = 0; i < m->nfiles; i++) {
		free(m->files[i].name);
		free(m->files[i].type);
		free(m->files[i].data);
	}
	free(m->files);
	free(m);
}
