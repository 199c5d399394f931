#pragma once
/*
 * A minimal GIC driver for the test guests, GICv3 or GICv2 as the DT says,
 * set up the way a small OS does it:
 *   GICv3 (gic.c; Arm IHI 0069H, Linux drivers/irqchip/irq-gic-v3.c):
 *     affinity routing, every interrupt in Group 1, the system-register CPU
 *     interface;
 *   GICv2 (gic_v2.c; Arm IHI 0048B, Linux drivers/irqchip/irq-gic.c):
 *     distributor and memory-mapped CPU interface, every interrupt in
 *     Group 0 (the reset value), CPUs named by their interface mask.
 * Both with EOImode 0 (EOI drops priority and deactivates).
 *
 * Interrupts are taken through gic_vectors (gic_vectors.c): one interrupt is
 * acknowledged per IRQ exception, passed to the handler registered for its
 * INTID, then EOId.  Handlers run with IRQs masked (no nesting).
 */
#include <stdbool.h>
#include <stdint.h>

/* INTID ranges (IHI 0069H 2.2). */
#define GIC_NR_SGIS		16u
#define GIC_PPI_FIRST		16u
#define GIC_SPI_FIRST		32u
#define GIC_INTID_SPECIAL_FIRST	1020u	/* 1020-1023: no interrupt to handle */
/* The handler table covers SGIs, PPIs and the first 96 SPIs. */
#define GIC_HANDLED_INTIDS	128u

/* ICC_PMR_EL1 value that lets every priority used by the guests through. */
#define GIC_PMR_OPEN		0xf0u
/* Default priority of an interrupt the guests enable (mid-range). */
#define GIC_PRIO_DEFAULT	0xa0u

/* Called in IRQ context with the acknowledged INTID. */
typedef void gic_handler_fn(uint32_t intid);

/*
 * Distributor: finds the GIC node ("arm,gic-v3"; "arm,gic-400",
 * "arm,cortex-a15-gic" or "arm,cortex-a7-gic" for a GICv2) and turns it on
 * (v3: affinity routing and Group 1).  0, or a negative libfdt error / -1
 * when the DT has neither.
 */
int gic_init(void);
/*
 * This CPU: installs gic_vectors and opens its CPU interface (PMR =
 * GIC_PMR_OPEN, binary point 0, EOImode 0, interrupts on).  GICv3: wakes its
 * redistributor (GICR_WAKER), its SGIs/PPIs in Group 1, SRE.  GICv2: learns
 * its CPU interface mask from GICD_ITARGETSR0.  IRQs stay masked in PSTATE.
 * 0, or -1 when no redistributor matches this CPU's MPIDR or it does not
 * wake up (v3), or the mask reads 0 on a machine with several CPUs (v2).
 */
int gic_cpu_init(void);
/* 2 or 3 after gic_init, 0 before. */
unsigned int gic_version(void);
uint64_t gic_dist_base(void);
/* This CPU's redistributor RD_base (v3) or the CPU interface (v2); 0 before gic_cpu_init. */
uint64_t gic_cpu_base(void);

/* SGIs and PPIs of this CPU (its redistributor's SGI_base frame; v2: the banked GICD registers). */
void gic_private_enable(uint32_t intid, uint8_t prio);
void gic_private_disable(uint32_t intid);
/* GICR_ISPENDR0 (v2: GICD_ISPENDR0) of this CPU: bit n = INTID n pending. */
uint32_t gic_private_pending(void);

/* An SPI: priority, routed to @mpidr (v3: Group 1, GICD_IROUTER; v2: GICD_ITARGETSR), enabled. */
void gic_spi_enable(uint32_t intid, uint8_t prio, uint64_t mpidr);
void gic_spi_disable(uint32_t intid);
/* The steps of gic_spi_enable one by one: group (v3: Group 1) and priority;
 * the route (v3: GICD_IROUTER; v2: GICD_ITARGETSR, the interface number of
 * @mpidr's /cpus index if that CPU has not run gic_cpu_init); GICD_ISENABLER.  Then software pending state:
 * GICD_ISPENDR / GICD_ICPENDR. */
void gic_spi_prepare(uint32_t intid, uint8_t prio);
void gic_spi_route(uint32_t intid, uint64_t mpidr);
void gic_spi_unmask(uint32_t intid);
void gic_spi_pend(uint32_t intid);
void gic_spi_unpend(uint32_t intid);
/* The distributor's forwarding on or off (v3: GICD_CTLR.EnableGrp1, ARE stays
 * on; v2: GICD_CTLR.Enable). */
void gic_dist_group1(bool on);
/* GICD_ICFGR: edge-triggered or level-sensitive; set it while disabled. */
void gic_spi_set_edge(uint32_t intid, bool edge);

/*
 * SGI @intid to the one CPU whose affinity is @mpidr (v3: ICC_SGI1R_EL1;
 * v2: GICD_SGIR with the CPU interface mask that CPU reported in
 * gic_cpu_init, nothing sent before it did).
 */
void gic_send_sgi(uint32_t intid, uint64_t mpidr);

void gic_set_pmr(uint8_t pmr);
/*
 * Acknowledge: the IAR value, which gic_eoi() wants back unchanged (a GICv2
 * SGI's carries its source CPU, IHI 0048B 4.4.4); gic_iar_intid() is its
 * INTID.
 */
uint32_t gic_ack(void);
uint32_t gic_iar_intid(uint32_t iar);
void gic_eoi(uint32_t iar);

/* Handler registry, shared by every CPU.  NULL: counted as unexpected. */
void gic_set_handler(uint32_t intid, gic_handler_fn *fn);
/* Interrupts acknowledged with no handler, and the last such INTID. */
uint64_t gic_unexpected_count(void);
uint32_t gic_unexpected_last(void);
/* Sets VBAR_EL1 to gic_vectors on the calling CPU (done by gic_cpu_init). */
void gic_install_vectors(void);
/* Body of the IRQ vector: one acknowledge, dispatch, EOI. */
void gic_irq_dispatch(void);

/* The I bit of the msr daifset/daifclr immediate (D, A, I, F = 8, 4, 2, 1). */
#define DAIF_IMM_I		2

/* PSTATE.I clear: a pending IRQ is taken. */
static inline void irq_unmask(void)
{
	__asm__ volatile("msr daifclr, %0" : : "i"(DAIF_IMM_I) : "memory");
}

/* PSTATE.I set: IRQs stay pending. */
static inline void irq_mask(void)
{
	__asm__ volatile("msr daifset, %0" : : "i"(DAIF_IMM_I) : "memory");
}
