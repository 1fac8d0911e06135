/* query.h: placeholder, being written. */
#ifndef ZONED_QUERY_H
#define ZONED_QUERY_H
#endif
