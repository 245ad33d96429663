/* signer — see signer.h. */
#include "signer.h"

#include <cJSON.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct signer {
	EVP_PKEY *key;
	char kid[40];
	char *n, *e;
};

char *signer_b64url(const unsigned char *data, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *out = xmalloc(len / 3 * 4 + 5);
	size_t o = 0, i = 0;
	for (; i + 2 < len; i += 3) {
		unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8 | data[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		unsigned v = (unsigned)data[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
	return out;
}

static void openssl_reason(char *err, size_t size, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "unknown error";
	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, size, "%s: %s", what, buf);
	ERR_clear_error();
}

static char *bn_param(EVP_PKEY *key, const char *name)
{
	BIGNUM *bn = NULL;
	if (!EVP_PKEY_get_bn_param(key, name, &bn))
		return NULL;
	int n = BN_num_bytes(bn);
	unsigned char *bytes = xmalloc((size_t)n + 1);
	BN_bn2bin(bn, bytes);
	char *text = signer_b64url(bytes, (size_t)n);
	free(bytes);
	BN_free(bn);
	return text;
}

struct signer *signer_new(const char *pem_path, char *err, size_t size)
{
	struct signer *s = xcalloc(1, sizeof(*s));
	if (pem_path) {
		FILE *f = fopen(pem_path, "r");
		if (!f) {
			snprintf(err, size, "--jwt-key %s: cannot read it", pem_path);
			goto bad;
		}
		s->key = PEM_read_PrivateKey(f, NULL, NULL, (void *)"");
		fclose(f);
		if (!s->key) {
			openssl_reason(err, size, "--jwt-key: not a PEM private key");
			goto bad;
		}
		if (EVP_PKEY_get_base_id(s->key) != EVP_PKEY_RSA) {
			snprintf(err, size, "--jwt-key %s: not an RSA key", pem_path);
			goto bad;
		}
	} else if (!(s->key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048))) {
		openssl_reason(err, size, "RSA key generation failed");
		goto bad;
	}
	s->n = bn_param(s->key, OSSL_PKEY_PARAM_RSA_N);
	s->e = bn_param(s->key, OSSL_PKEY_PARAM_RSA_E);
	if (!s->n || !s->e) {
		openssl_reason(err, size, "cannot read the RSA public key");
		goto bad;
	}
	/* kid: a digest of the modulus, so a new key gets a new id. */
	unsigned char md[32];
	unsigned int md_len = 0;
	EVP_Digest(s->n, strlen(s->n), md, &md_len, EVP_sha256(), NULL);
	char *b = signer_b64url(md, 12);
	snprintf(s->kid, sizeof(s->kid), "sim-%s", b);
	free(b);
	return s;
bad:
	signer_free(s);
	return NULL;
}

void signer_free(struct signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	free(s->n);
	free(s->e);
	free(s);
}

const char *signer_kid(const struct signer *s)
{
	return s->kid;
}

const char *signer_n(const struct signer *s)
{
	return s->n;
}

const char *signer_e(const struct signer *s)
{
	return s->e;
}

static char *b64url_json(const cJSON *json)
{
	char *text = cJSON_PrintUnformatted(json);
	if (!text)
		return NULL;
	char *out = signer_b64url((const unsigned char *)text, strlen(text));
	cJSON_free(text);
	return out;
}

char *signer_sign_jwt(const struct signer *s, const cJSON *claims)
{
	cJSON *header = cJSON_CreateObject();
	cJSON_AddStringToObject(header, "alg", "RS256");
	cJSON_AddStringToObject(header, "typ", "JWT");
	cJSON_AddStringToObject(header, "kid", s->kid);
	char *h = b64url_json(header), *p = b64url_json(claims);
	cJSON_Delete(header);
	char *out = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!h || !p || !ctx)
		goto done;
	size_t input_len = strlen(h) + 1 + strlen(p);
	char *input = xmalloc(input_len + 1);
	snprintf(input, input_len + 1, "%s.%s", h, p);
	unsigned char sig[1024];
	size_t sig_len = sizeof(sig);
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, s->key) == 1 &&
	    EVP_PKEY_get_size(s->key) <= (int)sizeof(sig) &&
	    EVP_DigestSign(ctx, sig, &sig_len, (const unsigned char *)input, input_len) == 1) {
		char *sig64 = signer_b64url(sig, sig_len);
		size_t n = input_len + 1 + strlen(sig64) + 1;
		out = xmalloc(n);
		snprintf(out, n, "%s.%s", input, sig64);
		free(sig64);
	}
	ERR_clear_error();
	free(input);
done:
	EVP_MD_CTX_free(ctx);
	free(h);
	free(p);
	return out;
}
