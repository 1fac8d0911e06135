/* zone_dump.c: placeholder, being written. */
