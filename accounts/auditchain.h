/* The audit log's hash chain checked in C (accounts/audit.h states the
 * rule): every row links to the one before and hashes to what its
 * contents give, and the head names the last row. One walk for
 * `hotlinectl audit verify` (ctl/staff_users.c, which also checks the
 * signed checkpoints) and the audit log page (staff/auditlog.c). */
#ifndef HOTLINE_ACCOUNTS_AUDITCHAIN_H
#define HOTLINE_ACCOUNTS_AUDITCHAIN_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "accounts/audit.h"
#include "base/attr.h"

struct audit_chain {
	long long rows;	   /* rows read (up to the broken one) */
	bool intact;	   /* every row and the head check out */
	long long broken;  /* the first row that does not; 0 with !intact: the head */
	char why[160];	   /* what is wrong with it, in English (the CLI's words) */
	long long last_id; /* the last row read */
	/* the hash of the last row that checked out (where a walk that
	 * stopped at max_rows goes on from) */
	unsigned char last_hash[AUDIT_HASH_BYTES];
	bool ended; /* the walk reached the last row and compared the head */
};

/* Called with each row that passed its checks, in id order. */
typedef void (*audit_chain_row_fn)(void *cls, long long id,
				   const unsigned char hash[AUDIT_HASH_BYTES]);

/* Walks hotline.audit_log on pg in id order, one row at a time (single-row
 * mode: a million rows never sit in memory), then compares the head. Run
 * it inside a snapshot (BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY):
 * otherwise a row appended between the walk and the head reads as a
 * broken end. row may be NULL. False when a query fails (why says how);
 * a broken chain is true with out->intact false. */
bool audit_chain_verify(PGconn *pg, struct audit_chain *out, audit_chain_row_fn row,
			void *cls) MUST_CHECK;

/* The same from the row after after_id, which must link to prev (the hash
 * of row after_id, checked by an earlier walk; 0 and all zero: the
 * start), for at most max_rows rows (0: to the end). The head is compared
 * only when the walk reached the end (out->ended): a long log is checked
 * a stretch at a time (the audit log page). */
bool audit_chain_verify_from(PGconn *pg, long long after_id,
			     const unsigned char prev[AUDIT_HASH_BYTES], long long max_rows,
			     struct audit_chain *out, audit_chain_row_fn row, void *cls) MUST_CHECK;

#endif
