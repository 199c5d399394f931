/*
 * Minimal GICv3 driver (gic.h): distributor and redistributor registers by
 * MMIO, the CPU interface by system registers.  Register offsets and fields
 * are from Arm IHI 0069H chapter 12 (12.9 GICD_*, 12.10/12.11 GICR_*,
 * 12.2 ICC_*).  With the MMU off every access is Device-nGnRnE, so MMIO
 * needs no barriers beyond program order; system-register writes get an ISB.
 */
#include <libfdt.h>

#include "gic.h"
#include "guest.h"

/* Distributor (12.9). */
#define GICD_CTLR		0x0000
#define GICD_CTLR_ENABLE_G1	(1u << 1)	/* EnableGrp1 (DS = 1) / EnableGrp1A */
#define GICD_CTLR_ARE		(1u << 4)	/* affinity routing */
#define GICD_CTLR_RWP		(1u << 31)	/* register write pending */
#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_IPRIORITYR		0x0400		/* one byte per INTID */
#define GICD_ICFGR		0x0c00		/* two bits per INTID */
#define ICFGR_FIELDS_PER_REG	16u
#define ICFGR_EDGE		2u		/* Int_config[1]: 1 = edge-triggered */
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

#define GIC_BITS_PER_REG	32u
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

static inline uint32_t mmio_read32(uint64_t a)
{
	return *(volatile uint32_t *)a;
}

static inline uint64_t mmio_read64(uint64_t a)
{
	return *(volatile uint64_t *)a;
}

static inline void mmio_write32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static inline void mmio_write64(uint64_t a, uint64_t v)
{
	*(volatile uint64_t *)a = v;
}

static inline void mmio_write8(uint64_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

uint64_t gic_dist_base(void)
{
	return gicd;
}

/* TPIDR_EL1 holds this CPU's RD_base: the library keeps TLS in TPIDR_EL0. */
uint64_t gic_redist_base(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(v));
	return v;
}

static bool gic_wait_clear(uint64_t reg, uint32_t bits)
{
	struct timeout t = timeout_start_ms(GIC_WAIT_MS);

	while (mmio_read32(reg) & bits)
		if (timeout_expired(&t))
			return false;
	return true;
}

int gic_init(void)
{
	const void *fdt = dt_blob();
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	if (node < 0)
		return node;
	uint64_t size;
	int err = dt_reg(node, 0, &gicd, &size);
	if (err == 0)
		err = dt_reg(node, 1, &gicr_region, &gicr_region_size);
	if (err != 0)
		return err;
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
	return gic_wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP) ? 0 : -1;
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
	uint64_t rd = gic_find_redist(guest_read_mpidr());
	if (rd == 0)
		return -1;
	__asm__ volatile("msr tpidr_el1, %0" : : "r"(rd));
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

void gic_private_enable(uint32_t intid, uint8_t prio)
{
	uint64_t sgi = gic_redist_base() + GICR_SGI_BASE;

	mmio_write8(sgi + GICR_IPRIORITYR + intid, prio);
	mmio_write32(sgi + GICR_ISENABLER0, 1u << intid);
}

void gic_private_disable(uint32_t intid)
{
	mmio_write32(gic_redist_base() + GICR_SGI_BASE + GICR_ICENABLER0, 1u << intid);
}

uint32_t gic_private_pending(void)
{
	return mmio_read32(gic_redist_base() + GICR_SGI_BASE + GICR_ISPENDR0);
}

/* Register and bit of @intid in a one-bit-per-INTID bank at @bank. */
static uint64_t gic_bank_reg(uint64_t bank, uint32_t intid)
{
	return gicd + bank + 4 * (intid / GIC_BITS_PER_REG);
}

static uint32_t gic_bank_bit(uint32_t intid)
{
	return 1u << (intid % GIC_BITS_PER_REG);
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
	uint64_t group = gic_bank_reg(GICD_IGROUPR, intid);

	mmio_write32(group, mmio_read32(group) | gic_bank_bit(intid));
	mmio_write8(gicd + GICD_IPRIORITYR + intid, prio);
	mmio_write64(gicd + GICD_IROUTER + 8 * (uint64_t)intid, gic_irouter(mpidr));
	mmio_write32(gic_bank_reg(GICD_ISENABLER, intid), gic_bank_bit(intid));
}

void gic_spi_disable(uint32_t intid)
{
	mmio_write32(gic_bank_reg(GICD_ICENABLER, intid), gic_bank_bit(intid));
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
	SYSREG_WRITE(ICC_PMR_EL1, pmr);
}

uint32_t gic_ack(void)
{
	uint64_t v;

	SYSREG_READ(ICC_IAR1_EL1, v);
	return (uint32_t)(v & ICC_IAR_INTID_MASK);
}

void gic_eoi(uint32_t intid)
{
	SYSREG_WRITE(ICC_EOIR1_EL1, intid);
}
