/*
 * server.h: the daemon's life: load config and zones, bind, drop
 * privileges, run the worker threads, reload on SIGHUP, stop on SIGTERM.
 */
#ifndef ZONED_SERVER_H
#define ZONED_SERVER_H

#include <stdbool.h>
#include <stddef.h>

/* The command line (zoned.8); everything else comes from the config. */
struct server_options {
	const char *config_path;       /* -c; NULL: no config file */
	const char *const *zones;      /* -z origin:file, zone_count of them */
	size_t zone_count;
	const char *const *addresses;  /* -a, replacing listen-on; address_count of them */
	size_t address_count;
	int port;                      /* -p; -1: from the config (default 53) */
	unsigned threads;              /* -t; 0: one per CPU */
	const char *user;              /* -u: switch to this user after binding */
	const char *pid_file;          /* -P, overriding pid-file */
	bool daemonize;                /* -d */
	int verbosity;                 /* -v: 0 errors, 1 warnings, 2 info, 3 debug */
};

#define SERVER_DEFAULT_VERBOSITY 2

/*
 * Serves until SIGTERM or SIGINT. Returns the process exit status: 0 after
 * a clean stop, 1 when the config, a zone, a socket or the privilege drop
 * failed (with a message on stderr or syslog).
 */
int server_run(const struct server_options *options);

/* -C: checks the config and loads every zone in it. Returns 0 or 1. */
int server_check(const struct server_options *options);

#endif
