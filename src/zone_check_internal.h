/*
 * zone_check_internal.h: what zone_check.c (per record) and zone_check_zone.c
 * (whole zone) share. Not for other modules.
 */
#ifndef ZONED_ZONE_CHECK_INTERNAL_H
#define ZONED_ZONE_CHECK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/rrtype.h"
#include "zoned/zone_check.h"

/* Presentation form of a name (dname_format(): no trailing dot, as BIND's dns_name_format). */
typedef char name_text[DNAME_MAX_LENGTH * 4 + 2];

/* The target name of NS, PTR, CNAME, DNAME, MX, RT, AFSDB, SRV, SVCB, HTTPS; else NULL. */
const uint8_t *zone_check_rdata_target(uint16_t type, const uint8_t *rdata, size_t rdata_length);

/* DIAG_ERROR for CHECK_FAIL, else DIAG_WARNING. */
enum diag_level zone_check_mode_level(enum check_mode mode);

#endif
