/* tokens — Local API Tokens as the platform issues them: a JWT signed with
 * the key the JWKS publishes, "CLOUD-" in front, added to the system's
 * retained token list. */
#include <cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "util.h"

double tokens_parse_duration(const char *text)
{
	const char *p = text;
	double total = 0;
	bool any = false;
	if (!p)
		return -1;
	if (*p == 'P' || *p == 'p')
		p++;
	while (*p) {
		if (*p == 'T' || *p == 't') {
			p++;
			continue;
		}
		char *end;
		double v = strtod(p, &end);
		if (end == p || !isfinite(v) || v < 0)
			return -1;
		p = end;
		double unit;
		switch (toupper((unsigned char)*p)) {
		case 'W':
			unit = 7 * 86400;
			break;
		case 'D':
			unit = 86400;
			break;
		case 'H':
			unit = 3600;
			break;
		case 'M': /* minutes, also before T: token lifetimes are not months */
			unit = 60;
			break;
		case 'S':
			unit = 1;
			break;
		case '\0':
			unit = 1; /* bare number: seconds */
			break;
		default:
			return -1;
		}
		if (*p)
			p++;
		total += v * unit;
		any = true;
	}
	return any && total > 0 && total <= 10.0 * 366 * 86400 ? total : -1;
}

const struct sim_token *tokens_issue(struct sim *sim, size_t system, const char *device,
				     double duration_s, bool permanent, bool publish, char *err,
				     size_t size)
{
	struct world *w = sim->world;
	struct sim_system *s = &w->systems[system];
	double now = floor(time_now()); /* JWT times are whole seconds */
	char uuid[37], issuer[128];
	rng_uuid(&w->rng, uuid);
	snprintf(issuer, sizeof(issuer), "https://%.60s.api.drivr.cloud", w->slug);
	cJSON *claims = cJSON_CreateObject();
	cJSON_AddStringToObject(claims, "iss", issuer);
	cJSON_AddStringToObject(claims, "sub", w->user_uuid);
	cJSON_AddStringToObject(claims, "jti", uuid);
	cJSON_AddStringToObject(claims, "systemUuid", s->uuid);
	cJSON_AddStringToObject(claims, "requestedDevice", device);
	cJSON *roles = cJSON_AddArrayToObject(claims, "roles");
	cJSON_AddItemToArray(roles, cJSON_CreateString("System Maintainer"));
	cJSON_AddNumberToObject(claims, "iat", now);
	cJSON_AddNumberToObject(claims, "nbf", now);
	if (!permanent)
		cJSON_AddNumberToObject(claims, "exp", now + ceil(duration_s));
	char *jwt = signer_sign_jwt(sim->signer, claims);
	cJSON_Delete(claims);
	if (!jwt) {
		snprintf(err, size, "signing the token failed");
		return NULL;
	}
	size_t n = strlen("CLOUD-") + strlen(jwt) + 1;
	char *token = xmalloc(n);
	snprintf(token, n, "CLOUD-%s", jwt);
	free(jwt);
	const struct sim_token *t = world_token_add(w, system, token, uuid, device, now,
						    permanent ? TIME_UNKNOWN : now + ceil(duration_s));
	if (publish)
		announce_tokens(sim, system);
	return t;
}
