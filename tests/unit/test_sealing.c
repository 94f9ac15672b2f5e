/* intake/sealing.c: what a channel hands over comes out sealed to the right
 * keys and opens again: identity only with the custodian's key, content
 * and files only with the case-handling key, the receipt only as its hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "crypto/casekey.h"
#include "crypto/keys.h"
#include "crypto/receipt.h"
#include "crypto/seal.h"
#include "intake/sealing.h"

#define PASSPHRASE "sealing test passphrase"
#define RECEIPT "1234567890123456789012345678"

static char dir[64];
static struct intake_keys keys;
static struct secret_key *custodian_sk, *case_sk;

static struct secret_key *make_pair(const char *name, struct public_key *pk)
{
	char pub[128], sec[128], err[256];
	snprintf(pub, sizeof pub, "%s/%s.pub", dir, name);
	snprintf(sec, sizeof sec, "%s/%s.sec", dir, name);
	if (!keys_generate(pub, sec, PASSPHRASE, err, sizeof err) ||
	    !keys_load_public(pub, pk, err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", name, err);
		return NULL;
	}
	return keys_load_secret(sec, PASSPHRASE, err, sizeof err);
}

static int group_setup(void **state)
{
	(void)state;
	if (!keys_init())
		return -1;
	strcpy(dir, "/tmp/hotline-test-sealing-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	custodian_sk = make_pair("custodian", &keys.custodian);
	case_sk = make_pair("case", &keys.case_key);
	/* the daemon's pepper is loaded into guarded pages; a test one will do */
	static struct pepper pepper;
	memset(pepper.bytes, 7, sizeof(pepper.bytes));
	keys.pepper = &pepper;
	keys.has_case_key = true; /* the recovery key */
	return custodian_sk && case_sk ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[128];
	(void)state;
	secret_key_free(custodian_sk);
	secret_key_free(case_sk);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The JSON in a content blob, opened with the case key. */
static json_t *open_json(const struct content_key *key, const struct blob *b)
{
	unsigned char *plain = NULL;
	size_t len = 0;
	assert_true(content_decrypt(key, b->data, b->len, &plain, &len));
	json_t *j = json_loadb((const char *)plain, len, 0, NULL);
	free(plain);
	assert_non_null(j);
	return j;
}

static void test_named_call_with_file(void **state)
{
	(void)state;
	static const char bytes[] = "%PDF-1.4 file bytes";
	struct sealing_file file = {
	    .name = "акт.pdf",
	    .name_len = strlen("акт.pdf"),
	    .type = "application/pdf",
	    .type_len = 15,
	    .data = bytes,
	    .len = sizeof(bytes) - 1,
	};
	json_t *content = json_pack("{s:s}", "what", "взятка за подпись");
	json_t *identity = json_pack("{s:s,s:s}", "name", "Айгерім", "phone", "+7 701 000 00 00");
	struct sealing_parts parts = {
	    .channel = "phone",
	    .category = "corruption",
	    .director_involved = "no",
	    .language = "ru",
	    .receipt = RECEIPT,
	    .content = content,
	    .identity = identity,
	    .files = &file,
	    .nfiles = 1,
	};
	struct appeal *a = sealing_build(&keys, &parts);
	assert_non_null(a);
	assert_string_equal(a->channel, "phone");
	assert_string_equal(a->category, "corruption");
	assert_string_equal(a->director_involved, "no");
	assert_string_equal(a->language, "ru");

	unsigned char hash[RECEIPT_HASH_BYTES];
	receipt_hash(keys.pepper, RECEIPT, hash);
	assert_memory_equal(a->receipt_hash, hash, sizeof hash);

	/* content: sealed to the case's own key pair, whose secret waits for
	 * the readers and is sealed to the recovery key; neither the recovery
	 * key nor the custodian's opens the content key directly */
	assert_null(
	    content_key_open(custodian_sk, a->content_key_sealed.data, a->content_key_sealed.len));
	assert_null(
	    content_key_open(case_sk, a->content_key_sealed.data, a->content_key_sealed.len));
	assert_non_null(a->case_sk);
	assert_false(a->readers_sealed);
	assert_int_equal(a->recovery_sealed.len, CASEKEY_SEAL_BYTES);
	assert_null(casekey_open(custodian_sk, a->recovery_sealed.data, a->recovery_sealed.len));
	struct secret_key *own =
	    casekey_open(case_sk, a->recovery_sealed.data, a->recovery_sealed.len);
	assert_non_null(own);
	struct public_key own_pk;
	secret_key_public(own, &own_pk);
	assert_memory_equal(own_pk.bytes, a->case_public_key, KEYS_PUBLIC_BYTES);
	struct content_key *key =
	    content_key_open(own, a->content_key_sealed.data, a->content_key_sealed.len);
	assert_non_null(key);

	/* the readers: one seal each, opened by their own key only; the case
	 * secret is gone from the appeal */
	struct public_key reader_pk;
	struct secret_key *reader = secret_key_generate();
	assert_non_null(reader);
	secret_key_public(reader, &reader_pk);
	struct case_reader readers[2] = {{.id = 7, .pk = reader_pk},
					 {.id = 12, .pk = keys.custodian}};
	assert_true(appeal_seal_readers(a, readers, 2));
	assert_null(a->case_sk);
	assert_string_equal(a->reader_ids, "{7,12}");
	assert_int_equal(a->reader_seals.len, 2 * CASEKEY_SEAL_BYTES);
	struct secret_key *via_reader =
	    casekey_open(reader, a->reader_seals.data, CASEKEY_SEAL_BYTES);
	assert_non_null(via_reader);
	assert_memory_equal(secret_key_raw(via_reader), secret_key_raw(own), KEYS_SECRET_BYTES);
	assert_null(
	    casekey_open(reader, a->reader_seals.data + CASEKEY_SEAL_BYTES, CASEKEY_SEAL_BYTES));
	assert_true(appeal_seal_readers(a, readers, 2)); /* a retry keeps them */
	secret_key_free(via_reader);
	secret_key_free(reader);
	secret_key_free(own);
	json_t *got = open_json(key, &a->content);
	assert_true(json_equal(got, content));
	json_decref(got);

	/* the file: name and type as a blob, bytes as a stream */
	assert_int_equal(a->nfiles, 1);
	got = open_json(key, &a->files[0].meta);
	assert_string_equal(json_string_value(json_object_get(got, "name")), "акт.pdf");
	assert_string_equal(json_string_value(json_object_get(got, "type")), "application/pdf");
	assert_int_equal(json_integer_value(json_object_get(got, "size")), sizeof(bytes) - 1);
	json_decref(got);
	unsigned char *plain = NULL;
	size_t len = 0;
	assert_true(stream_decrypt(key, a->files[0].data.data, a->files[0].data.len, &plain, &len));
	assert_int_equal(len, sizeof(bytes) - 1);
	assert_memory_equal(plain, bytes, len);
	free(plain);
	content_key_free(key);

	/* identity: the custodian's key opens it, the case key does not */
	assert_false(
	    seal_open(case_sk, a->identity_sealed.data, a->identity_sealed.len, &plain, &len));
	assert_true(
	    seal_open(custodian_sk, a->identity_sealed.data, a->identity_sealed.len, &plain, &len));
	got = json_loadb((const char *)plain, len, 0, NULL);
	seal_plain_free(plain, len);
	assert_true(json_equal(got, identity));
	json_decref(got);

	appeal_free(a);
	json_decref(content);
	json_decref(identity);
}

static void test_anonymous_has_no_identity(void **state)
{
	(void)state;
	json_t *content = json_pack("{s:s}", "what", "text");
	struct sealing_parts parts = {
	    .channel = "written",
	    .language = "kk",
	    .receipt = RECEIPT,
	    .content = content,
	};
	struct appeal *a = sealing_build(&keys, &parts);
	assert_non_null(a);
	assert_null(a->identity_sealed.data);
	assert_int_equal(a->nfiles, 0);
	assert_null(a->category);
	assert_string_equal(a->director_involved, "unknown");
	appeal_free(a);
	json_decref(content);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_named_call_with_file),
	    cmocka_unit_test(test_anonymous_has_no_identity),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
