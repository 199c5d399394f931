#pragma once
/*
 * The physical GICv3 as the hypervisor uses it: its own SGI to kick a CPU
 * out of a guest, and the per-vCPU reset of the virtual CPU interface.
 * (Arm IHI 0069: GICD, GICR, ICC_*_EL1/EL2, ICH_*_EL2.)
 */
#include <stdint.h>

#include "gic_arch.h"

#define GIC_DT_SPI   0u   /* first cell of a GIC interrupt specifier */

/* The physical GIC's frames as the host DT gives them (version 0: none found). */
struct gic_host {
	unsigned int version;
	uint64_t gicd, gicd_size;
	uint64_t gicr, gicr_size;       /* v3: first redistributor region */
};
const struct gic_host *gic_host(void);

/* Set up the distributor described by host DT node @node (child of @parent). */
int gic_init_primary(const void *fdt, int node, int parent);
void gic_init_cpu(void);
/* Route SPI @intid to this CPU, group 1, enabled. */
void gic_enable_spi(uint32_t intid);
void gic_send_kick(unsigned int cpu);
/* Acknowledge one pending physical interrupt; returns its INTID or 1023. */
uint32_t gic_ack(void);
void gic_eoi(uint32_t intid);
void gic_deactivate(uint32_t intid);
/* Clear a virtual-timer interrupt left active by a vCPU that is gone. */
void gic_timer_deactivate(void);
void gic_vcpu_reset(void);
