/* server.h: placeholder, being written. */
#ifndef ZONED_SERVER_H
#define ZONED_SERVER_H
#endif
