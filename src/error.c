/* error.c: text for the error codes of error.h. */
#include "zoned/error.h"

const char *
zoned_strerror(int code)
{
	switch (code) {
	case ZONED_OK: return "success";
	case ZONED_ENOMEM: return "out of memory";
	case ZONED_EINVAL: return "invalid argument";
	case ZONED_EIO: return "input/output error";
	case ZONED_ESYNTAX: return "syntax error";
	case ZONED_EZONE: return "zone failed its checks";
	case ZONED_ELIMIT: return "limit exceeded";
	case ZONED_ENOTFOUND: return "not found";
	case ZONED_ESPACE: return "no space left in buffer";
	case ZONED_EEXIST: return "already exists";
	}
	return "unknown error";
}
