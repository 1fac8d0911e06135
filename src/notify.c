/*
 * notify.c: NOTIFY out (RFC 1996): the message, the response check, the
 * targets of a zone, and the sender that retries with back-off on the
 * main thread's event base.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "zoned/log.h"
#include "zoned/config.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/notify.h"
#include "zoned/query.h"
#include "zoned/rrtype.h"
#include "zoned/tsig.h"
#include "zoned/zonedb.h"
#include "zoned/zoneset.h"

#define NOTIFY_HEADER 12
#define NOTIFY_FLAG_QR 0x8000
#define NOTIFY_FLAG_AA 0x0400
#define NOTIFY_RECEIVE_BATCH 64     /* datagrams read per readable event */
#define NOTIFY_RATE 20              /* first sends per second, as BIND's notify-rate */

static void
notify_put_u16(uint8_t *p, uint16_t value)
{
	p[0] = (uint8_t)(value >> 8);
	p[1] = (uint8_t)value;
}

static uint16_t
notify_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int
notify_message_build(const struct zone *zone, uint16_t id, uint8_t *buffer, size_t size)
{
	if (zone->soa == NULL || zone->soa->rr_count == 0)
		return ZONED_EINVAL;
	const uint8_t *rdata = zone->soa->rdata + 2;
	size_t rdata_length = notify_get_u16(zone->soa->rdata);
	size_t origin_length = zone->origin_length;
	/* Header, question, then the answer's owner as a pointer to the question name. */
	size_t length = NOTIFY_HEADER + origin_length + 4 + 2 + 10 + rdata_length;
	if (length > size)
		return ZONED_ESPACE;
	memset(buffer, 0, NOTIFY_HEADER);
	notify_put_u16(buffer, id);
	notify_put_u16(buffer + 2, (uint16_t)(QUERY_OPCODE_NOTIFY << 11 | NOTIFY_FLAG_AA));
	notify_put_u16(buffer + 4, 1);   /* QDCOUNT */
	notify_put_u16(buffer + 6, 1);   /* ANCOUNT: RFC 1996 3.7, the new SOA */
	uint8_t *p = buffer + NOTIFY_HEADER;
	memcpy(p, zone->origin, origin_length);
	p += origin_length;
	notify_put_u16(p, RRTYPE_SOA);
	notify_put_u16(p + 2, zone->zone_class);
	p += 4;
	notify_put_u16(p, 0xc000 | NOTIFY_HEADER);
	notify_put_u16(p + 2, RRTYPE_SOA);
	notify_put_u16(p + 4, zone->zone_class);
	p[6] = (uint8_t)(zone->soa->ttl >> 24);
	p[7] = (uint8_t)(zone->soa->ttl >> 16);
	p[8] = (uint8_t)(zone->soa->ttl >> 8);
	p[9] = (uint8_t)zone->soa->ttl;
	notify_put_u16(p + 10, (uint16_t)rdata_length);
	memcpy(p + 12, rdata, rdata_length);
	return (int)length;
}

/* The uncompressed name at offset in message: its length, or 0 when malformed. */
static size_t
notify_name_length(const uint8_t *message, size_t length, size_t offset)
{
	size_t start = offset;
	while (offset < length) {
		uint8_t label = message[offset];
		if (label == 0)
			return offset + 1 - start;
		if (label > 63)   /* a pointer: a question name is never compressed here */
			return 0;
		offset += label + 1u;
	}
	return 0;
}

bool
notify_response_matches(const uint8_t *request, size_t request_length,
	const uint8_t *response, size_t response_length)
{
	if (request_length < NOTIFY_HEADER || response_length < NOTIFY_HEADER)
		return false;
	uint16_t flags = notify_get_u16(response + 2);
	if (notify_get_u16(request) != notify_get_u16(response)
	    || !(flags & NOTIFY_FLAG_QR)
	    || ((flags >> 11) & 0xf) != QUERY_OPCODE_NOTIFY
	    || notify_get_u16(response + 4) != 1)
		return false;
	size_t name = notify_name_length(request, request_length, NOTIFY_HEADER);
	size_t answer_name = notify_name_length(response, response_length, NOTIFY_HEADER);
	if (name == 0 || name != answer_name
	    || NOTIFY_HEADER + name + 4 > request_length
	    || NOTIFY_HEADER + name + 4 > response_length)
		return false;
	/* RFC 1996 4.7's question: the zone name (any case), SOA, the class. */
	return dname_equal(request + NOTIFY_HEADER, response + NOTIFY_HEADER)
		&& memcmp(request + NOTIFY_HEADER + name, response + NOTIFY_HEADER + name, 4) == 0;
}

/* ---- targets ---- */

static bool
notify_address_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)a;
		const struct sockaddr_in *y = (const struct sockaddr_in *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;
	return x->sin6_port == y->sin6_port
		&& memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
}

void
notify_targets_clear(struct notify_targets *targets)
{
	free(targets->items);
	memset(targets, 0, sizeof *targets);
}

/* Adds target unless its address is listed already. Returns 0 or ZONED_ENOMEM. */
static int
notify_targets_add(struct notify_targets *targets, const struct notify_target *target)
{
	for (size_t i = 0; i < targets->count; i++) {
		if (notify_address_equal(&targets->items[i].address, &target->address))
			return 0;
	}
	if (targets->count == targets->capacity) {
		size_t capacity = targets->capacity ? targets->capacity * 2 : 8;
		struct notify_target *items = realloc(targets->items, capacity * sizeof *items);
		if (items == NULL)
			return ZONED_ENOMEM;
		targets->items = items;
		targets->capacity = capacity;
	}
	targets->items[targets->count++] = *target;
	return 0;
}

/* Whether address is one zoned listens on: BIND does not notify itself either. */
static bool
notify_is_own_address(const struct config *config, const struct sockaddr_storage *address)
{
	for (size_t i = 0; i < config->listen_count; i++) {
		if (notify_address_equal(&config->listens[i].address, address))
			return true;
	}
	return false;
}

/* Adds the A (AAAA) records of node as targets on port 53. */
static int
notify_targets_add_host(const struct config *config, const struct name_node *node,
	uint16_t type, struct notify_targets *out)
{
	const struct rrset *rrset = node != NULL ? name_node_rrset(node, type) : NULL;
	const uint8_t *rdata = rrset != NULL ? rrset->rdata : NULL;
	for (uint16_t i = 0; rrset != NULL && i < rrset->rr_count; i++) {
		uint16_t length = notify_get_u16(rdata);
		struct notify_target target = { .address_length = 0 };
		if (type == RRTYPE_A && length == 4) {
			struct sockaddr_in *in = (struct sockaddr_in *)&target.address;
			in->sin_family = AF_INET;
			in->sin_port = htons(CONFIG_DEFAULT_PORT);
			memcpy(&in->sin_addr, rdata + 2, 4);
			target.address_length = sizeof *in;
		} else if (type == RRTYPE_AAAA && length == 16) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&target.address;
			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons(CONFIG_DEFAULT_PORT);
			memcpy(&in6->sin6_addr, rdata + 2, 16);
			target.address_length = sizeof *in6;
		}
		rdata += 2 + length;
		if (target.address_length == 0 || notify_is_own_address(config, &target.address))
			continue;
		if (notify_targets_add(out, &target) != 0)
			return ZONED_ENOMEM;
	}
	return 0;
}

/* RFC 1996 3.3: the apex NS hosts but the SOA MNAME (the primary itself). */
static int
notify_targets_add_ns(const struct zone *zone, const struct config *config,
	notify_log_fn *log, struct notify_targets *out)
{
	const struct rrset *ns = name_node_rrset(zone->apex, RRTYPE_NS);
	const uint8_t *mname = zone->soa->rdata + 2;
	const uint8_t *rdata = ns != NULL ? ns->rdata : NULL;
	char zone_name[DNAME_MAX_LENGTH * 4 + 1];
	dname_format(zone->origin, zone_name, sizeof zone_name);
	for (uint16_t i = 0; ns != NULL && i < ns->rr_count; i++) {
		uint16_t length = notify_get_u16(rdata);
		uint8_t host[DNAME_MAX_LENGTH];
		memcpy(host, rdata + 2, length);
		rdata += 2 + length;
		dname_lower(host);
		if (dname_equal(host, mname))
			continue;
		char host_name[DNAME_MAX_LENGTH * 4 + 1];
		dname_format(host, host_name, sizeof host_name);
		if (!dname_is_subdomain(host, zone->origin)) {
			/* zoned is authoritative-only: no resolver to find this address. */
			log(LOG_INFO, "zone %s: NS %s is outside the zone: not notified (list its "
				"address in also-notify)", zone_name, host_name);
			continue;
		}
		const struct name_node *node = zone_find_node(zone, host, length);
		size_t before = out->count;
		if (notify_targets_add_host(config, node, RRTYPE_A, out) != 0
		    || notify_targets_add_host(config, node, RRTYPE_AAAA, out) != 0)
			return ZONED_ENOMEM;
		if (out->count == before)
			log(LOG_DEBUG, "zone %s: NS %s: no address to notify", zone_name, host_name);
	}
	return 0;
}

int
notify_targets_select(const struct zone *zone, const struct config *config,
	const struct config_zone *cz, notify_log_fn *log, struct notify_targets *out)
{
	const struct config_notify_target *also;
	size_t also_count;
	enum config_notify_mode mode = config_zone_notify(config, cz, &also, &also_count);
	if (mode == CONFIG_NOTIFY_NO || zone->soa == NULL)
		return 0;
	if (mode == CONFIG_NOTIFY_YES && notify_targets_add_ns(zone, config, log, out) != 0)
		return ZONED_ENOMEM;
	for (size_t i = 0; i < also_count; i++) {
		struct notify_target target = { .address = also[i].address,
			.address_length = also[i].address_length };
		if (also[i].key != NULL && dname_from_text(also[i].key, target.key) >= 0)
			dname_lower(target.key);
		if (notify_targets_add(out, &target) != 0)
			return ZONED_ENOMEM;
	}
	return 0;
}

/* ---- the sender ---- */

struct notify_pending {
	struct notify_pending *next;
	struct notify *owner;
	struct event *timer;
	struct notify_target target;
	uint8_t origin[DNAME_MAX_LENGTH];
	char zone_name[DNAME_MAX_LENGTH * 4 + 1];
	char address_text[LOG_ADDRESS_SIZE];
	uint32_t serial;
	unsigned tries;             /* sent so far */
	size_t message_length;
	uint8_t message[NOTIFY_MESSAGE_MAX];
	/* also-notify ... key: the message is signed at the first send (and
	 * sent again as it is); a response counts only when it verifies. */
	bool signing;
	struct tsig_key_copy key;
	struct tsig_state tsig;     /* the request's MAC, for the response */
};

struct notify {
	struct event_base *base;
	notify_log_fn *log;
	struct notify_pending *pending;
	size_t pending_count;
	int fds[2];                 /* [0] IPv4, [1] IPv6; -1: not open */
	struct event *readers[2];
	struct config_listen sources[2];    /* notify-source, notify-source-v6 */
	struct tsig_context *tsig;  /* HMAC for signed NOTIFYs; made on first use */
};

struct notify *
notify_create(struct event_base *base, notify_log_fn *log)
{
	struct notify *notify = calloc(1, sizeof *notify);
	if (notify == NULL)
		return NULL;
	notify->base = base;
	notify->log = log;
	notify->fds[0] = notify->fds[1] = -1;
	return notify;
}

static void
notify_close_socket(struct notify *notify, int index)
{
	if (notify->readers[index] != NULL)
		event_free(notify->readers[index]);
	if (notify->fds[index] >= 0)
		close(notify->fds[index]);
	notify->readers[index] = NULL;
	notify->fds[index] = -1;
}

/* Unlinks pending from its sender and frees it. */
static void
notify_pending_free(struct notify_pending *pending)
{
	struct notify *notify = pending->owner;
	for (struct notify_pending **p = &notify->pending; *p != NULL; p = &(*p)->next) {
		if (*p == pending) {
			*p = pending->next;
			notify->pending_count--;
			break;
		}
	}
	event_free(pending->timer);
	free(pending);
}

/*
 * RFC 8945 5.3: the response to a signed NOTIFY must be signed with the
 * same key and chain from the request's MAC. One that is not (unsigned, a
 * TSIG error, another key, a wrong MAC, out of time) is logged and does not
 * count as an answer: the NOTIFY is sent again, as BIND retries.
 */
static bool
notify_response_verified(struct notify_pending *p, const uint8_t *response, size_t length)
{
	if (!p->signing)
		return true;
	struct tsig_verifier verifier;
	tsig_verify_start(&verifier, p->tsig.context, &p->tsig);
	int rc = tsig_verify_next(&verifier, response, length, (uint64_t)time(NULL));
	if (rc == TSIG_NOERROR)
		return true;
	const char *what = rc == TSIG_UNSIGNED || rc == TSIG_BADSIG ? "unsigned or BADSIG"
		: rc == TSIG_BADKEY ? "BADKEY" : rc == TSIG_BADTIME ? "BADTIME"
		: rc < 0 ? "a malformed TSIG" : "a TSIG error";
	char key[DNAME_MAX_LENGTH * 4 + 1];
	dname_format(p->key.key.name, key, sizeof key);
	p->owner->log(LOG_WARNING, "zone %s: NOTIFY serial %lu to %s: the response does not "
		"verify with key %s (%s): not acknowledged, retrying", p->zone_name,
		(unsigned long)p->serial, p->address_text, key, what);
	return false;
}

static void
on_notify_readable(evutil_socket_t fd, short events, void *arg)
{
	struct notify *notify = arg;
	uint8_t buffer[4096];
	for (int i = 0; i < NOTIFY_RECEIVE_BATCH; i++) {
		struct sockaddr_storage from;
		socklen_t from_length = sizeof from;
		ssize_t length = recvfrom(fd, buffer, sizeof buffer, 0, (struct sockaddr *)&from,
			&from_length);
		if (length < 0)
			return;   /* EAGAIN, or an ICMP error for an earlier send: retries go on */
		struct notify_pending *p = notify->pending;
		while (p != NULL && !(notify_address_equal(&p->target.address, &from)
			&& notify_response_matches(p->message, p->message_length, buffer,
				(size_t)length)))
			p = p->next;
		char text[LOG_ADDRESS_SIZE];
		log_format_address((const struct sockaddr *)&from, text, sizeof text);
		if (p == NULL) {
			notify->log(LOG_DEBUG, "NOTIFY: unexpected message from %s ignored", text);
			continue;
		}
		if (!notify_response_verified(p, buffer, (size_t)length))
			continue;
		unsigned rcode = buffer[3] & 0xf;
		notify->log(rcode == 0 ? LOG_INFO : LOG_WARNING, "zone %s: NOTIFY serial %lu to "
			"%s answered with rcode %u%s", p->zone_name, (unsigned long)p->serial, text,
			rcode, rcode == 0 ? " (NOERROR)" : "");
		notify_pending_free(p);
	}
}

/* The socket for family, opened (and bound to notify-source) on first use; -1 on error. */
static int
notify_socket(struct notify *notify, int family)
{
	int index = family == AF_INET ? 0 : 1;
	if (notify->fds[index] >= 0)
		return notify->fds[index];
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	const struct config_listen *source = &notify->sources[index];
	if (source->address_length > 0 && bind(fd, (const struct sockaddr *)&source->address,
		source->address_length) < 0) {
		notify->log(LOG_ERR, "notify-source%s %s: %s", index ? "-v6" : "", source->text,
			strerror(errno));
		close(fd);
		return -1;
	}
	notify->readers[index] = event_new(notify->base, fd, EV_READ | EV_PERSIST,
		on_notify_readable, notify);
	if (notify->readers[index] == NULL || event_add(notify->readers[index], NULL) < 0) {
		if (notify->readers[index] != NULL)
			event_free(notify->readers[index]);
		notify->readers[index] = NULL;
		close(fd);
		return -1;
	}
	notify->fds[index] = fd;
	return fd;
}

/* Signs the message once, at its first send; false (logged) when it cannot be. */
static bool
notify_sign(struct notify_pending *p)
{
	size_t length = tsig_sign_request(&p->tsig, p->owner->tsig, &p->key.key, p->message,
		p->message_length, sizeof p->message, (uint64_t)time(NULL));
	if (length == 0) {
		p->owner->log(LOG_ERR, "zone %s: NOTIFY to %s: cannot sign it, not sent",
			p->zone_name, p->address_text);
		return false;
	}
	p->message_length = length;
	return true;
}

/* Sends (again) or gives up after NOTIFY_TRIES sends, waiting twice as long each time. */
static void
on_notify_timer(evutil_socket_t unused, short events, void *arg)
{
	struct notify_pending *p = arg;
	struct notify *notify = p->owner;
	if (p->tries == NOTIFY_TRIES) {
		notify->log(LOG_WARNING, "zone %s: NOTIFY serial %lu to %s: no answer after %u "
			"tries, giving up", p->zone_name, (unsigned long)p->serial, p->address_text,
			p->tries);
		notify_pending_free(p);
		return;
	}
	if (p->tries == 0 && p->signing && !notify_sign(p)) {
		notify_pending_free(p);
		return;
	}
	int fd = notify_socket(notify, p->target.address.ss_family);
	if (fd < 0 || sendto(fd, p->message, p->message_length, 0,
		(const struct sockaddr *)&p->target.address, p->target.address_length) < 0)
		notify->log(LOG_WARNING, "zone %s: NOTIFY to %s: %s", p->zone_name,
			p->address_text, strerror(errno));
	else
		notify->log(LOG_DEBUG, "zone %s: NOTIFY serial %lu sent to %s (try %u)",
			p->zone_name, (unsigned long)p->serial, p->address_text, p->tries + 1);
	unsigned wait_ms = NOTIFY_FIRST_INTERVAL_MS << p->tries;
	p->tries++;
	struct timeval wait = { wait_ms / 1000, (wait_ms % 1000) * 1000 };
	evtimer_add(p->timer, &wait);
}

/* Drops the pending NOTIFYs for origin: a newer serial replaces them (as BIND). */
static void
notify_cancel_zone(struct notify *notify, const uint8_t *origin)
{
	struct notify_pending *p = notify->pending;
	while (p != NULL) {
		struct notify_pending *next = p->next;
		if (dname_equal(p->origin, origin))
			notify_pending_free(p);
		p = next;
	}
}

static uint16_t
notify_random_id(void)
{
	uint16_t id;
	if (getrandom(&id, sizeof id, GRND_NONBLOCK) != (ssize_t)sizeof id)
		id = (uint16_t)random();
	return id;
}

/*
 * Copies the key that p's target names out of keys (the config's, which a
 * reload frees while the NOTIFY is still retried). False when it cannot be
 * used: the NOTIFY is then not sent at all, rather than sent unsigned.
 */
static bool
notify_keep_key(struct notify *notify, struct notify_pending *p, const struct tsig_keyring *keys)
{
	const uint8_t *name = p->target.key;
	const struct tsig_key *key = tsig_keyring_find(keys, name, dname_length(name));
	if (notify->tsig == NULL)
		notify->tsig = tsig_context_create();
	const char *problem = key == NULL ? "no such key" : notify->tsig == NULL ? "no HMAC"
		: tsig_key_copy(&p->key, key) != 0 ? "secret too long" : NULL;
	if (problem != NULL) {
		notify->log(LOG_ERR, "zone %s: NOTIFY to %s: cannot sign (%s), not sent",
			p->zone_name, p->address_text, problem);
		return false;
	}
	p->signing = true;
	return true;
}

/*
 * Queues one NOTIFY of zone to target, first sent from the event loop after
 * delay_ms: a reload of many zones must not burst thousands of datagrams.
 */
static int
notify_start(struct notify *notify, const struct zone *zone, const char *zone_name,
	const struct notify_target *target, unsigned delay_ms, const struct tsig_keyring *keys)
{
	struct notify_pending *p = calloc(1, sizeof *p);
	if (p == NULL)
		return ZONED_ENOMEM;
	p->owner = notify;
	p->target = *target;
	memcpy(p->origin, zone->origin, zone->origin_length);
	snprintf(p->zone_name, sizeof p->zone_name, "%s", zone_name);
	log_format_address((const struct sockaddr *)&target->address, p->address_text,
		sizeof p->address_text);
	if (target->key[0] != 0 && !notify_keep_key(notify, p, keys)) {
		free(p);
		return 0;   /* logged; the other targets are still notified */
	}
	p->serial = zone->serial;
	int length = notify_message_build(zone, notify_random_id(), p->message,
		sizeof p->message);
	p->timer = length > 0 ? evtimer_new(notify->base, on_notify_timer, p) : NULL;
	if (p->timer == NULL) {
		free(p);
		return length < 0 ? length : ZONED_ENOMEM;
	}
	p->message_length = (size_t)length;
	p->next = notify->pending;
	notify->pending = p;
	notify->pending_count++;
	struct timeval delay = { delay_ms / 1000, (delay_ms % 1000) * 1000 };
	evtimer_add(p->timer, &delay);
	return 0;
}

/* The zone previous served at exactly origin, or NULL. */
static const struct zone *
notify_find_zone(const struct zoneset *previous, const struct zone *zone)
{
	if (previous == NULL)
		return NULL;
	const struct zone *old = zonedb_find(previous->db, zone->origin, zone->origin_length);
	return old != NULL && dname_equal(old->origin, zone->origin) ? old : NULL;
}

/* The notify-source settings of config; a changed one reopens the sockets. */
static void
notify_apply_sources(struct notify *notify, const struct config *config)
{
	for (int i = 0; i < 2; i++) {
		const struct config_listen *now = &config->notify_source[i];
		struct config_listen *was = &notify->sources[i];
		if (now->address_length == was->address_length
		    && (now->address_length == 0
			|| notify_address_equal(&now->address, &was->address)))
			continue;
		*was = *now;
		notify_close_socket(notify, i);
	}
}

/* Queues the NOTIFYs of one zone; *queued counts them over the whole call. */
static int
notify_zone(struct notify *notify, const struct config *config,
	const struct zoneset_zone *entry, bool was_served, size_t *queued,
	const struct tsig_keyring *keys)
{
	const struct zone *zone = entry->zone;
	struct notify_targets targets = { 0 };
	int rc = notify_targets_select(zone, config, config_find_zone(config, entry->origin),
		notify->log, &targets);
	if (was_served)
		notify_cancel_zone(notify, zone->origin);
	if (rc == 0 && targets.count > 0)
		notify->log(LOG_INFO, "zone %s: sending NOTIFY serial %lu to %zu servers",
			entry->name, (unsigned long)zone->serial, targets.count);
	for (size_t i = 0; rc == 0 && i < targets.count; i++, (*queued)++)
		rc = notify_start(notify, zone, entry->name, &targets.items[i],
			(unsigned)(*queued * 1000 / NOTIFY_RATE), keys);
	notify_targets_clear(&targets);
	return rc;
}

int
notify_zones(struct notify *notify, const struct config *config,
	const struct zoneset *previous, const struct zoneset *current)
{
	notify_apply_sources(notify, config);
	struct tsig_keyring keys = { 0 };
	int rc = tsig_keyring_init(&keys, config->keys, config->key_count);
	size_t queued = 0;
	for (size_t i = 0; i < current->zone_count; i++) {
		const struct zoneset_zone *entry = &current->zones[i];
		if (entry->failed)
			continue;   /* not loaded: nothing to transfer */
		const struct zone *old = notify_find_zone(previous, entry->zone);
		if (old != NULL && (old == entry->zone || old->serial == entry->zone->serial))
			continue;   /* RFC 1996 3.5 wants a new serial; an unchanged one says nothing new */
		int zone_rc = notify_zone(notify, config, entry, old != NULL, &queued, &keys);
		if (zone_rc != 0 && rc == 0)
			rc = zone_rc;
	}
	tsig_keyring_free(&keys);
	return rc;
}

int
notify_zone_now(struct notify *notify, const struct config *config,
	const struct zoneset_zone *entry, size_t *queued)
{
	*queued = 0;
	if (entry->failed)
		return 0;
	notify_apply_sources(notify, config);
	struct tsig_keyring keys = { 0 };
	int rc = tsig_keyring_init(&keys, config->keys, config->key_count);
	if (rc == 0)
		rc = notify_zone(notify, config, entry, true, queued, &keys);
	tsig_keyring_free(&keys);
	return rc;
}

size_t
notify_pending_count(const struct notify *notify)
{
	return notify->pending_count;
}

void
notify_free(struct notify *notify)
{
	if (notify == NULL)
		return;
	while (notify->pending != NULL)
		notify_pending_free(notify->pending);
	notify_close_socket(notify, 0);
	notify_close_socket(notify, 1);
	tsig_context_free(notify->tsig);
	free(notify);
}
