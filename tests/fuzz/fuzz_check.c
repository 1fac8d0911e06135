/* fuzz_check.c: what every response and every loader result must satisfy; the targets' input copy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "zoned/rrtype.h"

#define HEADER_LENGTH 12
#define RCODE_FORMERR 1
#define CLASSIC_UDP_LIMIT 512  /* RFC 1035 4.2.1 without EDNS */

void
fuzz_fail(const char *target, const char *what)
{
	fprintf(stderr, "fuzz %s: %s\n", target, what);
	fflush(stderr);
	abort();
}

void *
fuzz_copy_input(const char *target, const uint8_t *data, size_t size)
{
	void *copy = malloc(size > 0 ? size : 1);
	if (copy == NULL)
		fuzz_fail(target, "out of memory");
	memcpy(copy, data, size);
	return copy;
}

void
fuzz_check_load_result(const char *target, const char *what, int status, const void *loaded,
	unsigned long errors, int enomem_status)
{
	static char problem[128];
	if (status == 0 && loaded == NULL)
		snprintf(problem, sizeof problem, "success without a %s", what);
	else if (status != 0 && loaded != NULL)
		snprintf(problem, sizeof problem, "a %s returned with an error", what);
	else if (status != 0 && status != enomem_status && errors == 0)
		snprintf(problem, sizeof problem, "failed without reporting an error");
	else
		return;
	fuzz_fail(target, problem);
}

int
fuzz_names_special_file(const uint8_t *data, size_t size)
{
	/* $INCLUDE /dev/zero or include "/proc/..." would hang or eat memory:
	 * a property of the fuzzing machine, not of the parser. */
	static const char *const needles[] = {"/dev", "/proc", "/sys", "dev/", "fd/"};
	for (size_t n = 0; n < sizeof(needles) / sizeof(needles[0]); n++) {
		size_t length = strlen(needles[n]);
		for (size_t i = 0; i + length <= size; i++) {
			if (memcmp(data + i, needles[n], length) == 0)
				return 1;
		}
	}
	return 0;
}

static unsigned
check_u16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * Walks the name at *offset. RFC 1035 4.1.4: a pointer refers to a prior
 * occurrence, so it must point strictly before the name that uses it, which
 * also rules out loops. Returns NULL and advances *offset past the name.
 */
static const char *
check_name(const uint8_t *message, size_t length, size_t *offset, int *is_root)
{
	size_t position = *offset;
	size_t limit = *offset;     /* pointers must go below this */
	size_t name_length = 1;     /* the root label */
	int jumped = 0;
	int labels = 0;
	for (;;) {
		if (position >= length)
			return "name runs past the end";
		uint8_t octet = message[position];
		if ((octet & 0xc0) == 0xc0) {
			if (position + 1 >= length)
				return "pointer runs past the end";
			size_t target = (size_t)(octet & 0x3f) << 8 | message[position + 1];
			if (target >= limit)
				return "compression pointer does not point backwards";
			if (!jumped)
				*offset = position + 2;
			jumped = 1;
			limit = target;
			position = target;
			continue;
		}
		if ((octet & 0xc0) != 0)
			return "bad label type";
		if (octet == 0) {
			if (!jumped)
				*offset = position + 1;
			*is_root = labels == 0;
			return NULL;
		}
		name_length += 1u + octet;
		if (name_length > 255)
			return "name over 255 octets";
		if (position + 1 + octet > length)
			return "label runs past the end";
		position += 1u + octet;
		labels++;
	}
}

static const char *
check_records(const uint8_t *message, size_t length, size_t *offset, unsigned count,
	int additional, unsigned *opt_count)
{
	for (unsigned i = 0; i < count; i++) {
		int is_root = 0;
		const char *problem = check_name(message, length, offset, &is_root);
		if (problem != NULL)
			return problem;
		if (*offset + 10 > length)
			return "RR header runs past the end";
		unsigned type = check_u16(message + *offset);
		unsigned rdlength = check_u16(message + *offset + 8);
		*offset += 10;
		if (*offset + rdlength > length)
			return "rdata runs past the end";
		if (type == RRTYPE_OPT) {
			if (!additional)
				return "OPT outside the additional section";
			if (!is_root)
				return "OPT owner is not the root";
			(*opt_count)++;
		}
		*offset += rdlength;
	}
	return NULL;
}

const char *
fuzz_check_response(const uint8_t *query, size_t query_length,
	const uint8_t *response, size_t length, size_t limit, int udp)
{
	if (length < HEADER_LENGTH)
		return "response shorter than a header";
	if (length > limit)
		return "response longer than the transport allows";
	if (query_length < HEADER_LENGTH)
		return "answered a query shorter than a header";
	if (memcmp(query, response, 2) != 0)
		return "response ID differs from the query's";
	if ((response[2] & 0x80) == 0)
		return "response without QR";
	if ((query[2] & 0x80) != 0)
		return "answered a message with QR set";
	unsigned qdcount = check_u16(response + 4);
	unsigned ancount = check_u16(response + 6);
	unsigned nscount = check_u16(response + 8);
	unsigned arcount = check_u16(response + 10);
	if (qdcount > 1)
		return "more than one question in the response";
	size_t offset = HEADER_LENGTH;
	if (qdcount == 1) {
		int is_root = 0;
		const char *problem = check_name(response, length, &offset, &is_root);
		if (problem != NULL)
			return problem;
		if (offset + 4 > length)
			return "question runs past the end";
		offset += 4;
	}
	unsigned opt_count = 0;
	const char *problem = check_records(response, length, &offset, ancount, 0, &opt_count);
	if (problem == NULL)
		problem = check_records(response, length, &offset, nscount, 0, &opt_count);
	if (problem == NULL)
		problem = check_records(response, length, &offset, arcount, 1, &opt_count);
	if (problem != NULL)
		return problem;
	if (offset != length)
		return "octets left over after the last record";
	if (opt_count > 1)
		return "more than one OPT";
	if ((response[3] & 0x0f) == RCODE_FORMERR && (ancount != 0 || nscount != 0))
		return "FORMERR with answer or authority records";
	/* RFC 6891 7: no OPT in the response unless the query had one, and
	 * without EDNS a UDP answer stays within 512 octets. */
	if (udp && opt_count == 0 && length > CLASSIC_UDP_LIMIT)
		return "UDP response over 512 octets without EDNS";
	return NULL;
}
