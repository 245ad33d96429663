/* fmt — see include/ui/fmt.h. */
#include "ui/fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

void fmt_age(double now, double t, char *buf, size_t size)
{
	if (t <= 0) {
		snprintf(buf, size, "-");
		return;
	}
	double a = now - t;
	if (a < 0)
		a = 0;
	if (a < 60)
		snprintf(buf, size, "%ds", (int)a);
	else if (a < 3600)
		snprintf(buf, size, "%dm", (int)(a / 60));
	else if (a < 86400)
		snprintf(buf, size, "%dh", (int)(a / 3600));
	else
		snprintf(buf, size, "%dd", (int)(a / 86400));
}

static void span(double s, char *buf, size_t size)
{
	if (s < 60)
		snprintf(buf, size, "%ds", (int)s);
	else if (s < 3600)
		snprintf(buf, size, "%dm", (int)(s / 60));
	else if (s < 86400)
		snprintf(buf, size, "%dh %dm", (int)(s / 3600), (int)fmod(s / 60, 60));
	else
		snprintf(buf, size, "%dd %dh", (int)(s / 86400), (int)fmod(s / 3600, 24));
}

void fmt_countdown(double now, double t, char *buf, size_t size)
{
	char s[32];
	if (t <= 0) {
		snprintf(buf, size, "-");
		return;
	}
	if (t >= now) {
		span(t - now, s, sizeof(s));
		snprintf(buf, size, "in %s", s);
	} else {
		span(now - t, s, sizeof(s));
		snprintf(buf, size, "expired %s ago", s);
	}
}

void fmt_time(double t, char *buf, size_t size)
{
	if (t <= 0) {
		snprintf(buf, size, "-");
		return;
	}
	time_t secs = (time_t)t;
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

void fmt_value(const struct stored_value *v, char *buf, size_t size)
{
	switch (v->type) {
	case VALUE_ABSENT:
		snprintf(buf, size, "-");
		break;
	case VALUE_NULL:
		snprintf(buf, size, "null");
		break;
	case VALUE_BOOL:
		snprintf(buf, size, "%s", v->boolean ? "true" : "false");
		break;
	case VALUE_NUMBER:
		if (v->is_integer && fabs(v->number) < 1e15)
			snprintf(buf, size, "%.0f", v->number);
		else
			snprintf(buf, size, "%.6g", v->number);
		break;
	case VALUE_STRING:
	case VALUE_JSON:
		snprintf(buf, size, "%s", v->text ? v->text : "");
		break;
	}
}

const char *fmt_value_type(const struct stored_value *v)
{
	static const char *const names[] = { "-", "null", "num", "bool", "text", "json" };
	return v->type <= VALUE_JSON ? names[v->type] : "?";
}

enum ui_role fmt_connection(const struct ui_glyphs *g, const char *state, char *buf, size_t size)
{
	if (!state || !*state) {
		snprintf(buf, size, "%s -", g->conn_unknown);
		return UI_ROLE_MUTED;
	}
	if (strcmp(state, "CONNECTED") == 0) {
		snprintf(buf, size, "%s CONNECTED", g->conn_connected);
		return UI_ROLE_CONN_CONNECTED;
	}
	if (strcmp(state, "PARTIALLY_CONNECTED") == 0) {
		snprintf(buf, size, "%s PARTIALLY", g->conn_partial);
		return UI_ROLE_CONN_PARTIAL;
	}
	if (strcmp(state, "DISCONNECTED") == 0) {
		snprintf(buf, size, "%s DISCONNECTED", g->conn_disconnected);
		return UI_ROLE_CONN_DISCONNECTED;
	}
	snprintf(buf, size, "%s %s", g->conn_unknown, state);
	return UI_ROLE_MUTED;
}

enum ui_role fmt_level_role(enum event_level level)
{
	switch (level) {
	case LEVEL_ERROR:
		return UI_ROLE_ALERT_ERROR;
	case LEVEL_WARNING:
		return UI_ROLE_ALERT_WARNING;
	case LEVEL_INFO:
		return UI_ROLE_ALERT_INFO;
	case LEVEL_SUCCESS:
		return UI_ROLE_ALERT_SUCCESS;
	default:
		return UI_ROLE_MUTED;
	}
}

enum ui_role fmt_level(const struct ui_glyphs *g, enum event_level level, char *buf, size_t size)
{
	if (level >= LEVEL_COUNT)
		level = LEVEL_UNKNOWN;
	snprintf(buf, size, "%s %s", g->level[level], event_level_name(level));
	return fmt_level_role(level);
}

enum ui_role fmt_setpoint_state(const struct ui_glyphs *g, enum setpoint_state state, char *buf,
				size_t size)
{
	static const enum ui_role roles[] = { UI_ROLE_MUTED, UI_ROLE_STATE_CREATED,
					      UI_ROLE_STATE_ACCEPTED, UI_ROLE_STATE_REJECTED };
	unsigned s = state <= SETPOINT_REJECTED ? state : SETPOINT_UNKNOWN;
	snprintf(buf, size, "%s %s", g->state[s], setpoint_state_name((enum setpoint_state)s));
	return roles[s];
}

void fmt_sparkline(const struct ui_glyphs *g, const struct sample *samples, size_t n, int width,
		   char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	if (width <= 0 || n == 0)
		return;
	size_t start = n > (size_t)width ? n - (size_t)width : 0;
	double lo = samples[start].value, hi = lo;
	for (size_t i = start; i < n; i++) {
		if (samples[i].value < lo)
			lo = samples[i].value;
		if (samples[i].value > hi)
			hi = samples[i].value;
	}
	for (size_t i = start; i < n; i++) {
		int level = hi > lo ? (int)((samples[i].value - lo) / (hi - lo) * 7.0 + 0.5) : 3;
		if (level < 0 || level > 7 || isnan(samples[i].value))
			level = 0;
		const char *gl = g->spark[level];
		size_t len = strlen(gl);
		if (used + len + 1 > size)
			break;
		memcpy(buf + used, gl, len);
		used += len;
	}
	buf[used] = '\0';
}

void fmt_copy(char *buf, size_t size, const char *s)
{
	if (size == 0)
		return;
	size_t len = strnlen(s, size - 1);
	memcpy(buf, s, len);
	buf[len] = '\0';
}

const char *fmt_topic_short(const char *topic, const char *slug)
{
	static const char root[] = "drivr/v1/";
	size_t rlen = sizeof(root) - 1, slen = slug ? strlen(slug) : 0;
	if (topic && !slen && strncmp(topic, root, rlen) == 0) {
		/* no slug known (a replay): whatever level comes after the root */
		const char *after = strchr(topic + rlen, '/');
		return after && after > topic + rlen ? after + 1 : topic;
	}
	if (!topic || !slen || strncmp(topic, root, rlen) != 0 ||
	    strncmp(topic + rlen, slug, slen) != 0 || topic[rlen + slen] != '/')
		return topic ? topic : "";
	return topic + rlen + slen + 1;
}

const char *fmt_system_name(const struct store *store, const char *uuid)
{
	const struct system *s = uuid ? store_find_system(store, uuid) : NULL;
	if (s && s->name && *s->name)
		return s->name;
	if (s && s->code && *s->code)
		return s->code;
	return uuid ? uuid : "";
}

/* The entity an event is about, by name when the store knows it. */
void fmt_event_entity(const struct store *store, const struct event *e, char *buf, size_t size)
{
	const char *uuid = e->entity_uuid ? e->entity_uuid : e->system_uuid;
	const struct system *s = uuid ? store_find_system(store, uuid) : NULL;
	const struct component *c = uuid && !s ? store_find_component_by_uuid(store, uuid) : NULL;
	if (s)
		snprintf(buf, size, "%s", fmt_system_name(store, s->uuid));
	else if (c)
		snprintf(buf, size, "%.100s/%.100s", fmt_system_name(store, c->system_uuid),
			 c->code ? c->code : "?");
	else
		snprintf(buf, size, "%s", uuid ? uuid : "-");
}
