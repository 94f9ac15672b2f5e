/* The reporter's way back: the status page behind the receipt, follow-up
 * messages, and the health probe. */
#ifndef HOTLINE_INTAKE_STATUS_H
#define HOTLINE_INTAKE_STATUS_H

#include "intake/request.h"

/* GET /status, or the same form again with an error (error may be NULL). */
void status_page_form(struct request *req, unsigned status, const char *error);
/* GET /status/sent: where a saved follow-up redirects to (PRG); asks for
 * the receipt again, which no URL carries. */
void status_page_sent(struct request *req);
/* POST /status and POST /status/message, after the form was read. */
void status_handle_post(struct request *req);
/* GET /healthz */
void status_health(struct request *req);

#endif
