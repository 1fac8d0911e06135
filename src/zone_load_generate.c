/*
 * zone_load_generate.c: BIND's $GENERATE directive, as named-checkzone
 * 9.18 reads it:
 *   $GENERATE start-stop[/step] lhs [class] [ttl] [class] type rhs
 * makes one record per value of the range, with "$" in lhs and rhs
 * replaced by the value ("${offset[,width[,base]]}" formats it, "$$" is a
 * dollar sign). Each record goes straight to the zone: no per-record
 * checks, as in BIND; a conflict it makes (CNAME and other data) is
 * reported and the records go on.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/rrtype.h"
#include "zoned/zone_sources.h"
#include "zone_load_internal.h"
#include "zone_load_runs.h"

/* BIND's buffers: the owner text and the rdata text of one record. */
#define GENERATE_LHS_MAX 2048
#define GENERATE_RHS_MAX 65535
#define GENERATE_NUMBER_MAX 128

/* What the directive's fields said. */
struct generate_spec {
	int start, stop, step;
	const char *lhs, *rhs;
	size_t rest;                 /* the first token after rhs */
	uint16_t type, rr_class;
	uint32_t ttl;
	unsigned long line;
};

/*
 * "nibble" mode (n, N): the value's hex digits from the least significant
 * one, dot-separated (for ip6.arpa owners), padded with zeros to width
 * characters. Returns the characters it needed, as BIND counts them.
 */
static size_t
generate_nibbles(char *out, size_t size, unsigned width, bool upper, unsigned value)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t count = 0;
	do {
		if (count + 1 < size)
			out[count] = digits[value & 0x0f];
		count++;
		value >>= 4;
		width = width > 0 ? width - 1 : 0;
		if (width > 0 || value != 0) {
			if (count + 1 < size)
				out[count] = '.';
			count++;
			width = width > 0 ? width - 1 : 0;
		}
	} while ((value != 0 || width > 0) && count < size);  /* a huge width: out of space */
	out[count < size ? count : size - 1] = '\0';
	return count;
}

/* Formats value as "${...}" asked; NULL or BIND's reason. */
static const char *
generate_number(char *out, int value, unsigned width, char mode)
{
	int length;
	switch (mode) {
	case 'n':
	case 'N':
		length = (int)generate_nibbles(out, GENERATE_NUMBER_MAX, width, mode == 'N',
			(unsigned)value);
		break;
	case 'o':
		length = snprintf(out, GENERATE_NUMBER_MAX, "%0*o", (int)width, (unsigned)value);
		break;
	case 'x':
		length = snprintf(out, GENERATE_NUMBER_MAX, "%0*x", (int)width, (unsigned)value);
		break;
	case 'X':
		length = snprintf(out, GENERATE_NUMBER_MAX, "%0*X", (int)width, (unsigned)value);
		break;
	default:
		length = snprintf(out, GENERATE_NUMBER_MAX, "%0*d", (int)width, value);
		break;
	}
	return length < 0 || length >= GENERATE_NUMBER_MAX ? "ran out of space" : NULL;
}

/*
 * Reads "{offset[,width[,base]]}" at *text (moved past it) as BIND's
 * sscanf does. Returns NULL or "syntax error".
 */
static const char *
generate_modifier(const char **text, int *offset, unsigned *width, char *mode)
{
	char comma1[2] = "", comma2[2] = "", base[2] = "", brace[2] = "";
	int fields = sscanf(*text, "{%d%1[,}]%u%1[,}]%1[doxXnN]%1[}]", offset, comma1, width,
		comma2, base, brace);
	if (fields < 2)
		return "syntax error";
	if (comma1[0] == '}')
		*width = 0;
	else if (comma1[0] == ',' && comma2[0] == '}')
		*mode = 'd';
	else if (comma1[0] == ',' && comma2[0] == ',' && base[0] != '\0' && brace[0] == '}')
		*mode = base[0];
	else
		return "syntax error";
	while (**text != '\0' && *(*text)++ != '}')
		continue;
	return NULL;
}

/* Appends text to out (size octets); false when it does not fit (NUL included). */
static bool
generate_append(char *out, size_t size, size_t *used, const char *text, size_t length)
{
	if (*used + length >= size)
		return false;
	memcpy(out + *used, text, length);
	*used += length;
	return true;
}

/* Writes template with every "$" replaced for iteration. NULL or BIND's reason. */
static const char *
generate_expand(const char *template, int iteration, char *out, size_t size)
{
	size_t used = 0;
	while (*template != '\0') {
		const char *start = template;
		if (*template == '\\') {
			template += template[1] != '\0' ? 2 : 1;
		} else if (*template != '$') {
			template++;
		} else if (template[1] == '$') {
			start = ++template;
			template++;
		} else {
			int offset = 0;
			unsigned width = 0;
			char mode = 'd', number[GENERATE_NUMBER_MAX];
			const char *problem = NULL;
			template++;
			if (*template == '{')
				problem = generate_modifier(&template, &offset, &width, &mode);
			if (problem == NULL && iteration > 0 && offset > INT_MAX - iteration)
				problem = "out of range";
			if (problem == NULL)
				problem = generate_number(number, iteration + offset, width, mode);
			if (problem != NULL)
				return problem;
			if (!generate_append(out, size, &used, number, strlen(number)))
				return "ran out of space";
			continue;
		}
		if (!generate_append(out, size, &used, start, (size_t)(template - start)))
			return "ran out of space";
	}
	out[used] = '\0';
	return NULL;
}

/* Reports "$GENERATE: FILE:LINE: ..." (zoned-checkzone moves the tag to the front). */
static void
generate_error(struct load_state *state, const struct load_file *file,
	const struct generate_spec *spec, const char *problem, const char *quoted)
{
	if (quoted != NULL)
		load_error(state, file, spec->line, "$GENERATE: %s '%s'", problem, quoted);
	else
		load_error(state, file, spec->line, "$GENERATE: %s", problem);
}

/*
 * Reads the directive's fields: range, lhs, then [class] [ttl] [class]
 * type and rhs, as BIND does. False after reporting a problem.
 */
static bool
generate_read_spec(struct load_state *state, struct load_file *file,
	struct generate_spec *spec)
{
	const struct lex_record *record = &state->record;
	size_t count = record->token_count, i = 3;
	bool explicit_ttl = false;
	char slash[2];
	if (count < 5) {
		load_error_end(state, file);
		return false;
	}
	spec->lhs = load_token_text(record, 2);
	if (rrclass_from_text(load_token_text(record, i), &spec->rr_class))
		i++;
	if (i < count && rdata_ttl_from_text(load_token_text(record, i), &spec->ttl)) {
		spec->ttl = load_limit_ttl(state, file, spec->line, spec->ttl);
		state->last_ttl = spec->ttl;
		state->last_ttl_known = explicit_ttl = true;
		i++;
	}
	if (i < count && spec->rr_class == 0
		&& rrclass_from_text(load_token_text(record, i), &spec->rr_class))
		i++;
	if (i + 2 > count) {
		load_error_end(state, file);
		return false;
	}
	const char *type_text = load_token_text(record, i);
	spec->rhs = load_token_text(record, i + 1);
	spec->rest = i + 2;
	if (!explicit_ttl && state->default_ttl_known) {
		spec->ttl = state->default_ttl;
	} else if (!explicit_ttl && state->last_ttl_known) {
		spec->ttl = state->last_ttl;
	} else if (!explicit_ttl) {
		load_error(state, file, spec->line, "no TTL specified");
		spec->ttl = 0;
	}
	if (spec->rr_class != 0 && spec->rr_class != state->zone_class) {
		char have[RRTYPE_TEXT_MAX], want[RRTYPE_TEXT_MAX];
		load_error(state, file, spec->line, "class '%s' != zone class '%s'",
			rrclass_to_text(spec->rr_class, have),
			rrclass_to_text(state->zone_class, want));
		return false;
	}
	int fields = sscanf(load_token_text(record, 1), "%d-%d%1[/]%d", &spec->start,
		&spec->stop, slash, &spec->step);
	if (fields == 2)
		spec->step = 1;
	if ((fields != 2 && fields != 4) || spec->start < 0 || spec->stop < 0 || spec->step < 1
		|| spec->stop < spec->start) {
		generate_error(state, file, spec, "invalid range", load_token_text(record, 1));
		return false;
	}
	if (!rrtype_from_text(type_text, &spec->type)) {
		generate_error(state, file, spec, "unknown RR type", type_text);
		return false;
	}
	if (rrtype_is_meta(spec->type)) {
		generate_error(state, file, spec, "meta RR type", type_text);
		return false;
	}
	return true;
}

/* Passes findings on and keeps the reason of the last error (after its last ": "). */
struct generate_relay {
	struct diag *to;
	char reason[256];
};

static void
generate_relay_emit(void *arg, enum diag_level level, const char *file, unsigned long line,
	const char *message)
{
	struct generate_relay *relay = arg;
	diag_report(relay->to, level, file, line, "%s", message);
	const char *colon = strrchr(message, ':');
	if (level == DIAG_ERROR)
		snprintf(relay->reason, sizeof relay->reason, "%s",
			colon != NULL && colon[1] == ' ' ? colon + 2 : message);
}

/* The rdata text of one record, split into tokens at the directive's line. */
static int
generate_rdata(struct load_state *state, struct load_file *file,
	const struct generate_spec *spec, const char *text, struct lex_record *tokens,
	struct diag *d)
{
	struct lex_input input;
	lex_open_memory(&input, text, strlen(text), file->name);
	struct diag quiet = { 0 };
	int rc = lex_read_record(&input, tokens, &quiet);
	if (rc < 0)
		return rc;
	if (rc == 0)
		tokens->token_count = 0;
	for (size_t i = 0; i < tokens->token_count; i++)
		tokens->tokens[i].line = spec->line;
	tokens->end_line = spec->line;
	struct rdata_source source = {
		.record = tokens,
		.first = 0,
		.type = spec->type,
		.origin = file->origin,
		.origin_length = file->origin_length,
		.file = file->name,
		.d = d,
	};
	if (tokens->bad || quiet.errors != 0) {
		diag_report(d, DIAG_ERROR, file->name, spec->line, "unbalanced quotes");
		return ZONED_ESYNTAX;
	}
	return rdata_parse(&state->rdata, &source);
}

/* Hands one generated record to the zone. False (reported) ends the directive. */
static bool
generate_add(struct load_state *state, struct load_file *file,
	const struct generate_spec *spec, const uint8_t *owner)
{
	struct zone_record record = {
		.owner = owner,
		.type = spec->type,
		.rr_class = state->zone_class,
		.ttl = spec->ttl,
		.rdata = state->rdata.data,
		.rdata_length = (uint16_t)state->rdata.length,
		.file = file->name,
		.line = spec->line,
	};
	int rc = zone_add_record(state->zone, &record, state->d);
	if (rc == 0)
		rc = load_runs_direct(state->runs, owner, spec->type, record.rdata,
			record.rdata_length, file->name, spec->line, state->d);
	if (rc == 0 && state->options->sources != NULL)
		rc = zone_sources_add(state->options->sources, owner, spec->type, record.rdata,
			record.rdata_length, file->name, spec->line);
	if (rc != 0) {
		load_runs_note(state, rc);
		return false;
	}
	/* A record the database refused was reported; BIND goes on with the next. */
	state->records++;
	return true;
}

/* One value of the range; false (reported) ends the directive. */
static bool
generate_one(struct load_state *state, struct load_file *file,
	const struct generate_spec *spec, int value, char *lhs, char *rhs,
	struct lex_record *tokens)
{
	uint8_t owner[DNAME_MAX_LENGTH];
	const char *problem = generate_expand(spec->lhs, value, lhs, GENERATE_LHS_MAX);
	if (problem == NULL)
		problem = generate_expand(spec->rhs, value, rhs, GENERATE_RHS_MAX);
	if (problem == NULL
		&& rdata_name_from_text(lhs, file->origin, file->origin_length, owner, &problem) == 0)
		problem = problem != NULL ? problem : "bad name";
	if (problem != NULL) {
		generate_error(state, file, spec, problem, NULL);
		return false;
	}
	if (!dname_is_subdomain(owner, state->zone->origin)) {
		char text[DNAME_MAX_LENGTH * 4 + 2];
		dname_format(owner, text, sizeof text);
		diag_report(state->d, DIAG_WARNING, file->name, spec->line,
			"ignoring out-of-zone data (%s)", text);
		return true;
	}
	struct generate_relay relay = { .to = state->d, .reason = "syntax error" };
	struct diag d = { .emit = generate_relay_emit, .arg = &relay };
	int rc = generate_rdata(state, file, spec, rhs, tokens, &d);
	if (rc == ZONED_ENOMEM) {
		load_runs_note(state, rc);
		return false;
	}
	if (rc != 0) {
		/* The rdata's own message came first; BIND then names the directive. */
		generate_error(state, file, spec, relay.reason, NULL);
		return false;
	}
	return generate_add(state, file, spec, owner);
}

void
load_directive_generate(struct load_state *state, struct load_file *file)
{
	struct generate_spec spec = { .line = state->record.tokens[0].line };
	if (state->sink != NULL) {
		/* A piece is never cut from a file with $GENERATE (zone_chunks.c). */
		load_error(state, file, spec.line, "$GENERATE not supported in a piece");
		return;
	}
	if (!generate_read_spec(state, file, &spec))
		return;
	char *lhs = malloc(GENERATE_LHS_MAX), *rhs = malloc(GENERATE_RHS_MAX);
	struct lex_record tokens = { 0 };
	if (lhs == NULL || rhs == NULL) {
		load_runs_note(state, ZONED_ENOMEM);
	} else {
		for (long value = spec.start; value <= spec.stop && !state->stop; value += spec.step) {
			if (!generate_one(state, file, &spec, (int)value, lhs, rhs, &tokens))
				break;
		}
	}
	lex_record_free(&tokens);
	free(lhs);
	free(rhs);
	/* BIND checks for the end of the line after making the records. */
	if (spec.rest < state->record.token_count)
		load_error(state, file, state->record.tokens[spec.rest].line, "extra input text");
}
