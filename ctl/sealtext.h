/* hotlinectl case seal-text: encrypts the staff free text written before
 * migration 0022 under each case's key and empties the clear columns
 * (docs/keys.md, "Staff text"; deploy/README.md). */
#ifndef HOTLINE_CTL_SEALTEXT_H
#define HOTLINE_CTL_SEALTEXT_H

#include <libpq-fe.h>

/* argv[0] is "seal-text"; 0 done, 1 failed (nothing changed), 2 usage. */
int sealtext_main(PGconn *pg, int argc, char **argv);

#endif
