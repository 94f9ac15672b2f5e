/* The encrypted upload spool: see spool.h. */
#include "intake/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "crypto/random.h"
#include "crypto/secret.h"
#include "crypto/records.h"
#include "crypto/wrap.h"

_Static_assert(SPOOL_WRAPPED_BYTES == RECORDS_KEY_BYTES + WRAP_OVERHEAD, "wrapped key size");
_Static_assert(SPOOL_WRAP_KEY_BYTES == WRAP_KEY_BYTES, "wrap key size");

#define SS_HEADER RECORDS_HEADER_BYTES
#define SS_ABYTES RECORDS_ABYTES
#define SPOOL_RECORD (SPOOL_CHUNK + SS_ABYTES)

struct spool {
	int dirfd;
	size_t max_bytes;
	size_t used;
	unsigned files;
};

struct spool_file {
	int fd;
	size_t plain; /* plaintext bytes */
	size_t disk;  /* bytes written, counted in spool->used */
	bool ended;
};

/* Everything of a request that would show its files: in guarded memory. */
struct spool_secret {
	unsigned char key[RECORDS_KEY_BYTES];
	struct records_state push, pull;
	size_t pending; /* plaintext bytes in plain waiting for a full record */
	unsigned char plain[SPOOL_CHUNK];
};

struct spool_upload {
	struct spool *spool;
	struct spool_secret *secret;
	unsigned char cipher[SPOOL_RECORD]; /* ciphertext only */
	struct spool_file *files;
	unsigned nfiles;
	bool reading; /* the pull state belongs to one reader at a time */
};

/* --- the directory --- */

static void remove_leftovers(int dirfd)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	unsigned removed = 0;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd, e->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	if (removed)
		log_warning("spool: removed %u file(s) left in the spool directory", removed);
}

struct spool *spool_open(const char *dir, size_t max_bytes, char *err, size_t errlen)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "spool_dir %s: cannot create it: %s", dir, strerror(errno));
		return NULL;
	}
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (dirfd < 0 || fstat(dirfd, &st) != 0) {
		snprintf(err, errlen, "spool_dir %s: %s", dir, strerror(errno));
		if (dirfd >= 0)
			close(dirfd);
		return NULL;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "spool_dir %s: not owned by the daemon's user", dir);
		close(dirfd);
		return NULL;
	}
	/* only the daemon may look into it */
	if ((st.st_mode & 07777) != 0700 && fchmod(dirfd, 0700) != 0) {
		snprintf(err, errlen, "spool_dir %s: cannot set mode 0700: %s", dir,
			 strerror(errno));
		close(dirfd);
		return NULL;
	}
	struct spool *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		close(dirfd);
		return NULL;
	}
	s->dirfd = dirfd;
	s->max_bytes = max_bytes;
	remove_leftovers(dirfd);
	return s;
}

void spool_close(struct spool *s)
{
	if (!s)
		return;
	close(s->dirfd);
	free(s);
}

void spool_set_max(struct spool *s, size_t max_bytes)
{
	s->max_bytes = max_bytes;
}

size_t spool_used(const struct spool *s)
{
	return s->used;
}

bool spool_room(const struct spool *s, size_t n)
{
	return s->used <= s->max_bytes && n <= s->max_bytes - s->used;
}

unsigned spool_files(const struct spool *s)
{
	return s->files;
}

/* An unnamed file: O_TMPFILE, or where the file system lacks it a random
 * name unlinked at once. */
static int open_unnamed(int dirfd)
{
	int fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	for (int tries = 0; tries < 8; tries++) {
		unsigned char r[12];
		char name[32];
		random_bytes(r, sizeof(r));
		snprintf(name, sizeof(name), "u");
		for (size_t i = 0; i < sizeof(r); i++)
			snprintf(name + 1 + 2 * i, sizeof(name) - 1 - 2 * i, "%02x", r[i]);
		fd = openat(dirfd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			if (unlinkat(dirfd, name, 0) != 0) {
				close(fd);
				return -1;
			}
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* --- one request's files --- */

struct spool_upload *spool_upload_new(struct spool *s)
{
	struct spool_upload *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->spool = s;
	u->secret = secret_take(sizeof(*u->secret));
	if (!u->secret) {
		free(u);
		return NULL;
	}
	records_keygen(u->secret->key);
	u->secret->pending = 0;
	return u;
}

static void file_close(struct spool *s, struct spool_file *f)
{
	if (f->fd < 0)
		return;
	close(f->fd); /* unnamed: its blocks are freed now */
	f->fd = -1;
	s->used -= f->disk;
	s->files--;
	f->disk = 0;
}

void spool_upload_free(struct spool_upload *u)
{
	if (!u)
		return;
	for (unsigned i = 0; i < u->nfiles; i++)
		file_close(u->spool, &u->files[i]);
	free(u->files);
	secret_give(u->secret, sizeof(*u->secret)); /* wipes the key, states, plaintext */
	secret_wipe(u->cipher, sizeof(u->cipher));
	free(u);
}

static enum spool_result disk_write(struct spool_upload *u, struct spool_file *f,
				    const unsigned char *data, size_t n)
{
	if (!spool_room(u->spool, n))
		return SPOOL_FULL;
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(f->fd, data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (errno == ENOSPC || errno == EDQUOT) {
				log_warning("spool: the disk is full");
				return SPOOL_FULL;
			}
			log_error("spool: cannot write: %s", strerror(errno));
			return SPOOL_ERROR;
		}
		done += (size_t)w;
		f->disk += (size_t)w;
		u->spool->used += (size_t)w;
	}
	return SPOOL_OK;
}

enum spool_result spool_file_begin(struct spool_upload *u)
{
	struct spool_file *files = realloc(u->files, sizeof(*files) * (u->nfiles + 1));
	if (!files)
		return SPOOL_ERROR;
	u->files = files;
	struct spool_file *f = &files[u->nfiles];
	memset(f, 0, sizeof(*f));
	f->fd = open_unnamed(u->spool->dirfd);
	if (f->fd < 0) {
		log_error("spool: cannot open a spool file: %s", strerror(errno));
		return SPOOL_ERROR;
	}
	u->nfiles++;
	u->spool->files++;
	unsigned char header[SS_HEADER];
	records_push_init(&u->secret->push, header, u->secret->key);
	u->secret->pending = 0;
	return disk_write(u, f, header, sizeof(header));
}

static enum spool_result flush_record(struct spool_upload *u, struct spool_file *f,
				      unsigned char tag)
{
	struct spool_secret *sec = u->secret;
	unsigned long long clen = 0;
	if (!records_push(&sec->push, u->cipher, &clen, sec->plain, sec->pending, tag))
		return SPOOL_ERROR;
	secret_wipe(sec->plain, sec->pending);
	sec->pending = 0;
	return disk_write(u, f, u->cipher, (size_t)clen);
}

enum spool_result spool_file_write(struct spool_upload *u, const void *data, size_t n)
{
	if (u->nfiles == 0 || u->files[u->nfiles - 1].ended)
		return SPOOL_ERROR;
	struct spool_file *f = &u->files[u->nfiles - 1];
	struct spool_secret *sec = u->secret;
	const unsigned char *p = data;
	while (n > 0) {
		/* a full record goes out only once more data follows, so the
		 * last one (FINAL) holds 1..SPOOL_CHUNK bytes, 0 only for an
		 * empty file: the reader knows every record's length */
		if (sec->pending == SPOOL_CHUNK) {
			enum spool_result r = flush_record(u, f, RECORDS_TAG_MESSAGE);
			if (r != SPOOL_OK)
				return r;
		}
		size_t room = SPOOL_CHUNK - sec->pending;
		size_t take = n < room ? n : room;
		memcpy(sec->plain + sec->pending, p, take);
		sec->pending += take;
		f->plain += take;
		p += take;
		n -= take;
	}
	return SPOOL_OK;
}

enum spool_result spool_file_end(struct spool_upload *u)
{
	if (u->nfiles == 0 || u->files[u->nfiles - 1].ended)
		return SPOOL_ERROR;
	struct spool_file *f = &u->files[u->nfiles - 1];
	f->ended = true;
	return flush_record(u, f, RECORDS_TAG_FINAL);
}

void spool_upload_wrap(struct spool_upload *u, const unsigned char wrap_key[SPOOL_WRAP_KEY_BYTES],
		       unsigned char out[SPOOL_WRAPPED_BYTES])
{
	wrap_seal(wrap_key, u->secret->key, sizeof(u->secret->key), out);
	secret_wipe(u->secret, sizeof(*u->secret));
	secret_wipe(u->cipher, sizeof(u->cipher));
}

bool spool_upload_unwrap(struct spool_upload *u, const unsigned char wrap_key[SPOOL_WRAP_KEY_BYTES],
			 const unsigned char in[SPOOL_WRAPPED_BYTES])
{
	return wrap_open(wrap_key, in, SPOOL_WRAPPED_BYTES, u->secret->key);
}

void spool_file_drop(struct spool_upload *u, unsigned i)
{
	if (i < u->nfiles)
		file_close(u->spool, &u->files[i]);
}

unsigned spool_upload_files(const struct spool_upload *u)
{
	return u->nfiles;
}

size_t spool_file_size(const struct spool_upload *u, unsigned i)
{
	return i < u->nfiles ? u->files[i].plain : 0;
}

/* --- reading back --- */

void spool_reader_init(struct spool_reader *r, struct spool_upload *u, unsigned file)
{
	memset(r, 0, sizeof(*r));
	r->u = u;
	r->file = file;
}

static bool read_at(int fd, void *buf, size_t n, unsigned long long off)
{
	size_t done = 0;
	while (done < n) {
		ssize_t got = pread(fd, (unsigned char *)buf + done, n - done, (off_t)(off + done));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		done += (size_t)got;
	}
	return true;
}

/* The next record into the guarded buffer. Records are written full
 * (SPOOL_CHUNK) but the last, so its length follows from what is left. */
static bool next_record(struct spool_reader *r)
{
	struct spool_upload *u = r->u;
	struct spool_file *f = &u->files[r->file];
	struct spool_secret *sec = u->secret;
	if (f->fd < 0)
		return false; /* dropped */
	if (!r->started) {
		unsigned char header[SS_HEADER];
		if (!read_at(f->fd, header, sizeof(header), 0) ||
		    !records_pull_init(&sec->pull, header, sec->key))
			return false;
		r->offset = SS_HEADER;
		r->left = f->plain;
		r->started = true;
	}
	size_t n = r->left < SPOOL_CHUNK ? r->left : SPOOL_CHUNK;
	bool last = r->left <= SPOOL_CHUNK;
	if (!read_at(f->fd, u->cipher, n + SS_ABYTES, r->offset))
		return false;
	unsigned long long got = 0;
	unsigned char tag = 0;
	if (!records_pull(&sec->pull, sec->plain, &got, &tag, u->cipher, n + SS_ABYTES) || got != n)
		return false;
	if (tag != (last ? RECORDS_TAG_FINAL : RECORDS_TAG_MESSAGE))
		return false;
	r->offset += n + SS_ABYTES;
	r->left -= n;
	r->have = n;
	r->pos = 0;
	return true;
}

bool spool_read(void *reader, void *buf, size_t n)
{
	struct spool_reader *r = reader;
	if (r->file >= r->u->nfiles || !r->u->files[r->file].ended)
		return false;
	unsigned char *out = buf;
	while (n > 0) {
		if (r->pos == r->have) {
			if (r->started && r->left == 0)
				return false;
			if (!next_record(r))
				return false;
		}
		size_t take = r->have - r->pos < n ? r->have - r->pos : n;
		memcpy(out, r->u->secret->plain + r->pos, take);
		r->pos += take;
		out += take;
		n -= take;
	}
	return true;
}
