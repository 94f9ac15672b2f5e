/* The reporters' files cleaned of metadata by mat2 in a sandbox: see
 * clean.h. */
#include "intake/clean.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/config.h"
#include "base/log.h"
#include "crypto/secret.h"

/* What mat2 takes by its extension and we clean. PDF in mat2's lightweight
 * mode: the pages are drawn again as vectors, so the text stays text (the
 * full mode turns every page into a picture, and staff could no longer
 * search or copy it); the document's Info and XMP go either way. */
static const struct {
	const char *ext;
	bool lightweight;
} formats[] = {
    {"jpg", false},  {"jpeg", false}, {"jpe", false},  {"jfif", false}, {"png", false},
    {"heic", false}, {"tif", false},  {"tiff", false}, {"gif", false},	{"pdf", true},
    {"docx", false}, {"xlsx", false}, {"pptx", false}, {"odt", false},	{"ods", false},
    {"odp", false},  {"odg", false},  {"mp3", false},  {"flac", false}, {"ogg", false},
};

#define CLEAN_MEMORY_LIMIT (1024ull << 20) /* address space of the sandbox */
#define CLEAN_CHUNK (64 * 1024)

const char *clean_state_text(enum clean_state s)
{
	switch (s) {
	case CLEAN_DONE:
		return "cleaned";
	case CLEAN_KEPT:
		return "kept";
	case CLEAN_NOT_TRIED:
		break;
	}
	return NULL;
}

static void copy_text(char *dst, size_t size, const char *src, const char *fallback)
{
	snprintf(dst, size, "%s", src && *src ? src : fallback);
}

void clean_opts_from(struct clean_opts *o, const struct config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->on = cfg->clean_files && strcmp(cfg->clean_files, "yes") == 0;
	copy_text(o->mat2, sizeof(o->mat2), cfg->clean_mat2, "/usr/bin/mat2");
	copy_text(o->bwrap, sizeof(o->bwrap), cfg->clean_bwrap, "/usr/bin/bwrap");
	copy_text(o->dir, sizeof(o->dir), cfg->clean_dir, "/dev/shm");
	o->timeout = cfg->clean_timeout ? cfg->clean_timeout : 30;
	o->max_bytes = cfg->clean_max_bytes ? cfg->clean_max_bytes : 25u << 20;
}

size_t clean_max_output(size_t len)
{
	return len + len / 2 + 64 * 1024;
}

bool clean_tools_present(const struct clean_opts *o)
{
	return access(o->mat2, X_OK) == 0 && access(o->bwrap, X_OK) == 0;
}

/* The known format of the name's extension, or -1. ext gets it in lower
 * case (the file in the sandbox is named by it, never by the reporter). */
static int format_of(const char *name, size_t name_len, char ext[8])
{
	const char *dot = NULL;
	for (size_t i = 0; i < name_len; i++)
		if (name[i] == '.')
			dot = name + i;
	if (!dot)
		return -1;
	size_t n = name_len - (size_t)(dot + 1 - name);
	if (n == 0 || n >= 8)
		return -1;
	for (size_t i = 0; i < n; i++)
		ext[i] =
		    (char)(dot[1 + i] >= 'A' && dot[1 + i] <= 'Z' ? dot[1 + i] + 32 : dot[1 + i]);
	ext[n] = '\0';
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(ext, formats[i].ext) == 0)
			return (int)i;
	return -1;
}

bool clean_supported(const char *name, size_t name_len)
{
	char ext[8];
	return format_of(name, name_len, ext) >= 0;
}

/* Overwrites a file in the folder with zeros and removes it: on a tmpfs
 * the pages are freed holding zeros. */
static void wipe_file(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			static const unsigned char zeros[CLEAN_CHUNK];
			off_t left = st.st_size;
			while (left > 0) {
				size_t n =
				    left > (off_t)sizeof(zeros) ? sizeof(zeros) : (size_t)left;
				ssize_t w = write(fd, zeros, n);
				if (w <= 0)
					break;
				left -= w;
			}
			(void)fdatasync(fd);
		}
		close(fd);
	}
	(void)unlinkat(dirfd, name, 0);
}

/* Removes everything mat2 or we left in the folder, then the folder. */
static void remove_dir(const char *dir)
{
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dirfd >= 0) {
		int scan = dup(dirfd);
		DIR *d = scan >= 0 ? fdopendir(scan) : NULL;
		if (!d && scan >= 0)
			close(scan);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			wipe_file(dirfd, e->d_name);
		}
		if (d)
			closedir(d);
		close(dirfd);
	}
	if (rmdir(dir) != 0)
		log_errno(LOG_LEVEL_WARNING, "cleaning: cannot remove its folder");
}

unsigned clean_sweep(const struct clean_opts *o)
{
	DIR *d = opendir(o->dir);
	if (!d)
		return 0;
	unsigned n = 0;
	uid_t me = geteuid();
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "hotline-clean-", 14) != 0)
			continue;
		char path[512];
		struct stat st;
		if (snprintf(path, sizeof(path), "%s/%s", o->dir, e->d_name) >= (int)sizeof(path) ||
		    lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != me)
			continue;
		/* another hotlined of this user may be cleaning in it now: only
		 * folders older than any cleaning can be */
		if (st.st_mtime > now - (time_t)o->timeout - 60)
			continue;
		remove_dir(path);
		n++;
	}
	closedir(d);
	return n;
}

/* Writes the clear bytes into dir/name (0600, new). */
static bool write_input(int dirfd, const char *name, size_t len, stream_read_fn read, void *cls)
{
	unsigned char *chunk = malloc(CLEAN_CHUNK);
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	bool ok = chunk && fd >= 0;
	for (size_t done = 0; ok && done < len;) {
		size_t n = len - done < CLEAN_CHUNK ? len - done : CLEAN_CHUNK;
		ok = read(cls, chunk, n);
		for (size_t w = 0; ok && w < n;) {
			ssize_t r = write(fd, chunk + w, n - w);
			if (r < 0 && errno == EINTR)
				continue;
			ok = r > 0;
			if (ok)
				w += (size_t)r;
		}
		done += n;
	}
	if (fd >= 0 && close(fd) != 0)
		ok = false;
	if (chunk) {
		secret_wipe(chunk, CLEAN_CHUNK);
		free(chunk);
	}
	return ok;
}

/* Reads dir/name whole when it is a regular file of 1..max bytes. */
static unsigned char *read_output(int dirfd, const char *name, size_t max, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	unsigned char *p = NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (unsigned long long)st.st_size > max)
		goto done;
	size_t n = (size_t)st.st_size;
	if (!(p = malloc(n)))
		goto done;
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			secret_wipe(p, got);
			free(p);
			p = NULL;
			goto done;
		}
		got += (size_t)r;
	}
	*len = n;
done:
	close(fd);
	return p;
}

/* Runs mat2 on /w/in in the sandbox, the folder dir bound there. True when
 * it exited 0 within the time. mat2 says 0 even when it could not clean,
 * so the caller also checks that its output is there. */
static bool run_sandbox(const struct clean_opts *o, const char *dir, const char *input,
			bool lightweight, size_t out_max)
{
	/* Only /usr (and the loader's cache and the MIME table of /etc), no
	 * network, no other process, no capability, nothing of the daemon's
	 * files: mat2 sees the one file. mat2's own bubblewrap is off: it
	 * would nest a sandbox inside this one. */
	const char *argv[] = {o->bwrap,
			      "--unshare-all",
			      "--die-with-parent",
			      "--new-session",
			      "--cap-drop",
			      "ALL",
			      "--clearenv",
			      "--setenv",
			      "PATH",
			      "/usr/bin",
			      "--setenv",
			      "HOME",
			      "/tmp",
			      "--setenv",
			      "LANG",
			      "C.UTF-8",
			      "--ro-bind",
			      "/usr",
			      "/usr",
			      "--symlink",
			      "usr/bin",
			      "/bin",
			      "--symlink",
			      "usr/lib",
			      "/lib",
			      "--symlink",
			      "usr/lib64",
			      "/lib64",
			      "--symlink",
			      "usr/sbin",
			      "/sbin",
			      "--ro-bind-try",
			      "/etc/ld.so.cache",
			      "/etc/ld.so.cache",
			      "--ro-bind-try",
			      "/etc/mime.types",
			      "/etc/mime.types",
			      "--proc",
			      "/proc",
			      "--dev",
			      "/dev",
			      "--tmpfs",
			      "/tmp",
			      "--bind",
			      dir,
			      "/w",
			      "--chdir",
			      "/w",
			      o->mat2,
			      "--no-sandbox",
			      lightweight ? "--lightweight" : input,
			      lightweight ? input : NULL,
			      NULL};
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return false;
	struct rlimit mem = {CLEAN_MEMORY_LIMIT, CLEAN_MEMORY_LIMIT};
	rlim_t fsize = out_max > (16u << 20) ? out_max : (16u << 20);
	struct rlimit file = {fsize, fsize};
	struct rlimit cpu = {o->timeout + 1, o->timeout + 1};
	struct rlimit core = {0, 0};
	pid_t pid = fork();
	if (pid == 0) {
		/* only async-signal-safe calls until exec; the sandbox dies
		 * with hotlined (its own processes die with it in turn) */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2); /* mat2 names the file it failed on */
		setrlimit(RLIMIT_AS, &mem);
		setrlimit(RLIMIT_FSIZE, &file);
		setrlimit(RLIMIT_CPU, &cpu);
		setrlimit(RLIMIT_CORE, &core);
		close_range(3, ~0u, 0);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(devnull);
	if (pid < 0) {
		log_errno(LOG_LEVEL_WARNING, "cleaning: cannot start the sandbox");
		return false;
	}
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	int status = 0;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			log_errno(LOG_LEVEL_WARNING, "cleaning: lost the sandbox");
			return false;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)o->timeout) {
			/* the sandbox's processes die with it (--die-with-parent,
			 * its own PID namespace) */
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			log_warning("cleaning: mat2 took over %u s, stopped", o->timeout);
			return false;
		}
		struct timespec tick = {0, 20 * 1000 * 1000};
		nanosleep(&tick, NULL);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFSIGNALED(status))
			log_warning("cleaning: the sandbox ended by signal %d", WTERMSIG(status));
		else
			log_warning("cleaning: the sandbox exited %d",
				    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return false;
	}
	return true;
}

/* clean_file(), and when the stream was used up and keep_original is
 * set, the original read back from the folder into *out (CLEAN_KEPT). */
static enum clean_state clean_one(const struct clean_opts *o, const char *name, size_t name_len,
				  size_t len, stream_read_fn read, void *cls, unsigned char **out,
				  size_t *out_len, bool keep_original)
{
	*out = NULL;
	*out_len = 0;
	char ext[8];
	int format = format_of(name, name_len, ext);
	if (!o->on || format < 0 || len == 0 || len > o->max_bytes || !clean_tools_present(o))
		return CLEAN_KEPT;
	char dir[512];
	if (snprintf(dir, sizeof(dir), "%s/hotline-clean-XXXXXX", o->dir) >= (int)sizeof(dir))
		return CLEAN_KEPT;
	if (!mkdtemp(dir)) { /* mode 0700 */
		log_errno(LOG_LEVEL_WARNING, "cleaning: cannot make a folder in clean_dir");
		return CLEAN_KEPT;
	}
	char input[16], output[24];
	snprintf(input, sizeof(input), "file.%s", ext);
	snprintf(output, sizeof(output), "file.cleaned.%s", ext);
	size_t out_max = clean_max_output(len);
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	bool written = dirfd >= 0 && write_input(dirfd, input, len, read, cls);
	enum clean_state state = CLEAN_KEPT;
	if (written && run_sandbox(o, dir, input, formats[format].lightweight, out_max)) {
		if ((*out = read_output(dirfd, output, out_max, out_len)) != NULL)
			state = CLEAN_DONE;
		else /* mat2 says 0 for a file it skipped, too */
			log_warning("cleaning: mat2 left no cleaned copy of at most %zu bytes",
				    out_max);
	}
	if (state != CLEAN_DONE && written && keep_original)
		*out = read_output(dirfd, input, len, out_len);
	if (dirfd >= 0)
		close(dirfd);
	remove_dir(dir);
	return state;
}

enum clean_state clean_file(const struct clean_opts *o, const char *name, size_t name_len,
			    size_t len, stream_read_fn read, void *cls, unsigned char **out,
			    size_t *out_len)
{
	return clean_one(o, name, name_len, len, read, cls, out, out_len, false);
}

enum clean_state clean_stream_once(const struct clean_opts *o, const char *name, size_t name_len,
				   size_t len, stream_read_fn read, void *cls, unsigned char **out,
				   size_t *out_len)
{
	return clean_one(o, name, name_len, len, read, cls, out, out_len, true);
}

struct memory_reader {
	const unsigned char *data;
	size_t left;
};

static bool memory_read(void *cls, void *buf, size_t n)
{
	struct memory_reader *r = cls;
	if (n > r->left)
		return false;
	memcpy(buf, r->data, n);
	r->data += n;
	r->left -= n;
	return true;
}

enum clean_state clean_buffer(const struct clean_opts *o, const char *name, size_t name_len,
			      const void *data, size_t len, unsigned char **out, size_t *out_len)
{
	struct memory_reader r = {data, len};
	return clean_file(o, name, name_len, len, memory_read, &r, out, out_len);
}

bool clean_probe(const struct clean_opts *o)
{
	/* a 1×1 PNG whose tEXt chunk names an author */
	static const unsigned char png[] = {
	    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49,
	    0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	    0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00, 0x00, 0x00, 0x0c, 0x74, 0x45,
	    0x58, 0x74, 0x41, 0x75, 0x74, 0x68, 0x6f, 0x72, 0x00, 0x70, 0x72, 0x6f, 0x62,
	    0x65, 0x2f, 0x65, 0x5a, 0xd6, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54,
	    0x78, 0x9c, 0x63, 0x68, 0x00, 0x00, 0x00, 0x82, 0x00, 0x81, 0x77, 0xcd, 0x72,
	    0xb6, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
	unsigned char *out = NULL;
	size_t len = 0;
	enum clean_state s = clean_buffer(o, "probe.png", 9, png, sizeof(png), &out, &len);
	bool ok = s == CLEAN_DONE && !memmem(out, len, "probe", 5);
	clean_free(out, len);
	return ok;
}

void clean_free(unsigned char *p, size_t len)
{
	if (!p)
		return;
	secret_wipe(p, len);
	free(p);
}
