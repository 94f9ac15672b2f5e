#include "workflow/names.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A name is compared as a "key": the letters it is read with, whatever the
 * script. Cyrillic (Russian and Kazakh) and Latin (the passport
 * transliteration, the older "ya/zh/kh" one, Kazakh Latin of 2021 with its
 * ä ğ q ñ ö ş ū ü ı) become the same small alphabet: a e i o u for the
 * vowels (ә ä -> a, ө ö -> o, ұ ү ū ü -> u, и і ы й y ı -> i), the
 * consonants with their digraphs folded (ж zh j dzh дж -> Z, ч ch ç -> C,
 * ш щ sh shch sch ş -> S, ц ts tz тс -> c, х һ kh h -> h, қ q k c -> k,
 * ғ gh ğ g -> g, ң ñ -> ng), я ю ё -> ia iu e, ye -> e, and any doubled
 * key letter once (Кирилл, Kirill -> kiril). So "Kim Kirill" and
 * "Ким Кирилл", "Zhumabekov", "Jumabekov" and "Жұмабеков" have one key.
 * The key errs on the side of a match: a recusal that is not needed costs
 * a different member, a missed one costs the investigation. */

enum { KEY_SPACE = ' ' };

static uint32_t lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 0x20;
	if (c >= 0x410 && c <= 0x42f) /* А..Я */
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f) /* Ѐ..Џ, Ё, І */
		return c + 0x50;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7) /* Latin-1 capitals */
		return c + 0x20;
	switch (c) {
	case 0x4d8: /* Ә */
	case 0x492: /* Ғ */
	case 0x49a: /* Қ */
	case 0x4a2: /* Ң */
	case 0x4e8: /* Ө */
	case 0x4b0: /* Ұ */
	case 0x4ae: /* Ү */
	case 0x4ba: /* Һ */
	case 0x490: /* Ґ */
	case 0x11e: /* Ğ */
	case 0x15e: /* Ş */
	case 0x16a: /* Ū */
	case 0x17d: /* Ž */
	case 0x160: /* Š */
	case 0x10c: /* Č */
		return c + 1;
	case 0x130: /* İ */
		return 'i';
	default:
		return c;
	}
}

/* Decodes UTF-8 into lower-case code points; invalid bytes become spaces. */
static size_t decode(const char *s, size_t len, uint32_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		unsigned char b = (unsigned char)s[i];
		uint32_t c;
		size_t k;
		if (b < 0x80) {
			c = b;
			k = 1;
		} else if ((b & 0xe0) == 0xc0 && i + 1 < len) {
			c = ((uint32_t)(b & 0x1f) << 6) | ((unsigned char)s[i + 1] & 0x3f);
			k = 2;
		} else if ((b & 0xf0) == 0xe0 && i + 2 < len) {
			c = ((uint32_t)(b & 0x0f) << 12) | (((unsigned char)s[i + 1] & 0x3f) << 6) |
			    ((unsigned char)s[i + 2] & 0x3f);
			k = 3;
		} else {
			c = ' ';
			k = 1;
		}
		out[n++] = lower(c);
		i += k;
	}
	return n;
}

/* The key of one code point with what follows it (for digraphs): appends
 * to out, returns how many code points were read. */
static size_t key_of(const uint32_t *s, size_t n, char *out, size_t *o)
{
	uint32_t c = s[0], d = n > 1 ? s[1] : 0, e = n > 2 ? s[2] : 0, f = n > 3 ? s[3] : 0;
#define PUT(str)                                                                                   \
	do {                                                                                       \
		for (const char *p_ = (str); *p_; p_++)                                            \
			out[(*o)++] = *p_;                                                         \
	} while (0)
	switch (c) {
	/* Cyrillic, Russian and Kazakh */
	case 0x430: /* а */
	case 0x4d9: /* ә */
		PUT("a");
		return 1;
	case 0x431: /* б */
		PUT("b");
		return 1;
	case 0x432: /* в */
		PUT("v");
		return 1;
	case 0x433: /* г */
	case 0x493: /* ғ */
	case 0x491: /* ґ (Ukrainian names) */
		PUT("g");
		return 1;
	case 0x434: /* д; дж is one sound */
		if (d == 0x436) {
			PUT("Z");
			return 2;
		}
		PUT("d");
		return 1;
	case 0x435: /* е */
	case 0x451: /* ё */
	case 0x44d: /* э */
	case 0x454: /* є */
		PUT("e");
		return 1;
	case 0x436: /* ж */
		PUT("Z");
		return 1;
	case 0x437: /* з */
		PUT("z");
		return 1;
	case 0x438: /* и */
	case 0x439: /* й */
	case 0x456: /* і */
	case 0x457: /* ї */
	case 0x44b: /* ы */
		PUT("i");
		return 1;
	case 0x43a: /* к */
	case 0x49b: /* қ */
		PUT("k");
		return 1;
	case 0x43b: /* л */
		PUT("l");
		return 1;
	case 0x43c: /* м */
		PUT("m");
		return 1;
	case 0x43d: /* н */
		PUT("n");
		return 1;
	case 0x4a3: /* ң */
		PUT("ng");
		return 1;
	case 0x43e: /* о */
	case 0x4e9: /* ө */
		PUT("o");
		return 1;
	case 0x43f: /* п */
		PUT("p");
		return 1;
	case 0x440: /* р */
		PUT("r");
		return 1;
	case 0x441: /* с */
		PUT("s");
		return 1;
	case 0x442: /* т; тс reads as ц */
		if (d == 0x441) {
			PUT("c");
			return 2;
		}
		PUT("t");
		return 1;
	case 0x443: /* у */
	case 0x4b1: /* ұ */
	case 0x4af: /* ү */
	case 0x45e: /* ў */
		PUT("u");
		return 1;
	case 0x444: /* ф */
		PUT("f");
		return 1;
	case 0x445: /* х */
	case 0x4bb: /* һ */
		PUT("h");
		return 1;
	case 0x446: /* ц */
		PUT("c");
		return 1;
	case 0x447: /* ч */
		PUT("C");
		return 1;
	case 0x448: /* ш */
	case 0x449: /* щ */
		PUT("S");
		return 1;
	case 0x44a: /* ъ */
	case 0x44c: /* ь */
		return 1;
	case 0x44e: /* ю */
		PUT("iu");
		return 1;
	case 0x44f: /* я */
		PUT("ia");
		return 1;
	/* Latin, with the transliterations' digraphs */
	case 'a':
	case 0xe0: /* à */
	case 0xe1: /* á */
	case 0xe2: /* â */
	case 0xe4: /* ä */
		PUT("a");
		return 1;
	case 'e':
	case 0xe8: /* è */
	case 0xe9: /* é */
	case 0xea: /* ê */
	case 0xeb: /* ë */
		PUT("e");
		return 1;
	case 'i':
	case 0xec:  /* ì */
	case 0xed:  /* í */
	case 0xee:  /* î */
	case 0xef:  /* ï */
	case 0x131: /* ı */
		PUT("i");
		return 1;
	case 'o':
	case 0xf2: /* ò */
	case 0xf3: /* ó */
	case 0xf4: /* ô */
	case 0xf6: /* ö */
		PUT("o");
		return 1;
	case 'u':
	case 0xf9:  /* ù */
	case 0xfa:  /* ú */
	case 0xfb:  /* û */
	case 0xfc:  /* ü */
	case 0x16b: /* ū */
		PUT("u");
		return 1;
	case 'y': /* ye is е, yo ё; otherwise й, ы, the glide of я ю */
		if (d == 'e') {
			PUT("e");
			return 2;
		}
		if (d == 'o') {
			PUT("e");
			return 2;
		}
		PUT("i");
		return 1;
	case 'j':
		PUT("Z");
		return 1;
	case 'z':
		if (d == 'h') {
			PUT("Z");
			return 2;
		}
		PUT("z");
		return 1;
	case 0x17e: /* ž */
		PUT("Z");
		return 1;
	case 'd': /* dzh, dj, dž: дж */
		if (d == 'z' && e == 'h') {
			PUT("Z");
			return 3;
		}
		if (d == 'j' || d == 0x17e) {
			PUT("Z");
			return 2;
		}
		PUT("d");
		return 1;
	case 'c':
		if (d == 'h') {
			PUT("C");
			return 2;
		}
		if (d == 'k') {
			PUT("k");
			return 2;
		}
		PUT("k");
		return 1;
	case 0xe7:  /* ç */
	case 0x10d: /* č */
		PUT("C");
		return 1;
	case 's':
		if (d == 'h' && e == 'c' && f == 'h') {
			PUT("S");
			return 4;
		}
		if (d == 'c' && e == 'h') {
			PUT("S");
			return 3;
		}
		if (d == 'h') {
			PUT("S");
			return 2;
		}
		PUT("s");
		return 1;
	case 0x15f: /* ş */
	case 0x161: /* š */
		PUT("S");
		return 1;
	case 't':
		if (d == 's' || d == 'z') {
			PUT("c");
			return 2;
		}
		if (d == 'c' && e == 'h') {
			PUT("C");
			return 3;
		}
		PUT("t");
		return 1;
	case 'k':
		if (d == 'h') {
			PUT("h");
			return 2;
		}
		PUT("k");
		return 1;
	case 'q':
		PUT("k");
		return 1;
	case 'g':
		if (d == 'h') {
			PUT("g");
			return 2;
		}
		PUT("g");
		return 1;
	case 0x11f: /* ğ */
		PUT("g");
		return 1;
	case 0xf1: /* ñ */
		PUT("ng");
		return 1;
	case 'p':
		if (d == 'h') {
			PUT("f");
			return 2;
		}
		PUT("p");
		return 1;
	case 'w':
		PUT("v");
		return 1;
	case 'x':
		PUT("ks");
		return 1;
	case 'b':
	case 'f':
	case 'h':
	case 'l':
	case 'm':
	case 'n':
	case 'r':
	case 'v':
		out[(*o)++] = (char)c;
		return 1;
	case '-': /* inside a double surname */
		PUT("-");
		return 1;
	case '\'':
	case 0x2019:	  /* ’ */
		return 1; /* Kazakh Latin of 2018, Ukrainian names */
	default:
		PUT(" ");
		return 1;
	}
#undef PUT
}

/* The key of a text: words of key letters separated by single spaces, no
 * letter twice in a row. Returns its length; out holds at least 4 bytes
 * per code point plus 2. */
static size_t keyed(const uint32_t *s, size_t n, char *out)
{
	size_t o = 0;
	out[o++] = KEY_SPACE;
	for (size_t i = 0; i < n;) {
		char tmp[8];
		size_t t = 0;
		i += key_of(s + i, n - i, tmp, &t);
		for (size_t j = 0; j < t; j++) {
			if (tmp[j] == out[o - 1])
				continue; /* лл, ss, ии, the space between words */
			out[o++] = tmp[j];
		}
	}
	if (out[o - 1] != KEY_SPACE)
		out[o++] = KEY_SPACE;
	out[o] = '\0';
	return o;
}

/* The key of a UTF-8 string, malloc'ed. */
static char *key_string(const char *s, size_t len, size_t *klen)
{
	uint32_t *cp = malloc((len + 1) * sizeof(uint32_t));
	char *k = malloc(4 * len + 3);
	if (!cp || !k)
		abort();
	size_t n = decode(s, len, cp);
	*klen = keyed(cp, n, k);
	free(cp);
	return k;
}

/* The first letter of the word before (dir < 0) or after (dir > 0) the
 * word at p (p points at the space before it), or 0. */
static char neighbour(const char *hay, const char *p, size_t wlen, int dir)
{
	if (dir > 0) {
		const char *q = p + wlen; /* the space after the word's start */
		q = strchr(q, KEY_SPACE);
		return q && q[1] ? q[1] : 0;
	}
	if (p == hay)
		return 0;
	const char *q = p - 1;
	while (q > hay && *q != KEY_SPACE)
		q--;
	return *q == KEY_SPACE && q + 1 < p ? q[1] : 0;
}

struct person {
	char *key;
	size_t len;
	const char *words[8]; /* each at its leading space, within key */
	size_t wlen[8];	      /* length with the leading space */
	int n;
};

static void person_split(struct person *pp, const char *name)
{
	memset(pp, 0, sizeof(*pp));
	pp->key = key_string(name, strlen(name), &pp->len);
	for (const char *p = pp->key; p[0] && p[1] && pp->n < 8;) {
		const char *end = strchr(p + 1, KEY_SPACE);
		pp->words[pp->n] = p;
		pp->wlen[pp->n] = (size_t)(end - p);
		pp->n++;
		p = end;
	}
}

/* The person's surname w (a key word of three letters or more) starts a
 * word of hay; with corroborate, a word next to it (before or after) also
 * begins with the initial of another of the person's names ("К.К. Ким",
 * "Ким Кирилл"). */
static bool surname_in(const char *hay, const struct person *pp, int w, bool corroborate)
{
	if (pp->wlen[w] < 4) /* the space and three letters */
		return false;
	char word[64];
	size_t wl = pp->wlen[w] < sizeof(word) - 1 ? pp->wlen[w] : sizeof(word) - 1;
	memcpy(word, pp->words[w], wl);
	word[wl] = '\0';
	/* word begins with its space: it matches where a word of hay starts,
	 * and an inflected form too (Ахметовым, Ахметов) */
	for (const char *p = strstr(hay, word); p; p = strstr(p + 1, word)) {
		if (!corroborate)
			return true;
		char before = neighbour(hay, p, wl, -1), after = neighbour(hay, p, wl, 1);
		for (int i = 0; i < pp->n; i++) {
			char initial = pp->words[i][1];
			if (i != w && initial && (initial == before || initial == after))
				return true;
		}
	}
	return false;
}

bool names_mentioned(const char *text, size_t len, const char *person)
{
	size_t hlen;
	char *hay = key_string(text, len, &hlen);
	struct person pp;
	person_split(&pp, person);
	bool found = false;
	if (pp.n > 0) {
		/* "Surname Name Patronymic": the surname alone is enough */
		found = surname_in(hay, &pp, 0, false);
		/* "Name Surname", as Latin names are often written: its last
		 * word, when an initial or a name beside it agrees */
		if (!found && pp.n > 1)
			found = surname_in(hay, &pp, pp.n - 1, true);
		/* the whole name as written */
		if (!found && pp.len >= 5 && pp.len - 1 <= hlen) {
			pp.key[pp.len - 1] = '\0'; /* a prefix: inflected forms */
			found = strstr(hay, pp.key) != NULL;
		}
	}
	free(hay);
	free(pp.key);
	return found;
}

bool names_same_person(const char *a, const char *b)
{
	struct person x, y;
	person_split(&x, a);
	person_split(&y, b);
	bool same = x.n > 0 && y.n > 0 && x.wlen[0] == y.wlen[0] &&
		    memcmp(x.words[0], y.words[0], x.wlen[0]) == 0;
	/* the names and patronymics both give agree at least by initial */
	for (int i = 1; same && i < x.n && i < y.n; i++)
		same = x.words[i][1] == y.words[i][1];
	free(x.key);
	free(y.key);
	return same;
}
