/* The organisation's face on the public pages and the trust page
 * (docs/http.md, "The trust page"): the settings of migration 0033, read
 * from the database into a copy the loop keeps, so that a public page
 * costs no query.
 *   - Every public GET calls trust_refresh(): when the copy is older than
 *     TRUST_MAX_AGE seconds, a read is sent in the background and the page
 *     is written with what was known (html_face_set(): the name and logo
 *     in the header).
 *   - The trust page (/trust, and /about and /privacy, the same page) reads
 *     the settings afresh for itself, so it shows what an administrator has
 *     just saved, and refreshes the copy on the way.
 *   - /logo answers from the copy, with the type the image's bytes have,
 *     nosniff, and caching keyed by its address (/logo?v=STAMP). */
#ifndef HOTLINE_INTAKE_TRUST_H
#define HOTLINE_INTAKE_TRUST_H

#include "base/attr.h"
#include "base/db.h"

struct request;
struct trust;

#define TRUST_MAX_AGE 5

struct trust *trust_new(struct db *db) MUST_CHECK;
void trust_free(struct trust *t);

/* A read in the background when the copy is stale (above). */
void trust_refresh(struct trust *t);

/* GET /trust, /about, /privacy: the page (waits for a fresh read). */
void trust_page(struct request *req);
/* GET /logo: the image, or 404 when there is none. */
void trust_logo(struct request *req);

#endif
