/*
 * config_journal.c: journal "file"; and max-journal-size (options and
 * zone), as named.conf writes them, for the journal of differences that
 * IXFR out reads (src/journal.c).
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_lex.h"
#include "zoned/config.h"
#include "zoned/error.h"
#include "zoned/journal.h"

_Static_assert(CONFIG_JOURNAL_SIZE_DEFAULT == JOURNAL_SIZE_DEFAULT,
	"config and journal agree on what default means");

/*
 * BIND's sizeval: digits with an optional k, m or g (any case; 1024-based),
 * "unlimited" (BIND takes it as its largest journal, 2 GiB) or "default"
 * (twice the zone). Values over 2 GiB are accepted and act as 2 GiB, as
 * named does (named-checkconf 9.18 accepts "3g").
 */
bool
config_parse_journal_size(struct config_parser *p, uint64_t *size)
{
	config_next(p);
	const char *text = p->token;
	if (p->type == TOKEN_WORD && strcasecmp(text, "default") == 0) {
		*size = CONFIG_JOURNAL_SIZE_DEFAULT;
		return config_expect_end(p);
	}
	if (p->type == TOKEN_WORD && strcasecmp(text, "unlimited") == 0) {
		*size = JOURNAL_SIZE_MAX;
		return config_expect_end(p);
	}
	char *end = NULL;
	unsigned long long value = p->type == TOKEN_WORD && isdigit((unsigned char)text[0])
		? strtoull(text, &end, 10) : 0;
	unsigned shift = 0;
	if (end != NULL && *end != '\0' && end[1] == '\0') {
		char unit = (char)tolower((unsigned char)*end);
		shift = unit == 'k' ? 10 : unit == 'm' ? 20 : unit == 'g' ? 30 : 0;
		if (shift != 0)
			end++;
	}
	if (end == NULL || *end != '\0' || value > (JOURNAL_SIZE_MAX >> shift) * 16) {
		config_error(p, ZONED_EINVAL, "max-journal-size '%s' is not a size (a number "
			"with an optional k, m or g, unlimited or default)", config_token_text(p));
		return false;
	}
	*size = (uint64_t)value << shift;
	return config_expect_end(p);
}

bool
config_is_journal_option(const char *word)
{
	return strcmp(word, "journal") == 0 || strcmp(word, "max-journal-size") == 0;
}

bool
config_parse_journal_option(struct config_parser *p, struct config_journal *journal)
{
	if (strcmp(p->token, "max-journal-size") == 0) {
		journal->max_size_set = true;
		return config_parse_journal_size(p, &journal->max_size);
	}
	free(journal->path);
	journal->path = NULL;
	return config_parse_text(p, "a journal file name", &journal->path);
}

bool
config_set_zone_journal(struct config_parser *p, struct config_pending_zone *pending,
	struct config_zone *zone)
{
	zone->journal.max_size = pending->journal.max_size;
	zone->journal.max_size_set = pending->journal.max_size_set;
	if (pending->journal.path == NULL)
		return true;
	/* Relative to "directory", as the zone file (and as BIND). */
	zone->journal.path = config_resolve_path(p->config->directory, pending->journal.path);
	if (zone->journal.path != NULL)
		return true;
	config_error(p, ZONED_ENOMEM, "out of memory");
	return false;
}

char *
config_zone_journal_path(const struct config_zone *zone)
{
	if (zone->journal.path != NULL)
		return strdup(zone->journal.path);
	return journal_default_path(zone->path);
}

uint64_t
config_zone_max_journal_size(const struct config *config, const struct config_zone *zone)
{
	if (zone != NULL && zone->journal.max_size_set)
		return zone->journal.max_size;
	return config->max_journal_size;
}
