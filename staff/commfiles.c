/* The commission's files: see commfiles.h. */
#include "staff/commfiles.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/db.h"
#include "base/html.h"
#include "base/log.h"
#include "base/schema.h"
#include "crypto/keys.h"
#include "crypto/seal.h"
#include "crypto/secret.h"
#include "intake/sealing.h"
#include "staff/casefile.h"
#include "staff/seals.h"
#include "workflow/freetext.h"
#include "workflow/investigation.h"
#include "workflow/wfdb.h"

/* --- the materials of an investigation --- */

/* Without the file's bytes: the list reads only what it shows. */
static const char sql_materials[] =
    "SELECT x.id, x.request_id, x.key_sealed, x.meta, "
    "to_char(x.uploaded_at AT TIME ZONE " SQL_ZONE ", 'YYYY-MM-DD HH24:MI') AS uploaded_at, "
    "u.display_name AS uploaded_by "
    "FROM hotline.commission_materials x JOIN hotline.material_requests r "
    "ON r.id = x.request_id JOIN hotline.staff_users u ON u.id = x.uploaded_by "
    "WHERE r.investigation_id = $1 ORDER BY x.id";

struct commfiles_material {
	bool opened;
	char *name; /* wiped when freed */
	long long size;
};

struct commfiles_materials {
	PGresult *res;
	int n;
	int id, request_id, uploaded_at, uploaded_by;
	struct commfiles_material *f;
};

struct commfiles_materials *commfiles_materials_load(struct staff_ctx *c, const char *inv_id)
{
	struct commfiles_materials *m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	const char *p[1] = {inv_id};
	m->res = casefile_query(c, sql_materials, 1, p);
	m->n = m->res ? PQntuples(m->res) : 0;
	if (m->n == 0)
		return m;
	m->id = db_col(m->res, "id");
	m->request_id = db_col(m->res, "request_id");
	m->uploaded_at = db_col(m->res, "uploaded_at");
	m->uploaded_by = db_col(m->res, "uploaded_by");
	int key_sealed = db_col(m->res, "key_sealed"), meta = db_col(m->res, "meta");
	m->f = calloc((size_t)m->n, sizeof(*m->f));
	if (!m->f)
		abort();
	for (int i = 0; i < m->n; i++) {
		struct content_key *key = casefile_sealed_key(c, m->res, i, key_sealed);
		unsigned char *plain = NULL;
		size_t plen = 0;
		if (casefile_decrypt(key, m->res, i, meta, &plain, &plen)) {
			json_t *j = json_loadb((const char *)plain, plen, 0, NULL);
			secret_wipe(plain, plen);
			free(plain);
			const char *name = json_string_value(json_object_get(j, "name"));
			m->f[i].opened = j != NULL;
			m->f[i].name = name ? strdup(name) : NULL;
			if (name && !m->f[i].name)
				abort();
			m->f[i].size = (long long)json_integer_value(json_object_get(j, "size"));
			json_decref(j);
		}
		content_key_free(key);
	}
	return m;
}

void commfiles_materials_free(struct commfiles_materials *m)
{
	if (!m)
		return;
	for (int i = 0; m->f && i < m->n; i++)
		freetext_free(m->f[i].name);
	free(m->f);
	PQclear(m->res);
	free(m);
}

static void put_material(struct staff_ctx *c, const struct commfiles_materials *m, int i)
{
	const struct commfiles_material *f = &m->f[i];
	const char *id = PQgetvalue(m->res, i, m->id);
	staff_html(c,
		   "<li class=\"material\" id=\"material-%s\"><a class=\"material\" "
		   "href=\"/staff/commission-material/%s\">",
		   id, id);
	if (!f->opened)
		staff_text(c, M_SEALED_TEXT);
	else if (f->name && *f->name)
		staff_esc(c, f->name);
	else
		staff_text(c, M_CASE_FILE_UNNAMED);
	staff_html(c, "</a>");
	if (f->opened) {
		char size[32];
		html_size(size, sizeof(size), c->lang, (size_t)f->size);
		staff_html(c, " · <span class=\"size\">%s</span>", size);
	}
	char date[40], by[256];
	html_date(date, sizeof(date), c->lang, PQgetvalue(m->res, i, m->uploaded_at));
	snprintf(by, sizeof(by), i18n(c->lang, M_COMM_MATERIAL_BY),
		 PQgetvalue(m->res, i, m->uploaded_by));
	staff_html(c, " · <time>%s</time> · <span class=\"by\">%s</span></li>\n", date, by);
}

void commfiles_materials_put(struct staff_ctx *c, const struct commfiles_materials *m,
			     const char *request_id, const char *action, bool upload, bool open)
{
	bool any = false;
	for (int i = 0; i < m->n; i++) {
		if (strcmp(PQgetvalue(m->res, i, m->request_id), request_id) != 0)
			continue;
		if (!any) {
			staff_html(c, "<p class=\"materials-title\"><strong>");
			staff_text(c, M_COMM_MATERIALS);
			staff_html(c, "</strong></p>\n<ul class=\"files materials\">\n");
		}
		any = true;
		put_material(c, m, i);
	}
	if (any)
		staff_html(c, "</ul>\n");
	if (!upload)
		return;
	long long rid = strtoll(request_id, NULL, 10);
	staff_html(c, "<div class=\"upload\">");
	staff_form_open(c, action, true);
	staff_html(c,
		   "<input type=\"hidden\" name=\"do\" value=\"material\">"
		   "<input type=\"hidden\" name=\"request\" value=\"%lld\">\n"
		   "<label for=\"material-file-%lld\">",
		   rid, rid);
	staff_text(c, M_COMM_MATERIAL_FILE);
	staff_html(c,
		   "</label>\n<input type=\"file\" id=\"material-file-%lld\" name=\"file\" "
		   "multiple required aria-describedby=\"material-hint-%lld\">\n"
		   "<p class=\"hint\" id=\"material-hint-%lld\">",
		   rid, rid, rid);
	char size[32], hint[320];
	html_size(size, sizeof(size), c->lang, c->cfg ? c->cfg->max_file_bytes : 0);
	snprintf(hint, sizeof(hint), i18n(c->lang, M_COMM_MATERIAL_HINT),
		 c->cfg ? (int)c->cfg->max_files : 0, size);
	staff_esc(c, hint);
	staff_html(c, "</p>\n");
	if (open) {
		staff_html(c, "<label class=\"choice\"><input type=\"checkbox\" name=\"received\" "
			      "value=\"1\" checked> ");
		staff_text(c, M_COMM_MATERIAL_RECEIVED);
		staff_html(c, "</label>\n");
	}
	staff_html(c, "<button type=\"submit\">");
	staff_text(c, M_COMM_MATERIAL_UPLOAD);
	staff_html(c, "</button></form></div>\n");
}

/* --- the upload --- */

/* One file: a fresh key sealed to the case's public key, the file under
 * it (intake/sealing.h, as the reporter's files), then its row. */
static bool add_one(struct staff_ctx *c, struct investigation *v, const struct public_key *case_pk,
		    const struct staff_file *f, bool received, struct wf_error *e)
{
	struct content_key *key = content_key_new();
	unsigned char *key_sealed = NULL;
	size_t key_len = 0;
	struct appeal_file out;
	memset(&out, 0, sizeof(out));
	struct sealing_file sf = {
	    .name = f->name ? f->name : "",
	    .name_len = f->name ? strlen(f->name) : 0,
	    .type = f->type ? f->type : "",
	    .type_len = f->type ? strlen(f->type) : 0,
	    .data = f->data,
	    .len = f->len,
	    .read = f->read,
	    .read_cls = f->read_cls,
	};
	bool ok = key && content_key_seal(key, case_pk, &key_sealed, &key_len) &&
		  sealing_encrypt_file(key, &sf, &out);
	content_key_free(key);
	if (!ok) {
		wf_fail(e, WF_CRYPTO, "the file could not be encrypted");
	} else {
		struct investigation_material m = {
		    .request_id = staff_arg(c, "request"),
		    .key_sealed = key_sealed,
		    .key_len = key_len,
		    .meta = out.meta.data,
		    .meta_len = out.meta.len,
		    .data = out.data.data,
		    .data_len = out.data.len,
		    .by = c->user->id,
		    .received = received,
		};
		char id[24];
		ok = investigation_material(c->db, v, &m, id, e);
	}
	free(key_sealed);
	free(out.meta.data);
	free(out.data.data);
	return ok;
}

bool commfiles_add(struct staff_ctx *c, struct investigation *v, struct wf_error *e)
{
	unsigned n = 0;
	const struct staff_file *files = staff_files(c, &n);
	unsigned given = 0;
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(files[i].field, "file") != 0)
			continue;
		given++;
		/* the transport refuses these before the page runs; the rule
		 * is said again where the file is taken */
		if (c->cfg && files[i].len > c->cfg->max_file_bytes)
			return wf_fail(e, WF_MISSING, "a file is over max_file_bytes");
	}
	if (given == 0)
		return wf_fail(e, WF_MISSING, "no file was chosen");
	/* sealed to the case's own key, which this member opened from their
	 * seal: whoever may read the case may read what was received */
	struct public_key case_pk;
	if (!staff_case_public_key(c, v->case_id, &case_pk))
		return wf_fail(e, WF_CASE_STATE, "%s", i18n(c->lang, M_COMM_NOT_SEALED));
	bool received = strcmp(staff_arg(c, "received"), "1") == 0;
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(files[i].field, "file") == 0 &&
		    !add_one(c, v, &case_pk, &files[i], received, e))
			return false;
	}
	return true;
}

/* --- the downloads --- */

/* A file id from the path: digits only, or nothing of it is used. */
static bool id_ok(const char *id)
{
	size_t len = strlen(id);
	return len > 0 && len <= 18 && strspn(id, "0123456789") == len;
}

/* The member does not sit on the investigation the file belongs to: the
 * refusal is audited (object: what and its id, never content), 403. */
static void refuse(struct staff_ctx *c, const char *what, const char *id)
{
	char object[64];
	snprintf(object, sizeof(object), "%s %s", what, id);
	if (!staff_audit(c, "access.denied", object) || !casefile_commit(c)) {
		casefile_rollback(c);
		casefile_db_error(c);
		return;
	}
	staff_error(c, 403, M_STAFF_DENIED_TITLE, M_COMM_NOT_YOURS);
}

/* Runs the check (sql_check with $1 the id, $2 the user: columns case_id,
 * reg_no, mine), then, for a member, audits action on REG_NO/ID, opens
 * the case's key from this member's own seal and answers with the file
 * sql_file reads ($1 the id): its meta and data under the key in column
 * key_col (sealed to the case's key). */
static void download(struct staff_ctx *c, const char *sql_check, const char *sql_file,
		     const char *what, const char *action)
{
	const char *id = c->arg;
	if (!id_ok(id)) {
		casefile_not_found(c);
		return;
	}
	if (!casefile_begin(c)) {
		casefile_db_error(c);
		return;
	}
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", c->user->id);
	const char *p[2] = {id, uid};
	PGresult *res = casefile_query(c, sql_check, 2, p);
	if (!res || PQntuples(res) != 1) {
		casefile_load_refused(c, res == NULL);
		PQclear(res);
		return;
	}
	char case_id[24], object[48];
	snprintf(case_id, sizeof(case_id), "%s", PQgetvalue(res, 0, db_col(res, "case_id")));
	snprintf(object, sizeof(object), "%s/%s", PQgetvalue(res, 0, db_col(res, "reg_no")), id);
	bool mine = strcmp(PQgetvalue(res, 0, db_col(res, "mine")), "t") == 0;
	PQclear(res);
	if (!mine) {
		refuse(c, what, id);
		return;
	}
	if (!staff_audit(c, action, object)) {
		casefile_load_refused(c, true);
		return;
	}
	(void)staff_case_key_for(c, case_id);
	res = casefile_query(c, sql_file, 1, p);
	if (!res || PQntuples(res) != 1) {
		casefile_load_refused(c, res == NULL);
		PQclear(res);
		return;
	}
	struct content_key *key = casefile_sealed_key(c, res, 0, db_col(res, "key_sealed"));
	casefile_send_file(c, key, res);
}

void commfiles_reporter_file(struct staff_ctx *c)
{
	/* a member of the investigation of the file's case, or of one the
	 * case is attached to (004 p.7.9) */
	static const char sql_check[] =
	    "SELECT a.case_id, j.reg_no, EXISTS (SELECT 1 FROM hotline.investigations i "
	    "JOIN hotline.commission_members m ON m.investigation_id = i.id "
	    "WHERE m.staff_user_id = $2::bigint AND (i.case_id = a.case_id OR EXISTS ("
	    "SELECT 1 FROM hotline.related_appeals r WHERE r.investigation_id = i.id "
	    "AND r.case_id = a.case_id))) AS mine "
	    "FROM hotline.attachments a JOIN hotline.cases c ON c.id = a.case_id "
	    "JOIN hotline.journal j ON j.id = c.journal_id WHERE a.id = $1::bigint";
	/* a report's file is under the case's content key, a message's under
	 * the message's key: both sealed to the case's key */
	static const char sql_file[] =
	    "SELECT CASE WHEN a.message_id IS NULL THEN coalesce(c.content_key_resealed, "
	    "c.content_key_sealed) ELSE m.key_sealed END AS key_sealed, a.meta, a.data "
	    "FROM hotline.attachments a JOIN hotline.cases c ON c.id = a.case_id "
	    "LEFT JOIN hotline.messages m ON m.id = a.message_id WHERE a.id = $1::bigint";
	download(c, sql_check, sql_file, "commission.file", "case.file");
}

void commfiles_material(struct staff_ctx *c)
{
	static const char sql_check[] =
	    "SELECT i.case_id, j.reg_no, EXISTS (SELECT 1 FROM hotline.commission_members m "
	    "WHERE m.investigation_id = i.id AND m.staff_user_id = $2::bigint) AS mine "
	    "FROM hotline.commission_materials x JOIN hotline.material_requests r "
	    "ON r.id = x.request_id JOIN hotline.investigations i ON i.id = r.investigation_id "
	    "JOIN hotline.cases c ON c.id = i.case_id JOIN hotline.journal j "
	    "ON j.id = c.journal_id WHERE x.id = $1::bigint";
	static const char sql_file[] =
	    "SELECT key_sealed, meta, data FROM hotline.commission_materials WHERE id = $1::bigint";
	download(c, sql_check, sql_file, "commission.material", "case.material");
}
