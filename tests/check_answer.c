/* check_answer.c: placeholder. */
#include "testlib.h"

int
main(void)
{
	return testlib_run(suite_create("answer"));
}
