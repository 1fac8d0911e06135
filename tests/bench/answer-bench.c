/* answer-bench.c: responses per second of answer_query() alone, no sockets. */
/*
 * Writes a deterministic zone of N names (default 100000) to a temporary
 * file, loads it with zone_load_file() into a zonedb, pre-builds query
 * packets in memory, then calls answer_query() in a loop timed with
 * clock_gettime(CLOCK_MONOTONIC). It reports queries/s and ns/query for
 * each kind of query and for the mix (70% A, 20% NXDOMAIN, 10% referral).
 *
 *   answer-bench [-n NAMES] [-s SECONDS] [-c COUNT] [-k a|nxdomain|referral|mix] [-e]
 *
 * -s bounds each measurement in time (default 1 s); -c runs exactly COUNT
 * queries instead (use it under valgrind --tool=callgrind to get stable
 * instruction counts per query); -k runs one kind only; -e adds an EDNS OPT
 * record to every query (dnsperf -e). Responses are checked once before
 * timing (rcode, AA, section counts); a wrong answer is reported and makes
 * the exit status 1, so a fast but wrong engine does not look good.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zoned/answer.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_load.h"
#include "zoned/zonedb.h"

#define BENCH_ORIGIN "bench.example."
#define BENCH_QUERIES 4096        /* distinct packets per kind, cycled */
#define BENCH_PACKET_MAX 512
#define BENCH_RESPONSE_MAX 65535
#define RCODE_NXDOMAIN 3

enum bench_kind {
	KIND_A,
	KIND_NXDOMAIN,
	KIND_REFERRAL,
	KIND_MIX,
	KIND_COUNT,
};

/* Filled as the UDP transport has it filled, so the cost is measured too. */
static struct answer_result bench_result;

static const char *const bench_kind_names[KIND_COUNT] = {
	"a", "nxdomain", "referral", "mix",
};

struct bench_packet {
	uint8_t bytes[BENCH_PACKET_MAX];
	uint16_t length;
	uint8_t kind;  /* the enum bench_kind it was built as */
};

struct bench_options {
	unsigned long names;
	double seconds;
	unsigned long count;
	int only_kind;  /* -1: all */
	bool edns;
};

/* Small deterministic generator (xorshift32): same queries on every run. */
static uint32_t
bench_next_random(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* One delegation per 100 names: d<j> NS ns1.d<j>, ns2.d<j> plus their glue. */
static unsigned long
bench_delegation_count(unsigned long names)
{
	return names / 100 > 0 ? names / 100 : 1;
}

/* Hosts h<i> such that apex, ns1, ns2, the hosts, their CNAMEs and the delegations make names. */
static unsigned long
bench_host_count(unsigned long names)
{
	return (names - 3 - 3 * bench_delegation_count(names)) * 10 / 11;
}

/*
 * The zone: h<i> A (all), AAAA (even i), MX and TXT (i % 4 == 0), c<i> CNAME
 * h<i> (i % 10 == 0), and the delegations; names counts every owner.
 */
static int
bench_write_zone(FILE *out, unsigned long names)
{
	unsigned long delegations = bench_delegation_count(names);
	unsigned long hosts = bench_host_count(names);

	fprintf(out, "$ORIGIN %s\n$TTL 3600\n", BENCH_ORIGIN);
	fprintf(out, "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n");
	fprintf(out, "@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n");
	for (unsigned long i = 0; i < hosts; i++) {
		fprintf(out, "h%lu A 10.%lu.%lu.%lu\n", i, (i >> 16) & 255, (i >> 8) & 255, i & 255);
		if (i % 2 == 0)
			fprintf(out, "h%lu AAAA 2001:db8::%lx:%lx\n", i, i >> 16, i & 0xffff);
		if (i % 4 == 0) {
			fprintf(out, "h%lu MX 10 h%lu\n", i, (i + 1) % hosts);
			fprintf(out, "h%lu TXT \"v=bench host %lu\"\n", i, i);
		}
		if (i % 10 == 0)
			fprintf(out, "c%lu CNAME h%lu\n", i, i);
	}
	for (unsigned long j = 0; j < delegations; j++) {
		fprintf(out, "d%lu NS ns1.d%lu\nd%lu NS ns2.d%lu\n", j, j, j, j);
		fprintf(out, "ns1.d%lu A 198.51.%lu.1\nns2.d%lu A 198.51.%lu.2\n",
			j, j & 255, j, j & 255);
	}
	return ferror(out) ? ZONED_EIO : 0;
}

static void
bench_print_diag(void *arg, enum diag_level level, const char *file, unsigned long line,
	const char *message)
{
	(void)arg;
	fprintf(stderr, "answer-bench: %s:%lu: %s: %s\n", file != NULL ? file : "zone", line,
		level == DIAG_ERROR ? "error" : "warning", message);
}

/* Writes the zone to a temporary file and loads it through the real loader. */
static struct zonedb *
bench_load_zonedb(unsigned long names, double *load_seconds)
{
	char path[] = "/tmp/answer-bench-XXXXXX";
	struct diag d = { .emit = bench_print_diag };
	uint8_t origin[DNAME_MAX_LENGTH];
	struct zonedb *db = NULL;
	struct zone *zone = NULL;
	struct timespec start, end;
	FILE *out;
	int fd, status;

	fd = mkstemp(path);
	if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
		perror("answer-bench: temporary zone file");
		return NULL;
	}
	status = bench_write_zone(out, names);
	if (fclose(out) != 0 || status != 0) {
		fprintf(stderr, "answer-bench: cannot write %s\n", path);
		unlink(path);
		return NULL;
	}
	dname_from_text(BENCH_ORIGIN, origin);
	clock_gettime(CLOCK_MONOTONIC, &start);
	status = zone_load_file(path, origin, NULL, &d, &zone);
	clock_gettime(CLOCK_MONOTONIC, &end);
	unlink(path);
	*load_seconds = (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
	if (status != 0 || zone == NULL) {
		fprintf(stderr, "answer-bench: zone did not load: %s\n", zoned_strerror(status));
		return NULL;
	}
	db = zonedb_create();
	if (db == NULL || zonedb_add(db, zone) != 0) {
		fprintf(stderr, "answer-bench: cannot build the zone set\n");
		zone_free(zone);
		zonedb_free(db);
		return NULL;
	}
	return db;
}

/* Builds one query packet (RFC 1035 4.1) for text name and type. */
static void
bench_build_packet(struct bench_packet *packet, uint16_t id, const char *name, uint16_t type,
	bool edns, enum bench_kind kind)
{
	uint8_t *p = packet->bytes;
	int name_length;

	memset(p, 0, 12);
	p[0] = (uint8_t)(id >> 8);
	p[1] = (uint8_t)id;
	p[5] = 1;                 /* QDCOUNT */
	p[11] = edns ? 1 : 0;     /* ARCOUNT */
	name_length = dname_from_text(name, p + 12);
	p += 12 + name_length;
	*p++ = (uint8_t)(type >> 8);
	*p++ = (uint8_t)type;
	*p++ = 0;
	*p++ = 1;                 /* class IN */
	if (edns) {
		/* RFC 6891 6.1.2: root owner, type OPT, class = payload size 1232. */
		static const uint8_t opt[] = { 0, 0, RRTYPE_OPT, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };

		memcpy(p, opt, sizeof(opt));
		p += sizeof(opt);
	}
	packet->length = (uint16_t)(p - packet->bytes);
	packet->kind = (uint8_t)kind;
}

/* Fills BENCH_QUERIES packets of one kind; the mix draws its kind per packet. */
static void
bench_build_queries(struct bench_packet *packets, enum bench_kind kind, unsigned long names,
	bool edns)
{
	unsigned long delegations = bench_delegation_count(names);
	unsigned long hosts = bench_host_count(names);
	uint32_t state = 0x5eed1234u + (uint32_t)kind;

	for (unsigned i = 0; i < BENCH_QUERIES; i++) {
		enum bench_kind this_kind = kind;
		char name[64];
		uint32_t r = bench_next_random(&state);

		if (kind == KIND_MIX) {
			unsigned percent = bench_next_random(&state) % 100;

			this_kind = percent < 70 ? KIND_A : percent < 90 ? KIND_NXDOMAIN : KIND_REFERRAL;
		}
		switch (this_kind) {
		case KIND_A:
			snprintf(name, sizeof(name), "h%lu.%s", (unsigned long)(r % hosts), BENCH_ORIGIN);
			break;
		case KIND_NXDOMAIN:
			snprintf(name, sizeof(name), "x%u.%s", r % 1000000, BENCH_ORIGIN);
			break;
		default:
			snprintf(name, sizeof(name), "www.d%lu.%s", (unsigned long)(r % delegations),
				BENCH_ORIGIN);
			break;
		}
		bench_build_packet(&packets[i], (uint16_t)r, name, RRTYPE_A, edns, this_kind);
	}
}

static unsigned
bench_read_u16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* True when the response has the shape RFC 1034 4.3.2 gives this kind. */
static bool
bench_response_is_right(const struct bench_packet *query, const uint8_t *response, size_t length)
{
	unsigned rcode, ancount, nscount;
	bool authoritative;

	if (length < 12 || response[0] != query->bytes[0] || response[1] != query->bytes[1])
		return false;
	rcode = response[3] & 0x0f;
	authoritative = (response[2] & 0x04) != 0;
	ancount = bench_read_u16(response + 6);
	nscount = bench_read_u16(response + 8);
	switch (query->kind) {
	case KIND_A:
		return rcode == 0 && authoritative && ancount == 1;
	case KIND_NXDOMAIN:
		return rcode == RCODE_NXDOMAIN && authoritative && ancount == 0 && nscount == 1;
	default:
		/* RFC 1034 4.3.2 step 3b: referral, not authoritative, NS in authority. */
		return rcode == 0 && !authoritative && ancount == 0 && nscount == 2;
	}
}

static unsigned
bench_count_wrong(const struct zonedb *db, const struct bench_packet *packets, uint8_t *response)
{
	static const struct answer_settings settings;
	unsigned wrong = 0;

	for (unsigned i = 0; i < BENCH_QUERIES; i++) {
		struct answer_request request = {
			.query = packets[i].bytes,
			.query_length = packets[i].length,
			.transport = ANSWER_UDP,
		};
		size_t length = answer_query(db, &settings, &request,
			response, BENCH_RESPONSE_MAX, &bench_result);

		if (!bench_response_is_right(&packets[i], response, length)) {
			if (wrong == 0) {
				fprintf(stderr, "answer-bench: %s query %u: unexpected response "
					"(length %zu, flags %02x%02x, counts %u/%u/%u)\n",
					bench_kind_names[packets[i].kind], i, length,
					length >= 4 ? response[2] : 0, length >= 4 ? response[3] : 0,
					length >= 12 ? bench_read_u16(response + 6) : 0,
					length >= 12 ? bench_read_u16(response + 8) : 0,
					length >= 12 ? bench_read_u16(response + 10) : 0);
			}
			wrong++;
		}
	}
	return wrong;
}

static double
bench_elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

/*
 * Answers the packets in a cycle, for options->count queries or until
 * options->seconds have passed (the clock is read every 1024 queries).
 * Returns the number answered and the time taken in *seconds.
 */
static unsigned long
bench_run_loop(const struct zonedb *db, const struct bench_packet *packets,
	const struct bench_options *options, uint8_t *response, double *seconds)
{
	static const struct answer_settings settings;
	volatile size_t sink = 0;  /* keeps the calls from being optimised away */
	unsigned long done = 0;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		for (unsigned i = 0; i < 1024; i++) {
			const struct bench_packet *q = &packets[(done + i) % BENCH_QUERIES];

			struct answer_request request = {
				.query = q->bytes,
				.query_length = q->length,
				.transport = ANSWER_UDP,
			};
			sink += answer_query(db, &settings, &request,
				response, BENCH_RESPONSE_MAX, &bench_result);
			if (options->count > 0 && done + i + 1 == options->count) {
				done += i + 1;
				goto out;
			}
		}
		done += 1024;
		if (options->count == 0 && bench_elapsed(&start) >= options->seconds)
			break;
	}
out:
	*seconds = bench_elapsed(&start);
	(void)sink;
	return done;
}

static int
bench_parse_options(int argc, char **argv, struct bench_options *options)
{
	int option;

	options->names = 100000;
	options->seconds = 1.0;
	options->count = 0;
	options->only_kind = -1;
	options->edns = false;
	while ((option = getopt(argc, argv, "n:s:c:k:eh")) != -1) {
		switch (option) {
		case 'n':
			options->names = strtoul(optarg, NULL, 10);
			break;
		case 's':
			options->seconds = atof(optarg);
			break;
		case 'c':
			options->count = strtoul(optarg, NULL, 10);
			break;
		case 'k':
			for (int k = 0; k < KIND_COUNT; k++)
				if (strcmp(optarg, bench_kind_names[k]) == 0)
					options->only_kind = k;
			if (options->only_kind < 0)
				return -1;
			break;
		case 'e':
			options->edns = true;
			break;
		default:
			return -1;
		}
	}
	if (options->names < 100 || options->seconds <= 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct bench_packet packets[KIND_COUNT][BENCH_QUERIES];
	static uint8_t response[BENCH_RESPONSE_MAX];
	struct bench_options options;
	struct zonedb *db;
	double load_seconds;
	int status = 0;

	if (bench_parse_options(argc, argv, &options) != 0) {
		fprintf(stderr, "usage: answer-bench [-n NAMES] [-s SECONDS] [-c COUNT] "
			"[-k a|nxdomain|referral|mix] [-e]\n");
		return 2;
	}
	db = bench_load_zonedb(options.names, &load_seconds);
	if (db == NULL)
		return 1;
	printf("zone: %lu names, %zu records, loaded in %.2f s; %s queries%s\n", options.names,
		db->zones[0]->record_count, load_seconds,
		options.count > 0 ? "fixed count of" : "timed", options.edns ? " with EDNS" : "");
	printf("%-9s %12s %10s %8s\n", "kind", "queries/s", "ns/query", "wrong");
	for (int k = 0; k < KIND_COUNT; k++) {
		unsigned long done;
		unsigned wrong;
		double seconds;

		if (options.only_kind >= 0 && options.only_kind != k)
			continue;
		bench_build_queries(packets[k], (enum bench_kind)k, options.names, options.edns);
		wrong = bench_count_wrong(db, packets[k], response);
		if (wrong > 0)
			status = 1;
		done = bench_run_loop(db, packets[k], &options, response, &seconds);
		printf("%-9s %12.0f %10.1f %8u\n", bench_kind_names[k], done / seconds,
			seconds * 1e9 / done, wrong);
	}
	zonedb_free(db);
	return status;
}
