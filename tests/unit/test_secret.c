/* crypto/secret.c's kept blocks and crypto/random.c's per-thread generator,
 * as hotlined uses them (random_per_thread() before keys_init()): a block
 * handed out again is wiped and still guarded; the keys made from kept
 * blocks are fresh; the reporter's public key derived alone is the one of
 * the derived key pair; draws come from libsodium's internal generator,
 * differ across threads, and a forked child's first draw aborts. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* Only to name the generator in use; the code under test is the only
 * production user of libsodium. */
#include <sodium.h>

#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/seal.h"
#include "crypto/secret.h"

/* The child dies of sig doing what(p). Forked, so the test goes on. */
static void assert_child_dies(void (*what)(void *), void *p, int sig)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit none = {0, 0};
		setrlimit(RLIMIT_CORE, &none);
		signal(sig, SIG_DFL); /* cmocka catches it otherwise */
		what(p);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), sig);
}

/* A length no production secret has, so the test alone uses its row. */
#define ODD_LEN 200

static void write_past_end(void *p)
{
	((volatile unsigned char *)p)[ODD_LEN] = 1;
}

static void write_first(void *p)
{
	((volatile unsigned char *)p)[0] ^= 1;
}

static void read_first(void *p)
{
	(void)((volatile unsigned char *)p)[0];
}

/* A kept block cannot be touched while kept; it comes back wiped, and its
 * guard page is still there. */
static void kept_block_wiped_and_guarded(void **state)
{
	(void)state;
	unsigned char *a = secret_take(ODD_LEN);
	assert_non_null(a);
	memset(a, 0xA5, ODD_LEN);
	secret_give(a, ODD_LEN);
	assert_child_dies(read_first, a, SIGSEGV);
	assert_child_dies(write_first, a, SIGSEGV);
	unsigned char *b = secret_take(ODD_LEN);
	assert_ptr_equal(b, a); /* reused, not a new mapping */
	for (size_t i = 0; i < ODD_LEN; i++)
		assert_int_equal(b[i], 0);
	assert_child_dies(write_past_end, b, SIGSEGV);
	/* another length never gets it */
	secret_give(b, ODD_LEN);
	unsigned char *c = secret_take(ODD_LEN + 1);
	assert_non_null(c);
	assert_ptr_not_equal(c, a);
	secret_give(c, ODD_LEN + 1);
	secret_give(NULL, ODD_LEN);
}

/* Case key pairs come from kept blocks: every one fresh, read-only while
 * held, out of reach once freed. */
static void kept_secret_keys_fresh(void **state)
{
	(void)state;
	enum { N = 150 };
	struct secret_key *sk[N];
	struct public_key pk[N];
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			sk[i] = secret_key_generate();
			assert_non_null(sk[i]);
			secret_key_public(sk[i], &pk[i]);
			for (int j = 0; j < i; j++)
				assert_memory_not_equal(pk[i].bytes, pk[j].bytes,
							KEYS_PUBLIC_BYTES);
		}
		assert_child_dies(write_first, (void *)secret_key_raw(sk[0]), SIGSEGV);
		const unsigned char *raw = secret_key_raw(sk[N - 1]);
		secret_key_free(sk[N - 1]);
		/* kept (the row holds up to 128), so still mapped: no access */
		assert_child_dies(read_first, (void *)raw, SIGSEGV);
		for (int i = 0; i < N - 1; i++)
			secret_key_free(sk[i]);
	}
}

static void reporter_public_key_alone(void **state)
{
	(void)state;
	const char receipt[] = "1234567890123456789012345678";
	unsigned char alone[KEYS_PUBLIC_BYTES];
	assert_true(reporter_public_key_derive(receipt, 28, alone));
	struct secret_key *sk = reporter_key_derive(receipt, 28);
	assert_non_null(sk);
	struct public_key pk;
	secret_key_public(sk, &pk);
	assert_memory_equal(alone, pk.bytes, KEYS_PUBLIC_BYTES);
	secret_key_free(sk);
	assert_true(reporter_public_key_derive("1234567890123456789012345679", 28, alone));
	assert_memory_not_equal(alone, pk.bytes, KEYS_PUBLIC_BYTES);
}

static void *draw(void *out)
{
	random_bytes(out, 32);
	return NULL;
}

static void draw_in_child(void *p)
{
	random_bytes(p, 32);
}

static void per_thread_generator(void **state)
{
	(void)state;
	assert_string_equal(randombytes_implementation_name(), "internal");
	unsigned char mine[32], a[32], b[32], zero[32] = {0};
	random_bytes(mine, sizeof mine);
	pthread_t t1, t2;
	assert_int_equal(pthread_create(&t1, NULL, draw, a), 0);
	assert_int_equal(pthread_create(&t2, NULL, draw, b), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_memory_not_equal(a, b, sizeof a);
	assert_memory_not_equal(a, mine, sizeof a);
	assert_memory_not_equal(b, mine, sizeof b);
	assert_memory_not_equal(mine, zero, sizeof mine);
	/* a forked child never repeats the parent's stream: it aborts */
	assert_child_dies(draw_in_child, mine, SIGABRT);
}

static int group_setup(void **state)
{
	(void)state;
	return random_per_thread() && keys_init() ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kept_block_wiped_and_guarded),
	    cmocka_unit_test(kept_secret_keys_fresh),
	    cmocka_unit_test(reporter_public_key_alone),
	    cmocka_unit_test(per_thread_generator),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
