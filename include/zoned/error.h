/* error.h: the one set of error codes every module returns. */
#ifndef ZONED_ERROR_H
#define ZONED_ERROR_H

/* Functions return 0 (ZONED_OK) on success or one of these negative codes. */
enum zoned_error {
	ZONED_OK = 0,
	ZONED_ENOMEM = -1,     /* allocation failed */
	ZONED_EINVAL = -2,     /* bad argument or malformed input */
	ZONED_EIO = -3,        /* a file could not be opened or read */
	ZONED_ESYNTAX = -4,    /* zone or config text did not parse */
	ZONED_EZONE = -5,      /* zone failed its semantic checks */
	ZONED_ELIMIT = -6,     /* a configured size or count limit was hit */
	ZONED_ENOTFOUND = -7,  /* looked-up item does not exist */
	ZONED_ESPACE = -8,     /* output buffer too small */
	ZONED_EEXIST = -9,     /* item already exists */
};

/* Returns a static, human-readable description of code. */
const char *zoned_strerror(int code);

#endif
