#include "base/html.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

void html_escape(struct buf *b, const char *s, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		buf_add(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_add(b, s + start, len - start);
}

void html_escape_str(struct buf *b, const char *s)
{
	html_escape(b, s, strlen(s));
}

void html_msg(struct buf *b, enum lang lang, enum msg id)
{
	html_escape_str(b, i18n(lang, id));
}

void html_markup(struct buf *b, const char *markup)
{
	buf_puts(b, markup);
}

void html_markup_n(struct buf *b, const char *markup, size_t len)
{
	buf_add(b, markup, len);
}

/* One conversion of a format, spec[0] == '%', copied into one[] with its
 * flags, width, precision and length: formats it with the next value(s) of
 * ap, escaping what a string or a character gives. */
enum arg_kind {
	ARG_INT,
	ARG_LONG,
	ARG_LLONG,
	ARG_SIZE,
	ARG_INTMAX,
	ARG_PTRDIFF,
	ARG_DOUBLE,
	ARG_LDOUBLE,
	ARG_STRING,
	ARG_CHAR
};

static enum arg_kind arg_kind(char conv, const char *len)
{
	switch (conv) {
	case 's':
		return ARG_STRING;
	case 'c':
		return ARG_CHAR;
	case 'e':
	case 'E':
	case 'f':
	case 'F':
	case 'g':
	case 'G':
	case 'a':
	case 'A':
		return *len == 'L' ? ARG_LDOUBLE : ARG_DOUBLE;
	default:
		break;
	}
	if (strcmp(len, "ll") == 0)
		return ARG_LLONG;
	if (strcmp(len, "l") == 0)
		return ARG_LONG;
	if (*len == 'z')
		return ARG_SIZE;
	if (*len == 'j')
		return ARG_INTMAX;
	if (*len == 't')
		return ARG_PTRDIFF;
	return ARG_INT; /* also hh and h: promoted to int */
}

/* vsnprintf of one conversion (its stars already taken as numbers). */
static void one_value(struct buf *b, const char *one, enum arg_kind kind, va_list *ap)
{
	struct buf tmp;
	buf_init(&tmp);
	switch (kind) {
	case ARG_INT:
		buf_printf(&tmp, one, va_arg(*ap, int));
		break;
	case ARG_LONG:
		buf_printf(&tmp, one, va_arg(*ap, long));
		break;
	case ARG_LLONG:
		buf_printf(&tmp, one, va_arg(*ap, long long));
		break;
	case ARG_SIZE:
		buf_printf(&tmp, one, va_arg(*ap, size_t));
		break;
	case ARG_INTMAX:
		buf_printf(&tmp, one, va_arg(*ap, intmax_t));
		break;
	case ARG_PTRDIFF:
		buf_printf(&tmp, one, va_arg(*ap, ptrdiff_t));
		break;
	case ARG_DOUBLE:
		buf_printf(&tmp, one, va_arg(*ap, double));
		break;
	case ARG_LDOUBLE:
		buf_printf(&tmp, one, va_arg(*ap, long double));
		break;
	case ARG_STRING: {
		const char *s = va_arg(*ap, const char *);
		buf_printf(&tmp, one, s ? s : "");
		break;
	}
	case ARG_CHAR:
		buf_printf(&tmp, one, va_arg(*ap, int));
		break;
	}
	if (kind == ARG_STRING || kind == ARG_CHAR)
		html_escape(b, tmp.data ? tmp.data : "", tmp.len);
	else
		buf_add(b, tmp.data ? tmp.data : "", tmp.len);
	buf_wipe(&tmp); /* a value may be report text */
}

/* Parses the conversion at *pp (just past '%') into one[] and formats it;
 * false on a conversion html_f does not take. */
static bool one_conversion(struct buf *b, const char **pp, va_list *ap)
{
	char one[48];
	size_t n = 0;
	const char *p = *pp;
	one[n++] = '%';
	while (*p && strchr("-+ #0'", *p) && n < 16)
		one[n++] = *p++;
	for (int part = 0; part < 2; part++) { /* width, then .precision */
		if (part == 1) {
			if (*p != '.')
				break;
			one[n++] = *p++;
		}
		if (*p == '*') {
			p++;
			n += (size_t)snprintf(one + n, sizeof one - n, "%d", va_arg(*ap, int));
		} else {
			while (*p >= '0' && *p <= '9' && n < 40)
				one[n++] = *p++;
		}
	}
	char len[3] = "";
	size_t ln = 0;
	while (*p && strchr("hlLzjt", *p) && ln < 2)
		len[ln++] = one[n++] = *p++;
	len[ln] = '\0';
	char conv = *p;
	if (!conv || !strchr("diouxXeEfFgGaAcs", conv) || n + 2 > sizeof one)
		return false;
	one[n++] = *p++;
	one[n] = '\0';
	one_value(b, one, arg_kind(conv, len), ap);
	*pp = p;
	return true;
}

void html_vf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	const char *p = fmt;
	while (*p) {
		const char *pct = strchr(p, '%');
		if (!pct) {
			buf_puts(b, p);
			break;
		}
		buf_add(b, p, (size_t)(pct - p));
		p = pct + 1;
		if (*p == '%') {
			buf_add(b, "%", 1);
			p++;
			continue;
		}
		if (!one_conversion(b, &p, &copy)) {
			log_error("html: the format \"%s\" has a conversion html_f does not take",
				  fmt);
			abort();
		}
	}
	va_end(copy);
}

void html_f(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	html_vf(b, fmt, ap);
	va_end(ap);
}

/* html_face_set(): the loop's thread only (base/html.h). */
static char face_org[1300]; /* 300 characters of up to 4 bytes */
static char face_logo[128];

void html_face_set(const char *organisation, const char *logo_path)
{
	snprintf(face_org, sizeof face_org, "%s", organisation ? organisation : "");
	snprintf(face_logo, sizeof face_logo, "%s", logo_path ? logo_path : "");
}

void html_begin(struct buf *b, enum lang lang, const char *title, const char *self_path)
{
	html_f(b,
	       "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	       "<meta name=\"referrer\" content=\"no-referrer\">\n<title>",
	       i18n_code(lang));
	html_escape_str(b, title);
	html_markup(b, " — ");
	html_escape_str(b, i18n(lang, M_SITE_NAME));
	html_markup(b, "</title>\n<link rel=\"stylesheet\" href=\"/style.css\">\n</head>\n<body>\n"
		       "<header><a class=\"site\" href=\"/\">");
	/* the logo beside the name says nothing more: alt="" */
	if (face_logo[0])
		html_f(b, "<img class=\"logo\" id=\"logo\" src=\"%s\" alt=\"\">", face_logo);
	if (face_org[0])
		html_f(b, "<span class=\"org\" id=\"org-name\">%s</span> ", face_org);
	html_markup(b, "<span class=\"line\">");
	html_escape_str(b, i18n(lang, M_SITE_NAME));
	html_markup(b, "</span></a>\n<nav id=\"languages\">");
	for (int l = 0; l < LANG_COUNT; l++) {
		html_f(b, " <a href=\"%s?lang=%s\" hreflang=\"%s\" lang=\"%s\"", self_path,
		       i18n_code((enum lang)l), i18n_code((enum lang)l), i18n_code((enum lang)l));
		html_markup(b, l == (int)lang ? " aria-current=\"true\">" : ">");
		html_escape_str(b, i18n((enum lang)l, M_LANG_NAME));
		html_markup(b, "</a>");
	}
	html_markup(b, "</nav></header>\n<main>\n");
}

void html_end(struct buf *b, enum lang lang)
{
	html_markup(b, "</main>\n<footer><p><a href=\"/trust\" id=\"trust-link\">");
	html_escape_str(b, i18n(lang, M_TRUST_LINK));
	html_markup(b, "</a></p>\n<p>");
	html_escape_str(b, i18n(lang, M_FOOTER));
	html_markup(b, "</p></footer>\n</body>\n</html>\n");
}

void html_size(char *out, size_t outlen, enum lang lang, size_t bytes)
{
	bool cyrillic = lang != LANG_EN;
	const char *mb = cyrillic ? "МБ" : "MB";
	const char *kb = cyrillic ? "КБ" : "KB";
	if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
		snprintf(out, outlen, "%zu %s", bytes / (1024 * 1024), mb);
	} else if (bytes >= 1024 * 1024) {
		/* one decimal, with the decimal comma of kk and ru */
		unsigned long tenths =
		    (unsigned long)(((double)bytes / (1024.0 * 1024.0)) * 10.0 + 0.5);
		snprintf(out, outlen, "%lu%c%lu %s", tenths / 10, cyrillic ? ',' : '.', tenths % 10,
			 mb);
	} else {
		snprintf(out, outlen, "%zu %s", (bytes + 1023) / 1024, kb);
	}
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void html_month(char *out, size_t outlen, enum lang lang, int year, int month)
{
	if (!outlen)
		return;
	if (month < 1 || month > 12)
		snprintf(out, outlen, "%04d-%02d", year, month);
	else if (lang == LANG_EN)
		snprintf(out, outlen, "%s %04d", months[month - 1], year);
	else
		snprintf(out, outlen, "%02d.%04d", month, year);
}

void html_date(char *out, size_t outlen, enum lang lang, const char *iso)
{
	if (!outlen)
		return;
	size_t len = iso ? strlen(iso) : 0;
	bool is_date = len >= 10 && digits(iso, 4) && iso[4] == '-' && digits(iso + 5, 2) &&
		       iso[7] == '-' && digits(iso + 8, 2) &&
		       (len == 10 || iso[10] == ' ' || iso[10] == 'T');
	int month = is_date ? (iso[5] - '0') * 10 + (iso[6] - '0') : 0;
	if (!is_date || month < 1 || month > 12) {
		snprintf(out, outlen, "%s", iso ? iso : "");
		return;
	}
	bool has_time = len >= 16 && digits(iso + 11, 2) && iso[13] == ':' && digits(iso + 14, 2);
	int day = (iso[8] - '0') * 10 + (iso[9] - '0');
	if (lang == LANG_EN)
		snprintf(out, outlen, "%d %s %.4s%s%.*s", day, months[month - 1], iso,
			 has_time ? ", " : "", has_time ? 5 : 0, has_time ? iso + 11 : "");
	else
		snprintf(out, outlen, "%.2s.%.2s.%.4s%s%.*s", iso + 8, iso + 5, iso,
			 has_time ? " " : "", has_time ? 5 : 0, has_time ? iso + 11 : "");
}

const char *html_stylesheet(void)
{
	return "*,*::before,*::after{box-sizing:border-box}\n"
	       "body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
	       "color:#1b1f24;background:#f4f6f8}\n"
	       "header{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:space-between;"
	       "align-items:center;padding:.75rem 1rem;background:#0b3d5c;color:#fff}\n"
	       "header a{color:#fff}\n.site{font-weight:600;text-decoration:none}\n"
	       "#languages a{margin-left:.6rem}\n#languages a[aria-current]{font-weight:700}\n"
	       "main{max-width:44rem;margin:0 auto;padding:1rem}\n"
	       "footer{max-width:44rem;margin:0 auto;padding:1rem;color:#52606d;font-size:.9rem}\n"
	       "h1{font-size:1.5rem;line-height:1.25}\n"
	       /* min-width:0: a fieldset is as wide as its widest content
		* (the file input) by default, 339 px at 320 (issue 16) */
	       "fieldset{border:1px solid #c9d2db;border-radius:.5rem;margin:0 0 1rem;"
	       "padding:.75rem 1rem;background:#fff;min-width:0}\n"
	       "legend{font-weight:600;padding:0 .25rem}\n"
	       "label{display:block;font-weight:600;margin:.75rem 0 .25rem}\n"
	       "label.choice{font-weight:400;margin:.35rem 0}\n"
	       "input[type=text],input[type=email],input[type=tel],textarea,select{width:100%;"
	       "max-width:100%;font:inherit;padding:.5rem;border:1px solid #8a99a8;"
	       "border-radius:.35rem;background:#fff}\n"
	       "textarea{min-height:8rem}\ninput[type=file]{max-width:100%}\n"
	       "main,footer{overflow-wrap:anywhere}\n"
	       ".hint{color:#52606d;font-size:.9rem;margin:.25rem 0}\n"
	       "button{font:inherit;font-weight:600;padding:.7rem 1.4rem;border:0;"
	       "border-radius:.4rem;background:#0b6e4f;color:#fff;cursor:pointer}\n"
	       ".error{color:#a4161a;font-weight:600;margin:.25rem 0}\n"
	       "#errors{border:2px solid #a4161a;background:#fff0f0;padding:.75rem 1rem;"
	       "border-radius:.5rem}\n"
	       ".receipt{display:block;font-size:1.35rem;letter-spacing:.08em;word-spacing:.3em;"
	       "padding:.75rem;background:#fff;border:2px dashed #0b3d5c;border-radius:.5rem;"
	       "overflow-wrap:anywhere}\n"
	       ".notice{background:#fff;border-left:4px solid #0b6e4f;padding:.75rem 1rem}\n"
	       "dl{background:#fff;padding:.75rem 1rem;border-radius:.5rem}\n"
	       "dt{font-weight:600}\ndd{margin:0 0 .5rem}\n"
	       "article.message{background:#fff;border-radius:.5rem;padding:.5rem 1rem;"
	       "margin:.5rem 0;overflow-wrap:anywhere}\n"
	       "article.from-staff{border-left:4px solid #0b3d5c}\n"
	       "article.from-reporter{border-left:4px solid #8a99a8}\n"
	       ".message p{white-space:pre-wrap}\n"
	       /* the organisation's face and the trust page (intake/trust.c) */
	       ".site{display:inline-flex;flex-wrap:wrap;align-items:center;gap:.2rem .5rem;"
	       "min-width:0;overflow-wrap:anywhere}\n"
	       ".logo{height:2rem;width:auto;max-width:8rem;background:#fff;border-radius:.2rem}\n"
	       ".org{font-weight:700}\n.line{font-weight:400}\n"
	       "#trust-link{font-weight:600}\n"
	       ".trust section{background:#fff;border-radius:.5rem;padding:.25rem 1rem;"
	       "margin:0 0 1rem;overflow-wrap:anywhere}\n"
	       ".trust .own{white-space:pre-line;margin:.75rem 0 1rem}\n"
	       ".trust h2{font-size:1.2rem}\n";
}
