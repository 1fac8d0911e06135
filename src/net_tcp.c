/* net_tcp.c: placeholder, being written. */
