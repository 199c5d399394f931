#pragma once
/*
 * A minimal GICv3 driver for the test guests, set up the way a small OS does
 * it (Arm IHI 0069H; Linux drivers/irqchip/irq-gic-v3.c for what a guest
 * touches): affinity routing, every interrupt in Group 1, the system-register
 * CPU interface with EOImode 0 (EOIR drops priority and deactivates).
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
 * Distributor: finds the "arm,gic-v3" node, turns on affinity routing and
 * Group 1.  0, or a negative libfdt error / -1 when the DT has no GICv3.
 */
int gic_init(void);
/*
 * This CPU: installs gic_vectors, wakes its redistributor (GICR_WAKER), puts
 * its SGIs/PPIs in Group 1, opens the CPU interface (SRE, PMR = GIC_PMR_OPEN,
 * BPR1 = 0, EOImode 0, IGRPEN1 = 1).  IRQs stay masked in PSTATE.  0, or -1
 * when no redistributor matches this CPU's MPIDR or it does not wake up.
 */
int gic_cpu_init(void);
uint64_t gic_dist_base(void);
/* This CPU's redistributor (RD_base), 0 before gic_cpu_init. */
uint64_t gic_redist_base(void);

/* SGIs and PPIs of this CPU (its redistributor's SGI_base frame). */
void gic_private_enable(uint32_t intid, uint8_t prio);
void gic_private_disable(uint32_t intid);
/* GICR_ISPENDR0 of this CPU: bit n = INTID n pending. */
uint32_t gic_private_pending(void);

/* An SPI: Group 1, priority, routed to @mpidr (GICD_IROUTER), enabled. */
void gic_spi_enable(uint32_t intid, uint8_t prio, uint64_t mpidr);
void gic_spi_disable(uint32_t intid);
/* GICD_ICFGR: edge-triggered or level-sensitive; set it while disabled. */
void gic_spi_set_edge(uint32_t intid, bool edge);

/* ICC_SGI1R_EL1: SGI @intid to the one CPU whose affinity is @mpidr. */
void gic_send_sgi(uint32_t intid, uint64_t mpidr);

void gic_set_pmr(uint8_t pmr);
uint32_t gic_ack(void);
void gic_eoi(uint32_t intid);

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
