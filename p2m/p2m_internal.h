#pragma once
/*
 * Stage-2 descriptor and VTCR_EL2 field layout used by p2m/.  Private to the
 * module (p2m_table.c and p2m_hw.c); everything else goes through p2m.h.
 * Values checked against the Arm ARM (DDI 0487): "Attribute fields in stage 2
 * VMSAv8-64 Block and Page descriptors", "Stage 2 memory region type and
 * attributes" (FEAT_S2FWB off), and the VTCR_EL2 register description.
 */
#include "types.h"

/* Granule geometry: 4 KiB pages, 512 entries per table, levels 0..3. */
#define P2M_PAGE_SHIFT      12u
#define P2M_PAGE_SIZE       SZ_4K
#define P2M_LEVEL_BITS      9u
#define P2M_ENTRIES         (1u << P2M_LEVEL_BITS)
#define P2M_LAST_LEVEL      3u
#define P2M_BLOCK_LEVEL_MIN 1u              /* DS = 0: no level-0 blocks (1 GiB is the largest) */
#define P2M_OA_BITS         48u             /* VTCR_EL2.DS = 0: no 52-bit OA */
#define P2M_ROOT_PAGES_MAX  16u             /* concatenation limit at the initial lookup */

/* Descriptor type, bits [1:0]. */
#define S2_DESC_VALID       BIT64(0)
#define S2_DESC_TABLE       BIT64(1)        /* levels 0-2: table (1) or block (0); level 3: page (1) */
#define S2_DESC_TYPE        GENMASK64(1, 0)
#define S2_DESC_TYPE_BLOCK  0x1ull
#define S2_DESC_TYPE_TABLE  0x3ull          /* also the level-3 page encoding */
#define S2_DESC_OA          GENMASK64(47, 12) /* output / next-table address */

/* Stage-2 lower attributes. */
#define S2_MEMATTR          GENMASK64(5, 2)
#define S2_MEMATTR_NORMAL_WB    0xFull      /* outer WB [3:2]=0b11, inner WB [1:0]=0b11 */
#define S2_MEMATTR_DEVICE_nGnRE 0x1ull      /* [3:2]=0b00 Device, [1:0]=0b01 nGnRE */
#define S2_S2AP             GENMASK64(7, 6)
#define S2_S2AP_RW          0x3ull
#define S2_SH               GENMASK64(9, 8)
#define S2_SH_INNER         0x3ull
#define S2_AF               BIT64(10)
/* Stage-2 upper attributes: XN[1:0] at [54:53] (FEAT_XNX).  0b10 forbids
 * execution at EL1 and EL0; without FEAT_XNX only bit 54 (XN) is looked at,
 * so 0b10 means execute-never everywhere. */
#define S2_XN               GENMASK64(54, 53)
#define S2_XN_EXEC          0x0ull
#define S2_XN_NEVER         0x2ull

/* VTCR_EL2 (register description "VTCR_EL2, Virtualization Translation Control Register"). */
#define VTCR_EL2_T0SZ       GENMASK64(5, 0)
#define VTCR_EL2_SL0        GENMASK64(7, 6)
#define VTCR_EL2_IRGN0      GENMASK64(9, 8)
#define VTCR_EL2_ORGN0      GENMASK64(11, 10)
#define VTCR_EL2_SH0        GENMASK64(13, 12)
#define VTCR_EL2_TG0        GENMASK64(15, 14)
#define VTCR_EL2_PS         GENMASK64(18, 16)
#define VTCR_EL2_VS         BIT64(19)       /* 0: 8-bit VMID */
#define VTCR_EL2_RES1       BIT64(31)
#define VTCR_RGN_WBWA       0x1ull          /* Normal, Write-Back Read/Write-Allocate */
#define VTCR_SH_INNER       0x3ull
#define VTCR_TG0_4K         0x0ull
#define VTCR_SL0_LEVEL2     0x0ull          /* TG0 = 4 KiB */
#define VTCR_SL0_LEVEL1     0x1ull
#define VTCR_SL0_LEVEL0     0x2ull

/* VTTBR_EL2: BADDR[47:1], VMID[63:48] (only [55:48] with VS = 0). */
#define VTTBR_EL2_BADDR     GENMASK64(47, 1)
#define VTTBR_EL2_VMID      GENMASK64(63, 48)
