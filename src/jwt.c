/* jwt — see include/jwt.h. */
#include "jwt.h"

#include <cJSON.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const status_names[] = {
#define X(id, name) name,
	JWT_STATUS_LIST(X)
#undef X
};

const char *jwt_status_name(enum jwt_status status)
{
	return status < JWT_STATUS_COUNT ? status_names[status] : "?";
}

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *jwt_b64url_encode(const unsigned char *data, size_t len)
{
	char *out = xmalloc(len / 3 * 4 + 5), *p = out;
	size_t i = 0;
	for (; i + 2 < len; i += 3) {
		unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8 | data[i + 2];
		*p++ = B64URL[v >> 18 & 63];
		*p++ = B64URL[v >> 12 & 63];
		*p++ = B64URL[v >> 6 & 63];
		*p++ = B64URL[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)data[i] << 16 | (i + 1 < len ? (unsigned)data[i + 1] << 8 : 0);
		*p++ = B64URL[v >> 18 & 63];
		*p++ = B64URL[v >> 12 & 63];
		if (i + 1 < len)
			*p++ = B64URL[v >> 6 & 63];
	}
	*p = '\0';
	return out;
}

static int b64url_value(char c)
{
	const char *p = c ? strchr(B64URL, c) : NULL;
	return p ? (int)(p - B64URL) : -1;
}

unsigned char *jwt_b64url_decode(const char *text, size_t len, size_t *out_len)
{
	while (len && text[len - 1] == '=') /* tolerate padding */
		len--;
	if (len % 4 == 1)
		return NULL;
	unsigned char *out = xmalloc(len * 3 / 4 + 3);
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64url_value(text[i]);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}

static cJSON *decode_part(const char *text, size_t len)
{
	size_t n;
	unsigned char *raw = jwt_b64url_decode(text, len, &n);
	if (!raw)
		return NULL;
	cJSON *json = cJSON_ParseWithLength((const char *)raw, n);
	free(raw);
	if (json && !cJSON_IsObject(json)) {
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}

static double claim_time(const cJSON *claims, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(claims, name);
	return cJSON_IsNumber(v) ? v->valuedouble : TIME_UNKNOWN;
}

/* An RSA public key from a JWK's base64url modulus and exponent. */
static EVP_PKEY *rsa_from_jwk(const char *n64, const char *e64)
{
	size_t nlen, elen;
	unsigned char *n = jwt_b64url_decode(n64, strlen(n64), &nlen);
	unsigned char *e = jwt_b64url_decode(e64, strlen(e64), &elen);
	EVP_PKEY *key = NULL;
	BIGNUM *bn_n = n ? BN_bin2bn(n, (int)nlen, NULL) : NULL;
	BIGNUM *bn_e = e ? BN_bin2bn(e, (int)elen, NULL) : NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (bn_n && bn_e && bld && ctx && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) && EVP_PKEY_fromdata_init(ctx) == 1)
		if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
			key = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	free(n);
	free(e);
	return key;
}

static bool verify_rsa(EVP_PKEY *key, const EVP_MD *md, const char *data, size_t len,
		       const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1 &&
		  EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)data, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

enum jwt_status jwt_check(const char *token, const struct jwks_key *keys, size_t key_count,
			  double now, struct jwt_info *info)
{
	memset(info, 0, sizeof(*info));
	info->iat = info->nbf = info->exp = TIME_UNKNOWN;
	if (!token)
		return JWT_MALFORMED;
	if (strncmp(token, "CLOUD-", 6) == 0)
		token += 6;
	const char *dot1 = strchr(token, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot1 || !dot2 || strchr(dot2 + 1, '.'))
		return JWT_MALFORMED;
	info->header = decode_part(token, (size_t)(dot1 - token));
	info->claims = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	if (!info->header || !info->claims)
		return JWT_MALFORMED;
	const cJSON *alg = cJSON_GetObjectItemCaseSensitive(info->header, "alg");
	const cJSON *kid = cJSON_GetObjectItemCaseSensitive(info->header, "kid");
	if (cJSON_IsString(alg))
		snprintf(info->alg, sizeof(info->alg), "%s", alg->valuestring);
	if (cJSON_IsString(kid))
		snprintf(info->kid, sizeof(info->kid), "%s", kid->valuestring);
	info->iat = claim_time(info->claims, "iat");
	info->nbf = claim_time(info->claims, "nbf");
	info->exp = claim_time(info->claims, "exp");

	const EVP_MD *md = strcmp(info->alg, "RS256") == 0   ? EVP_sha256()
			   : strcmp(info->alg, "RS512") == 0 ? EVP_sha512()
							     : NULL;
	if (!md)
		return JWT_UNSUPPORTED_ALG;
	const struct jwks_key *jwk = NULL;
	for (size_t i = 0; i < key_count && !jwk; i++)
		if (keys[i].kid && keys[i].n && keys[i].e && (!info->kid[0] || strcmp(keys[i].kid, info->kid) == 0))
			jwk = &keys[i];
	if (!jwk)
		return JWT_UNKNOWN_KEY;
	size_t sig_len;
	unsigned char *sig = jwt_b64url_decode(dot2 + 1, strlen(dot2 + 1), &sig_len);
	if (!sig)
		return JWT_MALFORMED;
	EVP_PKEY *key = rsa_from_jwk(jwk->n, jwk->e);
	bool ok = key && verify_rsa(key, md, token, (size_t)(dot2 - token), sig, sig_len);
	EVP_PKEY_free(key);
	free(sig);
	if (!ok)
		return JWT_BAD_SIGNATURE;
	if (info->exp != TIME_UNKNOWN && now >= info->exp)
		return JWT_EXPIRED;
	if (info->nbf != TIME_UNKNOWN && now < info->nbf)
		return JWT_NOT_YET_VALID;
	return JWT_VALID;
}

void jwt_info_free(struct jwt_info *info)
{
	cJSON_Delete(info->header);
	cJSON_Delete(info->claims);
	info->header = info->claims = NULL;
}

static char *b64url_json(const cJSON *json)
{
	char *text = cJSON_PrintUnformatted(json);
	char *out = jwt_b64url_encode((const unsigned char *)text, strlen(text));
	cJSON_free(text);
	return out;
}

char *jwt_sign_rs256(EVP_PKEY *key, const char *kid, const cJSON *claims)
{
	cJSON *header = cJSON_CreateObject();
	cJSON_AddStringToObject(header, "alg", "RS256");
	cJSON_AddStringToObject(header, "typ", "JWT");
	if (kid)
		cJSON_AddStringToObject(header, "kid", kid);
	char *h = b64url_json(header), *c = b64url_json(claims);
	cJSON_Delete(header);
	size_t input_len = strlen(h) + 1 + strlen(c);
	char *input = xmalloc(input_len + 1);
	snprintf(input, input_len + 1, "%s.%s", h, c);
	free(h);
	free(c);

	char *out = NULL;
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(ctx, NULL, &sig_len, (unsigned char *)input, input_len) == 1) {
		sig = xmalloc(sig_len);
		if (EVP_DigestSign(ctx, sig, &sig_len, (unsigned char *)input, input_len) == 1) {
			char *s = jwt_b64url_encode(sig, sig_len);
			size_t n = input_len + 1 + strlen(s) + 1;
			out = xmalloc(n);
			snprintf(out, n, "%s.%s", input, s);
			free(s);
		}
	}
	EVP_MD_CTX_free(ctx);
	free(sig);
	free(input);
	return out;
}

static char *bn_param_b64url(EVP_PKEY *key, const char *name)
{
	BIGNUM *bn = NULL;
	if (EVP_PKEY_get_bn_param(key, name, &bn) != 1)
		return NULL;
	int len = BN_num_bytes(bn);
	unsigned char *buf = xmalloc((size_t)len + 1);
	BN_bn2bin(bn, buf);
	char *out = jwt_b64url_encode(buf, (size_t)len);
	free(buf);
	BN_free(bn);
	return out;
}

bool jwt_rsa_public_jwk(EVP_PKEY *key, char **n, char **e)
{
	*n = bn_param_b64url(key, OSSL_PKEY_PARAM_RSA_N);
	*e = bn_param_b64url(key, OSSL_PKEY_PARAM_RSA_E);
	if (*n && *e)
		return true;
	free(*n);
	free(*e);
	*n = *e = NULL;
	return false;
}
