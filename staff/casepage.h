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

/* The members of an investigation's commission, their names and
 * positions opened with key, the case's content key (staff/sealedtext.h:
 * without it, a notice): loaded before the page is written, written as
 * one <li> each ("name, position", escaped), freed (the opened texts
 * wiped). */
struct casepage_members;
struct casepage_members *casepage_members_load(struct staff_ctx *c, const struct content_key *key,
					       const char *inv_id) MUST_CHECK;
void casepage_members_put(struct staff_ctx *c, const struct casepage_members *m);
void casepage_members_free(struct casepage_members *m);
/* How many members m holds, and member i's name and position as opened
 * (for a document that lists them its own way: the printable conclusion). */
struct sealedtext;
size_t casepage_members_count(const struct casepage_members *m);
void casepage_member_texts(const struct casepage_members *m, size_t i,
			   const struct sealedtext **name, const struct sealedtext **position);

/* The report's own files of case_id (not those of messages), their names
 * and sizes opened with key, the case's content key: loaded before the
 * page is written; written as a list whose links are path followed by the
 * file's id (a route that checks who may download it), "no files", or
 * that they are sealed to the case's readers when key is NULL; freed with
 * the names wiped. */
struct casepage_files;
struct casepage_files *casepage_files_load(struct staff_ctx *c, const struct content_key *key,
					   const char *case_id) MUST_CHECK;
void casepage_files_put(struct staff_ctx *c, const struct casepage_files *fs, const char *path);
void casepage_files_free(struct casepage_files *fs);

/* The section of messages with the reporter, each opened with its own key
 * (sealed to the case-handling key); the reporter's messages with an id
 * above read_before marked new; the reply form for the compliance
 * manager. k needs id, reg_no and has_reporter_key. Loaded (rows kept,
 * texts and file names opened) before the page is written; freed with
 * the opened texts wiped. */
struct casefile;
struct casepage_messages;
struct casepage_messages *casepage_messages_load(struct staff_ctx *c,
						 const struct casefile *k) MUST_CHECK;
void casepage_messages_put(struct staff_ctx *c, const struct casefile *k,
			   const struct casepage_messages *m, long long read_before);
/* The route the messages' files link to, up to their id (a static
 * string): "/staff/case-file/" unless set. */
void casepage_messages_file_path(struct casepage_messages *m, const char *path);
void casepage_messages_free(struct casepage_messages *m);

/* <p id="ID">LABEL: document NO of DATE</p>: the documents of management's
 * decision and measures (004 p.7.11) on the case and commission pages. */
void casepage_doc_line(struct staff_ctx *c, const char *id, enum msg label, const char *doc,
		       const char *date);

/* The routes (GET /staff/case/REG_NO, GET /staff/case-file/ID). */
extern const struct staff_route staff_casepage_routes[];

#endif
