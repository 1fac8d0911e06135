/*
 * zone_check.c: the per-record checks shared by the loader and
 * zoned-checkzone (named-checkzone 9.18's messages and fatal/warning split);
 * the whole-zone checks are in zone_check_zone.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "zoned/zone_lex.h"
#include "zone_check_internal.h"

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
	modes->denial = CHECK_WARN;
	modes->max_ttl = 0;
	modes->sibling_glue = true;
}

/* The name after the fixed fields of MX, SRV, NS and their kin, or NULL. */
const uint8_t *
zone_check_rdata_target(uint16_t type, const uint8_t *rdata, size_t rdata_length)
{
	switch (type) {
	case RRTYPE_NS:
	case RRTYPE_PTR:
	case RRTYPE_CNAME:
	case RRTYPE_DNAME:
	case RRTYPE_MX:
	case RRTYPE_RT:
	case RRTYPE_AFSDB:
	case RRTYPE_SVCB:
	case RRTYPE_HTTPS:
	case RRTYPE_SRV:
		/* The target is each type's first name (rrtype.c's field layout). */
		return rrtype_rdata_name(type, rdata, rdata_length, 0);
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

enum diag_level
zone_check_mode_level(enum check_mode mode)
{
	return mode == CHECK_FAIL ? DIAG_ERROR : DIAG_WARNING;
}

/*
 * RFC 5155 3: an NSEC3 owner's first label is a base32hex hash without
 * padding (RFC 4648 7); the bits left over after the last octet are zero.
 */
static bool
name_is_nsec3_hash(const uint8_t *name)
{
	static const uint8_t valid_lengths[8] = { 1, 0, 1, 0, 1, 1, 0, 1 };
	unsigned length = name[0], value = 0;
	if (length == 0 || !valid_lengths[length % 8])
		return false;
	for (unsigned i = 1; i <= length; i++) {
		uint8_t c = dname_lower_table[name[i]];
		if (c >= '0' && c <= '9')
			value = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'v')
			value = (unsigned)(c - 'a' + 10);
		else
			return false;
	}
	/* The last character carries 5 bits, of which only the top ones are used. */
	static const unsigned unused_bits[8] = { 0, 0, 2, 0, 4, 1, 0, 3 };
	return (value & ((1u << unused_bits[length % 8]) - 1)) == 0;
}

/* BIND checks the owners of address and mail-exchanger records (RFC 1123 2.1). */
static bool
type_needs_host_owner(uint16_t type)
{
	return type == RRTYPE_A || type == RRTYPE_AAAA || type == RRTYPE_A6 || type == RRTYPE_MX
		|| type == RRTYPE_WKS;
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

/*
 * Writes name relative to the zone origin ("www" for www.example.com.) and
 * returns true, or returns false when name is not strictly below the origin.
 */
static bool
name_relative_text(const struct zone *zone, const uint8_t *name, name_text out)
{
	if (!dname_is_subdomain(name, zone->origin))
		return false;
	unsigned keep = dname_label_count(name) - zone->origin_labels;
	if (keep == 0)
		return false;
	uint8_t relative[DNAME_MAX_LENGTH];
	size_t length = 0;
	const uint8_t *label = name;
	for (unsigned i = 0; i < keep; i++, label += *label + 1) {
		memcpy(relative + length, label, (size_t)*label + 1);
		length += (size_t)*label + 1;
	}
	relative[length] = 0;
	dname_format(relative, out, sizeof(name_text));
	return true;
}

/*
 * The token BIND would quote for a name in the rdata. It quotes the text as
 * written, which we no longer have: guess relative for names in the zone
 * (how zone files usually spell them), absolute otherwise.
 */
static void
name_token_text(const struct zone *zone, const uint8_t *name, name_text out)
{
	if (name_relative_text(zone, name, out))
		return;
	dname_to_text(name, out, sizeof(name_text));
}

/*
 * The token of the rdata's name number which (0: the first name), when the
 * record came with its text and each field is one token up to that name.
 */
static const struct lex_token *
name_token_written(const struct zone_record *record, unsigned which, size_t *index)
{
	const uint8_t *fields = rrtype_info(record->type)->fields;
	if (record->text == NULL)
		return NULL;
	for (size_t field = 0; field < RRTYPE_FIELDS_MAX && fields[field] != RRTYPE_FIELD_END;
		field++) {
		if (fields[field] != RRTYPE_FIELD_NAME && fields[field] != RRTYPE_FIELD_NAME_COMPRESSED)
			continue;
		if (which-- > 0)
			continue;
		*index = record->text_first + field;
		return *index < record->text->token_count ? &record->text->tokens[*index] : NULL;
	}
	return NULL;
}

/* Reports one rdata name that fails check-names; returns 1 when it is an error. */
static unsigned
check_report_bad_name(const struct zone *zone, const struct zone_record *record,
	const uint8_t *name, unsigned which, const struct zone_check_modes *modes, struct diag *d)
{
	name_text text;
	if (modes->names == CHECK_FAIL) {
		size_t index = 0;
		const struct lex_token *token = name_token_written(record, which, &index);
		if (token != NULL) {
			/* BIND quotes the token as written, at the line the one before it ended. */
			diag_report(d, DIAG_ERROR, record->file, record->text->tokens[index - 1].line,
				"near '%s': bad name (check-names)",
				record->text->text + token->offset);
			return 1;
		}
		name_token_text(zone, name, text);
		diag_report(d, DIAG_ERROR, record->file, record->line,
			"near '%s': bad name (check-names)", text);
		return 1;
	}
	dname_format(name, text, sizeof(name_text));
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
check_rdata_names(const struct zone *zone, const struct zone_record *record,
	const struct zone_check_modes *modes, struct diag *d)
{
	const uint8_t *rdata = record->rdata;
	size_t length = record->rdata_length;
	const uint8_t *host = NULL, *mailbox = NULL, *mailbox2 = NULL;
	switch (record->type) {
	case RRTYPE_NS:
	case RRTYPE_MX:
	case RRTYPE_SRV:
	case RRTYPE_RT:
	case RRTYPE_AFSDB:
	case RRTYPE_SVCB:
	case RRTYPE_HTTPS:
		host = zone_check_rdata_target(record->type, rdata, length);
		break;
	case RRTYPE_PTR:
		if (name_is_reverse(record->owner))
			host = zone_check_rdata_target(record->type, rdata, length);
		break;
	case RRTYPE_SOA:
		host = rrtype_rdata_name(record->type, rdata, length, 0);
		mailbox = rrtype_rdata_name(record->type, rdata, length, 1);
		break;
	case RRTYPE_RP:
		mailbox = rrtype_rdata_name(record->type, rdata, length, 0);
		break;
	case RRTYPE_MINFO:
		mailbox = rrtype_rdata_name(record->type, rdata, length, 0);
		mailbox2 = rrtype_rdata_name(record->type, rdata, length, 1);
		break;
	default:
		return 0;
	}
	unsigned errors = 0;
	if (host != NULL && !name_is_hostname(host, false))
		errors += check_report_bad_name(zone, record, host, 0, modes, d);
	if (mailbox != NULL && !name_is_mailbox(mailbox))
		errors += check_report_bad_name(zone, record, mailbox, record->type == RRTYPE_SOA, modes,
			d);
	if (mailbox2 != NULL && !name_is_mailbox(mailbox2))
		errors += check_report_bad_name(zone, record, mailbox2, 1, modes, d);
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
/*
 * inet_pton reads only hex digits, ':' and '.', and both texts tried below
 * start with the first label (a '.' in a label is written "\."): a first
 * label with any other octet ("mail", "ns1", "h7") cannot spell an address.
 * Skipping the two texts then took zone_check_record from 672 to 351
 * instructions per record loaded (callgrind, the 200k-record benchmark
 * zone: 5585 -> 4648 in all with the rrclass_from_text change).
 */
static bool
label_may_spell_address(const uint8_t *label)
{
	for (unsigned i = 1; i <= label[0]; i++) {
		if (!isxdigit(label[i]) && label[i] != ':')
			return false;
	}
	return true;
}

static bool
target_looks_like_address(const struct zone *zone, const uint8_t *target, name_text token)
{
	if (!label_may_spell_address(target))
		return false;
	if (name_relative_text(zone, target, token) && text_is_address(token))
		return true;
	name_text text;
	dname_format(target, text, sizeof(name_text));
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
	const uint8_t *target = zone_check_rdata_target(record->type, record->rdata, record->rdata_length);
	if (target == NULL || !target_looks_like_address(zone, target, token))
		return 0;
	if (record->type == RRTYPE_MX && modes->mx_address != CHECK_IGNORE) {
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
	if (record->type == RRTYPE_NS && modes->ns_address != CHECK_IGNORE) {
		diag_report(d, zone_check_mode_level(modes->ns_address), record->file, record->line,
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
	name_text owner;  /* formatted only when there is something to say */
	if (modes->max_ttl != 0 && record->ttl > modes->max_ttl) {
		diag_report(d, DIAG_WARNING, record->file, record->line,
			"TTL %lu exceeds configured max-zone-ttl %lu",
			(unsigned long)record->ttl, (unsigned long)modes->max_ttl);
		diag_report(d, DIAG_ERROR, record->file, record->line,
			"out of range");
		return 1;
	}
	/* RFC 1035 5.2: exactly one SOA, at the top of the zone. */
	/* (An out-of-zone SOA is only dropped, by zone_add_record, as in BIND.) */
	if (record->type == RRTYPE_SOA && !dname_equal(record->owner, zone->origin)
		&& dname_is_subdomain(record->owner, zone->origin)) {
		dname_format(record->owner, owner, sizeof(name_text));
		diag_report(d, DIAG_ERROR, record->file, record->line,
			"SOA record not at top of zone (%s)", owner);
		return 1;
	}
	/* RFC 4592 4.2: a wildcard cannot be a zone cut; BIND refuses NS at "*". */
	if (record->type == RRTYPE_NS && record->owner[0] == 1 && record->owner[1] == '*') {
		dname_format(record->owner, owner, sizeof(name_text));
		diag_report(d, DIAG_ERROR, record->file, record->line,
			"%s: invalid NS owner name (wildcard)", owner);
		return 1;
	}
	bool rejected = false;
	errors += check_address_targets(zone, record, modes, d, &rejected);
	if (rejected)
		return errors;
	if (modes->wildcard != CHECK_IGNORE && name_has_inner_wildcard(record->owner)) {
		dname_format(record->owner, owner, sizeof(name_text));
		diag_report(d, zone_check_mode_level(modes->wildcard), record->file, record->line,
			"warning: ownername '%s' contains an non-terminal wildcard", owner);
		errors += modes->wildcard == CHECK_FAIL;
	}
	if (modes->names == CHECK_IGNORE || record->rr_class != RRCLASS_IN)
		return errors;
	if (type_needs_host_owner(record->type) && !name_is_hostname(record->owner, true)) {
		dname_format(record->owner, owner, sizeof(name_text));
		diag_report(d, zone_check_mode_level(modes->names), record->file, record->line,
			"%s: bad owner name (check-names)", owner);
		errors += modes->names == CHECK_FAIL;
	}
	/* BIND rejects a malformed NSEC3 owner even when check-names only warns. */
	if (record->type == RRTYPE_NSEC3 && !name_is_nsec3_hash(record->owner)) {
		dname_format(record->owner, owner, sizeof(name_text));
		diag_report(d, DIAG_ERROR, record->file, record->line,
			"%s: bad owner name (check-names)", owner);
		errors++;
	}
	errors += check_rdata_names(zone, record, modes, d);
	return errors;
}
