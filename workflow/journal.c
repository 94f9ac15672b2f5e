#include "workflow/journal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool journal_format_reg_no(int year, int seq, char out[JOURNAL_REG_NO_SIZE])
{
	if (year < 2000 || year > 9999 || seq < 1 || seq > JOURNAL_SEQ_MAX)
		return false;
	snprintf(out, JOURNAL_REG_NO_SIZE, "%04d-%06d", year, seq);
	return true;
}

bool journal_parse_reg_no(const char *s, int *year, int *seq)
{
	size_t len = strlen(s);
	/* YYYY-NNNNNN; seven or eight digits only from 1,000,000 on (no leading 0) */
	if (len < 11 || len > 13 || s[4] != '-' || (len > 11 && s[5] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return false;
	}
	*year = atoi(s);
	*seq = atoi(s + 5);
	return *year >= 2000 && *seq >= 1;
}

/* Days since 1970-01-01 to a civil year (Howard Hinnant's algorithm). */
static int year_of_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	return (int)(y + (m <= 2));
}

int journal_year(int64_t t)
{
	/* Kazakhstan moved to a single zone, UTC+5, on 2024-03-01 00:00 local
	 * (2024-02-29 18:00 UTC); Almaty was UTC+6 before. */
	const int64_t switch_utc = 1709229600;
	int64_t offset = t >= switch_utc ? 5 * 3600 : 6 * 3600;
	int64_t local = t + offset;
	int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	return year_of_days(days);
}

void journal_canonical(struct buf *out, const char *reg_no, int64_t registered_us,
		       const char *channel, const unsigned char digest[JOURNAL_HASH_BYTES])
{
	char hex[2 * JOURNAL_HASH_BYTES + 1];
	digest_hex(digest, JOURNAL_HASH_BYTES, hex);
	buf_printf(out, "v1|%s|%" PRId64 "|%s|%s", reg_no, registered_us, channel, hex);
}

void journal_row_hash(const unsigned char prev[JOURNAL_HASH_BYTES], const char *canonical,
		      size_t len, unsigned char out[JOURNAL_HASH_BYTES])
{
	struct buf b;
	buf_init(&b);
	buf_add(&b, prev, JOURNAL_HASH_BYTES);
	buf_add(&b, canonical, len);
	digest_sha256(b.data, b.len, out);
	buf_reset(&b);
}

void journal_content_digest(const unsigned char *key_sealed, size_t key_len,
			    const unsigned char *content, size_t content_len,
			    const unsigned char *identity, size_t identity_len,
			    unsigned char out[JOURNAL_HASH_BYTES])
{
	struct buf b;
	buf_init(&b);
	buf_add(&b, key_sealed, key_len);
	buf_add(&b, content, content_len);
	if (identity)
		buf_add(&b, identity, identity_len);
	digest_sha256(b.data ? b.data : "", b.len, out);
	buf_reset(&b);
}
