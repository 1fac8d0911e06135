/* net_udp.c: placeholder, being written. */
