/* libFuzzer harness: a JWKS payload and a token → jwt_check.  Input: the
 * JWKS JSON (decoded as the console decodes the .../jwks topic), a NUL
 * byte, then the token.  Checks: a status in range with a name; a token that
 * verified has a decoded header and claims and an RS256/RS512 alg; base64url
 * encode → decode gives back the input bytes. */
#include "decode.h"
#include "fuzz.h"
#include "jwt.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct topic_table *topics;
	if (!topics)
		topics = topics_new();
	char *jwks, *token;
	fuzz_split(data, size, &jwks, &token);

	static const char topic[] = "drivr/v1/f/jwks";
	struct topic_match match;
	topic_match(topics, topic, sizeof(topic) - 1, &match);
	FUZZ_CHECK(match.family == TOPIC_JWKS);
	struct decode_limits limits;
	decode_limits_default(&limits);
	struct decode_result res;
	size_t key_count = 0;
	struct jwks_key *keys = NULL;
	if (decode_payload(&match, jwks, strlen(jwks), &limits, &res) && !res.deleted) {
		key_count = res.u.jwks.count;
		keys = xcalloc(key_count + 1, sizeof(*keys));
		for (size_t i = 0; i < key_count; i++) {
			const struct jwk *k = &res.u.jwks.items[i];
			keys[i] = (struct jwks_key){ (char *)k->kid, (char *)k->kty, (char *)k->alg,
						     (char *)k->use, (char *)k->n, (char *)k->e };
		}
	}
	struct jwt_info info;
	/* 2024-04-30, the time of the screen fixtures the seeds come from. */
	enum jwt_status st = jwt_check(token, keys, key_count, 1714478400.0, &info);
	FUZZ_CHECK(st < JWT_STATUS_COUNT && jwt_status_name(st)[0] != '?');
	FUZZ_CHECK(memchr(info.alg, 0, sizeof(info.alg)) && memchr(info.kid, 0, sizeof(info.kid)));
	if (st == JWT_VALID || st == JWT_EXPIRED || st == JWT_NOT_YET_VALID)
		FUZZ_CHECK(info.header && info.claims &&
			   (!strcmp(info.alg, "RS256") || !strcmp(info.alg, "RS512")));
	jwt_info_free(&info);
	free(keys);
	decode_result_free(&res);

	char *enc = jwt_b64url_encode(data, size);
	size_t n;
	unsigned char *dec = jwt_b64url_decode(enc, strlen(enc), &n);
	FUZZ_CHECK(dec && n == size && memcmp(dec, data, size) == 0);
	free(dec);
	free(enc);
	free(jwks);
	free(token);
	return 0;
}
