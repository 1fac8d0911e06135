/* diag_hold.c: findings kept aside, then passed on or dropped. */
#include <stdlib.h>
#include <string.h>

#include "zoned/diag_hold.h"

struct diag_held {
	enum diag_level level;
	char *file;
	unsigned long line;
	char *message;
};

static void
on_held_finding(void *arg, enum diag_level level, const char *file, unsigned long line,
	const char *message)
{
	struct diag_hold *hold = arg;
	if (hold->overflow || hold->count == DIAG_HOLD_MAX) {
		hold->overflow = true;
		return;
	}
	if (hold->items == NULL
		&& (hold->items = calloc(DIAG_HOLD_MAX, sizeof *hold->items)) == NULL) {
		hold->overflow = true;
		return;
	}
	struct diag_held *item = &hold->items[hold->count];
	item->level = level;
	item->line = line;
	item->file = file != NULL ? strdup(file) : NULL;
	item->message = strdup(message);
	if (item->message == NULL || (file != NULL && item->file == NULL)) {
		free(item->file);
		free(item->message);
		hold->overflow = true;
		return;
	}
	hold->count++;
}

struct diag
diag_hold_start(struct diag_hold *hold)
{
	memset(hold, 0, sizeof *hold);
	return (struct diag){ .emit = on_held_finding, .arg = hold };
}

void
diag_hold_pass_on(const struct diag_hold *hold, struct diag *d)
{
	for (size_t i = 0; i < hold->count; i++)
		diag_report(d, hold->items[i].level, hold->items[i].file, hold->items[i].line, "%s",
			hold->items[i].message);
}

void
diag_hold_free(struct diag_hold *hold)
{
	for (size_t i = 0; i < hold->count; i++) {
		free(hold->items[i].file);
		free(hold->items[i].message);
	}
	free(hold->items);
	memset(hold, 0, sizeof *hold);
}
