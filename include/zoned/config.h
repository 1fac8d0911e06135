/*
 * config.h: the daemon's configuration, a subset of BIND's named.conf
 * (options, zone, include) plus what the command line adds to it.
 */
#ifndef ZONED_CONFIG_H
#define ZONED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zoned/cookie.h"
#include "zoned/dname.h"
#include "zoned/log.h"

struct acl;
struct diag;
struct rrl_config;

#define CONFIG_DEFAULT_PORT 53
#define CONFIG_DEFAULT_EDNS_UDP_SIZE 1232
#define CONFIG_DEFAULT_TCP_CLIENTS 1024
#define CONFIG_DEFAULT_TCP_IDLE_TIMEOUT 100   /* BIND's unit: 100 ms */
#define CONFIG_DEFAULT_TRANSFERS_OUT 10       /* BIND's defaults */
#define CONFIG_DEFAULT_TRANSFERS_IN 10
#define CONFIG_DEFAULT_MAX_TRANSFER_IDLE_OUT (60 * 60)   /* seconds */
#define CONFIG_DEFAULT_MAX_TRANSFER_TIME_OUT (120 * 60)
#define CONFIG_DEFAULT_MAX_TRANSFER_IDLE_IN 30           /* zoned's: BIND waits 60 minutes */
#define CONFIG_DEFAULT_MAX_TRANSFER_TIME_IN (120 * 60)   /* BIND's */

/* One address to listen on (UDP and TCP). */
struct config_listen {
	struct sockaddr_storage address;
	socklen_t address_length;
	char text[64];          /* as written, for messages */
	bool implicit;          /* a built-in default: skip it when unavailable */
};

/* One inet clause of statistics-channels: where GET /metrics is served. */
struct config_statistics_channel {
	struct config_listen listen;    /* address and port (BIND's default port: 80) */
	struct acl *allow;              /* who may connect; NULL: anyone, as in BIND (owned) */
};

#define CONFIG_DEFAULT_STATISTICS_PORT 80

/* controls { unix "PATH" perm 0600 owner UID group GID; };: zoned-control's socket. */
struct config_control {
	bool given;             /* a controls statement was read (else: the default path) */
	char *path;             /* NULL with given: controls { }; (no control channel) */
	unsigned perm;          /* mode bits of the socket (default 0600) */
	long owner;             /* -1: as created (the user zoned starts as) */
	long group;             /* -1: as created */
};

/* notify yes | no | explicit | primary-only; (RFC 1996, named.conf's meaning). */
enum config_notify_mode {
	CONFIG_NOTIFY_INHERIT = 0,  /* not given: the options' (zones), yes (options) */
	CONFIG_NOTIFY_YES,          /* NS hosts except the SOA MNAME, and also-notify */
	CONFIG_NOTIFY_EXPLICIT,     /* also-notify only */
	CONFIG_NOTIFY_NO,
	CONFIG_NOTIFY_PRIMARY_ONLY, /* yes for primary zones, no for secondary ones */
};

/* One also-notify element: address [port N] [key "name"]. */
struct config_notify_target {
	struct sockaddr_storage address;
	socklen_t address_length;
	char *key;              /* key name as written (a key statement), NULL: none */
};

/* The notify settings of the options or of one zone (src/config_notify.c). */
struct config_notify {
	enum config_notify_mode mode;
	struct config_notify_target *also;
	size_t also_count;
	bool also_set;          /* also-notify given here (even empty): replaces the options' */
};

/*
 * A zone's journal of differences (IXFR out; src/config_journal.c):
 * journal "file"; and max-journal-size, as in named.conf.
 */
struct config_journal {
	char *path;             /* journal "file", resolved; NULL: the zone file + ".jnl" */
	uint64_t max_size;      /* octets; CONFIG_JOURNAL_SIZE_DEFAULT: twice the zone */
	bool max_size_set;      /* given in the zone statement */
};

#define CONFIG_JOURNAL_SIZE_DEFAULT UINT64_MAX   /* = JOURNAL_SIZE_DEFAULT (journal.h) */
/* One element of a secondary zone's primaries (masters) list: address [port N] [key "k"]. */
struct config_primary {
	struct sockaddr_storage address;
	socklen_t address_length;
	char *key;              /* key name as written (a key statement), NULL: none */
};

/* BIND's defaults for the refresh and retry clamps, in seconds. */
#define CONFIG_DEFAULT_MIN_REFRESH_TIME 300
#define CONFIG_DEFAULT_MAX_REFRESH_TIME 2419200
#define CONFIG_DEFAULT_MIN_RETRY_TIME 500
#define CONFIG_DEFAULT_MAX_RETRY_TIME 1209600

/* One zone statement (or -z argument). */
struct config_zone {
	char *name;             /* as written */
	uint8_t origin[DNAME_MAX_LENGTH];  /* lowercased wire form */
	size_t origin_length;
	char *path;             /* file, resolved against directory */
	char *source;           /* config file (or "command line") and line, for messages */
	unsigned long line;
	struct acl *allow_query;        /* the zone's allow-query; NULL: the options' (owned) */
	struct config_notify notify;    /* the zone's own; see config_zone_notify() */
	struct acl *allow_transfer;     /* the zone's allow-transfer; NULL: the options' (owned) */
	struct config_journal journal;  /* journal, max-journal-size */
	bool secondary;                 /* type secondary (slave): pulled from primaries */
	struct config_primary *primaries;   /* tried in order (owned) */
	size_t primary_count;
	struct acl *allow_notify;       /* the zone's allow-notify; NULL: the options' (owned) */
};

/* A key "name" { algorithm A; secret "base64"; }; statement (TSIG, RFC 8945). */
struct config_key {
	char *name;             /* as written */
	uint8_t name_wire[DNAME_MAX_LENGTH];  /* lowercased wire form */
	const char *algorithm;  /* static: "hmac-md5", "hmac-sha1", ... "hmac-sha512" */
	uint8_t *secret;        /* decoded */
	size_t secret_length;
};

struct config {
	char *path;             /* the main config file, NULL without one */
	char *directory;        /* base of relative zone paths; NULL: current directory */
	char *pid_file;         /* NULL: none */
	char *version;          /* CH TXT version.bind; NULL: refused */
	char *server_id;        /* CH TXT id.server and NSID (RFC 5001); NULL: refused, no NSID */
	char *hostname;         /* CH TXT hostname.bind (default gethostname()); NULL: refused */
	uint16_t edns_udp_size;
	unsigned tcp_clients;           /* open TCP connections at most */
	unsigned tcp_idle_timeout;      /* in units of 100 ms, as in BIND */
	size_t max_records;             /* records per zone at most (BIND's max-records); 0: no limit */
	uint64_t max_journal_size;      /* options' max-journal-size (CONFIG_JOURNAL_SIZE_DEFAULT) */
	struct config_listen *listens;
	size_t listen_count;
	bool listen_set;        /* listen-on or listen-on-v6 seen: no defaults */
	struct config_zone *zones;
	size_t zone_count;
	struct rrl_config *rate_limit;  /* rate-limit { ... }; NULL: none (zoned/rrl.h) */
	struct acl *allow_query;        /* options' allow-query; NULL: any (zoned/acl.h) */
	struct acl *blackhole;          /* no response at all to these; NULL: none */
	struct acl *allow_transfer;     /* options' allow-transfer; NULL: nobody (not BIND's any) */
	unsigned transfers_out;         /* concurrent zone transfers out at most */
	unsigned transfers_in;          /* concurrent zone transfers in; the rest wait */
	unsigned max_transfer_idle_out; /* seconds a transfer may make no progress (BIND: minutes) */
	unsigned max_transfer_time_out; /* seconds a transfer may take at most (BIND: minutes) */
	unsigned max_transfer_idle_in;  /* seconds a transfer in may bring nothing */
	unsigned max_transfer_time_in;  /* seconds a transfer in may take at most */
	struct config_key *keys;        /* key statements, for key elements (and TSIG) */
	size_t key_count;
	struct config_notify notify;    /* options' notify and also-notify */
	struct config_listen notify_source[2];  /* [0] IPv4, [1] IPv6; address_length 0: any */
	bool answer_cookie;             /* answer-cookie (default yes): DNS Cookies */
	/* cookie-secret statements (none: the daemon makes a random secret per
	 * start) and require-server-cookie (zoned/cookie.h). */
	struct cookie_config cookies;
	struct acl *allow_notify;       /* options' allow-notify; NULL: only the primaries */
	/* Clamps of a secondary zone's SOA refresh and retry (seconds, BIND's names). */
	uint32_t min_refresh_time;
	uint32_t max_refresh_time;
	uint32_t min_retry_time;
	uint32_t max_retry_time;
	struct config_statistics_channel *statistics_channels;  /* statistics-channels inet clauses */
	size_t statistics_channel_count;
	struct config_control control;  /* src/config_control.c */
};

/* Returns an empty configuration with the defaults, or NULL when out of memory. */
struct config *config_create(void);

/* Frees config and everything it owns. NULL is fine. */
void config_free(struct config *config);

/*
 * Parses the named.conf-style file at path (and the files it includes).
 * Every problem is reported to d as file:line. A BIND statement zoned does
 * not implement is an error; the few that only concern recursion or
 * caching, trivially honoured by an authoritative-only server, are
 * accepted with a warning. Address match lists (acl, allow-query,
 * allow-transfer, blackhole, exempt-clients) are compiled here. A relative "directory" and relative include paths are taken
 * from the directory of the file that names them. On success *out holds a
 * new config owned by the caller. Returns 0, ZONED_EIO, ZONED_ESYNTAX,
 * ZONED_EINVAL (a bad value, e.g. a zone name) or ZONED_ENOMEM.
 */
int config_load_file(const char *path, struct diag *d, struct config **out);

/* Same as config_load_file for text in memory; name is used in messages. */
int config_load_text(const char *text, size_t length, const char *name,
	struct diag *d, struct config **out);

/*
 * Adds a zone served from file (resolved against config->directory when
 * relative). source and line say where it came from. Returns 0,
 * ZONED_EINVAL (bad name), ZONED_EEXIST (zone already configured) or
 * ZONED_ENOMEM.
 */
int config_add_zone(struct config *config, const char *name, const char *file,
	const char *source, unsigned long line);

/*
 * Adds a listening address ("127.0.0.1", "::1", "any" for 0.0.0.0, "::"),
 * with port in host order. implicit marks a built-in default. Returns 0,
 * ZONED_EINVAL or ZONED_ENOMEM.
 */
int config_add_listen(struct config *config, const char *address, uint16_t port,
	bool implicit);

/* The port of listen, in host order. */
uint16_t config_listen_port(const struct config_listen *listen);

/* Sets the port of every listening address (the -p option). */
void config_set_port(struct config *config, uint16_t port);

/* Drops every listening address (the -a option replaces the config's). */
void config_clear_listens(struct config *config);

/*
 * Adds 127.0.0.1 and ::1 at port 53 (marked implicit) when no address was
 * configured. Returns 0 or ZONED_ENOMEM.
 */
int config_add_default_listens(struct config *config);

/*
 * -v 3 (config_log.c): logs at LOG_DEBUG what config says: addresses,
 * identity, limits, policies, each zone with its file and where it was
 * configured. Nothing (and no formatting) at lower verbosities.
 */
void config_log_details(const struct config *config, log_function *log);

/* The zone with this origin (lowercased wire form), or NULL. */
const struct config_zone *config_find_zone(const struct config *config,
	const uint8_t *origin);

/*
 * The notify settings for zone: its mode (the options' when it has none,
 * yes when neither says; primary-only resolved to yes for a primary zone or
 * NULL, no for a secondary one, never returned), and its also-notify list (the zone's when it
 * has one, else the options'). Pointers borrow from config.
 */
enum config_notify_mode config_zone_notify(const struct config *config,
	const struct config_zone *zone, const struct config_notify_target **also,
	size_t *also_count);

/*
 * The journal of zone: its journal statement's path, else the zone file's
 * path with ".jnl" appended (BIND's default). Returns a new string, or NULL
 * when out of memory.
 */
char *config_zone_journal_path(const struct config_zone *zone);

/* max-journal-size for zone: its own, else the options' (octets or CONFIG_JOURNAL_SIZE_DEFAULT). */
uint64_t config_zone_max_journal_size(const struct config *config,
	const struct config_zone *zone);

#endif
