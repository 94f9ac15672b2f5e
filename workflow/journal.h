/* The journal of appeals, the logic side: registration numbers and the hash
 * chain. The numbering itself happens in the database
 * (hotline.register_case, migrations/0001_init.sql) so that it is gap-free
 * under concurrency and rollback; this module states the same rules in C so
 * they can be verified independently (`hotlinectl journal verify`). */
#ifndef HOTLINE_WORKFLOW_JOURNAL_H
#define HOTLINE_WORKFLOW_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"
#include "base/buf.h"

#define JOURNAL_HASH_BYTES DIGEST_BYTES
#define JOURNAL_REG_NO_SIZE 16
/* The highest number of a year this code writes and reads back. */
#define JOURNAL_SEQ_MAX 99999999

/* "2026-000017": six digits, zero-padded, and all the digits from
 * 1,000,000 on ("2026-1000000"), as hotline.register_case writes them
 * (migrations/0009_reg_no_digits.sql). False if the year or number is out
 * of range. */
bool journal_format_reg_no(int year, int seq, char out[JOURNAL_REG_NO_SIZE]);
/* Reverse of the above; false for anything else. */
bool journal_parse_reg_no(const char *reg_no, int *year, int *seq);

/* The year a registration belongs to: its calendar year in Asia/Almaty
 * (UTC+5 since 2024-03-01; UTC+6 before). */
int journal_year(int64_t epoch_seconds);

/* v1|<reg_no>|<registered_at µs since the epoch>|<channel>|<hex content digest> */
void journal_canonical(struct buf *out, const char *reg_no, int64_t registered_us,
		       const char *channel, const unsigned char digest[JOURNAL_HASH_BYTES]);

/* row_hash = sha256(prev_hash || canonical) */
void journal_row_hash(const unsigned char prev[JOURNAL_HASH_BYTES], const char *canonical,
		      size_t len, unsigned char out[JOURNAL_HASH_BYTES]);

/* content_digest = sha256(content_key_sealed || content || identity_sealed) */
void journal_content_digest(const unsigned char *key_sealed, size_t key_len,
			    const unsigned char *content, size_t content_len,
			    const unsigned char *identity, size_t identity_len,
			    unsigned char out[JOURNAL_HASH_BYTES]);

#endif
