/* signer — the platform's token signing key: an RSA key (generated at start
 * with OpenSSL 3's EVP API, or read from a PEM file), its public half as a
 * JWK for the retained JWKS, and RS256 JWTs signed with it.  The JWT and
 * base64url work is the core's jwt module, which the console verifies with. */
#ifndef DRIVR_SIM_SIGNER_H
#define DRIVR_SIM_SIGNER_H

#include <stdbool.h>
#include <stddef.h>

struct cJSON;
struct signer;

/* pem_path NULL: a fresh RSA-2048 key.  NULL with a reason in err. */
struct signer *signer_new(const char *pem_path, char *err, size_t err_size);
void signer_free(struct signer *s);

/* The public key as JWK members (borrowed, valid while s lives):
 * kid, kty "RSA", alg "RS256", use "sig", n and e in base64url. */
const char *signer_kid(const struct signer *s);
const char *signer_n(const struct signer *s);
const char *signer_e(const struct signer *s);

/* "header.payload.signature" (a new string) for claims, header
 * {"alg":"RS256","typ":"JWT","kid":...}; NULL if OpenSSL fails. */
char *signer_sign_jwt(const struct signer *s, const struct cJSON *claims);

#endif
