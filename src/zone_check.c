/*
 * zone_check.c: the semantic checks shared by the loader and zoned-checkzone,
 * with named-checkzone 9.18's messages and its fatal/warning split.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "zoned/diag.h"
#include "zoned/zone_check.h"

#define TYPE_A 1
#define TYPE_NS 2
#define TYPE_CNAME 5
#define TYPE_SOA 6
#define TYPE_WKS 11
#define TYPE_PTR 12
#define TYPE_MINFO 14
#define TYPE_MX 15
#define TYPE_TXT 16
#define TYPE_RP 17
#define TYPE_AFSDB 18
#define TYPE_RT 21
#define TYPE_KEY 25
#define TYPE_AAAA 28
#define TYPE_NXT 30
#define TYPE_SRV 33
#define TYPE_A6 38
#define TYPE_DNAME 39
#define TYPE_RRSIG 46
#define TYPE_NSEC 47
#define TYPE_SVCB 64
#define TYPE_HTTPS 65
#define TYPE_SPF 99

#define CLASS_IN 1

/* Presentation form of a name without the trailing dot, as BIND's dns_name_format. */
typedef char name_text[DNAME_MAX_LENGTH * 4 + 2];

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

void
zone_check_modes_default(struct zone_check_modes *modes)
{
	modes->integrity = CHECK_WARN;
	modes->names = CHECK_WARN;
	modes->mx_address = CHECK_WARN;
	modes->mx_cname = CHECK_WARN;
	modes->ns_address = CHECK_WARN;
	modes->dnssec = CHECK_WARN;
	modes->srv_cname = CHECK_WARN;
	modes->spf = CHECK_WARN;
	modes->wildcard = CHECK_WARN;
	modes->max_ttl = 0;
	modes->sibling_glue = true;
}

static void
name_format(const uint8_t *name, name_text out)
{
	size_t length = dname_to_text(name, out, sizeof(name_text));
	if (length > 1 && out[length - 1] == '.')
		out[length - 1] = '\0';
}

/*
 * Length of the uncompressed name at rdata[offset], or 0 when it does not
 * fit in the rdata (the loader hands over valid rdata; this only keeps a
 * malformed RFC 3597 record from reading past the end).
 */
static size_t
rdata_name_length(const uint8_t *rdata, size_t rdata_length, size_t offset)
{
	size_t position = offset;
	while (position < rdata_length) {
		uint8_t label = rdata[position];
		if (label > DNAME_MAX_LABEL)
			return 0;
		position += 1 + (size_t)label;
		if (position - offset > DNAME_MAX_LENGTH)
			return 0;
		if (label == 0)
			return position - offset;
	}
	return 0;
}

/* The name at rdata[offset], or NULL when there is none. */
static const uint8_t *
rdata_name_at(const uint8_t *rdata, size_t rdata_length, size_t offset)
{
	if (offset >= rdata_length || rdata_name_length(rdata, rdata_length, offset) == 0)
		return NULL;
	return rdata + offset;
}

/* The name after the fixed fields of MX, SRV, NS and their kin, or NULL. */
static const uint8_t *
rdata_target(uint16_t type, const uint8_t *rdata, size_t rdata_length)
{
	switch (type) {
	case TYPE_NS:
	case TYPE_PTR:
	case TYPE_CNAME:
	case TYPE_DNAME:
		return rdata_name_at(rdata, rdata_length, 0);
	case TYPE_MX:
	case TYPE_RT:
	case TYPE_AFSDB:
	case TYPE_SVCB:
	case TYPE_HTTPS:
		return rdata_name_at(rdata, rdata_length, 2);
	case TYPE_SRV:
		return rdata_name_at(rdata, rdata_length, 6);
	default:
		return NULL;
	}
}

/* RFC 952 / RFC 1123 2.1 host name: letters, digits, inner hyphens. */
static bool
label_is_host(const uint8_t *label)
{
	uint8_t length = label[0];
	for (uint8_t i = 1; i <= length; i++) {
		uint8_t c = label[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
			|| (c >= '0' && c <= '9');
		if (alnum)
			continue;
		if (c != '-' || i == 1 || i == length)
			return false;
	}
	return true;
}

/* BIND's dns_name_ishostname(): wildcard allows a leading "*" label (owners). */
static bool
name_is_hostname(const uint8_t *name, bool wildcard)
{
	if (wildcard && name[0] == 1 && name[1] == '*')
		name += 2;
	for (; *name != 0; name += *name + 1) {
		if (!label_is_host(name))
			return false;
	}
	return true;
}

/* BIND's dns_name_ismailbox(): any printable first label, then a host name. */
static bool
name_is_mailbox(const uint8_t *name)
{
	if (*name == 0)
		return true;
	for (uint8_t i = 1; i <= name[0]; i++) {
		if (name[i] <= 0x20 || name[i] >= 0x7f)
			return false;
	}
	return name_is_hostname(name + name[0] + 1, false);
}

/* True when a label other than the first is "*" (RFC 4592 2.1.1). */
static bool
name_has_inner_wildcard(const uint8_t *name)
{
	if (*name == 0)
		return false;
	for (name += *name + 1; *name != 0; name += *name + 1) {
		if (name[0] == 1 && name[1] == '*')
			return true;
	}
	return false;
}

static enum diag_level
mode_level(enum check_mode mode)
{
	return mode == CHECK_FAIL ? DIAG_ERROR : DIAG_WARNING;
}

/* BIND checks the owners of address and mail-exchanger records (RFC 1123 2.1). */
static bool
type_needs_host_owner(uint16_t type)
{
	return type == TYPE_A || type == TYPE_AAAA || type == TYPE_A6 || type == TYPE_MX
		|| type == TYPE_WKS;
}

static bool
name_is_reverse(const uint8_t *name)
{
	static const uint8_t in_addr_arpa[] = "\007in-addr\004arpa";
	static const uint8_t ip6_arpa[] = "\003ip6\004arpa";
	static const uint8_t ip6_int[] = "\003ip6\003int";
	return dname_is_subdomain(name, in_addr_arpa) || dname_is_subdomain(name, ip6_arpa)
		|| dname_is_subdomain(name, ip6_int);
}

/* Reports one rdata name that fails check-names; returns 1 when it is an error. */
static unsigned
check_report_bad_name(const struct zone_record *record, const uint8_t *name,
	const struct zone_check_modes *modes, struct diag *d)
{
	name_text text;
	name_format(name, text);
	if (modes->names == CHECK_FAIL) {
		diag_report(d, DIAG_ERROR, record->file, record->line,
			"near '%s%s': bad name (check-names)", text,
			*name == 0 ? "" : ".");
		return 1;
	}
	diag_report(d, DIAG_WARNING, record->file, record->line,
		"warning: %s: bad name (check-names)", text);
	return 0;
}

/*
 * check-names on the names inside the rdata: host names for NS, MX, SRV,
 * RT, AFSDB, SVCB targets, the SOA MNAME and reverse-tree PTRs; mailboxes
 * for the SOA RNAME, RP and MINFO (as BIND's checknames methods).
 */
static unsigned
check_rdata_names(const struct zone_record *record, const struct zone_check_modes *modes,
	struct diag *d)
{
	const uint8_t *rdata = record->rdata;
	size_t length = record->rdata_length;
	const uint8_t *host = NULL, *mailbox = NULL, *mailbox2 = NULL;
	switch (record->type) {
	case TYPE_NS:
	case TYPE_MX:
	case TYPE_SRV:
	case TYPE_RT:
	case TYPE_AFSDB:
	case TYPE_SVCB:
	case TYPE_HTTPS:
		host = rdata_target(record->type, rdata, length);
		break;
	case TYPE_PTR:
		if (name_is_reverse(record->owner))
			host = rdata_target(record->type, rdata, length);
		break;
	case TYPE_SOA:
		host = rdata_name_at(rdata, length, 0);
		if (host != NULL)
			mailbox = rdata_name_at(rdata, length, dname_length(host));
		break;
	case TYPE_RP:
		mailbox = rdata_name_at(rdata, length, 0);
		break;
	case TYPE_MINFO:
		mailbox = rdata_name_at(rdata, length, 0);
		if (mailbox != NULL)
			mailbox2 = rdata_name_at(rdata, length, dname_length(mailbox));
		break;
	default:
		return 0;
	}
	unsigned errors = 0;
	if (host != NULL && !name_is_hostname(host, false))
		errors += check_report_bad_name(record, host, modes, d);
	if (mailbox != NULL && !name_is_mailbox(mailbox))
		errors += check_report_bad_name(record, mailbox, modes, d);
	if (mailbox2 != NULL && !name_is_mailbox(mailbox2))
		errors += check_report_bad_name(record, mailbox2, modes, d);
	return errors;
}

/* True when text (a trailing dot ignored) parses as an IPv4 or IPv6 address. */
static bool
text_is_address(const char *text)
{
	char copy[sizeof(name_text)];
	size_t length = strlen(text);
	if (length == 0 || length >= sizeof copy)
		return false;
	memcpy(copy, text, length + 1);
	if (copy[length - 1] == '.')
		copy[length - 1] = '\0';
	struct in_addr address4;
	struct in6_addr address6;
	return inet_pton(AF_INET, copy, &address4) == 1 || inet_pton(AF_INET6, copy, &address6) == 1;
}

/*
 * BIND looks at the token as written ("192.0.2.1" or "192.0.2.1."); we only
 * have the name, so try it relative to the origin, then absolute. Returns
 * true and sets token to the likely spelling when it looks like an address.
 */
static bool
target_looks_like_address(const struct zone *zone, const uint8_t *target, name_text token)
{
	name_text text;
	name_format(target, text);
	if (dname_is_subdomain(target, zone->origin)) {
		unsigned keep = dname_label_count(target) - zone->origin_labels;
		uint8_t relative[DNAME_MAX_LENGTH];
		size_t length = 0;
		const uint8_t *label = target;
		for (unsigned i = 0; i < keep; i++, label += *label + 1) {
			memcpy(relative + length, label, (size_t)*label + 1);
			length += (size_t)*label + 1;
		}
		relative[length] = 0;
		if (keep > 0) {
			name_format(relative, token);
			if (text_is_address(token))
				return true;
		}
	}
	size_t length = strlen(text);
	if (length > INET6_ADDRSTRLEN || !text_is_address(text))
		return false;
	memcpy(token, text, length);
	memcpy(token + length, ".", 2);
	return true;
}

/* -m and -n: MX and NS targets written as IP addresses. */
static unsigned
check_address_targets(const struct zone *zone, const struct zone_record *record,
	const struct zone_check_modes *modes, struct diag *d, bool *rejected)
{
	name_text token;
	const uint8_t *target = rdata_target(record->type, record->rdata, record->rdata_length);
	if (target == NULL || !target_looks_like_address(zone, target, token))
		return 0;
	if (record->type == TYPE_MX && modes->mx_address != CHECK_IGNORE) {
		if (modes->mx_address == CHECK_WARN) {
			diag_report(d, DIAG_WARNING, record->file, record->line,
				"warning: '%s': MX is an address", token);
			return 0;
		}
		diag_report(d, DIAG_ERROR, record->file, record->line,
			"near '%s': MX is an address", token);
		*rejected = true;  /* BIND drops the record: no further checks on it */
		return 1;
	}
	if (record->type == TYPE_NS && modes->ns_address != CHECK_IGNORE) {
		diag_report(d, mode_level(modes->ns_address), record->file, record->line,
			"NS record '%s' appears to be an address", token);
		return modes->ns_address == CHECK_FAIL;
	}
	return 0;
}

unsigned
zone_check_record(const struct zone *zone, const struct zone_record *record,
	const struct zone_check_modes *modes, struct diag *d)
{
	struct zone_check_modes defaults;
	if (modes == NULL) {
		zone_check_modes_default(&defaults);
		modes = &defaults;
	}
	unsigned errors = 0;
	name_text owner;
	name_format(record->owner, owner);
	if (modes->max_ttl != 0 && record->ttl > modes->max_ttl) {
		diag_report(d, DIAG_WARNING, record->file, record->line,
			"TTL %lu exceeds configured max-zone-ttl %lu",
			(unsigned long)record->ttl, (unsigned long)modes->max_ttl);
		diag_report(d, DIAG_ERROR, record->file, record->line,
			"out of range");
		return 1;
	}
	/* RFC 1035 5.2: exactly one SOA, at the top of the zone. */
	if (record->type == TYPE_SOA && !dname_equal(record->owner, zone->origin)) {
		diag_report(d, DIAG_ERROR, record->file, record->line,
			"SOA record not at top of zone (%s)", owner);
		return 1;
	}
	bool rejected = false;
	errors += check_address_targets(zone, record, modes, d, &rejected);
	if (rejected)
		return errors;
	if (modes->wildcard != CHECK_IGNORE && name_has_inner_wildcard(record->owner)) {
		diag_report(d, mode_level(modes->wildcard), record->file, record->line,
			"warning: ownername '%s' contains an non-terminal wildcard", owner);
		errors += modes->wildcard == CHECK_FAIL;
	}
	if (modes->names == CHECK_IGNORE || record->rr_class != CLASS_IN)
		return errors;
	if (type_needs_host_owner(record->type) && !name_is_hostname(record->owner, true)) {
		diag_report(d, mode_level(modes->names), record->file, record->line,
			"%s: bad owner name (check-names)", owner);
		errors += modes->names == CHECK_FAIL;
	}
	errors += check_rdata_names(record, modes, d);
	return errors;
}

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

/* Walks the records of an RRset: returns the next rdata or NULL at the end. */
static const uint8_t *
rrset_next_rdata(const struct rrset *rrset, size_t *offset, size_t *length)
{
	if (*offset + 2 > rrset->rdata_length)
		return NULL;
	const uint8_t *record = rrset->rdata + *offset;
	*length = (size_t)record[0] << 8 | record[1];
	*offset += 2 + *length;
	return record + 2;
}

/* Outcome at the node that matched the name (directly or as its wildcard). */
static enum find_result
find_at_node(const struct name_node *node, uint16_t type)
{
	if (type != TYPE_CNAME && name_node_rrset(node, TYPE_CNAME) != NULL)
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
		if (node != zone->apex && name_node_rrset(node, TYPE_NS) != NULL) {
			if (!glue_ok)
				return FIND_DELEGATION;
			below_cut = true;
		}
		if (!below_cut && name_node_rrset(node, TYPE_DNAME) != NULL) {
			*dname = node;
			return FIND_DNAME;
		}
		const uint8_t *suffix = labels[--depth];
		const struct name_node *child = zone_find_node(zone, suffix,
			length - (size_t)(suffix - lower));
		if (child == NULL) {
			if (below_cut)
				return FIND_DELEGATION;
			if (node->wildcard_child != NULL)
				return find_at_node(node->wildcard_child, type);
			return FIND_NXDOMAIN;
		}
		node = child;
	}
	if (node != zone->apex && name_node_rrset(node, TYPE_NS) != NULL)
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
	enum find_result result = zone_check_find(zone, name, TYPE_A, glue_ok, dname);
	if (result == FIND_NXRRSET || (glue_ok && result == FIND_DELEGATION)) {
		enum find_result aaaa = zone_check_find(zone, name, TYPE_AAAA, glue_ok, dname);
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
	name_format(target, text);
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
		name_format(dname->name, alias);
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
	const struct rrset *ns = name_node_rrset(apex, TYPE_NS);
	if (ns != NULL && pass->zone->zone_class == CLASS_IN) {
		size_t offset = 0, length;
		const uint8_t *rdata;
		while ((rdata = rrset_next_rdata(ns, &offset, &length)) != NULL) {
			const uint8_t *target = rdata_name_at(rdata, length, 0);
			if (target != NULL)
				check_apex_ns_target(pass, target);
		}
	}
	const struct rrset *soa = name_node_rrset(apex, TYPE_SOA);
	if (soa == NULL || soa->rr_count != 1)
		pass_report(pass, DIAG_ERROR, "has %u SOA records", soa == NULL ? 0u : soa->rr_count);
	if (ns == NULL)
		pass_report(pass, DIAG_ERROR, "has no NS records");
}

/* Types BIND allows beside a CNAME (RFC 2181 10.1, RFC 4035 2.5). */
static bool
type_allowed_at_cname(uint16_t type)
{
	return type == TYPE_CNAME || type == TYPE_KEY || type == TYPE_NXT || type == TYPE_RRSIG
		|| type == TYPE_NSEC;
}

/* RFC 2181 10.1: CNAME and other data; RFC 1035/6672: one SOA, CNAME, DNAME. */
static void
check_node_singletons(struct check_pass *pass, const struct name_node *node)
{
	name_text owner;
	name_format(node->name, owner);
	if (name_node_rrset(node, TYPE_CNAME) != NULL) {
		for (uint16_t i = 0; i < node->rrset_count; i++) {
			if (!type_allowed_at_cname(node->rrsets[i].type)) {
				pass_report(pass, DIAG_ERROR, "%s: CNAME and other data", owner);
				break;
			}
		}
	}
	static const uint16_t singletons[] = { TYPE_SOA, TYPE_CNAME, TYPE_DNAME };
	for (size_t i = 0; i < sizeof singletons / sizeof singletons[0]; i++) {
		const struct rrset *rrset = name_node_rrset(node, singletons[i]);
		if (rrset != NULL && rrset->rr_count > 1)
			pass_report(pass, DIAG_ERROR, "%s: multiple RRs of singleton type", owner);
	}
}

/* Level for a finding whose mode is warn or fail; false when it is ignored. */
static bool
pass_mode_level(enum check_mode mode, enum diag_level *level)
{
	*level = mode_level(mode);
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
	const char *type_name = type == TYPE_MX ? "MX" : "SRV";
	enum check_mode alias_mode = type == TYPE_MX ? pass->modes->mx_cname : pass->modes->srv_cname;
	enum diag_level level;
	name_text owner, text, alias;
	name_format(node->name, owner);
	name_format(target, text);
	switch (result) {
	case FIND_NXRRSET:
	case FIND_NXDOMAIN:
	case FIND_EMPTYNAME:
		level = type == TYPE_MX && pass->modes->mx_address == CHECK_FAIL
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
		name_format(dname->name, alias);
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
	name_format(node->name, owner);
	name_format(target, text);
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
		name_format(dname->name, alias);
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
	if (name_node_rrset(node, TYPE_SPF) == NULL)
		return;
	const struct rrset *txt = name_node_rrset(node, TYPE_TXT);
	if (txt != NULL) {
		size_t offset = 0, length;
		const uint8_t *rdata;
		while ((rdata = rrset_next_rdata(txt, &offset, &length)) != NULL) {
			if (txt_is_spf(rdata, length))
				return;
		}
	}
	name_text owner;
	name_format(node->name, owner);
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
	size_t offset = 0, length;
	const uint8_t *rdata;
	while ((rdata = rrset_next_rdata(rrset, &offset, &length)) != NULL) {
		const uint8_t *target = rdata_target(type, rdata, length);
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

/* BIND's integrity checks (-i): every name that is not occluded, in canonical order. */
static void
check_integrity(struct check_pass *pass)
{
	const struct zone *zone = pass->zone;
	for (size_t i = 0; i < zone->node_count; i++) {
		const struct name_node *node = zone->nodes[i];
		if (node->flags & NODE_OCCLUDED)
			continue;
		if (node != zone->apex && name_node_rrset(node, TYPE_NS) != NULL) {
			check_targets(pass, node, TYPE_NS, check_glue_target);
			continue;
		}
		check_targets(pass, node, TYPE_MX, check_mail_target);
		if (zone->zone_class != CLASS_IN)
			continue;
		check_targets(pass, node, TYPE_SRV, check_mail_target);
		if (pass->modes->spf != CHECK_IGNORE)
			check_spf(pass, node);
	}
}

unsigned
zone_check_zone(const struct zone *zone, const struct zone_check_modes *modes,
	struct diag *d)
{
	struct zone_check_modes defaults;
	if (modes == NULL) {
		zone_check_modes_default(&defaults);
		modes = &defaults;
	}
	struct check_pass pass = { .zone = zone, .modes = modes, .d = d, .errors = 0 };
	/* BIND finds these while loading; the zone checks only run on a clean load. */
	for (size_t i = 0; i < zone->node_count; i++)
		check_node_singletons(&pass, zone->nodes[i]);
	if (pass.errors != 0)
		return pass.errors;
	check_apex(&pass);
	if (pass.errors != 0 || modes->integrity == CHECK_IGNORE)
		return pass.errors;
	check_integrity(&pass);
	return pass.errors;
}
