/*
 * acl.c: BIND's address match lists: elements as written, compiled once into
 * a flat array of entries, and the allocation-free walk over it per request.
 */
#include <config.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zoned/acl.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"

/* A list that expands past this is an error: names may multiply. */
#define ACL_MAX_ENTRIES 65536
#define ACL_MAX_DEPTH 64

/*
 * Where the walk goes when an entry matches: a verdict (negative codes) or,
 * from 0 up, the index of the next entry to try (always further on).
 */
#define ACL_ACTION_MATCH (-1)
#define ACL_ACTION_NEGATED (-2)
/* While compiling: "after the nested block at this depth", patched later. */
#define ACL_ACTION_AFTER(depth) (-16 - (int32_t)(depth))

enum acl_entry_kind {
	ACL_ENTRY_IPV4,
	ACL_ENTRY_IPV6,
	ACL_ENTRY_ANY,
	ACL_ENTRY_KEY,
};

struct acl_entry {
	uint8_t address[16];      /* masked */
	uint8_t kind;             /* enum acl_entry_kind */
	uint8_t full_octets;      /* octets compared whole */
	uint8_t last_mask;        /* mask of the octet after them; 0: none */
	uint32_t key_offset;      /* KEY: its wire name in acl->key_names */
	int32_t on_match;
};

struct acl {
	struct acl_entry *entries;
	size_t count;
	uint8_t *key_names;       /* wire names, lowercased, back to back */
	size_t key_names_length;
};

/* ---- The parsed form ---- */

struct acl_list *
acl_list_create(void)
{
	return calloc(1, sizeof(struct acl_list));
}

void
acl_list_free(struct acl_list *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->count; i++) {
		free(list->elements[i].name);
		acl_list_free(list->elements[i].list);
	}
	free(list->elements);
	free(list);
}

int
acl_list_append(struct acl_list *list, const struct acl_element *element)
{
	struct acl_element *elements = realloc(list->elements,
		(list->count + 1) * sizeof *elements);
	if (elements == NULL)
		return ZONED_ENOMEM;
	list->elements = elements;
	elements[list->count++] = *element;
	return 0;
}

/* True when address (octets long) has no bit set past prefix_length. */
static bool
acl_prefix_is_clean(const uint8_t *address, size_t octets, unsigned prefix_length)
{
	for (size_t i = 0; i < octets; i++) {
		unsigned first_bit = (unsigned)i * 8;
		if (prefix_length >= first_bit + 8)
			continue;
		uint8_t keep = prefix_length <= first_bit ? 0
			: (uint8_t)(0xFF << (8 - (prefix_length - first_bit)));
		if ((address[i] & (uint8_t)~keep) != 0)
			return false;
	}
	return true;
}

/* "10/8", "192.168/16": BIND lets an IPv4 prefix drop its zero octets. */
static void
acl_complete_ipv4(char *address, size_t size)
{
	if (strchr(address, ':') != NULL)
		return;
	size_t dots = 0;
	for (const char *c = address; *c != '\0'; c++)
		dots += *c == '.';
	while (dots++ < 3 && strlen(address) + 3 <= size)
		strcat(address, ".0");
}

static const struct {
	const char *word;
	enum acl_element_kind kind;
} acl_keywords[] = {
	{ "any", ACL_ELEMENT_ANY },
	{ "none", ACL_ELEMENT_NONE },
	{ "localhost", ACL_ELEMENT_LOCALHOST },
	{ "localnets", ACL_ELEMENT_LOCALNETS },
};

int
acl_element_parse(const char *text, struct acl_element *out, const char **problem)
{
	const char *unused;
	if (problem == NULL)
		problem = &unused;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < sizeof acl_keywords / sizeof acl_keywords[0]; i++) {
		if (strcasecmp(text, acl_keywords[i].word) == 0) {
			out->kind = acl_keywords[i].kind;
			return 0;
		}
	}
	char address[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(text, '/');
	size_t length = slash ? (size_t)(slash - text) : strlen(text);
	*problem = "not an address or prefix";
	if (length == 0 || length >= sizeof address - 8)
		return slash ? ZONED_ESYNTAX : ZONED_EINVAL;
	memcpy(address, text, length);
	address[length] = '\0';
	if (slash != NULL)
		acl_complete_ipv4(address, sizeof address);
	unsigned maximum;
	out->kind = ACL_ELEMENT_PREFIX;
	if (inet_pton(AF_INET, address, out->address) == 1) {
		out->family = AF_INET;
		maximum = 32;
	} else if (inet_pton(AF_INET6, address, out->address) == 1) {
		out->family = AF_INET6;
		maximum = 128;
	} else {
		/* Without a '/' it may still be the name of an acl. */
		return slash ? ZONED_ESYNTAX : ZONED_EINVAL;
	}
	unsigned prefix = maximum;
	if (slash != NULL) {
		char *end;
		unsigned long value = strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || value > maximum) {
			*problem = "bad prefix length";
			return ZONED_ESYNTAX;
		}
		prefix = (unsigned)value;
	}
	/* named-checkconf refuses 192.0.2.1/24: the operator meant something. */
	if (!acl_prefix_is_clean(out->address, maximum / 8, prefix)) {
		*problem = "address/prefix length mismatch";
		return ZONED_ESYNTAX;
	}
	out->prefix_length = (uint8_t)prefix;
	return 0;
}

/* ---- Interfaces, for localhost and localnets ---- */

static unsigned
acl_mask_length(const uint8_t *mask, size_t octets)
{
	unsigned bits = 0;
	for (size_t i = 0; i < octets; i++) {
		for (uint8_t b = mask[i]; b & 0x80; b = (uint8_t)(b << 1))
			bits++;
	}
	return bits;
}

int
acl_interfaces_read(struct acl_interface **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	struct ifaddrs *all;
	if (getifaddrs(&all) < 0)
		return ZONED_EIO;
	size_t n = 0;
	for (struct ifaddrs *i = all; i != NULL; i = i->ifa_next)
		n++;
	struct acl_interface *list = calloc(n + 1, sizeof *list);
	if (list == NULL) {
		freeifaddrs(all);
		return ZONED_ENOMEM;
	}
	size_t used = 0;
	for (struct ifaddrs *i = all; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_netmask == NULL)
			continue;
		struct acl_interface *entry = &list[used];
		if (i->ifa_addr->sa_family == AF_INET) {
			memcpy(entry->address, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
			entry->prefix_length = (uint8_t)acl_mask_length((const uint8_t *)
				&((struct sockaddr_in *)i->ifa_netmask)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			memcpy(entry->address, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
			entry->prefix_length = (uint8_t)acl_mask_length((const uint8_t *)
				&((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr, 16);
		} else {
			continue;
		}
		entry->family = (uint8_t)i->ifa_addr->sa_family;
		used++;
	}
	freeifaddrs(all);
	*out = list;
	*count = used;
	return 0;
}

/* ---- Compiling ---- */

struct acl_compiler {
	const struct acl_context *context;
	struct acl *acl;
	size_t capacity;
	size_t key_capacity;
	const struct acl_definition *stack[ACL_MAX_DEPTH];   /* names being expanded */
	size_t depth;
	struct acl_interface *own_interfaces;   /* read on first use */
	const struct acl_interface *interfaces;
	size_t interface_count;
	bool interfaces_known;
	int error;
};

static void
acl_compile_error(struct acl_compiler *c, int code, const struct acl_element *e,
	const char *format, const char *name)
{
	if (c->error == 0)
		c->error = code;
	diag_report(c->context->d, DIAG_ERROR, e->file, e->line, format, name);
}

static struct acl_entry *
acl_compile_add(struct acl_compiler *c, enum acl_entry_kind kind, int32_t on_match)
{
	struct acl *acl = c->acl;
	if (acl->count >= ACL_MAX_ENTRIES) {
		c->error = c->error ? c->error : ZONED_ELIMIT;
		return NULL;
	}
	if (acl->count == c->capacity) {
		size_t capacity = c->capacity ? c->capacity * 2 : 8;
		struct acl_entry *entries = realloc(acl->entries, capacity * sizeof *entries);
		if (entries == NULL) {
			c->error = c->error ? c->error : ZONED_ENOMEM;
			return NULL;
		}
		acl->entries = entries;
		c->capacity = capacity;
	}
	struct acl_entry *entry = &acl->entries[acl->count++];
	memset(entry, 0, sizeof *entry);
	entry->kind = (uint8_t)kind;
	entry->on_match = on_match;
	return entry;
}

static void
acl_compile_prefix(struct acl_compiler *c, uint8_t family, const uint8_t *address,
	unsigned prefix_length, int32_t on_match)
{
	struct acl_entry *entry = acl_compile_add(c, family == AF_INET ? ACL_ENTRY_IPV4
		: ACL_ENTRY_IPV6, on_match);
	if (entry == NULL)
		return;
	memcpy(entry->address, address, family == AF_INET ? 4 : 16);
	entry->full_octets = (uint8_t)(prefix_length / 8);
	if (prefix_length % 8 != 0)
		entry->last_mask = (uint8_t)(0xFF << (8 - prefix_length % 8));
	/* The address as stored is masked, so an interface's host bits go. */
	if (entry->last_mask != 0)
		entry->address[entry->full_octets] &= entry->last_mask;
	size_t octets = family == AF_INET ? 4 : 16;
	for (size_t i = entry->full_octets + (entry->last_mask != 0); i < octets; i++)
		entry->address[i] = 0;
}

static bool
acl_key_defined(const struct acl_context *context, const uint8_t *wire)
{
	for (size_t i = 0; i < context->key_count; i++) {
		uint8_t name[DNAME_MAX_LENGTH];
		if (dname_from_text(context->key_names[i], name) < 0)
			continue;
		dname_lower(name);
		if (dname_equal(name, wire))
			return true;
	}
	return false;
}

static void
acl_compile_key(struct acl_compiler *c, const struct acl_element *e, int32_t on_match)
{
	uint8_t wire[DNAME_MAX_LENGTH];
	int length = dname_from_text(e->name, wire);
	if (length < 0) {
		acl_compile_error(c, ZONED_EINVAL, e, "key '%s' is not a valid key name", e->name);
		return;
	}
	dname_lower(wire);
	if (!acl_key_defined(c->context, wire)) {
		acl_compile_error(c, ZONED_EINVAL, e, "key '%s' is not defined by a key "
			"statement", e->name);
		return;
	}
	struct acl *acl = c->acl;
	if (acl->key_names_length + (size_t)length > c->key_capacity) {
		size_t capacity = (c->key_capacity + (size_t)length) * 2;
		uint8_t *names = realloc(acl->key_names, capacity);
		if (names == NULL) {
			c->error = c->error ? c->error : ZONED_ENOMEM;
			return;
		}
		acl->key_names = names;
		c->key_capacity = capacity;
	}
	struct acl_entry *entry = acl_compile_add(c, ACL_ENTRY_KEY, on_match);
	if (entry == NULL)
		return;
	entry->key_offset = (uint32_t)acl->key_names_length;
	memcpy(acl->key_names + acl->key_names_length, wire, (size_t)length);
	acl->key_names_length += (size_t)length;
}

static void
acl_compile_local(struct acl_compiler *c, bool networks, int32_t on_match)
{
	if (!c->interfaces_known) {
		c->interfaces_known = true;
		c->interfaces = c->context->interfaces;
		c->interface_count = c->context->interface_count;
		if (c->interfaces == NULL) {
			int rc = acl_interfaces_read(&c->own_interfaces, &c->interface_count);
			if (rc != 0) {
				c->error = c->error ? c->error : rc;
				return;
			}
			c->interfaces = c->own_interfaces;
		}
	}
	for (size_t i = 0; i < c->interface_count; i++) {
		const struct acl_interface *in = &c->interfaces[i];
		unsigned host = in->family == AF_INET ? 32 : 128;
		acl_compile_prefix(c, in->family, in->address,
			networks ? in->prefix_length : host, on_match);
	}
}

static const struct acl_definition *
acl_find_definition(const struct acl_context *context, const char *name)
{
	for (size_t i = 0; i < context->definition_count; i++) {
		if (strcmp(context->definitions[i].name, name) == 0)
			return &context->definitions[i];
	}
	return NULL;
}

static void acl_compile_list(struct acl_compiler *c, const struct acl_list *list,
	int32_t positive, int32_t negative);

/*
 * A nested list or named acl (definition, else NULL) as one element: its
 * positive answer is the element's answer; its negative answer, or none,
 * continues after it (BIND: no surprise positive from a double negation).
 */
static void
acl_compile_block(struct acl_compiler *c, const struct acl_element *e,
	const struct acl_list *list, const struct acl_definition *definition,
	int32_t on_match)
{
	if (c->depth >= ACL_MAX_DEPTH) {
		acl_compile_error(c, ZONED_ELIMIT, e, "%s: lists nested too deeply",
			e->name ? e->name : "{ }");
		return;
	}
	size_t depth = c->depth++;
	c->stack[depth] = definition;
	size_t start = c->acl->count;
	acl_compile_list(c, list, on_match, ACL_ACTION_AFTER(depth));
	for (size_t i = start; i < c->acl->count; i++) {
		if (c->acl->entries[i].on_match == ACL_ACTION_AFTER(depth))
			c->acl->entries[i].on_match = (int32_t)c->acl->count;
	}
	c->depth--;
}

static void
acl_compile_name(struct acl_compiler *c, const struct acl_element *e, int32_t on_match)
{
	const struct acl_definition *definition = acl_find_definition(c->context, e->name);
	if (definition == NULL) {
		acl_compile_error(c, ZONED_EINVAL, e, "acl '%s' is not defined", e->name);
		return;
	}
	for (size_t i = 0; i < c->depth; i++) {
		if (c->stack[i] == definition) {
			acl_compile_error(c, ZONED_EINVAL, e, "acl '%s' includes itself "
				"(a loop)", e->name);
			return;
		}
	}
	acl_compile_block(c, e, definition->list, definition, on_match);
}

/* Emits list's entries: a match goes to positive, a negated match to negative. */
static void
acl_compile_list(struct acl_compiler *c, const struct acl_list *list, int32_t positive,
	int32_t negative)
{
	for (size_t i = 0; i < list->count && c->error == 0; i++) {
		const struct acl_element *e = &list->elements[i];
		int32_t on_match = e->negated ? negative : positive;
		switch (e->kind) {
		case ACL_ELEMENT_PREFIX:
			acl_compile_prefix(c, e->family, e->address, e->prefix_length, on_match);
			break;
		case ACL_ELEMENT_ANY:
			acl_compile_add(c, ACL_ENTRY_ANY, on_match);
			break;
		case ACL_ELEMENT_NONE:
			/* none is !any, so !none is any. */
			acl_compile_add(c, ACL_ENTRY_ANY, e->negated ? positive : negative);
			break;
		case ACL_ELEMENT_LOCALHOST:
		case ACL_ELEMENT_LOCALNETS:
			acl_compile_local(c, e->kind == ACL_ELEMENT_LOCALNETS, on_match);
			break;
		case ACL_ELEMENT_KEY:
			acl_compile_key(c, e, on_match);
			break;
		case ACL_ELEMENT_NAME:
			acl_compile_name(c, e, on_match);
			break;
		case ACL_ELEMENT_LIST:
			acl_compile_block(c, e, e->list, NULL, on_match);
			break;
		}
	}
}

int
acl_compile(const struct acl_list *list, const struct acl_context *context,
	struct acl **out)
{
	*out = NULL;
	struct acl_compiler c = { .context = context };
	c.acl = calloc(1, sizeof *c.acl);
	if (c.acl == NULL)
		return ZONED_ENOMEM;
	acl_compile_list(&c, list, ACL_ACTION_MATCH, ACL_ACTION_NEGATED);
	free(c.own_interfaces);
	if (c.error != 0) {
		if (c.error == ZONED_ELIMIT && list->count > 0)
			diag_report(context->d, DIAG_ERROR, list->elements[0].file,
				list->elements[0].line, "address match list expands to more "
				"than %d elements", ACL_MAX_ENTRIES);
		acl_free(c.acl);
		return c.error;
	}
	*out = c.acl;
	return 0;
}

void
acl_free(struct acl *acl)
{
	if (acl == NULL)
		return;
	free(acl->entries);
	free(acl->key_names);
	free(acl);
}

size_t
acl_entry_count(const struct acl *acl)
{
	return acl ? acl->count : 0;
}

/* ---- Matching: the request path ---- */

static bool
acl_entry_matches(const struct acl *acl, const struct acl_entry *entry,
	enum acl_entry_kind kind, const uint8_t *address, const uint8_t *key)
{
	if (entry->kind == ACL_ENTRY_ANY)
		return true;
	if (entry->kind == ACL_ENTRY_KEY)
		return key != NULL && dname_equal(acl->key_names + entry->key_offset, key);
	if (entry->kind != kind)
		return false;
	if (memcmp(address, entry->address, entry->full_octets) != 0)
		return false;
	return entry->last_mask == 0
		|| (address[entry->full_octets] & entry->last_mask)
			== entry->address[entry->full_octets];
}

enum acl_result
acl_match(const struct acl *acl, const struct sockaddr *client, const uint8_t *key)
{
	if (acl == NULL)
		return ACL_NO_MATCH;
	/* An address that is not IPv4 or IPv6 matches only any and keys. */
	enum acl_entry_kind kind = ACL_ENTRY_ANY;
	const uint8_t *address = (const uint8_t *)"";
	if (client->sa_family == AF_INET) {
		kind = ACL_ENTRY_IPV4;
		address = (const uint8_t *)&((const struct sockaddr_in *)client)->sin_addr;
	} else if (client->sa_family == AF_INET6) {
		const struct in6_addr *in6 = &((const struct sockaddr_in6 *)client)->sin6_addr;
		kind = ACL_ENTRY_IPV6;
		address = in6->s6_addr;
		/* A v4 client on a dual-stack socket must meet the v4 rules. */
		if (IN6_IS_ADDR_V4MAPPED(in6)) {
			kind = ACL_ENTRY_IPV4;
			address = in6->s6_addr + 12;
		}
	}
	size_t i = 0;
	while (i < acl->count) {
		const struct acl_entry *entry = &acl->entries[i];
		if (!acl_entry_matches(acl, entry, kind, address, key)) {
			i++;
			continue;
		}
		if (entry->on_match == ACL_ACTION_MATCH)
			return ACL_MATCH;
		if (entry->on_match == ACL_ACTION_NEGATED)
			return ACL_MATCH_NEGATED;
		i = (size_t)entry->on_match;
	}
	return ACL_NO_MATCH;
}

bool
acl_allows(const struct acl *acl, const struct sockaddr *client, const uint8_t *key)
{
	return acl_match(acl, client, key) == ACL_MATCH;
}

/* ---- Per-zone lists of one view ---- */

static uint32_t
acl_zone_slot(const struct acl_zone_map *map, const void *zone)
{
	/* Fibonacci hashing of the address: zones are allocated apart. */
	uint64_t h = (uint64_t)(uintptr_t)zone * UINT64_C(0x9E3779B97F4A7C15);
	return (uint32_t)(h >> 32) & map->mask;
}

int
acl_zone_map_init(struct acl_zone_map *map, size_t count)
{
	uint32_t slots = 4;
	while (slots < count * 2 + 1)
		slots *= 2;
	map->slots = calloc(slots, sizeof *map->slots);
	map->mask = slots - 1;
	return map->slots ? 0 : ZONED_ENOMEM;
}

void
acl_zone_map_put(struct acl_zone_map *map, const void *zone, const struct acl *acl)
{
	uint32_t slot = acl_zone_slot(map, zone);
	while (map->slots[slot].zone != NULL && map->slots[slot].zone != zone)
		slot = (slot + 1) & map->mask;
	map->slots[slot] = (struct acl_zone_entry){ zone, acl };
}

const struct acl *
acl_zone_map_get(const struct acl_zone_map *map, const void *zone)
{
	uint32_t slot = acl_zone_slot(map, zone);
	for (const struct acl_zone_entry *e; (e = &map->slots[slot])->zone != NULL;
		slot = (slot + 1) & map->mask) {
		if (e->zone == zone)
			return e->acl;
	}
	return NULL;
}

void
acl_zone_map_free(struct acl_zone_map *map)
{
	free(map->slots);
	map->slots = NULL;
}
