/* support — what several unit tests share: reading the fixtures (tests run
 * from the repository root) and comparing decoded values and addresses
 * field by field, with the caller's file and line in the failure. */
#ifndef DRIVR_TESTS_SUPPORT_H
#define DRIVR_TESTS_SUPPORT_H

#include <cJSON.h>

#include "decode.h"

/* The JSON document in the file at path (a fixture: {"topic", "payload"});
 * fails the test when it cannot be read or parsed.  Free with cJSON_Delete. */
cJSON *test_read_json(const char *path);

/* NULL-safe string compare: b == NULL means "absent". */
void test_assert_str_at(const char *a, const char *b, const char *file, int line);
#define assert_str(a, b) test_assert_str_at((a), (b), __FILE__, __LINE__)

void test_assert_value_equal_at(const struct value *a, const struct value *b, const char *file,
				int line);
#define value_assert_equal(a, b) test_assert_value_equal_at((a), (b), __FILE__, __LINE__)

void test_assert_address_equal_at(const struct stream_address *a, const struct stream_address *b,
				  const char *file, int line);
#define address_assert_equal(a, b) test_assert_address_equal_at((a), (b), __FILE__, __LINE__)

#endif
