/*
 * Physical GICv2 with the virtualization extensions (Arm IHI 0048B): the
 * distributor (GICD), the CPU interface EL2 takes its interrupts through
 * (GICC), the virtual interface control (GICH, used by vgic/vgic_v2.c) and
 * the virtual CPU interface (GICV, mapped into GICv2 partitions), from the
 * node's four reg entries in that order (arm,gic.yaml).
 *
 * Unlike GICv3 there is no affinity routing: a CPU is named by its CPU
 * interface number, one bit in GICD_ITARGETSR and GICD_SGIR.  Each CPU
 * learns its own from GICD_ITARGETSR0, which reads as the accessing CPU's
 * mask (IHI 0048B 4.3.12).  GICC_CTLR.EOImode splits priority drop from
 * deactivation, as ICC_CTLR_EL1.EOImode does on v3.
 *
 * Groups.  With the Security Extensions we run Non-secure, and the
 * interrupts we see are Group 1, as the firmware set them.  Without them
 * (QEMU virt's default) every interrupt resets to Group 0, and the
 * hypervisor puts its own in Group 1: a guest's deactivation through a
 * hardware-linked list register acts like a Non-secure write to GICC_DIR
 * (IHI 0048B 5.3.9), which does not deactivate a Group 0 interrupt (QEMU
 * 7.2 models exactly that), and the virtual timer would stay active for
 * good.  GICC_CTLR.AckCtl lets GICC_IAR acknowledge Group 1 then
 * (4.4.1; without it Group 1 reads as 1022).
 */
#include <libfdt.h>

#include "console.h"
#include "dtreg.h"
#include "gic_internal.h"
#include "io.h"
#include "pcpu.h"
#include "tserr.h"

#define GICD_REG_INDEX  0
#define GICC_REG_INDEX  1
#define GICH_REG_INDEX  2
#define GICV_REG_INDEX  3

/* No Security Extensions: the hypervisor's interrupts go to Group 1 (above). */
static bool own_groups;
/* This CPU's interface mask, by logical CPU (written by that CPU at start). */
static uint8_t cpu_if_mask[TS_MAX_CPUS];
/*
 * The last SGI each CPU acknowledged, with its source CPU (GICC_IAR.CPUID):
 * GICC_EOIR and GICC_DIR must be written with both (IHI 0048B 4.4.5).  EL2
 * ends each SGI before it acknowledges the next, so one per CPU is enough.
 */
static uint32_t sgi_iar[TS_MAX_CPUS];

static int gic_v2_frame(const void *fdt, int node, int parent, int index, uint64_t min_size,
			uint64_t *base, uint64_t *size, const char *compatible, const char *what)
{
	if (dt_reg(fdt, node, parent, index, base, size) != 0 || *size < min_size) {
		log_line("gic: %s needs reg entry %d, the %s (at least %llu KiB)", compatible, index,
			 what, (unsigned long long)(min_size >> 10));
		return -TS_EINVAL;
	}
	return 0;
}

int gic_v2_init_primary(const void *fdt, int node, int parent, const char *compatible)
{
	struct gic_host *h = &gic_hw;
	int err = gic_v2_frame(fdt, node, parent, GICD_REG_INDEX, GICD_V2_SIZE, &h->gicd,
			       &h->gicd_size, compatible, "distributor");
	if (!err)
		err = gic_v2_frame(fdt, node, parent, GICC_REG_INDEX, GICC_SIZE, &h->gicc,
				   &h->gicc_size, compatible, "CPU interface");
	if (!err)
		err = gic_v2_frame(fdt, node, parent, GICH_REG_INDEX, GICH_SIZE, &h->gich,
				   &h->gich_size, compatible, "virtual interface control (GICH)");
	if (!err)
		err = gic_v2_frame(fdt, node, parent, GICV_REG_INDEX, GICC_SIZE, &h->gicv,
				   &h->gicv_size, compatible, "virtual CPU interface (GICV)");
	if (err)
		return err;
	h->version = 2;
	own_groups = !(mmio_read32(h->gicd + GICD_TYPER) & GICD_TYPER_SECURITYEXTN);
	mmio_write32(h->gicd + GICD_CTLR,
		     (uint32_t)(own_groups ? GICD_CTLR_ENABLE_GRP1 : GICD_CTLR_ENABLE));
	log_line("gic: GICv2 (%s): GICD 0x%llx, GICC 0x%llx, GICH 0x%llx, GICV 0x%llx, "
		 "maintenance INTID %u", compatible, (unsigned long long)h->gicd,
		 (unsigned long long)h->gicc, (unsigned long long)h->gich,
		 (unsigned long long)h->gicv, h->maint_intid);
	return 0;
}

void gic_v2_init_cpu(void)
{
	const struct gic_host *h = &gic_hw;
	uint8_t mask = mmio_read8(h->gicd + GICD_ITARGETSR);
	cpu_if_mask[this_pcpu()->index] = mask;
	if (mask == 0)
		log_line("gic: GICD_ITARGETSR0 reads 0 on this CPU: it cannot be kicked");
	uint32_t mine = 1u << GIC_SGI_KICK | 1u << h->maint_intid | 1u << GIC_PPI_VTIMER;
	/* GICD_IGROUPR0 and GICD_ISENABLER0 are banked per CPU (4.3.4, 4.3.5). */
	if (own_groups)
		mmio_write32(h->gicd + GICD_IGROUPR, mmio_read32(h->gicd + GICD_IGROUPR) | mine);
	mmio_write32(h->gicd + GICD_ISENABLER, mine);
	mmio_write32(h->gicc + GICC_PMR, GICC_PMR_ALL);
	uint64_t ctlr = own_groups ? GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_ACKCTL : GICC_CTLR_ENABLE;
	mmio_write32(h->gicc + GICC_CTLR, (uint32_t)(ctlr | GICC_CTLR_EOIMODE));
}

void gic_v2_enable_spi(uint32_t intid)
{
	uint64_t gicd = gic_hw.gicd;
	if (own_groups) {
		uint64_t group = gicd + GICD_BANK_REG(GICD_IGROUPR, intid);
		mmio_write32(group, mmio_read32(group) | GICD_BANK_BIT(intid));
	}
	mmio_write8(gicd + GICD_ITARGETSR + intid, cpu_if_mask[this_pcpu()->index]);
	mmio_write32(gicd + GICD_BANK_REG(GICD_ISENABLER, intid), GICD_BANK_BIT(intid));
}

/* GICD_ITARGETSR<n>: one byte per INTID, the CPU interface mask (IHI 0048B 4.3.12). */
void gic_v2_spi_route(uint32_t intid, unsigned int cpu)
{
	mmio_write8(gic_hw.gicd + GICD_ITARGETSR + intid, cpu_if_mask[cpu]);
}

void gic_v2_spi_group(uint32_t intid)
{
	if (!own_groups)
		return;                     /* as the firmware set it (the file's comment) */
	uint64_t group = gic_hw.gicd + GICD_BANK_REG(GICD_IGROUPR, intid);
	mmio_write32(group, mmio_read32(group) | GICD_BANK_BIT(intid));
}

void gic_v2_send_kick(unsigned int cpu)
{
	uint32_t sgir = (uint32_t)(field_prep(GICD_SGIR_FILTER, GICD_SGIR_FILTER_LIST) |
				   field_prep(GICD_SGIR_TARGETS, cpu_if_mask[cpu]) |
				   field_prep(GICD_SGIR_INTID, GIC_SGI_KICK));
	dsb_ish();               /* the request the kick announces is visible first */
	mmio_write32(gic_hw.gicd + GICD_SGIR, sgir);
}

uint32_t gic_v2_ack(void)
{
	uint32_t iar = mmio_read32(gic_hw.gicc + GICC_IAR);
	uint32_t intid = (uint32_t)field_get(GICC_IAR_INTID, iar);
	if (intid < GIC_NR_SGIS)
		sgi_iar[this_pcpu()->index] = iar;
	return intid;
}

/* The value GICC_EOIR/GICC_DIR want for @intid: an SGI's with its source CPU. */
static uint32_t gic_v2_iar_of(uint32_t intid)
{
	return intid < GIC_NR_SGIS ? sgi_iar[this_pcpu()->index] : intid;
}

void gic_v2_eoi(uint32_t intid)
{
	mmio_write32(gic_hw.gicc + GICC_EOIR, gic_v2_iar_of(intid));
}

void gic_v2_deactivate(uint32_t intid)
{
	mmio_write32(gic_hw.gicc + GICC_DIR, gic_v2_iar_of(intid));
}

/* GICD_ICACTIVER0 is banked per CPU for INTIDs 0-31 (IHI 0048B 4.3.5). */
void gic_v2_timer_deactivate(void)
{
	mmio_write32(gic_hw.gicd + GICD_ICACTIVER, 1u << GIC_PPI_VTIMER);
}
