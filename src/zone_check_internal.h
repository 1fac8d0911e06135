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
#include "zoned/zone_check.h"

#define TYPE_A 1
#define TYPE_NS 2
#define TYPE_CNAME 5
#define TYPE_SOA 6
#define TYPE_WKS 11
#define TYPE_PTR 12
#define TYPE_MINFO 14
#define TYPE_MX 15
#define TYPE_TXT 16
#define TYPE_RP 17
#define TYPE_AFSDB 18
#define TYPE_RT 21
#define TYPE_KEY 25
#define TYPE_AAAA 28
#define TYPE_NXT 30
#define TYPE_SRV 33
#define TYPE_A6 38
#define TYPE_DNAME 39
#define TYPE_RRSIG 46
#define TYPE_NSEC 47
#define TYPE_NSEC3 50
#define TYPE_SVCB 64
#define TYPE_HTTPS 65
#define TYPE_SPF 99

#define CLASS_IN 1

/* Presentation form of a name without the trailing dot, as BIND's dns_name_format. */
typedef char name_text[DNAME_MAX_LENGTH * 4 + 2];

/* Writes name as BIND's dns_name_format() does: no trailing dot but for the root. */
void zone_check_name_format(const uint8_t *name, name_text out);

/* The uncompressed name at rdata[offset], or NULL when none fits in the rdata. */
const uint8_t *zone_check_rdata_name(const uint8_t *rdata, size_t rdata_length, size_t offset);

/* The target name of NS, PTR, CNAME, DNAME, MX, RT, AFSDB, SRV, SVCB, HTTPS; else NULL. */
const uint8_t *zone_check_rdata_target(uint16_t type, const uint8_t *rdata, size_t rdata_length);

/* DIAG_ERROR for CHECK_FAIL, else DIAG_WARNING. */
enum diag_level zone_check_mode_level(enum check_mode mode);

#endif
