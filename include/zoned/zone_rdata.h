/*
 * zone_rdata.h: one record's rdata tokens to wire form (through ldns, with
 * RFC 3597 generic rdata and BIND's error texts), and the name and TTL
 * syntax the master-file reader shares with it (types: rrtype.h).
 */
#ifndef ZONED_ZONE_RDATA_H
#define ZONED_ZONE_RDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/dname.h"

struct diag;
struct lex_record;
struct ldns_struct_rdf;

#define RDATA_MAX_LENGTH 65535

/* Reusable buffers; one per load. */
struct rdata_parser {
	uint8_t *data;                      /* the wire rdata of the last record */
	size_t length;
	char *text;                         /* the record as handed to ldns */
	size_t text_capacity;
	struct ldns_struct_rdf *origin_rdf; /* cached ldns copy of origin */
	uint8_t origin[DNAME_MAX_LENGTH];
	size_t origin_length;
};

/* Where the rdata comes from and where its problems go. */
struct rdata_source {
	const struct lex_record *record;
	size_t first;                       /* index of the first rdata token */
	uint16_t type;
	const uint8_t *origin;              /* for relative names in rdata */
	size_t origin_length;
	const char *file;
	struct diag *d;
};

/* Returns 0 or ZONED_ENOMEM. */
int rdata_parser_init(struct rdata_parser *parser);
void rdata_parser_free(struct rdata_parser *parser);

/*
 * Converts the rdata tokens to wire form in parser->data / length. Every
 * problem is reported to d as file:line with the offending token. Returns
 * 0, ZONED_ESYNTAX (reported) or ZONED_ENOMEM.
 */
int rdata_parse(struct rdata_parser *parser, const struct rdata_source *source);

/*
 * BIND's checks on the rdata tokens that ldns does not make (LOC syntax and
 * ranges, X25). Reports to source->d; returns 0 or ZONED_ESYNTAX.
 */
int rdata_check_text(const struct rdata_source *source);

/*
 * BIND's checks on the parsed wire rdata that ldns does not make: digest
 * lengths fixed by DS, CDS, SSHFP and ZONEMD digest types, an NSEC without
 * a type bitmap. Reports to source->d; returns 0 or ZONED_ESYNTAX.
 */
int rdata_check_wire(const uint8_t *data, size_t length, const struct rdata_source *source);

/*
 * Reports "near 'TOKEN': problem" for rdata token index, at the line BIND
 * gives: where the token before it ended (BIND's lexer gives the bad token
 * back, and with it the line count). Returns ZONED_ESYNTAX.
 */
int rdata_report_near(const struct rdata_source *source, size_t index, const char *problem);

/*
 * Reports "near eol: problem" (or "near eof" for a record the end of the
 * file cut) at the line of the record's last token. Returns ZONED_ESYNTAX.
 */
int rdata_report_eol(const struct rdata_source *source, const char *problem);

/*
 * Reports a record whose "(" the end of the file left open, once its rdata
 * parsed, as BIND does: "near eof: unbalanced parentheses" at eof_line for
 * a list of strings (TXT, SPF) or a type bitmap (NSEC, NSEC3), else "unbalanced parentheses" at the last
 * token's line. Returns
 * ZONED_ESYNTAX.
 */
int rdata_report_unbalanced(const struct rdata_source *source, unsigned long eof_line);

/*
 * Parses a presentation-format name; "@" is origin, a name without a
 * trailing dot is relative to origin. Returns the wire length, or 0 with
 * *problem set to BIND's words ("label too long", "empty label", "bad
 * escape", "ran out of space").
 */
size_t rdata_name_from_text(const char *text, const uint8_t *origin, size_t origin_length,
	uint8_t out[DNAME_MAX_LENGTH], const char **problem);

/*
 * TTL syntax as BIND's dns_ttl_fromtext: a number, or numbers with the
 * units w, d, h, m, s ("1h30m"; "1h30" is not a TTL). Returns false when
 * text is not a TTL or exceeds 2^32-1.
 */
bool rdata_ttl_from_text(const char *text, uint32_t *ttl);

#endif
