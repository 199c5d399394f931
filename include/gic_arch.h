#pragma once
/*
 * The GIC's architectural register layout, named once for the physical
 * driver (gic/) and the emulation (vgic/): distributor and redistributor
 * offsets, the SGI register and list-register fields, the INTIDs Tessera
 * itself uses.  (Arm IHI 0069H chapter 12; IHI 0048B for GICv2.)
 */
#include "types.h"

/* INTID space (IHI 0069H 2.2). */
#define GIC_NR_SGIS            16u
#define GIC_PPI_BASE           16u
#define GIC_SPI_BASE           32u
#define GIC_INTID_SPECIAL      1020u     /* 1020..1023: not real interrupts */
#define GIC_INTID_SPURIOUS     1023u

/* Tessera's own interrupts. */
#define GIC_SGI_KICK           0u        /* "look at your pcpu request" */
#define GIC_PPI_MAINTENANCE    25u
#define GIC_PPI_VTIMER         27u       /* EL1 virtual timer */

/* Distributor (GICD_*): the offsets v2 and v3 share, then v3's own. */
#define GICD_CTLR              0x0000
#define GICD_TYPER             0x0004
#define GICD_IIDR              0x0008
#define GICD_IGROUPR           0x0080
#define GICD_ISENABLER         0x0100
#define GICD_ICENABLER         0x0180
#define GICD_ISPENDR           0x0200
#define GICD_ICPENDR           0x0280
#define GICD_ISACTIVER         0x0300
#define GICD_ICACTIVER         0x0380
#define GICD_IPRIORITYR        0x0400
#define GICD_ITARGETSR         0x0800    /* v2: one byte of CPU targets per INTID */
#define GICD_ICFGR             0x0C00
#define GICD_SGIR              0x0F00    /* v2: software generated interrupts */
#define GICD_CPENDSGIR         0x0F10    /* v2: one byte of source CPUs per SGI */
#define GICD_SPENDSGIR         0x0F20
#define GICD_IROUTER           0x6000
#define GICD_PIDR2             0xFFE8
/* One bit per INTID: the register and bit of @intid in a bank at @base. */
#define GICD_BANK_REG(base, intid) ((base) + 4 * ((intid) / 32))
#define GICD_BANK_BIT(intid)       (1u << ((intid) % 32))

#define GICD_CTLR_ENABLE_G1A   BIT64(1)  /* EnableGrp1(A): single security state */
#define GICD_CTLR_ARE          BIT64(4)
#define GICD_CTLR_RWP          BIT64(31)
#define GICD_ICFGR_EDGE        2u        /* Int_config[1] of each 2-bit field */
#define GIC_PIDR2_ARCH         GENMASK64(7, 4)
#define GIC_PIDR2_ARCH_V2      2u
#define GIC_PIDR2_ARCH_V3      3u
#define GICD_TYPER_ITLINES     GENMASK64(4, 0)   /* 32 * (N + 1) INTIDs */
#define GICD_TYPER_CPUNUMBER   GENMASK64(7, 5)   /* v2: CPU interfaces - 1 */

/*
 * GICv2 (IHI 0048B).  GICD_CTLR bit 0 enables forwarding: Enable in the
 * Non-secure view of a GIC with the Security Extensions (4.3.1), EnableGrp0
 * without them, where bit 1 is EnableGrp1.  GICD_TYPER.SecurityExtn says
 * which layout applies (4.3.2).
 */
#define GICD_CTLR_ENABLE       BIT64(0)
#define GICD_CTLR_ENABLE_GRP1  BIT64(1)           /* without the Security Extensions */
#define GICD_TYPER_SECURITYEXTN BIT64(10)
#define GICD_V2_SIZE           0x1000ull          /* the distributor's register map */
#define GICD_ITARGETSR_CPUS    8u                 /* one bit per CPU interface */

/* GICD_SGIR (IHI 0048B 4.3.15). */
#define GICD_SGIR_INTID        GENMASK64(3, 0)
#define GICD_SGIR_NSATT        BIT64(15)
#define GICD_SGIR_TARGETS      GENMASK64(23, 16)
#define GICD_SGIR_FILTER       GENMASK64(25, 24)
#define GICD_SGIR_FILTER_LIST  0u                 /* the CPUs in CPUTargetList */
#define GICD_SGIR_FILTER_OTHERS 1u                /* every CPU but the sender */
#define GICD_SGIR_FILTER_SELF  2u                 /* the sender only */

/*
 * GICv2 CPU interface (GICC_*, IHI 0048B 4.4).  GICC_CTLR: bit 0 enables
 * signalling (EnableGrp1 in the Non-secure view, EnableGrp0 without the
 * Security Extensions) and bit 9 splits priority drop (GICC_EOIR) from
 * deactivation (GICC_DIR): EOImodeNS in the Non-secure view, EOImodeS
 * without the Security Extensions (4.4.1).  GICC_DIR is at 4 KiB, so the
 * frame is 8 KiB.
 */
#define GICC_CTLR              0x0000
#define GICC_PMR               0x0004
#define GICC_IAR               0x000C
#define GICC_EOIR              0x0010
#define GICC_DIR               0x1000
#define GICC_SIZE              0x2000ull
#define GICC_CTLR_ENABLE       BIT64(0)
#define GICC_CTLR_ENABLE_GRP1  BIT64(1)           /* without the Security Extensions */
#define GICC_CTLR_ACKCTL       BIT64(2)           /* GICC_IAR acknowledges Group 1 too */
#define GICC_CTLR_EOIMODE      BIT64(9)
#define GICC_PMR_ALL           0xFFu
#define GICC_IAR_INTID         GENMASK64(9, 0)
#define GICC_IAR_CPUID         GENMASK64(12, 10)  /* an SGI's source CPU */

/*
 * GICv2 virtual interface control (GICH_*, IHI 0048B 5.3): the banked view
 * of the CPU that accesses it.  List registers are 32 bits.
 */
#define GICH_HCR               0x0000
#define GICH_VTR               0x0004
#define GICH_VMCR              0x0008
#define GICH_MISR              0x0010
#define GICH_EISR0             0x0020
#define GICH_EISR1             0x0024
#define GICH_ELRSR0            0x0030
#define GICH_ELRSR1            0x0034
#define GICH_APR               0x00F0
#define GICH_LR0               0x0100
#define GICH_SIZE              0x1000ull
#define GICH_HCR_EN            BIT64(0)
#define GICH_HCR_UIE           BIT64(1)    /* maintenance IRQ when at most one LR is valid */
#define GICH_VTR_LISTREGS      GENMASK64(5, 0)
#define GICH_LR_VIRTUALID      GENMASK64(9, 0)
#define GICH_LR_CPUID          GENMASK64(12, 10)  /* HW = 0: an SGI's source CPU */
#define GICH_LR_PHYSICALID     GENMASK64(19, 10)  /* HW = 1 */
#define GICH_LR_EOI            BIT64(19)          /* HW = 0: maintenance IRQ on deactivation */
#define GICH_LR_PRIORITY       GENMASK64(27, 23)  /* the top 5 bits of the 8-bit priority */
#define GICH_LR_PRIORITY_SHIFT 3u
#define GICH_LR_STATE          GENMASK64(29, 28)
#define GICH_LR_STATE_PENDING  1u
#define GICH_LR_GROUP1         BIT64(30)
#define GICH_LR_HW             BIT64(31)

/* Redistributor (GICR_*): RD_base frame, then SGI_base 64 KiB above it. */
#define GICR_CTLR              0x0000
#define GICR_IIDR              0x0004
#define GICR_TYPER             0x0008
#define GICR_WAKER             0x0014
#define GICR_PIDR2             0xFFE8
#define GICR_SGI_BASE          0x10000ull
#define GICR_FRAME_STRIDE      0x20000ull
#define GICR_TYPER_LAST        BIT64(4)
#define GICR_TYPER_AFF         GENMASK64(63, 32)
#define GICR_WAKER_SLEEP       BIT64(1)  /* ProcessorSleep */
#define GICR_WAKER_ASLEEP      BIT64(2)  /* ChildrenAsleep */

/* ICC_SGI1R_EL1 (IHI 0069H 12.2.23). */
#define ICC_SGI1R_TARGETS      GENMASK64(15, 0)
#define ICC_SGI1R_AFF1         GENMASK64(23, 16)
#define ICC_SGI1R_INTID        GENMASK64(27, 24)
#define ICC_SGI1R_AFF2         GENMASK64(39, 32)
#define ICC_SGI1R_IRM          BIT64(40)
#define ICC_SGI1R_RS           GENMASK64(47, 44)
#define ICC_SGI1R_AFF3         GENMASK64(55, 48)

/* ICH_LR<n>_EL2 (IHI 0069H 12.5.10) and ICH_HCR_EL2 / ICH_VTR_EL2. */
#define ICH_LR_VINTID          GENMASK64(31, 0)
#define ICH_LR_PINTID          GENMASK64(44, 32)
#define ICH_LR_EOI             BIT64(41)  /* maintenance IRQ on deactivation (HW = 0) */
#define ICH_LR_PRIORITY        GENMASK64(55, 48)
#define ICH_LR_GROUP1          BIT64(60)
#define ICH_LR_HW              BIT64(61)
#define ICH_LR_STATE           GENMASK64(63, 62)
#define ICH_LR_STATE_PENDING   1u
#define ICH_HCR_EN             BIT64(0)
#define ICH_HCR_UIE            BIT64(1)   /* maintenance IRQ when at most one LR is valid */
#define ICH_VTR_LISTREGS       GENMASK64(4, 0)
