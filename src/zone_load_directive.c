/*
 * zone_load_directive.c: the master-file directives of RFC 1035 5.1
 * ($TTL, $ORIGIN, $INCLUDE) and BIND's $GENERATE, for zone_load.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/rrtype.h"
#include "zone_load_internal.h"
#include "zone_load_runs.h"

/* Checks a directive's argument count: minimum required, maximum allowed. */
static bool
load_directive_arguments(struct load_state *state, const struct load_file *file,
	size_t minimum, size_t maximum)
{
	const struct lex_record *record = &state->record;
	size_t arguments = record->token_count - 1;
	if (arguments < minimum) {
		load_error_end(state, file);
		return false;
	}
	if (arguments > maximum) {
		load_error(state, file, record->tokens[maximum + 1].line, "extra input text");
		return false;
	}
	return true;
}

static void
load_directive_ttl(struct load_state *state, struct load_file *file)
{
	const struct lex_record *record = &state->record;
	if (!load_directive_arguments(state, file, 1, 1))
		return;
	uint32_t ttl;
	if (!rdata_ttl_from_text(load_token_text(record, 1), &ttl)) {
		/* BIND prints nothing; checkzone keeps this line only for the reason. */
		load_error(state, file, record->tokens[1].line, "$TTL '%s': bad ttl",
			load_token_text(record, 1));
		/* BIND goes on with $TTL 0, so no "no TTL" findings follow. */
		ttl = 0;
	}
	state->default_ttl = load_limit_ttl(state, file, record->tokens[1].line, ttl);
	state->default_ttl_known = true;
}

static void
load_directive_origin(struct load_state *state, struct load_file *file)
{
	const struct lex_record *record = &state->record;
	if (!load_directive_arguments(state, file, 1, 1))
		return;
	/* A relative $ORIGIN is relative to the current origin (RFC 1035 5.1). */
	uint8_t origin[DNAME_MAX_LENGTH];
	size_t length = load_parse_name(state, file, load_token_text(record, 1),
		record->tokens[1].line, origin);
	if (length == 0)
		return;
	load_set_origin(file, origin, length);
	file->origin_changed = true;
}

/* Joins a relative $INCLUDE path to the include directory, if one is set. */
static char *
load_include_path(const struct load_state *state, const char *path)
{
	const char *directory = state->options->include_directory;
	if (path[0] == '/' || directory == NULL || directory[0] == '\0')
		return strdup(path);
	size_t length = strlen(directory) + strlen(path) + 2;
	char *joined = malloc(length);
	if (joined != NULL)
		snprintf(joined, length, "%s%s%s", directory,
			directory[strlen(directory) - 1] == '/' ? "" : "/", path);
	return joined;
}

/* Opens path for reading as file; the loader's cancel flag goes with it. */
static int
load_open(struct load_state *state, struct load_file *file, const char *path)
{
	int rc = lex_open_file(&file->input, path, path);
	file->input.cancel = state->options->cancel;
	return rc;
}

/*
 * RFC 1035 5.1: $INCLUDE <file> [<origin>] reads file with the given
 * origin; afterwards the origin and the current owner revert to what they
 * were before. The included file starts with the includer's owner (BIND).
 */
static void
load_directive_include(struct load_state *state, struct load_file *file)
{
	const struct lex_record *record = &state->record;
	unsigned long line = record->tokens[0].line;
	if (!load_directive_arguments(state, file, 1, 2))
		return;
	if (state->sink != NULL) {
		/* A piece is never cut from a file with includes (zone_chunks.c). */
		load_error(state, file, line, "$INCLUDE not supported in a piece");
		return;
	}
	struct load_file child;
	memset(&child, 0, sizeof child);
	load_set_origin(&child, file->origin, file->origin_length);
	if (record->token_count == 3) {
		uint8_t origin[DNAME_MAX_LENGTH];
		size_t length = load_parse_name(state, file, load_token_text(record, 2),
			record->tokens[2].line, origin);
		if (length == 0)
			return;
		load_set_origin(&child, origin, length);
		child.origin_changed = true;
	}
	/* "-" is standard input only for the zone file itself. */
	const char *name = load_token_text(record, 1);
	char *path = load_include_path(state, strcmp(name, "-") == 0 ? "./-" : name);
	if (path == NULL) {
		state->failure = ZONED_ENOMEM;
		state->stop = true;
		return;
	}
	if (file->depth + 1 > state->max_depth) {
		load_error(state, file, line, "%s: $INCLUDE nested too deeply (limit %u)", path,
			state->max_depth);
		free(path);
		return;
	}
	int rc = load_open(state, &child, path);
	if (rc != 0) {
		load_error(state, file, line, "%s: %s", path, load_open_error_text(&child.input, rc));
		if (rc == ZONED_ENOMEM)
			state->stop = true;
		if (state->failure == 0)
			state->failure = rc;
		free(path);
		return;
	}
	if (state->options->on_file != NULL)
		state->options->on_file(state->options->on_file_arg, path);
	child.name = path;
	child.depth = file->depth + 1;
	child.have_owner = file->have_owner;
	child.out_of_zone = file->out_of_zone;
	memcpy(child.owner, file->owner, sizeof child.owner);
	/* BIND adds what it has before and after an include. */
	load_runs_note(state, load_runs_commit(state->runs, state->d));
	load_file_run(state, &child);
	load_runs_note(state, load_runs_commit(state->runs, state->d));
	lex_close(&child.input);
	free(path);
}

/*
 * A directive cut by the end of the file: BIND wants the end of the line
 * after it and takes the end of the file for a stray token ("extra input
 * text"), except after "$INCLUDE file", where it only warns. The warning
 * is not given after an include that was read.
 */
static void
load_directive_at_eof(struct load_state *state, const struct load_file *file, bool fatal,
	bool warn)
{
	const struct lex_record *record = &state->record;
	if (!record->at_eof)
		return;
	if (fatal)
		load_error(state, file, record->tokens[0].line, "extra input text");
	if (warn && file->input.close_fd)
		diag_report(state->d, DIAG_WARNING, file->name, 0, "file does not end with newline");
}

bool
load_directive(struct load_state *state, struct load_file *file)
{
	const struct lex_record *record = &state->record;
	const char *name = load_token_text(record, 0);
	if (strcasecmp(name, "$INCLUDE") == 0) {
		/* Said before the included file is read; the record is reused then. */
		bool origin = record->token_count > 2;
		load_directive_at_eof(state, file, origin, !origin);
		load_directive_include(state, file);
		return true;
	}
	if (strcasecmp(name, "$TTL") == 0)
		load_directive_ttl(state, file);
	else if (strcasecmp(name, "$ORIGIN") == 0)
		load_directive_origin(state, file);
	else if (strcasecmp(name, "$GENERATE") == 0)
		load_directive_generate(state, file);
	else {
		load_error(state, file, record->tokens[0].line, "unknown $ directive '%s'", name);
		return false;
	}
	load_directive_at_eof(state, file, true, true);
	return true;
}
