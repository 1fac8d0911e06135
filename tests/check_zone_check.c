/* check_zone_check.c: placeholder. */
#include "testlib.h"

int
main(void)
{
	return testlib_run(suite_create("zone_check"));
}
