/* net.h: placeholder, being written. */
#ifndef ZONED_NET_H
#define ZONED_NET_H
#endif
