/*
 * The GIC driver's front end (gic.h): which version the DT describes, and
 * the GICv3 itself: distributor and redistributor registers by MMIO, the
 * CPU interface by system registers.  Register offsets and fields are from
 * Arm IHI 0069H chapter 12 (12.9 GICD_*, 12.10/12.11 GICR_*, 12.2 ICC_*).
 * GICv2 is gic_v2.c.  With the MMU off every access is Device-nGnRnE, so
 * MMIO needs no barriers beyond program order; system-register writes get
 * an ISB.
 */
#include <libfdt.h>

#include "gic.h"
#include "gic_internal.h"
#include "guest.h"

/* Distributor (12.9); the registers v2 shares are in gic_internal.h. */
#define GICD_CTLR_ENABLE_G1	(1u << 1)	/* EnableGrp1 (DS = 1) / EnableGrp1A */
#define GICD_CTLR_ARE		(1u << 4)	/* affinity routing */
#define GICD_CTLR_RWP		(1u << 31)	/* register write pending */
#define GICD_IROUTER		0x6000		/* 64 bits per INTID */
#define IROUTER_AFF3_SHIFT	32

/* Redistributor RD_base frame (12.11). */
#define GICR_TYPER		0x0008
#define GICR_TYPER_VLPIS	(1ull << 1)	/* two more 64 KiB frames (GICv4) */
#define GICR_TYPER_LAST		(1ull << 4)
#define GICR_TYPER_AFF_SHIFT	32		/* Aff3.Aff2.Aff1.Aff0 */
#define GICR_WAKER		0x0014
#define GICR_WAKER_SLEEP	(1u << 1)	/* ProcessorSleep */
#define GICR_WAKER_ASLEEP	(1u << 2)	/* ChildrenAsleep */
#define GICR_FRAME_V3		0x20000ull	/* RD_base + SGI_base */
#define GICR_FRAME_V4		0x40000ull	/* + VLPI_base + reserved */

/* Redistributor SGI_base frame (12.10): the banked SGI/PPI registers. */
#define GICR_SGI_BASE		0x10000
#define GICR_IGROUPR0		0x0080
#define GICR_ISENABLER0		0x0100
#define GICR_ICENABLER0		0x0180
#define GICR_ISPENDR0		0x0200
#define GICR_IPRIORITYR		0x0400
#define GICR_ALL_PRIVATE	0xffffffffu

/* ICC_SRE_EL1.SRE (12.2.21); ICC_CTLR_EL1.EOImode (12.2.6); IAR INTID (12.2.13). */
#define ICC_SRE_SRE		(1ull << 0)
#define ICC_CTLR_EOIMODE	(1ull << 1)
#define ICC_IAR_INTID_MASK	0xffffffull
#define ICC_BPR1_NONE		0		/* every priority bit is group priority */
#define ICC_IGRPEN1_ON		1

/* ICC_SGI1R_EL1 (12.2.23). */
#define SGI1R_TARGETS_SHIFT	0
#define SGI1R_AFF1_SHIFT	16
#define SGI1R_INTID_SHIFT	24
#define SGI1R_AFF2_SHIFT	32
#define SGI1R_RS_SHIFT		44
#define SGI1R_AFF3_SHIFT	48
#define SGI1R_TARGETS_PER_RS	16u

/* MPIDR_EL1 affinity fields. */
#define AFF_BITS		8
#define MPIDR_AFF0(m)		((m) & 0xffull)
#define MPIDR_AFF1(m)		(((m) >> 8) & 0xffull)
#define MPIDR_AFF2(m)		(((m) >> 16) & 0xffull)
#define MPIDR_AFF3(m)		(((m) >> 32) & 0xffull)

#define GIC_WAIT_MS		100u

/* CPU-interface registers by encoding, so any assembler takes them. */
#define SYSREG_WRITE(enc, v) __asm__ volatile("msr " enc ", %0\n\tisb" : : "r"((uint64_t)(v)) : "memory")
#define SYSREG_READ(enc, v) __asm__ volatile("mrs %0, " enc : "=r"(v) : : "memory")
#define ICC_PMR_EL1	"S3_0_C4_C6_0"
#define ICC_IAR1_EL1	"S3_0_C12_C12_0"
#define ICC_EOIR1_EL1	"S3_0_C12_C12_1"
#define ICC_BPR1_EL1	"S3_0_C12_C12_3"
#define ICC_CTLR_EL1	"S3_0_C12_C12_4"
#define ICC_SRE_EL1	"S3_0_C12_C12_5"
#define ICC_IGRPEN1_EL1	"S3_0_C12_C12_7"
#define ICC_SGI1R_EL1	"S3_0_C12_C11_5"

static uint64_t gicd;
static uint64_t gicr_region, gicr_region_size;
static unsigned int version;

uint64_t gic_dist_base(void)
{
	return gicd;
}

unsigned int gic_version(void)
{
	return version;
}

/* TPIDR_EL1 holds this CPU's RD_base or GICC: the library keeps TLS in TPIDR_EL0. */
uint64_t gic_cpu_base(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(v));
	return v;
}

void gic_set_cpu_base(uint64_t base)
{
	__asm__ volatile("msr tpidr_el1, %0" : : "r"(base));
}

static bool gic_wait_clear(uint64_t reg, uint32_t bits)
{
	struct timeout t = timeout_start_ms(GIC_WAIT_MS);

	while (mmio_read32(reg) & bits)
		if (timeout_expired(&t))
			return false;
	return true;
}

/* GICv2 family members with the virtualization extensions (bindings arm,gic.yaml). */
static const char *const gic_v2_compatible[] = { "arm,gic-400", "arm,cortex-a15-gic",
						 "arm,cortex-a7-gic" };

static int gic_v3_init(int node)
{
	uint64_t size;
	int err = dt_reg(node, 0, &gicd, &size);
	if (err == 0)
		err = dt_reg(node, 1, &gicr_region, &gicr_region_size);
	if (err != 0)
		return err;
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
	return gic_wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP) ? 0 : -1;
}

int gic_init(void)
{
	const void *fdt = dt_blob();
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	if (node >= 0) {
		version = GIC_V3;
		return gic_v3_init(node);
	}
	for (unsigned int i = 0; i < sizeof(gic_v2_compatible) / sizeof(gic_v2_compatible[0]); i++) {
		node = fdt_node_offset_by_compatible(fdt, -1, gic_v2_compatible[i]);
		if (node >= 0) {
			version = GIC_V2;
			return gic_v2_init(node, &gicd);
		}
	}
	return node;
}

/* GICR_TYPER.Affinity layout of an MPIDR: Aff3.Aff2.Aff1.Aff0, 8 bits each. */
static uint64_t gic_typer_affinity(uint64_t mpidr)
{
	return MPIDR_AFF3(mpidr) << (3 * AFF_BITS) | MPIDR_AFF2(mpidr) << (2 * AFF_BITS) |
	       MPIDR_AFF1(mpidr) << AFF_BITS | MPIDR_AFF0(mpidr);
}

static uint64_t gic_find_redist(uint64_t mpidr)
{
	uint64_t want = gic_typer_affinity(mpidr);

	for (uint64_t f = gicr_region; f < gicr_region + gicr_region_size;) {
		uint64_t typer = mmio_read64(f + GICR_TYPER);
		if (typer >> GICR_TYPER_AFF_SHIFT == want)
			return f;
		if (typer & GICR_TYPER_LAST)
			break;
		f += typer & GICR_TYPER_VLPIS ? GICR_FRAME_V4 : GICR_FRAME_V3;
	}
	return 0;
}

int gic_cpu_init(void)
{
	gic_install_vectors();
	if (version == GIC_V2)
		return gic_v2_cpu_init();
	uint64_t rd = gic_find_redist(guest_read_mpidr());
	if (rd == 0)
		return -1;
	gic_set_cpu_base(rd);
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	if (!gic_wait_clear(rd + GICR_WAKER, GICR_WAKER_ASLEEP))
		return -1;
	mmio_write32(rd + GICR_SGI_BASE + GICR_IGROUPR0, GICR_ALL_PRIVATE);
	SYSREG_WRITE(ICC_SRE_EL1, ICC_SRE_SRE);
	SYSREG_WRITE(ICC_PMR_EL1, GIC_PMR_OPEN);
	SYSREG_WRITE(ICC_BPR1_EL1, ICC_BPR1_NONE);
	SYSREG_WRITE(ICC_CTLR_EL1, 0);		/* EOImode 0 */
	SYSREG_WRITE(ICC_IGRPEN1_EL1, ICC_IGRPEN1_ON);
	return 0;
}

/* SGI_base of this CPU's redistributor (v3), or the distributor, which banks INTIDs 0-31 per CPU (v2). */
static uint64_t gic_private_frame(void)
{
	return version == GIC_V2 ? gicd : gic_cpu_base() + GICR_SGI_BASE;
}

void gic_private_enable(uint32_t intid, uint8_t prio)
{
	uint64_t sgi = gic_private_frame();

	mmio_write8(sgi + GICR_IPRIORITYR + intid, prio);
	mmio_write32(sgi + GICR_ISENABLER0, 1u << intid);
}

void gic_private_disable(uint32_t intid)
{
	mmio_write32(gic_private_frame() + GICR_ICENABLER0, 1u << intid);
}

uint32_t gic_private_pending(void)
{
	return mmio_read32(gic_private_frame() + GICR_ISPENDR0);
}

/*
 * GICD_IROUTER<n> (12.9.22): Aff0-Aff2 in [23:0], Aff3 in [39:32] as in
 * MPIDR_EL1; Interrupt_Routing_Mode (bit 31) 0: only the CPU named.
 */
static uint64_t gic_irouter(uint64_t mpidr)
{
	return MPIDR_AFF3(mpidr) << IROUTER_AFF3_SHIFT | MPIDR_AFF2(mpidr) << (2 * AFF_BITS) |
	       MPIDR_AFF1(mpidr) << AFF_BITS | MPIDR_AFF0(mpidr);
}

void gic_spi_enable(uint32_t intid, uint8_t prio, uint64_t mpidr)
{
	if (version == GIC_V2) {
		gic_v2_spi_enable(intid, prio, mpidr);
		return;
	}
	uint64_t group = gicd + gic_bank_reg(GICD_IGROUPR, intid);

	mmio_write32(group, mmio_read32(group) | gic_bank_bit(intid));
	mmio_write8(gicd + GICD_IPRIORITYR + intid, prio);
	mmio_write64(gicd + GICD_IROUTER + 8 * (uint64_t)intid, gic_irouter(mpidr));
	mmio_write32(gicd + gic_bank_reg(GICD_ISENABLER, intid), gic_bank_bit(intid));
}

void gic_spi_disable(uint32_t intid)
{
	mmio_write32(gicd + gic_bank_reg(GICD_ICENABLER, intid), gic_bank_bit(intid));
}

void gic_spi_prepare(uint32_t intid, uint8_t prio)
{
	if (version == GIC_V3) {                      /* v2: Group 0, the reset value */
		uint64_t group = gicd + gic_bank_reg(GICD_IGROUPR, intid);

		mmio_write32(group, mmio_read32(group) | gic_bank_bit(intid));
	}
	mmio_write8(gicd + GICD_IPRIORITYR + intid, prio);
}

void gic_spi_route(uint32_t intid, uint64_t mpidr)
{
	if (version == GIC_V2)
		gic_v2_spi_route(intid, mpidr);
	else
		mmio_write64(gicd + GICD_IROUTER + 8 * (uint64_t)intid, gic_irouter(mpidr));
}

void gic_spi_unmask(uint32_t intid)
{
	mmio_write32(gicd + gic_bank_reg(GICD_ISENABLER, intid), gic_bank_bit(intid));
}

void gic_spi_pend(uint32_t intid)
{
	mmio_write32(gicd + gic_bank_reg(GICD_ISPENDR, intid), gic_bank_bit(intid));
}

void gic_spi_unpend(uint32_t intid)
{
	mmio_write32(gicd + gic_bank_reg(GICD_ICPENDR, intid), gic_bank_bit(intid));
}

void gic_dist_group1(bool on)
{
	if (version == GIC_V2) {
		gic_v2_dist_enable(on);
		return;
	}
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | (on ? GICD_CTLR_ENABLE_G1 : 0));
	(void)gic_wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP);
}

void gic_spi_set_edge(uint32_t intid, bool edge)
{
	uint64_t reg = gicd + GICD_ICFGR + 4 * (intid / ICFGR_FIELDS_PER_REG);
	uint32_t bit = ICFGR_EDGE << (2 * (intid % ICFGR_FIELDS_PER_REG));
	uint32_t v = mmio_read32(reg);

	mmio_write32(reg, edge ? v | bit : v & ~bit);
}

void gic_send_sgi(uint32_t intid, uint64_t mpidr)
{
	if (version == GIC_V2) {
		gic_v2_send_sgi(intid, mpidr);
		return;
	}
	uint64_t aff0 = MPIDR_AFF0(mpidr);
	uint64_t v = (uint64_t)intid << SGI1R_INTID_SHIFT |
		     MPIDR_AFF1(mpidr) << SGI1R_AFF1_SHIFT | MPIDR_AFF2(mpidr) << SGI1R_AFF2_SHIFT |
		     MPIDR_AFF3(mpidr) << SGI1R_AFF3_SHIFT |
		     (aff0 / SGI1R_TARGETS_PER_RS) << SGI1R_RS_SHIFT |
		     (1ull << (aff0 % SGI1R_TARGETS_PER_RS)) << SGI1R_TARGETS_SHIFT;

	SYSREG_WRITE(ICC_SGI1R_EL1, v);
}

void gic_set_pmr(uint8_t pmr)
{
	if (version == GIC_V2)
		mmio_write32(gic_cpu_base() + GICC_PMR, pmr);
	else
		SYSREG_WRITE(ICC_PMR_EL1, pmr);
}

uint32_t gic_ack(void)
{
	uint64_t v;

	if (version == GIC_V2)
		return mmio_read32(gic_cpu_base() + GICC_IAR);
	SYSREG_READ(ICC_IAR1_EL1, v);
	return (uint32_t)(v & ICC_IAR_INTID_MASK);
}

uint32_t gic_iar_intid(uint32_t iar)
{
	return version == GIC_V2 ? iar & GICC_IAR_INTID_MASK : iar;
}

void gic_eoi(uint32_t iar)
{
	if (version == GIC_V2)
		mmio_write32(gic_cpu_base() + GICC_EOIR, iar);
	else
		SYSREG_WRITE(ICC_EOIR1_EL1, iar);
}
