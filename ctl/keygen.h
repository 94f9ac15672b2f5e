/* hotlinectl keygen, pepper and checkpoint-key: make the key pairs, the
 * receipt pepper file and the checkpoint key (docs/cli.md, docs/keys.md). */
#ifndef HOTLINE_CTL_KEYGEN_H
#define HOTLINE_CTL_KEYGEN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"

/* argv[0] is the subcommand name. Return 0 on success, 1 on failure with a
 * message on stderr prefixed "hotlinectl: ". */
int keygen_main(int argc, char **argv);
int pepper_main(int argc, char **argv);
/* hotlinectl checkpoint-key: the Ed25519 key pair of the chain
 * checkpoints (crypto/sign.h). */
int checkpoint_key_main(int argc, char **argv);

/* Reads the passphrase from the first line of path into buf (size bytes,
 * NUL-terminated), the line end ("\n" or "\r\n") stripped. False, with a
 * "hotlinectl: " message on stderr, if the file cannot be read, the first
 * line is empty or does not fit in buf. Wipe buf with secret_wipe() when
 * done. */
bool passphrase_read_file(const char *path, char *buf, size_t size) MUST_CHECK;

/* Asks on /dev/tty with echo off; twice (and at least 8 characters) for a
 * new passphrase. Wipe buf when done. */
bool passphrase_from_terminal(const char *prompt, bool twice, char *buf, size_t size) MUST_CHECK;
/* passphrase_read_file() for a new passphrase: at least 8 characters. */
bool passphrase_new_from_file(const char *path, char *buf, size_t size) MUST_CHECK;

struct secret_key;
/* Unwraps a secret key file with the passphrase on the first line of
 * pass_path (Argon2id: slow on purpose). NULL with a message on stderr. */
struct secret_key *secret_key_from_files(const char *key_path, const char *pass_path);

#endif
