/* The registrar's desk: see registrar.h. */
#include "desk/registrar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "intake/clean.h"
#include "base/log.h"
#include "intake/choices.h"
#include "base/html.h"
#include "intake/sealing.h"
#include "desk/desk.h"
#include "workflow/wfdb.h"

static const char *const identity_fields[] = {"name", "organisation", "address", "phone", "email"};
static const char *const content_fields[] = {"what", "when_where", "who"};

static const char *const channels[] = {"written", "in_person"};
static const enum msg channel_msgs[] = {M_REG_WRITTEN, M_REG_IN_PERSON};

static const char *known_channel(const char *v)
{
	for (size_t i = 0; i < 2; i++) {
		if (strcmp(v, channels[i]) == 0)
			return channels[i];
	}
	return NULL;
}

static enum msg channel_msg(const char *channel)
{
	return strcmp(channel, "in_person") == 0 ? M_REG_IN_PERSON : M_REG_WRITTEN;
}

struct reg_errors {
	bool any;
	bool channel, date, what, category, files;
	bool ask, named_empty; /* intake/choices.h */
	bool files_lost;       /* files were attached: a browser cannot keep them */
	bool has_banner;
	enum msg banner;
};

static struct cal_date today(const struct staff_ctx *c)
{
	return calendar_local_date(staff_now(c));
}

/* The empty part a file input left blank sends. */
static bool no_file(const struct staff_file *f)
{
	return f->len == 0 && (!f->name || !f->name[0]);
}

static void register_form_page(struct staff_ctx *c, unsigned status, const struct reg_errors *e)
{
	struct buf *b = &c->body;
	enum lang lang = c->lang;
	c->status = status;
	desk_page_begin(c, i18n(lang, M_REG_TITLE));
	html_markup(b, "<h1>");
	html_escape_str(b, i18n(lang, M_REG_TITLE));
	html_markup(b, "</h1>\n");
	if (e && e->any) {
		html_markup(b, "<div id=\"errors\" role=\"alert\"><p>");
		html_escape_str(b, i18n(lang, e->has_banner ? e->banner
					      : e->ask	    ? M_DESK_ERR_ASK
							    : M_REG_ERR_SUMMARY));
		html_markup(b, "</p>");
		if (e->files_lost) {
			html_markup(b, "<p id=\"files-again\">");
			html_escape_str(b, i18n(lang, M_ERR_FILES_AGAIN));
			html_markup(b, "</p>");
		}
		html_markup(b, "</div>\n");
	}
	html_markup(b, "<p>");
	html_escape_str(b, i18n(lang, M_REG_INTRO));
	html_markup(b, "</p>\n");
	staff_form_open(c, "/staff/register", true);
	html_markup(b, "\n<fieldset><legend>");
	html_escape_str(b, i18n(lang, M_REG_CHANNEL));
	html_markup(b, "</legend>\n");
	if (e && e->channel)
		desk_error(b, lang, "channel", M_REG_ERR_CHANNEL);
	const char *ch = staff_arg(c, "channel");
	for (size_t i = 0; i < 2; i++) {
		html_f(b,
		       "<label class=\"choice\"><input type=\"radio\" name=\"channel\" "
		       "value=\"%s\"%s required> ",
		       channels[i], strcmp(ch, channels[i]) == 0 ? " checked" : "");
		html_escape_str(b, i18n(lang, channel_msgs[i]));
		html_markup(b, "</label>\n");
	}
	/* the date: today unless the form says otherwise */
	char day[CAL_DATE_SIZE];
	cal_date_format(today(c), day);
	const char *received = staff_arg_len(c, "received_on") ? staff_arg(c, "received_on") : day;
	html_f(b, "<label for=\"field-received_on\">");
	html_escape_str(b, i18n(lang, M_REG_RECEIVED));
	html_f(b,
	       "</label>\n<input type=\"date\" id=\"field-received_on\" name=\"received_on\" "
	       "max=\"%s\" required value=\"",
	       day);
	html_escape_str(b, received);
	html_markup(b, "\">\n");
	if (e && e->date)
		desk_error(b, lang, "received_on", M_REG_ERR_DATE);
	html_markup(b, "</fieldset>\n<fieldset><legend>");
	html_escape_str(b, i18n(lang, M_REG_PERSON));
	html_markup(b, "</legend>\n");
	desk_identity_choice(b, c, e && e->ask, e && e->named_empty);
	desk_input(b, c, "name", M_FORM_NAME, "text", false);
	desk_input(b, c, "organisation", M_CALL_ORGANISATION, "text", false);
	desk_textarea(b, c, "address", M_FORM_ADDRESS, false, 2);
	desk_input(b, c, "phone", M_FORM_PHONE, "tel", false);
	desk_input(b, c, "email", M_FORM_EMAIL, "email", false);
	html_markup(b, "</fieldset>\n<fieldset><legend>");
	html_escape_str(b, i18n(lang, M_REG_SUBSTANCE));
	html_markup(b, "</legend>\n");
	desk_textarea(b, c, "what", M_FORM_WHAT, true, 8);
	if (e && e->what)
		desk_error(b, lang, "what", M_ERR_WHAT_MISSING);
	desk_textarea(b, c, "when_where", M_FORM_WHEN_WHERE, false, 2);
	desk_textarea(b, c, "who", M_FORM_WHO, false, 2);
	desk_routing(b, c, e && e->category);
	html_markup(b, "<label for=\"field-files\">");
	html_escape_str(b, i18n(lang, M_REG_FILES));
	html_markup(b,
		    "</label>\n<input type=\"file\" id=\"field-files\" name=\"files\" multiple>\n");
	char size[32], text[256];
	html_size(size, sizeof(size), c->lang, c->cfg ? c->cfg->max_file_bytes : 0);
	snprintf(text, sizeof(text), i18n(lang, M_REG_ERR_FILES), c->cfg ? c->cfg->max_files : 0,
		 size);
	if (e && e->files) {
		html_markup(b, "<p class=\"error\" id=\"error-files\">");
		html_escape_str(b, text);
		html_markup(b, "</p>\n");
	}
	html_markup(b, "</fieldset>\n<p><button type=\"submit\" id=\"register\">");
	html_escape_str(b, i18n(lang, M_REG_SUBMIT));
	html_markup(b, "</button></p>\n</form>\n");
	staff_page_end(c);
}

static void register_form(struct staff_ctx *c)
{
	register_form_page(c, 200, NULL);
}

/* --- POST --- */

/* org: the organisation's name from the settings, NULL when unset. */
static void ticket_render(struct staff_ctx *c, const char *org, const char *receipt,
			  const char *channel, const char *received_on,
			  const struct appeal_result *r)
{
	struct buf *b = &c->body;
	enum lang lang = c->lang;
	desk_page_begin(c, i18n(lang, M_TICKET_TITLE));
	html_markup(b, "<article class=\"ticket\" id=\"ticket\">\n");
	if (org && !desk_blank(org)) {
		html_markup(b, "<p class=\"org\" id=\"organisation\">");
		html_escape_str(b, org);
		html_markup(b, "</p>\n");
	}
	html_markup(b, "<h1>");
	html_escape_str(b, i18n(lang, M_TICKET_TITLE));
	html_markup(b, "</h1>\n<p>");
	html_escape_str(b, i18n(lang, M_TICKET_SUBTITLE));
	html_markup(b, "</p>\n<dl class=\"facts\">\n");
	desk_registered(b, lang, r);
	html_markup(b, "<dt>");
	html_escape_str(b, i18n(lang, M_TICKET_RECEIVED));
	html_markup(b, "</dt>\n<dd id=\"received-on\">");
	html_escape_str(b, received_on);
	html_markup(b, "</dd>\n<dt>");
	html_escape_str(b, i18n(lang, M_TICKET_CHANNEL));
	html_markup(b, "</dt>\n<dd id=\"channel\">");
	html_escape_str(b, i18n(lang, channel_msg(channel)));
	html_markup(b, "</dd>\n<dt>");
	html_escape_str(b, i18n(lang, M_RECEIPT_CODE));
	char text[RECEIPT_TEXT_SIZE];
	receipt_format(receipt, text);
	html_markup(b, "</dt>\n<dd><code class=\"receipt\" id=\"receipt\">");
	html_escape_str(b, text);
	explicit_bzero(text, sizeof(text));
	html_markup(b, "</code></dd>\n</dl>\n");
	char where[512], how[1024];
	config_public_link(c->cfg, "status", where, sizeof(where));
	snprintf(how, sizeof(how), i18n(lang, M_TICKET_HOW), where);
	html_markup(b, "<p id=\"ticket-how\">");
	html_escape_str(b, how);
	html_markup(b, "</p>\n<p class=\"notice\">");
	html_escape_str(b, i18n(lang, M_TICKET_KEEP));
	html_markup(b, "</p>\n</article>\n<div class=\"no-print\">\n<p class=\"hint\">");
	html_escape_str(b, i18n(lang, M_TICKET_PRINT));
	html_markup(b, "</p>\n<p><a class=\"button\" href=\"/staff/register\">");
	html_escape_str(b, i18n(lang, M_REG_ANOTHER));
	html_markup(b, "</a></p>\n</div>\n");
	staff_page_end(c);
}

static void ticket_page(struct staff_ctx *c, const char *receipt, const char *channel,
			const char *received_on, const struct appeal_result *r)
{
	char *org = wfdb_setting(c->db, "organisation"); /* ours, NULL when unset */
	ticket_render(c, org, receipt, channel, received_on, r);
	free(org);
}

static bool check_register(struct staff_ctx *c)
{
	struct reg_errors e;
	memset(&e, 0, sizeof(e));
	e.channel = !known_channel(staff_arg(c, "channel"));
	struct cal_date d;
	e.date =
	    !cal_date_parse(staff_arg(c, "received_on"), &d) || cal_date_compare(d, today(c)) > 0;
	e.what = desk_blank(staff_arg(c, "what"));
	e.category = !choices_category(staff_arg(c, "category"));
	unsigned nfiles = 0;
	const struct staff_file *files = staff_files(c, &nfiles);
	unsigned real = 0;
	for (unsigned i = 0; i < nfiles; i++) {
		if (no_file(&files[i]))
			continue;
		real++;
		if (c->cfg && files[i].len > c->cfg->max_file_bytes)
			e.files = true;
	}
	if (c->cfg && real > c->cfg->max_files)
		e.files = true;
	enum choices_identity who = desk_identity(c, identity_fields, 5);
	e.ask = who == CHOICES_ASK;
	e.named_empty = who == CHOICES_NAMED_EMPTY;
	e.any = e.channel || e.date || e.what || e.category || e.files || e.ask || e.named_empty;
	if (!e.any)
		return true;
	e.files_lost = real > 0;
	log_info("staff: registration refused, form incomplete (channel:%d date:%d what:%d "
		 "category:%d files:%d ask:%d named_empty:%d)",
		 e.channel, e.date, e.what, e.category, e.files, e.ask, e.named_empty);
	register_form_page(c, 400, &e);
	return false;
}

static struct appeal *build_appeal(struct staff_ctx *c, const char *receipt)
{
	json_t *content = desk_fields(c, content_fields, 3, false);
	/* the person chose to stay anonymous: what was typed is dropped */
	json_t *identity = desk_identity(c, identity_fields, 5) == CHOICES_NAMED
			       ? desk_fields(c, identity_fields, 5, true)
			       : NULL;
	struct sealing_file *sf = NULL;
	struct appeal *a = NULL;
	unsigned nfiles = 0, n = 0, cleaned_count = 0;
	const struct staff_file *files = staff_files(c, &nfiles);
	/* the reporter's papers and files, cleaned of metadata like the web
	 * form's (intake/clean.h): this is a worker thread */
	struct clean_opts opts = {0};
	if (c->cfg)
		clean_opts_from(&opts, c->cfg);
	struct {
		unsigned char *data;
		size_t len;
	} *held = nfiles ? calloc(nfiles, sizeof(*held)) : NULL;
	if (!content || json_object_set_new(content, "received_on",
					    json_string(staff_arg(c, "received_on"))) != 0)
		goto done;
	if (nfiles && (!(sf = calloc(nfiles, sizeof(*sf))) || !held))
		goto done;
	for (unsigned i = 0; i < nfiles; i++) {
		const struct staff_file *f = &files[i];
		if (no_file(f))
			continue;
		const char *name = f->name ? f->name : "";
		enum clean_state state =
		    f->read ? clean_stream_once(&opts, name, strlen(name), f->len, f->read,
						f->read_cls, &held[i].data, &held[i].len)
			    : clean_buffer(&opts, name, strlen(name), f->data, f->len,
					   &held[i].data, &held[i].len);
		cleaned_count += state == CLEAN_DONE;
		sf[n++] = (struct sealing_file){
		    .name = name,
		    .name_len = strlen(name),
		    .type = f->type ? f->type : "",
		    .type_len = f->type ? strlen(f->type) : 0,
		    .data = held[i].data ? held[i].data : f->data,
		    .len = held[i].data ? held[i].len : f->len,
		    .read = held[i].data ? NULL : f->read,
		    .read_cls = held[i].data ? NULL : f->read_cls,
		    .clean = state,
		};
	}
	if (n)
		log_info("staff: %u of %u files cleaned of metadata, %u kept as they came",
			 cleaned_count, n, n - cleaned_count);
	struct sealing_parts parts =
	    desk_sealing_parts(c, known_channel(staff_arg(c, "channel")), receipt);
	parts.content = content;
	parts.identity = identity;
	parts.files = sf;
	parts.nfiles = n;
	a = sealing_build(c->keys, &parts);
done:
	for (unsigned i = 0; held && i < nfiles; i++)
		clean_free(held[i].data, held[i].len);
	free(held);
	free(sf);
	json_decref(content);
	json_decref(identity);
	return a;
}

static void register_save(struct staff_ctx *c)
{
	if (!check_register(c))
		return;
	char receipt[RECEIPT_DIGITS + 1];
	receipt_generate(receipt);
	struct appeal *a = build_appeal(c, receipt);
	if (!a)
		log_error("staff: sealing a registered appeal failed");
	const char *channel = known_channel(staff_arg(c, "channel"));
	char received[CAL_DATE_SIZE];
	snprintf(received, sizeof(received), "%s", staff_arg(c, "received_on"));
	struct desk_taken taken = {
	    .c = c,
	    .kind = "desk",
	    .received_on = received,
	    .outside_hours = false,
	    .audit_action = "appeal.register",
	};
	struct appeal_result r;
	unsigned status = desk_register(&taken, a, &r);
	if (status == 200) {
		ticket_page(c, receipt, channel, received, &r);
	} else {
		struct reg_errors e = {.any = true,
				       .has_banner = true,
				       .banner = r.unknown ? M_REG_UNCONFIRMED : M_REG_NOT_SAVED};
		register_form_page(c, status, &e);
	}
	explicit_bzero(receipt, sizeof(receipt));
}

const struct staff_route registrar_routes[] = {
    {"GET", "/staff/register", ROLE_BIT(ROLE_REGISTRAR), register_form, "register.form"},
    {"POST", "/staff/register", ROLE_BIT(ROLE_REGISTRAR), register_save, "register.save"},
    {NULL, NULL, 0, NULL, NULL},
};

const struct staff_menu registrar_menu[] = {
    {"/staff/register", M_REG_TITLE},
    {NULL, 0},
};
