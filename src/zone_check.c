/* zone_check.c: placeholder, being written. */
