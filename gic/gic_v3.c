/*
 * Physical GICv3 set-up: distributor with affinity routing, this CPU's
 * redistributor awake with SGI 0 enabled, the system-register CPU interface
 * at EL2.  (Arm IHI 0069H: 12.9 GICD_CTLR, 12.11 GICR_WAKER/GICR_TYPER,
 * 12.2 ICC_SGI1R_EL1.)
 */
#include <libfdt.h>

#include "console.h"
#include "dtreg.h"
#include "gic_internal.h"
#include "io.h"
#include "pcpu.h"
#include "sysreg.h"
#include "tserr.h"

/* Registers only the physical driver touches (IHI 0069H 12.11). */
#define GICR_IGROUPR0          0x0080
#define GICR_ISENABLER0        0x0100
#define GICR_ICACTIVER0        0x0380

#define ICC_SRE_SRE            BIT64(0)
#define ICC_SRE_ENABLE         BIT64(3)     /* EL1 may use ICC_SRE_EL1 */
#define ICC_PMR_ALL            0xFFu
#define ICC_CTLR_EOIMODE       BIT64(1)     /* EOIR drops priority; DIR deactivates */
#define ICC_IGRPEN1_ON         1u

int gic_v3_init_primary(const void *fdt, int node, int parent)
{
	if (dt_reg(fdt, node, parent, 0, &gic_hw.gicd, &gic_hw.gicd_size) ||
	    dt_reg(fdt, node, parent, 1, &gic_hw.gicr, &gic_hw.gicr_size)) {
		log_line("gic: arm,gic-v3 needs reg entries for the distributor and redistributors");
		return -TS_EINVAL;
	}
	gic_hw.version = 3;
	mmio_write32(gic_hw.gicd + GICD_CTLR, (uint32_t)(GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1A));
	while (mmio_read32(gic_hw.gicd + GICD_CTLR) & GICD_CTLR_RWP)
		;
	return 0;
}

void gic_v3_enable_spi(uint32_t intid)
{
	uint64_t aff = sysreg_read(mpidr_el1);
	uint64_t route = field_get(MPIDR_AFF0, aff) | field_get(MPIDR_AFF1, aff) << 8 |
			 field_get(MPIDR_AFF2, aff) << 16 | field_get(MPIDR_AFF3, aff) << 32;
	mmio_write64(gic_hw.gicd + GICD_IROUTER + 8 * intid, route);
	uint64_t group = gic_hw.gicd + GICD_BANK_REG(GICD_IGROUPR, intid);
	mmio_write32(group, mmio_read32(group) | GICD_BANK_BIT(intid));
	mmio_write32(gic_hw.gicd + GICD_BANK_REG(GICD_ISENABLER, intid), GICD_BANK_BIT(intid));
}

/* GICD_IROUTER<n>: to the PE with @cpu's affinity, Interrupt_Routing_Mode 0 (IHI 0069H 12.9.22). */
void gic_v3_spi_route(uint32_t intid, unsigned int cpu)
{
	uint64_t aff = pcpus[cpu].mpidr;
	uint64_t route = field_get(MPIDR_AFF0, aff) | field_get(MPIDR_AFF1, aff) << 8 |
			 field_get(MPIDR_AFF2, aff) << 16 | field_get(MPIDR_AFF3, aff) << 32;
	mmio_write64(gic_hw.gicd + GICD_IROUTER + 8 * intid, route);
}

static uint64_t gicr_find_this_cpu(void)
{
	uint64_t aff = sysreg_read(mpidr_el1);
	uint32_t want = (uint32_t)(field_get(MPIDR_AFF0, aff) | field_get(MPIDR_AFF1, aff) << 8 |
				   field_get(MPIDR_AFF2, aff) << 16 | field_get(MPIDR_AFF3, aff) << 24);
	for (uint64_t f = gic_hw.gicr;; f += GICR_FRAME_STRIDE) {
		uint64_t typer = mmio_read64(f + GICR_TYPER);
		if (field_get(GICR_TYPER_AFF, typer) == want)
			return f;
		if (typer & GICR_TYPER_LAST)
			return 0;
	}
}

void gic_v3_init_cpu(void)
{
	uint64_t rd = gicr_find_this_cpu();
	if (!rd) {
		log_line("gic: no redistributor for this CPU");
		return;
	}
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~(uint32_t)GICR_WAKER_SLEEP);
	while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP)
		;
	uint64_t sgi = rd + GICR_SGI_BASE;
	uint32_t mine = 1u << GIC_SGI_KICK | 1u << gic_hw.maint_intid | 1u << GIC_PPI_VTIMER;
	mmio_write32(sgi + GICR_IGROUPR0, mmio_read32(sgi + GICR_IGROUPR0) | mine);
	mmio_write32(sgi + GICR_ISENABLER0, mine);
	sysreg_write(icc_sre_el2, ICC_SRE_SRE | ICC_SRE_ENABLE);
	isb();
	sysreg_write(icc_pmr_el1, ICC_PMR_ALL);
	sysreg_write(icc_ctlr_el1, ICC_CTLR_EOIMODE);
	sysreg_write(icc_igrpen1_el1, ICC_IGRPEN1_ON);
	isb();
}

void gic_v3_send_kick(unsigned int cpu)
{
	uint64_t mpidr = pcpus[cpu].mpidr;
	uint64_t aff0 = field_get(MPIDR_AFF0, mpidr);
	uint64_t v = field_prep(ICC_SGI1R_INTID, GIC_SGI_KICK) |
		     field_prep(ICC_SGI1R_AFF1, field_get(MPIDR_AFF1, mpidr)) |
		     field_prep(ICC_SGI1R_AFF2, field_get(MPIDR_AFF2, mpidr)) |
		     field_prep(ICC_SGI1R_AFF3, field_get(MPIDR_AFF3, mpidr)) |
		     field_prep(ICC_SGI1R_RS, aff0 / 16) |
		     field_prep(ICC_SGI1R_TARGETS, 1ull << (aff0 % 16));
	dsb_ish();
	sysreg_write(icc_sgi1r_el1, v);
	isb();
}

void gic_v3_timer_deactivate(void)
{
	uint64_t rd = gicr_find_this_cpu();
	if (rd)
		mmio_write32(rd + GICR_SGI_BASE + GICR_ICACTIVER0, 1u << GIC_PPI_VTIMER);
}
