#pragma once
/*
 * Stage-2 translation tables (the p2m: guest IPA -> host PA), DESIGN.md §6/§8.
 *
 * p2m/p2m_table.c builds the tables in memory and is pure C (it compiles for
 * the host, where tests/unit/test_p2m.c runs it).  The hardware side
 * (VTTBR_EL2/VTCR_EL2 writes, DSB, TLBI) lives in p2m/p2m_hw.c and is reached
 * only through the callbacks in struct p2m_mm.
 *
 * Geometry: 4 KiB granule, VMSAv8-64 descriptors, 48-bit output addresses,
 * 8-bit VMIDs.  Start level and root concatenation follow ipa_bits (Arm ARM
 * D8 "Concatenated translation tables for the initial stage 2 lookup"):
 *   ipa_bits 32..39: level 1, one root page        (VTCR_EL2.SL0 = 1)
 *   ipa_bits 40..43: level 1, 2..16 root pages     (VTCR_EL2.SL0 = 1)
 *   ipa_bits 44..48: level 0, one root page        (VTCR_EL2.SL0 = 2)
 *
 * Not thread-safe: the caller serialises calls on one struct p2m.  After
 * p2m_map() returns, the caller issues DSB ISHST before a running guest may
 * rely on the new entries (map only fills entries that were invalid, so no
 * TLB invalidation is needed there).
 */
#include <stdbool.h>
#include <stdint.h>

#include "types.h"

struct p2m;

enum p2m_type {
	P2M_RAM,     /* Normal WB inner+outer, inner-shareable, RW, executable */
	P2M_SHARED,  /* Normal WB, inner-shareable, RW, execute-never (DESIGN.md §6) */
	P2M_DEVICE,  /* Device-nGnRE, RW, execute-never */
};

struct p2m_mm {                    /* supplied by the caller */
	/* Zeroed 4 KiB page, 4 KiB aligned; NULL when exhausted.  Physical
	 * address == the pointer value (identity map). */
	void *(*alloc_page)(void *ctx);
	void (*free_page)(void *ctx, void *page);
	/* Called at break-before-make points and after unmapping, AFTER the
	 * descriptor update (the hardware side does DSB + TLBI for that range
	 * of the table's VMID, p2m/p2m_hw.c).  May be NULL. */
	void (*tlb_invalidate)(void *ctx, const struct p2m *p, ipa_t base, uint64_t size);
	void *ctx;
	/* Added by p2m: `count` zeroed, physically contiguous pages aligned to
	 * count * 4 KiB, and their release.  Needed only for the concatenated
	 * root tables of ipa_bits 40..43 (p2m_init fails with -TS_EINVAL when
	 * they are NULL there); every other page comes from alloc_page. */
	void *(*alloc_pages)(void *ctx, unsigned int count);
	void (*free_pages)(void *ctx, void *pages, unsigned int count);
};

struct p2m {
	uint64_t *root;                /* root table(s), concatenated when needed */
	unsigned int ipa_bits;         /* stage-2 input size */
	unsigned int start_level;      /* 0 or 1 */
	unsigned int root_pages;       /* concatenated root tables */
	uint16_t vmid;
	const struct p2m_mm *mm;
	unsigned int table_pages;      /* pages in use for tables, root included */
};

#define P2M_IPA_BITS_MIN  32u
#define P2M_IPA_BITS_MAX  48u
/* p2m_ipa_bits_for() caps the IPA size here: 1 TiB covers the guest layout
 * of DESIGN.md §5 and keeps every walk at three levels (start at level 1). */
#define P2M_IPA_BITS_CAP  40u
#define P2M_VMID_MAX      0xFFu    /* VTCR_EL2.VS = 0: 8-bit VMIDs */

/* 0, -TS_EINVAL (ipa_bits outside 32..48, vmid > 255, missing callbacks),
 * -TS_ENOMEM (no root page). */
int  p2m_init(struct p2m *p, unsigned int ipa_bits, uint16_t vmid, const struct p2m_mm *mm);
/* Frees every table page, root included.  Does no TLB maintenance: the
 * caller invalidates the VMID before reusing it. */
void p2m_destroy(struct p2m *p);
/* Map [ipa, ipa+size) -> [pa, ...), all 4 KiB aligned, with the largest
 * blocks that fit.  -TS_EBUSY if any page is already mapped, -TS_ENOMEM if
 * tables run out, -TS_EINVAL (misaligned, size 0, bad type) or -TS_ERANGE
 * (beyond the IPA space or the 48-bit output range).  On any failure the
 * table is exactly as before. */
int  p2m_map(struct p2m *p, ipa_t ipa, hpa_t pa, uint64_t size, enum p2m_type type);
/* Unmap [ipa, ipa+size); holes are fine.  Splits blocks that straddle the
 * edges (break-before-make), frees tables that become empty, and calls
 * tlb_invalidate for the range.  -TS_ENOMEM (nothing changed) if a split
 * can't get a page; -TS_EINVAL/-TS_ERANGE for bad arguments. */
int  p2m_unmap(struct p2m *p, ipa_t ipa, uint64_t size);
bool p2m_translate(const struct p2m *p, ipa_t ipa, hpa_t *pa, enum p2m_type *type);
/* Visit mappings in IPA order, merging runs contiguous in IPA and PA with
 * the same type. */
void p2m_for_each(const struct p2m *p, void (*fn)(void *ctx, ipa_t ipa, hpa_t pa, uint64_t size,
		  enum p2m_type type), void *ctx);
/* VTCR_EL2 for this geometry: 4 KiB granule, T0SZ, SL0, WBWA inner/outer
 * walks, inner shareable, PS = ps_field (ID_AA64MMFR0_EL1.PARange), 8-bit
 * VMID, RES1 bit 31.  Returns 0 for ipa_bits outside 32..48. */
uint64_t p2m_vtcr(unsigned int ipa_bits, unsigned int ps_field);
uint64_t p2m_vttbr(const struct p2m *p);          /* BADDR | VMID << 48 */
/*
 * TLB invalidation of [base, base + size) for one VMID: by IPA, one TLBI
 * per 4 KiB page, when that takes at most P2M_TLBI_IPA_MAX operations;
 * otherwise (or when size is 0: "everything") the whole VMID.  Returns the
 * number of by-IPA operations, 0 for the whole VMID, and the first
 * operand: IPA[47:12] in bits [35:0] (TLBI IPAS2E1IS, Arm ARM C5.5).
 */
#define P2M_TLBI_IPA_MAX  32u
unsigned int p2m_tlbi_ipa_ops(ipa_t base, uint64_t size, uint64_t *first_op);
/* Usable IPA bits for ID_AA64MMFR0_EL1.PARange: min(PA size, P2M_IPA_BITS_CAP). */
unsigned int p2m_ipa_bits_for(unsigned int parange_field);

/*
 * One address's stage-2 walk, level by level, as the hardware would do it
 * (Arm ARM D8, "Translation table walks" for stage 2, 4 KiB granule): for
 * the `walk` shell command and the docs.  Each step records the table read,
 * the entry index, the descriptor and its fields; the walk ends at a leaf
 * (block or page), at an invalid entry (a translation fault at that level),
 * or before it starts when the IPA is beyond the IPA size.
 */
enum p2m_desc_kind {
	P2M_DESC_INVALID,    /* bit[0] = 0, or a block where none can be */
	P2M_DESC_TABLE,      /* levels 0-2, bits[1:0] = 0b11: next-level table */
	P2M_DESC_BLOCK,      /* levels 1-2, bits[1:0] = 0b01 */
	P2M_DESC_PAGE,       /* level 3, bits[1:0] = 0b11 */
};

enum p2m_walk_end {
	P2M_WALK_MAPPED,     /* ended at a block or page */
	P2M_WALK_FAULT,      /* ended at an invalid entry: a stage-2 translation fault */
	P2M_WALK_RANGE,      /* IPA at or above 2^ipa_bits: no table is read */
};

#define P2M_WALK_STEPS_MAX  4u   /* levels 0..3 */

struct p2m_walk_step {
	unsigned int level;
	uint64_t table;              /* PA of the table read (the concatenated root as a whole) */
	unsigned int index;          /* entry index in it; the root's counts across its pages */
	uint64_t desc;               /* the descriptor as read */
	enum p2m_desc_kind kind;
	uint64_t oa;                 /* next table (TABLE) or output base (BLOCK, PAGE) */
	uint64_t span;               /* bytes one entry of this level covers */
	/* Leaf attribute fields (Arm ARM "Attribute fields in stage 2 VMSAv8-64
	 * Block and Page descriptors"); zero for tables and invalid entries. */
	unsigned int memattr;        /* MemAttr[5:2] */
	unsigned int s2ap;           /* S2AP[7:6] */
	unsigned int sh;             /* SH[9:8] */
	unsigned int af;             /* AF[10] */
	unsigned int xn;             /* XN[54:53] */
};

struct p2m_walk {
	ipa_t ipa;
	uint64_t vttbr;              /* where the MMU starts: root table | VMID << 48 */
	uint16_t vmid;
	unsigned int ipa_bits;       /* VTCR_EL2.T0SZ = 64 - ipa_bits */
	unsigned int start_level;    /* VTCR_EL2.SL0 */
	unsigned int root_pages;     /* concatenated root tables */
	enum p2m_walk_end end;
	unsigned int count;          /* steps filled */
	struct p2m_walk_step step[P2M_WALK_STEPS_MAX];
	hpa_t pa;                    /* MAPPED: the output address of ipa */
	enum p2m_type type;          /* MAPPED: the leaf's kind */
};

/* Fill @w with the walk of @ipa.  0, or -TS_EINVAL (no table or @w NULL). */
int p2m_walk(const struct p2m *p, ipa_t ipa, struct p2m_walk *w);

/* Descriptor helpers, exposed for the shell's `p2m` dump and for tests. */
uint64_t p2m_leaf_attrs(enum p2m_type type);     /* attribute bits of a leaf */
