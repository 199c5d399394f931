#pragma once
/*
 * The two physical GIC drivers behind include/gic.h (gic/gic.c picks one
 * from the host DT).  Each fills gic_hw (gic.h) with the frames it read.
 */
#include <stdint.h>

#include "gic.h"

int gic_v3_init_primary(const void *fdt, int node, int parent);
void gic_v3_init_cpu(void);
void gic_v3_enable_spi(uint32_t intid);
void gic_v3_timer_deactivate(void);
void gic_v3_spi_route(uint32_t intid, unsigned int cpu);

/* @compatible: the string that matched, for messages. */
int gic_v2_init_primary(const void *fdt, int node, int parent, const char *compatible);
void gic_v2_init_cpu(void);
void gic_v2_enable_spi(uint32_t intid);
void gic_v2_timer_deactivate(void);
void gic_v2_spi_route(uint32_t intid, unsigned int cpu);
/* GICD_IGROUPR: the hypervisor's own group for @intid (Group 1 without Security Extensions). */
void gic_v2_spi_group(uint32_t intid);
