#pragma once
/*
 * System register access and the register fields Tessera uses, named as in
 * the Arm ARM (DDI 0487).  The only place besides the boot assembly with inline
 * assembly for system registers, barriers and TLB maintenance.
 */
#include "types.h"

#define sysreg_read(name) ({ uint64_t v_; \
	__asm__ volatile("mrs %0, " #name : "=r"(v_)); v_; })
#define sysreg_write(name, v) \
	__asm__ volatile("msr " #name ", %0" :: "r"((uint64_t)(v)) : "memory")

static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void dsb_ishst(void) { __asm__ volatile("dsb ishst" ::: "memory"); }
static inline void dsb_sy(void) { __asm__ volatile("dsb sy" ::: "memory"); }
static inline void wfe(void) { __asm__ volatile("wfe" ::: "memory"); }
static inline void sev(void) { __asm__ volatile("sev" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }

/* HCR_EL2 (D19.2.48): the guest's trap configuration. */
#define HCR_EL2_VM    BIT64(0)   /* stage-2 translation on */
#define HCR_EL2_SWIO  BIT64(1)   /* set/way invalidate becomes clean+invalidate */
#define HCR_EL2_FMO   BIT64(3)   /* physical FIQ to EL2, virtual FIQ to guest */
#define HCR_EL2_IMO   BIT64(4)   /* physical IRQ to EL2, virtual IRQ to guest */
#define HCR_EL2_AMO   BIT64(5)   /* SError to EL2 */
#define HCR_EL2_VSE   BIT64(8)   /* pending virtual SError */
#define HCR_EL2_FB    BIT64(9)   /* broadcast TLB/cache maintenance within the inner shareable domain */
#define HCR_EL2_BSU_IS (1ull << 10) /* barriers upgraded to inner shareable */
#define HCR_EL2_TWI   BIT64(13)
#define HCR_EL2_TSC   BIT64(19)  /* trap SMC: no guest reaches the firmware (DESIGN §5) */
#define HCR_EL2_TID3  BIT64(18)  /* trap ID_AA64* reads: hide features we do not switch */
#define HCR_EL2_TIDCP BIT64(20)  /* trap the IMPLEMENTATION DEFINED encodings (D18.3.2) */
#define HCR_EL2_TACR  BIT64(21)  /* trap ACTLR_EL1 (its bits are IMPLEMENTATION DEFINED) */
#define HCR_EL2_TSW   BIT64(22)  /* trap set/way cache maintenance */
#define HCR_EL2_RW    BIT64(31)  /* EL1 is AArch64 */
#define HCR_EL2_APK   BIT64(40)  /* pointer-auth key registers do not trap */
#define HCR_EL2_API   BIT64(41)  /* pointer-auth instructions do not trap */

/* SCTLR_EL2 (D19.2.118). */
#define SCTLR_EL2_M    BIT64(0)
#define SCTLR_EL2_A    BIT64(1)
#define SCTLR_EL2_C    BIT64(2)
#define SCTLR_EL2_SA   BIT64(3)
#define SCTLR_EL2_I    BIT64(12)
#define SCTLR_EL2_WXN  BIT64(19)
#define SCTLR_EL2_RES1 (BIT64(4) | BIT64(5) | BIT64(11) | BIT64(16) | BIT64(18) | \
			BIT64(22) | BIT64(23) | BIT64(28) | BIT64(29))

/* TCR_EL2 without E2H (D19.2.138). */
#define TCR_EL2_T0SZ     GENMASK64(5, 0)
#define TCR_EL2_IRGN0_WB (1ull << 8)
#define TCR_EL2_ORGN0_WB (1ull << 10)
#define TCR_EL2_SH0_IS   (3ull << 12)
#define TCR_EL2_TG0_4K   (0ull << 14)
#define TCR_EL2_PS       GENMASK64(18, 16)
#define TCR_EL2_RES1     (BIT64(23) | BIT64(31))

/* MAIR_EL2 attribute indexes used by the EL2 stage-1 map. */
#define MAIR_IDX_DEVICE  0       /* Device-nGnRnE */
#define MAIR_IDX_NORMAL  1       /* Normal, inner/outer write-back RW-allocate */
#define MAIR_EL2_VALUE   ((0x00ull << (8 * MAIR_IDX_DEVICE)) | (0xFFull << (8 * MAIR_IDX_NORMAL)))

/* CPTR_EL2 without E2H (D19.2.31). */
#define CPTR_EL2_TZ    BIT64(8)  /* trap SVE */
#define CPTR_EL2_TFP   BIT64(10) /* trap FP/SIMD */
#define CPTR_EL2_TSM   BIT64(12) /* trap SME */
#define CPTR_EL2_TTA   BIT64(20) /* trap trace registers (system-register trace) */
#define CPTR_EL2_TAM   BIT64(30) /* trap activity monitors */
#define CPTR_EL2_TCPAC BIT64(31)
#define CPTR_EL2_RES1  (GENMASK64(7, 0) | BIT64(9) | BIT64(13))
/* What EL2 runs with: FP/SIMD on, SVE and SME trapped (hidden from guests). */
#define CPTR_EL2_FP_ON (CPTR_EL2_RES1 | CPTR_EL2_TZ | CPTR_EL2_TSM)

/* CNTHCTL_EL2 without E2H (D19.12.x). */
#define CNTHCTL_EL2_EL1PCTEN BIT64(0) /* EL1 reads CNTPCT without trapping */
#define CNTHCTL_EL2_EL1PCEN  BIT64(1) /* EL1 physical timer access (we trap it) */

/*
 * MDCR_EL2 (D19.3.x, "MDCR_EL2, Monitor Debug Configuration Register"): what
 * a guest's EL1 and EL0 may reach of the PMU and self-hosted debug.  Bits
 * whose feature the CPU lacks are RES0 and stay 0 (core/sysreg_emul.c).
 */
#define MDCR_EL2_HPMN  GENMASK64(4, 0)   /* event counters EL1 may use (the rest: EL2's) */
#define MDCR_EL2_TPMCR BIT64(5)          /* trap PMCR_EL0 */
#define MDCR_EL2_TPM   BIT64(6)          /* trap every PMU register */
#define MDCR_EL2_HPME  BIT64(7)          /* EL2's counters enabled: left 0 */
#define MDCR_EL2_TDE   BIT64(8)          /* debug exceptions to EL2: left 0 (they stay at EL1) */
#define MDCR_EL2_TDA   BIT64(9)          /* trap debug registers (MDSCR, DCC, breakpoints ...) */
#define MDCR_EL2_TDOSA BIT64(10)         /* trap OS lock, double lock, DBGPRCR */
#define MDCR_EL2_TDRA  BIT64(11)         /* trap MDRAR_EL1, the debug ROM address */
#define MDCR_EL2_E2PB  GENMASK64(13, 12) /* SPE buffer: 0b00 = EL2 owns it, EL1 traps */
#define MDCR_EL2_TPMS  BIT64(14)         /* trap SPE (FEAT_SPE) */
#define MDCR_EL2_HPMD  BIT64(17)         /* no event counting at EL2 (FEAT_PMUv3p1) */
#define MDCR_EL2_TTRF  BIT64(19)         /* trap trace filter control (FEAT_TRF) */
#define MDCR_EL2_HCCD  BIT64(23)         /* no cycle counting at EL2 (FEAT_PMUv3p5) */

/* ID_AA64DFR0_EL1 fields (D19.2.x). */
#define DFR0_PMUVER        GENMASK64(11, 8)
#define DFR0_PMSVER        GENMASK64(35, 32)
#define DFR0_TRACEFILT     GENMASK64(43, 40)
#define DFR0_DOUBLELOCK    GENMASK64(39, 36)
#define DFR0_PMUVER_V3     0x1u
#define DFR0_PMUVER_V3P1   0x4u
#define DFR0_PMUVER_V3P5   0x6u
#define DFR0_PMUVER_IMPDEF 0xFu
#define DFR0_DOUBLELOCK_NONE 0xFu

/* PMCR_EL0.N: event counters implemented. */
#define PMCR_EL0_N         GENMASK64(15, 11)

/* MDSCR_EL1 fields a guest controls (D19.3.x): step, DCC trap, kernel debug, debug enable. */
#define MDSCR_EL1_SS       BIT64(0)
#define MDSCR_EL1_TDCC     BIT64(12)
#define MDSCR_EL1_KDE      BIT64(13)
#define MDSCR_EL1_MDE      BIT64(15)
#define MDSCR_EL1_GUEST    (MDSCR_EL1_SS | MDSCR_EL1_TDCC | MDSCR_EL1_KDE | MDSCR_EL1_MDE)

/* OSLAR_EL1.OSLK and OSLSR_EL1 (OSLM = 0b10 in bits 3 and 0: OS lock implemented). */
#define OSLAR_EL1_OSLK     BIT64(0)

/* ESR_ELx (D19.2.40). */
#define ESR_EC             GENMASK64(31, 26)
#define ESR_IL             BIT64(25)
#define ESR_ISS            GENMASK64(24, 0)
#define ESR_EC_UNKNOWN     0x00u
#define ESR_EC_WFX         0x01u
#define ESR_EC_CP15_32     0x03u   /* AArch32 MCR/MRC, coproc 0b1111 */
#define ESR_EC_CP15_64     0x04u   /* AArch32 MCRR/MRRC, coproc 0b1111 */
#define ESR_EC_CP14_32     0x05u   /* AArch32 MCR/MRC, coproc 0b1110 */
#define ESR_EC_CP14_LS     0x06u   /* AArch32 LDC/STC to coproc 0b1110 */
#define ESR_EC_CP14_64     0x0Cu   /* AArch32 MRRC, coproc 0b1110 */
#define ESR_EC_FP_ASIMD    0x07u
#define ESR_EC_ILLEGAL     0x0Eu
#define ESR_EC_SVC64       0x15u
#define ESR_EC_HVC64       0x16u
#define ESR_EC_SMC64       0x17u
#define ESR_EC_SYS64       0x18u
#define ESR_EC_SVE         0x19u
#define ESR_EC_PAC         0x1Cu
#define ESR_EC_IABT_LOW    0x20u
#define ESR_EC_IABT_CUR    0x21u
#define ESR_EC_PC_ALIGN    0x22u
#define ESR_EC_DABT_LOW    0x24u
#define ESR_EC_DABT_CUR    0x25u
#define ESR_EC_SP_ALIGN    0x26u
#define ESR_EC_SERROR      0x2Fu
#define ESR_EC_BRK64       0x3Cu
#define ESR_EC_COUNT       0x40u

/* Data abort ISS (D19.2.40, "ISS encoding for an exception from a Data Abort"). */
#define ESR_DABT_ISV       BIT64(24)
#define ESR_DABT_SAS       GENMASK64(23, 22)
#define ESR_DABT_SSE       BIT64(21)
#define ESR_DABT_SRT       GENMASK64(20, 16)
#define ESR_DABT_SF        BIT64(15)
#define ESR_DABT_CM        BIT64(8)    /* a cache maintenance instruction faulted */
#define ESR_DABT_S1PTW     BIT64(7)
#define ESR_DABT_WNR       BIT64(6)
#define ESR_DABT_DFSC      GENMASK64(5, 0)
#define ESR_FSC_EXTABT     0x10u   /* synchronous external abort, not on a walk */

/* MSR/MRS trap ISS (EC 0x18). */
#define ESR_SYS_OP0   GENMASK64(21, 20)
#define ESR_SYS_OP2   GENMASK64(19, 17)
#define ESR_SYS_OP1   GENMASK64(16, 14)
#define ESR_SYS_CRN   GENMASK64(13, 10)
#define ESR_SYS_RT    GENMASK64(9, 5)
#define ESR_SYS_CRM   GENMASK64(4, 1)
#define ESR_SYS_READ  BIT64(0)

/*
 * Trapped AArch32 coprocessor accesses (ISS for EC 0x03..0x06 and 0x0C):
 * condition, then the MCR/MRC (32) or MCRR/MRRC (64) operands.
 */
#define ESR_CP_CV     BIT64(24)        /* COND is valid */
#define ESR_CP_COND   GENMASK64(23, 20)
#define ESR_CP32_OPC2 GENMASK64(19, 17)
#define ESR_CP32_OPC1 GENMASK64(16, 14)
#define ESR_CP32_CRN  GENMASK64(13, 10)
#define ESR_CP64_OPC1 GENMASK64(19, 16)
#define ESR_CP64_RT2  GENMASK64(14, 10)
#define ESR_CP_RT     GENMASK64(9, 5)
#define ESR_CP_CRM    GENMASK64(4, 1)
#define ESR_CP_READ   BIT64(0)         /* MRC/MRRC */

/* HPFAR_EL2.FIPA holds IPA[51:12] at bits [43:4]. */
#define HPFAR_FIPA    GENMASK64(43, 4)

/* SPSR: the PSTATE a guest vCPU starts with (EL1h, DAIF masked). */
#define SPSR_M_MASK   GENMASK64(3, 0)  /* AArch64 M[3:0]: EL and SP */
#define SPSR_M_EL0T   0x0ull
#define SPSR_M_EL1T   0x4ull
#define SPSR_M_EL1H   0x5ull
#define SPSR_M_A32    BIT64(4)         /* taken from AArch32 (EL0 only here: HCR_EL2.RW) */
#define SPSR_A32_T    BIT64(5)         /* T32 */
#define SPSR_A32_IT10 GENMASK64(26, 25) /* ITSTATE[1:0] */
#define SPSR_A32_IT72 GENMASK64(15, 10) /* ITSTATE[7:2] */
#define SPSR_NZCV     GENMASK64(31, 28)
#define SPSR_PAN      BIT64(22)
#define SPSR_SSBS     BIT64(12)
#define SPSR_D        BIT64(9)
#define SPSR_A        BIT64(8)
#define SPSR_I        BIT64(7)
#define SPSR_F        BIT64(6)
#define SPSR_EL1H_MASKED (SPSR_M_EL1H | SPSR_D | SPSR_A | SPSR_I | SPSR_F)

/* A guest exit from EL0: AArch64 EL0t, or AArch32, which only EL0 runs (HCR_EL2.RW). */
static inline bool spsr_from_el0(uint64_t spsr)
{
	return (spsr & SPSR_M_A32) || (spsr & SPSR_M_MASK) == SPSR_M_EL0T;
}

/* ID_AA64MMFR0_EL1.PARange. */
#define ID_AA64MMFR0_PARANGE GENMASK64(3, 0)

/* MPIDR_EL1 affinity fields (D19.2.86). */
#define MPIDR_AFF0    GENMASK64(7, 0)
#define MPIDR_AFF1    GENMASK64(15, 8)
#define MPIDR_AFF2    GENMASK64(23, 16)
#define MPIDR_AFF3    GENMASK64(39, 32)
#define MPIDR_AFF_MASK (MPIDR_AFF0 | MPIDR_AFF1 | MPIDR_AFF2 | MPIDR_AFF3)
#define MPIDR_RES1    BIT64(31)
