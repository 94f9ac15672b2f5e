/* The commission's files (seed 004 ch. 7): the reporter's files of the
 * cases of its investigation, and the materials it receives in answer to
 * its requests (004 p.7.8), uploaded per request and stored encrypted as
 * the reporter's files are (docs/keys.md: a fresh content key per file,
 * sealed to the case's own public key; the name, type and size as a blob,
 * the bytes as a stream under it; migrations/0035). A member downloads
 * only the files of an investigation they sit on, or of an appeal
 * attached to it; anyone else with the commission role gets 403, audited
 * (access.denied), as the routes' roles refuse every other role. Every
 * download is audited before anything of it is read. Blocking: a staff
 * worker on c->db (staff/staff.h). */
#ifndef HOTLINE_STAFF_COMMFILES_H
#define HOTLINE_STAFF_COMMFILES_H

#include <stdbool.h>

#include "base/attr.h"
#include "staff/staff.h"

struct content_key;
struct investigation;
struct wf_error;

/* The route the reporter's files link to from the commission's pages, up
 * to the file's id. */
#define COMMFILES_REPORTER_PATH "/staff/commission-file/"

/* The materials of an investigation, each file's name and size opened
 * with its own key (sealed to the case's key that this request opened):
 * loaded before the page is written, freed with the names wiped. */
struct commfiles_materials;
struct commfiles_materials *commfiles_materials_load(struct staff_ctx *c,
						     const char *inv_id) MUST_CHECK;
void commfiles_materials_free(struct commfiles_materials *m);

/* Inside the card of request request_id: its materials (name linking to
 * the download, size, date, who uploaded it) and, when upload, the form
 * that adds files to it (posted to action as do=material; with a box
 * that marks the request received when open). */
void commfiles_materials_put(struct staff_ctx *c, const struct commfiles_materials *m,
			     const char *request_id, const char *action, bool upload, bool open);

/* The step do=material of investigation v, in the caller's transaction:
 * every file of the field "file" encrypted and kept for the request
 * staff_arg("request") (workflow/investigation.h investigation_material);
 * "received=1" marks an open request received. */
bool commfiles_add(struct staff_ctx *c, struct investigation *v, struct wf_error *e) MUST_CHECK;

/* GET /staff/commission-file/ID: a file of the report or of a reporter's
 * message (hotline.attachments), audited as case.file (REG_NO/ID). */
void commfiles_reporter_file(struct staff_ctx *c);
/* GET /staff/commission-material/ID: a material received, audited as
 * case.material (REG_NO/ID). */
void commfiles_material(struct staff_ctx *c);

#endif
