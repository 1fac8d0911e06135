/* check_zone_load.c: placeholder. */
#include "testlib.h"

int
main(void)
{
	return testlib_run(suite_create("zone_load"));
}
