/* zone_load.c: placeholder, being written. */
