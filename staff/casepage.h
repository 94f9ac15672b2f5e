/* The case page (/staff/case/REG_NO) of the compliance manager, the
 * director and the alternate recipient, and the download of its files
 * (/staff/case-file/ID): journal data, the decrypted report, files,
 * timeline and deadlines, messages with the reporter, internal notes, the
 * investigation with its commission and requests for materials, and the
 * forms of the steps the user's roles may take. Every view and download
 * is audited before anything is shown. */
#ifndef HOTLINE_STAFF_CASEPAGE_H
#define HOTLINE_STAFF_CASEPAGE_H

#include "staff/staff.h"

struct content_key;

/* Shows the case page with status and, when error is not NULL, that error
 * above the forms (a step that was refused). Answers 404 for a case the
 * user may not see. */
void casepage_show(struct staff_ctx *c, const char *reg_no, unsigned status, const char *error);

/* Links the case pages' stylesheet (/staff/case.css); right after
 * staff_page_begin(). */
void casepage_stylesheet(struct staff_ctx *c);

/* Opens <section id="ID"> with TITLE as its <h2>, as the case pages
 * and the director's, the commission's and the custodian's pages do; the
 * caller closes it. */
void casepage_section(struct staff_ctx *c, const char *id, enum msg title);

/* The <li> of each member of the investigation's commission ("name,
 * position"), escaped; names and positions are opened with key, the
 * case's content key (staff/sealedtext.h: without it, a notice). */
void casepage_members(struct staff_ctx *c, const struct content_key *key, const char *inv_id);

/* The section of messages with the reporter, each opened with its own key
 * (sealed to the case-handling key); the reporter's messages with an id
 * above read_before marked new; the reply form for the compliance
 * manager. k needs id, reg_no and has_reporter_key. */
struct casefile;
void casepage_messages(struct staff_ctx *c, const struct casefile *k, long long read_before);

/* <p id="ID">LABEL: document NO of DATE</p>: the documents of management's
 * decision and measures (004 p.7.11) on the case and commission pages. */
void casepage_doc_line(struct staff_ctx *c, const char *id, enum msg label, const char *doc,
		       const char *date);

/* The routes (GET /staff/case/REG_NO, GET /staff/case-file/ID). */
extern const struct staff_route staff_casepage_routes[];

#endif
