/* Staff sessions, in memory only (a restart logs everybody out). The
 * cookie carries 256 random bits; the store keeps only their hash. A
 * session holds the user id and epoch, the CSRF token and, when the user
 * was granted it, the case-handling secret key in secret_alloc memory,
 * wiped when the session ends (logout, idle timeout, lifetime, a newer
 * account epoch). Thread-safe: the workers share one store. */
#ifndef HOTLINE_ACCOUNTS_SESSION_H
#define HOTLINE_ACCOUNTS_SESSION_H

#include <stdbool.h>
#include <time.h>

struct secret_key;

#define SESSION_ID_HEX 64 /* 32 bytes */
#define SESSION_CSRF_HEX 64
#define SESSION_MAX 4096
#define SESSION_LIFETIME (12 * 3600) /* absolute, seconds */

struct session_store;

/* What a lookup copies out. case_key is a fresh copy the caller frees
 * (secret_key_free), or NULL. */
struct session_view {
	long long user_id;
	int epoch;
	char csrf[SESSION_CSRF_HEX + 1];
	struct secret_key *case_key;
	/* When a lookup fails because the session sat idle too long or
	 * outlived SESSION_LIFETIME: true, with user_id its account's (a
	 * form posted then is kept for them: accounts/keptform.h). */
	bool expired;
};

struct session_store *session_store_new(void);
void session_store_free(struct session_store *s);

/* Creates a session; id_out gets the cookie value. Takes case_key (may be
 * NULL). False when the store is full of live sessions. */
bool session_create(struct session_store *s, long long user_id, int epoch,
		    struct secret_key *case_key, char id_out[SESSION_ID_HEX + 1],
		    char csrf_out[SESSION_CSRF_HEX + 1]);

/* Finds a live session by cookie value and touches it; false when none,
 * idle longer than idle_seconds or older than SESSION_LIFETIME (that one
 * is wiped, and out says whose it was: expired, user_id). */
bool session_lookup(struct session_store *s, const char *id, unsigned idle_seconds, time_t now,
		    struct session_view *out);

/* Ends one session (wipes it); ends all of a user's (account disabled or
 * reset from the admin page). */
void session_end(struct session_store *s, const char *id);
void session_end_user(struct session_store *s, long long user_id);
void session_view_clear(struct session_view *v);

/* The users of live sessions (not idle past idle_seconds) and a fresh copy
 * of each one's account key, one per user, at most max: for making the
 * seals they owe others (staff/seals.c). The caller frees the keys. */
unsigned session_holders(struct session_store *s, unsigned idle_seconds, time_t now,
			 long long *user_ids, struct secret_key **keys, unsigned max);

unsigned session_count(struct session_store *s);

#endif
