/* Unit tests: ui/form — the modal form's keys (editing, focus, choices, the
 * preview step, cancel / confirm) and its preview lines.  No terminal: only
 * form_key and the preview buffer are exercised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ui/form.h"

struct owner {
	int checks;
	bool accept;
};

static void check(struct form *f)
{
	struct owner *o = f->ctx;
	o->checks++;
	f->fields[0].error[0] = '\0';
	if (strcmp(f->fields[0].text, "bad") == 0)
		snprintf(f->fields[0].error, sizeof(f->fields[0].error), "bad value");
}

static bool preview(struct form *f)
{
	struct owner *o = f->ctx;
	if (!o->accept) {
		snprintf(f->status, sizeof(f->status), "Refused before sending: no");
		return false;
	}
	form_preview_add(f, UI_ROLE_VALUE, "topic %s", f->fields[0].text);
	return true;
}

static void type(struct form *f, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		form_key(f, *p);
}

static void test_editing_and_focus(void **state)
{
	(void)state;
	struct owner o = { 0, true };
	struct form f;
	form_init(&f, "Test", &o);
	f.check = check;
	f.preview_fill = preview;
	form_add(&f, "Value", "72");
	struct form_field *ro = form_add(&f, "System", "uuid");
	ro->readonly = true;
	form_add(&f, "Note", "");
	assert_int_equal(f.focus, 0);
	type(&f, ".5");
	assert_string_equal(f.fields[0].text, "72.5");
	assert_int_equal(o.checks, 2); /* after every edit */
	form_key(&f, KEY_BACKSPACE);
	form_key(&f, KEY_BACKSPACE);
	assert_string_equal(f.fields[0].text, "72");
	/* UTF-8: one Backspace removes the whole character */
	type(&f, " \xc2\xb0");
	assert_string_equal(f.fields[0].text, "72 \xc2\xb0");
	form_key(&f, 127);
	assert_string_equal(f.fields[0].text, "72 ");
	form_key(&f, 21); /* Ctrl-u */
	assert_string_equal(f.fields[0].text, "");
	/* Tab skips the read-only field; Shift-Tab and Up go back, wrapping */
	form_key(&f, '\t');
	assert_int_equal(f.focus, 2);
	type(&f, "x");
	assert_string_equal(f.fields[2].text, "x");
	assert_string_equal(f.fields[1].text, "uuid");
	form_key(&f, '\t');
	assert_int_equal(f.focus, 0);
	form_key(&f, KEY_BTAB);
	assert_int_equal(f.focus, 2);
	form_key(&f, KEY_UP);
	assert_int_equal(f.focus, 0);
	/* a read-only field cannot be focused directly either */
	form_focus(&f, 1);
	assert_int_equal(f.focus, 0);
	/* control characters are not text */
	form_key(&f, 1);
	form_key(&f, 27 + 256);
	assert_string_equal(f.fields[0].text, "");
}

static void test_choices_cycle(void **state)
{
	(void)state;
	static const char *const modes[] = { "OFF", "ECO", "COMFORT" };
	struct owner o = { 0, true };
	struct form f;
	form_init(&f, "Test", &o);
	struct form_field *fld = form_add(&f, "Mode", "HOT");
	fld->choices = modes;
	fld->choice_count = 3;
	form_key(&f, KEY_RIGHT); /* not one of them: the first */
	assert_string_equal(fld->text, "OFF");
	form_key(&f, KEY_RIGHT);
	assert_string_equal(fld->text, "ECO");
	form_key(&f, KEY_LEFT);
	form_key(&f, KEY_LEFT); /* wraps */
	assert_string_equal(fld->text, "COMFORT");
	snprintf(fld->text, sizeof(fld->text), "nope");
	form_key(&f, KEY_LEFT); /* not one of them: the last */
	assert_string_equal(fld->text, "COMFORT");
}

static void test_preview_step(void **state)
{
	(void)state;
	struct owner o = { 0, false };
	struct form f;
	form_init(&f, "Test", &o);
	f.check = check;
	f.preview_fill = preview;
	form_add(&f, "Value", "45");
	/* refused: the form stays, the status says why */
	assert_int_equal(form_key(&f, '\r'), FORM_OPEN);
	assert_int_equal(f.step, FORM_EDIT);
	assert_string_equal(f.status, "Refused before sending: no");
	/* any edit clears the status */
	type(&f, "6");
	assert_string_equal(f.status, "");
	o.accept = true;
	assert_int_equal(form_key(&f, KEY_ENTER), FORM_OPEN);
	assert_int_equal(f.step, FORM_PREVIEW);
	assert_int_equal(f.preview_count, 1);
	assert_string_equal(f.preview + f.preview_off[0], "topic 456");
	/* typing does nothing in the preview; Esc goes back to editing */
	type(&f, "7");
	assert_string_equal(f.fields[0].text, "456");
	assert_int_equal(form_key(&f, 27), FORM_OPEN);
	assert_int_equal(f.step, FORM_EDIT);
	/* a second Enter rebuilds the preview (not appended to the old one) */
	form_key(&f, '\n');
	assert_int_equal(f.preview_count, 1);
	assert_int_equal(form_key(&f, '\n'), FORM_CONFIRMED);
	/* Esc while editing cancels */
	form_key(&f, 27);
	assert_int_equal(form_key(&f, 27), FORM_CANCELLED);
}

static void test_confirmation_without_fields(void **state)
{
	(void)state;
	struct form f;
	form_init(&f, "Acknowledge", NULL);
	form_preview_add(&f, UI_ROLE_HELP, "event %d", 7);
	form_show_preview(&f);
	assert_int_equal(form_key(&f, 'x'), FORM_OPEN);
	assert_int_equal(form_key(&f, 'y'), FORM_CONFIRMED);
	/* nothing to go back to: Esc cancels */
	assert_int_equal(form_key(&f, 27), FORM_CANCELLED);
	assert_int_equal(form_key(&f, 'n'), FORM_CANCELLED);
}

static void test_preview_lines_bounded(void **state)
{
	(void)state;
	struct form f;
	form_init(&f, "Test", NULL);
	char big[1500];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < FORM_PREVIEW_LINES + 10; i++)
		form_preview_add(&f, UI_ROLE_VALUE, "%s", big);
	assert_true(f.preview_count <= FORM_PREVIEW_LINES);
	assert_true(f.preview_used <= sizeof(f.preview));
	for (size_t i = 0; i < f.preview_count; i++)
		assert_true(f.preview_off[i] < sizeof(f.preview));
	form_preview_clear(&f);
	assert_int_equal(f.preview_count, 0);
	/* at most FORM_MAX_FIELDS fields */
	for (int i = 0; i < FORM_MAX_FIELDS; i++)
		assert_non_null(form_add(&f, "x", "y"));
	assert_null(form_add(&f, "x", "y"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_editing_and_focus),
		cmocka_unit_test(test_choices_cycle),
		cmocka_unit_test(test_preview_step),
		cmocka_unit_test(test_confirmation_without_fields),
		cmocka_unit_test(test_preview_lines_bounded),
	};
	return cmocka_run_group_tests_name("ui_form", tests, NULL, NULL);
}
