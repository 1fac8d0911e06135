/* check_dname.c: wire-form names: text round trips, limits, case, canonical order. */
#include <stdbool.h>
#include <string.h>

#include "testlib.h"
#include "zoned/dname.h"
#include "zoned/error.h"

struct text_case {
	const char *text;
	int length;              /* expected wire length, or a negative error */
	const char *back;        /* expected dname_to_text output */
};

static const struct text_case text_cases[] = {
	{"www.example.com", 17, "www.example.com."},
	{"www.example.com.", 17, "www.example.com."},
	{".", 1, "."},
	{"a\\.b.example", 13, "a\\.b.example."},
	{"\\065\\066c.x", 7, "ABc.x."},
	{"sp\\032ace.x", 10, "sp\\032ace.x."},
	{"a..b", ZONED_EINVAL, NULL},
	{".a", ZONED_EINVAL, NULL},
	{"bad\\256.x", ZONED_EINVAL, NULL},
	{"bad\\25", ZONED_EINVAL, NULL},
	{"x\\", ZONED_EINVAL, NULL},
	{"0123456789012345678901234567890123456789012345678901234567890123.com",
		ZONED_EINVAL, NULL},  /* 64-octet label */
};

START_TEST(test_from_text_table)
{
	const struct text_case *c = &text_cases[_i];
	uint8_t wire[DNAME_MAX_LENGTH];
	int length = dname_from_text(c->text, wire);
	ck_assert_int_eq(length, c->length);
	if (length > 0) {
		char text[1024];
		ck_assert_uint_eq(dname_length(wire), (size_t)length);
		dname_to_text(wire, text, sizeof text);
		ck_assert_str_eq(text, c->back);
		/* dname_format: the same without the final dot, but "." for the root. */
		size_t back_length = strlen(c->back), bare_length = back_length > 1
			? back_length - 1 : back_length;
		ck_assert_uint_eq(dname_format(wire, text, sizeof text), bare_length);
		ck_assert_uint_eq(strlen(text), bare_length);
		ck_assert_mem_eq(text, c->back, bare_length);
	}
}
END_TEST

START_TEST(test_max_lengths)
{
	char text[400];
	uint8_t wire[DNAME_MAX_LENGTH];
	/* 63-octet label is fine. */
	memset(text, 'a', 63);
	strcpy(text + 63, ".com");
	ck_assert_int_eq(dname_from_text(text, wire), 63 + 1 + 4 + 1);
	/* 4 labels of 63 = 256 octets with lengths and root: one too many. */
	size_t at = 0;
	for (int i = 0; i < 4; i++) {
		memset(text + at, 'b', 63);
		at += 63;
		text[at++] = '.';
	}
	text[at] = '\0';
	ck_assert_int_eq(dname_from_text(text, wire), ZONED_EINVAL);
	/* 3 labels of 63 and one of 61 = exactly 255. */
	text[3 * 64 + 61] = '.';
	text[3 * 64 + 62] = '\0';
	ck_assert_int_eq(dname_from_text(text, wire), 255);
}
END_TEST

START_TEST(test_case_folding)
{
	uint8_t a[DNAME_MAX_LENGTH], b[DNAME_MAX_LENGTH];
	dname_from_text("WwW.ExAmPlE.CoM", a);
	dname_from_text("www.example.com", b);
	ck_assert(dname_equal(a, b));
	dname_lower(a);
	ck_assert_mem_eq(a, b, 17);
	/* Only ASCII folds: 0xC4 stays. */
	ck_assert_uint_eq(dname_lower_table[0xC4], 0xC4);
	ck_assert_uint_eq(dname_lower_table['Z'], 'z');
	ck_assert_uint_eq(dname_lower_table['['], '[');
}
END_TEST

/* dname_is_subdomain: a name is below or at parent, case-insensitively, on label boundaries. */
static const struct subdomain_case {
	const char *name;
	const char *parent;
	bool expected;
} subdomain_cases[] = {
	{"a.B.example.com", "example.COM", true},
	{"example.COM", "example.COM", true},
	{"example.COM", ".", true},
	{"example.COM", "a.B.example.com", false},
	{"notexample.com", "example.COM", false},
};

START_TEST(test_subdomain_table)
{
	const struct subdomain_case *c = &subdomain_cases[_i];
	ck_assert_msg(dname_is_subdomain(testlib_name(c->name), testlib_name(c->parent)) == c->expected,
		"%s under %s", c->name, c->parent);
}
END_TEST

START_TEST(test_label_count)
{
	ck_assert_uint_eq(dname_label_count(testlib_name("example.COM")), 2);
	ck_assert_uint_eq(dname_label_count(testlib_name(".")), 0);
}
END_TEST

/* RFC 4034 6.1's example list, in canonical order. */
static const char *canonical_list[] = {
	"example", "a.example", "yljkjljk.a.example", "Z.a.example",
	"zABC.a.EXAMPLE", "z.example", "\\001.z.example", "*.z.example", "\\200.z.example",
};

START_TEST(test_canonical_order_rfc4034)
{
	size_t count = sizeof canonical_list / sizeof canonical_list[0];
	for (size_t i = 0; i + 1 < count; i++) {
		const uint8_t *a = testlib_name(canonical_list[i]);
		const uint8_t *b = testlib_name(canonical_list[i + 1]);
		ck_assert_int_lt(dname_compare_canonical(a, b), 0);
		ck_assert_int_gt(dname_compare_canonical(b, a), 0);
		ck_assert_int_eq(dname_compare_canonical(a, a), 0);
	}
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("dname");
	TCase *tc = tcase_create("dname");
	tcase_add_loop_test(tc, test_from_text_table, 0, sizeof text_cases / sizeof text_cases[0]);
	tcase_add_test(tc, test_max_lengths);
	tcase_add_test(tc, test_case_folding);
	tcase_add_loop_test(tc, test_subdomain_table, 0,
		sizeof subdomain_cases / sizeof subdomain_cases[0]);
	tcase_add_test(tc, test_label_count);
	tcase_add_test(tc, test_canonical_order_rfc4034);
	suite_add_tcase(suite, tc);
	return testlib_run(suite);
}
