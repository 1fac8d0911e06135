/* error.c: text for the error codes of error.h. */
#include <errno.h>

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
	case ZONED_ECANCELED: return "cancelled";
	case ZONED_ENOENT: return "file not found";
	case ZONED_EACCES: return "permission denied";
	case ZONED_ENOTREG: return "not a regular file";
	case ZONED_ECHANGED: return "file changed while being read";
	case ZONED_EEMPTY: return "zone file is empty";
	}
	return "unknown error";
}

int
zoned_error_from_errno(int error)
{
	switch (error) {
	case ENOENT: return ZONED_ENOENT;
	case EACCES: case EPERM: return ZONED_EACCES;
	case ENOMEM: return ZONED_ENOMEM;
	}
	return ZONED_EIO;
}
