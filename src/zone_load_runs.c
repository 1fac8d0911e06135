/*
 * zone_load_runs.c: named-checkzone 9.18 finds "CNAME and other data" and
 * "multiple RRs of singleton type" while it reads, not afterwards. It
 * gathers the records of consecutive lines with one owner (a run), and
 * adds the run's RRsets to its database when the owner changes, newest
 * type first, reporting a refusal at the line of the run's last record.
 * Names given as NS targets right after the NS records (glue) open a run
 * of their own without closing the owner's. A database node keeps a CNAME
 * and other data once both were added, so every later addition to it
 * fails too. This file replays that, for identical messages and order.
 */
#include <stdlib.h>
#include <string.h>

#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/rrtype.h"
#include "nametree_internal.h"
#include "zone_load_runs.h"

/* The first record of a singleton type (SOA, CNAME, DNAME) a node or run has. */
struct singleton {
	uint16_t type;
	size_t length;
	uint8_t *rdata;
	bool several;               /* a run only: it had another, different one */
};

/* What the database has at one name, as far as the two checks care. */
struct node_state {
	bool cname, other;
	struct singleton *singletons;
	size_t singleton_count;
	size_t name_length;
	uint8_t name[];             /* lowercased */
};

/* The records read since the owner last changed. */
struct run {
	bool open;
	uint8_t owner[DNAME_MAX_LENGTH];   /* as first written */
	uint16_t *types;            /* in order of first appearance */
	size_t type_count, type_capacity;
	struct singleton *singletons;
	size_t singleton_count, singleton_capacity;
	uint8_t *ns_targets;        /* the run's NS targets, wire names back to back */
	size_t ns_length, ns_capacity;
	bool has_ns;
	const char *file;
	unsigned long line;         /* of the run's last record */
};

struct load_runs {
	struct node_state **slots;  /* open addressing, power of two */
	size_t slot_count, used;
	struct run current, glue;
};

static uint64_t
runs_hash(const uint8_t *name, size_t length)
{
	uint64_t hash = 1469598103934665603ull;
	for (size_t i = 0; i < length; i++)
		hash = (hash ^ dname_lower_table[name[i]]) * 1099511628211ull;
	return hash;
}

struct load_runs *
load_runs_create(void)
{
	return calloc(1, sizeof(struct load_runs));
}

static void
singletons_free(struct singleton *singletons, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(singletons[i].rdata);
}

static void
run_clear(struct run *run)
{
	singletons_free(run->singletons, run->singleton_count);
	run->singleton_count = 0;
	run->type_count = 0;
	run->ns_length = 0;
	run->has_ns = false;
	run->open = false;
}

static void
run_free(struct run *run)
{
	run_clear(run);
	free(run->types);
	free(run->singletons);
	free(run->ns_targets);
}

void
load_runs_free(struct load_runs *runs)
{
	if (runs == NULL)
		return;
	for (size_t i = 0; i < runs->slot_count; i++) {
		struct node_state *node = runs->slots[i];
		if (node == NULL)
			continue;
		singletons_free(node->singletons, node->singleton_count);
		free(node->singletons);
		free(node);
	}
	free(runs->slots);
	run_free(&runs->current);
	run_free(&runs->glue);
	free(runs);
}

/* The slot for name: its state, or the empty slot where it goes. */
static struct node_state **
runs_slot(struct load_runs *runs, const uint8_t *name, size_t length)
{
	size_t mask = runs->slot_count - 1;
	for (size_t i = runs_hash(name, length) & mask;; i = (i + 1) & mask) {
		struct node_state *node = runs->slots[i];
		if (node == NULL || (node->name_length == length && dname_equal(node->name, name)))
			return &runs->slots[i];
	}
}

static int
runs_rehash(struct load_runs *runs)
{
	struct node_state **old = runs->slots;
	size_t old_count = runs->slot_count;
	runs->slot_count = old_count != 0 ? old_count * 2 : 1024;
	runs->slots = calloc(runs->slot_count, sizeof *runs->slots);
	if (runs->slots == NULL) {
		runs->slots = old;
		runs->slot_count = old_count;
		return ZONED_ENOMEM;
	}
	for (size_t i = 0; i < old_count; i++) {
		if (old[i] != NULL)
			*runs_slot(runs, old[i]->name, old[i]->name_length) = old[i];
	}
	free(old);
	return 0;
}

/* The state of name, created empty on first use; NULL when out of memory. */
static struct node_state *
runs_node(struct load_runs *runs, const uint8_t *name)
{
	size_t length = dname_length(name);
	if (2 * (runs->used + 1) > runs->slot_count && runs_rehash(runs) != 0)
		return NULL;
	struct node_state **slot = runs_slot(runs, name, length);
	if (*slot != NULL)
		return *slot;
	struct node_state *node = calloc(1, sizeof *node + length);
	if (node == NULL)
		return NULL;
	memcpy(node->name, name, length);
	dname_lower(node->name);
	node->name_length = length;
	*slot = node;
	runs->used++;
	return node;
}

/* Whether two records of a singleton type are the same (names compare without case). */
static bool
rdata_same(uint16_t type, const uint8_t *a, size_t a_length, const uint8_t *b, size_t b_length)
{
	if (a_length != b_length)
		return false;
	if (type != RRTYPE_CNAME && type != RRTYPE_DNAME && type != RRTYPE_SOA)
		return memcmp(a, b, a_length) == 0;
	size_t names = type == RRTYPE_SOA ? 2 : 1, offset = 0;
	for (size_t i = 0; i < names; i++) {
		if (!dname_equal(a + offset, b + offset))
			return false;
		offset += dname_length(a + offset);
	}
	return memcmp(a + offset, b + offset, a_length - offset) == 0;
}

static struct singleton *
singleton_find(struct singleton *singletons, size_t count, uint16_t type)
{
	for (size_t i = 0; i < count; i++) {
		if (singletons[i].type == type)
			return &singletons[i];
	}
	return NULL;
}

static int
singleton_copy(struct singleton *to, uint16_t type, const uint8_t *rdata, size_t length)
{
	to->type = type;
	to->length = length;
	to->several = false;
	to->rdata = malloc(length != 0 ? length : 1);
	if (to->rdata == NULL)
		return ZONED_ENOMEM;
	memcpy(to->rdata, rdata, length);
	return 0;
}

static void
runs_report(const struct run *run, struct diag *d, const char *problem)
{
	char owner[DNAME_MAX_LENGTH * 4 + 2];
	dname_format(run->owner, owner, sizeof owner);
	diag_report(d, DIAG_ERROR, run->file, run->line, "%s: %s", owner, problem);
}

/*
 * Adds one RRset of the run to the node as BIND's database does: a
 * singleton type that would hold two records is refused; otherwise the
 * RRset stays, and the node reports CNAME and other data once it has both.
 */
static int
runs_add_rrset(struct node_state *node, const struct run *run, uint16_t type, struct diag *d)
{
	if (rrtype_is_singleton(type)) {
		struct singleton *mine = singleton_find(run->singletons, run->singleton_count, type);
		struct singleton *had = singleton_find(node->singletons, node->singleton_count, type);
		if (mine->several || (had != NULL
			&& !rdata_same(type, had->rdata, had->length, mine->rdata, mine->length))) {
			runs_report(run, d, "multiple RRs of singleton type");
			return 0;
		}
		if (had == NULL) {
			struct singleton *grown = realloc(node->singletons,
				(node->singleton_count + 1) * sizeof *grown);
			if (grown == NULL)
				return ZONED_ENOMEM;
			node->singletons = grown;
			int rc = singleton_copy(&grown[node->singleton_count], type, mine->rdata,
				mine->length);
			if (rc != 0)
				return rc;
			node->singleton_count++;
		}
	}
	if (type == RRTYPE_CNAME)
		node->cname = true;
	else if (!rrtype_allowed_at_cname(type))
		node->other = true;
	if (node->cname && node->other)
		runs_report(run, d, "CNAME and other data");
	return 0;
}

/* Adds the run's RRsets, newest type first (BIND prepends each new one). */
static int
runs_commit_run(struct load_runs *runs, struct run *run, struct diag *d)
{
	if (!run->open || run->type_count == 0) {
		run_clear(run);
		return 0;
	}
	struct node_state *node = runs_node(runs, run->owner);
	int rc = node == NULL ? ZONED_ENOMEM : 0;
	for (size_t i = run->type_count; rc == 0 && i > 0; i--)
		rc = runs_add_rrset(node, run, run->types[i - 1], d);
	run_clear(run);
	return rc;
}

const uint8_t *
load_runs_glue_parent(const struct load_runs *runs)
{
	return runs != NULL && runs->glue.open ? runs->current.owner : NULL;
}

int
load_runs_commit(struct load_runs *runs, struct diag *d)
{
	if (runs == NULL)
		return 0;
	int rc = runs_commit_run(runs, &runs->current, d);
	int glue_rc = runs_commit_run(runs, &runs->glue, d);
	return rc != 0 ? rc : glue_rc;
}

/* True when owner is one of the run's NS targets. */
static bool
run_names_target(const struct run *run, const uint8_t *owner)
{
	for (size_t offset = 0; offset < run->ns_length;
		offset += dname_length(run->ns_targets + offset)) {
		if (dname_equal(run->ns_targets + offset, owner))
			return true;
	}
	return false;
}

static void
run_open(struct run *run, const uint8_t *owner)
{
	run_clear(run);
	memcpy(run->owner, owner, dname_length(owner));
	run->open = true;
}

int
load_runs_owner(struct load_runs *runs, const uint8_t *owner, struct diag *d)
{
	int rc = 0;
	if (runs == NULL)
		return 0;
	if (runs->glue.open && !dname_equal(runs->glue.owner, owner))
		rc = runs_commit_run(runs, &runs->glue, d);
	if (rc != 0 || runs->glue.open)
		return rc;
	if (runs->current.open && dname_equal(runs->current.owner, owner))
		return 0;
	if (runs->current.open && runs->current.has_ns && run_names_target(&runs->current, owner)) {
		run_open(&runs->glue, owner);
		return 0;
	}
	rc = runs_commit_run(runs, &runs->current, d);
	run_open(&runs->current, owner);
	return rc;
}

/* Notes a singleton record in the run: its first rdata, or that there are several. */
static int
run_add_singleton(struct run *run, uint16_t type, const uint8_t *rdata, size_t length)
{
	struct singleton *had = singleton_find(run->singletons, run->singleton_count, type);
	if (had != NULL) {
		if (!rdata_same(type, had->rdata, had->length, rdata, length))
			had->several = true;
		return 0;
	}
	int rc = zone_grow_array(&run->singletons, &run->singleton_capacity, run->singleton_count + 1,
		sizeof *run->singletons);
	if (rc == 0)
		rc = singleton_copy(&run->singletons[run->singleton_count], type, rdata, length);
	if (rc == 0)
		run->singleton_count++;
	return rc;
}

int
load_runs_add(struct load_runs *runs, uint16_t type, const uint8_t *rdata,
	size_t rdata_length, const char *file, unsigned long line)
{
	if (runs == NULL)
		return 0;
	struct run *run = runs->glue.open ? &runs->glue : &runs->current;
	if (!run->open || type == RRTYPE_NSEC3)
		return 0;   /* NSEC3 lives in a tree of its own in BIND */
	run->file = file;
	run->line = line;
	size_t i = 0;
	while (i < run->type_count && run->types[i] != type)
		i++;
	int rc = 0;
	if (i == run->type_count) {
		rc = zone_grow_array(&run->types, &run->type_capacity, run->type_count + 1,
			sizeof *run->types);
		if (rc == 0)
			run->types[run->type_count++] = type;
	}
	if (rc == 0 && rrtype_is_singleton(type))
		rc = run_add_singleton(run, type, rdata, rdata_length);
	/* Names the NS records point at may follow as glue (BIND's is_glue()). */
	if (rc == 0 && type == RRTYPE_NS && run == &runs->current) {
		size_t length = dname_length(rdata);
		run->has_ns = true;
		rc = zone_grow_array(&run->ns_targets, &run->ns_capacity, run->ns_length + length, 1);
		if (rc == 0) {
			memcpy(run->ns_targets + run->ns_length, rdata, length);
			run->ns_length += length;
		}
	}
	return rc;
}

int
load_runs_direct(struct load_runs *runs, const uint8_t *owner, uint16_t type,
	const uint8_t *rdata, size_t rdata_length, const char *file, unsigned long line,
	struct diag *d)
{
	if (runs == NULL || type == RRTYPE_NSEC3)
		return 0;
	struct run single = { 0 };
	run_open(&single, owner);
	single.file = file;
	single.line = line;
	int rc = zone_grow_array(&single.types, &single.type_capacity, 1, sizeof *single.types);
	if (rc == 0) {
		single.types[single.type_count++] = type;
		if (rrtype_is_singleton(type))
			rc = run_add_singleton(&single, type, rdata, rdata_length);
	}
	if (rc == 0)
		rc = runs_commit_run(runs, &single, d);
	run_free(&single);
	return rc;
}
