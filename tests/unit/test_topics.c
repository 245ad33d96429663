/* Unit tests: the topic table (matching, error replies, building, overrides,
 * the override file, fallback filters, names).  Runs from the repo root: the
 * fixture topics are read from the tests/fixtures JSON files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "topics.h"
#include "util.h"

#define SYS_CE "792b6149-1daa-488f-b07a-f684503b0586"
#define SYS_EC "3c10f7cc-3205-46ac-99d9-71e31a192cb5"
#define SYS_ADAM "24ee14a3-f1c8-49aa-95fc-ad0432e23b99"
#define SYS_TOKEN "9c4b33e9-f84c-4aaa-ad37-74f0078901a2"
#define MODEL_UUID "973c576b-3158-4e51-8374-5fea435b9b68"
#define ORG_UUID "d837b268-0855-49ab-b6b2-1070ac7c838e"
#define EVENT_UUID "5a3e1f0c-8b2d-4e6a-9c1f-2d7b8e4a6c30"
#define COMP_UUID "00f80405-55a3-4d8e-91c3-14a10f028cf9"

/* --- helpers ------------------------------------------------------------ */

#define assert_sv(v, s) assert_sv_at((v), (s), __FILE__, __LINE__)

/* s == NULL: the id must be absent. */
static void assert_sv_at(struct strview v, const char *s, const char *file, int line)
{
	if (!s) {
		if (v.ptr)
			fail_msg("%s:%d: expected no id, got \"%.*s\"", file, line, (int)v.len,
				 v.ptr);
		return;
	}
	if (!v.ptr)
		fail_msg("%s:%d: expected \"%s\", got no id", file, line, s);
	if (!sv_equal_cstr(v, s))
		fail_msg("%s:%d: expected \"%s\", got \"%.*s\"", file, line, s, (int)v.len, v.ptr);
}

static void match_str(const struct topic_table *t, const char *topic, struct topic_match *m)
{
	topic_match(t, topic, strlen(topic), m);
}

/* Ids must be views into the matched buffer, never copies or statics. */
static void assert_ids_inside(const struct topic_match *m, const char *topic, size_t len)
{
	for (int i = 0; i < TOPIC_ID_COUNT; i++) {
		if (!m->ids[i].ptr)
			continue;
		assert_true(m->ids[i].ptr >= topic && m->ids[i].ptr + m->ids[i].len <= topic + len);
		assert_true(m->ids[i].len > 0 && m->ids[i].len <= TOPIC_ID_MAX);
	}
}

static char *read_fixture_topic(const char *path)
{
	cJSON *root = test_read_json(path);
	const cJSON *topic = cJSON_GetObjectItemCaseSensitive(root, "topic");
	if (!cJSON_IsString(topic))
		fail_msg("%s: no \"topic\" string", path);
	char *copy = xstrdup(topic->valuestring);
	cJSON_Delete(root);
	return copy;
}

static const char *level_end(const char *s)
{
	while (*s && *s != '/')
		s++;
	return s;
}

/* MQTT 3.1.1 filter matching, enough to check the fallback filters. */
static bool filter_matches(const char *filter, const char *topic)
{
	for (;;) {
		if (filter[0] == '#')
			return true;
		const char *fe = level_end(filter);
		const char *te = level_end(topic);
		bool plus = fe - filter == 1 && filter[0] == '+';
		size_t len = (size_t)(fe - filter);
		if (!plus && (len != (size_t)(te - topic) || memcmp(filter, topic, len)))
			return false;
		if (!*fe && !*te)
			return true;
		if (!*te) /* "a/#" also matches "a" */
			return fe[0] == '/' && fe[1] == '#' && fe[2] == '\0';
		if (!*fe)
			return false;
		filter = fe + 1;
		topic = te + 1;
	}
}

static char *repeat(char c, size_t n)
{
	char *s = xmalloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A fully populated id set for building every row. */
static void sample_ids(struct topic_ids *ids)
{
	memset(ids, 0, sizeof(*ids));
	ids->v[TOPIC_ID_SLUG] = "company-example";
	ids->v[TOPIC_ID_SYSTEM_UUID] = SYS_CE;
	ids->v[TOPIC_ID_COMPONENT_CODE] = "smart-meter";
	ids->v[TOPIC_ID_COMPONENT_UUID] = COMP_UUID;
	ids->v[TOPIC_ID_COMPONENT_MODEL_UUID] = MODEL_UUID;
	ids->v[TOPIC_ID_EVENT_MODEL_UUID] = "181ca359-96a7-4f5d-9d18-8c2dcf2ac9fa";
	ids->v[TOPIC_ID_EVENT_UUID] = EVENT_UUID;
	ids->v[TOPIC_ID_ORGANIZATION_UUID] = ORG_UUID;
	ids->v[TOPIC_ID_INPUT] = "system/" SYS_CE "/json";
}

/* Whether the current pattern of `family` names id (as {id} or {id*}). */
static bool pattern_has_id(const struct topic_table *t, enum topic_family family, int id)
{
	char a[64], b[64];
	snprintf(a, sizeof(a), "{%s}", topic_id_name((enum topic_id)id));
	snprintf(b, sizeof(b), "{%s*}", topic_id_name((enum topic_id)id));
	const char *p = topics_pattern(t, family);
	return strstr(p, a) || strstr(p, b);
}

static char *write_temp(const char *text)
{
	char *path = xstrdup("/tmp/test_topics_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t len = strlen(text);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* --- fixtures ----------------------------------------------------------- */

struct fixture_expect {
	const char *file;
	enum topic_family family;
	enum payload_format format;
	const char *ids[TOPIC_ID_COUNT];
	enum topic_family answers; /* ERROR_REPLY only */
};

#define CE_SYS [TOPIC_ID_SLUG] = "company-example", [TOPIC_ID_SYSTEM_UUID] = SYS_CE

static const struct fixture_expect fixtures[] = {
	{ "component-input.json", TOPIC_COMPONENT_INPUT, FORMAT_JSON, { CE_SYS } },
	{ "component-model.json", TOPIC_COMPONENT_MODEL, FORMAT_JSON,
	  { [TOPIC_ID_SLUG] = "adam", [TOPIC_ID_COMPONENT_MODEL_UUID] = MODEL_UUID } },
	{ "component.json", TOPIC_COMPONENT, FORMAT_JSON,
	  { CE_SYS, [TOPIC_ID_COMPONENT_CODE] = "smart-meter" } },
	{ "datapoint.json", TOPIC_DATAPOINT_INPUT, FORMAT_JSON, { CE_SYS } },
	{ "domain-state.json", TOPIC_DOMAIN_STATE, FORMAT_STATE, { [TOPIC_ID_SLUG] = "adam" } },
	{ "domain.json", TOPIC_DOMAIN, FORMAT_JSON, { [TOPIC_ID_SLUG] = "adam" } },
	{ "error.json", TOPIC_ERROR_REPLY, FORMAT_OPAQUE,
	  { CE_SYS, [TOPIC_ID_INPUT] = "system/" SYS_CE "/json" }, TOPIC_SYSTEM_INPUT },
	{ "event-input.json", TOPIC_EVENT_INPUT_SYSTEM, FORMAT_JSON,
	  { [TOPIC_ID_SLUG] = "example-company", [TOPIC_ID_SYSTEM_UUID] = SYS_EC } },
	{ "event-model.json", TOPIC_EVENT_MODEL, FORMAT_JSON,
	  { [TOPIC_ID_SLUG] = "adam", [TOPIC_ID_EVENT_MODEL_UUID] = MODEL_UUID } },
	{ "event.json", TOPIC_EVENT, FORMAT_JSON,
	  { [TOPIC_ID_SLUG] = "example-company", [TOPIC_ID_SYSTEM_UUID] = SYS_EC,
	    [TOPIC_ID_EVENT_UUID] = EVENT_UUID } },
	{ "jwks.json", TOPIC_JWKS, FORMAT_JSON, { [TOPIC_ID_SLUG] = "adam" } },
	{ "local-api-token.json", TOPIC_LOCAL_API_TOKENS, FORMAT_JSON,
	  { [TOPIC_ID_SLUG] = "adam", [TOPIC_ID_SYSTEM_UUID] = SYS_TOKEN } },
	{ "organization.json", TOPIC_ORGANIZATION, FORMAT_JSON,
	  { [TOPIC_ID_SLUG] = "adam", [TOPIC_ID_ORGANIZATION_UUID] = ORG_UUID } },
	{ "setpoint-ack.json", TOPIC_SETPOINT_ACK, FORMAT_JSON, { CE_SYS } },
	{ "setpoint-input.json", TOPIC_SETPOINT_INPUT, FORMAT_JSON, { CE_SYS } },
	{ "setpoint.json", TOPIC_SETPOINT, FORMAT_JSON, { CE_SYS } },
	{ "system-input.json", TOPIC_SYSTEM_INPUT, FORMAT_JSON, { CE_SYS } },
	{ "system.json", TOPIC_SYSTEM, FORMAT_JSON,
	  { [TOPIC_ID_SLUG] = "adam", [TOPIC_ID_SYSTEM_UUID] = SYS_ADAM } },
};

static void test_fixture_topics(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();

	for (size_t i = 0; i < ARRAY_LEN(fixtures); i++) {
		const struct fixture_expect *fx = &fixtures[i];
		char path[256];
		snprintf(path, sizeof(path), "tests/fixtures/%s", fx->file);
		char *topic = read_fixture_topic(path);
		struct topic_match m;
		match_str(t, topic, &m);
		if (m.family != fx->family)
			fail_msg("%s: %s matched %s (%s)", fx->file, topic, topic_family_name(m.family),
				 m.unclassified_reason ? m.unclassified_reason : "-");
		assert_int_equal(m.format, fx->format);
		assert_null(m.unclassified_reason);
		for (int id = 0; id < TOPIC_ID_COUNT; id++)
			assert_sv(m.ids[id], fx->ids[id]);
		assert_ids_inside(&m, topic, strlen(topic));
		if (fx->family == TOPIC_ERROR_REPLY) {
			assert_int_equal(m.answers_family, fx->answers);
		} else {
			assert_int_equal(m.answers_family, TOPIC_UNCLASSIFIED);
			assert_null(m.answers_topic.ptr);
		}
		free(topic);
	}
	topics_free(t);
}

/* A fixture added without an expectation above must fail this test. */
static void test_fixtures_all_covered(void **state)
{
	(void)state;
	glob_t g;
	assert_int_equal(glob("tests/fixtures/*.json", 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, ARRAY_LEN(fixtures));
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;
		bool found = false;
		for (size_t j = 0; j < ARRAY_LEN(fixtures); j++)
			found |= strcmp(fixtures[j].file, base) == 0;
		if (!found)
			fail_msg("fixture %s has no expectation in test_topics.c", base);
	}
	globfree(&g);
}

static void test_state_topics(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	static const struct {
		const char *topic;
		enum topic_family family;
		enum topic_id id;
		const char *value;
	} cases[] = {
		{ "drivr/v1/adam/organizations/" ORG_UUID "/state", TOPIC_ORGANIZATION_STATE,
		  TOPIC_ID_ORGANIZATION_UUID, ORG_UUID },
		{ "drivr/v1/adam/systems/" SYS_ADAM "/state", TOPIC_SYSTEM_STATE, TOPIC_ID_SYSTEM_UUID,
		  SYS_ADAM },
		{ "drivr/v1/adam/componentModels/" MODEL_UUID "/state", TOPIC_COMPONENT_MODEL_STATE,
		  TOPIC_ID_COMPONENT_MODEL_UUID, MODEL_UUID },
		{ "drivr/v1/adam/eventModels/" MODEL_UUID "/state", TOPIC_EVENT_MODEL_STATE,
		  TOPIC_ID_EVENT_MODEL_UUID, MODEL_UUID },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct topic_match m;
		match_str(t, cases[i].topic, &m);
		assert_int_equal(m.family, cases[i].family);
		assert_int_equal(m.format, FORMAT_STATE);
		assert_sv(m.ids[TOPIC_ID_SLUG], "adam");
		assert_sv(m.ids[cases[i].id], cases[i].value);
	}
	topics_free(t);
}

static void test_msgpack_variants(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	static const struct {
		const char *topic;
		enum topic_family family;
		enum topic_id id;
		const char *value;
	} cases[] = {
#define IN "drivr/v1/adam/input/"
		{ IN "system/S1/msgpack", TOPIC_SYSTEM_INPUT, TOPIC_ID_SYSTEM_UUID, "S1" },
		{ IN "component/S2/msgpack", TOPIC_COMPONENT_INPUT, TOPIC_ID_SYSTEM_UUID, "S2" },
		{ IN "datapoint/S3/msgpack", TOPIC_DATAPOINT_INPUT, TOPIC_ID_SYSTEM_UUID, "S3" },
		{ IN "setpoint/ack/S4/msgpack", TOPIC_SETPOINT_ACK, TOPIC_ID_SYSTEM_UUID, "S4" },
		{ IN "setpoint/S5/msgpack", TOPIC_SETPOINT_INPUT, TOPIC_ID_SYSTEM_UUID, "S5" },
		{ IN "event/s/S6/msgpack", TOPIC_EVENT_INPUT_SYSTEM, TOPIC_ID_SYSTEM_UUID, "S6" },
		{ IN "event/c/C7/msgpack", TOPIC_EVENT_INPUT_COMPONENT, TOPIC_ID_COMPONENT_UUID, "C7" },
		{ IN "event/ack/E8/msgpack", TOPIC_EVENT_ACK, TOPIC_ID_EVENT_UUID, "E8" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct topic_match m;
		match_str(t, cases[i].topic, &m);
		assert_int_equal(m.family, cases[i].family);
		assert_int_equal(m.format, FORMAT_MSGPACK);
		assert_sv(m.ids[cases[i].id], cases[i].value);
	}
	/* {fmt} is exactly json or msgpack, case-sensitive. */
	const char *bad[] = { IN "system/S1/xml", IN "system/S1/JSON", IN "system/S1/msgpackx",
			      IN "system/S1" };
#undef IN
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct topic_match m;
		match_str(t, bad[i], &m);
		assert_int_equal(m.family, TOPIC_UNCLASSIFIED);
		assert_string_equal(m.unclassified_reason, "no pattern matches");
	}
	topics_free(t);
}

/* Only topic[0..len) counts; ids are views into it. */
static void test_match_honours_length(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	struct topic_match m;
	const char *buf = "drivr/v1/adam/systems/S9/junk/more";

	topic_match(t, buf, strlen("drivr/v1/adam/systems/S9"), &m);
	assert_int_equal(m.family, TOPIC_SYSTEM);
	assert_ptr_equal(m.ids[TOPIC_ID_SLUG].ptr, buf + 9);
	assert_ptr_equal(m.ids[TOPIC_ID_SYSTEM_UUID].ptr, buf + 22);
	assert_int_equal(m.ids[TOPIC_ID_SYSTEM_UUID].len, 2);

	topic_match(t, "drivr/v1/adam/stateXYZ", 19, &m);
	assert_int_equal(m.family, TOPIC_DOMAIN_STATE);
	topics_free(t);
}

/* --- error replies ------------------------------------------------------ */

static void test_error_appended_reading(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	struct topic_match m;
	const char *topic = "drivr/v1/adam/input/setpoint/ack/S4/msgpack/error";

	match_str(t, topic, &m);
	assert_int_equal(m.family, TOPIC_ERROR_REPLY);
	assert_int_equal(m.format, FORMAT_OPAQUE);
	assert_null(m.unclassified_reason);
	assert_sv(m.ids[TOPIC_ID_SLUG], "adam");
	assert_sv(m.ids[TOPIC_ID_INPUT], "setpoint/ack/S4/msgpack");
	assert_sv(m.ids[TOPIC_ID_SYSTEM_UUID], "S4"); /* copied from the answered topic */
	assert_sv(m.answers_topic, "drivr/v1/adam/input/setpoint/ack/S4/msgpack");
	assert_ptr_equal(m.answers_topic.ptr, topic);
	assert_int_equal(m.answers_family, TOPIC_SETPOINT_ACK);
	assert_sv(m.answers_ids[TOPIC_ID_SLUG], "adam");
	assert_sv(m.answers_ids[TOPIC_ID_SYSTEM_UUID], "S4");
	assert_sv(m.answers_ids[TOPIC_ID_INPUT], NULL);
	assert_ids_inside(&m, topic, strlen(topic));
	topics_free(t);
}

static void test_error_replaced_reading(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	struct topic_match m;
	const char *topic = "drivr/v1/adam/input/event/c/" COMP_UUID "/error";

	match_str(t, topic, &m);
	assert_int_equal(m.family, TOPIC_ERROR_REPLY);
	assert_int_equal(m.format, FORMAT_OPAQUE);
	assert_sv(m.ids[TOPIC_ID_INPUT], "event/c/" COMP_UUID);
	assert_sv(m.answers_topic, "drivr/v1/adam/input/event/c/" COMP_UUID);
	assert_int_equal(m.answers_family, TOPIC_EVENT_INPUT_COMPONENT);
	assert_sv(m.answers_ids[TOPIC_ID_COMPONENT_UUID], COMP_UUID);
	assert_sv(m.ids[TOPIC_ID_COMPONENT_UUID], COMP_UUID);
	assert_sv(m.ids[TOPIC_ID_SYSTEM_UUID], NULL);
	/* The ids still point into the topic, not at the stand-in "json". */
	assert_ids_inside(&m, topic, strlen(topic));
	for (int i = 0; i < TOPIC_ID_COUNT; i++) {
		const struct strview v = m.answers_ids[i];
		assert_true(!v.ptr || (v.ptr >= topic && v.ptr + v.len <= topic + strlen(topic)));
	}
	topics_free(t);
}

/* Both readings, for every request row, from the row's own built topic. */
static void test_error_both_readings_every_input(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	struct topic_ids ids;
	sample_ids(&ids);
	int rows = 0;

	for (int f = 0; f < TOPIC_UNCLASSIFIED; f++) {
		if (topic_family_encoding(f) != TOPIC_ENC_FMT)
			continue;
		char topic[512], replaced[512];
		int n = topic_build(t, f, &ids, FORMAT_JSON, topic, sizeof(topic) - 8);
		assert_true(n > 0);
		/* Reading 1: appended. */
		strcpy(replaced, topic);
		strcat(topic, "/error");
		struct topic_match m;
		match_str(t, topic, &m);
		assert_int_equal(m.family, TOPIC_ERROR_REPLY);
		if (m.answers_family != (enum topic_family)f)
			fail_msg("%s answered %s", topic, topic_family_name(m.answers_family));
		assert_int_equal(m.answers_topic.len, (size_t)n);
		/* Reading 2: /error in place of /json. */
		strcpy(strrchr(replaced, '/') + 1, "error");
		match_str(t, replaced, &m);
		assert_int_equal(m.family, TOPIC_ERROR_REPLY);
		if (m.answers_family != (enum topic_family)f)
			fail_msg("%s answered %s", replaced, topic_family_name(m.answers_family));
		assert_int_equal(m.answers_topic.len, strlen(replaced) - strlen("/error"));
		for (int id = 0; id < TOPIC_ID_COUNT; id++) {
			if (id != TOPIC_ID_INPUT && pattern_has_id(t, f, id))
				assert_sv(m.answers_ids[id], ids.v[id]);
		}
		rows++;
	}
	assert_int_equal(rows, 8);
	topics_free(t);
}

static void test_error_unknown_input(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	struct topic_match m;

	match_str(t, "drivr/v1/adam/input/gizmo/42/error", &m);
	assert_int_equal(m.family, TOPIC_ERROR_REPLY);
	assert_null(m.unclassified_reason);
	assert_int_equal(m.answers_family, TOPIC_UNCLASSIFIED);
	assert_sv(m.answers_topic, "drivr/v1/adam/input/gizmo/42");
	assert_sv(m.ids[TOPIC_ID_INPUT], "gizmo/42");
	assert_sv(m.ids[TOPIC_ID_SYSTEM_UUID], NULL);
	for (int i = 0; i < TOPIC_ID_COUNT; i++)
		assert_sv(m.answers_ids[i], NULL);

	/* An error of an error answers nothing known. */
	match_str(t, "drivr/v1/adam/input/system/S1/json/error/error", &m);
	assert_int_equal(m.family, TOPIC_ERROR_REPLY);
	assert_int_equal(m.answers_family, TOPIC_UNCLASSIFIED);

	/* {input*} needs at least one level. */
	match_str(t, "drivr/v1/adam/input/error", &m);
	assert_int_equal(m.family, TOPIC_UNCLASSIFIED);
	assert_string_equal(m.unclassified_reason, "no pattern matches");
	topics_free(t);
}

/* --- unclassified ------------------------------------------------------- */

static void assert_unclassified(const struct topic_table *t, const char *topic, size_t len,
				const char *reason)
{
	struct topic_match m;
	topic_match(t, topic, len, &m);
	if (m.family != TOPIC_UNCLASSIFIED)
		fail_msg("\"%.*s\" matched %s", (int)(len < 80 ? len : 80), topic ? topic : "",
			 topic_family_name(m.family));
	assert_int_equal(m.format, FORMAT_OPAQUE);
	assert_non_null(m.unclassified_reason);
	if (strcmp(m.unclassified_reason, reason) != 0)
		fail_msg("\"%.*s\": reason \"%s\", expected \"%s\"", (int)(len < 80 ? len : 80),
			 topic ? topic : "", m.unclassified_reason, reason);
	for (int i = 0; i < TOPIC_ID_COUNT; i++) {
		assert_null(m.ids[i].ptr);
		assert_null(m.answers_ids[i].ptr);
	}
	assert_int_equal(m.answers_family, TOPIC_UNCLASSIFIED);
}

static void test_unclassified_fixed(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	static const struct {
		const char *topic;
		const char *reason;
	} cases[] = {
		{ "", "empty topic" },
		{ "drivr/v1/adam//state", "empty topic level" },
		{ "drivr/v1/adam/", "empty topic level" },
		{ "/drivr/v1/adam", "empty topic level" },
		{ "drivr/v1/+/state", "wildcard character in topic" },
		{ "drivr/v1/adam/systems/#", "wildcard character in topic" },
		{ "drivr/v1/ad+am", "wildcard character in topic" },
		{ "drivr/v1/adam/systems/a#b", "wildcard character in topic" },
		{ "drivr/v2/adam", "not under drivr/v1" },
		{ "mqtt/v1/adam", "not under drivr/v1" },
		{ "Drivr/v1/adam", "not under drivr/v1" },
		{ "drivr", "not under drivr/v1" },
		{ "drivr/v1", "no pattern matches" },
		{ "drivr/v1/adam/unknown", "no pattern matches" },
		{ "drivr/v1/adam/systems/S1/gadgets", "no pattern matches" },
		{ "drivr/v1/adam/systems/S1/components", "no pattern matches" },
		{ "drivr/v1/adam/systems/S1/components/c/extra", "no pattern matches" },
		{ "drivr/v1/adam/Systems/S1", "no pattern matches" },
		{ "drivr/v1/adam/input/system/S1", "no pattern matches" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		assert_unclassified(t, cases[i].topic, strlen(cases[i].topic), cases[i].reason);
	assert_unclassified(t, NULL, 0, "empty topic");
	assert_unclassified(t, "drivr/v1/ad\0am", 14, "NUL character in topic");
	topics_free(t);
}

static void test_unclassified_long_ids(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	char *big = repeat('a', 4096);
	char *topic = xmalloc(4096 + 128);
	struct topic_match m;

	sprintf(topic, "drivr/v1/%s", big);
	assert_unclassified(t, topic, strlen(topic), "id longer than 200 bytes");
	sprintf(topic, "drivr/v1/adam/systems/%s", big);
	assert_unclassified(t, topic, strlen(topic), "id longer than 200 bytes");
	sprintf(topic, "drivr/v1/adam/input/system/%s/json/error", big);
	assert_unclassified(t, topic, strlen(topic), "id longer than 200 bytes");

	/* The boundary: 200 bytes is an id, 201 is not. */
	big[200] = '\0';
	sprintf(topic, "drivr/v1/%s", big);
	match_str(t, topic, &m);
	assert_int_equal(m.family, TOPIC_DOMAIN);
	assert_int_equal(m.ids[TOPIC_ID_SLUG].len, 200);
	big[200] = 'a';
	big[201] = '\0';
	sprintf(topic, "drivr/v1/%s", big);
	assert_unclassified(t, topic, strlen(topic), "id longer than 200 bytes");

	/* A multi-level capture is one id too: short levels, long total. */
	char *half = repeat('b', 150);
	sprintf(topic, "drivr/v1/adam/input/%s/%s/error", half, half);
	assert_unclassified(t, topic, strlen(topic), "id longer than 200 bytes");
	free(half);
	free(big);
	free(topic);
	topics_free(t);
}

static void test_unclassified_deep(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	char topic[256];

	/* 40 levels. */
	strcpy(topic, "drivr/v1/adam/systems/S1");
	for (int i = 5; i < 40; i++)
		strcat(topic, "/x");
	assert_unclassified(t, topic, strlen(topic), "more than 32 topic levels");
	/* 33 levels: one too many; 32 is deep but allowed. */
	strcpy(topic, "drivr/v1/adam/systems/S1");
	for (int i = 5; i < 33; i++)
		strcat(topic, "/x");
	assert_unclassified(t, topic, strlen(topic), "more than 32 topic levels");
	*strrchr(topic, '/') = '\0';
	assert_unclassified(t, topic, strlen(topic), "no pattern matches");
	/* An error reply 32 levels deep still gets both readings tried. */
	strcpy(topic, "drivr/v1/adam/input");
	for (int i = 4; i < 31; i++)
		strcat(topic, "/x");
	strcat(topic, "/error");
	struct topic_match m;
	match_str(t, topic, &m);
	assert_int_equal(m.family, TOPIC_ERROR_REPLY);
	assert_int_equal(m.answers_family, TOPIC_UNCLASSIFIED);
	topics_free(t);
}

/* --- building ----------------------------------------------------------- */

/* Every row, SUB ones included, builds a topic that matches that same row:
 * no row is shadowed by an earlier one. */
static void test_build_roundtrip_every_row(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	struct topic_ids ids;
	sample_ids(&ids);
	int pub = 0;

	for (int f = 0; f < TOPIC_UNCLASSIFIED; f++) {
		for (int k = 0; k < 2; k++) {
			enum payload_format fmt = k ? FORMAT_MSGPACK : FORMAT_JSON;
			char buf[512];
			int n = topic_build(t, f, &ids, fmt, buf, sizeof(buf));
			assert_true(n > 0);
			assert_int_equal((size_t)n, strlen(buf));
			struct topic_match m;
			match_str(t, buf, &m);
			if (m.family != (enum topic_family)f)
				fail_msg("built %s for %s, matched %s", buf, topic_family_name(f),
					 topic_family_name(m.family));
			if (topic_family_encoding(f) == TOPIC_ENC_FMT)
				assert_int_equal(m.format, fmt);
			for (int id = 0; id < TOPIC_ID_COUNT; id++) {
				if (pattern_has_id(t, f, id))
					assert_sv(m.ids[id], ids.v[id]);
				else if (f != TOPIC_ERROR_REPLY) /* replies copy answered ids */
					assert_sv(m.ids[id], NULL);
			}
		}
		pub += topic_family_direction(f) == TOPIC_PUB;
	}
	assert_int_equal(pub, 8);

	char buf[256];
	assert_int_equal(topic_build(t, TOPIC_SETPOINT_INPUT, &ids, FORMAT_JSON, buf, sizeof(buf)),
			 (int)strlen("drivr/v1/company-example/input/setpoint/" SYS_CE "/json"));
	assert_string_equal(buf, "drivr/v1/company-example/input/setpoint/" SYS_CE "/json");
	topic_build(t, TOPIC_EVENT_ACK, &ids, FORMAT_MSGPACK, buf, sizeof(buf));
	assert_string_equal(buf, "drivr/v1/company-example/input/event/ack/" EVENT_UUID "/msgpack");
	topic_build(t, TOPIC_ERROR_REPLY, &ids, FORMAT_JSON, buf, sizeof(buf));
	assert_string_equal(buf, "drivr/v1/company-example/input/system/" SYS_CE "/json/error");
	topics_free(t);
}

static void test_build_rejects(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	struct topic_ids ids;
	char buf[256];
	char *long_id = repeat('u', TOPIC_ID_MAX + 1);

	memset(&ids, 0, sizeof(ids));
	ids.v[TOPIC_ID_SLUG] = "adam";
	/* The id the pattern needs is missing, empty or not one level. */
	const char *bad[] = { NULL, "", "a/b", "/", "a+b", "+", "a#b", "#", long_id };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		ids.v[TOPIC_ID_SYSTEM_UUID] = bad[i];
		strcpy(buf, "garbage");
		assert_int_equal(topic_build(t, TOPIC_SETPOINT_INPUT, &ids, FORMAT_JSON, buf,
					     sizeof(buf)), -1);
		assert_string_equal(buf, "");
	}
	long_id[TOPIC_ID_MAX] = '\0'; /* exactly the limit is fine */
	ids.v[TOPIC_ID_SYSTEM_UUID] = long_id;
	assert_true(topic_build(t, TOPIC_SETPOINT_INPUT, &ids, FORMAT_JSON, buf, sizeof(buf)) > 0);

	ids.v[TOPIC_ID_SYSTEM_UUID] = "S1";
	ids.v[TOPIC_ID_SLUG] = NULL;
	assert_int_equal(topic_build(t, TOPIC_SYSTEM_INPUT, &ids, FORMAT_JSON, buf, sizeof(buf)), -1);
	ids.v[TOPIC_ID_SLUG] = "adam";

	/* Only json and msgpack name a format level. */
	assert_int_equal(topic_build(t, TOPIC_SYSTEM_INPUT, &ids, FORMAT_STATE, buf, sizeof(buf)), -1);
	assert_int_equal(topic_build(t, TOPIC_SYSTEM_INPUT, &ids, FORMAT_OPAQUE, buf, sizeof(buf)), -1);
	assert_int_equal(topic_build(t, TOPIC_UNCLASSIFIED, &ids, FORMAT_JSON, buf, sizeof(buf)), -1);
	assert_int_equal(topic_build(t, TOPIC_FAMILY_COUNT, &ids, FORMAT_JSON, buf, sizeof(buf)), -1);
	assert_int_equal(topic_build(t, TOPIC_SYSTEM_INPUT, NULL, FORMAT_JSON, buf, sizeof(buf)), -1);

	/* Buffer sizes around the exact fit (length + NUL). */
	const char *want = "drivr/v1/adam/input/system/S1/json";
	size_t len = strlen(want);
	assert_int_equal(topic_build(t, TOPIC_SYSTEM_INPUT, &ids, FORMAT_JSON, buf, len + 1),
			 (int)len);
	assert_string_equal(buf, want);
	assert_int_equal(topic_build(t, TOPIC_SYSTEM_INPUT, &ids, FORMAT_JSON, buf, len), -1);
	assert_string_equal(buf, "");
	assert_int_equal(topic_build(t, TOPIC_SYSTEM_INPUT, &ids, FORMAT_JSON, buf, 1), -1);
	assert_int_equal(topic_build(t, TOPIC_SYSTEM_INPUT, &ids, FORMAT_JSON, buf, 0), -1);

	/* A multi-level id may hold '/', but no empty level. */
	const char *bad_multi[] = { "system//json", "/system", "system/", "system/+/json" };
	for (size_t i = 0; i < ARRAY_LEN(bad_multi); i++) {
		ids.v[TOPIC_ID_INPUT] = bad_multi[i];
		assert_int_equal(topic_build(t, TOPIC_ERROR_REPLY, &ids, FORMAT_JSON, buf, sizeof(buf)),
				 -1);
	}
	ids.v[TOPIC_ID_INPUT] = "system/S1/json";
	assert_true(topic_build(t, TOPIC_ERROR_REPLY, &ids, FORMAT_JSON, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "drivr/v1/adam/input/system/S1/json/error");
	free(long_id);
	topics_free(t);
}

/* --- overrides ---------------------------------------------------------- */

static void test_override_valid(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	struct topic_table *other = topics_new();
	struct topic_match m;
	char err[200] = "";
	char buf[256];
	struct topic_ids ids = { 0 };

	ids.v[TOPIC_ID_SLUG] = "ce";
	ids.v[TOPIC_ID_SYSTEM_UUID] = "S1";

	match_str(t, "drivr/v1/ce/input/setpoint/S1/json", &m);
	assert_int_equal(m.family, TOPIC_SETPOINT_INPUT);
	assert_true(topics_override(t, "setpoint_input",
				    "drivr/v1/{slug}/input/setpoints/{systemUuid}/{fmt}", err,
				    sizeof(err)));
	assert_string_equal(topics_pattern(t, TOPIC_SETPOINT_INPUT),
			    "drivr/v1/{slug}/input/setpoints/{systemUuid}/{fmt}");
	match_str(t, "drivr/v1/ce/input/setpoint/S1/json", &m);
	assert_int_equal(m.family, TOPIC_UNCLASSIFIED);
	match_str(t, "drivr/v1/ce/input/setpoints/S1/msgpack", &m);
	assert_int_equal(m.family, TOPIC_SETPOINT_INPUT);
	assert_int_equal(m.format, FORMAT_MSGPACK);
	assert_sv(m.ids[TOPIC_ID_SYSTEM_UUID], "S1");
	topic_build(t, TOPIC_SETPOINT_INPUT, &ids, FORMAT_JSON, buf, sizeof(buf));
	assert_string_equal(buf, "drivr/v1/ce/input/setpoints/S1/json");
	/* Its error replies follow the new pattern too. */
	match_str(t, "drivr/v1/ce/input/setpoints/S1/error", &m);
	assert_int_equal(m.answers_family, TOPIC_SETPOINT_INPUT);

	/* Tables share nothing. */
	match_str(other, "drivr/v1/ce/input/setpoint/S1/json", &m);
	assert_int_equal(m.family, TOPIC_SETPOINT_INPUT);

	/* A request row may demand more ids than its default. */
	assert_true(topics_override(t, "setpoint_input",
				    "drivr/v1/{slug}/input/setpoint/{systemUuid}/{componentCode}/{fmt}",
				    err, sizeof(err)));
	assert_int_equal(topic_build(t, TOPIC_SETPOINT_INPUT, &ids, FORMAT_JSON, buf, sizeof(buf)),
			 -1);
	ids.v[TOPIC_ID_COMPONENT_CODE] = "meter";
	assert_true(topic_build(t, TOPIC_SETPOINT_INPUT, &ids, FORMAT_JSON, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "drivr/v1/ce/input/setpoint/S1/meter/json");

	/* A SUB row, with a multi-level capture. */
	assert_true(topics_override(t, "component",
				    "drivr/v1/{slug}/systems/{systemUuid}/components/{componentCode*}",
				    err, sizeof(err)));
	match_str(t, "drivr/v1/ce/systems/S1/components/rack/meter", &m);
	assert_int_equal(m.family, TOPIC_COMPONENT);
	assert_sv(m.ids[TOPIC_ID_COMPONENT_CODE], "rack/meter");

	/* The second error reading stands in for a {fmt} level only: a row
	 * ending in an id must not capture the stand-in "json". */
	assert_true(topics_override(t, "system_input",
				    "drivr/v1/{slug}/input/system/{fmt}/{systemUuid}", err,
				    sizeof(err)));
	match_str(t, "drivr/v1/ce/input/system/json/error", &m);
	assert_int_equal(m.family, TOPIC_ERROR_REPLY);
	assert_int_equal(m.answers_family, TOPIC_UNCLASSIFIED);
	assert_sv(m.ids[TOPIC_ID_SYSTEM_UUID], NULL);
	match_str(t, "drivr/v1/ce/input/system/msgpack/S1/error", &m);
	assert_int_equal(m.answers_family, TOPIC_SYSTEM_INPUT);
	assert_sv(m.ids[TOPIC_ID_SYSTEM_UUID], "S1");

	/* First matching row wins: event now shadows setpoint. */
	assert_true(topics_override(t, "event", "drivr/v1/{slug}/systems/{systemUuid}/setpoints", err,
				    sizeof(err)));
	match_str(t, "drivr/v1/ce/systems/S1/setpoints", &m);
	assert_int_equal(m.family, TOPIC_EVENT);
	match_str(other, "drivr/v1/ce/systems/S1/setpoints", &m);
	assert_int_equal(m.family, TOPIC_SETPOINT);

	topics_free(other);
	topics_free(t);
}

static void test_override_invalid(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	char *deep = xstrdup("drivr/v1/{slug}/systems/{systemUuid}");
	for (int i = 5; i < 33; i++) {
		deep = xrealloc(deep, strlen(deep) + 3);
		strcat(deep, "/x");
	}
	char *long_literal = xmalloc(300);
	snprintf(long_literal, 300, "drivr/v1/{slug}/%0201d", 0);

	static const char *const SI = "setpoint_input";
	const struct {
		const char *row, *pattern, *err;
	} cases[] = {
		{ "foo", "drivr/v1/{slug}", "unknown row \"foo\"" },
		{ NULL, "drivr/v1/{slug}", "unknown row \"\"" },
		{ "unclassified", "drivr/v1/{slug}", "unknown row \"unclassified\"" },
		{ SI, "drivr/v1/{slug}/input/setpoint/{foo}/{fmt}",
		  "row \"setpoint_input\": unknown placeholder {foo}" },
		{ SI, "drivr/v1/{slug}/input/setpoint/{Systemuuid}/{fmt}",
		  "row \"setpoint_input\": unknown placeholder {Systemuuid}" },
		{ SI, "", "row \"setpoint_input\": empty pattern" },
		{ SI, NULL, "row \"setpoint_input\": empty pattern" },
		{ "system", "drivr/v1//systems/{systemUuid}",
		  "row \"system\": empty level in pattern" },
		{ "system", "drivr/v1/{slug}/systems/{systemUuid}/",
		  "row \"system\": empty level in pattern" },
		{ "system", "drivr/v1/{slug}/systems/+",
		  "row \"system\": wildcard in pattern level \"+\"" },
		{ "system", "drivr/v1/{slug}/systems/#",
		  "row \"system\": wildcard in pattern level \"#\"" },
		{ "system", "drivr/v1/{slug}/sys{systemUuid}",
		  "row \"system\": placeholder must be a whole level: \"sys{systemUuid}\"" },
		{ "system", "drivr/v1/{slug}/systems/{systemUuid",
		  "row \"system\": malformed placeholder \"{systemUuid\"" },
		{ "system", "drivr/v1/{slug}/{}", "row \"system\": empty placeholder {}" },
		{ "system", "drivr/v1/{slug}/systems/{systemUuid}/{fmt}",
		  "row \"system\": {fmt} is only allowed on json/msgpack rows" },
		{ SI, "drivr/v1/{slug}/input/setpoint/{systemUuid}/json",
		  "row \"setpoint_input\": pattern needs a {fmt} level (json/msgpack row)" },
		{ SI, "drivr/v1/{slug}/input/setpoint/{fmt}",
		  "row \"setpoint_input\": pattern lacks {systemUuid}, which requests need" },
		{ "event_ack", "drivr/v1/{slug}/input/event/ack/{fmt}",
		  "row \"event_ack\": pattern lacks {eventUuid}, which requests need" },
		{ "system_input", "drivr/v1/input/system/{systemUuid}/{fmt}",
		  "row \"system_input\": pattern lacks {slug}, which requests need" },
		{ "system_input", "drivr/v1/{slug}/input/{input*}/{systemUuid}/{fmt}",
		  "row \"system_input\": multi-level capture not allowed on a request row" },
		{ "system", "drivr/v1/{slug}/systems/{slug}",
		  "row \"system\": placeholder {slug} used twice" },
		{ "system_input", "drivr/v1/{slug}/input/system/{systemUuid}/{fmt}/{fmt}",
		  "row \"system_input\": placeholder {fmt} used twice" },
		{ "error", "drivr/v1/{slug}/input/{input*}/{systemUuid*}/error",
		  "row \"error\": more than one multi-level capture" },
		{ "error", "drivr/v1/{slug}/input/{input*}",
		  "row \"error\": last level must be a literal such as error" },
		{ "system", "mqtt/v1/{slug}/systems/{systemUuid}",
		  "row \"system\": pattern must start with drivr/v1" },
		{ "system", "drivr", "row \"system\": pattern must start with drivr/v1" },
		{ "system", "{slug}/v1/systems", "row \"system\": pattern must start with drivr/v1" },
		{ "system", deep, "row \"system\": pattern has more than 32 levels" },
		{ "domain", long_literal, "row \"domain\": level longer than 200 bytes" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char err[200] = "";
		if (topics_override(t, cases[i].row, cases[i].pattern, err, sizeof(err)))
			fail_msg("accepted %s = %s", cases[i].row, cases[i].pattern);
		if (strcmp(err, cases[i].err) != 0)
			fail_msg("error \"%s\", expected \"%s\"", err, cases[i].err);
	}
	/* Nothing changed. */
	for (int f = 0; f < TOPIC_UNCLASSIFIED; f++) {
		struct topic_table *fresh = topics_new();
		assert_string_equal(topics_pattern(t, f), topics_pattern(fresh, f));
		topics_free(fresh);
	}
	struct topic_match m;
	match_str(t, "drivr/v1/adam/systems/" SYS_ADAM, &m);
	assert_int_equal(m.family, TOPIC_SYSTEM);

	/* No error buffer, or a tiny one: still refused, still terminated. */
	assert_false(topics_override(t, "foo", "drivr/v1/{slug}", NULL, 0));
	char small[10];
	memset(small, 'x', sizeof(small));
	assert_false(topics_override(t, "foo", "drivr/v1/{slug}", small, sizeof(small)));
	assert_string_equal(small, "unknown r");
	free(deep);
	free(long_literal);
	topics_free(t);
}

/* --- the override file -------------------------------------------------- */

static void test_load_file(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	char err[300] = "";
	struct topic_match m;
	char *path = write_temp("\xEF\xBB\xBF; site corrections, checked in discovery mode\n"
				"# a comment\n"
				"#\n"
				"\n"
				"setpoint_input = drivr/v1/{slug}/input/setpoint/{systemUuid}/{fmt}\n"
				"[topics]\n"
				"setpoint_input = drivr/v1/{slug}/input/setpoints/{systemUuid}/{fmt}\n"
				"   component=drivr/v1/{slug}/systems/{systemUuid}/parts/{componentCode}"
				"  \r\n"
				"## also a comment\n"
				"[ topics ]\n"
				"event = drivr/v1/{slug}/events/{eventUuid}\n");

	if (!topics_load_file(t, path, err, sizeof(err)))
		fail_msg("load failed: %s", err);
	/* The later line for a row wins. */
	assert_string_equal(topics_pattern(t, TOPIC_SETPOINT_INPUT),
			    "drivr/v1/{slug}/input/setpoints/{systemUuid}/{fmt}");
	assert_string_equal(topics_pattern(t, TOPIC_COMPONENT),
			    "drivr/v1/{slug}/systems/{systemUuid}/parts/{componentCode}");
	assert_string_equal(topics_pattern(t, TOPIC_EVENT), "drivr/v1/{slug}/events/{eventUuid}");
	match_str(t, "drivr/v1/adam/events/" EVENT_UUID, &m);
	assert_int_equal(m.family, TOPIC_EVENT);
	assert_sv(m.ids[TOPIC_ID_EVENT_UUID], EVENT_UUID);
	assert_sv(m.ids[TOPIC_ID_SYSTEM_UUID], NULL);
	match_str(t, "drivr/v1/adam/systems/S1/parts/meter", &m);
	assert_int_equal(m.family, TOPIC_COMPONENT);
	/* Untouched rows keep their defaults. */
	assert_string_equal(topics_pattern(t, TOPIC_SYSTEM), "drivr/v1/{slug}/systems/{systemUuid}");
	unlink(path);
	free(path);
	topics_free(t);
}

static void test_load_file_errors(void **state)
{
	(void)state;
	const struct {
		const char *text;
		const char *err; /* after "<path>:" */
	} cases[] = {
		{ "; comment\n"
		  "system_input = drivr/v1/{slug}/input/sys/{systemUuid}/{fmt}\n"
		  "foo = drivr/v1/{slug}\n",
		  "3: unknown row \"foo\"" },
		{ "\n"
		  "setpoint_input = drivr/v1/{slug}/input/setpoint/{foo}/{fmt}\n",
		  "2: row \"setpoint_input\": unknown placeholder {foo}" },
		{ "system_input = drivr/v1/{slug}/input/sys/{systemUuid}/{fmt}\n"
		  "just words\n",
		  "2: expected \"row = pattern\"" },
		{ "= drivr/v1/{slug}\n", "1: expected \"row = pattern\"" },
		{ "#foo = drivr/v1/{slug}\n", "1: unknown row \"#foo\"" },
		{ "[topics\n", "1: malformed section header" },
		{ "[topics]\nsystem =\n", "2: row \"system\": empty pattern" },
		{ "[]\n", "1: empty section name" },
		/* a topics file holds rows only: another section is refused at its line */
		{ "system_input = drivr/v1/{slug}/input/sys/{systemUuid}/{fmt}\n"
		  "[console]\ntheme = dark\n",
		  "2: section [console] in a topics file (it holds \"row = pattern\" lines, under "
		  "[topics] or none; a config file takes --config)" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct topic_table *t = topics_new();
		char err[300] = "", want[400];
		char *path = write_temp(cases[i].text);
		assert_false(topics_load_file(t, path, err, sizeof(err)));
		snprintf(want, sizeof(want), "%s:%s", path, cases[i].err);
		assert_string_equal(err, want);
		/* All or nothing: good lines before the bad one are not applied. */
		assert_string_equal(topics_pattern(t, TOPIC_SYSTEM_INPUT),
				    "drivr/v1/{slug}/input/system/{systemUuid}/{fmt}");
		unlink(path);
		free(path);
		topics_free(t);
	}

	struct topic_table *t = topics_new();
	char err[300] = "";
	assert_false(topics_load_file(t, "/nonexistent-dir/topics.conf", err, sizeof(err)));
	assert_string_equal(err, "--topics /nonexistent-dir/topics.conf: No such file or directory");
	topics_free(t);
}

/* The config file given as --topics (docs/topics.md): refused at its first
 * line that is not a row, naming file and line; nothing applied.  Both the
 * top-level keys and a [profile] section are caught. */
static void test_config_file_as_topics_file(void **state)
{
	(void)state;
	const struct {
		const char *text;
		const char *err;
	} cases[] = {
		{ "# drivr-console config\n"
		  "slug = adam\n"
		  "[profile prod]\n"
		  "url = mqtts://mqtt.drivr.cloud:8883\n"
		  "[topics]\n"
		  "setpoint_input = drivr/v1/{slug}/input/sp/{systemUuid}/{fmt}\n",
		  "2: unknown row \"slug\"" },
		{ "; only profiles\n"
		  "[profile lab]\n"
		  "host = lab.local\n",
		  "2: section [profile lab] in a topics file" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct topic_table *t = topics_new();
		char err[300] = "", want[400];
		char *path = write_temp(cases[i].text);
		assert_false(topics_load_file(t, path, err, sizeof(err)));
		snprintf(want, sizeof(want), "%s:%s", path, cases[i].err);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("\"%s\" does not start with \"%s\"", err, want);
		assert_null(strchr(err, '\n'));
		assert_string_equal(topics_pattern(t, TOPIC_SETPOINT_INPUT),
				    "drivr/v1/{slug}/input/setpoint/{systemUuid}/{fmt}");
		unlink(path);
		free(path);
		topics_free(t);
	}
}

/* The text entry point the file loader uses (and the fuzzer drives): same
 * rules, err names the given file name; a last line without newline counts. */
static void test_parse_text(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();
	char err[300] = "";
	assert_true(topics_parse_text(t, "\xEF\xBB\xBF[topics]\n"
					 "event = drivr/v1/{slug}/events/{eventUuid}", "x.conf",
				      err, sizeof(err)));
	assert_string_equal(topics_pattern(t, TOPIC_EVENT), "drivr/v1/{slug}/events/{eventUuid}");
	assert_true(topics_parse_text(t, "", "x.conf", err, sizeof(err)));
	/* A lone BOM byte pair on a one-line text: no read past its end. */
	assert_false(topics_parse_text(t, "\xEF\xBB", "x.conf", err, sizeof(err)));
	assert_string_equal(err, "x.conf:1: expected \"row = pattern\"");
	assert_false(topics_parse_text(t, "\n\nsystem = x/{slug}\n", "x.conf", err, sizeof(err)));
	assert_int_equal(strncmp(err, "x.conf:3: ", 10), 0);
	assert_string_equal(topics_pattern(t, TOPIC_EVENT), "drivr/v1/{slug}/events/{eventUuid}");
	topics_free(t);

	/* A file with a NUL byte is refused, not read up to the NUL. */
	char path[] = "/tmp/test_topics_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static const char nul_text[] = "event = drivr/v1/{slug}/ev/{eventUuid}\n\0junk\n";
	assert_int_equal(write(fd, nul_text, sizeof(nul_text) - 1), (ssize_t)sizeof(nul_text) - 1);
	close(fd);
	t = topics_new();
	assert_false(topics_load_file(t, path, err, sizeof(err)));
	char want[400];
	snprintf(want, sizeof(want), "%s:2: NUL byte in the file", path);
	assert_string_equal(err, want);
	assert_string_equal(topics_pattern(t, TOPIC_EVENT), "drivr/v1/{slug}/systems/{systemUuid}/events/{eventUuid}");
	unlink(path);
	topics_free(t);
}

/* --- fallback filters --------------------------------------------------- */

static void test_fallback_filters(void **state)
{
	(void)state;
	static const char *const want[] = {
		"drivr/v1/adam",
		"drivr/v1/adam/state",
		"drivr/v1/adam/jwks",
		"drivr/v1/adam/authorization/localApiTokens/+",
		"drivr/v1/adam/systems/#",
		"drivr/v1/adam/componentModels/#",
		"drivr/v1/adam/eventModels/#",
		"drivr/v1/adam/organizations/#",
		"drivr/v1/adam/input/#",
	};
	char f[12][64];

	assert_int_equal(topics_fallback_filters("adam", &f[0][0], 12, 64), ARRAY_LEN(want));
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		assert_string_equal(f[i], want[i]);
	assert_int_equal(topics_fallback_filters("adam", &f[0][0], 3, 64), 3);
	assert_string_equal(f[2], want[2]);
	/* Slots of 20 bytes: the fourth filter does not fit, so stop there. */
	char narrow[9][20];
	assert_int_equal(topics_fallback_filters("adam", &narrow[0][0], 9, 20), 3);
	assert_string_equal(narrow[2], "drivr/v1/adam/jwks");
	assert_string_equal(narrow[3], "");
	const char *bad[] = { NULL, "", "a/b", "+", "#" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_int_equal(topics_fallback_filters(bad[i], &f[0][0], 12, 64), 0);
	assert_int_equal(topics_fallback_filters("adam", &f[0][0], 0, 64), 0);
}

/* The fallback list together still receives every fixture message. */
static void test_fallback_filters_cover_fixtures(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();

	for (size_t i = 0; i < ARRAY_LEN(fixtures); i++) {
		char path[256], slug[TOPIC_ID_MAX + 1], f[12][300];
		snprintf(path, sizeof(path), "tests/fixtures/%s", fixtures[i].file);
		char *topic = read_fixture_topic(path);
		struct topic_match m;
		match_str(t, topic, &m);
		sv_copy(m.ids[TOPIC_ID_SLUG], slug, sizeof(slug));
		size_t n = topics_fallback_filters(slug, &f[0][0], 12, 300);
		assert_int_equal(n, 9);
		bool covered = false;
		for (size_t k = 0; k < n; k++)
			covered |= filter_matches(f[k], topic);
		if (!covered)
			fail_msg("%s is received by no fallback filter", topic);
		free(topic);
	}
	/* The matcher itself tells these apart. */
	assert_false(filter_matches("drivr/v1/adam/state", "drivr/v1/adam/jwks"));
	assert_true(filter_matches("drivr/v1/adam/systems/#", "drivr/v1/adam/systems"));
	topics_free(t);
}

/* --- names and static facts --------------------------------------------- */

static void test_family_names(void **state)
{
	(void)state;
	struct topic_table *t = topics_new();

	for (int f = 0; f < TOPIC_UNCLASSIFIED; f++) {
		const char *name = topic_family_name(f);
		assert_int_equal(topic_family_from_name(name), f);
		for (int g = 0; g < f; g++)
			assert_string_not_equal(name, topic_family_name(g));
		assert_non_null(topics_pattern(t, f));
	}
	assert_string_equal(topic_family_name(TOPIC_SETPOINT_INPUT), "setpoint_input");
	assert_string_equal(topic_family_name(TOPIC_ERROR_REPLY), "error");
	assert_string_equal(topic_family_name(TOPIC_UNCLASSIFIED), "unclassified");
	assert_int_equal(topic_family_from_name("setpoint_ack"), TOPIC_SETPOINT_ACK);
	assert_int_equal(topic_family_from_name("Setpoint_Input"), TOPIC_UNCLASSIFIED);
	assert_int_equal(topic_family_from_name("nope"), TOPIC_UNCLASSIFIED);
	assert_int_equal(topic_family_from_name(""), TOPIC_UNCLASSIFIED);
	assert_int_equal(topic_family_from_name(NULL), TOPIC_UNCLASSIFIED);

	assert_int_equal(topic_family_direction(TOPIC_SYSTEM_INPUT), TOPIC_PUB);
	assert_int_equal(topic_family_direction(TOPIC_SYSTEM), TOPIC_SUB);
	assert_int_equal(topic_family_direction(TOPIC_ERROR_REPLY), TOPIC_SUB);
	assert_int_equal(topic_family_encoding(TOPIC_DOMAIN_STATE), TOPIC_ENC_STATE);
	assert_int_equal(topic_family_encoding(TOPIC_ERROR_REPLY), TOPIC_ENC_OPAQUE);
	assert_int_equal(topic_family_encoding(TOPIC_EVENT_ACK), TOPIC_ENC_FMT);
	assert_int_equal(topic_family_encoding(TOPIC_JWKS), TOPIC_ENC_JSON);
	assert_int_equal(topic_family_encoding(TOPIC_UNCLASSIFIED), TOPIC_ENC_OPAQUE);
	assert_int_equal(topic_family_confidence(TOPIC_SYSTEM), TOPIC_DOC);
	assert_int_equal(topic_family_confidence(TOPIC_COMPONENT), TOPIC_INFERRED);
	assert_int_equal(topic_family_confidence(TOPIC_EVENT), TOPIC_GAP);
	assert_int_equal(topic_family_confidence(TOPIC_EVENT_ACK), TOPIC_GAP);

	assert_string_equal(topic_confidence_name(TOPIC_DOC), "documented");
	assert_string_equal(topic_confidence_name(TOPIC_INFERRED), "inferred");
	assert_string_equal(topic_confidence_name(TOPIC_GAP), "gap");
	assert_string_equal(topic_id_name(TOPIC_ID_SYSTEM_UUID), "systemUuid");
	assert_string_equal(topic_id_name(TOPIC_ID_COMPONENT_MODEL_UUID), "componentModelUuid");
	assert_string_equal(topic_id_name(TOPIC_ID_INPUT), "input");
	assert_string_equal(topic_id_name(TOPIC_ID_COUNT), "unknown");

	assert_string_equal(topics_pattern(t, TOPIC_SYSTEM), "drivr/v1/{slug}/systems/{systemUuid}");
	assert_string_equal(topics_pattern(t, TOPIC_ERROR_REPLY),
			    "drivr/v1/{slug}/input/{input*}/error");
	assert_null(topics_pattern(t, TOPIC_UNCLASSIFIED));
	topics_free(t);
	topics_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_topics),
		cmocka_unit_test(test_fixtures_all_covered),
		cmocka_unit_test(test_state_topics),
		cmocka_unit_test(test_msgpack_variants),
		cmocka_unit_test(test_match_honours_length),
		cmocka_unit_test(test_error_appended_reading),
		cmocka_unit_test(test_error_replaced_reading),
		cmocka_unit_test(test_error_both_readings_every_input),
		cmocka_unit_test(test_error_unknown_input),
		cmocka_unit_test(test_unclassified_fixed),
		cmocka_unit_test(test_unclassified_long_ids),
		cmocka_unit_test(test_unclassified_deep),
		cmocka_unit_test(test_build_roundtrip_every_row),
		cmocka_unit_test(test_build_rejects),
		cmocka_unit_test(test_override_valid),
		cmocka_unit_test(test_override_invalid),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_file_errors),
		cmocka_unit_test(test_parse_text),
		cmocka_unit_test(test_config_file_as_topics_file),
		cmocka_unit_test(test_fallback_filters),
		cmocka_unit_test(test_fallback_filters_cover_fixtures),
		cmocka_unit_test(test_family_names),
	};
	return cmocka_run_group_tests_name("topics", tests, NULL, NULL);
}
