/* zonedb.c: placeholder, being written. */
