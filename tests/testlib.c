/* testlib.c: run a Check suite and refuse an empty run. */
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"

int
testlib_run(Suite *suite)
{
	SRunner *runner = srunner_create(suite);
	srunner_run_all(runner, CK_ENV);
	int run = srunner_ntests_run(runner);
	int failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	if (run == 0) {
		fprintf(stderr, "no checks ran\n");
		return EXIT_FAILURE;
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
