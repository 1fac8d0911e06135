/*
 * zoned-checkzone.c: check a zone file the way named-checkzone 9.18 does
 * (same options, messages, output streams and exit codes), optionally
 * dumping the loaded zone in canonical form.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_check.h"
#include "zoned/zone_dnssec_check.h"
#include "zoned/zone_dump.h"
#include "zoned/zone_load.h"
#include "zoned/zone_sources.h"

#define PROGRAM "zoned-checkzone"

/* What the command line asked for. */
struct checkzone_options {
	struct zone_check_modes modes;
	const char *class_text;
	uint16_t zone_class;
	const char *zone_name;
	const char *file;
	const char *output;         /* -o, or NULL */
	const char *workdir;        /* -w, or NULL */
	enum zone_dump_style style;
	bool dump;                  /* -D or -o */
	bool quiet;                 /* -q */
	bool debug;                 /* -d: say what is loaded, as BIND's debug output starts */
	bool raw_input;             /* -f raw: not supported, fails the load like BIND */
	bool raw_output;            /* -F raw */
	bool dnssec;                /* --dnssec: verify chains and signatures */
	time_t now;                 /* --time: when signatures must be valid; 0: now */
};

/* Where findings go and what the final lines need to know. */
struct checkzone_output {
	FILE *stream;               /* stdout, or stderr when the zone is dumped to stdout */
	const char *zone_text;      /* zone name as BIND prints it: no trailing dot */
	const char *class_text;
	char reason[256];           /* BIND's result text for the first load error */
	bool have_reason;
	bool load_failure_printed;  /* the loader already said "loading ... failed" */
	bool quiet;
};

static void
checkzone_usage(void)
{
	fprintf(stderr,
		"usage: " PROGRAM " [-djqvD] [-c class] "
		"[-f inputformat] [-F outputformat] [-J filename] "
		"[-s (full|relative)] [-t directory] [-w directory] "
		"[-k (ignore|warn|fail)] [-m (ignore|warn|fail)] "
		"[-n (ignore|warn|fail)] [-r (ignore|warn|fail)] "
		"[-i (full|full-sibling|local|local-sibling|none)] "
		"[-M (ignore|warn|fail)] [-S (ignore|warn|fail)] "
		"[-W (ignore|warn)] "
		"[--dnssec [--time YYYYMMDDHHMMSS]] "
		"[-o filename] zonename [ (filename|-) ]\n");
}

/* Parses ignore|warn|fail (or ignore|warn when allow_fail is false). */
static bool
checkzone_parse_mode(const char *text, bool allow_fail, enum check_mode *mode)
{
	if (strcmp(text, "ignore") == 0)
		*mode = CHECK_IGNORE;
	else if (strcmp(text, "warn") == 0)
		*mode = CHECK_WARN;
	else if (allow_fail && strcmp(text, "fail") == 0)
		*mode = CHECK_FAIL;
	else
		return false;
	return true;
}

/* -i: full and local behave alike here, as zoned never resolves names. */
static bool
checkzone_parse_integrity(const char *text, struct zone_check_modes *modes)
{
	if (strcmp(text, "full") == 0 || strcmp(text, "local") == 0) {
		modes->integrity = CHECK_WARN;
		modes->sibling_glue = true;
	} else if (strcmp(text, "full-sibling") == 0 || strcmp(text, "local-sibling") == 0) {
		modes->integrity = CHECK_WARN;
		modes->sibling_glue = false;
	} else if (strcmp(text, "none") == 0) {
		modes->integrity = CHECK_IGNORE;
		modes->sibling_glue = false;
	} else {
		return false;
	}
	return true;
}

/* The -c class: a data class; BIND exits on NONE and ANY as on unknown names. */
static bool
checkzone_parse_class(const char *text, uint16_t *zone_class)
{
	return rrclass_from_text(text, zone_class) && *zone_class != RRCLASS_NONE
		&& *zone_class != RRCLASS_ANY;
}

static const char *
checkzone_errno_text(int error)
{
	switch (error) {
	case ENOENT: return "file not found";
	case EACCES: return "permission denied";
	case EPERM: return "permission denied";
	case ENOTDIR: return "not a directory";
	default: return strerror(error);
	}
}

/* One option with an argument that selects a check mode; false on a bad value. */
static bool
checkzone_option_mode(int option, const char *argument, struct checkzone_options *options)
{
	struct zone_check_modes *modes = &options->modes;
	enum check_mode mode;
	switch (option) {
	case 'i':
		return checkzone_parse_integrity(argument, modes);
	case 'k':
		return checkzone_parse_mode(argument, true, &modes->names);
	case 'm':
		return checkzone_parse_mode(argument, true, &modes->mx_address);
	case 'M':
		return checkzone_parse_mode(argument, true, &modes->mx_cname);
	case 'n':
		return checkzone_parse_mode(argument, true, &modes->ns_address);
	case 'r':
		return checkzone_parse_mode(argument, true, &modes->dnssec);
	case 'S':
		return checkzone_parse_mode(argument, true, &modes->srv_cname);
	case 'T':
		return checkzone_parse_mode(argument, false, &modes->spf);
	case 'W':
		/* BIND ignores any other value here and keeps the setting. */
		if (checkzone_parse_mode(argument, false, &mode))
			modes->wildcard = mode;
		return true;
	default:
		return false;
	}
}

/* -l: a number (strtol syntax, as BIND 9.18); 0 or 2^32 and up mean no limit. */
static bool
checkzone_parse_max_ttl(const char *text, uint32_t *max_ttl)
{
	char *end;
	errno = 0;
	long long value = strtoll(text, &end, 0);
	if (*text == '\0' || *end != '\0' || errno != 0 || value < 0)
		return false;
	*max_ttl = (uint32_t)value;
	return true;
}

/* --time: YYYYMMDDHHMMSS in UTC (as RRSIG fields are written), or seconds since 1970. */
static bool
checkzone_parse_time(const char *text, time_t *now)
{
	size_t length = strlen(text);
	if (length == 0 || strspn(text, "0123456789") != length)
		return false;
	if (length != 14) {
		errno = 0;
		unsigned long long seconds = strtoull(text, NULL, 10);
		*now = (time_t)seconds;
		return errno == 0 && length <= 12 && seconds > 0;
	}
	struct tm tm = { 0 };
	if (sscanf(text, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return false;
	if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1
		|| tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*now = timegm(&tm);
	return *now != (time_t)-1;
}

/* Long options: none of named-checkzone's letters is free for them. */
enum {
	OPTION_DNSSEC = 256,
	OPTION_TIME,
};

static const struct option checkzone_long_options[] = {
	{ "dnssec", no_argument, NULL, OPTION_DNSSEC },
	{ "time", required_argument, NULL, OPTION_TIME },
	{ NULL, 0, NULL, 0 },
};

/*
 * Parses the command line into options. Returns -1 to go on, or the exit
 * status when the program is done (usage error, -h, -v).
 */
static int
checkzone_parse_arguments(int argc, char **argv, struct checkzone_options *options)
{
	int option;
	opterr = 0;
	/* '+': stop at the first operand, as BIND's isc_commandline_parse. */
	while ((option = getopt_long(argc, argv, "+c:df:hi:jJ:k:L:l:m:n:qr:s:t:o:vw:DF:M:S:T:W:",
			checkzone_long_options, NULL)) != -1) {
		switch (option) {
		case OPTION_DNSSEC:
			options->dnssec = true;
			break;
		case OPTION_TIME:
			if (!checkzone_parse_time(optarg, &options->now)) {
				fprintf(stderr, "invalid argument to --time: %s "
					"(YYYYMMDDHHMMSS or seconds since 1970)\n", optarg);
				return 1;
			}
			break;
		case 'c':
			options->class_text = optarg;
			break;
		case 'd':
			options->debug = true;
			break;
		case 'j':
		case 'J':
		case 'L':
			break;  /* journal, raw source serial: nothing to do */
		case 'f':
		case 'F':
			if (strcasecmp(optarg, "text") != 0 && strcasecmp(optarg, "raw") != 0
				&& strncasecmp(optarg, "raw=", 4) != 0) {
				fprintf(stderr, "unknown file format: %s\n", optarg);
				return 1;
			}
			if (strcasecmp(optarg, "text") != 0) {
				if (option == 'f')
					options->raw_input = true;
				else
					options->raw_output = true;
			}
			break;
		case 'h':
			checkzone_usage();
			return 1;
		case 'l':
			if (!checkzone_parse_max_ttl(optarg, &options->modes.max_ttl)) {
				fprintf(stderr, "maximum TTL must be numeric");  /* sic: BIND 9.18 */
				return 1;
			}
			break;
		case 'o':
			options->output = optarg;
			options->dump = true;
			break;
		case 'q':
			options->quiet = true;
			break;
		case 's':
			if (strcmp(optarg, "full") == 0) {
				options->style = ZONE_DUMP_FULL;
			} else if (strcmp(optarg, "relative") == 0) {
				options->style = ZONE_DUMP_RELATIVE;
			} else {
				fprintf(stderr, "unknown or unsupported style: %s\n", optarg);
				return 1;
			}
			break;
		case 't':
			if (chroot(optarg) != 0 || chdir("/") != 0) {
				fprintf(stderr, "isc_dir_chroot: %s: %s\n", optarg,
					checkzone_errno_text(errno));
				return 1;
			}
			break;
		case 'v':
			printf("%s\n", PACKAGE_VERSION);
			return 0;
		case 'w':
			options->workdir = optarg;
			break;
		case 'D':
			options->dump = true;
			break;
		case '?':
			if (optopt == 0 || optopt >= OPTION_DNSSEC)
				fprintf(stderr, PROGRAM ": invalid argument %s\n", argv[optind - 1]);
			else
				fprintf(stderr, PROGRAM ": invalid argument -%c\n", optopt);
			checkzone_usage();
			return 1;
		default:
			if (!checkzone_option_mode(option, optarg, options)) {
				fprintf(stderr, "invalid argument to -%c: %s\n", option, optarg);
				return 1;
			}
			break;
		}
	}
	if (options->workdir != NULL && chdir(options->workdir) != 0) {
		fprintf(stderr, "isc_dir_chdir: %s: %s\n", options->workdir,
			checkzone_errno_text(errno));
		return 1;
	}
	if (argc - optind < 1 || argc - optind > 2) {
		checkzone_usage();
		return 1;
	}
	options->zone_name = argv[optind];
	options->file = argc - optind == 2 ? argv[optind + 1] : "-";
	return -1;
}

/* How BIND tags a message: which of its functions reported it. */
static const char *
checkzone_message_prefix(const char *message)
{
	static const char *const master_load[] = {
		"label too long", "ran out of space", "bad escape", "unexpected end of",
		"unknown $ directive", "file not found", "CNAME and other data",
		"multiple RRs of singleton type", "> MAXTTL", "exceeds configured max-zone-ttl",
		"out of range", "extra input text", "byte order mark", "permission denied",
		"$INCLUDE nested too deeply", "empty label", "owner name (wildcard)",
		"rdata text too long", "rdata too long", "bad ttl",
	};
	if (strncmp(message, "near ", 5) == 0 || strncmp(message, "unbalanced ", 11) == 0)
		return "dns_rdata_fromtext: ";
	if (strcmp(message, "syntax error") == 0 || strcmp(message, "no TTL specified") == 0)
		return "dns_master_load: ";
	for (size_t i = 0; i < sizeof master_load / sizeof master_load[0]; i++) {
		if (strstr(message, master_load[i]) != NULL)
			return "dns_master_load: ";
	}
	return "";
}

/* BIND's result text for a message, shown in "loading from master file F failed: ...". */
static void
checkzone_message_reason(const char *message, char *reason, size_t size)
{
	static const struct { const char *pattern; const char *reason; } special[] = {
		{ "unknown RR type", "unknown class/type" },
		{ "no current owner name", "no owner" },
		{ "!= zone class", "bad class" },
		{ "SOA record not at top of zone", "not at top of zone" },
		{ " record at top of zone (", "at top of zone" },
		{ "appears to be an address", "NS is an address" },
		{ "unknown $ directive", "syntax error" },
		{ "no TTL specified; zone rejected", "no ttl" },
		{ "unexpected end of line", "unexpected end of input" },
		{ "unexpected end of file", "unexpected end of input" },
		{ "byte order mark", "unexpected end of input" },
		{ "invalid range '", "syntax error" },
		{ "meta RR type '", "invalid use of a meta type" },
		{ "no TTL specified", "no ttl" },
		{ "too many records", "too many records" },
		{ "rdata text too long", "ran out of space" },
		{ "rdata too long", "ran out of space" },
	};
	for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
		if (strstr(message, special[i].pattern) != NULL) {
			snprintf(reason, size, "%s", special[i].reason);
			return;
		}
	}
	const char *last = strrchr(message, ':');
	while (last != NULL && last[1] != ' ' && last > message) {
		/* a colon inside a token (an IPv6 address): look further left */
		const char *p = last - 1;
		while (p >= message && *p != ':')
			p--;
		last = p >= message ? p : NULL;
	}
	snprintf(reason, size, "%s", last != NULL && last[1] == ' ' ? last + 2 : message);
}

/* True for whole-zone messages that BIND finds while loading the file. */
static bool
checkzone_zone_message_is_load_error(const char *message)
{
	return strstr(message, ": CNAME and other data") != NULL
		|| strstr(message, ": multiple RRs of singleton type") != NULL;
}

static void
checkzone_emit(void *arg, enum diag_level level, const char *file, unsigned long line,
	const char *message)
{
	struct checkzone_output *output = arg;
	bool load_error = false;
	if (file == NULL) {
		if (!output->quiet)
			fprintf(output->stream, "zone %s/%s: %s\n", output->zone_text,
				output->class_text, message);
		if (strncmp(message, "loading from master file ", 25) == 0)
			output->load_failure_printed = true;
		load_error = checkzone_zone_message_is_load_error(message);
	} else {
		const char *tag = checkzone_message_prefix(message);
		if (strncmp(message, "$GENERATE: ", 11) == 0) {
			/* BIND's tag for its $GENERATE findings leads the line. */
			tag = "$GENERATE: ";
			message += 11;
		} else if (strncmp(message, "rdata: ", 7) == 0) {
			/* An rdata problem at no quotable token (zone_rdata.c). */
			tag = "dns_rdata_fromtext: ";
			message += 7;
		}
		if (!output->quiet) {
			fprintf(output->stream, "%s%s:", tag, file);
			if (line != 0)
				fprintf(output->stream, "%lu:", line);
			fprintf(output->stream, " %s\n", message);
		}
		load_error = true;
	}
	if (level == DIAG_ERROR && load_error && !output->have_reason) {
		checkzone_message_reason(message, output->reason, sizeof output->reason);
		output->have_reason = true;
	}
}

/* Writes the zone to -o (or standard output); returns the exit status. */
static int
checkzone_dump(const struct zone *zone, const struct checkzone_options *options)
{
	bool to_stdout = options->output == NULL || strcmp(options->output, "-") == 0;
	FILE *out = stdout;
	if (options->raw_output) {
		fprintf(stderr, "raw output format is not supported\n");
		return 1;
	}
	if (!to_stdout && (out = fopen(options->output, "w")) == NULL) {
		fprintf(stderr, "could not open output file \"%s\" for writing\n", options->output);
		return 1;
	}
	int status = zone_dump_write(zone, options->style, out);
	if (!to_stdout && fclose(out) != 0)
		status = ZONED_EIO;
	if (status != 0) {
		fprintf(stderr, "dumping zone: %s\n", zoned_strerror(status));
		return 1;
	}
	return 0;
}

/*
 * --dnssec: verifies the loaded zone (zone_dnssec_check.h), prints each
 * problem and a summary. Returns the exit status: 0 valid, 1 not.
 */
static int
checkzone_verify(const struct zone *zone, const struct checkzone_options *options,
	struct zone_sources *sources, struct checkzone_output *output)
{
	struct diag d = { .emit = checkzone_emit, .arg = output };
	struct zone_dnssec_check_options check_options = {
		.signatures = true,
		.now = options->now,
		.level = DIAG_ERROR,
		.sources = sources,
	};
	struct zone_dnssec_check_result result;
	int findings = zone_dnssec_check(zone, &check_options, &d, &result);
	if (findings < 0) {
		fprintf(output->stream, "zone %s/%s: DNSSEC verification: %s\n", output->zone_text,
			output->class_text, zoned_strerror(findings));
		return 1;
	}
	if (!output->quiet) {
		const char *chain = result.nsec && result.nsec3 ? "NSEC and NSEC3"
			: result.nsec3 ? "NSEC3" : result.nsec ? "NSEC" : "no";
		fprintf(output->stream, "zone %s/%s: DNSSEC: %s chain (%lu records, %lu names), "
			"%lu RRsets, %lu signatures verified\n", output->zone_text,
			output->class_text, chain, result.chain_length, result.names,
			result.rrsets, result.signatures);
		if (findings > 0)
			fprintf(output->stream, "zone %s/%s: DNSSEC verification failed: "
				"%d problem%s\n", output->zone_text, output->class_text, findings,
				findings == 1 ? "" : "s");
	}
	return findings > 0 ? 1 : 0;
}

/* Loads the zone, prints BIND's closing lines and dumps it; returns the exit status. */
static int
checkzone_run(const struct checkzone_options *options, const uint8_t *origin,
	struct checkzone_output *output)
{
	struct diag d = { .emit = checkzone_emit, .arg = output };
	struct zone_check_modes modes = options->modes;
	struct zone_sources sources = { 0 };
	/* file:line for the DNSSEC findings, which come after the records are read. */
	struct zone_load_options load_options = {
		.modes = &modes,
		.zone_class = options->zone_class,
		.sources = &sources,
		.conflicts_as_read = true,
	};
	if (options->dnssec)
		modes.denial = CHECK_IGNORE;  /* the verification reports the chain, as errors */
	struct zone *zone = NULL;
	int status;
	if (options->raw_input) {
		if (!output->quiet)
			fprintf(output->stream, "dns_master_load: file format mismatch (not raw)\n");
		diag_report(&d, DIAG_ERROR, NULL, 0, "loading from master file %s failed: "
			"not implemented", options->file);
		status = ZONED_EINVAL;
	} else {
		status = zone_load_file(options->file, origin, &load_options, &d, &zone);
	}
	if (status != 0 || zone == NULL) {
		if (!output->quiet) {
			if (output->have_reason && !output->load_failure_printed)
				fprintf(output->stream, "zone %s/%s: loading from master file %s "
					"failed: %s\n", output->zone_text, output->class_text,
					options->file, output->reason);
			else if (!output->have_reason && !output->load_failure_printed
				&& (status == ZONED_ENOMEM || status == ZONED_EIO))
				fprintf(output->stream, "zone %s/%s: loading from master file %s "
					"failed: %s\n", output->zone_text, output->class_text,
					options->file, zoned_strerror(status));
			fprintf(output->stream, "zone %s/%s: not loaded due to errors.\n",
				output->zone_text, output->class_text);
		}
		zone_free(zone);
		zone_sources_clear(&sources);
		return 1;
	}
	if (!output->quiet)
		fprintf(output->stream, "zone %s/%s: loaded serial %lu\n", output->zone_text,
			output->class_text, (unsigned long)zone->serial);
	int exit_status = 0;
	if (options->dnssec)
		exit_status = checkzone_verify(zone, options, &sources, output);
	zone_sources_clear(&sources);
	if (exit_status == 0 && options->dump)
		exit_status = checkzone_dump(zone, options);
	if (exit_status == 0 && !output->quiet)
		fprintf(output->stream, "OK\n");
	zone_free(zone);
	return exit_status;
}

int
main(int argc, char **argv)
{
	struct checkzone_options options = { .class_text = "IN", .style = ZONE_DUMP_FULL };
	zone_check_modes_default(&options.modes);
	int status = checkzone_parse_arguments(argc, argv, &options);
	if (status >= 0)
		return status;
	if (!checkzone_parse_class(options.class_text, &options.zone_class))
		return 1;  /* BIND exits 1 silently on an unknown class */
	uint8_t origin[DNAME_MAX_LENGTH];
	if (dname_from_text(options.zone_name, origin) < 0)
		return 1;  /* and on a malformed zone name */
	if (options.debug)
		fprintf(stderr, "loading \"%s\" from \"%s\" class \"%s\"\n", options.zone_name,
			options.file, options.class_text);
	char zone_text[DNAME_MAX_LENGTH * 4 + 2], class_buffer[RRTYPE_TEXT_MAX];
	dname_format(origin, zone_text, sizeof zone_text);
	bool dump_to_stdout = options.dump
		&& (options.output == NULL || strcmp(options.output, "-") == 0
			|| strcmp(options.output, "/dev/stdout") == 0
			|| strcmp(options.output, "/dev/fd/1") == 0);
	struct checkzone_output output = {
		.stream = dump_to_stdout ? stderr : stdout,
		.zone_text = zone_text,
		.class_text = rrclass_to_text(options.zone_class, class_buffer),
		.quiet = options.quiet,
	};
	return checkzone_run(&options, origin, &output);
}
