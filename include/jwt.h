/* jwt — JSON Web Tokens as DRIVR's Local API Tokens use them: RS256/RS512,
 * "CLOUD-" prefix, keys from the domain's JWKS (RFC 7517 RSA keys).
 *
 * The console decodes and verifies tokens for the tokens view; the
 * simulator signs them and publishes its key as a JWK.  OpenSSL 3 (EVP). */
#ifndef DRIVR_JWT_H
#define DRIVR_JWT_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

struct cJSON;
typedef struct evp_pkey_st EVP_PKEY;

#define JWT_STATUS_LIST(X)                          \
	X(VALID, "valid")                           \
	X(MALFORMED, "malformed")                   \
	X(UNSUPPORTED_ALG, "unsupported algorithm") \
	X(UNKNOWN_KEY, "unknown key")               \
	X(BAD_SIGNATURE, "bad signature")           \
	X(EXPIRED, "expired")                       \
	X(NOT_YET_VALID, "not yet valid")

enum jwt_status {
#define X(id, name) JWT_##id,
	JWT_STATUS_LIST(X)
#undef X
	JWT_STATUS_COUNT
};

const char *jwt_status_name(enum jwt_status status);

struct jwt_info {
	char alg[16];
	char kid[128];
	struct cJSON *header, *claims; /* owned; NULL when not decodable */
	double iat, nbf, exp;          /* TIME_UNKNOWN when absent */
};

/* Decodes and verifies token ("CLOUD-" prefix optional) against keys.
 * Checks, in order: shape, algorithm (RS256/RS512), key id, signature,
 * expiry and not-before against now.  Fills *info (free with
 * jwt_info_free) as far as it could decode. */
enum jwt_status jwt_check(const char *token, const struct jwks_key *keys, size_t key_count,
			  double now, struct jwt_info *info);
void jwt_info_free(struct jwt_info *info);

/* base64url without padding.  Encode returns a new string; decode a new
 * buffer (NULL on invalid input). */
char *jwt_b64url_encode(const unsigned char *data, size_t len);
unsigned char *jwt_b64url_decode(const char *text, size_t len, size_t *out_len);

/* Signs claims with an RSA key as RS256: returns "header.payload.signature"
 * (new string) or NULL. */
char *jwt_sign_rs256(EVP_PKEY *key, const char *kid, const struct cJSON *claims);
/* The key's public modulus and exponent as base64url (new strings). */
bool jwt_rsa_public_jwk(EVP_PKEY *key, char **n, char **e);

#endif
