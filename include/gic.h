#pragma once
/*
 * The physical GIC as the hypervisor uses it, GICv3 (gic/gic_v3.c, system
 * registers) or GICv2 with the virtualization extensions (gic/gic_v2.c,
 * memory-mapped GICC and GICH), chosen from the host DT by
 * gic_init_primary(): acknowledging and ending interrupts at EL2, its own
 * SGI to kick a CPU out of a guest, routing a device SPI to this CPU.
 * (Arm IHI 0069H; IHI 0048B for GICv2.)
 */
#include <stdbool.h>
#include <stdint.h>

#include "gic_arch.h"
#include "sysreg.h"

#define GIC_DT_SPI   0u   /* first cell of a GIC interrupt specifier */
#define GIC_DT_PPI   1u

/* The physical GIC's frames as the host DT gives them (version 0: none found). */
struct gic_host {
	unsigned int version;           /* 2 or 3 */
	uint64_t gicd, gicd_size;
	uint64_t gicr, gicr_size;       /* v3: first redistributor region */
	uint64_t gicc, gicc_size;       /* v2: CPU interface */
	uint64_t gich, gich_size;       /* v2: virtual interface control */
	uint64_t gicv, gicv_size;       /* v2: virtual CPU interface, what guests map */
	uint32_t maint_intid;           /* maintenance interrupt (the node's `interrupts`) */
};
/* Written once by gic_init_primary() on the boot CPU, before the others start; read-only after. */
extern struct gic_host gic_hw;

static inline const struct gic_host *gic_host(void)
{
	return &gic_hw;
}

/*
 * True on a GICv2 host.  Written once by gic_init_primary() on the boot CPU
 * before any other CPU starts (their start is the release), read-only after.
 */
extern bool gic_is_v2;

/*
 * Set up the distributor described by host DT node @node (child of
 * @parent): "arm,gic-v3", or a GICv2 with the virtualization extensions
 * ("arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a7-gic").  0, or a
 * negative TS_E* after printing why the GIC cannot be used.
 */
int gic_init_primary(const void *fdt, int node, int parent);
void gic_init_cpu(void);
/* Route SPI @intid to this CPU, enabled (group 1 on v3). */
void gic_enable_spi(uint32_t intid);

/*
 * Passed-through SPIs (core/passthrough.c, vgic/): distributor registers
 * of the same shape on both versions (IHI 0069H 12.9, IHI 0048B 4.3), but
 * for the route: GICD_IROUTER on v3, GICD_ITARGETSR on v2.
 */
/* Deliver SPI @intid to logical CPU @cpu. */
void gic_spi_route(uint32_t intid, unsigned int cpu);
/* The hypervisor's group (as gic_enable_spi), edge-triggered or level-sensitive (GICD_ICFGR); while disabled. */
void gic_spi_configure(uint32_t intid, bool edge);
/* Enable or disable; on v3 disabling waits until the distributor has done it (RWP). */
void gic_spi_set_enabled(uint32_t intid, bool on);
/* Clear its pending and active state (GICD_ICPENDR, GICD_ICACTIVER). */
void gic_spi_clear(uint32_t intid);
/* Clear its active state only: a guest dropped it without an EOI. */
void gic_spi_deactivate(uint32_t intid);
/* Make it pending (GICD_ISPENDR): a guest asked for it through its own distributor. */
void gic_spi_set_pending(uint32_t intid);
struct gic_spi_state {
	bool enabled, pending, active;
};
struct gic_spi_state gic_spi_state(uint32_t intid);
/* Clear a virtual-timer interrupt left active by a vCPU that is gone. */
void gic_timer_deactivate(void);
/* Clear this CPU's list registers and virtual CPU interface (a vCPU starts). */
void gic_vcpu_reset(void);

/* The drivers' side of the calls below (gic/gic_v2.c, gic/gic_v3.c). */
uint32_t gic_v2_ack(void);
void gic_v2_eoi(uint32_t intid);
void gic_v2_deactivate(uint32_t intid);
void gic_v2_send_kick(unsigned int cpu);
void gic_v3_send_kick(unsigned int cpu);

/* SGI 0 to logical CPU @cpu: look at your requests and pending virtual interrupts. */
static inline void gic_send_kick(unsigned int cpu)
{
	if (gic_is_v2)
		gic_v2_send_kick(cpu);
	else
		gic_v3_send_kick(cpu);
}

/*
 * Acknowledge one pending physical interrupt; returns its INTID (1020-1023:
 * none).  Inline: the timer's exit path takes it on every tick, and a GICv3
 * host pays one test for GICv2's existence, no call.  The _on forms take
 * the version from a caller that has read gic_is_v2 once for several calls
 * (the IRQ exit's fast path, core/trap.c).
 */
static inline uint32_t gic_ack_on(bool v2)
{
	if (v2)
		return gic_v2_ack();
	return (uint32_t)sysreg_read(icc_iar1_el1);
}

static inline uint32_t gic_ack(void)
{
	return gic_ack_on(gic_is_v2);
}

/* Priority drop only: EOImode 1 on both versions (deactivation is separate). */
static inline void gic_eoi_on(bool v2, uint32_t intid)
{
	if (v2) {
		gic_v2_eoi(intid);
		return;
	}
	sysreg_write(icc_eoir1_el1, intid);
	isb();
}

static inline void gic_eoi(uint32_t intid)
{
	gic_eoi_on(gic_is_v2, intid);
}

static inline void gic_deactivate(uint32_t intid)
{
	if (intid == GIC_INTID_SPURIOUS)
		return;
	if (gic_is_v2) {
		gic_v2_deactivate(intid);
		return;
	}
	sysreg_write(icc_dir_el1, intid);
	isb();
}
