/* Unit tests: jwt — sign, publish as JWK, verify; every failure status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwt.h"

static EVP_PKEY *key;
static struct jwks_key jwk;

static int group_setup(void **state)
{
	(void)state;
	key = EVP_RSA_gen(2048);
	if (!key)
		return -1;
	jwk.kid = "k1";
	jwk.kty = "RSA";
	return jwt_rsa_public_jwk(key, &jwk.n, &jwk.e) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	free(jwk.n);
	free(jwk.e);
	EVP_PKEY_free(key);
	return 0;
}

static char *make_token(const char *kid, double nbf, double exp)
{
	cJSON *claims = cJSON_CreateObject();
	cJSON_AddStringToObject(claims, "sub", "user-1");
	cJSON_AddNumberToObject(claims, "iat", 1000);
	if (nbf > 0)
		cJSON_AddNumberToObject(claims, "nbf", nbf);
	if (exp > 0)
		cJSON_AddNumberToObject(claims, "exp", exp);
	char *jwt = jwt_sign_rs256(key, kid, claims);
	cJSON_Delete(claims);
	size_t n = strlen(jwt) + 7;
	char *token = malloc(n);
	snprintf(token, n, "CLOUD-%s", jwt);
	free(jwt);
	return token;
}

static enum jwt_status check(const char *token, double now)
{
	struct jwt_info info;
	enum jwt_status s = jwt_check(token, &jwk, 1, now, &info);
	jwt_info_free(&info);
	return s;
}

static void test_base64url_round_trip(void **state)
{
	(void)state;
	for (size_t len = 0; len < 40; len++) {
		unsigned char data[40];
		for (size_t i = 0; i < len; i++)
			data[i] = (unsigned char)(i * 37 + 250);
		char *text = jwt_b64url_encode(data, len);
		assert_null(strpbrk(text, "+/="));
		size_t n;
		unsigned char *back = jwt_b64url_decode(text, strlen(text), &n);
		assert_non_null(back);
		assert_int_equal(n, len);
		assert_memory_equal(back, data, len);
		free(back);
		free(text);
	}
	size_t n;
	assert_null(jwt_b64url_decode("a*b", 3, &n));
	unsigned char *p = jwt_b64url_decode("eyJh", 4, &n);
	assert_memory_equal(p, "{\"a", 3);
	free(p);
}

static void test_valid_token_and_claims(void **state)
{
	(void)state;
	char *token = make_token("k1", 500, 5000);
	struct jwt_info info;
	assert_int_equal(jwt_check(token, &jwk, 1, 2000, &info), JWT_VALID);
	assert_string_equal(info.alg, "RS256");
	assert_string_equal(info.kid, "k1");
	assert_true(info.exp == 5000 && info.nbf == 500 && info.iat == 1000);
	assert_string_equal(cJSON_GetObjectItem(info.claims, "sub")->valuestring, "user-1");
	jwt_info_free(&info);
	/* Without the CLOUD- prefix too. */
	assert_int_equal(check(token + 6, 2000), JWT_VALID);
	assert_int_equal(check(token, 6000), JWT_EXPIRED);
	assert_int_equal(check(token, 100), JWT_NOT_YET_VALID);
	free(token);
}

static void test_failures(void **state)
{
	(void)state;
	char *token = make_token("k1", 0, 0);
	/* Flip one character of the signature. */
	char *bad = strdup(token);
	char *last = bad + strlen(bad) - 3;
	*last = *last == 'A' ? 'B' : 'A';
	assert_int_equal(check(bad, 2000), JWT_BAD_SIGNATURE);
	/* Change the claims, keep the signature. */
	char *dot = strchr(bad + 6, '.');
	dot[1] = dot[1] == 'e' ? 'f' : 'e';
	assert_int_not_equal(check(bad, 2000), JWT_VALID);
	free(bad);
	char *other = make_token("k2", 0, 0);
	assert_int_equal(check(other, 2000), JWT_UNKNOWN_KEY);
	free(other);
	/* The fixture's token is a header only. */
	assert_int_equal(check("CLOUD-eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9", 0), JWT_MALFORMED);
	assert_int_equal(check("a.b.c.d", 0), JWT_MALFORMED);
	assert_int_equal(check(NULL, 0), JWT_MALFORMED);
	/* HS256 header: refused as unsupported, never "verified". */
	char *h = jwt_b64url_encode((const unsigned char *)"{\"alg\":\"HS256\",\"kid\":\"k1\"}", 26);
	char *c = jwt_b64url_encode((const unsigned char *)"{\"sub\":\"x\"}", 11);
	char hs[512];
	snprintf(hs, sizeof(hs), "%s.%s.AAAA", h, c);
	assert_int_equal(check(hs, 0), JWT_UNSUPPORTED_ALG);
	free(h);
	free(c);
	free(token);
	assert_string_equal(jwt_status_name(JWT_BAD_SIGNATURE), "bad signature");
}

/* RS512, as the reference's use-case page shows, signed here by hand. */
static void test_rs512(void **state)
{
	(void)state;
	char *h = jwt_b64url_encode((const unsigned char *)"{\"alg\":\"RS512\",\"kid\":\"k1\"}", 26);
	char *c = jwt_b64url_encode((const unsigned char *)"{\"sub\":\"x\"}", 11);
	char input[512];
	snprintf(input, sizeof(input), "%s.%s", h, c);
	unsigned char sig[512];
	size_t sig_len = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha512(), NULL, key), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &sig_len, (unsigned char *)input, strlen(input)), 1);
	EVP_MD_CTX_free(ctx);
	char *s = jwt_b64url_encode(sig, sig_len);
	char token[2048];
	snprintf(token, sizeof(token), "%s.%s", input, s);
	assert_int_equal(check(token, 0), JWT_VALID);
	free(h);
	free(c);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64url_round_trip),
		cmocka_unit_test(test_valid_token_and_claims),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_rs512),
	};
	return cmocka_run_group_tests_name("jwt", tests, group_setup, group_teardown);
}
