/*
 * answer_stream.h: answers that take more than one message, produced one
 * message per call so that a transport can send each as its output drains
 * (zone transfer out: AXFR, RFC 5936; IXFR, RFC 1995). A stream holds its
 * zone (zone_ref()) from start to finish, so it survives reloads, and
 * resumes from a cursor into the zone: nothing is copied. An IXFR reads
 * the zone's journal (journal.h) through a buffer allocated at its start.
 *
 * Who may transfer what (allow-transfer, TSIG) is decided before a stream
 * starts; this module only produces the messages, signed like the request
 * when it was signed (answer_stream_sign()).
 *
 * A transport drives it so: start while still inside the worker's epoch
 * (where it found the zone), then call next whenever its output has room
 * (for TCP: when the output buffer drains below a low-water mark), each
 * message framed on its own, without holding the epoch: the hold keeps the
 * zone alive across reloads. Other connections are served meanwhile. It
 * calls finish when next returns DONE or an error, and also when the
 * connection closes, times out or fails.
 */
#ifndef ZONED_ANSWER_STREAM_H
#define ZONED_ANSWER_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/dname.h"
#include "zoned/journal.h"
#include "zoned/tsig.h"

struct answer_request;
struct answer_settings;
struct zone;

/* What answer_stream_next() returns besides a negative ZONED_ code. */
enum answer_stream_status {
	ANSWER_STREAM_DONE = 0,    /* the message written is the last one */
	ANSWER_STREAM_MORE = 1,    /* call again for the next message */
};

/* Where the stream stands (private to answer_stream.c). */
enum answer_stream_phase {
	ANSWER_STREAM_FIRST_SOA,   /* RFC 5936 2.2: the transfer opens with the SOA */
	ANSWER_STREAM_RECORDS,     /* every RRset of every node, canonical order,
	                              or (IXFR) the journal's steps */
	ANSWER_STREAM_LAST_SOA,    /* ... and closes with the SOA again */
	ANSWER_STREAM_FINISHED,
};

/*
 * One stream, owned by the caller (embedded in a connection, say). The
 * fields are private: use the functions below.
 */
struct answer_stream {
	const struct zone *zone;         /* held from start until finish; NULL after */
	enum answer_stream_phase phase;
	/*
	 * The cursor: the next record is at octet record_offset of the rdata of
	 * RRset rrset_index of the node at node_index in zone->nodes or at
	 * nsec3_index in zone->nsec3_nodes, whichever comes first canonically.
	 */
	size_t node_index;
	size_t nsec3_index;
	uint16_t rrset_index;
	uint32_t record_offset;
	/* Read by transports for their logs: zone above, and these. */
	uint32_t message_count;          /* messages written so far */
	uint64_t record_count;           /* records written so far */
	uint16_t qtype;                  /* AXFR, or IXFR (see incremental) */
	/*
	 * IXFR answered with the differences (RFC 1995 4) from the client's
	 * serial (from_serial) to the zone's, read from its journal; false: the
	 * whole zone (AXFR, or IXFR in AXFR form when the journal does not
	 * reach back to from_serial).
	 */
	bool incremental;
	uint32_t from_serial;            /* IXFR: the client's serial */
	uint32_t journal_steps;          /* IXFR: the journal's steps sent */
	int journal_status;              /* IXFR in AXFR form: why (a ZONED_ code) */
	struct journal_reader journal;
	/* A record read from the journal that did not fit the last message. */
	bool journal_pending;
	struct journal_record journal_record;
	/* Two copies of journal owners: the encoder takes one pointer for one name. */
	uint8_t journal_owner[2][DNAME_MAX_LENGTH];
	uint8_t journal_owner_index;
	int error;                       /* the journal failed mid-stream: ZONED_ code */
	/* Echoed from the request. */
	uint8_t id[2];
	uint8_t opcode;
	bool recursion_desired;
	bool checking_disabled;
	bool has_edns;                   /* each message carries an OPT (RFC 6891 6.1.1) */
	bool dnssec_ok;
	uint16_t edns_size;              /* advertised in that OPT */
	uint16_t question_length;
	uint8_t question[DNAME_MAX_LENGTH + 4];   /* QNAME QTYPE QCLASS as received */
	/*
	 * A signed request (answer_stream_sign): every message is signed with
	 * a copy of its key, so a reload that frees the view's keys mid-transfer
	 * cannot pull the key from under the stream.
	 */
	bool signing;
	struct tsig_state tsig;          /* its key is tsig_key.key */
	struct tsig_key_copy tsig_key;
};

/*
 * Starts a zone transfer of zone for request, a TCP query for type AXFR
 * whose QNAME is the zone's origin (RFC 5936 4.2: never over UDP), or for
 * type IXFR (RFC 1995) from a serial older than the zone's: answered with
 * the journal's steps from that serial when zone->journal_path reaches back
 * to it (stream->incremental), else in AXFR form (RFC 1995 4: the question
 * echoes IXFR); whether the client may have it was decided before
 * (answer_query()). Keeps what the messages echo (ID,
 * question, flags, EDNS), so request's bytes may go once this returns.
 * Takes a hold on zone (zone_ref()): the caller must be a holder or inside
 * its worker's epoch, which is where it found the zone. settings gives the
 * EDNS size to advertise (NULL: the default). Returns 0, or ZONED_EINVAL
 * (not such a request) or ZONED_EZONE (no SOA) having taken nothing.
 * Either way the stream can be given to answer_stream_finish().
 */
int answer_stream_start_axfr(struct answer_stream *stream, const struct zone *zone,
	const struct answer_request *request, const struct answer_settings *settings);

/*
 * Makes every message of stream (started, none written yet) signed with
 * key (RFC 8945 5.3.1: the first message's MAC covers request_mac, the
 * verified request's MAC, request_mac_length octets as received; each
 * later one the prior message's MAC), HMAC computed through context, which
 * must outlive the stream (a worker's). The key is copied, the request MAC
 * too. Returns 0, ZONED_ELIMIT (a secret over TSIG_SECRET_MAX octets) or
 * ZONED_EINVAL (not a fresh stream); the stream is then unsigned.
 */
int answer_stream_sign(struct answer_stream *stream, struct tsig_context *context,
	const struct tsig_key *key, const uint8_t *request_mac, size_t request_mac_length);

/*
 * Writes the next message of the stream into message (size octets; it is
 * filled as far as whole records fit, up to 65535, keeping room for the
 * TSIG record of a signed stream, signed at time now, seconds since the
 * epoch; unsigned streams ignore now) and sets *length.
 * Returns ANSWER_STREAM_MORE, ANSWER_STREAM_DONE after the last message,
 * ZONED_ESPACE when a single record does not fit into an empty message of
 * size octets, ZONED_EINVAL when the stream is finished or never
 * started, ZONED_ENOMEM when signing failed (HMAC, in OpenSSL), or
 * ZONED_EIO / ZONED_EINVAL when an IXFR's journal could not be read as it
 * was checked at start. On an error nothing is written and the caller ends the stream
 * (for a transfer that means closing the connection, RFC 5936 2.2).
 */
int answer_stream_next(struct answer_stream *stream, uint8_t *message, size_t size,
	size_t *length, uint64_t now);

/*
 * Ends the stream and lets go of its zone, which is freed here when every
 * set that served it is gone (on the calling thread). Call it always: when
 * the stream is done, failed, or its client went away. Calling it twice,
 * or after a failed start, is fine.
 */
void answer_stream_finish(struct answer_stream *stream);

#endif
