/* The unmasking key split M-of-N (crypto/shares.c) and the reveal packet
 * (crypto/packet.c): any M shares rebuild the key and open what was
 * sealed to it; fewer, shares of another split, a wrong passphrase or a
 * changed header fail; the whole secret key is never written; a packet
 * changed after it was made is refused. Argon2id runs at the moderate
 * preset, so this takes some seconds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto/keys.h"
#include "crypto/packet.h"
#include "crypto/seal.h"
#include "crypto/shares.h"

static char dir[] = "/tmp/hotline-unit-shares-XXXXXX";
static const char *const pass[3] = {"custodian passphrase", "director passphrase",
				    "alternate passphrase"};

static void path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static char *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	assert_non_null(f);
	char *text = calloc(1, 4096);
	*len = fread(text, 1, 4095, f);
	fclose(f);
	return text;
}

static void spit(const char *file, const char *text, size_t len)
{
	unlink(file);
	FILE *f = fopen(file, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* Splits a fresh key 2-of-3 into PREFIX.pub and PREFIX-{custodian,director,alternate}. */
static void split(const char *prefix)
{
	char pub[256], files[3][256], err[256];
	static const char *const roles[3] = {"custodian", "director", "alternate"};
	struct share_holder h[3];
	snprintf(pub, sizeof pub, "%s/%s.pub", dir, prefix);
	for (int i = 0; i < 3; i++) {
		snprintf(files[i], sizeof files[i], "%s/%s-%s", dir, prefix, roles[i]);
		h[i] = (struct share_holder){roles[i], files[i], pass[i]};
	}
	assert_true(shares_split(pub, h, 3, 2, err, sizeof err));
	struct stat st;
	assert_int_equal(stat(files[0], &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* never again over the same files */
	assert_false(shares_split(pub, h, 3, 2, err, sizeof err));
	assert_non_null(strstr(err, "already exists"));
}

static struct share *load(const char *prefix, const char *role, int pass_index)
{
	char file[256], err[256];
	snprintf(file, sizeof file, "%s/%s-%s", dir, prefix, role);
	struct share *s = share_load(file, pass[pass_index], err, sizeof err);
	if (!s)
		print_message("share_load: %s\n", err);
	return s;
}

static void m_of_n(void **state)
{
	(void)state;
	char file[256], err[512];
	split("a");
	struct public_key pk;
	path(file, sizeof file, "a.pub");
	assert_true(keys_load_public(file, &pk, err, sizeof err));
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	static const char identity[] = "{\"name\": \"Әсем Reporter\"}";
	assert_true(seal_to(&pk, identity, strlen(identity), &sealed, &sealed_len));

	struct share *c = load("a", "custodian", 0), *d = load("a", "director", 1),
		     *a = load("a", "alternate", 2);
	assert_non_null(c);
	assert_non_null(d);
	assert_non_null(a);
	assert_int_equal(share_threshold(c), 2);
	assert_int_equal(share_count(c), 3);
	assert_int_equal(share_index(a), 3);
	assert_string_equal(share_role(d), "director");

	/* any two of the three rebuild the key and open the identity */
	struct share *pairs[3][2] = {{c, d}, {c, a}, {a, d}};
	for (int i = 0; i < 3; i++) {
		struct secret_key *sk = shares_combine(pairs[i], 2, err, sizeof err);
		assert_non_null(sk);
		unsigned char *plain = NULL;
		size_t plen = 0;
		assert_true(seal_open(sk, sealed, sealed_len, &plain, &plen));
		assert_int_equal(plen, strlen(identity));
		assert_memory_equal(plain, identity, plen);
		seal_plain_free(plain, plen);
		secret_key_free(sk);
	}
	struct share *all[3] = {c, d, a};
	struct secret_key *sk = shares_combine(all, 3, err, sizeof err);
	assert_non_null(sk);
	secret_key_free(sk);

	/* one is not enough, nor the same one twice */
	assert_null(shares_combine(&c, 1, err, sizeof err));
	assert_non_null(strstr(err, "2 of the 3 are needed"));
	struct share *twice[2] = {c, c};
	assert_null(shares_combine(twice, 2, err, sizeof err));
	assert_non_null(strstr(err, "given twice"));

	/* a share of another split of another key */
	split("b");
	struct share *other = load("b", "alternate", 2);
	assert_non_null(other);
	struct share *mixed[2] = {c, other};
	assert_null(shares_combine(mixed, 2, err, sizeof err));
	assert_non_null(strstr(err, "not of the same key"));

	/* the secret key itself is in no file: nothing in the directory
	 * opens the box as a secret key file would */
	path(file, sizeof file, "a-custodian");
	assert_null(keys_load_secret(file, pass[0], err, sizeof err));

	share_free(c);
	share_free(d);
	share_free(a);
	share_free(other);
	free(sealed);
}

static void wrong_passphrase_and_tampering(void **state)
{
	(void)state;
	char file[256], err[512];
	split("t");
	/* another holder's passphrase */
	assert_null(load("t", "custodian", 1));
	path(file, sizeof file, "t-custodian");
	assert_null(share_load(file, pass[1], err, sizeof err));
	assert_non_null(strstr(err, "wrong passphrase or damaged share file"));

	/* the header is authenticated: the director's share relabelled as
	 * the alternate's (to pass the refusal on a case naming the
	 * director) no longer opens */
	size_t len;
	path(file, sizeof file, "t-director");
	char *text = slurp(file, &len);
	char *role = strstr(text, "holder director\n");
	assert_non_null(role);
	char changed[4096];
	size_t before = (size_t)(role - text);
	memcpy(changed, text, before);
	size_t n = before + (size_t)sprintf(changed + before, "holder alternate\n");
	const char *rest = role + strlen("holder director\n");
	memcpy(changed + n, rest, len - (size_t)(rest - text));
	n += len - (size_t)(rest - text);
	spit(file, changed, n);
	assert_null(share_load(file, pass[1], err, sizeof err));
	assert_non_null(strstr(err, "wrong passphrase or damaged share file"));

	/* a changed index, the threshold lowered to 1: refused */
	spit(file, text, len);
	struct share *back = load("t", "director", 1);
	assert_non_null(back);
	share_free(back);
	char *idx = strstr(text, "share 2\n");
	assert_non_null(idx);
	idx[6] = '3';
	spit(file, text, len);
	assert_null(share_load(file, pass[1], err, sizeof err));
	idx[6] = '2';
	char *thr = strstr(text, "threshold 2\n");
	thr[10] = '1';
	spit(file, text, len);
	assert_null(share_load(file, pass[1], err, sizeof err));
	assert_non_null(strstr(err, "damaged share file"));
	/* a secret key file is not a share */
	path(file, sizeof file, "t.pub");
	assert_null(share_load(file, pass[0], err, sizeof err));
	assert_non_null(strstr(err, "not a share"));
	free(text);
}

static void packet(void **state)
{
	(void)state;
	struct public_key pk;
	memset(pk.bytes, 7, sizeof pk.bytes);
	unsigned char sealed[60];
	memset(sealed, 0xab, sizeof sealed);
	char binding[PACKET_BINDING_SIZE];
	char *text = packet_make("12", "2026-000012", true, &pk, sealed, sizeof sealed, binding);
	assert_non_null(text);
	assert_int_equal(strlen(binding), 64);
	struct reveal_packet p;
	char err[256];
	assert_true(packet_parse(text, strlen(text), &p, err, sizeof err));
	assert_string_equal(p.request, "12");
	assert_string_equal(p.reg_no, "2026-000012");
	assert_true(p.director_named);
	assert_string_equal(p.binding, binding);
	assert_int_equal(p.sealed_len, sizeof sealed);
	assert_memory_equal(p.sealed, sealed, sizeof sealed);
	char fp[SHARES_FINGERPRINT_SIZE];
	shares_fingerprint(&pk, fp);
	assert_string_equal(p.key, fp);
	packet_clear(&p);
	/* "director-named yes" turned to "no" (to use the director's share):
	 * the binding no longer matches */
	char *yes = strstr(text, "director-named yes\n");
	assert_non_null(yes);
	char *changed = malloc(strlen(text) + 1);
	size_t before = (size_t)(yes - text);
	memcpy(changed, text, before);
	strcpy(changed + before, "director-named no\n");
	strcat(changed, yes + strlen("director-named yes\n"));
	assert_false(packet_parse(changed, strlen(changed), &p, err, sizeof err));
	assert_non_null(strstr(err, "changed after it was made"));
	free(changed);
	free(text);
	assert_false(packet_parse("hello\n", 6, &p, err, sizeof err));
	assert_non_null(strstr(err, "not a reveal packet"));
}

static int setup(void **state)
{
	(void)state;
	return keys_init() && mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(m_of_n),
	    cmocka_unit_test(wrong_passphrase_and_tampering),
	    cmocka_unit_test(packet),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
