/*
 * notify_in.c: who may NOTIFY a secondary zone (its primaries, and
 * allow-notify), and the pipe that carries an accepted NOTIFY from a
 * worker to the main thread's refresh.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "zoned/acl.h"
#include "zoned/config.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/notify_in.h"
#include "zoned/zoneset.h"

/*
 * On the pipe: origin's length, origin, whether a serial follows, the
 * serial (4), the index of the primary it came from (2; 0xffff: none).
 */
#define NOTIFY_IN_MESSAGE_FIXED 8
#define NOTIFY_IN_NO_PRIMARY 0xffff
#define NOTIFY_IN_MESSAGE_MAX (NOTIFY_IN_MESSAGE_FIXED + DNAME_MAX_LENGTH)

struct notify_in_entry {
	const struct zone *zone;
	const struct config_zone *cz;
};

struct notify_in_zones {
	struct notify_in_entry *entries;    /* sorted by zone pointer */
	size_t count;
	const struct acl *allow_notify;     /* the options' */
	int fd;
};

static int
notify_in_entry_compare(const void *a, const void *b)
{
	const struct zone *x = ((const struct notify_in_entry *)a)->zone;
	const struct zone *y = ((const struct notify_in_entry *)b)->zone;
	return x < y ? -1 : x > y;
}

struct notify_in_zones *
notify_in_zones_create(const struct zoneset *set, const struct config *config, int fd)
{
	struct notify_in_zones *table = calloc(1, sizeof *table);
	if (table == NULL)
		return NULL;
	table->entries = calloc(set->zone_count ? set->zone_count : 1, sizeof *table->entries);
	if (table->entries == NULL) {
		free(table);
		return NULL;
	}
	table->allow_notify = config->allow_notify;
	table->fd = fd;
	for (size_t i = 0; i < set->zone_count; i++) {
		const struct config_zone *cz = config_find_zone(config, set->zones[i].origin);
		if (cz != NULL && cz->secondary && set->zones[i].zone != NULL)
			table->entries[table->count++] = (struct notify_in_entry){
				set->zones[i].zone, cz };
	}
	qsort(table->entries, table->count, sizeof *table->entries, notify_in_entry_compare);
	return table;
}

void
notify_in_zones_free(struct notify_in_zones *table)
{
	if (table == NULL)
		return;
	free(table->entries);
	free(table);
}

/* The same address, whatever the ports. */
static bool
notify_in_same_host(const struct sockaddr_storage *primary, const struct sockaddr *client)
{
	if (primary->ss_family != client->sa_family)
		return false;
	if (client->sa_family == AF_INET)
		return ((const struct sockaddr_in *)primary)->sin_addr.s_addr
			== ((const struct sockaddr_in *)client)->sin_addr.s_addr;
	if (client->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)primary)->sin6_addr,
			&((const struct sockaddr_in6 *)client)->sin6_addr, 16) == 0;
	return false;
}

enum notify_in_verdict
notify_in_check(const struct notify_in_zones *table, const struct zone *zone,
	const struct sockaddr *client, const uint8_t *key, const uint32_t *serial)
{
	if (table == NULL)
		return NOTIFY_IN_PRIMARY;
	struct notify_in_entry probe = { zone, NULL };
	const struct notify_in_entry *entry = bsearch(&probe, table->entries, table->count,
		sizeof *table->entries, notify_in_entry_compare);
	if (entry == NULL)
		return NOTIFY_IN_PRIMARY;
	if (client == NULL)
		return NOTIFY_IN_REFUSED;
	const struct config_zone *cz = entry->cz;
	bool allowed = false;
	size_t from = NOTIFY_IN_NO_PRIMARY;
	for (size_t i = 0; i < cz->primary_count && !allowed; i++) {
		allowed = notify_in_same_host(&cz->primaries[i].address, client);
		from = allowed && i < NOTIFY_IN_NO_PRIMARY ? i : NOTIFY_IN_NO_PRIMARY;
	}
	const struct acl *acl = cz->allow_notify != NULL ? cz->allow_notify : table->allow_notify;
	if (!allowed && acl != NULL)
		allowed = acl_allows(acl, client, key);
	if (!allowed)
		return NOTIFY_IN_REFUSED;
	/* One write of a few hundred octets: atomic on a pipe (PIPE_BUF). A full
	 * pipe means refreshes are queued already: this one adds nothing. */
	uint8_t message[NOTIFY_IN_MESSAGE_MAX];
	size_t length = zone->origin_length;
	message[0] = (uint8_t)length;
	memcpy(message + 1, zone->origin, length);
	message[1 + length] = serial != NULL;
	uint32_t value = serial != NULL ? *serial : 0;
	for (size_t i = 0; i < 4; i++)
		message[2 + length + i] = (uint8_t)(value >> (24 - 8 * i));
	message[6 + length] = (uint8_t)(from >> 8);
	message[7 + length] = (uint8_t)from;
	ssize_t written = write(table->fd, message, NOTIFY_IN_MESSAGE_FIXED + length);
	(void)written;
	return NOTIFY_IN_ACCEPTED;
}

struct notify_in {
	int fds[2];
	struct event *reader;
	void (*received)(void *arg, const uint8_t *origin, const uint32_t *serial, int primary);
	void *arg;
	uint8_t pending[NOTIFY_IN_MESSAGE_MAX];  /* a message read in part */
	size_t have;
};

static void
on_notify_in_readable(evutil_socket_t fd, short events, void *arg)
{
	struct notify_in *notify = arg;
	for (int i = 0; i < 64; i++) {
		size_t want = notify->have == 0 ? 1
			: NOTIFY_IN_MESSAGE_FIXED + (size_t)notify->pending[0];
		ssize_t got = read(fd, notify->pending + notify->have, want - notify->have);
		if (got <= 0)
			return;
		notify->have += (size_t)got;
		if (notify->have < want || want == 1)
			continue;
		notify->have = 0;
		size_t length = notify->pending[0];
		uint8_t origin[DNAME_MAX_LENGTH];
		memcpy(origin, notify->pending + 1, length);
		const uint8_t *s = notify->pending + 2 + length;
		uint32_t serial = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
		unsigned from = (unsigned)s[4] << 8 | s[5];
		if (length > 0 && dname_length(origin) == length)
			notify->received(notify->arg, origin, notify->pending[1 + length] ? &serial : NULL,
				from == NOTIFY_IN_NO_PRIMARY ? -1 : (int)from);
	}
}

struct notify_in *
notify_in_create(struct event_base *base,
	void (*received)(void *arg, const uint8_t *origin, const uint32_t *serial, int primary),
	void *arg)
{
	struct notify_in *notify = calloc(1, sizeof *notify);
	if (notify == NULL)
		return NULL;
	notify->received = received;
	notify->arg = arg;
	if (pipe2(notify->fds, O_NONBLOCK | O_CLOEXEC) < 0) {
		free(notify);
		return NULL;
	}
	notify->reader = event_new(base, notify->fds[0], EV_READ | EV_PERSIST,
		on_notify_in_readable, notify);
	if (notify->reader == NULL || event_add(notify->reader, NULL) < 0) {
		notify_in_free(notify);
		return NULL;
	}
	return notify;
}

int
notify_in_fd(const struct notify_in *notify)
{
	return notify->fds[1];
}

void
notify_in_free(struct notify_in *notify)
{
	if (notify == NULL)
		return;
	if (notify->reader != NULL)
		event_free(notify->reader);
	close(notify->fds[0]);
	close(notify->fds[1]);
	free(notify);
}
