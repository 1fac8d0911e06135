/*
 * xfr_in_internal.h: a secondary zone's state, shared by xfr_in.c (timers,
 * SOA queries, the transfers-in queue, expiry, configuration) and
 * xfr_in_transfer.c (one incoming transfer). Private to those files.
 */
#ifndef ZONED_XFR_IN_INTERNAL_H
#define ZONED_XFR_IN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/event.h>

#include "zoned/diag.h"
#include "zoned/log.h"
#include "zoned/nametree.h"
#include "zoned/tsig.h"
#include "zoned/xfr_in.h"
#include "zoned/xfr_parse.h"

#define XFR_CONNECT_TIMEOUT_S 10
#define XFR_REQUEST_MAX 1024
#define XFR_MESSAGE_MAX (UINT16_MAX + 2)
#define XFR_ERRORS_LOGGED 10         /* a broken zone's findings, then a count */
#define XFR_BATCH_MIN (256 * 1024)   /* octets of records handed to the build thread at once */

/* One primary as configured, with its key copied (the config may go). */
struct xfr_primary {
	struct sockaddr_storage address;
	socklen_t address_length;
	bool keyed;
	struct tsig_key_copy key;
	char text[LOG_ADDRESS_SIZE];        /* "address#port" */
};

enum xfr_phase {
	XFR_IDLE,
	XFR_SOA_QUERY,
	XFR_QUEUED,                         /* waiting for a place under transfers-in */
	XFR_CONNECTING,
	XFR_TRANSFERRING,
	XFR_BUILDING,                       /* an AXFR received, its build's tail on a thread */
};

/* A broken zone's findings, logged (the first few). */
struct xfr_diag {
	struct xfr_zone *zone;
	const char *source;                 /* "AXFR from address#port" */
	unsigned logged;
};

struct xfr_zone {
	struct xfr_zone *next;
	struct xfr_in *owner;
	uint8_t origin[DNAME_MAX_LENGTH];
	char name[DNAME_MAX_LENGTH * 4 + 1];
	char *path;                         /* the saved copy */
	struct xfr_primary *primaries;
	size_t primary_count;
	size_t max_records;
	uint32_t clamps[4];                 /* min/max refresh, min/max retry */
	uint32_t idle_seconds;              /* max-transfer-idle-in: between two reads */
	uint32_t time_seconds;              /* max-transfer-time-in: connect to last message */
	bool seen;                          /* in the latest configure */
	struct event *timer;                /* the next refresh (or retry) */
	struct event *expire_timer;
	struct event *transfer_timer;       /* max-transfer-time-in of the transfer running */
	time_t last_success;                /* wall clock; 0: never */
	uint32_t expire_seconds;            /* of the SOA at the last success */
	bool expired;
	/* The refresh in progress. */
	enum xfr_phase phase;
	size_t primary;                     /* index into primaries */
	size_t tries;                       /* primaries tried in this refresh, but the current */
	bool force_full;                    /* AXFR: retransfer, or an IXFR that did not apply */
	bool again;                         /* refresh once more after this one */
	bool again_full;                    /* ... as a retransfer */
	bool notified;                      /* a NOTIFY carried notified_serial (xfr_in_notified) */
	uint32_t notified_serial;
	int notified_by;                    /* the primary that sent the last NOTIFY; -1: none */
	struct xfr_primary *next_primaries; /* a reload's, taken once the refresh is over */
	size_t next_primary_count;
	int fd;
	struct event *io;
	uint16_t id;
	uint16_t qtype;
	struct tsig_context *tsig;
	struct tsig_state sign;
	struct tsig_verifier verifier;
	bool last_signed;
	uint8_t request[XFR_REQUEST_MAX + 2];
	size_t request_length;
	uint8_t *buffer;                    /* TCP: a message being read, with its prefix */
	size_t have;
	struct xfr_parse parse;
	bool parsing;
	uint32_t primary_serial;
	struct timespec started;
	/* When the transfer was asked for and its last message came in (-v 3 phase times). */
	struct timespec asked, received;
	bool counted;                       /* holds one of transfers_active */
	uint64_t queued_at;                 /* XFR_QUEUED: its place in the queue */
	struct timespec queued_since;
	/*
	 * A whole zone's build on a thread (xfr_build.h), fed from z->parse
	 * while XFR_TRANSFERRING, finishing in XFR_BUILDING.
	 */
	struct xfr_build *build;
	char build_source[128];
	struct xfr_diag build_findings;
	struct diag build_diag;
	bool built;                         /* over: xfr_transfer_finish takes built_rc, built_zone */
	int built_rc;
	struct zone *built_zone;
};

struct xfr_in {
	struct event_base *base;
	log_function *log;
	struct xfr_in_hooks hooks;
	struct xfr_zone *zones;
	unsigned transfers_in;              /* transfers at once at most (BIND's name) */
	unsigned transfers_active;
	uint64_t queue_tickets;             /* the next queued_at */
	struct event *dispatch;             /* starts queued transfers once places free */
	struct zone_saver *saver;           /* writes the saved copies */
};

/* xfr_in.c, for the transfer */
int xfr_connect(const struct xfr_primary *primary, int type);
uint16_t xfr_random(void);
bool xfr_sign_request(struct xfr_zone *z, const struct xfr_primary *primary);
const char *xfr_verify(struct xfr_zone *z, const uint8_t *message, size_t length, bool single);
const struct zone *xfr_zone_current(const struct xfr_zone *z);
void xfr_zone_failed(struct xfr_zone *z, const char *why);
void xfr_zone_stop(struct xfr_zone *z);
void xfr_zone_succeeded(struct xfr_zone *z, bool touch);

/* xfr_in_transfer.c */
void xfr_transfer_start(struct xfr_zone *z);
void on_transfer_timer(evutil_socket_t unused, short events, void *arg);  /* z->transfer_timer */

#endif
