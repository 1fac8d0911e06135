/*
 * answer.c: from query bytes to response bytes: parse, pick the size limit
 * (RFC 6891 6.2.5), write header and question, dispatch by class, add the
 * OPT record. The class IN logic lives in answer_lookup.c.
 */
#include <stddef.h>
#include <string.h>

#include "zoned/answer.h"
#include "zoned/cookie.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/query.h"
#include "zoned/tsig.h"
#include "zoned/wire.h"
#include "zoned/zonedb.h"

#include "answer_internal.h"

#define UDP_MINIMUM 512      /* RFC 1035 4.2.1; also the floor for EDNS sizes */
#define TCP_MAXIMUM 65535    /* RFC 1035 4.2.2: two-octet length */
#define TXT_STRING_MAX 255

/* The UDP payload our responses may use (RFC 6891 6.2.5). */
static size_t
answer_size_limit(const struct answer_settings *settings, enum answer_transport transport,
	const struct query *query)
{
	if (transport == ANSWER_TCP)
		return TCP_MAXIMUM;
	if (!query->has_edns)
		return UDP_MINIMUM;
	size_t ours = settings->edns_size != 0 ? settings->edns_size : ANSWER_DEFAULT_EDNS_SIZE;
	size_t theirs = query->edns_udp_size;
	size_t limit = theirs < ours ? theirs : ours;
	return limit < UDP_MINIMUM ? UDP_MINIMUM : limit;
}

/* The payload size we advertise in our OPT record. */
static uint16_t
answer_advertised_size(const struct answer_settings *settings)
{
	uint16_t size = settings->edns_size != 0 ? settings->edns_size : ANSWER_DEFAULT_EDNS_SIZE;
	return size < UDP_MINIMUM ? UDP_MINIMUM : size;
}

/*
 * Writes a TXT record for the CH class names (owner compressed to the
 * question), splitting text into character strings of 255 octets.
 */
static void
answer_put_chaos_txt(struct answer *answer, const char *text)
{
	uint8_t rdata[1024];
	size_t text_length = strlen(text), length = 0;
	do {
		size_t chunk = text_length > TXT_STRING_MAX ? TXT_STRING_MAX : text_length;
		if (length + 1 + chunk > sizeof rdata)
			break;
		rdata[length++] = (uint8_t)chunk;
		memcpy(rdata + length, text, chunk);
		length += chunk;
		text += chunk;
		text_length -= chunk;
	} while (text_length > 0);
	if (!wire_put_rr(&answer->wire, answer->query->question, RRTYPE_TXT, RRCLASS_CH, 0,
		    rdata, (uint16_t)length)) {
		answer->truncated = true;
		return;
	}
	answer->counts[SECTION_ANSWER]++;
}

/*
 * CH class: version.bind/version.server, id.server and hostname.bind TXT
 * when configured (BIND's version, server-id and hostname); everything
 * else is refused (as NSD; BIND answers NODATA from its built-in zones).
 */
static void
answer_chaos(struct answer *answer)
{
	static const uint8_t version_bind[] = "\7version\4bind";
	static const uint8_t version_server[] = "\7version\6server";
	static const uint8_t id_server[] = "\2id\6server";
	static const uint8_t hostname_bind[] = "\10hostname\4bind";
	const struct query *query = answer->query;
	const char *text = NULL;
	if (query->qtype == RRTYPE_TXT || query->qtype == RRTYPE_ANY) {
		/* sizeof includes the NUL, which is the root label. */
		if ((query->qname_length == sizeof version_bind
			    && memcmp(query->qname, version_bind, sizeof version_bind) == 0)
			|| (query->qname_length == sizeof version_server
				&& memcmp(query->qname, version_server, sizeof version_server) == 0))
			text = answer->settings->version;
		else if (query->qname_length == sizeof id_server
			&& memcmp(query->qname, id_server, sizeof id_server) == 0)
			text = answer->settings->identity;
		else if (query->qname_length == sizeof hostname_bind
			&& memcmp(query->qname, hostname_bind, sizeof hostname_bind) == 0)
			text = answer->settings->hostname;
	}
	if (text == NULL) {
		answer->rcode = RCODE_REFUSED;
		return;
	}
	answer->authoritative = true;
	answer_put_chaos_txt(answer, text);
}

/* Decides a parsed, well-formed query. */
static void
answer_dispatch(struct answer *answer)
{
	const struct query *query = answer->query;
	if (query->opcode == QUERY_OPCODE_NOTIFY) {
		answer_notify(answer);
		return;
	}
	if (query->qclass == RRCLASS_CH) {
		answer_chaos(answer);
		return;
	}
	/* QCLASS * (RFC 1035 3.2.5) matches our class IN data: answer_lookup(). */
	if (query->qclass != RRCLASS_IN && query->qclass != RRCLASS_ANY) {
		answer->rcode = RCODE_REFUSED;
		return;
	}
	switch (query->qtype) {
	case RRTYPE_AXFR:
	case RRTYPE_IXFR:
		answer_transfer(answer);
		return;
	}
	answer_lookup(answer);
}

/* Fills in the header: id, flags, rcode and the section counts. */
static void
answer_finish_header(struct answer *answer, uint16_t qdcount, uint16_t arcount)
{
	const struct query *query = answer->query;
	uint8_t *header = answer->wire.data;
	header[0] = query->packet[0];
	header[1] = query->packet[1];
	/* QR; opcode and RD copied; RA never (authoritative only). */
	header[2] = (uint8_t)(0x80 | query->opcode << 3 | (answer->authoritative ? 0x04 : 0)
		| (answer->truncated ? 0x02 : 0) | (query->recursion_desired ? 0x01 : 0));
	header[3] = (uint8_t)((query->checking_disabled ? 0x10 : 0) | (answer->rcode & 0x0f));
	wire_set_u16(&answer->wire, 4, qdcount);
	wire_set_u16(&answer->wire, 6, answer->counts[SECTION_ANSWER]);
	wire_set_u16(&answer->wire, 8, answer->counts[SECTION_AUTHORITY]);
	wire_set_u16(&answer->wire, 10, arcount);
}

/*
 * DNS Cookies (RFC 7873 5.2.3): a query with a COOKIE option gets its
 * client cookie back with a fresh server cookie, whether the one it sent
 * was valid or not (BIND). BADVERS is decided before options are read.
 */
static void
answer_prepare_cookie(struct answer *answer, enum query_status status)
{
	const struct query *query = answer->query;
	const struct answer_request *request = answer->request;
	const struct cookie_config *cookies = answer->settings->cookies;
	if (cookies == NULL || cookies->secret_count == 0 || query->cookie == NULL
		|| status == QUERY_BADVERS)
		return;
	answer->cookie_valid = cookie_valid(cookies, query->cookie, query->cookie_length,
		request->client, (uint32_t)request->now);
	memcpy(answer->cookie, query->cookie, COOKIE_CLIENT_LENGTH);
	cookie_make(cookies->secrets[0], query->cookie, request->client, (uint32_t)request->now,
		answer->cookie + COOKIE_CLIENT_LENGTH);
	answer->cookie_answer = true;
}

/*
 * require-server-cookie: over UDP, a query with a COOKIE option but no
 * valid server cookie gets BADCOOKIE and a cookie to retry with (RFC 7873
 * 5.2.3); TCP proves the address already (BIND).
 */
static bool
answer_cookie_required(const struct answer *answer)
{
	return answer->cookie_answer && !answer->cookie_valid
		&& answer->settings->cookies->require_server_cookie
		&& answer->request->transport == ANSWER_UDP;
}

/* Writes the OPT record (RFC 6891 6.1.1: one when the query had one). */
static uint16_t
answer_put_opt(struct answer *answer, const struct wire_opt *opt)
{
	size_t offset = answer->wire.length;
	if (!answer->query->has_edns || !wire_put_opt(&answer->wire, opt))
		return 0;
	answer->opt_offset = offset;
	return 1;
}

/* Builds the response for a parsed query with the given status. */
static size_t
answer_build(struct answer *answer, enum query_status status)
{
	const struct query *query = answer->query;
	const struct answer_settings *settings = answer->settings;
	struct wire *wire = &answer->wire;
	/* A signed query: verified first, and room kept for the response's TSIG. */
	size_t tsig_space = 0;
	if (query->tsig_offset != 0 && status != QUERY_FORMERR)
		tsig_space = answer_tsig_verify(answer, &status);
	if (tsig_space + WIRE_HEADER_LENGTH > wire->capacity)
		answer->tsig_mode = ANSWER_TSIG_NONE;  /* only for a caller's tiny buffer */
	else
		wire->capacity -= tsig_space;
	uint8_t zero_header[WIRE_HEADER_LENGTH] = {0};
	if (!wire_put_bytes(wire, zero_header, sizeof zero_header))
		return 0;
	uint16_t qdcount = 0;
	/* Another opcode's question is not echoed: only its OPT (as BIND). */
	if (status != QUERY_NOTIMP && query->has_question
		&& wire_put_bytes(wire, query->question, query->question_length)) {
		wire_remember_name(wire, WIRE_HEADER_LENGTH, query->question);
		qdcount = 1;
	}
	answer_prepare_cookie(answer, status);
	struct wire_opt opt = {
		.udp_size = answer_advertised_size(settings),
		.dnssec_ok = query->dnssec_ok,
		.nsid = query->nsid_requested ? settings->nsid : NULL,
		.nsid_length = settings->nsid_length,
		.cookie = answer->cookie_answer ? answer->cookie : NULL,
		.cookie_length = COOKIE_LENGTH,
	};
	size_t opt_length = query->has_edns ? wire_opt_length(&opt) : 0;
	if (answer->tsig_error != TSIG_NOERROR) {
		answer->rcode = RCODE_NOTAUTH;  /* RFC 8945 5.2: checked before anything else */
	} else if (status == QUERY_NOTIMP) {
		answer->rcode = RCODE_NOTIMP;
	} else if (status == QUERY_FORMERR) {
		answer->rcode = RCODE_FORMERR;
	} else if (status == QUERY_BADVERS) {
		answer->rcode = RCODE_BADVERS;
	} else if (status == QUERY_COOKIE_ONLY) {
		/* RFC 7873 5.4: NOERROR and our cookie; FORMERR where cookies are off. */
		answer->rcode = answer->cookie_answer ? RCODE_NOERROR : RCODE_FORMERR;
	} else if (qdcount == 0 || wire->capacity - wire->length < opt_length) {
		answer->truncated = true;  /* only for a caller's tiny buffer */
	} else if (answer_cookie_required(answer)) {
		answer->rcode = RCODE_BADCOOKIE;
	} else {
		/* Keep room for the OPT record: it must always fit (RFC 6891 7). */
		wire->capacity -= opt_length;
		answer_dispatch(answer);
		wire->capacity += opt_length;
	}
	opt.extended_rcode = (uint8_t)(answer->rcode >> 4);
	uint16_t arcount = (uint16_t)(answer->counts[SECTION_ADDITIONAL] + answer_put_opt(answer, &opt));
	answer_finish_header(answer, qdcount, arcount);
	if (answer->tsig_mode != ANSWER_TSIG_NONE) {
		wire->capacity += tsig_space;
		wire->length = answer_tsig_finish(answer);
	}
	return wire->length;
}

/* The kind of response, from its rcode, AA and counts. */
static enum answer_kind
answer_kind_of(const struct answer *answer, enum query_status status)
{
	if (answer->tsig_error != TSIG_NOERROR && status != QUERY_DROP)
		return ANSWER_KIND_NOTAUTH;
	switch (status) {
	case QUERY_DROP: return ANSWER_KIND_DROP;
	case QUERY_FORMERR: return ANSWER_KIND_FORMERR;
	case QUERY_NOTIMP: return ANSWER_KIND_NOTIMP;
	case QUERY_BADVERS: return ANSWER_KIND_BADVERS;
	case QUERY_OK: case QUERY_COOKIE_ONLY: break;
	}
	switch (answer->rcode) {
	case RCODE_NOERROR: break;
	case RCODE_NXDOMAIN: return ANSWER_KIND_NXDOMAIN;
	case RCODE_YXDOMAIN: return ANSWER_KIND_YXDOMAIN;
	case RCODE_FORMERR: return ANSWER_KIND_FORMERR;
	case RCODE_NOTIMP: return ANSWER_KIND_NOTIMP;
	case RCODE_SERVFAIL: return ANSWER_KIND_SERVFAIL;
	case RCODE_BADCOOKIE: return ANSWER_KIND_BADCOOKIE;
	case RCODE_NOTAUTH: return ANSWER_KIND_NOTAUTH;
	default: return ANSWER_KIND_REFUSED;
	}
	if (answer->counts[SECTION_ANSWER] > 0)
		return ANSWER_KIND_ANSWER;
	if (!answer->authoritative && answer->counts[SECTION_AUTHORITY] > 0)
		return ANSWER_KIND_REFERRAL;
	return ANSWER_KIND_NODATA;
}

/*
 * BIND's imputed name (see struct answer_result), from what the query
 * name's lookup found: no second lookup for rate limiting.
 */
static void
answer_impute_name(const struct answer *answer, struct answer_result *result)
{
	const struct query *query = answer->query;
	const struct name_node *node = NULL;
	switch (result->kind) {
	case ANSWER_KIND_NXDOMAIN:
		/* Random names under one zone: one account. */
		if (answer->zone != NULL) {
			result->imputed_name = answer->zone->origin;
			result->imputed_name_length = answer->zone->origin_length;
			return;
		}
		break;
	case ANSWER_KIND_REFERRAL:
		node = answer->qname_node != NULL ? node_cut(answer->zone, answer->qname_node) : NULL;
		break;
	case ANSWER_KIND_ANSWER:
	case ANSWER_KIND_NODATA:
		node = answer->qname_exact ? NULL : answer->qname_node;
		break;
	default:
		return;  /* errors are limited per client, whatever the name */
	}
	if (node != NULL) {
		result->imputed_name = node->name;
		result->imputed_name_length = node->name_length;
		return;
	}
	memcpy(result->name_storage, query->qname, query->qname_length);
	result->imputed_name = result->name_storage;
	result->imputed_name_length = query->qname_length;
}

/* Describes the response just built. */
static void
answer_describe(const struct answer *answer, enum query_status status, size_t length,
	struct answer_result *result)
{
	const struct query *query = answer->query;
	result->length = length;
	result->kind = answer->transfer ? ANSWER_KIND_TRANSFER
		: length == 0 ? ANSWER_KIND_DROP : answer_kind_of(answer, status);
	result->rcode = answer->rcode;
	result->qtype = query->has_question ? query->qtype : 0;
	result->qclass = query->has_question ? query->qclass : 0;
	memcpy(result->counts, answer->counts, sizeof result->counts);
	result->authoritative = answer->authoritative;
	result->truncated = answer->truncated;
	result->edns = query->has_edns;
	result->dnssec_ok = query->dnssec_ok;
	result->cookie = answer->cookie_answer && answer->opt_offset != 0;
	result->cookie_valid = answer->cookie_valid;
	result->opt_offset = answer->opt_offset;
	result->question_end = WIRE_HEADER_LENGTH + (query->has_question ? query->question_length : 0);
	if (length < result->question_end)
		result->question_end = length;
	result->zone = answer->zone;
	bool verified = answer->tsig_mode == ANSWER_TSIG_SIGN && answer->tsig_error == 0;
	result->tsig_key = verified ? answer->tsig_request.key : NULL;
	result->tsig_request_mac = verified ? answer->tsig_request.record.mac : NULL;
	result->tsig_request_mac_length = verified ? answer->tsig_request.record.mac_length : 0;
	result->tsig_error = answer->tsig_error;
	result->imputed_name = NULL;
	result->imputed_name_length = 0;
	if (query->has_question && length > 0)
		answer_impute_name(answer, result);
}

size_t
answer_query(const struct zonedb *db, const struct answer_settings *settings,
	const struct answer_request *request, uint8_t *response, size_t response_size,
	struct answer_result *result)
{
	static const struct answer_settings defaults = {0};
	struct query query;
	enum query_status status = query_parse(&query, request->query, request->query_length);
	struct answer answer;
	memset(&answer, 0, offsetof(struct answer, wire));
	answer.query = &query;
	answer.acl_key = request->tsig_key;
	size_t length = 0;
	if (status != QUERY_DROP) {
		answer.db = db;
		answer.settings = settings != NULL ? settings : &defaults;
		answer.request = request;
		size_t limit = answer_size_limit(answer.settings, request->transport, &query);
		wire_init(&answer.wire, response, limit < response_size ? limit : response_size);
		length = answer_build(&answer, status);
		if (answer.transfer)
			length = 0;  /* the transport streams it */
	}
	if (result != NULL)
		answer_describe(&answer, status, length, result);
	return length;
}
