/* What a database dump of hotline.staff_users lets someone do with a
 * staff password, with and without the server secret (test_account_kdf.py;
 * docs/staff.md, "Accounts and keys"). Uses the product's own functions.
 *
 *   account_probe open PASSWORD SALT_HEX WRAPPED_HEX VERSION OPS MEM [SECRET_FILE]
 *     exit 0 when the password opens secret_key_wrapped. Without
 *     SECRET_FILE it tries everything the dump alone allows: the form-1
 *     derivation, the stretched password itself as the key, and form 2
 *     under an all-zero secret; with it, the product's form-2 derivation.
 *   account_probe downgrade PASSWORD SALT_HEX WRAPPED_HEX OPS MEM SECRET_FILE [TOTP_WRAPPED_HEX]
 *     opens a form-2 account and prints the same keys in form 1 (as before
 *     migration 0019): "hash H", "salt HEX", "sk HEX" and "totp HEX", for
 *     the test of the upgrade at login. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/keys.h"
#include "accounts/account.h"

static unsigned char *unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	if (n >= 2 && hex[0] == '\\' && hex[1] == 'x') {
		hex += 2;
		n -= 2;
	}
	unsigned char *out = malloc(n / 2 + 1);
	if (!out || sodium_hex2bin(out, n / 2 + 1, hex, n, NULL, len, NULL) != 0)
		exit(2);
	return out;
}

static void print_hex(const char *label, const unsigned char *b, size_t n)
{
	char *h = malloc(2 * n + 1);
	if (!h)
		exit(2);
	sodium_bin2hex(h, 2 * n + 1, b, n);
	printf("%s \\x%s\n", label, h);
	free(h);
}

static bool opens(const struct account_kek *k, const unsigned char *w, size_t wl)
{
	unsigned char *plain = NULL;
	size_t pl = 0;
	bool ok = k && account_unwrap(k, w, wl, &plain, &pl);
	account_plain_free(plain, pl);
	return ok;
}

static int cmd_open(int argc, char **argv)
{
	if (argc != 7 && argc != 8)
		return 2;
	const char *pw = argv[1];
	size_t sl, wl;
	unsigned char *salt = unhex(argv[2], &sl), *w = unhex(argv[3], &wl);
	struct account_kdf kdf = {atoi(argv[4]), strtoull(argv[5], NULL, 10),
				  (size_t)strtoull(argv[6], NULL, 10)};
	if (sl != ACCOUNT_SALT_BYTES)
		return 2;
	if (argc == 8) {
		char err[256];
		if (!account_secret_load(argv[7], err, sizeof err)) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
		struct account_kek *k = account_kek_derive_with(pw, salt, &kdf);
		bool ok = opens(k, w, wl);
		account_kek_free(k);
		return ok ? 0 : 1;
	}
	bool ok = false;
	struct account_kdf legacy = {ACCOUNT_KDF_LEGACY, 0, 0};
	struct account_kek *k = account_kek_derive_with(pw, salt, &legacy);
	ok |= opens(k, w, wl);
	account_kek_free(k);
	if (kdf.version == ACCOUNT_KDF_PEPPERED && account_kdf_ok(&kdf)) {
		unsigned char key[crypto_secretbox_KEYBYTES], out[256];
		if (crypto_pwhash(key, sizeof key, pw, strlen(pw), salt, kdf.opslimit, kdf.memlimit,
				  crypto_pwhash_ALG_ARGON2ID13) == 0 &&
		    wl > ACCOUNT_WRAP_OVERHEAD && wl - ACCOUNT_WRAP_OVERHEAD <= sizeof out)
			ok |= crypto_secretbox_open_easy(out, w + crypto_secretbox_NONCEBYTES,
							 wl - crypto_secretbox_NONCEBYTES, w,
							 key) == 0;
		unsigned char zero[ACCOUNT_SECRET_BYTES] = {0};
		if (!account_set_server_secret(zero))
			return 2;
		k = account_kek_derive_with(pw, salt, &kdf);
		ok |= opens(k, w, wl);
		account_kek_free(k);
	}
	return ok ? 0 : 1;
}

static int cmd_downgrade(int argc, char **argv)
{
	if (argc != 7 && argc != 8)
		return 2;
	const char *pw = argv[1];
	size_t sl, wl, tl = 0;
	unsigned char *salt = unhex(argv[2], &sl), *w = unhex(argv[3], &wl);
	unsigned char *tw = argc == 8 ? unhex(argv[7], &tl) : NULL;
	struct account_kdf kdf = {ACCOUNT_KDF_PEPPERED, strtoull(argv[4], NULL, 10),
				  (size_t)strtoull(argv[5], NULL, 10)};
	char err[256];
	if (sl != ACCOUNT_SALT_BYTES || !account_secret_load(argv[6], err, sizeof err))
		return 2;
	struct account_kek *k = account_kek_derive_with(pw, salt, &kdf);
	unsigned char *sk = NULL, *totp = NULL;
	size_t skl = 0, totpl = 0;
	if (!k || !account_unwrap(k, w, wl, &sk, &skl) ||
	    (tw && !account_unwrap(k, tw, tl, &totp, &totpl)))
		return 1;
	char hash[ACCOUNT_HASH_SIZE];
	unsigned char nsalt[ACCOUNT_SALT_BYTES];
	randombytes_buf(nsalt, sizeof nsalt);
	struct account_kdf legacy = {ACCOUNT_KDF_LEGACY, 0, 0};
	struct account_kek *old = account_kek_derive_with(pw, nsalt, &legacy);
	unsigned char *nsk = NULL, *ntotp = NULL;
	size_t nskl = 0, ntotpl = 0;
	if (!old || !account_hash_password(pw, hash) || !account_wrap(old, sk, skl, &nsk, &nskl) ||
	    (totp && !account_wrap(old, totp, totpl, &ntotp, &ntotpl)))
		return 2;
	printf("hash %s\n", hash);
	print_hex("salt", nsalt, sizeof nsalt);
	print_hex("sk", nsk, nskl);
	if (ntotp)
		print_hex("totp", ntotp, ntotpl);
	return 0;
}

int main(int argc, char **argv)
{
	if (!keys_init())
		return 2;
	if (argc > 1 && strcmp(argv[1], "open") == 0)
		return cmd_open(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "downgrade") == 0)
		return cmd_downgrade(argc - 1, argv + 1);
	fprintf(stderr, "usage: account_probe open|downgrade ... (see the source)\n");
	return 2;
}
