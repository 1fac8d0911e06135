/*
 * fuzz_xfr_request.c: zone transfer requests (AXFR, RFC 5936; IXFR with the
 * client's SOA in the authority section, RFC 1995; signed or not, RFC 8945)
 * through answer_query() with allow-transfer open to the fixture client by
 * address, and to the key fuzz-key only, over TCP and UDP; a transfer is
 * then streamed to its end with answer_stream_start_axfr/_sign/_next into
 * 16 KiB and 512-octet messages. Every message must be well formed and,
 * when the request was signed, verify with the key chained from the
 * request's MAC (RFC 8945 5.3.1); UDP never starts a transfer; with
 * transfers-out reached (transfers_exhausted) the answer is SERVFAIL.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "zoned/answer.h"
#include "zoned/answer_stream.h"
#include "zoned/config.h"
#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/tsig.h"

#define XFR_FUZZ_NOW 1700000000u     /* make_seeds.py signs seeds at this time */
#define XFR_FUZZ_TCP_LIMIT 65535
#define XFR_FUZZ_MAX_MESSAGES 10000  /* the fixture zones take a handful */

/* One allow-transfer setting, from a config text (the config's keys: fuzz-key). */
struct xfr_fuzz_setting {
	const char *text;
	struct config *config;
	struct tsig_keyring keys;
	struct answer_settings settings;
};

static struct xfr_fuzz_setting xfr_fuzz_settings[] = {
	{ "key \"fuzz-key\" { algorithm hmac-sha256; secret \"ZnV6eiB0c2lnIHNlY3JldA==\"; };\n"
	  "options { allow-transfer { 192.0.2.1; }; };\n", NULL, {0}, {0} },
	{ "key \"fuzz-key\" { algorithm hmac-sha256; secret \"ZnV6eiB0c2lnIHNlY3JldA==\"; };\n"
	  "options { allow-transfer { key \"fuzz-key\"; }; };\n", NULL, {0}, {0} },
};
#define XFR_FUZZ_SETTING_COUNT (sizeof xfr_fuzz_settings / sizeof xfr_fuzz_settings[0])

static struct tsig_context *xfr_fuzz_sign_context;
static struct tsig_context *xfr_fuzz_verify_context;

static const struct sockaddr *
xfr_fuzz_client(void)
{
	static struct sockaddr_in client;
	client.sin_family = AF_INET;
	client.sin_addr.s_addr = htonl(0xc0000201);   /* 192.0.2.1 */
	client.sin_port = htons(5353);
	return (const struct sockaddr *)&client;
}

/* Loads the settings and the HMAC contexts once (reachable until exit). */
static void
xfr_fuzz_setup(void)
{
	if (xfr_fuzz_sign_context != NULL)
		return;
	for (size_t i = 0; i < XFR_FUZZ_SETTING_COUNT; i++) {
		struct xfr_fuzz_setting *s = &xfr_fuzz_settings[i];
		struct diag d = {0};
		if (config_load_text(s->text, strlen(s->text), "xfr.conf", &d, &s->config) != 0
			|| tsig_keyring_init(&s->keys, s->config->keys, s->config->key_count) != 0)
			fuzz_fail("xfr_request", "the settings do not load");
		s->settings.edns_size = 1232;
		s->settings.tsig_keys = &s->keys;
		s->settings.allow_transfer = s->config->allow_transfer;
	}
	xfr_fuzz_sign_context = tsig_context_create();
	xfr_fuzz_verify_context = tsig_context_create();
	if (xfr_fuzz_sign_context == NULL || xfr_fuzz_verify_context == NULL)
		fuzz_fail("xfr_request", "out of memory");
}

/* Answers into an exactly sized heap buffer so ASan sees any overrun. */
static size_t
xfr_fuzz_answer(const struct xfr_fuzz_setting *s, const struct answer_request *request,
	uint8_t **out, struct answer_result *result)
{
	uint8_t *response = malloc(XFR_FUZZ_TCP_LIMIT);
	if (response == NULL)
		fuzz_fail("xfr_request", "out of memory");
	size_t n = answer_query(fuzz_fixture_zonedb(), &s->settings, request, response,
		XFR_FUZZ_TCP_LIMIT, result);
	if (n > XFR_FUZZ_TCP_LIMIT)
		fuzz_fail("xfr_request", "answer_query returned more than the buffer holds");
	if (n > 0) {
		const char *problem = fuzz_check_response(request->query, request->query_length,
			response, n, XFR_FUZZ_TCP_LIMIT, request->transport == ANSWER_UDP);
		if (problem != NULL)
			fuzz_fail("xfr_request", problem);
	}
	*out = response;
	return n;
}

/*
 * Streams the transfer result allows for request into messages of size
 * octets (exactly sized heap buffers) to its end: each well formed, each
 * verified when signed, SOA counted at least twice in all. A record that
 * does not fit into an empty message of size octets (ZONED_ESPACE) may end
 * a small-message stream; nothing else may.
 */
static void
xfr_fuzz_stream(const struct answer_request *request, const struct answer_result *result,
	const struct answer_settings *settings, size_t size)
{
	struct answer_stream stream;
	if (answer_stream_start_axfr(&stream, result->zone, request, settings) != 0)
		fuzz_fail("xfr_request", "a transfer answer_query allowed does not start");
	struct tsig_verifier verifier;
	if (result->tsig_key != NULL) {
		if (answer_stream_sign(&stream, xfr_fuzz_sign_context, result->tsig_key,
			    result->tsig_request_mac, result->tsig_request_mac_length) != 0)
			fuzz_fail("xfr_request", "a stream of a verified request cannot be signed");
		struct tsig_state request_state = {
			.key = result->tsig_key,
			.prior_mac_length = result->tsig_request_mac_length,
		};
		memcpy(request_state.prior_mac, result->tsig_request_mac,
			result->tsig_request_mac_length);
		tsig_verify_start(&verifier, xfr_fuzz_verify_context, &request_state);
	}
	int rc = ANSWER_STREAM_MORE;
	unsigned messages = 0;
	while (rc == ANSWER_STREAM_MORE) {
		if (++messages > XFR_FUZZ_MAX_MESSAGES)
			fuzz_fail("xfr_request", "the stream does not end");
		uint8_t *message = malloc(size);
		if (message == NULL)
			fuzz_fail("xfr_request", "out of memory");
		size_t length = 0;
		rc = answer_stream_next(&stream, message, size, &length, XFR_FUZZ_NOW);
		if (rc >= 0) {
			if (length > size || length == 0)
				fuzz_fail("xfr_request", "a message longer than its buffer, or empty");
			const char *problem = fuzz_check_response(request->query,
				request->query_length, message, length, size, 0);
			if (problem != NULL)
				fuzz_fail("xfr_request", problem);
			if (result->tsig_key != NULL && tsig_verify_next(&verifier, message, length,
				XFR_FUZZ_NOW) != TSIG_NOERROR)
				fuzz_fail("xfr_request", "a message of a signed stream does not verify");
		}
		free(message);
	}
	if (rc < 0 && !(rc == ZONED_ESPACE && size < XFR_FUZZ_TCP_LIMIT))
		fuzz_fail("xfr_request", "the stream failed");
	if (rc == ANSWER_STREAM_DONE && stream.record_count < 2)
		fuzz_fail("xfr_request", "a transfer without its two SOA records");
	answer_stream_finish(&stream);
}

/* One setting: TCP (streamed when allowed), UDP, and with transfers-out reached. */
static void
xfr_fuzz_setting_run(const struct xfr_fuzz_setting *s, const uint8_t *query, size_t size)
{
	struct answer_request request = {
		.query = query,
		.query_length = size,
		.transport = ANSWER_TCP,
		.client = xfr_fuzz_client(),
		.now = XFR_FUZZ_NOW,
		.tsig = xfr_fuzz_sign_context,
	};
	struct answer_result result;
	uint8_t *response = NULL;
	size_t n = xfr_fuzz_answer(s, &request, &response, &result);
	free(response);
	bool transfer = result.kind == ANSWER_KIND_TRANSFER;
	if (transfer) {
		if (n != 0 || result.zone == NULL)
			fuzz_fail("xfr_request", "a transfer with a response or without a zone");
		xfr_fuzz_stream(&request, &result, &s->settings, 16384);
		xfr_fuzz_stream(&request, &result, &s->settings, 512);
	}
	request.transfers_exhausted = true;
	n = xfr_fuzz_answer(s, &request, &response, &result);
	free(response);
	if (result.kind == ANSWER_KIND_TRANSFER || (transfer && result.rcode != 2))
		fuzz_fail("xfr_request", "transfers-out reached, and still not SERVFAIL");
	request.transfers_exhausted = false;
	request.transport = ANSWER_UDP;
	n = xfr_fuzz_answer(s, &request, &response, &result);
	free(response);
	if (result.kind == ANSWER_KIND_TRANSFER)
		fuzz_fail("xfr_request", "a transfer started over UDP");
}

int
fuzz_xfr_request_one(const uint8_t *data, size_t size)
{
	xfr_fuzz_setup();
	uint8_t *query = fuzz_copy_input("xfr_request", data, size);
	for (size_t i = 0; i < XFR_FUZZ_SETTING_COUNT; i++)
		xfr_fuzz_setting_run(&xfr_fuzz_settings[i], query, size);
	free(query);
	return 0;
}

/* Frees the settings and contexts (replay calls it at exit). */
void
fuzz_xfr_request_cleanup(void)
{
	for (size_t i = 0; i < XFR_FUZZ_SETTING_COUNT; i++) {
		tsig_keyring_free(&xfr_fuzz_settings[i].keys);
		config_free(xfr_fuzz_settings[i].config);
		xfr_fuzz_settings[i].config = NULL;
	}
	tsig_context_free(xfr_fuzz_sign_context);
	tsig_context_free(xfr_fuzz_verify_context);
	xfr_fuzz_sign_context = xfr_fuzz_verify_context = NULL;
}

FUZZ_ENTRY(fuzz_xfr_request_one)
