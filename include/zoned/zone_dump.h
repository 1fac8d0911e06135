/* zone_dump.h: placeholder, being written. */
#ifndef ZONED_ZONE_DUMP_H
#define ZONED_ZONE_DUMP_H
#endif
