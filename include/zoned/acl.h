/*
 * acl.h: BIND's address match lists (named.conf "address_match_list"):
 * prefixes, "!" negation, any, none, localhost, localnets, nested lists,
 * named acls and key elements. A list is parsed into a tree (as written,
 * with file:line for messages), then compiled once at config load into a
 * flat array that matching walks without allocating.
 */
#ifndef ZONED_ACL_H
#define ZONED_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct diag;

/* ---- The parsed form ---- */

enum acl_element_kind {
	ACL_ELEMENT_PREFIX,     /* 192.0.2.0/24, ::1, 10/8 */
	ACL_ELEMENT_ANY,
	ACL_ELEMENT_NONE,       /* BIND: none is !any */
	ACL_ELEMENT_LOCALHOST,  /* every address of the host's interfaces */
	ACL_ELEMENT_LOCALNETS,  /* every network of the host's interfaces */
	ACL_ELEMENT_KEY,        /* key "name": the request was signed with it */
	ACL_ELEMENT_NAME,       /* a name given by an acl statement */
	ACL_ELEMENT_LIST,       /* { nested; list; } */
};

struct acl_list;

/* One element as written. */
struct acl_element {
	enum acl_element_kind kind;
	bool negated;
	uint8_t family;               /* PREFIX: AF_INET or AF_INET6 */
	uint8_t prefix_length;        /* PREFIX */
	uint8_t address[16];          /* PREFIX, masked; IPv4 in the first 4 octets */
	char *name;                   /* KEY, NAME: owned */
	struct acl_list *list;        /* LIST: owned */
	const char *file;             /* where written; not owned, must outlive compiling */
	unsigned long line;
};

/* A list as written, in order. */
struct acl_list {
	struct acl_element *elements;
	size_t count;
};

/* A named list from an acl "name" { ... }; statement. */
struct acl_definition {
	char *name;                   /* owned */
	struct acl_list *list;        /* owned */
	const char *file;             /* not owned */
	unsigned long line;
};

/* An empty list, or NULL when out of memory. */
struct acl_list *acl_list_create(void);

/* Frees list and its nested lists. NULL is fine. */
void acl_list_free(struct acl_list *list);

/*
 * Appends a copy of *element; on success the list owns element->name and
 * element->list. Returns 0 or ZONED_ENOMEM (then the caller still owns them).
 */
int acl_list_append(struct acl_list *list, const struct acl_element *element);

/*
 * Reads one address element's text, without "!": "any", "none",
 * "localhost", "localnets", or an IPv4/IPv6 address with an optional
 * "/length" (IPv4 may be shortened as BIND allows: "10/8", "192.168/16").
 * Sets kind, family, prefix_length and address of *out and clears the
 * rest. Returns 0, ZONED_EINVAL (not an address or keyword: maybe an acl
 * name) or ZONED_ESYNTAX (an address whose prefix is malformed or has bits
 * set past its length, as named-checkconf reports). problem, when not
 * NULL, receives a static explanation.
 */
int acl_element_parse(const char *text, struct acl_element *out, const char **problem);

/* ---- The compiled form ---- */

/* One address of the host, as an interface has it: for localhost/localnets. */
struct acl_interface {
	uint8_t family;               /* AF_INET or AF_INET6 */
	uint8_t prefix_length;        /* the interface's netmask */
	uint8_t address[16];
};

/* What names in a list resolve against while compiling. */
struct acl_context {
	const struct acl_definition *definitions;  /* acl statements */
	size_t definition_count;
	const char *const *key_names;  /* key statements' names, as written */
	size_t key_count;
	const struct acl_interface *interfaces;   /* NULL: read with getifaddrs() */
	size_t interface_count;
	struct diag *d;                /* errors, at the element's file:line */
};

/*
 * Reads the host's interface addresses (getifaddrs) into a new array
 * (*out, free() it), *count entries. Returns 0, ZONED_EIO or ZONED_ENOMEM.
 */
int acl_interfaces_read(struct acl_interface **out, size_t *count);

/* A compiled list. Opaque; acl_match() reads it. */
struct acl;

/*
 * Compiles list against context: resolves acl names (defined anywhere,
 * a name used inside its own definition is a loop), checks that every key
 * element names a key statement, expands localhost/localnets from the
 * interfaces. Errors go to context->d at the element's file:line. On
 * success *out is a new acl owned by the caller. Returns 0, ZONED_EINVAL
 * (undefined acl or key name, a loop), ZONED_ELIMIT (expands to too many
 * elements), ZONED_EIO (interfaces unreadable) or ZONED_ENOMEM.
 */
int acl_compile(const struct acl_list *list, const struct acl_context *context,
	struct acl **out);

/* Frees acl. NULL is fine. */
void acl_free(struct acl *acl);

/* How a list answers for one client: BIND's positive, negative, or no match. */
enum acl_result {
	ACL_NO_MATCH,
	ACL_MATCH,                /* the first matching element was not negated */
	ACL_MATCH_NEGATED,        /* it was negated: "no", and the walk stopped */
};

/*
 * Walks acl for client (AF_INET or AF_INET6; an IPv4-mapped IPv6 address
 * is matched as its IPv4 address) and key (the lowercased wire name of the
 * TSIG key that verified the request, NULL when unsigned). First match
 * wins; a nested list or named acl matches when it answers ACL_MATCH
 * (a negative answer inside it counts as no match, as in BIND). acl NULL
 * answers ACL_NO_MATCH. Never allocates.
 */
enum acl_result acl_match(const struct acl *acl, const struct sockaddr *client,
	const uint8_t *key);

/* True when acl answers ACL_MATCH for client: "allowed" (NULL acl: false). */
bool acl_allows(const struct acl *acl, const struct sockaddr *client, const uint8_t *key);

/* The number of flat entries, for tests and limits. */
size_t acl_entry_count(const struct acl *acl);

/* ---- Per-zone lists of one view ---- */

/*
 * The zone-level lists (allow-query) of one published view, found by the
 * zone's address. Zones are shared between reloads but their policy comes
 * from each view's config, so the map belongs to the view, not the zone.
 */
struct acl_zone_entry {
	const void *zone;             /* a struct zone *; NULL: free slot */
	const struct acl *acl;        /* borrowed from the view's config */
};

struct acl_zone_map {
	struct acl_zone_entry *slots; /* open addressing, mask + 1 slots, under half full */
	uint32_t mask;
};

/* Sizes map for up to count zones. Returns 0 or ZONED_ENOMEM. */
int acl_zone_map_init(struct acl_zone_map *map, size_t count);

/* Adds zone's list (at most the count given to init). */
void acl_zone_map_put(struct acl_zone_map *map, const void *zone, const struct acl *acl);

/* zone's own list, or NULL when it has none. Never allocates. */
const struct acl *acl_zone_map_get(const struct acl_zone_map *map, const void *zone);

/* Frees the slots (not the lists). */
void acl_zone_map_free(struct acl_zone_map *map);

#endif
