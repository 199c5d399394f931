/*
 * A stage-1 identity map for the attacks that need Normal memory on a
 * device window: with the MMU off every data access is Device-nGnRnE, so
 * unaligned accesses, DC ZVA and exclusives fault at EL1 before the
 * hypervisor sees them.  One level-1 table of 1 GiB blocks (4 KiB granule,
 * 39-bit VA: Arm ARM D8.2 "Translation table walk"), every block Normal
 * non-cacheable, read/write at EL1, executable.  Caches stay off
 * (SCTLR_EL1.C = I = 0).
 */
#include "hostile.h"

#define L1_ENTRIES		512
#define GIB_SHIFT		30
#define DESC_BLOCK		0x1ull		/* bits [1:0] = 0b01 */
#define DESC_ATTR_SHIFT		2		/* AttrIndx [4:2] */
#define DESC_AF			(1ull << 10)
#define MAIR_IDX_NORMAL_NC	1
#define MAIR_VALUE		(0x44ull << (8 * MAIR_IDX_NORMAL_NC))	/* attr0 Device-nGnRnE */
#define TCR_T0SZ_39		25ull
#define TCR_EPD1		(1ull << 23)	/* no TTBR1 walks */
#define TCR_IPS_40		(2ull << 32)
#define SCTLR_M			(1ull << 0)

static uint64_t l1[L1_ENTRIES] __attribute__((aligned(4096)));

void mmu_on(void)
{
	for (uint64_t i = 0; i < L1_ENTRIES; i++)
		l1[i] = (i << GIB_SHIFT) | DESC_AF | (MAIR_IDX_NORMAL_NC << DESC_ATTR_SHIFT) |
			DESC_BLOCK;
	uint64_t sctlr;
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	__asm__ volatile("dsb sy\n\t"
			 "msr mair_el1, %0\n\t"
			 "msr tcr_el1, %1\n\t"
			 "msr ttbr0_el1, %2\n\t"
			 "isb\n\t"
			 "tlbi vmalle1\n\t"
			 "dsb nsh\n\t"
			 "msr sctlr_el1, %3\n\t"
			 "isb"
			 : : "r"(MAIR_VALUE), "r"(TCR_T0SZ_39 | TCR_EPD1 | TCR_IPS_40),
			   "r"((uint64_t)(uintptr_t)l1), "r"(sctlr | SCTLR_M) : "memory");
}

void mmu_off(void)
{
	uint64_t sctlr;
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	__asm__ volatile("msr sctlr_el1, %0\n\tisb\n\ttlbi vmalle1\n\tdsb nsh\n\tisb"
			 : : "r"(sctlr & ~SCTLR_M) : "memory");
}
