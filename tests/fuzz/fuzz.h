/*
 * fuzz.h: the fuzz targets' entry points. Each target is a plain function
 * so that the libFuzzer binaries (built with -DFUZZ_LIBFUZZER) and the
 * replay driver that make check runs share exactly the same code.
 */
#ifndef ZONED_FUZZ_H
#define ZONED_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct zonedb;

/* Each target returns 0; a violated invariant aborts with a message. */
int fuzz_answer_one(const uint8_t *data, size_t size);
int fuzz_zone_load_one(const uint8_t *data, size_t size);
int fuzz_config_one(const uint8_t *data, size_t size);
int fuzz_tcp_stream_one(const uint8_t *data, size_t size);
int fuzz_rrl_one(const uint8_t *data, size_t size);
int fuzz_notify_one(const uint8_t *data, size_t size);
int fuzz_control_one(const uint8_t *data, size_t size);
int fuzz_xfr_request_one(const uint8_t *data, size_t size);
int fuzz_xfr_in_one(const uint8_t *data, size_t size);
int fuzz_zone_chunks_one(const uint8_t *data, size_t size);

/* Frees the incoming transfer target's base zone (replay calls it at exit). */
void fuzz_xfr_in_cleanup(void);

/* Frees the rate-limit target's table (replay calls it at exit). */
void fuzz_rrl_cleanup(void);

/* Frees the transfer target's settings and HMAC contexts (replay calls it at exit). */
void fuzz_xfr_request_cleanup(void);

/* Closes the TCP target's listener and event base (replay calls it at exit). */
void fuzz_tcp_stream_cleanup(void);

/*
 * The fixture zone set (wildcards, delegations, CNAME and DNAME chains,
 * large RRsets), loaded once and kept for the life of the process.
 * Aborts when the fixture does not load.
 */
const struct zonedb *fuzz_fixture_zonedb(void);

/* Frees the fixture (replay calls it at exit so leak checkers stay quiet). */
void fuzz_fixture_free(void);

/*
 * Checks that response (length octets) is a well-formed DNS message that
 * answers query: same ID, QR set, at most one question, names with
 * backward-only compression pointers, RR lengths inside the message, at
 * most one OPT (root owner, additional section), nothing left over, no
 * records in a FORMERR. limit is the most the transport allowed; over UDP
 * a response without OPT must also fit in 512 octets. Returns NULL when it
 * is, else a static description of the first problem.
 */
const char *fuzz_check_response(const uint8_t *query, size_t query_length,
	const uint8_t *response, size_t length, size_t limit, int udp);

/* Prints what and aborts: libFuzzer and the replay driver report it. */
void fuzz_fail(const char *target, const char *what) __attribute__((noreturn));

/*
 * An exactly sized copy of data (no terminating NUL: the code under test
 * must honour size); aborts for target when out of memory. The caller
 * frees it.
 */
void *fuzz_copy_input(const char *target, const uint8_t *data, size_t size);

/*
 * A loader's contract: what (a "zone", a "config") exists exactly when
 * status is 0, and a failure reports at least one error, except one with
 * enomem_status (0: no exception). Aborts for target otherwise.
 */
void fuzz_check_load_result(const char *target, const char *what, int status, const void *loaded,
	unsigned long errors, int enomem_status);

/* True when text (size octets) names a device or kernel file we must not read. */
int fuzz_names_special_file(const uint8_t *data, size_t size);

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#define FUZZ_ENTRY(function) \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) \
	{ \
		return function(data, size); \
	}
#else
#define FUZZ_ENTRY(function)
#endif

#endif
