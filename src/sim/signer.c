/* signer — see signer.h. */
#include "signer.h"

#include <cJSON.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwt.h"
#include "util.h"

struct signer {
	EVP_PKEY *key;
	char kid[40];
	char *n, *e;
};

static void openssl_reason(char *err, size_t size, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "unknown error";
	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, size, "%s: %s", what, buf);
	ERR_clear_error();
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
	if (!jwt_rsa_public_jwk(s->key, &s->n, &s->e)) {
		openssl_reason(err, size, "cannot read the RSA public key");
		goto bad;
	}
	/* kid: a digest of the modulus, so a new key gets a new id. */
	unsigned char md[32];
	unsigned int md_len = 0;
	EVP_Digest(s->n, strlen(s->n), md, &md_len, EVP_sha256(), NULL);
	char *b = jwt_b64url_encode(md, 12);
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

/* RS256 with the core's JWT code: the console verifies with the same module. */
char *signer_sign_jwt(const struct signer *s, const cJSON *claims)
{
	char *jwt = jwt_sign_rs256(s->key, s->kid, claims);
	ERR_clear_error();
	return jwt;
}
