/* zoned.c: the daemon's main(): command line in, exit status out. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoned/server.h"

#define ZONED_MAX_ARGS 256  /* -a and -z each */

static void
zoned_usage(FILE *out)
{
	fprintf(out,
		"usage: zoned [-c config] [-a address]... [-p port] [-z zone:file]...\n"
		"             [-t threads] [-u user] [-P pidfile] [-d] [-v level] [-V] [-C]\n"
		"  -c config    named.conf-style configuration file\n"
		"  -a address   listen on this IPv4 or IPv6 address (repeatable;\n"
		"               default 127.0.0.1 and ::1)\n"
		"  -p port      listen on this port (default 53)\n"
		"  -z zone:file serve zone from file (repeatable)\n"
		"  -t threads   worker threads (default: one per CPU)\n"
		"  -u user      switch to user after binding (when started as root)\n"
		"  -P pidfile   write the process id to pidfile\n"
		"  -d           run in the background (log to syslog)\n"
		"  -v level     0 errors, 1 warnings, 2 info (default), 3 debug\n"
		"  -V           print the version and exit\n"
		"  -C           check the configuration and its zones, then exit\n");
}

/* Parses a decimal number in [min, max]. Returns false when it is not one. */
static bool
zoned_parse_number(const char *text, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long value = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
		return false;
	*out = value;
	return true;
}

static int
zoned_parse_option(int option, const char *arg, struct server_options *options,
	const char **zones, const char **addresses, bool *check)
{
	long number;
	switch (option) {
	case 'c': options->config_path = arg; return 0;
	case 'P': options->pid_file = arg; return 0;
	case 'u': options->user = arg; return 0;
	case 'd': options->daemonize = true; return 0;
	case 'C': *check = true; return 0;
	case 'V':
		printf("zoned %s\n", PACKAGE_VERSION);
		exit(EXIT_SUCCESS);
	case 'a':
		if (options->address_count == ZONED_MAX_ARGS)
			break;
		addresses[options->address_count++] = arg;
		return 0;
	case 'z':
		if (options->zone_count == ZONED_MAX_ARGS)
			break;
		zones[options->zone_count++] = arg;
		return 0;
	case 'p':
		if (!zoned_parse_number(arg, 0, 65535, &number))
			break;
		options->port = (int)number;
		return 0;
	case 't':
		if (!zoned_parse_number(arg, 1, 1024, &number))
			break;
		options->threads = (unsigned)number;
		return 0;
	case 'v':
		if (!zoned_parse_number(arg, 0, 3, &number))
			break;
		options->verbosity = (int)number;
		return 0;
	case 'h':
		zoned_usage(stdout);
		exit(EXIT_SUCCESS);
	default:
		zoned_usage(stderr);
		return -1;
	}
	fprintf(stderr, "zoned: -%c %s: invalid value\n", option, arg);
	return -1;
}

int
main(int argc, char **argv)
{
	static const char *zones[ZONED_MAX_ARGS];
	static const char *addresses[ZONED_MAX_ARGS];
	struct server_options options = {
		.zones = zones,
		.addresses = addresses,
		.port = -1,
		.verbosity = SERVER_DEFAULT_VERBOSITY,
	};
	bool check = false;
	int option;
	while ((option = getopt(argc, argv, "c:a:p:z:t:u:P:dv:VCh")) != -1) {
		if (zoned_parse_option(option, optarg, &options, zones, addresses, &check) != 0)
			return EXIT_FAILURE;
	}
	if (optind < argc) {
		fprintf(stderr, "zoned: unexpected argument %s\n", argv[optind]);
		zoned_usage(stderr);
		return EXIT_FAILURE;
	}
	if (options.config_path == NULL && options.zone_count == 0) {
		fprintf(stderr, "zoned: nothing to serve: give -c config or -z zone:file\n");
		return EXIT_FAILURE;
	}
	if (check)
		return server_check(&options);
	return server_run(&options);
}
