/* dname.h: domain names in uncompressed wire form (RFC 1035 3.1). */
#ifndef ZONED_DNAME_H
#define ZONED_DNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNAME_MAX_LENGTH 255  /* octets in wire form, root label included */
#define DNAME_MAX_LABEL 63
#define DNAME_MAX_LABELS 128

/* ASCII-only lowercase table: DNS case folding is not locale dependent. */
extern const uint8_t dname_lower_table[256];

/*
 * Parses presentation format ("www.example.com", "a\.b.", "\065.x") into wire
 * form. A name without a trailing dot is taken as absolute. Returns the wire
 * length, or ZONED_EINVAL for an empty label, a label over 63 or a name
 * over 255 octets, or a bad escape.
 */
int dname_from_text(const char *text, uint8_t out[DNAME_MAX_LENGTH]);

/*
 * Reads the \DDD or \c escape whose backslash precedes text (RFC 1035 5.1).
 * Stores the octet and returns the characters used, or 0 for a bad escape
 * (\DDD over 255, fewer than three digits, nothing after the backslash).
 */
size_t dname_read_escape(const char *text, uint8_t *octet);

/*
 * Writes name in presentation format with a trailing dot, escaping
 * non-printable octets as \DDD and '.', '\\', '"', '(', ')', ';', '@', '$' as \c.
 * Returns the text length (not counting NUL); output is truncated to fit size.
 */
size_t dname_to_text(const uint8_t *name, char *out, size_t size);

/*
 * dname_to_text() without the trailing dot but for the root ("." stays),
 * as BIND's dns_name_format() writes names in messages. Returns the length.
 */
size_t dname_format(const uint8_t *name, char *out, size_t size);

/* Returns the wire length of a valid uncompressed name. */
size_t dname_length(const uint8_t *name);

/* Returns the number of labels, not counting the root. */
unsigned dname_label_count(const uint8_t *name);

/* Lowercases a valid uncompressed name in place. */
void dname_lower(uint8_t *name);

/* True when the names are equal ignoring ASCII case. */
bool dname_equal(const uint8_t *a, const uint8_t *b);

/* True when name equals ancestor or lies below it, ignoring case. */
bool dname_is_subdomain(const uint8_t *name, const uint8_t *ancestor);

/* RFC 4034 6.1 canonical order: <0, 0, >0 like memcmp. */
int dname_compare_canonical(const uint8_t *a, const uint8_t *b);

#endif
