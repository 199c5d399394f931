/*
 * The hypervisor's own stage-1 map (EL2, non-VHE): an identity map of the
 * low 512 GiB with 1 GiB blocks from one level-1 table.  RAM is Normal
 * write-back, everything else Device-nGnRnE.  One table, filled in one pass:
 * no page-by-page work at boot (DESIGN §11).
 */
#include "mm.h"
#include "sysreg.h"

#define S1_VA_BITS        39            /* start at level 1 with a 4 KiB granule */
#define S1_L1_ENTRIES     512
#define S1_DESC_BLOCK     0x1ull        /* bits[1:0] = 0b01: block */
#define S1_ATTRINDX(i)    ((uint64_t)(i) << 2)
#define S1_AP1_RES1       BIT64(6)      /* AP[1]: RES1 in single-range regimes */
#define S1_SH_INNER       (3ull << 8)
#define S1_AF             BIT64(10)
#define S1_XN             BIT64(54)

#define S1_BLOCK_NORMAL (S1_DESC_BLOCK | S1_ATTRINDX(MAIR_IDX_NORMAL) | S1_AP1_RES1 | \
			 S1_SH_INNER | S1_AF)
#define S1_BLOCK_DEVICE (S1_DESC_BLOCK | S1_ATTRINDX(MAIR_IDX_DEVICE) | S1_AP1_RES1 | \
			 S1_AF | S1_XN)

_Static_assert(S1_L1_ENTRIES * SZ_1G == MMU_MAP_LIMIT, "MMU_MAP_LIMIT in include/mm.h");

/* In .data, not .bss: it is filled before the MMU is on and BSS is cleared after. */
static uint64_t el2_l1[S1_L1_ENTRIES] __attribute__((aligned(4096), section(".data")));

static uint64_t tcr_el2_value(void)
{
	uint64_t parange = field_get(ID_AA64MMFR0_PARANGE, sysreg_read(id_aa64mmfr0_el1));
	return TCR_EL2_RES1 | field_prep(TCR_EL2_T0SZ, 64 - S1_VA_BITS) | TCR_EL2_IRGN0_WB |
	       TCR_EL2_ORGN0_WB | TCR_EL2_SH0_IS | TCR_EL2_TG0_4K |
	       field_prep(TCR_EL2_PS, parange > 2 ? 2 : parange);   /* 40-bit PA covers 512 GiB */
}

static void mmu_enable_this_cpu(void)
{
	sysreg_write(mair_el2, MAIR_EL2_VALUE);
	sysreg_write(tcr_el2, tcr_el2_value());
	sysreg_write(ttbr0_el2, (uint64_t)(uintptr_t)el2_l1);
	isb();
	__asm__ volatile("tlbi alle2" ::: "memory");
	dsb_ish();
	sysreg_write(sctlr_el2, SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_SA |
		     SCTLR_EL2_I);
	isb();
}

/* Before the DT is read: Normal for the GiB of the image and of the DTB. */
void mmu_enable_boot(uint64_t dtb)
{
	extern char _start[];
	for (unsigned int i = 0; i < S1_L1_ENTRIES; i++)
		el2_l1[i] = ((uint64_t)i * SZ_1G) | S1_BLOCK_DEVICE;
	uint64_t img = (uint64_t)(uintptr_t)_start / SZ_1G;
	el2_l1[img] = (img * SZ_1G) | S1_BLOCK_NORMAL;
	el2_l1[dtb / SZ_1G] = align_down(dtb, SZ_1G) | S1_BLOCK_NORMAL;
	dsb_sy();
	mmu_enable_this_cpu();
}

/* Make every GiB that holds RAM Normal memory (break-before-make per entry). */
void mmu_map_ram(uint64_t base, uint64_t size)
{
	for (uint64_t g = base / SZ_1G; g <= (base + size - 1) / SZ_1G && g < S1_L1_ENTRIES; g++) {
		uint64_t want = (g * SZ_1G) | S1_BLOCK_NORMAL;
		if (el2_l1[g] == want)
			continue;
		el2_l1[g] = 0;
		dsb_ishst();
		__asm__ volatile("tlbi alle2" ::: "memory");
		dsb_ish();
		el2_l1[g] = want;
		dsb_ish();
		isb();
	}
}

void mmu_enable_secondary(void)
{
	mmu_enable_this_cpu();
}

/* Clean to the point of coherency: guests start with their MMU and caches off. */
void dcache_clean_range(uint64_t base, uint64_t size)
{
	uint64_t line = 4ull << field_get(GENMASK64(19, 16), sysreg_read(ctr_el0));  /* CTR_EL0.DminLine */
	for (uint64_t a = align_down(base, line); a < base + size; a += line)
		__asm__ volatile("dc cvac, %0" :: "r"(a) : "memory");
	dsb_sy();
}
