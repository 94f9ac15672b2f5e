/* hotlinectl unmask-key / unmask. The cryptography is crypto/shares.c and
 * crypto/packet.c; this file gets the arguments, the passphrases and the
 * files, and prints. */
#include "ctl/unmask.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"
#include "crypto/packet.h"
#include "crypto/seal.h"
#include "crypto/secret.h"
#include "crypto/shares.h"
#include "ctl/keygen.h"

#define PASS_SIZE 1024

static const char unmask_key_usage[] =
    "usage: hotlinectl unmask-key --public FILE --threshold M\n"
    "            --holder ROLE:FILE [--passphrase-file FILE] (once per holder, N in all)\n"
    "            [--shares N]\n"
    "       ROLE: custodian, director, alternate, compliance or other\n";
static const char unmask_reshare_usage[] =
    "usage: hotlinectl unmask-reshare --share OLD [--passphrase-file FILE] ... (M old shares)\n"
    "            --threshold M --holder ROLE:FILE [--passphrase-file FILE] ... (N new)\n";
static const char unmask_usage[] =
    "usage: hotlinectl unmask --packet FILE\n"
    "            --share FILE [--passphrase-file FILE] (once per share, M in all) [--json]\n";

/* "--name VALUE" or "--name=VALUE" at argv[*i]. */
static bool option(int argc, char **argv, int *i, const char *name, const char **value, bool *bad)
{
	size_t n = strlen(name);
	const char *arg = argv[*i];
	if (strncmp(arg, name, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
		return false;
	if (arg[n] == '=')
		*value = arg + n + 1;
	else if (*i + 1 < argc)
		*value = argv[++*i];
	else
		*value = "";
	if (!**value) {
		fprintf(stderr, "hotlinectl: %s needs a value\n", name);
		*bad = true;
	}
	return true;
}

static unsigned number(const char *s)
{
	if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 3)
		return 0;
	return (unsigned)atoi(s);
}

/* ---- unmask-key ---- */

int unmask_key_main(int argc, char **argv)
{
	const char *pub = NULL, *threshold_s = NULL, *count_s = NULL;
	const char *holder_arg[SHARES_MAX] = {0}, *pass_file[SHARES_MAX] = {0};
	char role[SHARES_MAX][16];
	struct share_holder holders[SHARES_MAX];
	char *pass[SHARES_MAX] = {0};
	unsigned n = 0;
	bool bad = false;
	int rc = 1;
	for (int i = 1; i < argc && !bad; i++) {
		const char *v = NULL;
		if (option(argc, argv, &i, "--public", &pub, &bad) ||
		    option(argc, argv, &i, "--threshold", &threshold_s, &bad) ||
		    option(argc, argv, &i, "--shares", &count_s, &bad))
			continue;
		if (option(argc, argv, &i, "--holder", &v, &bad)) {
			if (n == SHARES_MAX) {
				fprintf(stderr, "hotlinectl: at most %d holders\n", SHARES_MAX);
				bad = true;
			} else {
				holder_arg[n++] = v;
			}
		} else if (option(argc, argv, &i, "--passphrase-file", &v, &bad)) {
			if (n == 0 || pass_file[n - 1]) {
				fprintf(stderr,
					"hotlinectl: --passphrase-file follows the --holder "
					"it is for\n");
				bad = true;
			} else {
				pass_file[n - 1] = v;
			}
		} else {
			fprintf(stderr, "hotlinectl: unmask-key: unknown argument '%s'\n", argv[i]);
			bad = true;
		}
	}
	unsigned threshold = number(threshold_s);
	if (!bad && (!pub || n == 0 || threshold == 0)) {
		fprintf(stderr, "hotlinectl: unmask-key needs --public, --threshold and a --holder "
				"per share\n");
		bad = true;
	}
	if (!bad && count_s && number(count_s) != n) {
		fprintf(stderr, "hotlinectl: --shares %s but %u holders named\n", count_s, n);
		bad = true;
	}
	for (unsigned i = 0; !bad && i < n; i++) {
		const char *colon = strchr(holder_arg[i], ':');
		size_t rl = colon ? (size_t)(colon - holder_arg[i]) : 0;
		if (!colon || rl == 0 || rl >= sizeof role[i] || !colon[1]) {
			fprintf(stderr, "hotlinectl: --holder %s: expected ROLE:FILE\n",
				holder_arg[i]);
			bad = true;
			break;
		}
		memcpy(role[i], holder_arg[i], rl);
		role[i][rl] = '\0';
		if (!shares_role_valid(role[i])) {
			fprintf(stderr,
				"hotlinectl: --holder %s: the role is one of custodian, "
				"director, alternate, compliance, other\n",
				holder_arg[i]);
			bad = true;
		}
		holders[i] = (struct share_holder){role[i], colon + 1, NULL};
	}
	if (bad) {
		fputs(unmask_key_usage, stderr);
		return 2;
	}
	for (unsigned i = 0; i < n; i++) {
		pass[i] = malloc(PASS_SIZE);
		char prompt[96];
		snprintf(prompt, sizeof prompt, "Passphrase of the %s for share %u: ", role[i],
			 i + 1);
		if (!pass[i] ||
		    !(pass_file[i] ? passphrase_new_from_file(pass_file[i], pass[i], PASS_SIZE)
				   : passphrase_from_terminal(prompt, true, pass[i], PASS_SIZE)))
			goto done;
		holders[i].passphrase = pass[i];
	}
	char err[512];
	if (!shares_split(pub, holders, n, threshold, err, sizeof err)) {
		fprintf(stderr, "hotlinectl: unmask-key: %s\n", err);
		goto done;
	}
	struct public_key pk;
	char fp[SHARES_FINGERPRINT_SIZE];
	if (!keys_load_public(pub, &pk, err, sizeof err)) {
		fprintf(stderr, "hotlinectl: %s\n", err);
		goto done;
	}
	shares_fingerprint(&pk, fp);
	printf("unmasking public key: %s (fingerprint %s; hotlined's custodian_public_key)\n", pub,
	       fp);
	for (unsigned i = 0; i < n; i++)
		printf("share %u of %u for the %s: %s (wrapped under their passphrase)\n", i + 1, n,
		       role[i], holders[i].path);
	printf("any %u of the %u shares open an identity; the whole secret key was never "
	       "written\n",
	       threshold, n);
	rc = 0;
done:
	for (unsigned i = 0; i < n; i++) {
		if (pass[i])
			secret_wipe(pass[i], PASS_SIZE);
		free(pass[i]);
	}
	return rc;
}

/* Loads share i of paths with its passphrase (file or terminal). */
static struct share *load_share(const char *path, const char *pass_file)
{
	char *pass = malloc(PASS_SIZE);
	char prompt[256], err[512];
	snprintf(prompt, sizeof prompt, "Passphrase of the share %s: ", path);
	bool got = pass && (pass_file ? passphrase_read_file(pass_file, pass, PASS_SIZE)
				      : passphrase_from_terminal(prompt, false, pass, PASS_SIZE));
	struct share *s = got ? share_load(path, pass, err, sizeof err) : NULL;
	if (pass)
		secret_wipe(pass, PASS_SIZE);
	free(pass);
	if (got && !s)
		fprintf(stderr, "hotlinectl: %s\n", err);
	return s;
}

/* ---- unmask-reshare ---- */

int unmask_reshare_main(int argc, char **argv)
{
	const char *threshold_s = NULL;
	const char *old_path[SHARES_MAX] = {0}, *old_pass[SHARES_MAX] = {0};
	const char *holder_arg[SHARES_MAX] = {0}, *new_pass_file[SHARES_MAX] = {0};
	struct share *old[SHARES_MAX] = {0};
	char role[SHARES_MAX][16];
	struct share_holder holders[SHARES_MAX];
	char *pass[SHARES_MAX] = {0};
	unsigned k = 0, n = 0;
	const char **last_pass = NULL; /* where the next --passphrase-file goes */
	bool bad = false;
	int rc = 1;
	for (int i = 1; i < argc && !bad; i++) {
		const char *v = NULL;
		if (option(argc, argv, &i, "--threshold", &threshold_s, &bad))
			continue;
		if (option(argc, argv, &i, "--share", &v, &bad)) {
			if (k == SHARES_MAX) {
				bad = true;
			} else {
				old_path[k] = v;
				last_pass = &old_pass[k++];
			}
		} else if (option(argc, argv, &i, "--holder", &v, &bad)) {
			if (n == SHARES_MAX) {
				bad = true;
			} else {
				holder_arg[n] = v;
				last_pass = &new_pass_file[n++];
			}
		} else if (option(argc, argv, &i, "--passphrase-file", &v, &bad)) {
			if (!last_pass || *last_pass) {
				fprintf(stderr,
					"hotlinectl: --passphrase-file follows the --share or "
					"--holder it is for\n");
				bad = true;
			} else {
				*last_pass = v;
			}
		} else {
			fprintf(stderr, "hotlinectl: unmask-reshare: unknown argument '%s'\n",
				argv[i]);
			bad = true;
		}
	}
	unsigned threshold = number(threshold_s);
	if (!bad && (k == 0 || n == 0 || threshold == 0)) {
		fprintf(stderr, "hotlinectl: unmask-reshare needs the old --share files, "
				"--threshold and a --holder per new share\n");
		bad = true;
	}
	for (unsigned i = 0; !bad && i < n; i++) {
		const char *colon = strchr(holder_arg[i], ':');
		size_t rl = colon ? (size_t)(colon - holder_arg[i]) : 0;
		if (!colon || rl == 0 || rl >= sizeof role[i] || !colon[1]) {
			fprintf(stderr, "hotlinectl: --holder %s: expected ROLE:FILE\n",
				holder_arg[i]);
			bad = true;
			break;
		}
		memcpy(role[i], holder_arg[i], rl);
		role[i][rl] = '\0';
		holders[i] = (struct share_holder){role[i], colon + 1, NULL};
	}
	if (bad) {
		fputs(unmask_reshare_usage, stderr);
		return 2;
	}
	char err[512];
	struct secret_key *sk = NULL;
	for (unsigned i = 0; i < k; i++)
		if (!(old[i] = load_share(old_path[i], old_pass[i])))
			goto done;
	sk = shares_combine(old, k, err, sizeof err);
	if (!sk) {
		fprintf(stderr, "hotlinectl: cannot rebuild the unmasking key: %s\n", err);
		goto done;
	}
	for (unsigned i = 0; i < n; i++) {
		pass[i] = malloc(PASS_SIZE);
		char prompt[96];
		snprintf(prompt, sizeof prompt, "New passphrase of the %s for share %u: ", role[i],
			 i + 1);
		if (!pass[i] ||
		    !(new_pass_file[i]
			  ? passphrase_new_from_file(new_pass_file[i], pass[i], PASS_SIZE)
			  : passphrase_from_terminal(prompt, true, pass[i], PASS_SIZE)))
			goto done;
		holders[i].passphrase = pass[i];
	}
	if (!shares_resplit(sk, holders, n, threshold, err, sizeof err)) {
		fprintf(stderr, "hotlinectl: unmask-reshare: %s\n", err);
		goto done;
	}
	struct public_key pk;
	char fp[SHARES_FINGERPRINT_SIZE];
	secret_key_public(sk, &pk);
	shares_fingerprint(&pk, fp);
	printf("the same unmasking key (fingerprint %s), split again:\n", fp);
	for (unsigned i = 0; i < n; i++)
		printf("share %u of %u for the %s: %s (wrapped under their passphrase)\n", i + 1, n,
		       role[i], holders[i].path);
	printf("any %u of the %u new shares open an identity; they do not combine with the old "
	       "shares: destroy every old share now\n",
	       threshold, n);
	rc = 0;
done:
	secret_key_free(sk);
	for (unsigned i = 0; i < k; i++)
		share_free(old[i]);
	for (unsigned i = 0; i < n; i++) {
		if (pass[i])
			secret_wipe(pass[i], PASS_SIZE);
		free(pass[i]);
	}
	return rc;
}

/* ---- unmask ---- */

static bool read_packet(const char *path, struct reveal_packet *p)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "hotlinectl: cannot open the packet %s\n", path);
		return false;
	}
	char *text = malloc(PACKET_MAX + 1);
	size_t len = text ? fread(text, 1, PACKET_MAX + 1, f) : 0;
	fclose(f);
	char err[256];
	bool ok = text && len <= PACKET_MAX && packet_parse(text, len, p, err, sizeof err);
	if (!ok)
		fprintf(stderr, "hotlinectl: %s: %s\n", path,
			!text		   ? "out of memory"
			: len > PACKET_MAX ? "too large for a packet"
					   : err);
	free(text);
	return ok;
}

static void print_identity(const struct reveal_packet *p, const unsigned char *plain, size_t len,
			   bool as_json)
{
	json_t *id = json_loadb((const char *)plain, len, 0, NULL);
	if (as_json) {
		json_t *out = json_pack("{s:s,s:s,s:b,s:s,s:o}", "request", p->request, "case",
					p->reg_no, "director_named", p->director_named, "binding",
					p->binding, "identity", id ? id : json_null());
		json_dumpf(out, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(out);
		return;
	}
	printf("Request %s, case %s%s\nPacket binding %s\n  (it must match the one the request "
	       "page shows)\nIdentity:\n",
	       p->request, p->reg_no, p->director_named ? " (names the director)" : "", p->binding);
	const char *key;
	json_t *value;
	json_object_foreach(id, key, value)
	{
		const char *text = json_string_value(value);
		if (text && *text)
			printf("  %s: %s\n", key, text);
	}
	json_decref(id);
}

int unmask_main(int argc, char **argv)
{
	const char *packet_path = NULL;
	const char *share_path[SHARES_MAX] = {0}, *pass_file[SHARES_MAX] = {0};
	struct share *shares[SHARES_MAX] = {0};
	unsigned k = 0;
	bool bad = false, as_json = false;
	int rc = 1;
	for (int i = 1; i < argc && !bad; i++) {
		const char *v = NULL;
		if (strcmp(argv[i], "--json") == 0) {
			as_json = true;
		} else if (option(argc, argv, &i, "--packet", &packet_path, &bad)) {
		} else if (option(argc, argv, &i, "--share", &v, &bad)) {
			if (k == SHARES_MAX) {
				fprintf(stderr, "hotlinectl: at most %d shares\n", SHARES_MAX);
				bad = true;
			} else {
				share_path[k++] = v;
			}
		} else if (option(argc, argv, &i, "--passphrase-file", &v, &bad)) {
			if (k == 0 || pass_file[k - 1]) {
				fprintf(stderr,
					"hotlinectl: --passphrase-file follows the --share it "
					"is for\n");
				bad = true;
			} else {
				pass_file[k - 1] = v;
			}
		} else if (strcmp(argv[i], "--database") == 0) {
			fprintf(stderr, "hotlinectl: unmask needs no database: it opens the packet "
					"the request page released\n");
			bad = true;
		} else {
			fprintf(stderr, "hotlinectl: unmask: unknown argument '%s'\n", argv[i]);
			bad = true;
		}
	}
	if (!bad && (!packet_path || k == 0)) {
		fprintf(stderr, "hotlinectl: unmask needs --packet and a --share per holder\n");
		bad = true;
	}
	if (bad) {
		fputs(unmask_usage, stderr);
		return 2;
	}
	struct reveal_packet p = {0};
	if (!read_packet(packet_path, &p))
		return 1;
	char err[512];
	struct secret_key *sk = NULL;
	unsigned char *plain = NULL;
	size_t plen = 0;
	for (unsigned i = 0; i < k; i++) {
		if (!(shares[i] = load_share(share_path[i], pass_file[i])))
			goto done;
		/* The director does not help to unmask the reporter of a case
		 * that names the director (KazStandart anti-corruption standard
		 * p.7.11: the director steps aside; issue 14). */
		if (p.director_named && strcmp(share_role(shares[i]), "director") == 0) {
			fprintf(stderr,
				"hotlinectl: %s is the director's share, and case %s names the "
				"director: it is not used for this case; bring another "
				"holder's share\n",
				share_path[i], p.reg_no);
			goto done;
		}
	}
	sk = shares_combine(shares, k, err, sizeof err);
	if (!sk) {
		fprintf(stderr, "hotlinectl: cannot rebuild the unmasking key: %s\n", err);
		goto done;
	}
	struct public_key pk;
	char fp[SHARES_FINGERPRINT_SIZE];
	secret_key_public(sk, &pk);
	shares_fingerprint(&pk, fp);
	if (strcmp(fp, p.key) != 0) {
		fprintf(stderr,
			"hotlinectl: the packet's identity is sealed to key %s, these shares "
			"rebuild key %s\n",
			p.key, fp);
		goto done;
	}
	if (!seal_open(sk, p.sealed, p.sealed_len, &plain, &plen)) {
		fprintf(stderr,
			"hotlinectl: the identity in the packet does not open with key %s "
			"(damaged)\n",
			fp);
		goto done;
	}
	print_identity(&p, plain, plen, as_json);
	rc = 0;
done:
	seal_plain_free(plain, plen);
	secret_key_free(sk);
	for (unsigned i = 0; i < k; i++)
		share_free(shares[i]);
	packet_clear(&p);
	return rc;
}
