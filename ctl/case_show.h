/* hotlinectl case show: decrypts one case for a person who holds the keys.
 * A stand-in for the staff consoles, and the proof in tests that what the
 * daemon sealed can be opened again. */
#ifndef HOTLINE_CTL_CASE_SHOW_H
#define HOTLINE_CTL_CASE_SHOW_H

#include <jansson.h>
#include <libpq-fe.h>

#include "crypto/seal.h"

int case_show_main(int argc, char **argv);

/* The report's own text (what, when and where, who) of case reg_no and
 * its reporter's messages, for a holder of the case key; malloc'd, NULL
 * with a message on failure. */
char *case_report_text(PGconn *pg, const char *reg_no, const struct secret_key *sk);

#endif
