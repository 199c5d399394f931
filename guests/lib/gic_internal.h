#pragma once
/*
 * Between the GIC driver's front end and GICv3 part (gic.c) and its GICv2
 * part (gic_v2.c): the register offsets both distributors share (IHI 0069H
 * 12.9, IHI 0048B 4.3), the GICv2 CPU interface, and MMIO accessors.
 */
#include <stdbool.h>
#include <stdint.h>

#define GIC_V2			2u
#define GIC_V3			3u

/* Distributor registers with the same layout on both versions. */
#define GICD_CTLR		0x0000
#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_ISPENDR		0x0200
#define GICD_ICPENDR		0x0280
#define GICD_IPRIORITYR		0x0400		/* one byte per INTID */
#define GICD_ICFGR		0x0c00		/* two bits per INTID */
#define ICFGR_FIELDS_PER_REG	16u
#define ICFGR_EDGE		2u		/* Int_config[1]: 1 = edge-triggered */
#define GIC_BITS_PER_REG	32u

/* GICv2 CPU interface (IHI 0048B 4.4). */
#define GICC_CTLR		0x0000
#define GICC_PMR		0x0004
#define GICC_BPR		0x0008
#define GICC_IAR		0x000c
#define GICC_EOIR		0x0010
#define GICC_APR0		0x00d0		/* active priorities (4.4.13) */
#define GICC_IAR_INTID_MASK	0x3ffu		/* bits 12:10 are an SGI's source CPU */

static inline uint32_t mmio_read32(uint64_t a)
{
	return *(volatile uint32_t *)a;
}

static inline uint64_t mmio_read64(uint64_t a)
{
	return *(volatile uint64_t *)a;
}

static inline uint8_t mmio_read8(uint64_t a)
{
	return *(volatile uint8_t *)a;
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

/* Offset of the register holding @intid's bit in a one-bit-per-INTID bank at @bank. */
static inline uint64_t gic_bank_reg(uint64_t bank, uint32_t intid)
{
	return bank + 4 * (intid / GIC_BITS_PER_REG);
}

static inline uint32_t gic_bank_bit(uint32_t intid)
{
	return 1u << (intid % GIC_BITS_PER_REG);
}

/* This CPU's redistributor (v3) or CPU interface (v2), kept in TPIDR_EL1. */
void gic_set_cpu_base(uint64_t base);

/* GICv2 (gic_v2.c). */
int gic_v2_init(int node, uint64_t *gicd);
int gic_v2_cpu_init(void);
void gic_v2_spi_enable(uint32_t intid, uint8_t prio, uint64_t mpidr);
void gic_v2_send_sgi(uint32_t intid, uint64_t mpidr);
/* GICD_ITARGETSR byte of an SPI: @mpidr's CPU (by its /cpus index if it has not run gic_cpu_init). */
void gic_v2_spi_route(uint32_t intid, uint64_t mpidr);
/* GICD_CTLR.Enable (EnableGrp0). */
void gic_v2_dist_enable(bool on);
