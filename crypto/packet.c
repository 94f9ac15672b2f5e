/* The reveal packet: format in crypto/packet.h and docs/reveal.md. */
#include "crypto/packet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define PACKET_MAGIC "hotline-reveal-packet-v1"

static void binding_of(const char *text, size_t len, char out[PACKET_BINDING_SIZE])
{
	unsigned char sum[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(sum, (const unsigned char *)text, len);
	sodium_bin2hex(out, PACKET_BINDING_SIZE, sum, sizeof sum);
}

static bool printable(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n >= max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

char *packet_make(const char *request, const char *reg_no, bool director_named,
		  const struct public_key *pk, const unsigned char *sealed, size_t len,
		  char binding[PACKET_BINDING_SIZE])
{
	if (!printable(request, 24) || !printable(reg_no, 16) || len == 0 || len > PACKET_MAX / 2)
		return NULL;
	char fp[SHARES_FINGERPRINT_SIZE];
	shares_fingerprint(pk, fp);
	size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	size_t size = b64len + 256;
	char *text = malloc(size);
	if (!text)
		return NULL;
	int n =
	    snprintf(text, size, "%s\nrequest %s\ncase %s\ndirector-named %s\nkey %s\nidentity ",
		     PACKET_MAGIC, request, reg_no, director_named ? "yes" : "no", fp);
	sodium_bin2base64(text + n, b64len, sealed, len, sodium_base64_VARIANT_ORIGINAL);
	size_t used = strlen(text);
	text[used++] = '\n';
	binding_of(text, used, binding);
	snprintf(text + used, size - used, "binding %s\n", binding);
	return text;
}

struct cursor {
	const char *p, *end;
};

/* The next line if it is "name VALUE", its value and length. */
static bool field(struct cursor *c, const char *name, const char **value, size_t *vlen)
{
	if (c->p >= c->end)
		return false;
	const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (!nl)
		return false;
	size_t len = (size_t)(nl - c->p), n = strlen(name);
	const char *line = c->p;
	c->p = nl + 1;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len <= n + 1 || memcmp(line, name, n) != 0 || line[n] != ' ')
		return false;
	*value = line + n + 1;
	*vlen = len - n - 1;
	return true;
}

static bool copy_field(struct cursor *c, const char *name, char *out, size_t size)
{
	const char *v;
	size_t n;
	if (!field(c, name, &v, &n) || n >= size)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return printable(out, size);
}

bool packet_parse(const char *text, size_t len, struct reveal_packet *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	size_t magic = strlen(PACKET_MAGIC);
	if (len > PACKET_MAX || len <= magic || memcmp(text, PACKET_MAGIC, magic) != 0 ||
	    (text[magic] != '\n' && text[magic] != '\r')) {
		keys_set_err(err, errlen, "not a reveal packet (the first line is not '%s')",
			     PACKET_MAGIC);
		return false;
	}
	struct cursor c = {text + magic + (text[magic] == '\r' ? 2 : 1), text + len};
	char yes_no[8];
	const char *v;
	size_t n;
	if (!copy_field(&c, "request", out->request, sizeof out->request) ||
	    !copy_field(&c, "case", out->reg_no, sizeof out->reg_no) ||
	    !copy_field(&c, "director-named", yes_no, sizeof yes_no) ||
	    (strcmp(yes_no, "yes") != 0 && strcmp(yes_no, "no") != 0) ||
	    !copy_field(&c, "key", out->key, sizeof out->key) || !field(&c, "identity", &v, &n))
		goto damaged;
	out->director_named = strcmp(yes_no, "yes") == 0;
	size_t signed_len = (size_t)(c.p - text);
	out->sealed = malloc(n);
	const char *stop = NULL;
	if (!out->sealed ||
	    sodium_base642bin(out->sealed, n, v, n, NULL, &out->sealed_len, &stop,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    stop != v + n || out->sealed_len == 0)
		goto damaged;
	char binding[PACKET_BINDING_SIZE];
	if (!copy_field(&c, "binding", out->binding, sizeof out->binding))
		goto damaged;
	for (; c.p < c.end; c.p++)
		if (*c.p != '\n' && *c.p != '\r' && *c.p != ' ')
			goto damaged;
	binding_of(text, signed_len, binding);
	if (strcmp(binding, out->binding) != 0) {
		keys_set_err(err, errlen,
			     "the packet was changed after it was made (its binding "
			     "does not match its content)");
		packet_clear(out);
		return false;
	}
	return true;
damaged:
	keys_set_err(err, errlen, "damaged reveal packet");
	packet_clear(out);
	return false;
}

void packet_clear(struct reveal_packet *p)
{
	free(p->sealed);
	p->sealed = NULL;
	p->sealed_len = 0;
}
