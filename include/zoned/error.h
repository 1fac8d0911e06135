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
	ZONED_ECANCELED = -10, /* a load was abandoned (SIGTERM) */
	ZONED_ENOENT = -11,    /* a file does not exist */
	ZONED_EACCES = -12,    /* a file may not be read */
	ZONED_ENOTREG = -13,   /* a "file" is a directory, FIFO or device */
	ZONED_ECHANGED = -14,  /* a file changed while it was being read */
	ZONED_EEMPTY = -15,    /* a zone file holds no record at all */
};

/* Returns a static, human-readable description of code. */
const char *zoned_strerror(int code);

/* Maps an errno value from open(2) or read(2) to a code (ZONED_EIO if none fits). */
int zoned_error_from_errno(int error);

#endif
