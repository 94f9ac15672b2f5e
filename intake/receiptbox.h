/* The receipts of reports just sent, held in memory for the receipt page.
 *
 * A report's POST is answered 303 to GET /receipt (docs/http.md "The
 * receipt page"), so a reload or Back never sends it again; the receipt
 * itself goes into no URL, where a shared device's history would keep it.
 * The box keeps it under an opaque random token (the cookie the redirect
 * sets) for a short time, then wipes it. Nothing here is written to disk,
 * to the database or to the log.
 *
 * Pure: the caller says what time it is; the loop sweeps it now and then
 * (receiptbox_sweep) so that an expired receipt does not linger in memory
 * without traffic. */
#ifndef HOTLINE_INTAKE_RECEIPTBOX_H
#define HOTLINE_INTAKE_RECEIPTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/attr.h"
#include "crypto/receipt.h"

/* A token: the slot's number (4 hex digits) and 32 random bytes (64 hex
 * digits), NUL-ended. */
#define RECEIPTBOX_TOKEN_SIZE (4 + 64 + 1)

/* What the receipt page shows. */
struct receiptbox_entry {
	char receipt[RECEIPT_DIGITS + 1]; /* bare digits */
	char reg_no[32];
	char registered_at[32];	    /* Asia/Almaty, "YYYY-MM-DD HH:MM" */
	char director_involved[16]; /* "yes", "no" or "unknown", as the reporter said */
	char lang[4];		    /* the form's language: the page's unless ?lang= says */
};

struct receiptbox;

/* capacity: receipts held at most, 1..65536. NULL when out of memory. */
struct receiptbox *receiptbox_new(unsigned capacity) MUST_CHECK;
/* Wipes every receipt; NULL is a no-op. */
void receiptbox_free(struct receiptbox *box);

/* Keeps a copy of e until now + lifetime seconds and writes its token to
 * token (RECEIPTBOX_TOKEN_SIZE bytes). A full box gives up the oldest
 * receipt whose page was already shown, or failing that the oldest: a
 * receipt never shown is the last to go. */
void receiptbox_put(struct receiptbox *box, const struct receiptbox_entry *e, time_t now,
		    unsigned lifetime, char *token);

/* Copies the receipt under token to out and counts it as shown; false
 * when the token is malformed, unknown or expired (an expired one is wiped
 * at once). The token's secret part is compared in constant time. */
bool receiptbox_get(struct receiptbox *box, const char *token, time_t now,
		    struct receiptbox_entry *out) MUST_CHECK;

/* Wipes every receipt whose time is up; returns how many are left. */
unsigned receiptbox_sweep(struct receiptbox *box, time_t now);

#endif
