/* dname.c: wire-form domain names: parse, print, compare, fold case. */
#include <string.h>

#include "zoned/dname.h"
#include "zoned/error.h"

/* The cast keeps clang from warning about the branch not taken for high octets. */
#define L(c) ((uint8_t)((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c)))
#define ROW(base) L(base), L(base + 1), L(base + 2), L(base + 3), \
	L(base + 4), L(base + 5), L(base + 6), L(base + 7)
const uint8_t dname_lower_table[256] = {
	ROW(0), ROW(8), ROW(16), ROW(24), ROW(32), ROW(40), ROW(48), ROW(56),
	ROW(64), ROW(72), ROW(80), ROW(88), ROW(96), ROW(104), ROW(112), ROW(120),
	ROW(128), ROW(136), ROW(144), ROW(152), ROW(160), ROW(168), ROW(176), ROW(184),
	ROW(192), ROW(200), ROW(208), ROW(216), ROW(224), ROW(232), ROW(240), ROW(248),
};
#undef ROW
#undef L

size_t
dname_read_escape(const char *text, uint8_t *octet)
{
	if (text[0] >= '0' && text[0] <= '9') {
		if (!(text[1] >= '0' && text[1] <= '9' && text[2] >= '0' && text[2] <= '9'))
			return 0;
		int value = (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
		if (value > 255)
			return 0;
		*octet = (uint8_t)value;
		return 3;
	}
	if (text[0] == '\0')
		return 0;
	*octet = (uint8_t)text[0];
	return 1;
}

int
dname_from_text(const char *text, uint8_t out[DNAME_MAX_LENGTH])
{
	size_t length = 0;
	if (strcmp(text, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	while (*text != '\0') {
		size_t label_start = length++;
		size_t label_length = 0;
		while (*text != '\0' && *text != '.') {
			uint8_t octet = (uint8_t)*text++;
			if (octet == '\\') {
				size_t used = dname_read_escape(text, &octet);
				if (used == 0)
					return ZONED_EINVAL;
				text += used;
			}
			if (label_length == DNAME_MAX_LABEL || length + 1 >= DNAME_MAX_LENGTH)
				return ZONED_EINVAL;
			out[length++] = octet;
			label_length++;
		}
		if (label_length == 0)
			return ZONED_EINVAL;  /* empty label: "a..b" or a leading dot */
		out[label_start] = (uint8_t)label_length;
		if (*text == '.')
			text++;
	}
	if (length == 0 || length + 1 > DNAME_MAX_LENGTH)
		return ZONED_EINVAL;
	out[length++] = 0;
	return (int)length;
}

size_t
dname_to_text(const uint8_t *name, char *out, size_t size)
{
	size_t written = 0;
	char buffer[DNAME_MAX_LENGTH * 4 + 2];
	if (*name == 0)
		buffer[written++] = '.';
	while (*name != 0) {
		uint8_t label_length = *name++;
		for (uint8_t i = 0; i < label_length; i++, name++) {
			uint8_t c = *name;
			if (c <= 0x20 || c >= 0x7f) {
				buffer[written++] = '\\';
				buffer[written++] = (char)('0' + c / 100);
				buffer[written++] = (char)('0' + c / 10 % 10);
				buffer[written++] = (char)('0' + c % 10);
			} else {
				if (strchr(".\\\"();@$", c) != NULL)
					buffer[written++] = '\\';
				buffer[written++] = (char)c;
			}
		}
		buffer[written++] = '.';
	}
	buffer[written] = '\0';
	if (size > 0) {
		size_t copy = written < size - 1 ? written : size - 1;
		memcpy(out, buffer, copy);
		out[copy] = '\0';
	}
	return written;
}

size_t
dname_format(const uint8_t *name, char *out, size_t size)
{
	size_t length = dname_to_text(name, out, size);
	if (length > 1 && length < size && out[length - 1] == '.')
		out[--length] = '\0';
	return length;
}

size_t
dname_length(const uint8_t *name)
{
	const uint8_t *start = name;
	while (*name != 0)
		name += *name + 1;
	return (size_t)(name - start) + 1;
}

unsigned
dname_label_count(const uint8_t *name)
{
	unsigned count = 0;
	for (; *name != 0; name += *name + 1)
		count++;
	return count;
}

void
dname_lower(uint8_t *name)
{
	while (*name != 0) {
		uint8_t label_length = *name++;
		for (uint8_t i = 0; i < label_length; i++, name++)
			*name = dname_lower_table[*name];
	}
}

bool
dname_equal(const uint8_t *a, const uint8_t *b)
{
	size_t length = dname_length(a);
	if (length != dname_length(b))
		return false;
	for (size_t i = 0; i < length; i++) {
		/* Length octets are never letters, so folding them is harmless. */
		if (dname_lower_table[a[i]] != dname_lower_table[b[i]])
			return false;
	}
	return true;
}

bool
dname_is_subdomain(const uint8_t *name, const uint8_t *ancestor)
{
	unsigned name_labels = dname_label_count(name);
	unsigned ancestor_labels = dname_label_count(ancestor);
	if (name_labels < ancestor_labels)
		return false;
	for (unsigned i = ancestor_labels; i < name_labels; i++)
		name += *name + 1;
	return dname_equal(name, ancestor);
}

/* Points labels[i] at each label of name, leftmost first; returns the count. */
static unsigned
dname_split_labels(const uint8_t *name, const uint8_t *labels[DNAME_MAX_LABELS])
{
	unsigned count = 0;
	for (; *name != 0; name += *name + 1)
		labels[count++] = name;
	return count;
}

int
dname_compare_canonical(const uint8_t *a, const uint8_t *b)
{
	const uint8_t *labels_a[DNAME_MAX_LABELS], *labels_b[DNAME_MAX_LABELS];
	unsigned count_a = dname_split_labels(a, labels_a);
	unsigned count_b = dname_split_labels(b, labels_b);
	/* RFC 4034 6.1: compare label by label from the root, lowercased. */
	while (count_a > 0 && count_b > 0) {
		const uint8_t *la = labels_a[--count_a], *lb = labels_b[--count_b];
		unsigned length_a = la[0], length_b = lb[0];
		unsigned shorter = length_a < length_b ? length_a : length_b;
		for (unsigned i = 1; i <= shorter; i++) {
			int diff = dname_lower_table[la[i]] - dname_lower_table[lb[i]];
			if (diff != 0)
				return diff;
		}
		if (length_a != length_b)
			return length_a < length_b ? -1 : 1;
	}
	if (count_a == count_b)
		return 0;
	return count_a < count_b ? -1 : 1;
}
