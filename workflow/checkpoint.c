#include "workflow/checkpoint.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAGIC "hotline-checkpoint v1 "
#define SIG_SEP " sig="

static void put_head(struct buf *out, const char *name, const struct checkpoint_head *h)
{
	char hex[2 * DIGEST_BYTES + 1];
	digest_hex(h->hash, DIGEST_BYTES, hex);
	buf_printf(out, " %s=%lld:%s", name, h->row, hex);
}

void checkpoint_format(struct buf *out, const struct checkpoint *cp, const struct sign_secret *sk)
{
	struct sign_public pk;
	char key_id[SIGN_KEY_ID_SIZE], sig[SIGN_B64_SIZE], at[32];
	sign_secret_public(sk, &pk);
	sign_key_id(&pk, key_id);
	time_t t = (time_t)cp->at;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	struct buf text;
	buf_init(&text);
	buf_printf(&text, MAGIC "at=%s", at);
	put_head(&text, "journal", &cp->journal);
	put_head(&text, "audit", &cp->audit);
	buf_printf(&text, " key=%s", key_id);
	sign_text(sk, text.data, text.len, sig);
	buf_add(out, text.data, text.len);
	buf_printf(out, SIG_SEP "%s", sig);
	buf_reset(&text);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "name=ROW:HEX" at *p, followed by a space; advances *p past the space. */
static bool take_head(const char **p, const char *name, struct checkpoint_head *h)
{
	size_t n = strlen(name);
	if (strncmp(*p, name, n) != 0 || (*p)[n] != '=')
		return false;
	const char *s = *p + n + 1;
	if (*s < '0' || *s > '9')
		return false;
	char *end;
	long long row = strtoll(s, &end, 10);
	if (*end != ':' || row < 0 || end - s > 18)
		return false;
	s = end + 1;
	for (size_t i = 0; i < DIGEST_BYTES; i++) {
		int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		h->hash[i] = (unsigned char)(hi << 4 | lo);
	}
	s += 2 * DIGEST_BYTES;
	if (*s != ' ')
		return false;
	h->row = row;
	*p = s + 1;
	return true;
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		if (why && whylen)                                                                 \
			snprintf(why, whylen, __VA_ARGS__);                                        \
		return false;                                                                      \
	} while (0)

bool checkpoint_verify(const char *line, const struct sign_public *pk, struct checkpoint *out,
		       char *why, size_t whylen)
{
	char copy[CHECKPOINT_LINE_MAX + 1];
	size_t len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	if (len > CHECKPOINT_LINE_MAX)
		FAIL("not a checkpoint line (too long)");
	memcpy(copy, line, len);
	copy[len] = '\0';
	if (strncmp(copy, MAGIC, strlen(MAGIC)) != 0)
		FAIL("not a checkpoint line (it must start with \"hotline-checkpoint v1\")");
	const char *p = copy + strlen(MAGIC);
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (strncmp(p, "at=", 3) != 0)
		FAIL("checkpoint line: no at=");
	const char *rest = strptime(p + 3, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!rest || *rest != ' ')
		FAIL("checkpoint line: at= is not a UTC time");
	out->at = (int64_t)timegm(&tm);
	p = rest + 1;
	if (!take_head(&p, "journal", &out->journal) || !take_head(&p, "audit", &out->audit))
		FAIL("checkpoint line: journal= or audit= is not ROW:64 hex digits");
	if (strncmp(p, "key=", 4) != 0 || strlen(p) < 4 + SIGN_KEY_ID_SIZE - 1)
		FAIL("checkpoint line: no key=");
	memcpy(out->key_id, p + 4, SIGN_KEY_ID_SIZE - 1);
	out->key_id[SIGN_KEY_ID_SIZE - 1] = '\0';
	p += 4 + SIGN_KEY_ID_SIZE - 1;
	if (strncmp(p, SIG_SEP, strlen(SIG_SEP)) != 0)
		FAIL("checkpoint line: no sig=");
	char want_id[SIGN_KEY_ID_SIZE];
	sign_key_id(pk, want_id);
	if (strcmp(want_id, out->key_id) != 0)
		FAIL("the checkpoint was signed by key %s, not by the given public key (%s)",
		     out->key_id, want_id);
	if (!sign_text_verify(pk, copy, (size_t)(p - copy), p + strlen(SIG_SEP)))
		FAIL("the checkpoint's signature is not valid: the line was altered or forged");
	return true;
}

void checkpoint_mail(struct buf *subject, struct buf *body, const char *line,
		     const char *organisation, long long journal_rewritten,
		     long long audit_rewritten)
{
	bool alarm = journal_rewritten || audit_rewritten;
	if (alarm)
		buf_puts(subject, "ВНИМАНИЕ: журнал изменён задним числом / "
				  "НАЗАР АУДАРЫҢЫЗ: журнал кейін өзгертілген — ");
	buf_puts(subject, "Контрольная точка журналов горячей линии / "
			  "Сенім желісі журналдарының бақылау нүктесі");
	if (organisation && *organisation)
		buf_printf(body, "%s\n\n", organisation);
	if (alarm) {
		buf_puts(body, "ВНИМАНИЕ: со времени предыдущей контрольной точки изменены или "
			       "удалены записи:");
		if (journal_rewritten)
			buf_printf(body, " журнал регистрации обращений, запись %lld;",
				   journal_rewritten);
		if (audit_rewritten)
			buf_printf(body, " журнал аудита, запись %lld;", audit_rewritten);
		buf_puts(body, " проверьте журналы (hotlinectl journal verify / audit verify "
			       "--checkpoint) и сохраните предыдущие письма.\n\n"
			       "НАЗАР АУДАРЫҢЫЗ: алдыңғы бақылау нүктесінен бері жазбалар "
			       "өзгертілген немесе жойылған:");
		if (journal_rewritten)
			buf_printf(body, " өтініштерді тіркеу журналы, %lld-жазба;",
				   journal_rewritten);
		if (audit_rewritten)
			buf_printf(body, " аудит журналы, %lld-жазба;", audit_rewritten);
		buf_puts(body, " журналдарды тексеріңіз (hotlinectl journal verify / audit verify "
			       "--checkpoint) және алдыңғы хаттарды сақтаңыз.\n\n");
	}
	buf_puts(body,
		 "Горячая линия подписала текущее состояние журнала регистрации обращений и "
		 "журнала аудита. Сохраните это письмо вне сервера горячей линии: по нему "
		 "можно проверить, что записи журналов не были удалены или изменены задним "
		 "числом (hotlinectl journal verify / audit verify --checkpoint).\n\n"
		 "Сенім желісі өтініштерді тіркеу журналы мен аудит журналының қазіргі күйіне "
		 "қол қойды. Бұл хатты сенім желісінің серверінен тыс сақтаңыз: ол арқылы "
		 "журнал жазбаларының кейін жойылмағанын немесе өзгертілмегенін тексеруге "
		 "болады (hotlinectl journal verify / audit verify --checkpoint).\n\n");
	buf_printf(body, "%s\n", line);
}
