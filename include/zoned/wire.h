/* wire.h: placeholder, being written. */
#ifndef ZONED_WIRE_H
#define ZONED_WIRE_H
#endif
