/* hotlinectl user ..., role totp ..., audit verify (docs/cli.md). argv[0]
 * is the word after "user", "role" or "audit verify". */
#ifndef HOTLINE_CTL_STAFF_USERS_H
#define HOTLINE_CTL_STAFF_USERS_H

int user_main(int argc, char **argv);
int role_main(int argc, char **argv);
int audit_verify_main(int argc, char **argv);
/* hotlinectl account-secret --out FILE: the staff accounts' server secret
 * (accounts/account.h, docs/staff.md "Accounts and keys"). */
int account_secret_main(int argc, char **argv);

#endif
