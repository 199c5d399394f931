/*
 * The GICv2 part of the test guests' GIC driver (gic.h), set up the way
 * Linux's irq-gic.c does it (Arm IHI 0048B 4.3, 4.4): the distributor
 * enabled with every interrupt left in Group 0, the CPU interface enabled
 * with GICC_CTLR bit 0 (EnableGrp0 without the Security Extensions, and
 * what a GICV, the CPU interface a hypervisor gives, implements); EOImode
 * 0.  A CPU is named by its CPU interface mask, which each CPU reads from
 * GICD_ITARGETSR0 (4.3.12: those bytes read as the reading CPU's mask) and
 * records here against its MPIDR, for GICD_ITARGETSR and GICD_SGIR.
 */
#include "gic.h"
#include "gic_internal.h"
#include "guest.h"

#define GICD_CTLR_ENABLE	1u		/* Enable (EnableGrp0) */
#define GICD_ITARGETSR		0x0800		/* one byte of CPU targets per INTID */
#define GICD_SGIR		0x0f00
#define SGIR_TARGETS_SHIFT	16		/* CPUTargetList; TargetListFilter 0: the list */
#define GICC_CTLR_ENABLE	1u		/* EnableGrp0 (Enable in a GIC without groups) */
#define GICC_BPR_NONE		0u		/* as small as implemented: no preemption grouping */
#define GIC_V2_MAX_CPUS		8u		/* CPU interfaces a GICv2 has */

/* Each CPU's interface mask by MPIDR, filled by that CPU in gic_v2_cpu_init. */
static struct {
	uint64_t mpidr;
	volatile uint8_t mask;
} cpu_if[GIC_V2_MAX_CPUS];

static uint64_t gicd, gicc;

int gic_v2_init(int node, uint64_t *dist)
{
	uint64_t size;
	int err = dt_reg(node, 0, &gicd, &size);
	if (err == 0)
		err = dt_reg(node, 1, &gicc, &size);
	if (err != 0)
		return err;
	*dist = gicd;
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ENABLE);
	return 0;
}

/* This CPU's slot: its /cpus index, which no other CPU shares. */
static int cpu_slot(uint64_t mpidr)
{
	for (int i = 0; i < dt_cpu_count() && i < (int)GIC_V2_MAX_CPUS; i++) {
		uint64_t m;
		if (dt_cpu_mpidr(i, &m) == 0 && m == mpidr)
			return i;
	}
	return -1;
}

int gic_v2_cpu_init(void)
{
	uint64_t mpidr = guest_read_mpidr();
	uint8_t mask = mmio_read8(gicd + GICD_ITARGETSR);
	int slot = cpu_slot(mpidr);
	gic_set_cpu_base(gicc);
	if (slot < 0 || (mask == 0 && dt_cpu_count() > 1))
		return -1;
	cpu_if[slot].mpidr = mpidr;
	cpu_if[slot].mask = mask;
	/*
	 * No interrupt is active when the CPU interface is (re)initialised:
	 * zeros are the value the spec allows software to write (4.4.13).  A
	 * stale active priority would mask every interrupt from then on.
	 */
	mmio_write32(gicc + GICC_APR0, 0);
	mmio_write32(gicc + GICC_PMR, GIC_PMR_OPEN);
	mmio_write32(gicc + GICC_BPR, GICC_BPR_NONE);
	mmio_write32(gicc + GICC_CTLR, GICC_CTLR_ENABLE);       /* EOImode 0 */
	return 0;
}

/* The interface mask @mpidr's CPU reported; 0 if it has not run gic_cpu_init. */
static uint8_t cpu_mask_of(uint64_t mpidr)
{
	for (unsigned int i = 0; i < GIC_V2_MAX_CPUS; i++)
		if (cpu_if[i].mask != 0 && cpu_if[i].mpidr == mpidr)
			return cpu_if[i].mask;
	return 0;
}

void gic_v2_spi_enable(uint32_t intid, uint8_t prio, uint64_t mpidr)
{
	mmio_write8(gicd + GICD_IPRIORITYR + intid, prio);
	mmio_write8(gicd + GICD_ITARGETSR + intid, cpu_mask_of(mpidr));
	mmio_write32(gicd + gic_bank_reg(GICD_ISENABLER, intid), gic_bank_bit(intid));
}

/*
 * A CPU that has not run gic_cpu_init yet is taken to have the interface
 * number of its /cpus index, as on QEMU virt and in Tessera's partitions.
 */
void gic_v2_spi_route(uint32_t intid, uint64_t mpidr)
{
	uint8_t mask = cpu_mask_of(mpidr);
	int slot = cpu_slot(mpidr);
	if (mask == 0 && slot >= 0)
		mask = (uint8_t)(1u << slot);
	mmio_write8(gicd + GICD_ITARGETSR + intid, mask);
}

void gic_v2_dist_enable(bool on)
{
	mmio_write32(gicd + GICD_CTLR, on ? GICD_CTLR_ENABLE : 0);
}

void gic_v2_send_sgi(uint32_t intid, uint64_t mpidr)
{
	guest_dsb();            /* what the SGI announces is visible before it */
	mmio_write32(gicd + GICD_SGIR, (uint32_t)cpu_mask_of(mpidr) << SGIR_TARGETS_SHIFT | intid);
}
