/*
 * zone_load_internal.h: the state the master-file reader (zone_load.c)
 * shares with its directives ($TTL, $ORIGIN, $INCLUDE, $GENERATE in
 * zone_load_directive.c). Internal to the loader.
 */
#ifndef ZONED_ZONE_LOAD_INTERNAL_H
#define ZONED_ZONE_LOAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/zone_check.h"
#include "zoned/zone_lex.h"
#include "zoned/zone_load.h"
#include "zoned/zone_rdata.h"

/* RFC 2181 8: a TTL with the top bit set is treated as zero (BIND warns). */
#define LOAD_TTL_MAX 0x7fffffffu

/* State shared by the zone file and all its includes. */
struct load_state {
	struct zone *zone;
	struct diag *d;
	const struct zone_load_options *options;
	struct zone_check_modes modes;
	unsigned max_depth;
	uint16_t zone_class;
	/* TTL defaults (RFC 1035 5.1, RFC 2308 4), global as in BIND. */
	uint32_t default_ttl;        /* from $TTL or the SOA MINIMUM */
	uint32_t last_ttl;           /* the last explicit TTL */
	bool default_ttl_known;
	bool last_ttl_known;
	bool warned_rfc1035;
	bool warned_expired;         /* "signature has expired" is said once (BIND) */
	bool warned_old_dnssec;      /* so is "old style DNSSEC zone detected" */
	size_t records;
	unsigned long syntax_errors; /* reported by the reader itself */
	int failure;                 /* a ZONED_ code that is not a syntax error, else 0 */
	bool stop;                   /* stop reading (out of memory, limit) */
	/*
	 * After an SOA below the apex BIND reads on to the end of the line,
	 * but its record already took that: a record starting on the next
	 * line (skip_line) is dropped unread, and an end of input there is
	 * taken for a file without a final newline. 0: nothing to skip.
	 */
	unsigned long skip_line;
	struct lex_record record;
	struct rdata_parser rdata;
	/* options->conflicts_as_read: BIND's runs of records (zone_load_runs.c). */
	struct load_runs *runs;
	/* zone_load_piece(): records go here instead of to a zone. */
	zone_load_sink *sink;
	void *sink_arg;
};

/* One file being read: the zone file or an $INCLUDE. */
struct load_file {
	const char *name;            /* for messages */
	struct lex_input input;
	uint8_t origin[DNAME_MAX_LENGTH];
	uint8_t owner[DNAME_MAX_LENGTH];
	size_t origin_length;
	bool have_owner;
	bool origin_changed;         /* $ORIGIN seen and no record since */
	bool out_of_zone;            /* the owner is outside the zone: records are dropped */
	unsigned depth;              /* 0 for the zone file */
};

/* Reads file to its end (records, directives, includes). */
void load_file_run(struct load_state *state, struct load_file *file);

/* Reports an error at file:line and counts it as a syntax error. */
void load_error(struct load_state *state, const struct load_file *file, unsigned long line,
	const char *format, ...) __attribute__((format(printf, 4, 5)));

static inline const char *
load_token_text(const struct lex_record *record, size_t index)
{
	return record->text + record->tokens[index].offset;
}

/*
 * Parses a name relative to the file's origin ("@" is the origin). Returns
 * the wire length, or 0 after reporting BIND's reason at line.
 */
size_t load_parse_name(struct load_state *state, const struct load_file *file,
	const char *text, unsigned long line, uint8_t out[DNAME_MAX_LENGTH]);

/*
 * The record ended before a field BIND needs: "unexpected end of line"
 * (or "of file") and "unexpected end of input". BIND has then read the
 * end of the line and skips to the next one: a record starting on the
 * next line is dropped unread (state->skip_line), and at the end of the
 * file it warns that the file does not end with a newline.
 */
void load_error_end(struct load_state *state, const struct load_file *file);

/* Replaces the file's origin; ldns resolves relative rdata names against it. */
void load_set_origin(struct load_file *file, const uint8_t *origin, size_t length);

/* Warns and clamps a TTL above 2^31-1 (RFC 2181 8), in BIND's words; returns it. */
uint32_t load_limit_ttl(struct load_state *state, const struct load_file *file,
	unsigned long line, uint32_t ttl);

/* Stops the load on a run tracker failure (out of memory); 0 is nothing. */
void load_runs_note(struct load_state *state, int rc);

/* Why lex_open_file failed, in words. */
const char *load_open_error_text(const struct lex_input *input, int rc);

/*
 * The directive in state->record ($TTL, $ORIGIN, $INCLUDE, $GENERATE, in
 * any case). Returns false for an unknown one: BIND reports it, then reads
 * the line as a record owned by that name.
 */
bool load_directive(struct load_state *state, struct load_file *file);

/* $GENERATE in state->record (zone_load_generate.c). */
void load_directive_generate(struct load_state *state, struct load_file *file);

#endif
