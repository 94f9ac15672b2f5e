/* Revealing a reporter's identity, in the staff pages (docs/reveal.md): the
 * compliance manager or a commission member asks, stating the reason; the
 * director (the alternate recipient when the case names the director)
 * approves or rejects; the custodian types the custodian key's passphrase
 * and reads the identity, once. Every step, every refusal and every wrong
 * passphrase is audited; wrong passphrases slow the next attempts down. */
#ifndef HOTLINE_STAFF_IDENTITY_H
#define HOTLINE_STAFF_IDENTITY_H

#include "staff/staff.h"

extern const struct staff_route staff_identity_routes[];
extern const struct staff_menu staff_identity_menu[];

#endif
