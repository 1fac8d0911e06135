/* check_rrtype.c: the RR type table: mnemonics, TYPEnnn/CLASSnnn, the type sets, rdata walks. */
#include <ldns/ldns.h>
#include <string.h>
#include <strings.h>

#include "testlib.h"
#include "zoned/rrtype.h"

/* Every row: its mnemonic parses back to it, in any case, and prints as itself. */
START_TEST(test_row_round_trip)
{
	const struct rrtype_info *row = rrtype_row((size_t)_i);
	ck_assert_ptr_nonnull(row);
	ck_assert_ptr_nonnull(row->mnemonic);
	ck_assert_ptr_eq(rrtype_info(row->type), row);
	char buffer[RRTYPE_TEXT_MAX], lower[32];
	ck_assert_str_eq(rrtype_to_text(row->type, buffer), row->mnemonic);
	uint16_t type = 0;
	ck_assert(rrtype_from_text(row->mnemonic, &type));
	ck_assert_uint_eq(type, row->type);
	size_t length = strlen(row->mnemonic);
	ck_assert_uint_lt(length, sizeof lower);
	for (size_t i = 0; i <= length; i++)
		lower[i] = (char)(row->mnemonic[i] | (row->mnemonic[i] >= 'A' ? 0x20 : 0));
	type = 0;
	ck_assert(rrtype_from_text(lower, &type));
	ck_assert_uint_eq(type, row->type);
	/* The generic form names the same type. */
	char generic[RRTYPE_TEXT_MAX];
	snprintf(generic, sizeof generic, "TYPE%u", (unsigned)row->type);
	type = 0;
	ck_assert(rrtype_from_text(generic, &type));
	ck_assert_uint_eq(type, row->type);
}
END_TEST

/*
 * The table knows exactly the types ldns parses: the loader hands rdata of
 * a known mnemonic to ldns, and zone dumps print ldns's names.
 */
START_TEST(test_rows_match_ldns)
{
	size_t rows = 0;
	for (uint32_t type = 1; type <= UINT16_MAX; type++) {
		const ldns_rr_descriptor *descriptor = ldns_rr_descript((uint16_t)type);
		bool ldns_knows = descriptor != NULL && descriptor->_type == type
			&& descriptor->_name != NULL;
		const char *mnemonic = rrtype_info((uint16_t)type)->mnemonic;
		if (ldns_knows) {
			ck_assert_msg(mnemonic != NULL, "type %u missing", type);
			ck_assert_str_eq(mnemonic, descriptor->_name);
		} else if (mnemonic != NULL) {
			/* The QTYPEs ldns knows by name only (ldns_get_rr_type_by_name). */
			ck_assert_uint_eq(ldns_get_rr_type_by_name(mnemonic), type);
			ck_assert(rrtype_is_meta((uint16_t)type));
		}
		rows += mnemonic != NULL;
	}
	ck_assert_uint_eq(rows, rrtype_count());
	ck_assert_ptr_null(rrtype_row(rows));
}
END_TEST

/* A type or class in text: parsed to value, or refused (ok false). */
struct text_case {
	bool is_class;
	const char *text;
	bool ok;
	uint16_t value;
};

#define T(text, ok, value) { false, text, ok, value }
#define C(text, ok, value) { true, text, ok, value }

static const struct text_case text_cases[] = {
	T("A", true, 1), T("aaaa", true, 28), T("Nsec3Param", true, 51),
	T("NSAP-PTR", true, 23), T("nsap-ptr", true, 23), T("A6", true, 38),
	T("DLV", true, 32769), T("ANY", true, 255), T("AXFR", true, 252),
	T("TYPE0", true, 0), T("TYPE1", true, 1), T("type65000", true, 65000),
	T("TYPE65535", true, 65535), T("TYPE260", true, 260), T("TYPE007", true, 7),
	T("TYPE65536", false, 0), T("TYPE", false, 0), T("TYPEx", false, 0),
	T("TYPE-1", false, 0), T("TYPE 1", false, 0), T("FOO", false, 0),
	T("", false, 0), T("AMTRELAY", false, 0), T("A ", false, 0), T("IN", false, 0),
	C("IN", true, 1), C("in", true, 1), C("CH", true, 3), C("chaos", true, 3),
	C("HS", true, 4), C("HESIOD", true, 4), C("NONE", true, 254), C("ANY", true, 255),
	C("CLASS1", true, 1), C("class65535", true, 65535), C("CLASS0", true, 0),
	C("CLASS65536", false, 0), C("CLASS", false, 0), C("CLASS1x", false, 0),
	C("XX", false, 0), C("", false, 0), C("A", false, 0),
};

START_TEST(test_from_text)
{
	const struct text_case *c = &text_cases[_i];
	uint16_t value = 4242;
	bool ok = c->is_class ? rrclass_from_text(c->text, &value)
		: rrtype_from_text(c->text, &value);
	ck_assert_msg(ok == c->ok, "%s", c->text);
	ck_assert_uint_eq(value, c->ok ? c->value : 4242);
}
END_TEST

struct number_case {
	uint16_t value;
	const char *type_text;
	const char *class_text;
};

static const struct number_case number_cases[] = {
	{ 0, "TYPE0", "CLASS0" }, { 1, "A", "IN" }, { 2, "NS", "CLASS2" }, { 3, "MD", "CH" },
	{ 4, "MF", "HS" }, { 54, "TYPE54", "CLASS54" }, { 254, "MAILA", "NONE" },
	{ 255, "ANY", "ANY" }, { 257, "CAA", "CLASS257" }, { 258, "TYPE258", "CLASS258" },
	{ 32768, "TYPE32768", "CLASS32768" }, { 32769, "DLV", "CLASS32769" },
	{ 65000, "TYPE65000", "CLASS65000" }, { 65535, "TYPE65535", "CLASS65535" },
};

START_TEST(test_number_to_text)
{
	const struct number_case *c = &number_cases[_i];
	char buffer[RRTYPE_TEXT_MAX];
	ck_assert_str_eq(rrtype_to_text(c->value, buffer), c->type_text);
	ck_assert_str_eq(rrclass_to_text(c->value, buffer), c->class_text);
}
END_TEST

/* True when type is in the zero-terminated list. */
static bool
type_in(uint16_t type, const uint16_t *list)
{
	for (; *list != 0; list++) {
		if (*list == type)
			return true;
	}
	return false;
}

static bool
row_has_field(const struct rrtype_info *row, enum rrtype_field field)
{
	for (size_t i = 0; i < RRTYPE_FIELDS_MAX && row->fields[i] != RRTYPE_FIELD_END; i++) {
		if (row->fields[i] == field)
			return true;
	}
	return false;
}

/* RFC 3597 4: exactly the RFC 1035 types have compressible names. */
START_TEST(test_compressible_set)
{
	static const uint16_t compressible[] = { RRTYPE_NS, RRTYPE_MD, RRTYPE_MF,
		RRTYPE_CNAME, RRTYPE_SOA, RRTYPE_MB, RRTYPE_MG, RRTYPE_MR, RRTYPE_PTR,
		RRTYPE_MINFO, RRTYPE_MX, 0 };
	const struct rrtype_info *row = rrtype_row((size_t)_i);
	bool listed = type_in(row->type, compressible);
	ck_assert_msg(row_has_field(row, RRTYPE_FIELD_NAME_COMPRESSED) == listed, "%s",
		row->mnemonic);
	ck_assert_int_eq(row->compressed_names > 0, listed);
	if (!listed)
		return;
	/* compressed_offset/names say what the fields say: fixed fields, then the names in a row. */
	size_t offset = 0, i = 0;
	uint8_t zero[16] = { 0 };
	for (; row->fields[i] != RRTYPE_FIELD_NAME_COMPRESSED; i++)
		offset += rrtype_field_length(row->fields[i], zero, sizeof zero, 0);
	ck_assert_uint_eq(offset, row->compressed_offset);
	for (size_t k = 0; k < row->compressed_names; k++)
		ck_assert_int_eq(row->fields[i + k], RRTYPE_FIELD_NAME_COMPRESSED);
	ck_assert_int_ne(row->fields[i + row->compressed_names], RRTYPE_FIELD_NAME_COMPRESSED);
}
END_TEST

struct target_case {
	uint16_t type;
	int offset;
	bool dot_is_owner;
};

static const struct target_case target_cases[] = {
	{ RRTYPE_NS, 0, false }, { RRTYPE_MX, 2, false }, { RRTYPE_SRV, 6, false },
	{ RRTYPE_SVCB, 2, true }, { RRTYPE_HTTPS, 2, true },
};

/* The additional-section targets: the offset is where the rdata's first name starts. */
START_TEST(test_additional_targets)
{
	const struct target_case *c = &target_cases[_i];
	const struct rrtype_info *row = rrtype_info(c->type);
	ck_assert_int_eq(rrtype_target_offset(c->type), c->offset);
	ck_assert(row->flags & RRTYPE_ADDITIONAL);
	ck_assert_int_eq(row->target_offset, c->offset);
	ck_assert_int_eq((row->flags & RRTYPE_TARGET_DOT_IS_OWNER) != 0, c->dot_is_owner);
	uint8_t rdata[32] = { 0 };
	memcpy(rdata + c->offset, "\003www\007example\000", 13);
	ck_assert_ptr_eq(rrtype_rdata_name(c->type, rdata, (size_t)c->offset + 13 + 4, 0),
		rdata + c->offset);
}
END_TEST

/* No other row has a target, and only SVCB and HTTPS read "." as the owner. */
START_TEST(test_no_other_targets)
{
	const struct rrtype_info *row = rrtype_row((size_t)_i);
	bool listed = false;
	for (size_t i = 0; i < sizeof target_cases / sizeof target_cases[0]; i++)
		listed = listed || target_cases[i].type == row->type;
	if (!listed) {
		ck_assert_int_eq(rrtype_target_offset(row->type), -1);
		ck_assert_int_eq(row->flags & (RRTYPE_ADDITIONAL | RRTYPE_TARGET_DOT_IS_OWNER), 0);
	}
}
END_TEST

/* Each flag marks exactly its set of types. */
struct flag_case {
	unsigned flag;
	uint16_t types[12];   /* zero-terminated */
};

static const struct flag_case flag_cases[] = {
	/* RFC 2181 10.1 and RFC 4035 2.5, as named-checkzone 9.18 allows them (not NXT). */
	{ RRTYPE_AT_CNAME, { RRTYPE_KEY, RRTYPE_SIG, RRTYPE_RRSIG, RRTYPE_NSEC } },
	{ RRTYPE_DNSSEC, { RRTYPE_DS, RRTYPE_RRSIG, RRTYPE_NSEC, RRTYPE_DNSKEY, RRTYPE_NSEC3,
		RRTYPE_NSEC3PARAM, RRTYPE_CDS, RRTYPE_CDNSKEY, RRTYPE_DLV } },
	{ RRTYPE_META, { RRTYPE_OPT, RRTYPE_TKEY, RRTYPE_TSIG, RRTYPE_IXFR, RRTYPE_AXFR,
		RRTYPE_MAILB, RRTYPE_MAILA, RRTYPE_ANY } },
	{ RRTYPE_SINGLETON, { RRTYPE_SOA, RRTYPE_CNAME, RRTYPE_DNAME } },
	{ RRTYPE_PARENT_SIDE, { RRTYPE_DS } },
};

START_TEST(test_flag_sets)
{
	const struct flag_case *c = &flag_cases[_i];
	for (size_t i = 0; i < rrtype_count(); i++) {
		const struct rrtype_info *row = rrtype_row(i);
		ck_assert_msg(((row->flags & c->flag) != 0) == type_in(row->type, c->types),
			"flag %#x on %s", c->flag, row->mnemonic);
	}
}
END_TEST

START_TEST(test_predicates)
{
	ck_assert(rrtype_allowed_at_cname(RRTYPE_RRSIG));
	ck_assert(rrtype_allowed_at_cname(RRTYPE_NSEC));
	ck_assert(!rrtype_allowed_at_cname(RRTYPE_A));
	ck_assert(!rrtype_allowed_at_cname(RRTYPE_CNAME));
	ck_assert(!rrtype_allowed_at_cname(RRTYPE_NSEC3));
	ck_assert(rrtype_is_dnssec(RRTYPE_NSEC3));
	ck_assert(rrtype_is_dnssec(RRTYPE_DLV));
	ck_assert(!rrtype_is_dnssec(RRTYPE_KEY));
	ck_assert(rrtype_is_singleton(RRTYPE_CNAME));
	ck_assert(!rrtype_is_singleton(RRTYPE_NS));
	/* RFC 6895 3.1: type 0, OPT and 128-255 may not be zone data. */
	static const uint16_t meta[] = { 0, RRTYPE_OPT, 128, 200, RRTYPE_TKEY, RRTYPE_TSIG,
		RRTYPE_IXFR, RRTYPE_AXFR, RRTYPE_MAILB, RRTYPE_MAILA, RRTYPE_ANY };
	for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++)
		ck_assert_msg(rrtype_is_meta(meta[i]), "%u", meta[i]);
	static const uint16_t data[] = { RRTYPE_A, RRTYPE_SOA, 54, 127, RRTYPE_URI, 258,
		RRTYPE_DLV, 65535 };
	for (size_t i = 0; i < sizeof data / sizeof data[0]; i++)
		ck_assert_msg(!rrtype_is_meta(data[i]), "%u", data[i]);
	/* Unknown types, dense and sparse: a row without a mnemonic. */
	static const uint16_t unknown[] = { 0, 54, 66, 258, 32768, 65535 };
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		const struct rrtype_info *row = rrtype_info(unknown[i]);
		ck_assert(!rrtype_is_known(unknown[i]));
		ck_assert_ptr_null(row->mnemonic);
		ck_assert_int_eq(rrtype_target_offset(unknown[i]), -1);
		ck_assert_int_eq(row->flags, 0);
		ck_assert_int_eq(row->fields[0], RRTYPE_FIELD_END);
		ck_assert_ptr_null(rrtype_rdata_name(unknown[i], (const uint8_t *)"\0", 1, 0));
	}
}
END_TEST

/* Names found by walking the fields, and rdata too short to hold them. */
struct name_case {
	uint16_t type;
	const char *rdata;
	size_t length;
	unsigned index;
	int offset;           /* where the name starts, or -1 for none */
};

static const struct name_case name_cases[] = {
	{ RRTYPE_NS, "\002ns\000", 4, 0, 0 },
	{ RRTYPE_NS, "\002ns\000", 4, 1, -1 },
	{ RRTYPE_NS, "\002ns", 3, 0, -1 },                       /* no root label */
	{ RRTYPE_SOA, "\001a\000\001b\000" "12345678901234567890", 26, 0, 0 },
	{ RRTYPE_SOA, "\001a\000\001b\000" "12345678901234567890", 26, 1, 3 },
	{ RRTYPE_SOA, "\001a\000\001b\000" "12345678901234567890", 26, 2, -1 },
	{ RRTYPE_MX, "\000\012\002mx\000", 6, 0, 2 },
	{ RRTYPE_MX, "\000", 1, 0, -1 },
	{ RRTYPE_SRV, "\000\001\000\002\000\065\001s\000", 9, 0, 6 },
	{ RRTYPE_NAPTR, "\000\001\000\002\001u\002ab\000\001r\000", 13, 0, 10 },
	{ RRTYPE_NAPTR, "\000\001\000\002\001u\011ab", 9, 0, -1 },  /* string overruns */
	{ RRTYPE_RRSIG, "\000\001\010\002\000\000\000\074\000\000\000\001\000\000\000\000"
		"\000\001\001s\000\377", 22, 0, 18 },
	{ RRTYPE_SVCB, "\000\001\000", 3, 0, 2 },                /* "." target */
	{ RRTYPE_A, "\300\000\002\001", 4, 0, -1 },
	{ RRTYPE_TXT, "\002ab", 3, 0, -1 },
	{ RRTYPE_CNAME, "\300\014", 2, 0, -1 },                  /* a pointer is not a name */
};

START_TEST(test_rdata_names)
{
	const struct name_case *c = &name_cases[_i];
	const uint8_t *rdata = (const uint8_t *)c->rdata;
	const uint8_t *name = rrtype_rdata_name(c->type, rdata, c->length, c->index);
	if (c->offset < 0)
		ck_assert_ptr_null(name);
	else
		ck_assert_ptr_eq(name, rdata + c->offset);
}
END_TEST

struct field_case {
	enum rrtype_field field;
	const char *rdata;
	size_t length, offset, expected;
};

static const struct field_case field_cases[] = {
	{ RRTYPE_FIELD_U8, "\001", 1, 0, 1 },
	{ RRTYPE_FIELD_U16, "\001", 1, 0, RRTYPE_FIELD_BAD },
	{ RRTYPE_FIELD_U32, "\001\002\003\004", 4, 0, 4 },
	{ RRTYPE_FIELD_U48, "123456", 6, 0, 6 },
	{ RRTYPE_FIELD_ADDRESS6, "1234567890123456", 16, 0, 16 },
	{ RRTYPE_FIELD_ADDRESS6, "123456789012345", 15, 0, RRTYPE_FIELD_BAD },
	{ RRTYPE_FIELD_STRING, "\003abc", 4, 0, 4 },
	{ RRTYPE_FIELD_STRING, "\003ab", 3, 0, RRTYPE_FIELD_BAD },
	{ RRTYPE_FIELD_STRINGS, "\001a\000\002bc", 6, 0, 6 },
	{ RRTYPE_FIELD_STRINGS, "\001a\003bc", 5, 0, RRTYPE_FIELD_BAD },
	{ RRTYPE_FIELD_STRINGS, "", 0, 0, 0 },
	{ RRTYPE_FIELD_BINARY_U16, "\000\002ab", 4, 0, 4 },
	{ RRTYPE_FIELD_BINARY_U16, "\000\003ab", 4, 0, RRTYPE_FIELD_BAD },
	{ RRTYPE_FIELD_REMAINDER, "abcd", 4, 1, 3 },
	{ RRTYPE_FIELD_REMAINDER, "abcd", 4, 5, RRTYPE_FIELD_BAD },
	{ RRTYPE_FIELD_NAME, "x\001a\000", 4, 1, 3 },
	{ RRTYPE_FIELD_NAME, "\100", 1, 0, RRTYPE_FIELD_BAD },     /* label over 63 */
	{ RRTYPE_FIELD_END, "", 0, 0, RRTYPE_FIELD_BAD },
};

START_TEST(test_field_lengths)
{
	const struct field_case *c = &field_cases[_i];
	ck_assert_uint_eq(rrtype_field_length(c->field, (const uint8_t *)c->rdata, c->length,
		c->offset), c->expected);
}
END_TEST

START_TEST(test_name_length_limit)
{
	/* 128 one-octet labels are 257 octets: over RFC 1035's 255. */
	uint8_t name[300];
	for (size_t i = 0; i < 128; i++) {
		name[2 * i] = 1;
		name[2 * i + 1] = 'a';
	}
	name[256] = 0;
	ck_assert_uint_eq(rrtype_name_length(name, sizeof name, 0), 0);
	ck_assert_uint_eq(rrtype_name_length(name, sizeof name, 4), 253);
	ck_assert_uint_eq(rrtype_name_length(name, 256, 4), 0);
}
END_TEST

/* The walker over a stored RRset: (2-octet rdlength, rdata) records. */
START_TEST(test_rdata_cursor)
{
	static const uint8_t records[] = { 0, 1, 'a', 0, 0, 0, 3, 'b', 'c', 'd', 0 };
	struct rdata_cursor cursor = rdata_cursor_start(records, sizeof records);
	const uint8_t *rdata;
	uint16_t length;
	ck_assert(rdata_cursor_next(&cursor, &rdata, &length));
	ck_assert_uint_eq(length, 1);
	ck_assert_ptr_eq(rdata, records + 2);
	ck_assert(rdata_cursor_next(&cursor, &rdata, &length));
	ck_assert_uint_eq(length, 0);
	ck_assert(rdata_cursor_next(&cursor, &rdata, &length));
	ck_assert_uint_eq(length, 3);
	ck_assert_mem_eq(rdata, "bcd", 3);
	/* One stray octet is not a record. */
	ck_assert(!rdata_cursor_next(&cursor, &rdata, &length));
	cursor = rdata_cursor_start(records, 0);
	ck_assert(!rdata_cursor_next(&cursor, &rdata, &length));
}
END_TEST

int
main(void)
{
	int rows = (int)rrtype_count();
	Suite *suite = suite_create("rrtype");
	TCase *tc = tcase_create("rrtype");
	tcase_add_loop_test(tc, test_row_round_trip, 0, rows);
	tcase_add_test(tc, test_rows_match_ldns);
	tcase_add_loop_test(tc, test_from_text, 0, sizeof text_cases / sizeof text_cases[0]);
	tcase_add_loop_test(tc, test_number_to_text, 0,
		sizeof number_cases / sizeof number_cases[0]);
	tcase_add_loop_test(tc, test_compressible_set, 0, rows);
	tcase_add_loop_test(tc, test_additional_targets, 0,
		sizeof target_cases / sizeof target_cases[0]);
	tcase_add_loop_test(tc, test_no_other_targets, 0, rows);
	tcase_add_loop_test(tc, test_flag_sets, 0, sizeof flag_cases / sizeof flag_cases[0]);
	tcase_add_test(tc, test_predicates);
	tcase_add_loop_test(tc, test_rdata_names, 0, sizeof name_cases / sizeof name_cases[0]);
	tcase_add_loop_test(tc, test_field_lengths, 0, sizeof field_cases / sizeof field_cases[0]);
	tcase_add_test(tc, test_name_length_limit);
	tcase_add_test(tc, test_rdata_cursor);
	suite_add_tcase(suite, tc);
	return testlib_run(suite);
}
