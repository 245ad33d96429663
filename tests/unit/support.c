/* support — see support.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

cJSON *test_read_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	cJSON *doc = cJSON_Parse(text);
	free(text);
	if (!doc)
		fail_msg("%s: not JSON", path);
	return doc;
}

void test_assert_str_at(const char *a, const char *b, const char *file, int line)
{
	if (!a && !b)
		return;
	if (!a || !b || strcmp(a, b) != 0)
		fail_msg("%s:%d: \"%s\" != \"%s\"", file, line, a ? a : "(null)", b ? b : "(null)");
}

void test_assert_value_equal_at(const struct value *a, const struct value *b, const char *file,
				int line)
{
	if (a->type != b->type)
		fail_msg("%s:%d: value type %d != %d", file, line, a->type, b->type);
	switch (a->type) {
	case VALUE_NUMBER:
		if (a->number != b->number || a->is_integer != b->is_integer)
			fail_msg("%s:%d: number %g%s != %g%s", file, line, a->number,
				 a->is_integer ? " (integer)" : "", b->number,
				 b->is_integer ? " (integer)" : "");
		break;
	case VALUE_BOOL:
		if (a->boolean != b->boolean)
			fail_msg("%s:%d: boolean %d != %d", file, line, a->boolean, b->boolean);
		break;
	case VALUE_STRING:
		test_assert_str_at(a->text, b->text, file, line);
		break;
	case VALUE_JSON:
		if (!cJSON_Compare(a->json, b->json, true))
			fail_msg("%s:%d: JSON values differ", file, line);
		break;
	default:
		break;
	}
}

void test_assert_address_equal_at(const struct stream_address *a, const struct stream_address *b,
				  const char *file, int line)
{
	test_assert_str_at(a->time_stream_uuid, b->time_stream_uuid, file, line);
	test_assert_str_at(a->system_uuid, b->system_uuid, file, line);
	test_assert_str_at(a->system_code, b->system_code, file, line);
	test_assert_str_at(a->component_uuid, b->component_uuid, file, line);
	test_assert_str_at(a->component_code, b->component_code, file, line);
	test_assert_str_at(a->service_uuid, b->service_uuid, file, line);
	test_assert_str_at(a->service_code, b->service_code, file, line);
	test_assert_str_at(a->characteristic_uuid, b->characteristic_uuid, file, line);
	test_assert_str_at(a->characteristic_code, b->characteristic_code, file, line);
	if (a->service_index != b->service_index)
		fail_msg("%s:%d: service index %d != %d", file, line, a->service_index,
			 b->service_index);
}
