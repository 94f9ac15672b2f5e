/* The case page and its files: see casepage.h. */
#include "staff/casepage.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "crypto/seal.h"
#include "crypto/secret.h"
#include "staff/casefile.h"
#include "staff/coverletter.h"
#include "staff/sealedtext.h"
#include "workflow/calendar.h"
#include "workflow/names.h"
#include "workflow/procedure.h"
#include "workflow/states.h"
#include "workflow/wfdb.h"
#include "base/schema.h"

static const char sql_content[] = "SELECT content FROM hotline.cases WHERE id = $1";
static const char sql_files[] =
    "SELECT id, meta, coalesce(clean_state, '') AS clean_state FROM hotline.attachments "
    "WHERE case_id = $1 AND message_id IS NULL ORDER BY id";
static const char sql_messages[] =
    "SELECT m.id, m.author, to_char(m.created_at AT TIME ZONE " SQL_ZONE ", "
    "'YYYY-MM-DD HH24:MI') AS created, m.key_sealed, m.body_case, "
    "coalesce(m.staff_login, '') AS staff_login, m.is_reply "
    "FROM hotline.messages m WHERE m.case_id = $1 ORDER BY m.id";
static const char sql_message_files[] =
    "SELECT id, message_id, meta, coalesce(clean_state, '') AS clean_state "
    "FROM hotline.attachments WHERE case_id = $1 AND message_id IS NOT NULL ORDER BY id";
static const char sql_notes[] =
    "SELECT author_login, to_char(created_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI') "
    "AS created, body FROM hotline.case_notes WHERE case_id = $1 ORDER BY id";
/* by_name: the display name of the account that took the step, when the
 * event names one ("by", a login) */
static const char sql_events[] =
    "SELECT to_char(e.at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI') AS at, e.kind, "
    "e.detail::text AS detail, coalesce(u.display_name, e.detail->>'by', '') AS by_name "
    "FROM hotline.case_events e LEFT JOIN hotline.staff_users u ON u.login = e.detail->>'by' "
    "WHERE e.case_id = $1 ORDER BY e.id";
static const char sql_deadlines[] =
    "SELECT kind, to_char(due_date, 'YYYY-MM-DD') AS due, "
    "coalesce(to_char(met_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI'), '') AS met_at, "
    "voided "
    "FROM hotline.deadlines WHERE case_id = $1 ORDER BY due_date, id";
/* norms: the clear value of rows written before migration 0022 */
static const char sql_investigation[] =
    "SELECT id, order_no, to_char(order_date, 'YYYY-MM-DD') AS order_date, state, "
    "to_char(due_date, 'YYYY-MM-DD') AS due_date, extended, coalesce(decision, '') AS decision, "
    "coalesce(norms, '') AS norms, conclusion_key_sealed, conclusion, proposed_measures, "
    "coalesce(decision_doc, '') AS decision_doc, "
    "coalesce(to_char(decision_date, 'YYYY-MM-DD'), '') AS decision_date, "
    "coalesce(measures_doc, '') AS measures_doc, "
    "coalesce(to_char(measures_date, 'YYYY-MM-DD'), '') AS measures_date, "
    "coalesce(to_char(submitted_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD'), '') "
    "AS submitted_at, norms_sealed FROM hotline.investigations WHERE case_id = $1";
/* name and position are sealed under the case's key; name, position: the
 * clear values of rows written before migration 0022 */
static const char sql_members[] =
    "SELECT name_sealed, name, position_sealed, position FROM hotline.commission_members "
    "WHERE investigation_id = $1 ORDER BY id";
static const char sql_extensions[] =
    "SELECT consent_doc, to_char(consent_date, 'YYYY-MM-DD') AS consent_date, consented_by, "
    "to_char(old_due_date, 'YYYY-MM-DD') AS old_due_date, "
    "to_char(new_due_date, 'YYYY-MM-DD') AS new_due_date "
    "FROM hotline.investigation_extensions WHERE investigation_id = $1 ORDER BY id";
static const char sql_requests[] =
    "SELECT addressee_sealed, addressee, what_sealed, what, "
    "to_char(requested_on, 'YYYY-MM-DD') AS requested_on, "
    "to_char(due_date, 'YYYY-MM-DD') AS due_date, received_at IS NOT NULL AS received "
    "FROM hotline.material_requests WHERE investigation_id = $1 ORDER BY id";
/* The typed facts of the case itself: the unit it was referred to and the
 * body it was forwarded to, sealed; the clear columns hold only texts
 * written before migration 0022. */
static const char sql_sealed_facts[] =
    "SELECT referred_unit_sealed, referred_unit, forwarded_to_sealed, forwarded_to, "
    "forwarded_at IS NOT NULL AS forwarded FROM hotline.cases WHERE id = $1";
static const char sql_commission_users[] =
    "SELECT login, display_name FROM hotline.staff_users WHERE 'commission' = ANY (roles) "
    "AND NOT disabled ORDER BY display_name";

static bool has_role(const struct staff_ctx *c, enum role r)
{
	return (c->user->roles & ROLE_BIT(r)) != 0;
}

static bool decides(const struct staff_ctx *c)
{
	return has_role(c, ROLE_DIRECTOR) || has_role(c, ROLE_ALTERNATE);
}

/* --- decrypting --- */

static json_t *decrypt_json(const struct content_key *key, const PGresult *res, int row, int col)
{
	unsigned char *plain = NULL;
	size_t plen = 0;
	json_t *j = NULL;
	if (casefile_decrypt(key, res, row, col, &plain, &plen)) {
		j = json_loadb((const char *)plain, plen, 0, NULL);
		secret_wipe(plain, plen);
		free(plain);
	}
	return j;
}

/* --- sections --- */

void casepage_section(struct staff_ctx *c, const char *id, enum msg title)
{
	staff_html(c, "<section id=\"%s\"><h2>", id);
	staff_text(c, title);
	staff_html(c, "</h2>\n");
}

static void dt(struct staff_ctx *c, enum msg label)
{
	staff_html(c, "<dt>");
	staff_text(c, label);
	staff_html(c, "</dt><dd>");
}

/* A <dd> of plain text after its label. */
static void dd_text(struct staff_ctx *c, enum msg label, const char *text)
{
	dt(c, label);
	staff_esc(c, text);
	staff_html(c, "</dd>\n");
}

static void paragraph(struct staff_ctx *c, enum msg text)
{
	staff_html(c, "<p>");
	staff_text(c, text);
	staff_html(c, "</p>\n");
}

static void subheading(struct staff_ctx *c, enum msg title)
{
	staff_html(c, "<h3>");
	staff_text(c, title);
	staff_html(c, "</h3>\n");
}

/* The form of a step on this case: posts to /staff/STEP/REG_NO. */
static void case_form_open(struct staff_ctx *c, const char *step, const struct casefile *k)
{
	char action[64];
	snprintf(action, sizeof(action), "/staff/%s/%s", step, k->reg_no);
	staff_form_open(c, action, false);
}

/* The submit button and the end of the form. */
static void submit_form_end(struct staff_ctx *c, const char *id, enum msg label)
{
	staff_html(c, "<p><button type=\"submit\" id=\"%s\">", id);
	staff_text(c, label);
	staff_html(c, "</button></p>\n</form>\n");
}

/* The four decisions of 004 p.7.11 and their words. */

/* --- the view: what the page shows, loaded before any of it is written --- */

/* Aborts when out of memory, as the page's buffer does (base/buf.c). */
static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

/* One file of the case or of a message: its id (in the view's result) and
 * its name and size from its meta, opened with the key that opens it. */
struct casepage_file {
	const char *id;
	char *name; /* NULL when unnamed or not opened; wiped when freed */
	long long size;
	const char *clean; /* hotline.attachments.clean_state: "cleaned", "kept" or "" */
};

static void file_open(struct casepage_file *f, const struct content_key *key, const PGresult *res,
		      int row, int id_col, int meta_col)
{
	json_t *meta = decrypt_json(key, res, row, meta_col);
	const char *name = json_string_value(json_object_get(meta, "name"));
	f->id = PQgetvalue(res, row, id_col);
	f->clean = PQgetvalue(res, row, db_col(res, "clean_state"));
	f->name = name ? strdup(name) : NULL;
	if (name && !f->name)
		abort();
	f->size = (long long)json_integer_value(json_object_get(meta, "size"));
	json_decref(meta);
}

static void files_free(struct casepage_file *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++)
		freetext_free(f[i].name);
	free(f);
}

/* The messages with the reporter: the rows of sql_messages and
 * sql_message_files (kept until casepage_messages_free()), each message's
 * text and files opened with its own key. */
struct casepage_message {
	bool has_key; /* its key opened */
	struct sealedtext body;
	struct casepage_file *files;
	size_t nfiles;
};

struct casepage_messages {
	PGresult *res, *files;
	const char *file_path; /* the files' download route, up to their id */
	int n;
	int id, author, created, login, is_reply;
	struct casepage_message *m;
};

/* The members of an investigation's commission, as the reader sees them. */
struct casepage_member {
	struct sealedtext name, position;
};

struct casepage_members {
	size_t n;
	struct casepage_member *m;
};

/* The investigation, its commission, extensions and requests; from its
 * submission, the conclusion. */
struct casepage_investigation {
	PGresult *res; /* one row, or NULL when none was ordered */
	int id, order_no, order_date, state, due_date, extended, norms, decision, decision_doc,
	    decision_date, measures_doc, measures_date, submitted_at;
	char inv_state[32], due[11], decision_name[24];
	bool norms_sealed;
	struct sealedtext norms_text; /* when norms_sealed: under the conclusion's key */
	struct casepage_members *members;
	PGresult *extensions;
	PGresult *requests;
	int r_requested, r_due, r_received;
	struct sealedtext *addressee, *what; /* per request */
	bool submitted;			     /* its state is "submitted" or later */
	bool has_findings, has_proposed;
	struct sealedtext findings, proposed;
};

/* Everything the case page shows, read in the page's transaction after the
 * view was audited; casepage_view_free() releases it and wipes what was
 * decrypted. The PGresults are kept: the page writes from them. */
struct casepage_view {
	struct casefile k;
	long long read_before;
	struct calendar *cal;
	char today[11];
	struct content_key *key; /* the case's content key; NULL: not opened */
	bool named;		 /* the report names this compliance manager */
	bool has_facts;
	bool has_unit, has_forwarded_to; /* sealed or clear value present */
	struct sealedtext unit, forwarded_to;
	bool forwarded; /* where the case went was recorded */
	int unread;
	PGresult *claims;
	bool considered; /* the triage of an anonymous appeal may say corruption */
	json_t *content; /* the report, when the key opens it */
	PGresult *files;
	struct casepage_file *file; /* when key: one per row of files */
	struct casepage_messages *messages;
	PGresult *related;
	struct casepage_investigation inv;
	PGresult *commission_users; /* for the order form */
	PGresult *notes;
	struct sealedtext *note; /* one per row of notes */
	PGresult *deadlines, *events;
};

/* --- loading --- */

struct casepage_members *casepage_members_load(struct staff_ctx *c, const struct content_key *key,
					       const char *inv_id)
{
	struct casepage_members *m = xcalloc(1, sizeof(*m));
	const char *v[1] = {inv_id};
	PGresult *res = casefile_query(c, sql_members, 1, v);
	if (res) {
		int name_sealed = db_col(res, "name_sealed"), name = db_col(res, "name");
		int pos_sealed = db_col(res, "position_sealed"), pos = db_col(res, "position");
		m->n = (size_t)PQntuples(res);
		m->m = xcalloc(m->n, sizeof(*m->m));
		for (size_t i = 0; i < m->n; i++) {
			sealedtext_open(&m->m[i].name, key, res, (int)i, name_sealed, name);
			sealedtext_open(&m->m[i].position, key, res, (int)i, pos_sealed, pos);
		}
	}
	PQclear(res);
	return m;
}

size_t casepage_members_count(const struct casepage_members *m)
{
	return m ? m->n : 0;
}

void casepage_member_texts(const struct casepage_members *m, size_t i,
			   const struct sealedtext **name, const struct sealedtext **position)
{
	*name = &m->m[i].name;
	*position = &m->m[i].position;
}

void casepage_members_free(struct casepage_members *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		sealedtext_free(&m->m[i].name);
		sealedtext_free(&m->m[i].position);
	}
	free(m->m);
	free(m);
}

struct casepage_messages *casepage_messages_load(struct staff_ctx *c, const struct casefile *k)
{
	struct casepage_messages *ms = xcalloc(1, sizeof(*ms));
	ms->file_path = "/staff/case-file/";
	const char *v[1] = {k->id};
	ms->res = casefile_query(c, sql_messages, 1, v);
	ms->files = casefile_query(c, sql_message_files, 1, v);
	ms->n = ms->res ? PQntuples(ms->res) : 0;
	ms->m = xcalloc((size_t)ms->n, sizeof(*ms->m));
	if (ms->n == 0)
		return ms;
	ms->id = db_col(ms->res, "id");
	ms->author = db_col(ms->res, "author");
	ms->created = db_col(ms->res, "created");
	ms->login = db_col(ms->res, "staff_login");
	ms->is_reply = db_col(ms->res, "is_reply");
	int key_sealed = db_col(ms->res, "key_sealed"), body = db_col(ms->res, "body_case");
	int nfiles = ms->files ? PQntuples(ms->files) : 0;
	int f_id = ms->files ? db_col(ms->files, "id") : -1;
	int f_message = ms->files ? db_col(ms->files, "message_id") : -1;
	int f_meta = ms->files ? db_col(ms->files, "meta") : -1;
	for (int i = 0; i < ms->n; i++) {
		struct casepage_message *m = &ms->m[i];
		struct content_key *mk = casefile_sealed_key(c, ms->res, i, key_sealed);
		m->has_key = mk != NULL;
		sealedtext_open_sealed(&m->body, mk, ms->res, i, body);
		const char *id = PQgetvalue(ms->res, i, ms->id);
		m->files = mk ? xcalloc((size_t)nfiles, sizeof(*m->files)) : NULL;
		for (int f = 0; mk && f < nfiles; f++) {
			if (strcmp(PQgetvalue(ms->files, f, f_message), id) == 0)
				file_open(&m->files[m->nfiles++], mk, ms->files, f, f_id, f_meta);
		}
		content_key_free(mk);
	}
	return ms;
}

void casepage_messages_file_path(struct casepage_messages *ms, const char *path)
{
	ms->file_path = path;
}

void casepage_messages_free(struct casepage_messages *ms)
{
	if (!ms)
		return;
	for (int i = 0; i < ms->n; i++) {
		sealedtext_free(&ms->m[i].body);
		files_free(ms->m[i].files, ms->m[i].nfiles);
	}
	free(ms->m);
	PQclear(ms->res);
	PQclear(ms->files);
	free(ms);
}

static void load_facts(struct staff_ctx *c, struct casepage_view *v)
{
	const char *p[1] = {v->k.id};
	PGresult *sf = casefile_query(c, sql_sealed_facts, 1, p);
	v->has_facts = sf && PQntuples(sf) == 1;
	if (v->has_facts) {
		int unit_sealed = db_col(sf, "referred_unit_sealed");
		int unit = db_col(sf, "referred_unit");
		int to_sealed = db_col(sf, "forwarded_to_sealed"), to = db_col(sf, "forwarded_to");
		v->has_unit = !(PQgetisnull(sf, 0, unit_sealed) && PQgetisnull(sf, 0, unit));
		if (v->has_unit)
			sealedtext_open(&v->unit, v->key, sf, 0, unit_sealed, unit);
		v->has_forwarded_to = !(PQgetisnull(sf, 0, to_sealed) && PQgetisnull(sf, 0, to));
		if (v->has_forwarded_to)
			sealedtext_open(&v->forwarded_to, v->key, sf, 0, to_sealed, to);
		v->forwarded = strcmp(PQgetvalue(sf, 0, db_col(sf, "forwarded")), "t") == 0;
	}
	PQclear(sf);
}

/* How many of the reporter's messages this view marked read. */
static void load_unread(struct staff_ctx *c, struct casepage_view *v)
{
	static const char sql_unread[] = "SELECT hotline.case_unread_messages($1, $2) AS unread";
	char upto[24];
	snprintf(upto, sizeof(upto), "%lld", v->read_before);
	const char *p[2] = {v->k.id, upto};
	PGresult *res = casefile_query(c, sql_unread, 2, p);
	v->unread =
	    res && PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, db_col(res, "unread"))) : 0;
	PQclear(res);
}

/* A mail that quoted another case's number without proving it came from
 * that reporter was registered as this new appeal (docs/mail-intake.md,
 * "Follow-ups"): only the number is read, nothing of the claimed case. */
static void load_claims(struct staff_ctx *c, struct casepage_view *v)
{
	static const char sql_claims[] =
	    "SELECT detail->>'claims' AS claims FROM hotline.case_events "
	    "WHERE case_id = $1 AND kind = 'followup_unproven' ORDER BY id";
	const char *p[1] = {v->k.id};
	v->claims = casefile_query(c, sql_claims, 1, p);
}

static void load_content(struct staff_ctx *c, struct casepage_view *v)
{
	if (!v->key)
		return;
	const char *p[1] = {v->k.id};
	PGresult *res = casefile_query(c, sql_content, 1, p);
	v->content = res && PQntuples(res) == 1
			 ? decrypt_json(v->key, res, 0, db_col(res, "content"))
			 : NULL;
	PQclear(res);
}

static void load_files(struct staff_ctx *c, struct casepage_view *v)
{
	const char *p[1] = {v->k.id};
	v->files = casefile_query(c, sql_files, 1, p);
	int n = v->files ? PQntuples(v->files) : 0;
	if (n == 0 || !v->key)
		return;
	int id = db_col(v->files, "id"), meta = db_col(v->files, "meta");
	v->file = xcalloc((size_t)n, sizeof(*v->file));
	for (int i = 0; i < n; i++)
		file_open(&v->file[i], v->key, v->files, i, id, meta);
}

/* Appeals related to an investigation (004 L139): on the investigated
 * case, the appeals attached to it; on an appeal, the investigation it is
 * attached to. */
static void load_related(struct staff_ctx *c, struct casepage_view *v)
{
	static const char sql_related[] =
	    "SELECT j.reg_no, 'attached' AS relation FROM hotline.related_appeals r "
	    "JOIN hotline.investigations i ON i.id = r.investigation_id "
	    "JOIN hotline.cases a ON a.id = r.case_id JOIN hotline.journal j ON j.id = "
	    "a.journal_id "
	    "WHERE i.case_id = $1 "
	    "UNION ALL SELECT j.reg_no, 'investigation' FROM hotline.related_appeals r "
	    "JOIN hotline.investigations i ON i.id = r.investigation_id "
	    "JOIN hotline.cases x ON x.id = i.case_id JOIN hotline.journal j ON j.id = "
	    "x.journal_id "
	    "WHERE r.case_id = $1 ORDER BY 2, 1";
	const char *p[1] = {v->k.id};
	v->related = casefile_query(c, sql_related, 1, p);
}

static void load_requests(struct staff_ctx *c, const struct content_key *key,
			  struct casepage_investigation *inv, const char **w)
{
	inv->requests = casefile_query(c, sql_requests, 1, w);
	if (!inv->requests)
		return;
	PGresult *r = inv->requests;
	int n = PQntuples(r);
	int addressee_sealed = db_col(r, "addressee_sealed"), addressee = db_col(r, "addressee");
	int what_sealed = db_col(r, "what_sealed"), what = db_col(r, "what");
	inv->r_requested = db_col(r, "requested_on");
	inv->r_due = db_col(r, "due_date");
	inv->r_received = db_col(r, "received");
	inv->addressee = xcalloc((size_t)n, sizeof(*inv->addressee));
	inv->what = xcalloc((size_t)n, sizeof(*inv->what));
	for (int i = 0; i < n; i++) {
		sealedtext_open(&inv->addressee[i], key, r, i, addressee_sealed, addressee);
		sealedtext_open(&inv->what[i], key, r, i, what_sealed, what);
	}
}

/* The investigation; its texts under the conclusion's key (norms, and
 * from the submission the findings and proposed measures) or the case's
 * (members, requests). */
static void load_investigation(struct staff_ctx *c, const struct casefile *k,
			       const struct content_key *key, struct casepage_investigation *inv)
{
	const char *p[1] = {k->id};
	PGresult *res = casefile_query(c, sql_investigation, 1, p);
	if (!res || PQntuples(res) != 1) {
		PQclear(res);
		return;
	}
	inv->res = res;
	inv->id = db_col(res, "id");
	inv->order_no = db_col(res, "order_no");
	inv->order_date = db_col(res, "order_date");
	inv->state = db_col(res, "state");
	inv->due_date = db_col(res, "due_date");
	inv->extended = db_col(res, "extended");
	inv->norms = db_col(res, "norms");
	inv->decision = db_col(res, "decision");
	inv->decision_doc = db_col(res, "decision_doc");
	inv->decision_date = db_col(res, "decision_date");
	inv->measures_doc = db_col(res, "measures_doc");
	inv->measures_date = db_col(res, "measures_date");
	inv->submitted_at = db_col(res, "submitted_at");
	snprintf(inv->inv_state, sizeof(inv->inv_state), "%s", PQgetvalue(res, 0, inv->state));
	snprintf(inv->due, sizeof(inv->due), "%s", PQgetvalue(res, 0, inv->due_date));
	snprintf(inv->decision_name, sizeof(inv->decision_name), "%s",
		 PQgetvalue(res, 0, inv->decision));
	int concl_key = db_col(res, "conclusion_key_sealed");
	int norms_sealed = db_col(res, "norms_sealed");
	inv->norms_sealed = !PQgetisnull(res, 0, norms_sealed);
	if (inv->norms_sealed) {
		/* under the conclusion's key, like the findings */
		struct content_key *ck = casefile_sealed_key(c, res, 0, concl_key);
		sealedtext_open_sealed(&inv->norms_text, ck, res, 0, norms_sealed);
		content_key_free(ck);
	}
	const char *w[1] = {PQgetvalue(res, 0, inv->id)};
	inv->members = casepage_members_load(c, key, w[0]);
	inv->extensions = casefile_query(c, sql_extensions, 1, w);
	load_requests(c, key, inv, w);
	enum investigation_state st;
	inv->submitted = investigation_state_parse(inv->inv_state, &st) && st >= INV_SUBMITTED;
	if (inv->submitted) {
		struct content_key *ck = casefile_sealed_key(c, res, 0, concl_key);
		int findings = db_col(res, "conclusion");
		int proposed = db_col(res, "proposed_measures");
		inv->has_findings = !PQgetisnull(res, 0, findings);
		if (inv->has_findings)
			sealedtext_open_sealed(&inv->findings, ck, res, 0, findings);
		inv->has_proposed = !PQgetisnull(res, 0, proposed);
		if (inv->has_proposed)
			sealedtext_open_sealed(&inv->proposed, ck, res, 0, proposed);
		content_key_free(ck);
	}
}

static void investigation_free(struct casepage_investigation *inv)
{
	int n = inv->requests ? PQntuples(inv->requests) : 0;
	for (int i = 0; inv->addressee && i < n; i++) {
		sealedtext_free(&inv->addressee[i]);
		sealedtext_free(&inv->what[i]);
	}
	free(inv->addressee);
	free(inv->what);
	sealedtext_free(&inv->norms_text);
	sealedtext_free(&inv->findings);
	sealedtext_free(&inv->proposed);
	casepage_members_free(inv->members);
	PQclear(inv->extensions);
	PQclear(inv->requests);
	PQclear(inv->res);
}

static void load_notes(struct staff_ctx *c, struct casepage_view *v)
{
	const char *p[1] = {v->k.id};
	v->notes = casefile_query(c, sql_notes, 1, p);
	int n = v->notes ? PQntuples(v->notes) : 0;
	if (n == 0)
		return;
	int body = db_col(v->notes, "body");
	v->note = xcalloc((size_t)n, sizeof(*v->note));
	for (int i = 0; i < n; i++)
		sealedtext_open_sealed(&v->note[i], v->key, v->notes, i, body);
}

/* A compliance manager named in a report steps aside like an investigator
 * (002 L47, 004 L105): whether the report or the reporter's messages name
 * this user. */
static bool names_user(struct staff_ctx *c, const struct casefile *k)
{
	if (!c->user->name[0])
		return false;
	char *text = casefile_report_text(c, k);
	if (!text)
		return false;
	size_t len = strlen(text);
	bool named = names_mentioned(text, len, c->user->name);
	secret_wipe(text, len);
	free(text);
	return named;
}

/* Reads what the page shows, in the order the page was always read in
 * (after an error, PostgreSQL refuses every later statement of the
 * transaction, so the order decides what a failed page still shows). */
static void casepage_view_load(struct staff_ctx *c, struct casepage_view *v)
{
	casefile_today(c, v->today);
	v->key = casefile_content_key(c, &v->k);
	const struct casefile *k = &v->k;
	if (has_role(c, ROLE_COMPLIANCE))
		v->named = names_user(c, k);
	load_facts(c, v);
	load_unread(c, v);
	load_claims(c, v);
	if (has_role(c, ROLE_COMPLIANCE) && k->state == CASE_REGISTERED) {
		/* 004 p.6.3: corruption is offered for an anonymous appeal only
		 * under the organisation's policy to consider anonymous reports;
		 * the rule itself is procedure_triage_refusal() */
		char *policy =
		    k->anonymous ? wfdb_setting(c->db, "consider_anonymous_reports") : NULL;
		v->considered = procedure_considers_anonymous(policy);
		free(policy);
	}
	load_content(c, v);
	load_files(c, v);
	v->messages = casepage_messages_load(c, k);
	load_related(c, v);
	load_investigation(c, k, v->key, &v->inv);
	if (decides(c) && !k->view_only && k->state == CASE_INVESTIGATION && !v->inv.res)
		v->commission_users = casefile_query(c, sql_commission_users, 0, NULL);
	load_notes(c, v);
	const char *p[1] = {k->id};
	v->deadlines = casefile_query(c, sql_deadlines, 1, p);
	v->events = casefile_query(c, sql_events, 1, p);
}

static void casepage_view_free(struct casepage_view *v)
{
	content_key_free(v->key);
	calendar_free(v->cal);
	sealedtext_free(&v->unit);
	sealedtext_free(&v->forwarded_to);
	PQclear(v->claims);
	json_decref(v->content);
	files_free(v->file, v->files ? (size_t)PQntuples(v->files) : 0);
	PQclear(v->files);
	casepage_messages_free(v->messages);
	PQclear(v->related);
	investigation_free(&v->inv);
	PQclear(v->commission_users);
	int n = v->notes ? PQntuples(v->notes) : 0;
	for (int i = 0; v->note && i < n; i++)
		sealedtext_free(&v->note[i]);
	free(v->note);
	PQclear(v->notes);
	PQclear(v->deadlines);
	PQclear(v->events);
}

/* --- writing the page from the view --- */

static void put_facts(struct staff_ctx *c, const struct casepage_view *v)
{
	const struct casefile *k = &v->k;
	staff_html(c, "<dl class=\"facts\">\n");
	dt(c, M_BOARD_STATE);
	staff_html(c, "<span id=\"case-state\" data-state=\"%s\">", case_state_name(k->state));
	staff_text(c, casefile_state_text(case_state_name(k->state)));
	staff_markup(c, k->overdue ? "</span> <strong class=\"late\">!</strong></dd>\n"
				   : "</span></dd>\n");
	dt(c, M_CASE_REGISTERED);
	staff_date(c, k->registered_at);
	staff_html(c, "</dd>\n");
	dt(c, M_BOARD_CHANNEL);
	staff_text(c, casefile_channel_text(k->channel));
	staff_html(c, "</dd>\n");
	dt(c, M_BOARD_CATEGORY);
	staff_text(c, casefile_category_text(k->category));
	staff_html(c, "</dd>\n");
	dt(c, M_CASE_REPORTER);
	staff_text(c, k->anonymous ? M_CASE_ANONYMOUS : M_CASE_NAMED);
	staff_html(c, "</dd>\n");
	dt(c, M_CASE_DIRECTOR_NAMED);
	staff_html(c, "<span id=\"director-named\">");
	staff_text(c, k->director_named ? M_CASE_YES : M_CASE_NO);
	staff_html(c, "</span></dd>\n");
	/* the reporter's own answer, which the flag above may have been set
	 * from or decided on; kept apart so a change of the flag shows */
	dt(c, M_CASE_REPORTER_ANSWER);
	staff_html(c, "<span id=\"reporter-answer\" data-answer=\"%s\">",
		   strcmp(k->director_involved, "yes") == 0  ? "yes"
		   : strcmp(k->director_involved, "no") == 0 ? "no"
							     : "unknown");
	staff_text(c, strcmp(k->director_involved, "yes") == 0	? M_CASE_YES
		      : strcmp(k->director_involved, "no") == 0 ? M_CASE_NO
								: M_CASE_DONT_KNOW);
	staff_html(c, "</span></dd>\n");
	if (v->has_facts && v->has_unit) {
		dt(c, M_CASE_UNIT);
		staff_html(c, "<span id=\"referred-unit\">");
		sealedtext_write(c, &v->unit);
		staff_html(c, "</span></dd>\n");
	}
	if (k->decision[0]) {
		dt(c, M_CASE_DECISION);
		staff_html(c, "<span id=\"decision\">");
		staff_text(c, casefile_decision_text(k->decision));
		staff_html(c, "</span>");
		if (k->decision_doc[0]) {
			staff_html(c, " (");
			staff_esc(c, k->decision_doc);
			staff_html(c, ")");
		}
		staff_html(c, "</dd>\n");
	}
	if (v->has_facts && v->has_forwarded_to) {
		dt(c, M_CASE_FORWARDED_TO);
		staff_html(c, "<span id=\"forwarded-body\">");
		sealedtext_write(c, &v->forwarded_to);
		staff_html(c, "</span></dd>\n");
	}
	staff_html(c, "</dl>\n");
}

static enum msg field_label(const char *key, bool *known)
{
	static const struct {
		const char *key;
		enum msg label;
	} labels[] = {
	    {"what", M_FORM_WHAT},	   {"when_where", M_FORM_WHEN_WHERE}, {"who", M_FORM_WHO},
	    {"subject", M_CASE_F_SUBJECT}, {"text", M_CASE_F_TEXT},
	};
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (strcmp(labels[i].key, key) == 0) {
			*known = true;
			return labels[i].label;
		}
	}
	*known = false;
	return M_CASE_F_TEXT;
}

static void put_content(struct staff_ctx *c, const struct casepage_view *v)
{
	casepage_section(c, "content", M_CASE_CONTENT);
	if (!v->key) {
		staff_html(c, "<p class=\"notice\" id=\"no-case-key\">");
		staff_text(c, M_CASE_NOT_SEALED);
		staff_html(c, "</p>\n</section>\n");
		return;
	}
	if (!json_is_object(v->content)) {
		staff_html(c, "<p class=\"error\">");
		staff_text(c, M_CASE_UNREADABLE);
		staff_html(c, "</p>\n</section>\n");
		return;
	}
	staff_html(c, "<dl class=\"report\">\n");
	const char *name;
	json_t *value;
	json_object_foreach(v->content, name, value)
	{
		if (!json_is_string(value) || json_string_length(value) == 0)
			continue;
		bool known;
		enum msg label = field_label(name, &known);
		staff_html(c, "<dt>");
		if (known)
			staff_text(c, label);
		else
			staff_esc(c, name);
		staff_html(c, "</dt><dd class=\"text\" data-field=\"");
		staff_esc(c, name);
		staff_html(c, "\">");
		staff_esc(c, json_string_value(value));
		staff_html(c, "</dd>\n");
	}
	staff_html(c, "</dl>\n</section>\n");
}

/* One file: its name (decrypted) linking to its download (path, then
 * its id). */
static void put_file(struct staff_ctx *c, const char *path, const struct casepage_file *f)
{
	staff_html(c, "<li><a class=\"file\" href=\"%s%s\">", path, f->id);
	if (f->name && *f->name)
		staff_esc(c, f->name);
	else
		staff_text(c, M_CASE_FILE_UNNAMED);
	staff_html(c, "</a> <small>(");
	staff_size(c, f->size);
	staff_html(c, ")</small>");
	/* what the metadata cleaning did (intake/clean.h); nothing for the
	 * files stored before it */
	if (strcmp(f->clean, "kept") == 0) {
		staff_html(c, " <small class=\"not-cleaned\">");
		staff_text(c, M_CASE_FILE_NOT_CLEANED);
		staff_html(c, "</small>");
	} else if (strcmp(f->clean, "cleaned") == 0) {
		staff_html(c, " <small class=\"cleaned\">");
		staff_text(c, M_CASE_FILE_CLEANED);
		staff_html(c, "</small>");
	}
	staff_html(c, "</li>\n");
}

static void put_files(struct staff_ctx *c, const struct casepage_view *v)
{
	casepage_section(c, "files", M_CASE_FILES);
	int n = v->files ? PQntuples(v->files) : 0;
	if (n == 0)
		paragraph(c, M_CASE_NO_FILES);
	else if (v->key) {
		staff_html(c, "<ul class=\"files\">\n");
		for (int i = 0; i < n; i++)
			put_file(c, "/staff/case-file/", &v->file[i]);
		staff_html(c, "</ul>\n");
	}
	staff_html(c, "</section>\n");
}

struct casepage_files {
	PGresult *res;
	int n;
	struct casepage_file *f; /* when the key opened them: one per row */
};

struct casepage_files *casepage_files_load(struct staff_ctx *c, const struct content_key *key,
					   const char *case_id)
{
	struct casepage_files *fs = xcalloc(1, sizeof(*fs));
	const char *p[1] = {case_id};
	fs->res = casefile_query(c, sql_files, 1, p);
	fs->n = fs->res ? PQntuples(fs->res) : 0;
	if (fs->n == 0 || !key)
		return fs;
	int id = db_col(fs->res, "id"), meta = db_col(fs->res, "meta");
	fs->f = xcalloc((size_t)fs->n, sizeof(*fs->f));
	for (int i = 0; i < fs->n; i++)
		file_open(&fs->f[i], key, fs->res, i, id, meta);
	return fs;
}

void casepage_files_put(struct staff_ctx *c, const struct casepage_files *fs, const char *path)
{
	if (fs->n == 0) {
		paragraph(c, M_CASE_NO_FILES);
	} else if (!fs->f) {
		staff_html(c, "<p class=\"notice\">");
		staff_text(c, M_CASE_NOT_SEALED);
		staff_html(c, "</p>\n");
	} else {
		staff_html(c, "<ul class=\"files\">\n");
		for (int i = 0; i < fs->n; i++)
			put_file(c, path, &fs->f[i]);
		staff_html(c, "</ul>\n");
	}
}

void casepage_files_free(struct casepage_files *fs)
{
	if (!fs)
		return;
	files_free(fs->f, fs->f ? (size_t)fs->n : 0);
	PQclear(fs->res);
	free(fs);
}

void casepage_messages_put(struct staff_ctx *c, const struct casefile *k,
			   const struct casepage_messages *ms, long long read_before)
{
	casepage_section(c, "messages", M_CASE_MESSAGES);
	const PGresult *res = ms->res;
	if (ms->n == 0)
		paragraph(c, M_CASE_NO_MESSAGES);
	for (int i = 0; i < ms->n; i++) {
		const struct casepage_message *m = &ms->m[i];
		bool staff = strcmp(PQgetvalue(res, i, ms->author), "staff") == 0;
		bool unread = !staff && strtoll(PQgetvalue(res, i, ms->id), NULL, 10) > read_before;
		bool answer = strcmp(PQgetvalue(res, i, ms->is_reply), "t") == 0;
		staff_html(c, "<article class=\"message %s%s%s\"><h3>",
			   staff ? "from-staff" : "from-reporter", answer ? " reply" : "",
			   unread ? " unread" : "");
		if (unread) {
			staff_html(c, "<span class=\"badge\">");
			staff_text(c, M_CASE_NEW);
			staff_html(c, "</span> ");
		}
		staff_text(c, answer  ? M_CASE_IS_REPLY
			      : staff ? M_CASE_FROM_STAFF
				      : M_CASE_FROM_REPORTER);
		if (staff && *PQgetvalue(res, i, ms->login)) {
			staff_html(c, " (");
			staff_esc(c, PQgetvalue(res, i, ms->login));
			staff_html(c, ")");
		}
		staff_html(c, " &middot; <time datetime=\"%s\">", PQgetvalue(res, i, ms->created));
		staff_date(c, PQgetvalue(res, i, ms->created));
		staff_html(c, "</time></h3>\n<p class=\"text\">");
		if (!sealedtext_put_opened(c, &m->body))
			staff_text(c, m->has_key ? M_CASE_UNREADABLE : M_CASE_NOT_SEALED);
		staff_html(c, "</p>\n");
		if (m->nfiles > 0) {
			staff_html(c, "<ul class=\"files\">\n");
			for (size_t f = 0; f < m->nfiles; f++)
				put_file(c, ms->file_path, &m->files[f]);
			staff_html(c, "</ul>\n");
		}
		if (answer) {
			/* the letter for the reporter's postal address (kk, ru) */
			staff_html(c, "<p class=\"reply-letter\">");
			staff_text(c, M_CASE_REPLY_LETTER);
			staff_html(c, ": <a class=\"letter-ru\" href=\"/staff/reply-letter/");
			staff_esc(c, k->reg_no);
			staff_html(c, "?lang=ru\">русский</a> &middot; <a class=\"letter-kk\" "
				      "href=\"/staff/reply-letter/");
			staff_esc(c, k->reg_no);
			staff_html(c, "?lang=kk\">қазақша</a></p>\n");
		}
		staff_html(c, "</article>\n");
	}
	if (has_role(c, ROLE_COMPLIANCE)) {
		if (!k->has_reporter_key) {
			staff_html(c, "<p class=\"notice\" id=\"no-reply-key\">");
			staff_text(c, M_CASE_REPLY_WAIT);
			staff_html(c, "</p>\n");
		} else {
			case_form_open(c, "case-reply", k);
			staff_html(c, "<label for=\"reply\">");
			staff_text(c, M_CASE_REPLY);
			staff_html(c, "</label>\n<p class=\"hint\">");
			staff_text(c, M_CASE_REPLY_HINT);
			staff_html(c, "</p>\n<textarea id=\"reply\" name=\"message\" rows=\"4\" "
				      "required></textarea>\n");
			if (!k->anonymous) {
				/* the reply a named reporter is owed (004 L196) */
				staff_html(c,
					   "<label class=\"choice\"><input type=\"checkbox\" "
					   "id=\"reply-answer\" name=\"answer\" value=\"yes\"> ");
				staff_text(c, M_CASE_REPLY_ANSWER);
				staff_html(c, "</label>\n");
			}
			submit_form_end(c, "send-reply", M_CASE_SEND);
		}
	}
	staff_html(c, "</section>\n");
}

static void put_notes(struct staff_ctx *c, const struct casepage_view *v)
{
	casepage_section(c, "notes", M_CASE_NOTES);
	const PGresult *res = v->notes;
	int n = res ? PQntuples(res) : 0;
	if (n == 0)
		paragraph(c, M_CASE_NO_NOTES);
	int author = n ? db_col(res, "author_login") : -1,
	    created = n ? db_col(res, "created") : -1;
	for (int i = 0; i < n; i++) {
		staff_html(c, "<article class=\"note\"><h3>");
		staff_esc(c, PQgetvalue(res, i, author));
		staff_html(c, " &middot; <time datetime=\"%s\">", PQgetvalue(res, i, created));
		staff_date(c, PQgetvalue(res, i, created));
		staff_html(c, "</time></h3>\n<p class=\"text\">");
		if (!sealedtext_put_opened(c, &v->note[i]))
			staff_text(c, v->key ? M_CASE_UNREADABLE : M_CASE_NOT_SEALED);
		staff_html(c, "</p></article>\n");
	}
	if (v->key && !v->k.view_only) {
		case_form_open(c, "case-note", &v->k);
		staff_html(c, "<label for=\"note\">");
		staff_text(c, M_CASE_NOTE_ADD);
		staff_html(c, "</label>\n<textarea id=\"note\" name=\"note\" rows=\"3\" required>"
			      "</textarea>\n");
		submit_form_end(c, "add-note", M_CASE_NOTE_SAVE);
	}
	staff_html(c, "</section>\n");
}

/* --- the timeline's events in words --- */

/* A string member of an event's detail; "" when absent or not a string. */
static const char *detail_str(const json_t *d, const char *key)
{
	const char *s = json_string_value(json_object_get(d, key));
	return s ? s : "";
}

/* A translated sentence with one value, escaped. */
static void sentence1(struct staff_ctx *c, enum msg fmt, const char *value)
{
	char text[512];
	snprintf(text, sizeof(text), i18n(c->lang, fmt), value);
	staff_esc(c, text);
}

static enum msg triage_event_text(const char *outcome)
{
	static const struct {
		const char *name;
		enum msg text;
	} w[] = {{"corruption", M_EV_TRIAGED_CORRUPTION},
		 {"not_corruption", M_EV_TRIAGED_NOT_CORRUPTION},
		 {"anonymous", M_EV_TRIAGED_ANONYMOUS},
		 {"urgent", M_EV_TRIAGED_URGENT}};
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		if (strcmp(w[i].name, outcome) == 0)
			return w[i].text;
	}
	return M_EV_TRIAGED;
}

/* The order of the investigation, its first due date (before any
 * extension) and its commission, whose names are opened with the case's
 * key: a reader without it sees that they are sealed. */
static void put_order_event(struct staff_ctx *c, const struct casepage_investigation *inv)
{
	const PGresult *res = inv->res;
	if (!res) {
		staff_text(c, M_EV_INV_ORDERED_PLAIN);
		return;
	}
	const PGresult *x = inv->extensions;
	const char *due = x && PQntuples(x) > 0 ? PQgetvalue(x, 0, db_col(x, "old_due_date"))
						: PQgetvalue(res, 0, inv->due_date);
	char date[64], due_text[64], text[512];
	staff_date_str(c, PQgetvalue(res, 0, inv->order_date), date, sizeof(date));
	staff_date_str(c, due, due_text, sizeof(due_text));
	snprintf(text, sizeof(text), i18n(c->lang, M_EV_INV_ORDERED),
		 PQgetvalue(res, 0, inv->order_no), date, due_text);
	staff_esc(c, text);
	const struct casepage_members *m = inv->members;
	if (!m || m->n == 0)
		return;
	staff_html(c, " ");
	staff_text(c, M_EV_INV_COMMISSION);
	for (size_t i = 0; i < m->n; i++) {
		staff_html(c, i ? "; " : " ");
		sealedtext_write(c, &m->m[i].name);
	}
	staff_html(c, ".");
}

/* A document's number and date: "No. 12 of 07.12.2026". */
static void doc_text(struct staff_ctx *c, const char *doc, const char *date, char *out, size_t size)
{
	char day[64];
	staff_date_str(c, date, day, sizeof(day));
	snprintf(out, size, i18n(c->lang, M_COMM_DOC_OF), doc, day);
}

/* The steps of the investigation: its detail says only the state it
 * reached; the rest (order, due date, members, decision, documents) is
 * the investigation's, which has one row per case. */
static void put_investigation_event(struct staff_ctx *c, const struct casepage_view *v,
				    const char *state)
{
	const struct casepage_investigation *inv = &v->inv;
	const PGresult *res = inv->res;
	char text[512], doc[320];
	if (strcmp(state, "ordered") == 0) {
		put_order_event(c, inv);
	} else if (strcmp(state, "in_progress") == 0) {
		staff_text(c, M_EV_INV_IN_PROGRESS);
	} else if (strcmp(state, "conclusion_drafted") == 0) {
		staff_text(c, M_EV_INV_DRAFTED);
	} else if (strcmp(state, "submitted") == 0) {
		staff_text(c, M_EV_INV_SUBMITTED);
	} else if (strcmp(state, "decided") == 0 && res && *PQgetvalue(res, 0, inv->decision)) {
		doc_text(c, PQgetvalue(res, 0, inv->decision_doc),
			 PQgetvalue(res, 0, inv->decision_date), doc, sizeof(doc));
		snprintf(text, sizeof(text), i18n(c->lang, M_EV_INV_DECIDED),
			 i18n(c->lang, casefile_ruling_text(PQgetvalue(res, 0, inv->decision))),
			 doc);
		staff_esc(c, text);
	} else if (strcmp(state, "measures_adopted") == 0 && res &&
		   *PQgetvalue(res, 0, inv->measures_doc)) {
		doc_text(c, PQgetvalue(res, 0, inv->measures_doc),
			 PQgetvalue(res, 0, inv->measures_date), doc, sizeof(doc));
		sentence1(c, M_EV_INV_MEASURES, doc);
	} else if (strcmp(state, "closed") == 0) {
		staff_text(c, M_EV_INV_CLOSED);
	} else {
		sentence1(c, M_EV_INV_STATE, i18n(c->lang, casefile_inv_state_text(state)));
	}
}

static void put_reveal_event(struct staff_ctx *c, const json_t *d)
{
	static const struct {
		const char *step;
		enum msg text;
	} w[] = {{"requested", M_EV_REVEAL_REQUESTED},
		 {"approved", M_EV_REVEAL_APPROVED},
		 {"rejected", M_EV_REVEAL_REJECTED},
		 {"released", M_EV_REVEAL_RELEASED},
		 {"revealed", M_EV_REVEAL_REVEALED}};
	const char *step = detail_str(d, "step");
	json_t *id = json_object_get(d, "reveal");
	char no[32] = "";
	if (json_is_integer(id))
		snprintf(no, sizeof(no), "%lld", (long long)json_integer_value(id));
	else if (json_is_string(id))
		snprintf(no, sizeof(no), "%s", json_string_value(id));
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		if (strcmp(w[i].step, step) == 0) {
			sentence1(c, w[i].text, no);
			return;
		}
	}
	sentence1(c, M_EV_REVEAL_OTHER, no);
}

static void put_director_named_event(struct staff_ctx *c, const json_t *d)
{
	bool named = strcmp(detail_str(d, "named"), "yes") == 0;
	staff_text(c, named ? M_EV_DIRECTOR_NAMED : M_EV_DIRECTOR_CLEARED);
	if (*detail_str(d, "reason_note")) {
		staff_html(c, " ");
		staff_text(c, M_EV_DIRECTOR_REASON);
	}
}

/* One event of the timeline as a sentence in the reader's language, its
 * detail in words: never its code or its JSON. A kind this page does not
 * know reads as a step recorded. */
static void put_event(struct staff_ctx *c, const struct casepage_view *v, const char *kind,
		      const json_t *d)
{
	if (strcmp(kind, "registered") == 0)
		sentence1(c, M_EV_REGISTERED,
			  i18n(c->lang, casefile_channel_text(detail_str(d, "channel"))));
	else if (strcmp(kind, "followup_unproven") == 0)
		sentence1(c, M_EV_FOLLOWUP_UNPROVEN, detail_str(d, "claims"));
	else if (strcmp(kind, "triaged") == 0)
		staff_text(c, triage_event_text(detail_str(d, "outcome")));
	else if (strcmp(kind, "acknowledged") == 0)
		staff_text(c, M_EV_ACKNOWLEDGED);
	else if (strcmp(kind, "decided") == 0)
		sentence1(c, M_EV_DECIDED,
			  i18n(c->lang, casefile_decision_text(detail_str(d, "decision"))));
	else if (strcmp(kind, "forwarded") == 0)
		staff_text(c, M_EV_FORWARDED);
	else if (strcmp(kind, "director_named") == 0)
		put_director_named_event(c, d);
	else if (strcmp(kind, "investigation") == 0)
		put_investigation_event(c, v, detail_str(d, "investigation"));
	else if (strcmp(kind, "related_attached") == 0)
		sentence1(c, M_EV_RELATED, detail_str(d, "investigation_of"));
	else if (strcmp(kind, "related_appeal") == 0)
		sentence1(c, M_EV_RELATED_APPEAL, detail_str(d, "appeal"));
	else if (strcmp(kind, "identity_reveal") == 0)
		put_reveal_event(c, d);
	else if (strcmp(kind, "reply") == 0)
		staff_text(c, M_EV_REPLY);
	else if (strcmp(kind, "staff_message") == 0)
		staff_text(c, M_EV_STAFF_MESSAGE);
	else if (strcmp(kind, "reporter_message") == 0)
		staff_text(c, strcmp(detail_str(d, "channel"), "email") == 0
				  ? M_EV_REPORTER_MAIL
				  : M_EV_REPORTER_MESSAGE);
	else
		staff_text(c, M_EV_OTHER);
}

static void put_timeline(struct staff_ctx *c, const struct casepage_view *v)
{
	casepage_section(c, "timeline", M_CASE_TIMELINE);
	const PGresult *dl = v->deadlines;
	if (dl && PQntuples(dl) > 0) {
		subheading(c, M_CASE_DEADLINES);
		staff_html(c, "<ul id=\"deadlines\">\n");
		int kind = db_col(dl, "kind"), due_col = db_col(dl, "due");
		int met_col = db_col(dl, "met_at"), voided_col = db_col(dl, "voided");
		for (int i = 0; i < PQntuples(dl); i++) {
			const char *due = PQgetvalue(dl, i, due_col);
			const char *met = PQgetvalue(dl, i, met_col);
			staff_html(c, "<li data-kind=\"");
			staff_esc(c, PQgetvalue(dl, i, kind));
			staff_html(c, "\">");
			staff_text(c, casefile_deadline_text(PQgetvalue(dl, i, kind)));
			staff_html(c, ": <time datetime=\"%s\">", due);
			staff_date(c, due);
			staff_html(c, "</time> &mdash; ");
			char text[160];
			/* a voided deadline stopped when the case ended: not done */
			bool voided = strcmp(PQgetvalue(dl, i, voided_col), "t") == 0;
			if (*met) {
				char when[96];
				staff_date_str(c, met, when, sizeof(when));
				snprintf(text, sizeof(text),
					 i18n(c->lang, voided ? M_CASE_VOIDED_AT : M_CASE_MET_AT),
					 when);
			} else {
				int left = casefile_days_left(v->cal, v->today, due);
				snprintf(text, sizeof(text),
					 i18n(c->lang, left < 0 ? M_CASE_OVERDUE_BY
								: M_CASE_WORKING_DAYS_LEFT),
					 left < 0 ? -left : left);
			}
			staff_esc(c, text);
			staff_html(c, "</li>\n");
		}
		staff_html(c, "</ul>\n");
	}
	const PGresult *ev = v->events;
	subheading(c, M_CASE_EVENTS);
	staff_html(c, "<ol id=\"events\">\n");
	int at = ev ? db_col(ev, "at") : -1, kind = ev ? db_col(ev, "kind") : -1;
	int detail = ev ? db_col(ev, "detail") : -1, by = ev ? db_col(ev, "by_name") : -1;
	for (int i = 0; ev && i < PQntuples(ev); i++) {
		/* the kind stays in an attribute, for scripts and tests; the
		 * reader gets a sentence */
		staff_html(c, "<li data-kind=\"%s\"><time datetime=\"%s\">",
			   PQgetvalue(ev, i, kind), PQgetvalue(ev, i, at));
		staff_date(c, PQgetvalue(ev, i, at));
		staff_html(c, "</time> ");
		json_t *d = json_loads(PQgetvalue(ev, i, detail), 0, NULL);
		put_event(c, v, PQgetvalue(ev, i, kind), json_is_object(d) ? d : NULL);
		json_decref(d);
		const char *who = PQgetvalue(ev, i, by);
		if (*who) {
			/* a step taken with hotlinectl names the system account
			 * that ran it: "os:USER" */
			bool os = strncmp(who, "os:", 3) == 0;
			staff_html(c, " <span class=\"by\">(");
			if (os)
				sentence1(c, M_EV_BY_CONSOLE, who + 3);
			else
				staff_esc(c, who);
			staff_html(c, ")</span>");
		}
		staff_html(c, "</li>\n");
	}
	staff_html(c, "</ol>\n</section>\n");
}

static const struct {
	const char *name;
	enum msg text;
} rulings[] = {{"stop", M_DECISION_STOP},
	       {"hand_over", M_DECISION_HAND_OVER},
	       {"disciplinary", M_DECISION_DISCIPLINARY},
	       {"other_measures", M_DECISION_OTHER_MEASURES}};

void casepage_doc_line(struct staff_ctx *c, const char *id, enum msg label, const char *doc,
		       const char *date)
{
	char text[512], day[64];
	staff_date_str(c, date, day, sizeof(day));
	snprintf(text, sizeof(text), i18n(c->lang, M_COMM_DOC_OF), doc, day);
	staff_html(c, "<p id=\"%s\">", id);
	staff_text(c, label);
	staff_html(c, ": ");
	staff_esc(c, text);
	staff_html(c, "</p>\n");
}

/* The conclusion the commission submitted (004 p.7.10), for management to
 * read before it decides: findings and proposed measures opened with the
 * session's case key; then the decision and the measures with their
 * documents. */
static void put_submitted(struct staff_ctx *c, const struct casepage_investigation *inv)
{
	const PGresult *res = inv->res;
	char text[160], day[64];
	staff_date_str(c, PQgetvalue(res, 0, inv->submitted_at), day, sizeof(day));
	snprintf(text, sizeof(text), i18n(c->lang, M_COMM_SUBMITTED_ON), day);
	subheading(c, M_COMM_CONCLUSION);
	staff_html(c, "<p id=\"submitted\">");
	staff_esc(c, text);
	staff_html(c, "</p>\n<dl>\n");
	const struct {
		bool has;
		const struct sealedtext *text;
		enum msg label;
		const char *id;
	} texts[] = {{inv->has_findings, &inv->findings, M_COMM_FINDINGS, "findings-text"},
		     {inv->has_proposed, &inv->proposed, M_COMM_PROPOSED, "proposed-text"}};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (!texts[i].has)
			continue;
		staff_html(c, "<dt>");
		staff_text(c, texts[i].label);
		staff_html(c, "</dt>\n<dd class=\"text\" id=\"%s\">", texts[i].id);
		if (!sealedtext_put_opened(c, texts[i].text))
			staff_text(c, M_COMM_CANNOT_OPEN);
		staff_html(c, "</dd>\n");
	}
	staff_html(c, "</dl>\n");
	const char *decision = PQgetvalue(res, 0, inv->decision);
	if (*decision) {
		staff_html(c, "<p id=\"decision-text\">");
		staff_text(c, casefile_ruling_text(decision));
		staff_html(c, "</p>\n");
		casepage_doc_line(c, "decision-doc", M_COMM_DECISION_DOC,
				  PQgetvalue(res, 0, inv->decision_doc),
				  PQgetvalue(res, 0, inv->decision_date));
	}
	if (*PQgetvalue(res, 0, inv->measures_doc))
		casepage_doc_line(c, "measures-doc", M_COMM_MEASURES_DOC,
				  PQgetvalue(res, 0, inv->measures_doc),
				  PQgetvalue(res, 0, inv->measures_date));
}

static void put_extensions(struct staff_ctx *c, const PGresult *x)
{
	int old_due = x ? db_col(x, "old_due_date") : -1;
	int new_due = x ? db_col(x, "new_due_date") : -1;
	int doc = x ? db_col(x, "consent_doc") : -1, date = x ? db_col(x, "consent_date") : -1;
	int by = x ? db_col(x, "consented_by") : -1;
	for (int i = 0; x && i < PQntuples(x); i++) {
		char text[640], from[64], to[64], day[64];
		staff_date_str(c, PQgetvalue(x, i, old_due), from, sizeof(from));
		staff_date_str(c, PQgetvalue(x, i, new_due), to, sizeof(to));
		staff_date_str(c, PQgetvalue(x, i, date), day, sizeof(day));
		snprintf(text, sizeof(text), i18n(c->lang, M_CASE_EXTENSION_LINE), from, to,
			 PQgetvalue(x, i, doc), day, PQgetvalue(x, i, by));
		staff_html(c, "<p class=\"extension\">");
		staff_esc(c, text);
		staff_html(c, "</p>\n");
	}
}

static void put_requests(struct staff_ctx *c, const struct casepage_investigation *inv)
{
	const PGresult *r = inv->requests;
	subheading(c, M_CASE_REQUESTS);
	staff_html(c, "<ul id=\"requests\">\n");
	for (int i = 0; r && i < PQntuples(r); i++) {
		staff_html(c, "<li>");
		sealedtext_write(c, &inv->addressee[i]);
		staff_html(c, ": ");
		sealedtext_write(c, &inv->what[i]);
		staff_html(c, " &mdash; ");
		staff_date(c, PQgetvalue(r, i, inv->r_requested));
		staff_html(c, " &rarr; ");
		staff_date(c, PQgetvalue(r, i, inv->r_due));
		if (strcmp(PQgetvalue(r, i, inv->r_received), "t") == 0) {
			staff_html(c, " &#10003;");
		}
		staff_html(c, "</li>\n");
	}
	staff_html(c, "</ul>\n");
}

/* The investigation with its commission, extensions and requests for
 * materials; from its submission, the conclusion. */
static void put_investigation(struct staff_ctx *c, const struct casepage_investigation *inv)
{
	casepage_section(c, "investigation", M_CASE_INVESTIGATION);
	const PGresult *res = inv->res;
	if (!res) {
		paragraph(c, M_CASE_NO_INVESTIGATION);
		staff_html(c, "</section>\n");
		return;
	}
	staff_html(c, "<dl class=\"facts\">\n");
	dt(c, M_CASE_ORDER);
	staff_esc(c, PQgetvalue(res, 0, inv->order_no));
	staff_html(c, ", ");
	staff_date(c, PQgetvalue(res, 0, inv->order_date));
	staff_html(c, "</dd>\n");
	dt(c, M_BOARD_STATE);
	staff_html(c, "<span id=\"investigation-state\" data-state=\"%s\">", inv->inv_state);
	staff_text(c, casefile_inv_state_text(inv->inv_state));
	staff_html(c, "</span></dd>\n");
	dt(c, M_CASE_DUE);
	staff_html(c, "<time id=\"investigation-due\" datetime=\"%s\">",
		   PQgetvalue(res, 0, inv->due_date));
	staff_date(c, PQgetvalue(res, 0, inv->due_date));
	staff_html(c, "</time>");
	if (strcmp(PQgetvalue(res, 0, inv->extended), "t") == 0) {
		staff_html(c, " (");
		staff_text(c, M_CASE_EXTENDED);
		staff_html(c, ")");
	}
	staff_html(c, "</dd>\n");
	if (inv->norms_sealed) {
		dt(c, M_CASE_NORMS);
		staff_html(c, "<span id=\"norms\">");
		if (!sealedtext_put_opened(c, &inv->norms_text))
			staff_text(c, M_SEALED_TEXT);
		staff_html(c, "</span></dd>\n");
	} else if (*PQgetvalue(res, 0, inv->norms)) {
		dd_text(c, M_CASE_NORMS, PQgetvalue(res, 0, inv->norms));
	}
	staff_html(c, "</dl>\n");
	subheading(c, M_CASE_COMMISSION);
	staff_html(c, "<ul id=\"commission\">\n");
	casepage_members_put(c, inv->members);
	staff_html(c, "</ul>\n");
	put_extensions(c, inv->extensions);
	put_requests(c, inv);
	if (inv->submitted)
		put_submitted(c, inv);
	staff_html(c, "</section>\n");
}

void casepage_members_put(struct staff_ctx *c, const struct casepage_members *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct sealedtext *name = &m->m[i].name, *position = &m->m[i].position;
		staff_html(c, "<li>");
		sealedtext_write(c, name);
		if (position->st == FREETEXT_SEALED) {
			staff_html(c, ", ");
			sealedtext_write(c, position);
		} else if (position->text && *position->text) {
			staff_html(c, ", ");
			staff_esc(c, position->text);
		}
		staff_html(c, "</li>\n");
	}
}

/* "2 new messages from the reporter": what this view marked read. */

/* --- the forms of the steps --- */

static void radio(struct staff_ctx *c, const char *name, const char *value, enum msg label,
		  bool checked)
{
	staff_html(c, "<label class=\"choice\"><input type=\"radio\" name=\"%s\" value=\"%s\"%s> ",
		   name, value, checked ? " checked" : "");
	staff_text(c, label);
	staff_html(c, "</label>\n");
}

static void text_input(struct staff_ctx *c, const char *id, const char *name, enum msg label,
		       const char *type, bool required)
{
	staff_html(c, "<label for=\"%s\">", id);
	staff_text(c, label);
	staff_html(c, "</label>\n<input type=\"%s\" id=\"%s\" name=\"%s\"%s>\n", type, id, name,
		   required ? " required" : "");
}

static void fieldset_open(struct staff_ctx *c, enum msg legend)
{
	staff_html(c, "<fieldset><legend>");
	staff_text(c, legend);
	staff_html(c, "</legend>\n");
}

/* considered: the organisation's policy considers anonymous reports
 * (casepage_view_load()). */
static void put_triage_form(struct staff_ctx *c, const struct casefile *k, bool considered)
{
	casepage_section(c, "triage", M_TRIAGE_TITLE);
	case_form_open(c, "case-triage", k);
	fieldset_open(c, M_TRIAGE_OUTCOME);
	if (k->anonymous) {
		staff_html(c, "<p class=\"hint\" id=\"triage-anon-rule\">");
		staff_text(c, considered ? M_TRIAGE_ANON_POLICY : M_TRIAGE_ANON_RULE);
		staff_html(c, "</p>\n");
	}
	if (!k->anonymous || considered)
		radio(c, "outcome", "corruption", M_TRIAGE_CORRUPTION, !k->anonymous);
	radio(c, "outcome", "not_corruption", M_TRIAGE_NOT_CORRUPTION, false);
	if (k->anonymous) {
		radio(c, "outcome", "anonymous", M_TRIAGE_ANONYMOUS, true);
		radio(c, "outcome", "urgent", M_TRIAGE_URGENT, false);
	}
	staff_html(c, "</fieldset>\n");
	text_input(c, "unit", "unit", k->anonymous ? M_TRIAGE_UNIT_ANY : M_TRIAGE_UNIT, "text",
		   false);
	text_input(c, "triage-note", "note", M_TRIAGE_NOTE, "text", false);
	staff_html(c, "<label for=\"director-named-select\">");
	staff_text(c, M_TRIAGE_DN_QUESTION);
	/* a question with answers that say what they do: leave the mark as
	 * it is (saying what it is), or set it either way */
	staff_html(c, "</label>\n<select id=\"director-named-select\" name=\"director_named\">"
		      "<option value=\"\">");
	staff_text(c, k->director_named ? M_TRIAGE_DN_KEEP_YES : M_TRIAGE_DN_KEEP_NO);
	if (!k->director_named) {
		staff_html(c, "</option><option value=\"yes\">");
		staff_text(c, M_TRIAGE_DN_YES);
	}
	/* a reporter's "yes" is cleared only by the alternate recipient, with
	 * a reason (procedure_clear_director_named): no "no" to pick here */
	bool locked = k->director_named && strcmp(k->director_involved, "yes") == 0;
	if (!locked && k->director_named) {
		staff_html(c, "</option><option value=\"no\">");
		staff_text(c, M_TRIAGE_DN_NO);
	}
	staff_html(c, "</option></select>\n");
	if (locked) {
		staff_html(c, "<p class=\"hint\" id=\"director-named-locked\">");
		staff_text(c, M_TRIAGE_DIRECTOR_LOCKED);
		staff_html(c, "</p>\n");
	}
	submit_form_end(c, "triage-submit", M_TRIAGE_SUBMIT);
	staff_html(c, "</section>\n");
}

/* The alternate recipient's: the case names the director, but it does not
 * concern them; the reason is required and kept encrypted. */
static void put_director_clear_form(struct staff_ctx *c, const struct casefile *k)
{
	casepage_section(c, "director-clear", M_DIRECTOR_CLEAR_TITLE);
	paragraph(c, M_DIRECTOR_CLEAR_HINT);
	case_form_open(c, "case-director", k);
	staff_html(c, "<label for=\"director-clear-reason\">");
	staff_text(c, M_DIRECTOR_CLEAR_REASON);
	staff_html(c, "</label>\n<textarea id=\"director-clear-reason\" name=\"reason\" rows=\"3\" "
		      "required></textarea>\n");
	submit_form_end(c, "director-clear-submit", M_DIRECTOR_CLEAR_SUBMIT);
	staff_html(c, "</section>\n");
}

static void put_forwarded_form(struct staff_ctx *c, const struct casefile *k)
{
	casepage_section(c, "forwarded", M_FORWARDED_TITLE);
	case_form_open(c, "case-forwarded", k);
	text_input(c, "forwarded-to", "to", M_FORWARDED_TO, "text", true);
	submit_form_end(c, "forwarded-submit", M_FORWARDED_SUBMIT);
	staff_html(c, "</section>\n");
}

static void put_decision_forms(struct staff_ctx *c, const struct casefile *k)
{
	casepage_section(c, "decide", M_DEC_TITLE);
	if (k->state == CASE_TO_DIRECTOR) {
		case_form_open(c, "decide-ack", k);
		submit_form_end(c, "ack-submit", M_DEC_ACK);
	}
	case_form_open(c, "decide", k);
	fieldset_open(c, M_DEC_CHOOSE);
	radio(c, "decision", "forward", M_DEC_FORWARD, false);
	radio(c, "decision", "investigate", M_DEC_INVESTIGATE, false);
	radio(c, "decision", "forward_and_investigate", M_DEC_FORWARD_AND_INVESTIGATE, false);
	radio(c, "decision", "no_grounds", M_DEC_NO_GROUNDS, false);
	staff_html(c, "</fieldset>\n");
	text_input(c, "decision-doc", "doc", M_DEC_DOC, "text", false);
	submit_form_end(c, "decide-submit", M_DEC_SUBMIT);
	staff_html(c, "</section>\n");
}

/* users: the staff holding the commission role (sql_commission_users). */
static void put_order_form(struct staff_ctx *c, const struct casefile *k, const PGresult *users)
{
	casepage_section(c, "order", M_ORDER_TITLE);
	case_form_open(c, "order", k);
	text_input(c, "order-no", "order_no", M_ORDER_NO, "text", true);
	text_input(c, "order-date", "order_date", M_ORDER_DATE, "date", true);
	fieldset_open(c, M_ORDER_MEMBERS);
	const PGresult *res = users;
	int login = res ? db_col(res, "login") : -1;
	int display_name = res ? db_col(res, "display_name") : -1;
	for (int i = 0; res && i < PQntuples(res); i++) {
		staff_html(c, "<label class=\"choice\"><input type=\"checkbox\" name=\"member\" "
			      "value=\"");
		staff_esc(c, PQgetvalue(res, i, login));
		staff_html(c, "\"> ");
		staff_esc(c, PQgetvalue(res, i, display_name));
		staff_html(c, "</label>\n");
	}
	if (!res || PQntuples(res) == 0) {
		staff_html(c, "<p class=\"notice\">");
		staff_text(c, M_ORDER_NO_MEMBERS);
		staff_html(c, "</p>\n");
	}
	staff_html(c, "</fieldset>\n");
	submit_form_end(c, "order-submit", M_ORDER_SUBMIT);
	staff_html(c, "</section>\n");
}

static void put_extension_form(struct staff_ctx *c, const struct casefile *k, const char *due)
{
	casepage_section(c, "extend", M_EXT_TITLE);
	staff_html(c, "<p class=\"hint\">");
	char text[256], day[64];
	staff_date_str(c, due, day, sizeof(day));
	snprintf(text, sizeof(text), i18n(c->lang, M_EXT_HINT), day);
	staff_esc(c, text);
	staff_html(c, "</p>\n");
	case_form_open(c, "extend", k);
	text_input(c, "consent-doc", "consent_doc", M_EXT_DOC, "text", true);
	text_input(c, "consent-date", "consent_date", M_EXT_DATE, "date", true);
	/* recorded as the account that consents: the one logged in */
	snprintf(text, sizeof(text), i18n(c->lang, M_EXT_AS_YOU), c->user->name);
	staff_html(c, "<p class=\"hint\" id=\"consent-as\">");
	staff_esc(c, text);
	staff_html(c, "</p>\n");
	text_input(c, "new-due", "new_due", M_EXT_NEW_DUE, "date", true);
	submit_form_end(c, "extend-submit", M_EXT_SUBMIT);
	staff_html(c, "</section>\n");
}

/* Management's steps after the commission submitted (004 p.7.11): one of
 * the four decisions with its document's number and date; the measures'
 * document; the close. */
static void put_ruling_forms(struct staff_ctx *c, const struct casefile *k, const char *inv_state,
			     const char *decision)
{
	bool measures =
	    strcmp(decision, "disciplinary") == 0 || strcmp(decision, "other_measures") == 0;
	casepage_section(c, "ruling", M_COMM_DECISION);
	if (strcmp(inv_state, "submitted") == 0) {
		paragraph(c, M_COMM_DECISION_HINT);
		case_form_open(c, "inv-decide", k);
		fieldset_open(c, M_COMM_DECISION);
		for (size_t i = 0; i < sizeof(rulings) / sizeof(rulings[0]); i++)
			radio(c, "decision", rulings[i].name, rulings[i].text, false);
		staff_html(c, "</fieldset>\n");
		text_input(c, "ruling-doc", "doc", M_COMM_DECISION_DOC, "text", true);
		text_input(c, "ruling-date", "date", M_COMM_DECISION_DATE, "date", true);
		submit_form_end(c, "ruling-submit", M_COMM_RECORD_DECISION);
	} else if (strcmp(inv_state, "decided") == 0 && measures) {
		case_form_open(c, "inv-measures", k);
		text_input(c, "measures-doc-no", "doc", M_COMM_MEASURES_DOC, "text", true);
		text_input(c, "measures-date", "date", M_COMM_MEASURES_DATE, "date", true);
		submit_form_end(c, "measures-submit", M_COMM_RECORD_MEASURES);
	} else {
		case_form_open(c, "inv-close", k);
		submit_form_end(c, "close-submit", M_COMM_CLOSE);
	}
	staff_html(c, "</section>\n");
}

static void put_unread_notice(struct staff_ctx *c, const struct casepage_view *v)
{
	if (v->unread == 0)
		return;
	char text[160];
	snprintf(text, sizeof(text), i18n(c->lang, M_CASE_UNREAD_NOTICE), v->unread);
	staff_html(c, "<p class=\"notice unread\" id=\"unread\"><a href=\"#messages\">");
	staff_esc(c, text);
	staff_html(c, "</a></p>\n");
}

/* The unproven claims of load_claims(), said at the top for the
 * compliance manager to review. */
static void put_unproven_claims(struct staff_ctx *c, const struct casepage_view *v)
{
	const PGresult *res = v->claims;
	int claims = res ? db_col(res, "claims") : -1;
	for (int i = 0; res && i < PQntuples(res); i++) {
		char text[512];
		snprintf(text, sizeof(text), i18n(c->lang, M_CASE_UNPROVEN_CLAIM),
			 PQgetvalue(res, i, claims));
		staff_html(c, "<p class=\"notice\" id=\"unproven-claim\">");
		staff_esc(c, text);
		staff_html(c, "</p>\n");
	}
}

/* The related appeals of load_related(); for the compliance manager, the
 * form that attaches this appeal to the investigation of another case. */
static void put_related(struct staff_ctx *c, const struct casepage_view *v)
{
	const PGresult *res = v->related;
	int n = res ? PQntuples(res) : 0;
	if (n == 0 && !has_role(c, ROLE_COMPLIANCE))
		return;
	casepage_section(c, "related", M_REL_TITLE);
	if (n > 0) {
		staff_html(c, "<ul id=\"related-list\">\n");
		int reg_no = db_col(res, "reg_no"), relation = db_col(res, "relation");
		for (int i = 0; i < n; i++) {
			bool attached = strcmp(PQgetvalue(res, i, relation), "attached") == 0;
			staff_html(c, "<li class=\"%s\">", attached ? "attached" : "investigation");
			staff_text(c, attached ? M_REL_ATTACHED : M_REL_PART_OF);
			staff_html(c, " <a href=\"/staff/case/");
			staff_esc(c, PQgetvalue(res, i, reg_no));
			staff_html(c, "\">");
			staff_esc(c, PQgetvalue(res, i, reg_no));
			staff_html(c, "</a></li>\n");
		}
		staff_html(c, "</ul>\n");
	}
	if (has_role(c, ROLE_COMPLIANCE)) {
		case_form_open(c, "case-relate", &v->k);
		staff_html(c, "<p class=\"hint\">");
		staff_text(c, M_REL_HINT);
		staff_html(c, "</p>\n");
		text_input(c, "relate-to", "to", M_REL_TO, "text", true);
		submit_form_end(c, "relate-submit", M_REL_SUBMIT);
	}
	staff_html(c, "</section>\n");
}

/* --- the page --- */

/* The whole page from the view: writes, reads nothing. */
static void put_page(struct staff_ctx *c, const struct casepage_view *v, const char *error)
{
	const struct casefile *k = &v->k;
	char title[64];
	snprintf(title, sizeof(title), "%s %s", i18n(c->lang, M_CASE_TITLE), k->reg_no);
	staff_page_begin(c, title);
	casepage_stylesheet(c);
	staff_html(c, "<h1>");
	staff_text(c, M_CASE_TITLE);
	staff_html(c, " <span id=\"reg-no\">");
	staff_esc(c, k->reg_no);
	staff_html(c, "</span></h1>\n");
	if (error) {
		staff_html(c, "<p class=\"error\" id=\"step-error\" role=\"alert\">");
		staff_esc(c, error);
		staff_html(c, "</p>\n");
	}
	/* a compliance manager named in the report steps aside like an
	 * investigator (002 L47, 004 L105): the page says so to the one it
	 * names. A warning, not a refusal: the director decides who handles
	 * it instead. */
	if (has_role(c, ROLE_COMPLIANCE) && v->named) {
		staff_html(c, "<p class=\"error\" id=\"you-are-named\" role=\"alert\">");
		staff_text(c, M_CASE_YOU_ARE_NAMED);
		staff_html(c, "</p>\n");
	}
	put_facts(c, v);
	put_unread_notice(c, v);
	put_unproven_claims(c, v);
	if (strncmp(k->decision, "forward", 7) == 0) {
		staff_html(c, "<p><a id=\"cover-letter\" href=\"/staff/cover-letter/");
		staff_esc(c, k->reg_no);
		staff_html(c, "\">");
		staff_text(c, M_DEC_COVER_LETTER);
		staff_html(c, "</a></p>\n");
	}
	put_content(c, v);
	put_files(c, v);
	casepage_messages_put(c, k, v->messages, v->read_before);
	put_related(c, v);
	/* the steps that decide on the report come after it: it is read
	 * first, then decided (issue 16) */
	if (has_role(c, ROLE_COMPLIANCE) && k->state == CASE_REGISTERED)
		put_triage_form(c, k, v->considered);
	if (has_role(c, ROLE_COMPLIANCE) &&
	    (k->state == CASE_URGENT ||
	     (strncmp(k->decision, "forward", 7) == 0 && !(v->has_facts && v->forwarded))))
		put_forwarded_form(c, k);
	if (decides(c) && !k->view_only &&
	    (k->state == CASE_TO_DIRECTOR || k->state == CASE_ACKNOWLEDGED))
		put_decision_forms(c, k);
	/* after the report, which the alternate reads before deciding */
	if (has_role(c, ROLE_ALTERNATE) && !has_role(c, ROLE_DIRECTOR) && k->director_named &&
	    !k->view_only && v->key)
		put_director_clear_form(c, k);
	const struct casepage_investigation *inv = &v->inv;
	bool found = inv->res != NULL;
	const char *inv_state = inv->inv_state;
	put_investigation(c, inv);
	if (decides(c) && !k->view_only && k->state == CASE_INVESTIGATION && !found)
		put_order_form(c, k, v->commission_users);
	if (decides(c) && !k->view_only && found &&
	    (strcmp(inv_state, "ordered") == 0 || strcmp(inv_state, "in_progress") == 0 ||
	     strcmp(inv_state, "conclusion_drafted") == 0))
		put_extension_form(c, k, inv->due);
	if (decides(c) && !k->view_only && found &&
	    (strcmp(inv_state, "submitted") == 0 || strcmp(inv_state, "decided") == 0 ||
	     strcmp(inv_state, "measures_adopted") == 0))
		put_ruling_forms(c, k, inv_state, inv->decision_name);
	put_notes(c, v);
	put_timeline(c, v);
	staff_page_end(c);
}

void casepage_show(struct staff_ctx *c, const char *reg_no, unsigned status, const char *error)
{
	struct casepage_view v;
	memset(&v, 0, sizeof(v));
	if (!casefile_open(c, reg_no, false, &v.k))
		return;
	/* audited before anything of the case is read for the page; the view
	 * marks the reporter's messages read */
	if (!staff_audit(c, "case.view", v.k.reg_no) ||
	    !casefile_mark_read(c, v.k.id, &v.read_before) ||
	    !(v.cal = wfdb_calendar(c->db, NULL))) {
		casefile_rollback(c);
		casefile_db_error(c);
		return;
	}
	casepage_view_load(c, &v);
	c->status = status;
	put_page(c, &v, error);
	casepage_view_free(&v);
	if (!casefile_commit(c)) {
		casefile_rollback(c);
		casefile_db_error(c);
	}
}

static void case_view(struct staff_ctx *c)
{
	casepage_show(c, c->arg, 200, NULL);
}

/* --- files --- */

static void file_download(struct staff_ctx *c)
{
	static const char sql_file[] =
	    "SELECT j.reg_no, a.message_id IS NULL AS of_case, a.meta, a.data, m.key_sealed "
	    "FROM hotline.attachments a JOIN hotline.cases c ON c.id = a.case_id "
	    "JOIN hotline.journal j ON j.id = c.journal_id "
	    "LEFT JOIN hotline.messages m ON m.id = a.message_id WHERE a.id = $1::bigint";
	const char *id = c->arg;
	if (!*id || strlen(id) > 18 || strspn(id, "0123456789") != strlen(id)) {
		casefile_not_found(c);
		return;
	}
	if (!casefile_begin(c)) {
		casefile_db_error(c);
		return;
	}
	const char *v[1] = {id};
	PGresult *res = casefile_query(c, sql_file, 1, v);
	struct casefile k;
	bool db_error = res == NULL;
	if (!res || PQntuples(res) != 1 ||
	    !casefile_load(c, PQgetvalue(res, 0, db_col(res, "reg_no")), false, &k, &db_error)) {
		PQclear(res);
		casefile_load_refused(c, db_error);
		return;
	}
	char object[48];
	snprintf(object, sizeof(object), "%s/%s", k.reg_no, id);
	if (!staff_audit(c, "case.file", object)) {
		PQclear(res);
		casefile_rollback(c);
		casefile_db_error(c);
		return;
	}
	bool of_case = strcmp(PQgetvalue(res, 0, db_col(res, "of_case")), "t") == 0;
	int key_sealed = db_col(res, "key_sealed");
	struct content_key *key =
	    of_case ? casefile_content_key(c, &k) : casefile_sealed_key(c, res, 0, key_sealed);
	casefile_send_file(c, key, res);
}

/* The case pages' own rules on top of the foundation's stylesheet (the
 * staff pages allow no inline style), and the cover letter's. */
static const char case_css[] =
    ".text{white-space:pre-wrap;overflow-wrap:anywhere}\n"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}\n"
    "dl.facts dt{font-weight:600}dl.facts dd{margin:0}\n"
    "dl.report dt{font-weight:600;margin-top:.6rem}dl.report dd{margin:0 0 .4rem}\n"
    "tr.overdue td{background:#fdecea}.late{color:#b3261e;font-weight:600}.tag{color:#b3261e}\n"
    "label.choice{font-weight:400;margin:.35rem 0}\n"
    "form.filters{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:flex-end}\n"
    "form.filters select{width:auto;min-width:10rem}form.filters button{margin:.8rem 0 0}\n"
    "ul.cards{list-style:none;padding:0}\n"
    "li.card{border:1px solid #c9ced6;border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}\n"
    "li.card.overdue{border-left:4px solid #b3261e}\n"
    "li.card form{display:inline}li.card button.ack{margin:.5rem .6rem 0 0}\n"
    "a.button{display:inline-block;margin-top:.5rem}\n"
    "article.message,article.note{border-left:3px solid #c9ced6;padding:.2rem .8rem;"
    "margin:.6rem 0}\n"
    "article.unread{border-left-color:#b3261e}.badge{background:#b3261e;color:#fff;"
    "border-radius:3px;padding:0 .35rem;font-size:.8rem;font-weight:600}\n"
    "p.unread{border-left:4px solid #b3261e;padding:.3rem .6rem}\n"
    "article.from-staff{border-left-color:#1b7f3b}article h3{font-size:1rem;margin:.2rem 0}\n"
    "main section{margin:1.4rem 0}code{overflow-wrap:anywhere}\n"
    "body.letter .text{white-space:pre-wrap}\n"
    "@media (max-width:40rem){dl.facts{grid-template-columns:1fr}"
    "dl.facts dd{margin-bottom:.4rem}form.filters select{width:100%}"
    /* the archive's rows as short blocks: no sideways scrolling on a phone */
    "#archive thead{position:absolute;left:-9999px}"
    "#archive tr{display:block;padding:.45rem 0;border-bottom:1px solid #c9ced6}"
    "#archive td{display:inline-block;border:0;padding:.1rem .7rem .1rem 0}"
    "#archive td:first-child{display:block}}\n"
    "nav.pages{margin:1rem 0}nav.pages a{margin-right:1.2rem}\n"
    /* a file kept with its metadata: staff should notice (intake/clean.h) */
    "small.not-cleaned{color:#8a3b00;font-weight:600}small.cleaned{color:#1b5e20}\n";

static void case_style(struct staff_ctx *c)
{
	c->content_type = "text/css; charset=utf-8";
	buf_puts(&c->body, case_css);
	buf_puts(&c->body, coverletter_css);
}

void casepage_stylesheet(struct staff_ctx *c)
{
	staff_html(c, "<link rel=\"stylesheet\" href=\"/staff/case.css\">\n");
}

const struct staff_route staff_casepage_routes[] = {
    {"GET", "/staff/case.css", STAFF_PUBLIC, case_style, "case.css"},
    {"GET", "/staff/case/*",
     ROLE_BIT(ROLE_COMPLIANCE) | ROLE_BIT(ROLE_DIRECTOR) | ROLE_BIT(ROLE_ALTERNATE), case_view,
     "case.view"},
    {"GET", "/staff/case-file/*",
     ROLE_BIT(ROLE_COMPLIANCE) | ROLE_BIT(ROLE_DIRECTOR) | ROLE_BIT(ROLE_ALTERNATE), file_download,
     "case.file"},
    {NULL, NULL, 0, NULL, NULL},
};
