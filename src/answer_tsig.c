/* answer_tsig.c: a signed query (RFC 8945) in the answer: verify it, sign or mark the response. */
#include <stddef.h>

#include "zoned/answer.h"
#include "zoned/query.h"
#include "zoned/tsig.h"

#include "answer_internal.h"

size_t
answer_tsig_verify(struct answer *answer, enum query_status *status)
{
	const struct query *query = answer->query;
	const struct answer_request *request = answer->request;
	struct tsig_request *verified = &answer->tsig_request;
	if (tsig_verify_request(answer->settings->tsig_keys, request->tsig, query->packet,
		    query->length, query->tsig_offset, request->now, verified) != 0) {
		/* RFC 8945 5.2.2.1: a malformed TSIG or MAC size is a FORMERR, unsigned. */
		*status = QUERY_FORMERR;
		return 0;
	}
	answer->tsig_error = verified->error;
	switch (verified->error) {
	case TSIG_NOERROR:
		answer->acl_key = verified->key->name;
		/* fall through */
	case TSIG_BADTIME:
		/* RFC 8945 5.3.2: a time error is signed, with the request's MAC. */
		answer->tsig_mode = ANSWER_TSIG_SIGN;
		tsig_sign_start(&answer->tsig, request->tsig, verified->key, verified->record.mac,
			verified->record.mac_length);
		if (verified->error == TSIG_BADTIME)
			tsig_sign_set_badtime(&answer->tsig, verified->record.time_signed);
		return tsig_sign_space(&answer->tsig);
	default:
		/* BADKEY, BADSIG: unsigned; the key or the MAC cannot be trusted. */
		answer->tsig_mode = ANSWER_TSIG_UNSIGNED_ERROR;
		return tsig_unsigned_error_space(&verified->record);
	}
}

size_t
answer_tsig_finish(struct answer *answer)
{
	struct wire *wire = &answer->wire;
	size_t length = 0;
	if (answer->tsig_mode == ANSWER_TSIG_SIGN)
		length = tsig_sign_next(&answer->tsig, wire->data, wire->length, wire->capacity,
			answer->request->now);
	else if (answer->tsig_mode == ANSWER_TSIG_UNSIGNED_ERROR)
		length = tsig_append_unsigned_error(&answer->tsig_request.record, answer->tsig_error,
			wire->data, wire->length, wire->capacity);
	return length != 0 ? length : wire->length;
}
