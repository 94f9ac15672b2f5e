/* A reporter's file cleaned of its metadata (author, device, place, editing
 * history) before it is encrypted: Debian's mat2 run as a separate process
 * in a bubblewrap sandbox without network, with only /usr read-only and a
 * folder of its own holding the one file (docs/http.md, "Files cleaned of
 * metadata"). A file that cannot be cleaned (no tool, a format mat2 does
 * not take, a failure, too slow, too large) is kept as it came and marked
 * so for staff (hotline.attachments.clean_state, migrations/0034).
 *
 * The clear file lies in a 0700 folder made for it under clean_dir (a tmpfs
 * by default) for the seconds mat2 takes, and is overwritten and removed
 * at once. Blocking: for worker threads only, never the loop. */
#ifndef HOTLINE_INTAKE_CLEAN_H
#define HOTLINE_INTAKE_CLEAN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/attr.h"
#include "crypto/seal.h"

struct config;

/* What was done to a file, as stored in hotline.attachments.clean_state. */
enum clean_state {
	CLEAN_NOT_TRIED, /* a channel that does not clean (NULL in the table) */
	CLEAN_DONE,	 /* "cleaned" */
	CLEAN_KEPT,	 /* "kept": could not be cleaned, stored as it came */
};

/* The column's text of a state: "cleaned", "kept", or NULL. */
const char *clean_state_text(enum clean_state s);

/* The config's cleaning keys, copied so that a reload cannot change them
 * under a running job. */
struct clean_opts {
	bool on;
	char mat2[256], bwrap[256], dir[256];
	unsigned timeout; /* seconds per file */
	size_t max_bytes;
};
void clean_opts_from(struct clean_opts *o, const struct config *cfg);

/* The largest a cleaned copy of a len-byte file may be (mat2 re-renders
 * some formats and may make them larger); a larger copy is thrown away
 * and the file kept as it came. Callers count it against their memory. */
size_t clean_max_output(size_t len);

/* Whether the name's extension is a format cleaned here (mat2 chooses
 * its parser by the extension). */
bool clean_supported(const char *name, size_t name_len);

/* Cleans one file of len bytes, pulled by read(cls) a chunk at a time.
 * CLEAN_DONE with the cleaned bytes in *out (malloc'd; clean_free() them),
 * or CLEAN_KEPT with *out NULL: the caller stores the original. Logs only
 * the outcome, never the name. */
enum clean_state clean_file(const struct clean_opts *o, const char *name, size_t name_len,
			    size_t len, stream_read_fn read, void *cls, unsigned char **out,
			    size_t *out_len) MUST_CHECK;

/* For a stream that can be read only once (the staff pages' upload spool):
 * as clean_file(), but whenever the stream was used up *out is set, to the
 * cleaned bytes (CLEAN_DONE) or to the original read back (CLEAN_KEPT);
 * *out NULL means the stream was not touched (or failed half way). */
enum clean_state clean_stream_once(const struct clean_opts *o, const char *name, size_t name_len,
				   size_t len, stream_read_fn read, void *cls, unsigned char **out,
				   size_t *out_len) MUST_CHECK;

/* The same for a file held in memory (a mail's attachment). */
enum clean_state clean_buffer(const struct clean_opts *o, const char *name, size_t name_len,
			      const void *data, size_t len, unsigned char **out,
			      size_t *out_len) MUST_CHECK;

/* Wipes and frees a cleaned copy. NULL is fine. */
void clean_free(unsigned char *p, size_t len);

/* Removes the folders a crash left in clean_dir while a file was being
 * cleaned (this user's "hotline-clean-*" older than clean_timeout and a
 * minute, so never one in use); how many. At start. */
unsigned clean_sweep(const struct clean_opts *o);

/* Cleans a small built-in picture with an author in it: whether the
 * sandbox works here (a service manager's own sandbox may forbid the
 * namespaces bwrap needs). Blocking, about half a second. */
bool clean_probe(const struct clean_opts *o) MUST_CHECK;

/* Whether the tools are there (for the log at start and on reload). */
bool clean_tools_present(const struct clean_opts *o);

#endif
