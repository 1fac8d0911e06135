/*
 * zone_load.c: read RFC 1035 master files into a zone: the record loop,
 * owner/TTL/class/type, file:line reports; the directives are in
 * zone_load_directive.c.
 * Rdata text goes through ldns (zone_rdata.c); tokens come from zone_lex.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_check.h"
#include "zoned/zone_sources.h"
#include "zoned/zone_lex.h"
#include "zoned/zone_load.h"
#include "zoned/zone_rdata.h"
#include "zone_load_internal.h"
#include "zone_load_runs.h"

#define LOAD_DEFAULT_INCLUDE_DEPTH 10
/*
 * A file that is not a zone file at all (binary garbage, the wrong file)
 * would bury the log under one error per line: stop after this many.
 */
#define LOAD_MAX_ERRORS 100
/* Records between two looks at the cancel flag (reads look at every refill). */
#define LOAD_CANCEL_POLL 1024
void
load_error(struct load_state *state, const struct load_file *file, unsigned long line,
	const char *format, ...)
{
	va_list args;
	va_start(args, format);
	diag_vreport(state->d, DIAG_ERROR, file->name, line, format, args);
	va_end(args);
	state->syntax_errors++;
}

size_t
load_parse_name(struct load_state *state, const struct load_file *file,
	const char *text, unsigned long line, uint8_t out[DNAME_MAX_LENGTH])
{
	const char *problem = NULL;
	size_t length = rdata_name_from_text(text, file->origin, file->origin_length, out,
		&problem);
	if (length == 0)
		load_error(state, file, line, "%s", problem);
	return length;
}

void
load_error_end(struct load_state *state, const struct load_file *file)
{
	const struct lex_record *record = &state->record;
	load_error(state, file, record->end_line, "unexpected end of %s",
		record->at_eof ? "file" : "line");
	load_error(state, file, record->end_line, "unexpected end of input");
	if (!record->at_eof)
		state->skip_line = record->end_line + 1;
	else if (file->input.close_fd)
		diag_report(state->d, DIAG_WARNING, file->name, 0, "file does not end with newline");
}

void
load_set_origin(struct load_file *file, const uint8_t *origin, size_t length)
{
	memmove(file->origin, origin, length);
	file->origin_length = length;
}

uint32_t
load_limit_ttl(struct load_state *state, const struct load_file *file, unsigned long line,
	uint32_t ttl)
{
	if (ttl <= LOAD_TTL_MAX)
		return ttl;
	diag_report(state->d, DIAG_WARNING, file->name, line,
		"$TTL %lu > MAXTTL, setting $TTL to 0", (unsigned long)ttl);
	return 0;
}

void
load_runs_note(struct load_state *state, int rc)
{
	if (rc == 0)
		return;
	state->failure = rc;
	state->stop = true;
}

/* errno is kept for the rare ZONED_EIO. */
const char *
load_open_error_text(const struct lex_input *input, int rc)
{
	if (rc == ZONED_EIO && input->open_errno != 0)
		return strerror(input->open_errno);
	return zoned_strerror(rc);
}

/* What the record's leading fields said. */
struct load_header {
	const uint8_t *owner;
	uint32_t ttl;
	uint16_t rr_class;
	uint16_t type;
	bool explicit_ttl;
	bool meta;                   /* a meta type (OPT, AXFR, ...): reported, never kept */
	size_t rdata_index;          /* first rdata token */
};

/*
 * BIND warns about an out-of-zone owner when it reads it, before the rest
 * of the line, and drops its records (those of lines that inherit it too).
 */
static void
load_check_in_zone(struct load_state *state, struct load_file *file)
{
	file->out_of_zone = state->zone != NULL && state->sink == NULL
		&& !dname_is_subdomain(file->owner, state->zone->origin);
	if (!file->out_of_zone)
		return;
	char owner[DNAME_MAX_LENGTH * 4 + 2];
	dname_format(file->owner, owner, sizeof owner);
	diag_report(state->d, DIAG_WARNING, file->name, state->record.tokens[0].line,
		"ignoring out-of-zone data (%s)", owner);
}

/* The owner: explicit, or inherited when the line starts with white space. */
static bool
load_read_owner(struct load_state *state, struct load_file *file, struct load_header *header)
{
	const struct lex_record *record = &state->record;
	bool origin_changed = file->origin_changed;
	file->origin_changed = false;
	if (!record->blank_owner) {
		/* Parse aside: a bad name must not leave a half-written owner to inherit. */
		uint8_t owner[DNAME_MAX_LENGTH];
		size_t owner_length = load_parse_name(state, file, load_token_text(record, 0),
			record->tokens[0].line, owner);
		if (owner_length == 0)
			return false;
		memcpy(file->owner, owner, owner_length);
		file->have_owner = true;
		header->rdata_index = 1;
		load_runs_note(state, load_runs_owner(state->runs, owner, state->d));
		load_check_in_zone(state, file);
	} else if (!file->have_owner) {
		load_error(state, file, record->tokens[0].line, "no current owner name");
		return false;
	} else if (origin_changed) {
		char owner[DNAME_MAX_LENGTH * 4 + 2], origin[DNAME_MAX_LENGTH * 4 + 2];
		dname_format(file->owner, owner, sizeof owner);
		dname_format(file->origin, origin, sizeof origin);
		diag_report(state->d, DIAG_WARNING, file->name, record->tokens[0].line,
			"record with inherited owner (%s) immediately after $ORIGIN (%s)",
			owner, origin);
	}
	header->owner = file->owner;
	return true;
}

/* BIND reads TTL, class and type without quotes: a quote there is a syntax error. */
static bool
load_header_quoted(struct load_state *state, const struct load_file *file, size_t index)
{
	const struct lex_record *record = &state->record;
	if (index >= record->token_count || !record->tokens[index].quoted)
		return false;
	load_error(state, file, record->tokens[index].line, "syntax error");
	return true;
}

/*
 * RFC 1035 5.1: [<class>] [<TTL>] <type> or [<TTL>] [<class>] <type>, both
 * optional. A token that is neither a TTL nor a class must be the type, so
 * "1h30" or 4294967296 ends up as an unknown type, as in BIND.
 */
static bool
load_read_header(struct load_state *state, struct load_file *file, struct load_header *header)
{
	const struct lex_record *record = &state->record;
	size_t i = header->rdata_index, count = record->token_count;
	if (load_header_quoted(state, file, i))
		return false;
	if (i < count && rrclass_from_text(load_token_text(record, i), &header->rr_class))
		i++;
	if (load_header_quoted(state, file, i))
		return false;
	if (i < count && rdata_ttl_from_text(load_token_text(record, i), &header->ttl)) {
		header->ttl = load_limit_ttl(state, file, record->tokens[i].line, header->ttl);
		header->explicit_ttl = true;
		state->last_ttl = header->ttl;
		state->last_ttl_known = true;
		i++;
	}
	if (load_header_quoted(state, file, i))
		return false;
	if (header->rr_class == 0 && i < count
		&& rrclass_from_text(load_token_text(record, i), &header->rr_class))
		i++;
	if (load_header_quoted(state, file, i))
		return false;
	if (i >= count) {
		load_error_end(state, file);
		return false;
	}
	const char *type_text = load_token_text(record, i);
	if (!rrtype_from_text(type_text, &header->type)) {
		load_error(state, file, record->tokens[i].line, "unknown RR type '%s'", type_text);
		return false;
	}
	/* BIND reports these and reads on: its rdata parser has the last word. */
	char type_name[RRTYPE_TEXT_MAX];
	header->meta = rrtype_is_meta(header->type);
	if (header->meta)
		load_error(state, file, record->tokens[i].line,
			"type '%s': invalid use of a meta type",
			rrtype_to_text(header->type, type_name));
	/* RFC 1123 5.2.4: MD and MF are obsolete. */
	if (header->type == RRTYPE_MD || header->type == RRTYPE_MF)
		load_error(state, file, record->tokens[i].line, "type '%s': obsolete",
			rrtype_to_text(header->type, type_name));
	header->rdata_index = i + 1;
	if (header->rr_class == 0)
		header->rr_class = state->zone_class;
	if (header->rr_class != state->zone_class) {
		char have[RRTYPE_TEXT_MAX], want[RRTYPE_TEXT_MAX];
		load_error(state, file, record->tokens[0].line, "class '%s' != zone class '%s'",
			rrclass_to_text(header->rr_class, have), rrclass_to_text(state->zone_class, want));
		return false;
	}
	return true;
}

/*
 * What BIND's rdata parser says after "invalid use of a meta type": OPT
 * (RFC 6891 6.1.1) has an owner check (the root only) and no text form;
 * RFC 3597 rdata is refused at its length; anything else is unknown.
 */
static void
load_meta_rdata(struct load_state *state, struct load_file *file,
	const struct load_header *header)
{
	const struct lex_record *record = &state->record;
	size_t first = header->rdata_index, count = record->token_count;
	if (header->type == RRTYPE_OPT && header->owner[0] != 0
		&& state->modes.names != CHECK_IGNORE) {
		char owner[DNAME_MAX_LENGTH * 4 + 2];
		dname_format(header->owner, owner, sizeof owner);
		diag_report(state->d, state->modes.names == CHECK_FAIL ? DIAG_ERROR : DIAG_WARNING,
			file->name,
			record->tokens[0].line, "%s: bad owner name (check-names)", owner);
	}
	const char *problem = header->type == RRTYPE_OPT ? "not implemented" : "unknown class/type";
	if (first < count && strcmp(load_token_text(record, first), "\\#") == 0
		&& !record->tokens[first].quoted) {
		first++;
		problem = "invalid use of a meta type";
	}
	if (first < count)
		load_error(state, file, record->tokens[first - 1].line, "near '%s': %s",
			load_token_text(record, first), problem);
	else
		load_error(state, file, record->tokens[count - 1].line, "near eol: %s", problem);
}

/*
 * The TTL of a record without one, as BIND decides: $TTL, else the last
 * explicit TTL (RFC 1035 semantics, warned once), else the SOA MINIMUM when
 * the record is the SOA (RFC 2308 4), else the zone is rejected (the
 * record is kept with TTL 0).
 */
static void
load_resolve_ttl(struct load_state *state, struct load_file *file, struct load_header *header)
{
	unsigned long line = state->record.tokens[0].line;
	if (header->explicit_ttl)
		return;
	if (state->default_ttl_known) {
		header->ttl = state->default_ttl;
	} else if (state->last_ttl_known) {
		header->ttl = state->last_ttl;
		if (!state->warned_rfc1035)
			diag_report(state->d, DIAG_WARNING, file->name, line,
				"using RFC1035 TTL semantics");
		state->warned_rfc1035 = true;
	} else if (header->type == RRTYPE_SOA && state->rdata.length >= 20) {
		const uint8_t *minimum = state->rdata.data + state->rdata.length - 4;
		uint32_t ttl = (uint32_t)minimum[0] << 24 | (uint32_t)minimum[1] << 16
			| (uint32_t)minimum[2] << 8 | minimum[3];
		diag_report(state->d, DIAG_WARNING, file->name, line,
			"no TTL specified; using SOA MINTTL instead");
		header->ttl = load_limit_ttl(state, file, line, ttl);
		state->default_ttl = header->ttl;
		state->default_ttl_known = true;
	} else {
		/* BIND keeps the record with TTL 0: later conflicts with it are reported. */
		load_error(state, file, line, "no TTL specified; zone rejected");
		header->ttl = 0;
	}
}

/* RFC 4034 3.1.5: an RRSIG past its expiration; BIND warns at the first. */
static void
load_check_expired(struct load_state *state, const struct load_file *file,
	const struct load_header *header)
{
	const uint8_t *rdata = state->rdata.data;
	if (header->type != RRTYPE_RRSIG || state->warned_expired || state->rdata.length < 12)
		return;
	uint32_t expiration = (uint32_t)rdata[8] << 24 | (uint32_t)rdata[9] << 16
		| (uint32_t)rdata[10] << 8 | rdata[11];
	/* RFC 1982 serial arithmetic, as the field wraps in 2106. */
	if ((int32_t)(expiration - (uint32_t)time(NULL)) >= 0)
		return;
	diag_report(state->d, DIAG_WARNING, file->name, state->record.tokens[0].line,
		"signature has expired");
	state->warned_expired = true;
}

/* The record just parsed, as the zone takes it; it borrows from state. */
static struct zone_record
load_make_record(const struct load_state *state, const struct load_file *file,
	const struct load_header *header, unsigned long line)
{
	const struct lex_record *text = &state->record;
	/* RFC 3597 rdata has no names to quote. */
	bool generic = header->rdata_index < text->token_count
		&& strcmp(load_token_text(text, header->rdata_index), "\\#") == 0;
	return (struct zone_record){
		.owner = header->owner,
		.type = header->type,
		.rr_class = header->rr_class,
		.ttl = header->ttl,
		.rdata = state->rdata.data,
		.rdata_length = (uint16_t)state->rdata.length,
		.file = file->name,
		.line = line,
		.text = generic ? NULL : text,
		.text_first = header->rdata_index,
	};
}

/* zone_load_piece(): the record goes to the caller's sink as it is. */
static void
load_hand_to_sink(struct load_state *state, const struct load_file *file,
	const struct load_header *header, unsigned long line)
{
	struct zone_record record = load_make_record(state, file, header, line);
	int rc = state->sink(state->sink_arg, &record);
	if (rc != 0) {
		state->failure = rc;
		state->stop = true;
		return;
	}
	state->records++;
}

/*
 * BIND checks an SOA's place against its current owner, which an NS
 * target read as glue does not replace: "www NS @" then "@ SOA ..." puts
 * the SOA at www. True (reported) when that happens.
 */
static bool
load_check_soa_in_glue(struct load_state *state, const struct load_file *file,
	const struct zone_record *record)
{
	const uint8_t *parent = load_runs_glue_parent(state->runs);
	if (record->type != RRTYPE_SOA || parent == NULL || dname_equal(parent, state->zone->origin))
		return false;
	char owner[DNAME_MAX_LENGTH * 4 + 2];
	dname_format(parent, owner, sizeof owner);
	load_error(state, file, record->line, "SOA record not at top of zone (%s)", owner);
	state->skip_line = state->record.end_line + 1;
	return true;
}

/* Hands one parsed record to the zone after the per-record checks. */
static void
load_add_record(struct load_state *state, struct load_file *file,
	const struct load_header *header)
{
	const struct zone_load_options *options = state->options;
	unsigned long line = state->record.tokens[0].line;
	if (state->sink != NULL) {
		load_hand_to_sink(state, file, header, line);
		return;
	}
	if (options->max_records != 0 && state->records >= options->max_records) {
		diag_report(state->d, DIAG_ERROR, file->name, line,
			"too many records (limit %zu)", options->max_records);
		state->failure = ZONED_ELIMIT;
		state->stop = true;
		return;
	}
	struct zone_record record = load_make_record(state, file, header, line);
	int rc = 0;
	if (options->on_record != NULL && file->depth == 0)
		rc = options->on_record(options->on_record_arg, record.owner, line);
	if (rc != 0) {
		state->failure = rc;
		state->stop = true;
		return;
	}
	if (load_check_soa_in_glue(state, file, &record))
		return;
	if (zone_check_record(state->zone, &record, &state->modes, state->d) != 0) {
		if (record.type == RRTYPE_SOA && !dname_equal(record.owner, state->zone->origin))
			state->skip_line = state->record.end_line + 1;
		/* A TTL above -l is the end of the load for BIND. */
		if (state->modes.max_ttl != 0 && record.ttl > state->modes.max_ttl)
			state->stop = true;
		return;
	}
	if (file->out_of_zone)
		return;
	rc = zone_add_record(state->zone, &record, state->d);
	if (rc == 0)
		rc = load_runs_add(state->runs, record.type, record.rdata, record.rdata_length,
			record.file, record.line);
	if (rc == 0 && options->sources != NULL)
		rc = zone_sources_add(options->sources, record.owner, record.type, record.rdata,
			record.rdata_length, record.file, record.line);
	if (rc == ZONED_ENOMEM || rc == ZONED_ELIMIT) {
		if (rc == ZONED_ELIMIT)
			diag_report(state->d, DIAG_ERROR, file->name, line, "zone too large");
		state->failure = rc;
		state->stop = true;
		return;
	}
	state->records++;
}

static void
load_record(struct load_state *state, struct load_file *file)
{
	const struct lex_record *record = &state->record;
	if (record->bad)
		return;
	bool directive = !record->blank_owner && !record->tokens[0].quoted
		&& load_token_text(record, 0)[0] == '$';
	if (directive && record->unbalanced) {
		load_error(state, file, record->tokens[record->token_count - 1].line,
			"unbalanced parentheses");
		return;
	}
	if (directive && load_directive(state, file))
		return;
	struct load_header header;
	memset(&header, 0, sizeof header);
	if (!load_read_owner(state, file, &header) || !load_read_header(state, file, &header))
		return;
	if (header.meta) {
		load_meta_rdata(state, file, &header);
		return;
	}
	struct rdata_source source = {
		.record = record,
		.first = header.rdata_index,
		.type = header.type,
		.origin = file->origin,
		.origin_length = file->origin_length,
		.file = file->name,
		.d = state->d,
	};
	int rc = rdata_parse(&state->rdata, &source);
	if (rc == ZONED_ENOMEM) {
		state->failure = ZONED_ENOMEM;
		state->stop = true;
	}
	if (rc == 0 && record->unbalanced)
		rc = rdata_report_unbalanced(&source, file->input.line);
	if (rc != 0) {
		state->syntax_errors++;
		return;
	}
	if (record->at_eof && file->input.close_fd)
		diag_report(state->d, DIAG_WARNING, file->name, record->end_line,
			"file does not end with newline");
	/* RFC 4034 5: a DS belongs to the parent zone; BIND refuses one at the apex. */
	if (rrtype_is_parent_side(header.type) && state->zone != NULL
		&& dname_equal(header.owner, state->zone->origin)) {
		char type_name[RRTYPE_TEXT_MAX], owner[DNAME_MAX_LENGTH * 4 + 2];
		dname_format(header.owner, owner, sizeof owner);
		load_error(state, file, record->tokens[0].line, "%s record at top of zone (%s)",
			rrtype_to_text(header.type, type_name), owner);
		return;
	}
	load_resolve_ttl(state, file, &header);
	load_check_expired(state, file, &header);
	/* RFC 3755 3: SIG and NXT gave way to RRSIG and NSEC; BIND warns once. */
	if ((header.type == RRTYPE_SIG || header.type == RRTYPE_NXT) && !state->warned_old_dnssec) {
		diag_report(state->d, DIAG_WARNING, file->name, record->tokens[0].line,
			"old style DNSSEC  zone detected");   /* sic: BIND's two spaces */
		state->warned_old_dnssec = true;
	}
	load_add_record(state, file, &header);
}

/*
 * At the end of a file: a size or modification time that moved since the
 * open (or a path that now names another file) means a writer was still at
 * work, and what was read may be half of it.
 */
static void
load_check_unchanged(struct load_state *state, const struct load_file *file)
{
	if (!lex_input_changed(&file->input, file->name))
		return;
	diag_report(state->d, DIAG_ERROR, file->name, 0,
		"file changed while being read (replace zone files by rename)");
	state->failure = ZONED_ECHANGED;
	state->stop = true;
}

/* True (with the reason set) when the load must stop now. */
static bool
load_should_stop(struct load_state *state, const struct load_file *file,
	unsigned long errors_at_start, unsigned long count)
{
	const volatile sig_atomic_t *cancel = state->options->cancel;
	if (state->stop)
		return true;   /* an include stopped it (and said why) */
	if (count % LOAD_CANCEL_POLL == 0 && cancel != NULL && *cancel) {
		state->failure = ZONED_ECANCELED;
		state->stop = true;
	} else if (state->d->errors - errors_at_start >= LOAD_MAX_ERRORS) {
		diag_report(state->d, DIAG_ERROR, file->name, file->input.line,
			"too many errors (%u): not reading further", LOAD_MAX_ERRORS);
		state->syntax_errors++;
		state->stop = true;
	}
	return state->stop;
}

void
load_file_run(struct load_state *state, struct load_file *file)
{
	unsigned long errors_at_start = state->d->errors;
	for (unsigned long count = 1; !load_should_stop(state, file, errors_at_start, count);
		count++) {
		unsigned long before = state->d->errors;
		int rc = lex_read_record(&file->input, &state->record, state->d);
		state->syntax_errors += state->d->errors - before;
		unsigned long skip_line = state->skip_line;
		state->skip_line = 0;
		if (rc == 0) {
			if (skip_line != 0 && file->input.line == skip_line && file->input.close_fd)
				diag_report(state->d, DIAG_WARNING, file->name, 0,
					"file does not end with newline");
			load_check_unchanged(state, file);
			return;
		}
		if (rc == 1 && skip_line != 0 && state->record.token_count > 0
			&& state->record.tokens[0].line == skip_line)
			continue;
		if (rc == ZONED_EIO) {
			load_error(state, file, file->input.line, "read error: %s",
				strerror(file->input.read_errno));
			if (state->failure == 0)
				state->failure = ZONED_EIO;
			return;
		}
		if (rc < 0) {
			state->failure = rc;
			state->stop = true;
			return;
		}
		load_record(state, file);
	}
}

/* Fills state for a load with options (NULL: defaults) reporting to d. Returns 0 or ZONED_ENOMEM. */
static int
load_state_init(struct load_state *state, const struct zone_load_options *options,
	struct diag *d)
{
	static const struct zone_load_options default_options;
	memset(state, 0, sizeof *state);
	if (options == NULL)
		options = &default_options;
	state->d = d;
	state->options = options;
	state->zone_class = options->zone_class != 0 ? options->zone_class : RRCLASS_IN;
	state->max_depth = options->max_include_depth != 0 ? options->max_include_depth
		: LOAD_DEFAULT_INCLUDE_DEPTH;
	if (options->modes != NULL)
		state->modes = *options->modes;
	else
		zone_check_modes_default(&state->modes);
	return rdata_parser_init(&state->rdata);
}

/* Reads top (already opened) to its end and closes it. */
static void
load_state_run(struct load_state *state, struct load_file *top)
{
	top->input.cancel = state->options->cancel;
	load_file_run(state, top);
	lex_close(&top->input);
	lex_record_free(&state->record);
	rdata_parser_free(&state->rdata);
}

/* Reads top (already opened), then finalizes and checks the zone. */
static int
load_run(struct load_file *top, const uint8_t *origin,
	const struct zone_load_options *options, struct diag *d, struct zone **out)
{
	struct diag counter = { 0 };
	struct load_state state;
	*out = NULL;
	if (d == NULL)
		d = &counter;
	unsigned long errors_before = d->errors;
	int init = load_state_init(&state, options, d);
	options = state.options;
	state.zone = init == 0 ? zone_create(origin, state.zone_class) : NULL;
	if (state.zone == NULL) {
		lex_close(&top->input);
		rdata_parser_free(&state.rdata);
		return ZONED_ENOMEM;
	}
	load_set_origin(top, origin, dname_length(origin));
	if (options->conflicts_as_read && (state.runs = load_runs_create()) == NULL)
		state.failure = ZONED_ENOMEM;
	else
		load_state_run(&state, top);
	if (state.failure == 0 && !state.stop)
		load_runs_note(&state, load_runs_commit(state.runs, d));
	load_runs_free(state.runs);

	int rc = state.failure;
	if (rc == 0 && options->cancel != NULL && *options->cancel)
		rc = ZONED_ECANCELED;
	if (rc == 0 && d->errors == errors_before) {
		/* Zone-level checks only when every record parsed (as BIND). */
		rc = zone_finalize(state.zone, d);
		if (rc == 0 && zone_check_zone(state.zone, &state.modes, d) == 0)
			zone_check_denial(state.zone, &state.modes, options->sources, d);
	}
	if (rc == 0 && d->errors != errors_before)
		rc = state.syntax_errors != 0 ? ZONED_ESYNTAX : ZONED_EZONE;
	/* Not a single record: say so, beyond "has 0 SOA records" (as BIND). */
	if (rc == ZONED_EZONE && state.records == 0 && state.syntax_errors == 0)
		rc = ZONED_EEMPTY;
	if (rc != 0) {
		zone_free(state.zone);
		return rc;
	}
	*out = state.zone;
	return 0;
}

int
zone_load_piece(const char *text, size_t length, const char *name,
	const struct zone_load_start *start, const struct zone_load_options *options,
	zone_load_sink *sink, void *arg, struct diag *d)
{
	struct diag counter = { 0 };
	if (d == NULL)
		d = &counter;
	unsigned long errors_before = d->errors;
	struct load_state state;
	if (load_state_init(&state, options, d) != 0) {
		rdata_parser_free(&state.rdata);
		return ZONED_ENOMEM;
	}
	state.sink = sink;
	state.sink_arg = arg;
	state.default_ttl = start->default_ttl;
	state.default_ttl_known = start->default_ttl_known;
	struct load_file top;
	memset(&top, 0, sizeof top);
	top.name = name;
	lex_open_memory(&top.input, text, length, name);
	top.input.line = start->line;
	load_set_origin(&top, start->origin, dname_length(start->origin));
	load_state_run(&state, &top);
	int rc = state.failure;
	if (rc == 0 && state.options->cancel != NULL && *state.options->cancel)
		rc = ZONED_ECANCELED;
	if (rc == 0 && d->errors != errors_before)
		rc = ZONED_ESYNTAX;
	return rc;
}

int
zone_load_file(const char *path, const uint8_t *origin,
	const struct zone_load_options *options, struct diag *d, struct zone **out)
{
	struct load_file top;
	memset(&top, 0, sizeof top);
	top.name = path;
	*out = NULL;
	int rc = lex_open_file(&top.input, path, path);
	if (rc != 0) {
		diag_report(d, DIAG_ERROR, NULL, 0, "loading from master file %s failed: %s",
			path, load_open_error_text(&top.input, rc));
		return rc;
	}
	if (options != NULL && options->on_file != NULL && strcmp(path, "-") != 0)
		options->on_file(options->on_file_arg, path);
	return load_run(&top, origin, options, d, out);
}

int
zone_load_text(const char *text, size_t length, const char *name,
	const uint8_t *origin, const struct zone_load_options *options,
	struct diag *d, struct zone **out)
{
	struct load_file top;
	memset(&top, 0, sizeof top);
	top.name = name;
	lex_open_memory(&top.input, text, length, name);
	return load_run(&top, origin, options, d, out);
}
