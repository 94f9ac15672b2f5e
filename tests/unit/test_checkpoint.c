/* The chain checkpoints: the Ed25519 key files (crypto/sign.c) and the
 * signed line (workflow/checkpoint.c). The golden line was computed
 * independently (Python's cryptography package, Ed25519 from the seed
 * 00 01 .. 1f) from the format in workflow/checkpoint.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto/digest.h"
#include "crypto/keys.h"
#include "crypto/sign.h"
#include "workflow/checkpoint.h"

#define SEED_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define PUBLIC_B64 "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
#define GOLDEN                                                                                     \
	"hotline-checkpoint v1 at=2026-12-06T08:30:00Z "                                           \
	"journal=3:81dd6b775afcccb6dbb8a25a58ea844271bbefaeea7cb1d91c1687d7450f850c "              \
	"audit=17:b81f37a043a6f767e7c94d105f4bd31282f3ecc20680bb9d09bd93461cf4c863 "               \
	"key=56475aa75463474c "                                                                    \
	"sig=3DFGKtsGMCMvh+rzsBUQ0xG+IY7go1RZAyiF+WPDl8mEVF2V+"                                    \
	"tKY2K96fwuxTtZmyiblFsfsO00pEgiMKYQQCg=="

static char dir[] = "/tmp/hotline-unit-checkpoint-XXXXXX";

static void path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	char p[256];
	path(p, sizeof p, name);
	unlink(p);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
}

static struct checkpoint golden_checkpoint(void)
{
	struct checkpoint cp = {.at = 1796545800};
	cp.journal.row = 3;
	digest_sha256("journal", 7, cp.journal.hash);
	cp.audit.row = 17;
	digest_sha256("audit", 5, cp.audit.hash);
	return cp;
}

static struct sign_secret *golden_key(void)
{
	char why[256], p[256];
	write_file("golden.sec", "hotline-checkpoint-secret-v1 " SEED_B64 "\n", 0600);
	path(p, sizeof p, "golden.sec");
	struct sign_secret *sk = sign_load_secret(p, why, sizeof why);
	if (!sk)
		fail_msg("%s", why);
	return sk;
}

static void golden_line(void **state)
{
	(void)state;
	struct sign_secret *sk = golden_key();
	struct checkpoint cp = golden_checkpoint();
	struct buf line;
	buf_init(&line);
	checkpoint_format(&line, &cp, sk);
	assert_string_equal(line.data, GOLDEN);
	buf_reset(&line);

	struct sign_public pk;
	char why[256], p[256];
	write_file("golden.pub", "hotline-checkpoint-public-v1 " PUBLIC_B64 "\n", 0644);
	path(p, sizeof p, "golden.pub");
	assert_true(sign_load_public(p, &pk, why, sizeof why));
	struct checkpoint back;
	assert_true(checkpoint_verify(GOLDEN "\n", &pk, &back, why, sizeof why));
	assert_int_equal(back.at, cp.at);
	assert_int_equal(back.journal.row, 3);
	assert_int_equal(back.audit.row, 17);
	assert_memory_equal(back.journal.hash, cp.journal.hash, DIGEST_BYTES);
	assert_memory_equal(back.audit.hash, cp.audit.hash, DIGEST_BYTES);
	assert_string_equal(back.key_id, "56475aa75463474c");
	sign_secret_free(sk);
}

/* Any change to the signed part, or another key, fails. */
static void altered_lines_fail(void **state)
{
	(void)state;
	struct sign_secret *sk = golden_key(), *other = sign_secret_generate();
	assert_non_null(other);
	struct sign_public pk, other_pk;
	sign_secret_public(sk, &pk);
	sign_secret_public(other, &other_pk);
	struct checkpoint cp;
	char why[256];
	static const char *const from[] = {"journal=3:", "audit=17:", "at=2026-12-06T08:30",
					   "81dd6b", "sig=3DF"};
	static const char *const to[] = {"journal=2:", "audit=16:", "at=2026-12-07T08:30", "81dd6c",
					 "sig=4DF"};
	for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
		char line[CHECKPOINT_LINE_MAX];
		snprintf(line, sizeof line, "%s", GOLDEN);
		char *at = strstr(line, from[i]);
		assert_non_null(at);
		memcpy(at, to[i], strlen(to[i]));
		assert_false(checkpoint_verify(line, &pk, &cp, why, sizeof why));
	}
	assert_false(checkpoint_verify(GOLDEN, &other_pk, &cp, why, sizeof why));
	assert_non_null(strstr(why, "signed by key 56475aa75463474c"));
	/* a line with the other key's id but this key's signature */
	struct buf line;
	buf_init(&line);
	struct checkpoint g = golden_checkpoint();
	checkpoint_format(&line, &g, other);
	assert_true(checkpoint_verify(line.data, &other_pk, &cp, why, sizeof why));
	assert_false(checkpoint_verify(line.data, &pk, &cp, why, sizeof why));
	buf_reset(&line);
	assert_false(checkpoint_verify("hotline-checkpoint v2 at=x", &pk, &cp, why, sizeof why));
	assert_false(checkpoint_verify("", &pk, &cp, why, sizeof why));
	sign_secret_free(sk);
	sign_secret_free(other);
}

/* A write to p kills the writer with SIGSEGV: p is in read-only pages
 * (docs/keys.md, "What memory holds"). Forked, so the test goes on. */
static void assert_write_faults(void *p)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit none = {0, 0};
		setrlimit(RLIMIT_CORE, &none);
		signal(SIGSEGV, SIG_DFL); /* cmocka catches it otherwise */
		((volatile unsigned char *)p)[0] ^= 1;
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
}

/* An empty chain is row 0 with a zero hash. */
static void empty_chains(void **state)
{
	(void)state;
	struct sign_secret *sk = sign_secret_generate();
	struct sign_public pk;
	sign_secret_public(sk, &pk);
	struct checkpoint cp = {.at = 0}, back;
	struct buf line;
	buf_init(&line);
	checkpoint_format(&line, &cp, sk);
	assert_non_null(strstr(line.data, " journal=0:0000000000000000000000000000000000000000"
					  "000000000000000000000000 audit=0:"));
	char why[256];
	assert_true(checkpoint_verify(line.data, &pk, &back, why, sizeof why));
	assert_int_equal(back.journal.row, 0);
	buf_reset(&line);
	sign_secret_free(sk);
}

static void key_files(void **state)
{
	(void)state;
	char pub[256], sec[256], why[256];
	path(pub, sizeof pub, "made.pub");
	path(sec, sizeof sec, "made.sec");
	unlink(pub);
	unlink(sec);
	assert_true(sign_keys_generate(pub, sec, why, sizeof why));
	struct stat st;
	assert_int_equal(stat(sec, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(pub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* never overwritten */
	assert_false(sign_keys_generate(pub, sec, why, sizeof why));
	assert_non_null(strstr(why, "already exists"));
	struct sign_public pk, from_secret;
	assert_true(sign_load_public(pub, &pk, why, sizeof why));
	struct sign_secret *sk = sign_load_secret(sec, why, sizeof why);
	assert_non_null(sk);
	sign_secret_public(sk, &from_secret);
	assert_memory_equal(pk.bytes, from_secret.bytes, SIGN_PUBLIC_BYTES);
	char sig[SIGN_B64_SIZE];
	sign_text(sk, "x", 1, sig);
	assert_true(sign_text_verify(&pk, "x", 1, sig));
	assert_false(sign_text_verify(&pk, "y", 1, sig));
	/* held for the daemon's lifetime: read-only guarded pages */
	assert_write_faults(sk);
	sign_secret_free(sk);
	/* the halves are not mistaken for each other */
	assert_false(sign_load_public(sec, &pk, why, sizeof why));
	assert_non_null(strstr(why, "secret"));
	assert_null(sign_load_secret(pub, why, sizeof why));
	/* a secret file others may read is refused */
	assert_int_equal(chmod(sec, 0640), 0);
	assert_null(sign_load_secret(sec, why, sizeof why));
	assert_non_null(strstr(why, "chmod 600"));
}

/* The mail carries the line and nothing about a case. */
static void mail_text(void **state)
{
	(void)state;
	struct buf subject, body;
	buf_init(&subject);
	buf_init(&body);
	checkpoint_mail(&subject, &body, GOLDEN, "ТОО Пример", 0, 0);
	assert_non_null(strstr(subject.data, "Контрольная точка"));
	assert_null(strstr(subject.data, "ВНИМАНИЕ"));
	assert_non_null(strstr(body.data, GOLDEN "\n"));
	assert_non_null(strstr(body.data, "ТОО Пример"));
	assert_null(strstr(body.data, "/staff/"));
	assert_null(strstr(body.data, "ВНИМАНИЕ"));
	buf_reset(&subject);
	buf_reset(&body);
	/* a rewrite the daemon saw since its previous checkpoint comes first */
	checkpoint_mail(&subject, &body, GOLDEN, NULL, 0, 42);
	assert_true(strncmp(subject.data, "ВНИМАНИЕ", strlen("ВНИМАНИЕ")) == 0);
	assert_true(strncmp(body.data, "ВНИМАНИЕ", strlen("ВНИМАНИЕ")) == 0);
	assert_non_null(strstr(body.data, "журнал аудита, запись 42;"));
	assert_non_null(strstr(body.data, "аудит журналы, 42-жазба;"));
	assert_null(strstr(body.data, "журнал регистрации обращений, запись"));
	assert_non_null(strstr(body.data, GOLDEN "\n"));
	buf_reset(&subject);
	buf_reset(&body);
}

static int setup(void **state)
{
	(void)state;
	if (!keys_init() || !mkdtemp(dir))
		return -1;
	return 0;
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
	    cmocka_unit_test(golden_line),  cmocka_unit_test(altered_lines_fail),
	    cmocka_unit_test(empty_chains), cmocka_unit_test(key_files),
	    cmocka_unit_test(mail_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
