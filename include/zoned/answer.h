/*
 * answer.h: from the bytes of one query to the bytes of its response.
 * A pure function of the query, the zones and the settings: no sockets,
 * no allocation, shared by UDP, TCP and the offline zoned-query tool.
 */
#ifndef ZONED_ANSWER_H
#define ZONED_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/dname.h"

struct acl;
struct acl_zone_map;
struct cookie_config;
struct sockaddr;
struct tsig_context;
struct tsig_key;
struct tsig_keyring;
struct zone;
struct zonedb;

#define ANSWER_DEFAULT_EDNS_SIZE 1232

struct notify_in_zones;

struct answer_settings {
	uint16_t edns_size;        /* advertised and used as our UDP limit; 0 = 1232 */
	const char *version;       /* CH TXT version.bind / version.server; NULL: REFUSED */
	const char *identity;      /* CH TXT id.server (server-id); NULL: REFUSED */
	const char *hostname;      /* CH TXT hostname.bind; NULL: REFUSED */
	const uint8_t *nsid;       /* RFC 5001 payload, sent when asked; NULL: no NSID */
	uint16_t nsid_length;
	/* allow-query (zoned/acl.h): a query for a zone whose list, else the
	 * options' list, does not allow the client is REFUSED. NULL: anyone. */
	const struct acl *allow_query;
	const struct acl_zone_map *zone_allow_query;  /* zones with their own; NULL: none */
	/* DNS Cookies (zoned/cookie.h): a query with a COOKIE option gets one
	 * back with a fresh server cookie. NULL: COOKIE options are ignored
	 * (answer-cookie no). */
	const struct cookie_config *cookies;
	/* TSIG keys (zoned/tsig.h) a signed query may name; NULL: none, BADKEY. */
	const struct tsig_keyring *tsig_keys;
	/* allow-transfer, the same way; but no list allows nobody. */
	const struct acl *allow_transfer;
	const struct acl_zone_map *zone_allow_transfer;
	/* NOTIFY in (zoned/notify_in.h): who may NOTIFY which secondary zone; NULL: none is. */
	const struct notify_in_zones *notify_in;
};

enum answer_transport {
	ANSWER_UDP,
	ANSWER_TCP,
};

/* One query as it arrived: everything an answer may depend on besides the zones. */
struct answer_request {
	const uint8_t *query;             /* the message, query_length octets */
	size_t query_length;
	enum answer_transport transport;
	const struct sockaddr *client;    /* its source; NULL for offline tools */
	/*
	 * Lowercased wire name of a key the caller verified the message with
	 * by other means; NULL: none. A query carrying its own TSIG record is
	 * verified by answer_query() (with settings->tsig_keys, tsig and now)
	 * and answered signed; that key then counts for ACLs instead.
	 */
	const uint8_t *tsig_key;
	/* Seconds since the epoch, read by the transport once per batch: TSIG
	 * time checks and cookie timestamps (RFC 9018: its low 32 bits). */
	uint64_t now;
	struct tsig_context *tsig;        /* the thread's HMAC state; NULL: signed queries get BADKEY */
	/* transfers-out is reached: a transfer that would start is answered
	 * SERVFAIL instead (as BIND, whose log says "quota reached"). */
	bool transfers_exhausted;
};

/* What kind of response was built, for rate limiting, statistics and logs. */
enum answer_kind {
	ANSWER_KIND_DROP,        /* no response: too short, QR set */
	ANSWER_KIND_ANSWER,      /* NOERROR with records in the answer section */
	ANSWER_KIND_NODATA,      /* NOERROR, empty answer, authoritative */
	ANSWER_KIND_REFERRAL,    /* NOERROR, empty answer, not authoritative, NS in authority */
	ANSWER_KIND_NXDOMAIN,
	ANSWER_KIND_YXDOMAIN,    /* a DNAME substitution too long (RFC 6672 2.2) */
	ANSWER_KIND_REFUSED,
	ANSWER_KIND_FORMERR,
	ANSWER_KIND_NOTIMP,
	ANSWER_KIND_SERVFAIL,
	ANSWER_KIND_BADVERS,
	ANSWER_KIND_BADCOOKIE,   /* require-server-cookie: no valid server cookie over UDP */
	ANSWER_KIND_NOTAUTH,     /* a TSIG error (BADKEY, BADSIG, BADTIME: RFC 8945 5.2), or a
	                            transfer of a name that is no zone apex of ours */
	/*
	 * Nothing written: the client may transfer result->zone (AXFR, or IXFR
	 * answered in AXFR form), a TCP query for its apex. The transport
	 * starts an answer_stream (zoned/answer_stream.h) with it.
	 */
	ANSWER_KIND_TRANSFER,
};

/* The facts of one response, filled in by answer_query(). */
struct answer_result {
	size_t length;                   /* octets of the response; 0: drop */
	enum answer_kind kind;
	uint16_t rcode;                  /* up to 12 bits with EDNS */
	uint16_t qtype;                  /* 0 without a question */
	uint16_t qclass;
	uint16_t counts[3];              /* records in answer, authority, additional (no OPT) */
	bool authoritative;              /* AA */
	bool truncated;                  /* TC */
	bool edns;                       /* the query had an OPT record */
	bool dnssec_ok;                  /* and it set DO */
	bool cookie;                     /* the response carries a COOKIE option */
	bool cookie_valid;               /* the query's server cookie was ours and fresh: the
	                                    client is known not to be spoofed (RFC 7873 5.2.3);
	                                    rate limiting lets it through, as BIND */
	size_t opt_offset;               /* where the OPT record starts; 0: none */
	size_t question_end;             /* octets of header and question */
	const struct zone *zone;         /* the zone that answered the query name, or NULL */
	/*
	 * A signed query (RFC 8945): the key it was verified with (NULL: not
	 * signed or not verified; it lives in the view's keyring, so a stream
	 * that outlives the view copies it with tsig_key_copy) and its MAC,
	 * pointing into the query, for a stream that signs further messages
	 * (tsig_sign_start). tsig_error is the TSIG error answered (BADKEY,
	 * BADSIG, BADTIME), else 0.
	 */
	const struct tsig_key *tsig_key;
	const uint8_t *tsig_request_mac;
	uint16_t tsig_request_mac_length;
	uint16_t tsig_error;
	/*
	 * BIND's imputed name for rate limiting, lowercased wire form (NULL for
	 * errors): the query name, or for a wildcard or DNAME synthesis the
	 * closest encloser, for a referral the zone cut, for NXDOMAIN the zone.
	 * Points into the zone or into name_storage.
	 */
	const uint8_t *imputed_name;
	uint8_t imputed_name_length;
	uint8_t name_storage[DNAME_MAX_LENGTH];
};

/*
 * Writes the response to request into response (response_size octets; 65535
 * is enough for anything over TCP) and describes it in *result (NULL: not
 * wanted). Returns the response length, or 0 when the query must be dropped
 * (too short, QR set) or is a transfer to stream (ANSWER_KIND_TRANSFER: only
 * a caller that passes result can tell).
 */
size_t answer_query(const struct zonedb *db, const struct answer_settings *settings,
	const struct answer_request *request, uint8_t *response, size_t response_size,
	struct answer_result *result);

#endif
