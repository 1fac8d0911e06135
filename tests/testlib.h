/* testlib.h: the one way every Check program runs its suite. */
#ifndef ZONED_TESTLIB_H
#define ZONED_TESTLIB_H

#include <check.h>

/*
 * Runs suite with CK_ENV verbosity and returns the process exit status:
 * non-zero when a check failed or when no check ran at all (a misspelled
 * case must not pass silently).
 */
int testlib_run(Suite *suite);

#endif
