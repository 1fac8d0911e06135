/* check_dname.c: placeholder. */
#include "testlib.h"

int
main(void)
{
	return testlib_run(suite_create("dname"));
}
