/*
 * zone_check_zone.c: the whole-zone checks of named-checkzone 9.18: SOA and
 * NS at the apex, CNAME and other data, NS/MX/SRV targets, glue, SPF.
 */
#include <stdarg.h>
#include <string.h>

#include "zone_check_internal.h"

/* What a lookup found, after BIND's dns_db_find() results. */
enum find_result {
	FIND_SUCCESS,     /* the name has the type (possibly through a wildcard) */
	FIND_GLUE,        /* the type exists, but at or below a zone cut */
	FIND_DELEGATION,  /* at or below a zone cut, no such data there */
	FIND_DNAME,       /* below a DNAME */
	FIND_CNAME,       /* the name (or its wildcard) owns a CNAME */
	FIND_NXRRSET,     /* the name exists without that type */
	FIND_EMPTYNAME,   /* an empty non-terminal */
	FIND_NXDOMAIN,    /* no such name */
};

/* State of one zone_check_zone() pass. */
struct check_pass {
	const struct zone *zone;
	const struct zone_check_modes *modes;
	struct diag *d;
	unsigned errors;
};

/* Reports a whole-zone finding; the caller prints the "zone ORIGIN/IN: " prefix. */
static void __attribute__((format(printf, 3, 4)))
pass_report(struct check_pass *pass, enum diag_level level, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	diag_vreport(pass->d, level, NULL, 0, format, args);
	va_end(args);
	if (level == DIAG_ERROR)
		pass->errors++;
}

/* Outcome at the node that matched the name (directly or as its wildcard). */
static enum find_result
find_at_node(const struct name_node *node, uint16_t type)
{
	if (type != RRTYPE_CNAME && name_node_rrset(node, RRTYPE_CNAME) != NULL)
		return FIND_CNAME;
	if (name_node_rrset(node, type) != NULL)
		return FIND_SUCCESS;
	return node->rrset_count == 0 ? FIND_EMPTYNAME : FIND_NXRRSET;
}

/*
 * Looks name up the way BIND's dns_db_find() does for the checks: walks
 * down from the apex, stopping at a zone cut (RFC 1034 4.2.1) unless
 * glue_ok, or at a DNAME (RFC 6672 2.3: it redirects every name below it),
 * and falls back to the closest encloser's wildcard (RFC 4592 3.3.1).
 * *dname gets the DNAME's node for FIND_DNAME.
 */
static enum find_result
zone_check_find(const struct zone *zone, const uint8_t *name, uint16_t type, bool glue_ok,
	const struct name_node **dname)
{
	uint8_t lower[DNAME_MAX_LENGTH];
	size_t length = dname_length(name);
	memcpy(lower, name, length);
	dname_lower(lower);
	const uint8_t *labels[DNAME_MAX_LABELS];
	unsigned depth = 0, below = dname_label_count(lower) - zone->origin_labels;
	for (const uint8_t *label = lower; depth < below; label += *label + 1)
		labels[depth++] = label;
	const struct name_node *node = zone->apex;
	bool below_cut = false;
	while (depth > 0) {
		if (node != zone->apex && name_node_rrset(node, RRTYPE_NS) != NULL) {
			if (!glue_ok)
				return FIND_DELEGATION;
			below_cut = true;
		}
		if (!below_cut && name_node_rrset(node, RRTYPE_DNAME) != NULL) {
			*dname = node;
			return FIND_DNAME;
		}
		const uint8_t *suffix = labels[--depth];
		const struct name_node *child = zone_find_node(zone, suffix,
			length - (size_t)(suffix - lower));
		if (child == NULL) {
			if (below_cut)
				return FIND_DELEGATION;
			if (node_wildcard_child(zone, node) != NULL)
				return find_at_node(node_wildcard_child(zone, node), type);
			return FIND_NXDOMAIN;
		}
		node = child;
	}
	if (node != zone->apex && name_node_rrset(node, RRTYPE_NS) != NULL)
		below_cut = true;
	if (below_cut) {
		if (glue_ok && name_node_rrset(node, type) != NULL)
			return FIND_GLUE;
		return FIND_DELEGATION;
	}
	return find_at_node(node, type);
}

/* A, then AAAA when the name exists without A (BIND's order, and its results). */
static enum find_result
find_address(const struct zone *zone, const uint8_t *name, bool glue_ok,
	const struct name_node **dname)
{
	enum find_result result = zone_check_find(zone, name, RRTYPE_A, glue_ok, dname);
	if (result == FIND_NXRRSET || (glue_ok && result == FIND_DELEGATION)) {
		enum find_result aaaa = zone_check_find(zone, name, RRTYPE_AAAA, glue_ok, dname);
		if (aaaa == FIND_SUCCESS || aaaa == FIND_GLUE)
			return aaaa;
	}
	return result;
}

/*
 * RFC 1034 4.2.2 / RFC 2181 10.3: an in-zone apex NS target needs an
 * address and must not be an alias. Fatal whatever -i says, as in BIND.
 */
static void
check_apex_ns_target(struct check_pass *pass, const uint8_t *target)
{
	const struct name_node *dname = NULL;
	if (!dname_is_subdomain(target, pass->zone->origin))
		return;
	enum find_result result = find_address(pass->zone, target, false, &dname);
	name_text text, alias;
	if (result == FIND_SUCCESS || result == FIND_DELEGATION)
		return;
	dname_format(target, text, sizeof(name_text));
	switch (result) {
	case FIND_NXRRSET:
	case FIND_NXDOMAIN:
	case FIND_EMPTYNAME:
		pass_report(pass, DIAG_ERROR, "NS '%s' has no address records (A or AAAA)", text);
		break;
	case FIND_CNAME:
		pass_report(pass, DIAG_ERROR, "NS '%s' is a CNAME (illegal)", text);
		break;
	case FIND_DNAME:
		dname_format(dname->name, alias, sizeof(name_text));
		pass_report(pass, DIAG_ERROR, "NS '%s' is below a DNAME '%s' (illegal)", text, alias);
		break;
	default:
		break;
	}
}

/* RFC 1035 5.2 (one SOA) and RFC 1034 4.2.1 (NS at the apex). */
static void
check_apex(struct check_pass *pass)
{
	const struct name_node *apex = pass->zone->apex;
	const struct rrset *ns = name_node_rrset(apex, RRTYPE_NS);
	if (ns != NULL && pass->zone->zone_class == RRCLASS_IN) {
		struct rdata_cursor cursor = rdata_cursor_start(ns->rdata, ns->rdata_length);
		const uint8_t *rdata;
		uint16_t length;
		while (rdata_cursor_next(&cursor, &rdata, &length)) {
			const uint8_t *target = rrtype_rdata_name(RRTYPE_NS, rdata, length, 0);
			if (target != NULL)
				check_apex_ns_target(pass, target);
		}
	}
	const struct rrset *soa = name_node_rrset(apex, RRTYPE_SOA);
	if (soa == NULL || soa->rr_count != 1)
		pass_report(pass, DIAG_ERROR, "has %u SOA records", soa == NULL ? 0u : soa->rr_count);
	if (ns == NULL)
		pass_report(pass, DIAG_ERROR, "has no NS records");
}

/* RFC 2181 10.1: CNAME and other data; RFC 1035/6672: one SOA, CNAME, DNAME. */
static void
check_node_singletons(struct check_pass *pass, const struct name_node *node)
{
	name_text owner;
	const struct rrset *rrsets = name_node_rrsets(node);
	if (name_node_rrset(node, RRTYPE_CNAME) != NULL) {
		for (uint16_t i = 0; i < node->rrset_count; i++) {
			uint16_t type = rrsets[i].type;
			if (type != RRTYPE_CNAME && !rrtype_allowed_at_cname(type)) {
				dname_format(node->name, owner, sizeof owner);
				pass_report(pass, DIAG_ERROR, "%s: CNAME and other data", owner);
				break;
			}
		}
	}
	for (uint16_t i = 0; i < node->rrset_count; i++) {
		if (rrtype_is_singleton(rrsets[i].type) && rrsets[i].rr_count > 1) {
			dname_format(node->name, owner, sizeof owner);
			pass_report(pass, DIAG_ERROR, "%s: multiple RRs of singleton type", owner);
		}
	}
}

/* Level for a finding whose mode is warn or fail; false when it is ignored. */
static bool
pass_mode_level(enum check_mode mode, enum diag_level *level)
{
	*level = zone_check_mode_level(mode);
	return mode != CHECK_IGNORE;
}

/*
 * MX (RFC 2181 10.3, RFC 5321 5.1) and SRV (RFC 2782) targets must have an
 * address and must not be aliases. A missing MX address is fatal only with
 * -m fail; a missing SRV address never is.
 */
static void
check_mail_target(struct check_pass *pass, const struct name_node *node, uint16_t type,
	const uint8_t *target)
{
	const struct name_node *dname = NULL;
	if (!dname_is_subdomain(target, pass->zone->origin))
		return;
	enum find_result result = find_address(pass->zone, target, false, &dname);
	const char *type_name = type == RRTYPE_MX ? "MX" : "SRV";
	enum check_mode alias_mode = type == RRTYPE_MX ? pass->modes->mx_cname : pass->modes->srv_cname;
	enum diag_level level;
	name_text owner, text, alias;
	if (result == FIND_SUCCESS || result == FIND_GLUE || result == FIND_DELEGATION)
		return;
	dname_format(node->name, owner, sizeof(name_text));
	dname_format(target, text, sizeof(name_text));
	switch (result) {
	case FIND_NXRRSET:
	case FIND_NXDOMAIN:
	case FIND_EMPTYNAME:
		level = type == RRTYPE_MX && pass->modes->mx_address == CHECK_FAIL
			? DIAG_ERROR : DIAG_WARNING;
		pass_report(pass, level, "%s/%s '%s' has no address records (A or AAAA)",
			owner, type_name, text);
		break;
	case FIND_CNAME:
		if (pass_mode_level(alias_mode, &level))
			pass_report(pass, level, "%s/%s '%s' is a CNAME (illegal)", owner,
				type_name, text);
		break;
	case FIND_DNAME:
		dname_format(dname->name, alias, sizeof(name_text));
		if (pass_mode_level(alias_mode, &level))
			pass_report(pass, level, "%s/%s '%s' is below a DNAME '%s' (illegal)", owner,
				type_name, text, alias);
		break;
	default:
		break;
	}
}

/*
 * RFC 1034 4.2.2: a delegation whose NS target lies below the cut needs
 * glue. BIND logs these (and targets that are aliases) without failing.
 */
static void
check_glue(struct check_pass *pass, const struct name_node *node, const uint8_t *target)
{
	const struct name_node *dname = NULL;
	if (!dname_is_subdomain(target, pass->zone->origin))
		return;
	enum find_result result = find_address(pass->zone, target, true, &dname);
	name_text owner, text, alias;
	if (result == FIND_SUCCESS || result == FIND_GLUE)
		return;
	dname_format(node->name, owner, sizeof(name_text));
	dname_format(target, text, sizeof(name_text));
	if (result == FIND_NXRRSET || result == FIND_NXDOMAIN || result == FIND_EMPTYNAME
		|| result == FIND_DELEGATION) {
		const char *what = "";
		bool required = dname_is_subdomain(target, node->name);
		if (required)
			what = "REQUIRED GLUE ";
		else if (result == FIND_DELEGATION)
			what = "SIBLING GLUE ";
		if (result != FIND_DELEGATION || required || pass->modes->sibling_glue)
			pass_report(pass, DIAG_WARNING,
				"%s/NS '%s' has no %saddress records (A or AAAA)", owner, text, what);
	} else if (result == FIND_CNAME) {
		pass_report(pass, DIAG_WARNING, "%s/NS '%s' is a CNAME (illegal)", owner, text);
	} else if (result == FIND_DNAME) {
		dname_format(dname->name, alias, sizeof(name_text));
		pass_report(pass, DIAG_WARNING, "%s/NS '%s' is below a DNAME '%s' (illegal)",
			owner, text, alias);
	}
}

/* True when the TXT rdata's strings, joined, start with "v=spf1" (RFC 7208 4.5). */
static bool
txt_is_spf(const uint8_t *rdata, size_t length)
{
	char text[8];
	size_t used = 0;
	for (size_t offset = 0; offset < length && used < sizeof text - 1;) {
		size_t string_length = rdata[offset++];
		for (size_t i = 0; i < string_length && offset + i < length
			&& used < sizeof text - 1; i++)
			text[used++] = (char)rdata[offset + i];
		offset += string_length;
	}
	text[used] = '\0';
	return strncmp(text, "v=spf1", 6) == 0 && (text[6] == '\0' || text[6] == ' ');
}

/* RFC 7208 3.1 / 14.1: SPF records belong in TXT; a lone SPF RRset is suspect. */
static void
check_spf(struct check_pass *pass, const struct name_node *node)
{
	if (name_node_rrset(node, RRTYPE_SPF) == NULL)
		return;
	const struct rrset *txt = name_node_rrset(node, RRTYPE_TXT);
	if (txt != NULL) {
		struct rdata_cursor cursor = rdata_cursor_start(txt->rdata, txt->rdata_length);
		const uint8_t *rdata;
		uint16_t length;
		while (rdata_cursor_next(&cursor, &rdata, &length)) {
			if (txt_is_spf(rdata, length))
				return;
		}
	}
	name_text owner;
	dname_format(node->name, owner, sizeof(name_text));
	pass_report(pass, DIAG_WARNING, "'%s' found type SPF record but no SPF TXT record "
		"found, add matching type TXT record", owner);
}

/* Calls check on every target of node's RRset of type. */
static void
check_targets(struct check_pass *pass, const struct name_node *node, uint16_t type,
	void (*check)(struct check_pass *, const struct name_node *, uint16_t, const uint8_t *))
{
	const struct rrset *rrset = name_node_rrset(node, type);
	if (rrset == NULL)
		return;
	struct rdata_cursor cursor = rdata_cursor_start(rrset->rdata, rrset->rdata_length);
	const uint8_t *rdata;
	uint16_t length;
	while (rdata_cursor_next(&cursor, &rdata, &length)) {
		const uint8_t *target = zone_check_rdata_target(type, rdata, length);
		if (target != NULL)
			check(pass, node, type, target);
	}
}

static void
check_glue_target(struct check_pass *pass, const struct name_node *node, uint16_t type,
	const uint8_t *target)
{
	(void)type;
	check_glue(pass, node, target);
}

/* BIND's integrity checks (-i) of one name. */
static void
check_integrity_node(struct check_pass *pass, const struct name_node *node)
{
	const struct zone *zone = pass->zone;
	if (node_flags(zone, node) & NODE_OCCLUDED)
		return;
	if (node != zone->apex && name_node_rrset(node, RRTYPE_NS) != NULL) {
		check_targets(pass, node, RRTYPE_NS, check_glue_target);
		return;
	}
	check_targets(pass, node, RRTYPE_MX, check_mail_target);
	if (zone->zone_class != RRCLASS_IN)
		return;
	check_targets(pass, node, RRTYPE_SRV, check_mail_target);
	if (pass->modes->spf != CHECK_IGNORE)
		check_spf(pass, node);
}

/* The checks of zone_check_zone() on nodes[0..count) and the apex, in that order. */
static unsigned
check_nodes(const struct zone *zone, const struct name_node *const *nodes, size_t count,
	const struct zone_check_modes *modes, struct diag *d)
{
	struct zone_check_modes defaults;
	if (modes == NULL) {
		zone_check_modes_default(&defaults);
		modes = &defaults;
	}
	struct check_pass pass = { .zone = zone, .modes = modes, .d = d, .errors = 0 };
	/* BIND finds these while loading; the zone checks only run on a clean load. */
	for (size_t i = 0; i < count; i++)
		check_node_singletons(&pass, nodes[i]);
	if (pass.errors != 0)
		return pass.errors;
	check_apex(&pass);
	if (pass.errors != 0 || modes->integrity == CHECK_IGNORE)
		return pass.errors;
	/* Every name that is not occluded, in canonical order. */
	for (size_t i = 0; i < count; i++)
		check_integrity_node(&pass, nodes[i]);
	return pass.errors;
}

unsigned
zone_check_zone(const struct zone *zone, const struct zone_check_modes *modes,
	struct diag *d)
{
	return check_nodes(zone, (const struct name_node *const *)zone->nodes, zone->node_count,
		modes, d);
}

unsigned
zone_check_changed(const struct zone *zone, const struct name_node *const *nodes, size_t count,
	const struct zone_check_modes *modes, struct diag *d)
{
	return check_nodes(zone, nodes, count, modes, d);
}
