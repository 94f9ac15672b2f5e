/* The staff foundation's pure parts: password hashing, wrapping under the
 * key derived from the password and the server secret (and that a dump
 * without the secret opens nothing), TOTP against the RFC 6238 test vectors (and the
 * window and replay rules), the audit chain's canonical text and hashes
 * (known answers computed independently with Python's hashlib), route
 * matching, roles, the slow-down's delays and the session store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "crypto/keys.h"
#include "accounts/account.h"
#include "accounts/audit.h"
#include "staff/internal.h"
#include "accounts/session.h"
#include "accounts/throttle.h"
#include "accounts/totp.h"

/* the limits a process starts with, before setup() picks fast ones */
static struct account_kdf initial_kdf;
static unsigned char test_secret[ACCOUNT_SECRET_BYTES];

static int setup(void **state)
{
	(void)state;
	if (!keys_init() || !totp_init())
		return -1;
	account_kdf_current(&initial_kdf);
	struct account_kdf fast;
	randombytes_buf(test_secret, sizeof test_secret);
	if (!account_kdf_preset("interactive", &fast) || !account_set_server_secret(test_secret))
		return -1;
	account_set_kdf(&fast);
	return 0;
}

static void password_hash_and_verify(void **state)
{
	(void)state;
	char hash[ACCOUNT_HASH_SIZE];
	assert_true(account_hash_password("correct horse battery", hash));
	assert_memory_equal(hash, "$argon2id$", 10);
	assert_true(account_verify_password(hash, "correct horse battery"));
	assert_false(account_verify_password(hash, "correct horse batterY"));
	assert_false(account_verify_password(hash, ""));
	char again[ACCOUNT_HASH_SIZE];
	assert_true(account_hash_password("correct horse battery", again));
	assert_string_not_equal(hash, again); /* salted */
	char dummy[ACCOUNT_HASH_SIZE];
	assert_true(account_dummy_hash(dummy));
	assert_false(account_verify_password(dummy, "correct horse battery"));
	/* Same algorithm and limits as a real hash ("$argon2id$v=19$m=..,t=..,p=1$"),
	 * so verifying against it costs the same; its own random salt and tag. */
	const char *salt_at = hash; /* the salt follows the fourth '$' */
	for (int i = 0; i < 3; i++)
		salt_at = strchr(salt_at + 1, '$');
	size_t plen = (size_t)(salt_at - hash) + 1;
	assert_int_equal(strlen(dummy), strlen(hash));
	assert_memory_equal(dummy, hash, plen);
	assert_int_equal(crypto_pwhash_str_needs_rehash(dummy, crypto_pwhash_OPSLIMIT_INTERACTIVE,
							crypto_pwhash_MEMLIMIT_INTERACTIVE),
			 0);
	char dummy2[ACCOUNT_HASH_SIZE];
	assert_true(account_dummy_hash(dummy2));
	assert_string_not_equal(dummy, dummy2);
}

static void login_rules(void **state)
{
	(void)state;
	assert_true(account_login_ok("operator"));
	assert_true(account_login_ok("a.b_c-9"));
	assert_true(account_login_ok("9lives"));
	assert_false(account_login_ok(""));
	assert_false(account_login_ok(".dot"));
	assert_false(account_login_ok("-dash"));
	assert_false(account_login_ok("Upper"));
	assert_false(account_login_ok("with space"));
	assert_false(account_login_ok("кириллица"));
	char longest[64], too_long[65];
	memset(longest, 'a', 63);
	longest[63] = '\0';
	memset(too_long, 'a', 64);
	too_long[64] = '\0';
	assert_true(account_login_ok(longest));
	assert_false(account_login_ok(too_long));
}

static void password_rules(void **state)
{
	(void)state;
	assert_true(account_password_ok("ten chars!"));
	assert_false(account_password_ok("nine char"));
	assert_true(account_password_ok("пароль-длинный")); /* counted in characters */
	assert_false(account_password_ok("пароль123"));	    /* 9 characters, 15 bytes */
	assert_false(account_password_ok("with a\ttab inside"));
}

static void wrap_and_unwrap(void **state)
{
	(void)state;
	unsigned char salt[ACCOUNT_SALT_BYTES];
	randombytes_buf(salt, sizeof salt);
	struct account_kek *k = account_kek_derive("a password of the test", salt);
	assert_non_null(k);
	const char secret[] = "thirty-two bytes of secret key!";
	unsigned char *wrapped;
	size_t len;
	assert_true(account_wrap(k, secret, sizeof secret, &wrapped, &len));
	assert_int_equal(len, sizeof secret + ACCOUNT_WRAP_OVERHEAD);
	unsigned char *plain;
	size_t plen;
	assert_true(account_unwrap(k, wrapped, len, &plain, &plen));
	assert_int_equal(plen, sizeof secret);
	assert_memory_equal(plain, secret, plen);
	account_plain_free(plain, plen);

	/* the same password and salt derive the same key */
	struct account_kek *same = account_kek_derive("a password of the test", salt);
	assert_true(account_unwrap(same, wrapped, len, &plain, &plen));
	account_plain_free(plain, plen);
	account_kek_free(same);

	/* another password, another salt, a changed byte, a short box */
	struct account_kek *wrong = account_kek_derive("a password of the tesT", salt);
	assert_false(account_unwrap(wrong, wrapped, len, &plain, &plen));
	account_kek_free(wrong);
	unsigned char salt2[ACCOUNT_SALT_BYTES];
	memcpy(salt2, salt, sizeof salt2);
	salt2[0] ^= 1;
	wrong = account_kek_derive("a password of the test", salt2);
	assert_false(account_unwrap(wrong, wrapped, len, &plain, &plen));
	account_kek_free(wrong);
	for (size_t i = 0; i < len; i += 7) {
		wrapped[i] ^= 0x20;
		assert_false(account_unwrap(k, wrapped, len, &plain, &plen));
		wrapped[i] ^= 0x20;
	}
	assert_false(account_unwrap(k, wrapped, ACCOUNT_WRAP_OVERHEAD - 1, &plain, &plen));
	free(wrapped);
	account_kek_free(k);
}

static void account_secrets_round_trip(void **state)
{
	(void)state;
	struct account_secrets s;
	assert_true(account_secrets_new("the account's password", &s));
	/* form 2: no password hash to test guesses against */
	assert_string_equal(s.hash, "");
	assert_int_equal(s.kdf.version, ACCOUNT_KDF_PEPPERED);
	struct account_kek *k = account_kek_derive("the account's password", s.salt);
	unsigned char *raw;
	size_t len;
	assert_true(account_unwrap(k, s.sk_wrapped, s.sk_wrapped_len, &raw, &len));
	assert_int_equal(len, KEYS_SECRET_BYTES);
	struct secret_key *sk = secret_key_from_raw(raw);
	struct public_key pk;
	secret_key_public(sk, &pk);
	assert_memory_equal(pk.bytes, s.public_key, sizeof pk.bytes);
	/* something sealed to the public key opens with the unwrapped key */
	unsigned char sealed[5 + crypto_box_SEALBYTES], out[5];
	crypto_box_seal(sealed, (const unsigned char *)"hello", 5, s.public_key);
	assert_true(secret_key_unseal(sk, out, sealed, sizeof sealed));
	assert_memory_equal(out, "hello", 5);
	secret_key_free(sk);
	account_plain_free(raw, len);
	account_kek_free(k);
	account_secrets_free(&s);
}

/* A dump holds kek_salt, secret_key_wrapped and the limits: with the right
 * password but not the server secret, nothing an attacker can compute
 * opens the key (docs/staff.md, "Accounts and keys"). */
static void dump_without_server_secret(void **state)
{
	(void)state;
	/* the product's default is at least libsodium's MODERATE */
	assert_int_equal(initial_kdf.version, ACCOUNT_KDF_PEPPERED);
	assert_true(initial_kdf.opslimit >= 3);
	assert_true(initial_kdf.memlimit >= (size_t)256 << 20);

	const char *pw = "the right password";
	struct account_secrets s;
	assert_true(account_secrets_new(pw, &s));
	struct account_kek *k =
	    account_kek_check(pw, &s.kdf, NULL, s.salt, s.sk_wrapped, s.sk_wrapped_len);
	assert_non_null(k); /* the right password with the server's secret */
	account_kek_free(k);
	assert_null(account_kek_check("the wrong password", &s.kdf, NULL, s.salt, s.sk_wrapped,
				      s.sk_wrapped_len));

	unsigned char *plain;
	size_t plen;
	/* the stretched password itself, as a key */
	unsigned char stretched[crypto_secretbox_KEYBYTES];
	assert_int_equal(crypto_pwhash(stretched, sizeof stretched, pw, strlen(pw), s.salt,
				       s.kdf.opslimit, s.kdf.memlimit,
				       crypto_pwhash_ALG_ARGON2ID13),
			 0);
	unsigned char n_box[ACCOUNT_WRAP_OVERHEAD + KEYS_SECRET_BYTES];
	assert_int_equal(s.sk_wrapped_len, sizeof n_box);
	unsigned char out[KEYS_SECRET_BYTES];
	assert_int_not_equal(
	    crypto_secretbox_open_easy(out, s.sk_wrapped + crypto_secretbox_NONCEBYTES,
				       s.sk_wrapped_len - crypto_secretbox_NONCEBYTES, s.sk_wrapped,
				       stretched),
	    0);
	/* the old form's derivation */
	struct account_kdf legacy = {ACCOUNT_KDF_LEGACY, 0, 0};
	struct account_kek *old = account_kek_derive_with(pw, s.salt, &legacy);
	assert_non_null(old);
	assert_false(account_unwrap(old, s.sk_wrapped, s.sk_wrapped_len, &plain, &plen));
	account_kek_free(old);
	/* another server's secret, and none */
	unsigned char other[ACCOUNT_SECRET_BYTES];
	randombytes_buf(other, sizeof other);
	assert_true(account_set_server_secret(other));
	assert_null(account_kek_check(pw, &s.kdf, NULL, s.salt, s.sk_wrapped, s.sk_wrapped_len));
	assert_true(account_set_server_secret(NULL));
	assert_null(account_kek_derive_with(pw, s.salt, &s.kdf));
	assert_true(account_set_server_secret(test_secret));
	k = account_kek_check(pw, &s.kdf, NULL, s.salt, s.sk_wrapped, s.sk_wrapped_len);
	assert_non_null(k);
	account_kek_free(k);
	sodium_memzero(stretched, sizeof stretched);
	account_secrets_free(&s);

	/* limits out of range (a changed row) are refused before any work */
	struct account_kdf huge = {ACCOUNT_KDF_PEPPERED, 3, (size_t)64 << 30};
	assert_false(account_kdf_ok(&huge));
	assert_null(account_kek_derive_with(pw, s.salt, &huge));
	struct account_kdf preset;
	assert_false(account_kdf_preset("fast", &preset));
}

/* An account of the old form (a password hash, kek without the server
 * secret) still opens with its password, once: core.c wraps it again. */
static void legacy_form_still_opens(void **state)
{
	(void)state;
	const char *pw = "an old account's password";
	char hash[ACCOUNT_HASH_SIZE];
	assert_true(account_hash_password(pw, hash));
	unsigned char salt[ACCOUNT_SALT_BYTES];
	randombytes_buf(salt, sizeof salt);
	struct account_kdf legacy = {ACCOUNT_KDF_LEGACY, 0, 0};
	struct account_kek *k = account_kek_derive_with(pw, salt, &legacy);
	assert_non_null(k);
	unsigned char raw[KEYS_SECRET_BYTES];
	randombytes_buf(raw, sizeof raw);
	unsigned char *wrapped;
	size_t len;
	assert_true(account_wrap(k, raw, sizeof raw, &wrapped, &len));
	account_kek_free(k);
	k = account_kek_check(pw, &legacy, hash, salt, wrapped, len);
	assert_non_null(k);
	account_kek_free(k);
	assert_null(account_kek_check("not the password!", &legacy, hash, salt, wrapped, len));
	assert_null(account_kek_check(pw, &legacy, NULL, salt, wrapped, len));
	free(wrapped);
}

/* RFC 6238 appendix B, HMAC-SHA1, 8 digits. */
static void totp_rfc6238_vectors(void **state)
{
	(void)state;
	const unsigned char *secret = (const unsigned char *)"12345678901234567890";
	static const struct {
		long long t;
		const char *code;
	} v[] = {
	    {59, "94287082"},	      {1111111109, "07081804"}, {1111111111, "14050471"},
	    {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000LL, "65353130"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char out[9];
		assert_true(totp_code(secret, 20, (time_t)v[i].t, 8, out));
		assert_string_equal(out, v[i].code);
		/* six digits are the last six */
		char six[7];
		assert_true(totp_code(secret, 20, (time_t)v[i].t, 6, six));
		assert_string_equal(six, v[i].code + 2);
	}
}

static void totp_window_and_replay(void **state)
{
	(void)state;
	const unsigned char *secret = (const unsigned char *)"12345678901234567890";
	time_t now = 1111111111; /* step 37037037 */
	int64_t here = 1111111111 / 30;
	char code[7];
	int64_t step = 0;
	for (int d = -1; d <= 1; d++) {
		assert_true(totp_code(secret, 20, now + d * 30, 6, code));
		assert_true(totp_check(secret, 20, now, 0, code, &step));
		assert_int_equal(step, here + d);
		/* not again once that step (or a later one) was accepted */
		assert_false(totp_check(secret, 20, now, step, code, &step));
		assert_false(totp_check(secret, 20, now, here + 1, code, &step));
	}
	/* outside the window */
	assert_true(totp_code(secret, 20, now - 60, 6, code));
	assert_false(totp_check(secret, 20, now, 0, code, &step));
	assert_true(totp_code(secret, 20, now + 60, 6, code));
	assert_false(totp_check(secret, 20, now, 0, code, &step));
	/* not digits, wrong length */
	assert_false(totp_check(secret, 20, now, 0, "", &step));
	assert_false(totp_check(secret, 20, now, 0, "12345", &step));
	assert_false(totp_check(secret, 20, now, 0, "1234567", &step));
	assert_false(totp_check(secret, 20, now, 0, "12a456", &step));
}

static void totp_base32_round_trip(void **state)
{
	(void)state;
	char b32[TOTP_BASE32_SIZE];
	assert_true(totp_base32((const unsigned char *)"12345678901234567890", 20, b32));
	assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	unsigned char back[64];
	size_t len = sizeof back;
	assert_true(totp_base32_decode(b32, back, &len));
	assert_int_equal(len, 20);
	assert_memory_equal(back, "12345678901234567890", 20);
	len = sizeof back;
	assert_false(totp_base32_decode("not base32!", back, &len));
}

static void audit_chain_known_answers(void **state)
{
	(void)state;
	struct buf c1, c2;
	buf_init(&c1);
	buf_init(&c2);
	audit_canonical(&c1, 1, 1700000000123456LL, 3, "admin", "login", "");
	assert_string_equal(c1.data, "v1|1|1700000000123456|3|5:admin|5:login|0:");
	audit_canonical(&c2, 2, 1700000000999999LL, 0, "", "login.failed", "");
	assert_string_equal(c2.data, "v1|2|1700000000999999||0:|12:login.failed|0:");
	unsigned char zero[AUDIT_HASH_BYTES] = {0}, h1[AUDIT_HASH_BYTES], h2[AUDIT_HASH_BYTES];
	audit_row_hash(zero, &c1, h1);
	audit_row_hash(h1, &c2, h2);
	char hex[2 * AUDIT_HASH_BYTES + 1];
	sodium_bin2hex(hex, sizeof hex, h1, sizeof h1);
	assert_string_equal(hex,
			    "06b19d18a83ccc6614982750b1533247bdaa65639235da653c4917f616e9e62b");
	sodium_bin2hex(hex, sizeof hex, h2, sizeof h2);
	assert_string_equal(hex,
			    "6741ce7462777fb4db9fda88188e9ac560cea145a0831ec608ca6931afa67dfa");
	/* a '|' inside a field cannot pass for a field boundary */
	struct buf a, b;
	buf_init(&a);
	buf_init(&b);
	audit_canonical(&a, 5, 1, 0, "x", "y|1:z", "");
	audit_canonical(&b, 5, 1, 0, "x", "y", "z|0:");
	assert_string_not_equal(a.data, b.data);
	buf_reset(&a);
	buf_reset(&b);
	buf_reset(&c1);
	buf_reset(&c2);
}

static void routes_match(void **state)
{
	(void)state;
	const char *arg;
	size_t len;
	bool known;
	const struct staff_route *r = staff_route_match("GET", "/staff/", &arg, &len, &known);
	assert_non_null(r);
	assert_string_equal(r->name, "home");
	assert_string_equal(arg, "");
	r = staff_route_match("HEAD", "/staff/login", &arg, &len, &known);
	assert_non_null(r);
	assert_string_equal(r->name, "login.form");
	r = staff_route_match("POST", "/staff/login", &arg, &len, &known);
	assert_string_equal(r->name, "login");
	r = staff_route_match("PUT", "/staff/login", &arg, &len, &known);
	assert_null(r);
	assert_true(known);
	r = staff_route_match("GET", "/staff/nothing/here", &arg, &len, &known);
	assert_null(r);
	assert_false(known);
	r = staff_route_match("GET", "/staff/login/", &arg, &len, &known);
	assert_null(r);

	/* every table: names unique, patterns well formed, roles known */
	unsigned n = 0;
	for (const struct staff_route *const *t = staff_route_tables(); *t; t++) {
		for (const struct staff_route *x = *t; x->pattern; x++, n++) {
			assert_true(strncmp(x->pattern, "/staff/", 7) == 0);
			assert_true(strcmp(x->method, "GET") == 0 ||
				    strcmp(x->method, "POST") == 0);
			assert_non_null(x->handler);
			assert_true((x->roles & ~(ROLES_ANY | STAFF_PUBLIC)) == 0);
			assert_true(x->roles != 0);
			const char *star = strchr(x->pattern, '*');
			assert_true(!star || (star[1] == '\0' && star[-1] == '/'));
			for (const struct staff_route *const *u = staff_route_tables(); *u; u++)
				for (const struct staff_route *y = *u; y->pattern; y++)
					assert_true(x == y || strcmp(x->name, y->name) != 0);
			/* the route finds itself */
			char path[256];
			snprintf(path, sizeof path, "%.*s%s",
				 (int)strlen(x->pattern) - (star ? 1 : 0), x->pattern,
				 star ? "seg" : "");
			const struct staff_route *found =
			    staff_route_match(x->method, path, &arg, &len, &known);
			assert_ptr_equal(found, x);
			assert_string_equal(arg, star ? "seg" : "");
			/* one segment only */
			if (star) {
				snprintf(path, sizeof path, "%.*sa/b", (int)strlen(x->pattern) - 1,
					 x->pattern);
				found = staff_route_match(x->method, path, &arg, &len, &known);
				assert_true(found != x);
			}
		}
	}
	assert_true(n >= 5);
}

static void roles(void **state)
{
	(void)state;
	for (int r = 0; r < ROLE_COUNT; r++) {
		enum role back;
		assert_true(role_parse(role_name((enum role)r), &back));
		assert_int_equal(back, r);
	}
	enum role x;
	assert_false(role_parse("root", &x));
	assert_false(role_parse("", &x));
	assert_int_equal(role_list_parse("operator,admin,bogus"),
			 ROLE_BIT(ROLE_OPERATOR) | ROLE_BIT(ROLE_ADMIN));
	assert_int_equal(role_list_parse(""), 0);
	char text[128];
	role_list_text(ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DIRECTOR), text, sizeof text);
	assert_string_equal(text, "director,admin");
}

static void throttle_delays(void **state)
{
	(void)state;
	assert_int_equal(throttle_delay(1), 0);
	assert_int_equal(throttle_delay(3), 0);
	assert_int_equal(throttle_delay(4), 1);
	assert_int_equal(throttle_delay(5), 2);
	assert_int_equal(throttle_delay(6), 4);
	assert_int_equal(throttle_delay(8), 16);
	assert_int_equal(throttle_delay(9), 30);
	assert_int_equal(throttle_delay(1000), 30);

	struct throttle *t = throttle_new();
	unsigned char a[THROTTLE_KEY_BYTES], b[THROTTLE_KEY_BYTES];
	throttle_key(t, 'L', "alice", 5, a);
	throttle_key(t, 'L', "bob", 3, b);
	time_t now = 1000000;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(throttle_wait(t, a, now), 0);
		assert_int_equal(throttle_fail(t, a, now), 0);
	}
	assert_int_equal(throttle_fail(t, a, now), 1);
	assert_int_equal(throttle_wait(t, a, now), 1);
	assert_int_equal(throttle_wait(t, b, now), 0); /* others are not slowed */
	assert_int_equal(throttle_wait(t, a, now + 1), 0);
	assert_int_equal(throttle_fail(t, a, now + 1), 2);
	/* forgotten after a quiet while */
	assert_int_equal(throttle_fail(t, a, now + 2 + THROTTLE_FORGET + 5), 0);
	throttle_clear(t, a);
	assert_int_equal(throttle_wait(t, a, now), 0);
	throttle_free(t);
}

static void sessions(void **state)
{
	(void)state;
	struct session_store *s = session_store_new();
	char id[SESSION_ID_HEX + 1], csrf[SESSION_CSRF_HEX + 1];
	unsigned char raw[KEYS_SECRET_BYTES];
	randombytes_buf(raw, sizeof raw);
	assert_true(session_create(s, 42, 3, secret_key_from_raw(raw), id, csrf));
	assert_int_equal(strlen(id), SESSION_ID_HEX);
	struct session_view v;
	time_t now = time(NULL);
	assert_true(session_lookup(s, id, 60, now, &v));
	assert_int_equal(v.user_id, 42);
	assert_int_equal(v.epoch, 3);
	assert_string_equal(v.csrf, csrf);
	assert_non_null(v.case_key);
	assert_memory_equal(secret_key_raw(v.case_key), raw, sizeof raw);
	session_view_clear(&v);
	/* a changed id, an idle session, an ended one */
	char other[SESSION_ID_HEX + 1];
	memcpy(other, id, sizeof other);
	other[0] = other[0] == 'a' ? 'b' : 'a';
	assert_false(session_lookup(s, other, 60, now, &v));
	assert_false(session_lookup(s, "short", 60, now, &v));
	assert_false(session_lookup(s, id, 60, now + 61, &v));
	assert_false(session_lookup(s, id, 60, now, &v)); /* wiped by the idle lookup */
	assert_true(session_create(s, 7, 1, NULL, id, csrf));
	assert_true(session_lookup(s, id, 60, now, &v));
	assert_null(v.case_key);
	session_view_clear(&v);
	session_end(s, id);
	assert_false(session_lookup(s, id, 60, now, &v));
	assert_true(session_create(s, 7, 1, NULL, id, csrf));
	assert_true(session_create(s, 8, 1, NULL, other, csrf));
	session_end_user(s, 7);
	assert_false(session_lookup(s, id, 60, now, &v));
	assert_true(session_lookup(s, other, 60, now, &v));
	session_view_clear(&v);
	assert_int_equal(session_count(s), 1);
	session_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(password_hash_and_verify),
	    cmocka_unit_test(password_rules),
	    cmocka_unit_test(login_rules),
	    cmocka_unit_test(wrap_and_unwrap),
	    cmocka_unit_test(account_secrets_round_trip),
	    cmocka_unit_test(dump_without_server_secret),
	    cmocka_unit_test(legacy_form_still_opens),
	    cmocka_unit_test(totp_rfc6238_vectors),
	    cmocka_unit_test(totp_window_and_replay),
	    cmocka_unit_test(totp_base32_round_trip),
	    cmocka_unit_test(audit_chain_known_answers),
	    cmocka_unit_test(routes_match),
	    cmocka_unit_test(roles),
	    cmocka_unit_test(throttle_delays),
	    cmocka_unit_test(sessions),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
