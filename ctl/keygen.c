/* hotlinectl keygen / pepper. The cryptography is crypto/keys.c and
 * crypto/receipt.c; this file only gets the arguments and the passphrase. */
#include "ctl/keygen.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "crypto/keys.h"
#include "crypto/receipt.h"
#include "crypto/secret.h"
#include "crypto/sign.h"

#define PASSPHRASE_SIZE 1024
/* Counted in characters (UTF-8 code points), not bytes, so that a Kazakh
 * or Russian passphrase is held to the same rule as a Latin one. */
#define PASSPHRASE_MIN_CHARS 8

static const char keygen_usage[] =
    "usage: hotlinectl keygen --public FILE --secret FILE [--passphrase-file FILE]\n";
static const char pepper_usage[] = "usage: hotlinectl pepper --out FILE\n";
static const char checkpoint_key_usage[] =
    "usage: hotlinectl checkpoint-key --public FILE --secret FILE\n";

__attribute__((format(printf, 1, 2))) static void complain(const char *fmt, ...)
{
	va_list ap;

	fputs("hotlinectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Matches "--name VALUE" and "--name=VALUE" at argv[*i]; advances *i past
 * what it used. False if argv[*i] is not this option; *bad if it is but
 * its value is missing. */
static bool take_option(int argc, char **argv, int *i, const char *name, const char **value,
			bool *bad)
{
	size_t n = strlen(name);
	const char *arg = argv[*i];

	if (strncmp(arg, name, n) != 0)
		return false;
	if (arg[n] == '=') {
		*value = arg + n + 1;
	} else if (arg[n] == '\0') {
		if (*i + 1 >= argc) {
			complain("%s needs a value", name);
			*bad = true;
			return true;
		}
		*value = argv[++*i];
	} else {
		return false;
	}
	if (**value == '\0') {
		complain("%s needs a value", name);
		*bad = true;
	}
	return true;
}

static bool is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* ---- passphrases ---- */

bool passphrase_read_file(const char *path, char *buf, size_t size)
{
	size_t have = 0;
	char *nl;
	int fd;

	if (size < 2) {
		complain("passphrase buffer too small");
		return false;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		complain("cannot open passphrase file %s: %s", path, strerror(errno));
		return false;
	}
	/* read(2), not stdio: no copy of the passphrase in a FILE buffer we
	 * could not wipe. */
	while (have < size - 1) {
		ssize_t n = read(fd, buf + have, size - 1 - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			complain("cannot read passphrase file %s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (memchr(buf + have - (size_t)n, '\n', (size_t)n) != NULL)
			break;
	}
	nl = memchr(buf, '\n', have);
	if (nl == NULL && have == size - 1) {
		char probe;
		ssize_t n;

		do
			n = read(fd, &probe, 1);
		while (n < 0 && errno == EINTR);
		if (n != 0 && !(n == 1 && probe == '\n')) {
			complain("passphrase in %s is too long (at most %zu bytes)", path,
				 size - 2);
			goto fail;
		}
	}
	close(fd);
	if (nl != NULL)
		have = (size_t)(nl - buf);
	if (have > 0 && buf[have - 1] == '\r')
		have--;
	buf[have] = '\0';
	if (have == 0 || memchr(buf, '\0', have) != NULL) {
		complain("passphrase file %s: first line is %s", path,
			 have == 0 ? "empty" : "not text");
		secret_wipe(buf, size);
		return false;
	}
	secret_wipe(buf + have, size - have);
	return true;

fail:
	close(fd);
	secret_wipe(buf, size);
	return false;
}

static volatile sig_atomic_t tty_signal;

static void tty_on_signal(int signo)
{
	tty_signal = signo;
}

/* One line from the terminal with echo off. A signal while echo is off
 * first restores the terminal, then is delivered again. */
static bool tty_read_line(int fd, const char *prompt, char *buf, size_t size)
{
	static const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
	struct sigaction sa, old_sa[sizeof signals / sizeof signals[0]];
	struct termios old_term, term;
	size_t have = 0;
	bool too_long = false, ok = false, got_eof = false;
	int read_error = 0;

	if (tcgetattr(fd, &old_term) != 0) {
		complain("cannot read the passphrase from the terminal: %s", strerror(errno));
		return false;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tty_on_signal;
	sigemptyset(&sa.sa_mask);
	tty_signal = 0;
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
		sigaction(signals[i], &sa, &old_sa[i]);

	term = old_term;
	term.c_lflag &= ~(tcflag_t)ECHO;
	term.c_lflag |= ECHONL;
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &term) != 0) {
		complain("cannot use the terminal: %s", strerror(errno));
		goto done;
	}
	for (;;) {
		char ch;
		ssize_t n = read(fd, &ch, 1);

		if (tty_signal != 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			read_error = errno;
			break;
		}
		if (n == 0) {
			got_eof = true;
			break;
		}
		if (ch == '\n')
			break;
		if (have + 1 < size)
			buf[have++] = ch;
		else
			too_long = true;
	}
	buf[have] = '\0';
	if (tty_signal != 0) {
		if (tty_signal == SIGTSTP)
			complain("interrupted; run the command again");
		goto done;
	}
	if (read_error != 0)
		complain("cannot read from the terminal: %s", strerror(read_error));
	else if (got_eof && have == 0)
		complain("no passphrase given");
	else if (too_long)
		complain("passphrase too long (at most %zu bytes)", size - 1);
	else
		ok = true;

done:
	tcsetattr(fd, TCSAFLUSH, &old_term);
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
		sigaction(signals[i], &old_sa[i], NULL);
	if (!ok)
		secret_wipe(buf, size);
	if (tty_signal != 0)
		raise(tty_signal);
	return ok;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

bool passphrase_from_terminal(const char *prompt, bool twice, char *buf, size_t size)
{
	char again[PASSPHRASE_SIZE];
	bool ok = false;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		complain("no terminal to ask for the passphrase (%s); use --passphrase-file",
			 strerror(errno));
		return false;
	}
	if (!tty_read_line(fd, prompt, buf, size))
		goto done;
	if (twice && utf8_chars(buf) < PASSPHRASE_MIN_CHARS) {
		complain("passphrase too short: at least %d characters", PASSPHRASE_MIN_CHARS);
		goto done;
	}
	if (twice && !tty_read_line(fd, "Same passphrase again: ", again, sizeof again))
		goto done;
	if (twice && strcmp(buf, again) != 0) {
		complain("the two passphrases differ");
		goto done;
	}
	ok = true;

done:
	close(fd);
	secret_wipe(again, sizeof again);
	if (!ok)
		secret_wipe(buf, size);
	return ok;
}

bool passphrase_new_from_file(const char *path, char *buf, size_t size)
{
	if (!passphrase_read_file(path, buf, size))
		return false;
	if (utf8_chars(buf) < PASSPHRASE_MIN_CHARS) {
		complain("passphrase in %s too short: at least %d characters", path,
			 PASSPHRASE_MIN_CHARS);
		secret_wipe(buf, size);
		return false;
	}
	return true;
}

/* ---- subcommands ---- */

int keygen_main(int argc, char **argv)
{
	const char *pub = NULL, *sec = NULL, *passfile = NULL;
	char passphrase[PASSPHRASE_SIZE];
	char err[512];
	bool bad = false;
	int rc = 1;

	for (int i = 1; i < argc && !bad; i++) {
		if (is_help(argv[i])) {
			fputs(keygen_usage, stdout);
			return 0;
		}
		if (!take_option(argc, argv, &i, "--public", &pub, &bad) &&
		    !take_option(argc, argv, &i, "--secret", &sec, &bad) &&
		    !take_option(argc, argv, &i, "--passphrase-file", &passfile, &bad)) {
			complain("keygen: unknown argument '%s'", argv[i]);
			bad = true;
		}
	}
	if (!bad && (pub == NULL || sec == NULL)) {
		complain("keygen needs --public FILE and --secret FILE");
		bad = true;
	}
	if (bad) {
		fputs(keygen_usage, stderr);
		return 1;
	}
	if (!keys_init()) {
		complain("cannot initialise libsodium");
		return 1;
	}

	if (passfile != NULL) {
		if (!passphrase_new_from_file(passfile, passphrase, sizeof passphrase))
			goto done;
	} else if (!passphrase_from_terminal("Passphrase for the secret key: ", true, passphrase,
					     sizeof passphrase)) {
		goto done;
	}

	if (!keys_generate(pub, sec, passphrase, err, sizeof err)) {
		complain("keygen: %s", err);
		goto done;
	}
	printf("public key: %s\nsecret key: %s (wrapped under the passphrase; keep both safe)\n",
	       pub, sec);
	rc = 0;

done:
	secret_wipe(passphrase, sizeof passphrase);
	return rc;
}

int pepper_main(int argc, char **argv)
{
	const char *out = NULL;
	char err[512];
	bool bad = false;

	for (int i = 1; i < argc && !bad; i++) {
		if (is_help(argv[i])) {
			fputs(pepper_usage, stdout);
			return 0;
		}
		if (!take_option(argc, argv, &i, "--out", &out, &bad)) {
			complain("pepper: unknown argument '%s'", argv[i]);
			bad = true;
		}
	}
	if (!bad && out == NULL) {
		complain("pepper needs --out FILE");
		bad = true;
	}
	if (bad) {
		fputs(pepper_usage, stderr);
		return 1;
	}
	if (!keys_init()) {
		complain("cannot initialise libsodium");
		return 1;
	}
	if (!pepper_generate(out, err, sizeof err)) {
		complain("pepper: %s", err);
		return 1;
	}
	printf("pepper: %s\n", out);
	return 0;
}

/* The checkpoint key is not wrapped under a passphrase: hotlined signs
 * with it unattended, at start and every day, so a passphrase would sit
 * in a file beside it on the same host and protect nothing the file mode
 * does not (docs/keys.md, "The checkpoint key"). */
int checkpoint_key_main(int argc, char **argv)
{
	const char *pub = NULL, *sec = NULL;
	char err[512];
	bool bad = false;

	for (int i = 1; i < argc && !bad; i++) {
		if (is_help(argv[i])) {
			fputs(checkpoint_key_usage, stdout);
			return 0;
		}
		if (!take_option(argc, argv, &i, "--public", &pub, &bad) &&
		    !take_option(argc, argv, &i, "--secret", &sec, &bad)) {
			complain("checkpoint-key: unknown argument '%s'", argv[i]);
			bad = true;
		}
	}
	if (!bad && (pub == NULL || sec == NULL)) {
		complain("checkpoint-key needs --public FILE and --secret FILE");
		bad = true;
	}
	if (bad) {
		fputs(checkpoint_key_usage, stderr);
		return 1;
	}
	if (!sign_keys_generate(pub, sec, err, sizeof err)) {
		complain("checkpoint-key: %s", err);
		return 1;
	}
	struct sign_public pk;
	char id[SIGN_KEY_ID_SIZE];
	if (!sign_load_public(pub, &pk, err, sizeof err)) {
		complain("checkpoint-key: %s", err);
		return 1;
	}
	sign_key_id(&pk, id);
	printf("checkpoint public key: %s (key id %s; give it to whoever verifies)\n"
	       "checkpoint secret key: %s (mode 0600: for hotlined's checkpoint_secret_key, "
	       "never in the database)\n",
	       pub, id, sec);
	return 0;
}

struct secret_key *secret_key_from_files(const char *key_path, const char *pass_path)
{
	char pass[1024];
	if (!passphrase_read_file(pass_path, pass, sizeof(pass)))
		return NULL;
	char err[256];
	struct secret_key *sk = keys_load_secret(key_path, pass, err, sizeof(err));
	secret_wipe(pass, sizeof(pass));
	if (!sk)
		fprintf(stderr, "hotlinectl: %s: %s\n", key_path, err);
	return sk;
}
