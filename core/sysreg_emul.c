/*
 * Trapped system-register accesses (EC 0x18) and AArch32 EL0 coprocessor
 * accesses (EC 0x03..0x0C).
 *
 * HCR_EL2.TID3 traps the ID registers so that a guest never sees a feature
 * whose state Tessera does not switch or allow: SVE, SME, MTE, AMU, MPAM,
 * SPE, trace, AArch32, the PMU (-cpu max has them all; DESIGN §1).
 * MDCR_EL2 (sysreg_vcpu_reset) traps the PMU, which would count the
 * hypervisor's own cycles, and every self-hosted debug register: the guest
 * keeps what Linux needs (MDSCR_EL1's step and enable bits, the OS lock,
 * both kept in this CPU's own registers, so a vCPU start resets them) and
 * the rest reads as zero and ignores writes: no breakpoint, watchpoint, DCC
 * or power-down state ever reaches the hardware.  HCR_EL2.TIDCP and TACR
 * trap the IMPLEMENTATION DEFINED registers.
 */
#include <stddef.h>

#include "console.h"
#include "partition.h"
#include "sysreg.h"
#include "trap.h"

/* ID register fields cleared (or, for EL0/EL1, set to "AArch64 only"). */
#define PFR0_EL0      GENMASK64(3, 0)
#define PFR0_EL1      GENMASK64(7, 4)
#define PFR0_SVE      GENMASK64(35, 32)
#define PFR0_SEL2     GENMASK64(39, 36)
#define PFR0_MPAM     GENMASK64(43, 40)
#define PFR0_AMU      GENMASK64(47, 44)
#define PFR0_A64_ONLY 1u
#define PFR1_MTE      GENMASK64(11, 8)
#define PFR1_MPAM_FRAC GENMASK64(19, 16)
#define PFR1_SME      GENMASK64(27, 24)
#define PFR1_NMI      GENMASK64(39, 36)
#define DFR0_TRACEBUF GENMASK64(47, 44)
#define DFR0_BRBE     GENMASK64(55, 52)
#define DFR0_TRACEVER GENMASK64(7, 4)
#define DFR0_BRPS     GENMASK64(15, 12)   /* breakpoints - 1 */
#define DFR0_WRPS     GENMASK64(23, 20)   /* watchpoints - 1 */

/* A trapped access, decoded from the ISS (MSR/MRS: op0 op1 CRn CRm op2 Rt, direction). */
struct sysreg_access {
	unsigned int op0, op1, crn, crm, op2, rt;
	bool read;
	bool el0;
};

#define ENC(op0, op1, crn, crm, op2) ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))

static unsigned int sysreg_enc(const struct sysreg_access *a)
{
	return ENC(a->op0, a->op1, a->crn, a->crm, a->op2);
}

static bool id_reg_read(unsigned int crm, unsigned int op2, uint64_t *val)
{
	uint64_t v;
	switch ((crm << 3) | op2) {
	case (4 << 3) | 0:
		v = sysreg_read(id_aa64pfr0_el1);
		v &= ~(PFR0_EL0 | PFR0_EL1 | PFR0_SVE | PFR0_SEL2 | PFR0_MPAM | PFR0_AMU);
		v |= field_prep(PFR0_EL0, PFR0_A64_ONLY) | field_prep(PFR0_EL1, PFR0_A64_ONLY);
		break;
	case (4 << 3) | 1:
		v = sysreg_read(id_aa64pfr1_el1);
		v &= ~(PFR1_MTE | PFR1_MPAM_FRAC | PFR1_SME | PFR1_NMI);
		break;
	case (5 << 3) | 0:
		/* No PMU (PMUVer 0); OSDLR_EL1 reads as zero: no double lock. */
		v = sysreg_read(id_aa64dfr0_el1);
		v &= ~(DFR0_PMSVER | DFR0_TRACEFILT | DFR0_TRACEBUF | DFR0_BRBE | DFR0_TRACEVER |
		       DFR0_PMUVER | DFR0_DOUBLELOCK);
		v |= field_prep(DFR0_DOUBLELOCK, DFR0_DOUBLELOCK_NONE);
		break;
	case (5 << 3) | 1: v = sysreg_read(id_aa64dfr1_el1); break;
	case (6 << 3) | 0: v = sysreg_read(id_aa64isar0_el1); break;
	case (6 << 3) | 1: v = sysreg_read(id_aa64isar1_el1); break;
	case (6 << 3) | 2: v = sysreg_read(id_aa64isar2_el1); break;
	case (7 << 3) | 0: v = sysreg_read(id_aa64mmfr0_el1); break;
	case (7 << 3) | 1: v = sysreg_read(id_aa64mmfr1_el1); break;
	case (7 << 3) | 2: v = sysreg_read(id_aa64mmfr2_el1); break;
	default:
		/* ZFR0, SMFR0, AFR*, reserved and every AArch32 ID register: RAZ. */
		v = 0;
		break;
	}
	*val = v;
	return true;
}

/* ---- self-hosted debug (op0 = 2; D19.3, "Debug registers") ------------- */

#define DBG_BANK_CRN  0          /* DBGB/WVR/CR<n>_EL1: op1 0, CRn 0, CRm n, op2 4..7 */
#define DBG_OP2_BVR   4
#define DBG_OP2_BCR   5
#define DBG_OP2_WVR   6
#define DBG_OP2_WCR   7

enum { DBG_RAZ_WI, DBG_RO_RAZ, DBG_MDSCR, DBG_OSLAR, DBG_OSLSR, DBG_NONE };

/* How each trapped debug register is emulated; EL0 reaches only the DCC ones. */
static int debug_kind(const struct sysreg_access *a, bool *el0_ok)
{
	*el0_ok = false;
	switch (sysreg_enc(a)) {
	case ENC(2, 0, 0, 2, 2): return DBG_MDSCR;        /* MDSCR_EL1 */
	case ENC(2, 0, 1, 0, 4): return DBG_OSLAR;        /* OSLAR_EL1 */
	case ENC(2, 0, 1, 1, 4): return DBG_OSLSR;        /* OSLSR_EL1 */
	case ENC(2, 0, 1, 0, 0):                          /* MDRAR_EL1: no debug ROM */
	case ENC(2, 0, 7, 14, 6):                         /* DBGAUTHSTATUS_EL1 */
		return DBG_RO_RAZ;
	case ENC(2, 3, 0, 1, 0):                          /* MDCCSR_EL0 */
		*el0_ok = true;
		return DBG_RO_RAZ;
	case ENC(2, 3, 0, 4, 0):                          /* DBGDTR_EL0 */
	case ENC(2, 3, 0, 5, 0):                          /* DBGDTRRX_EL0 / DBGDTRTX_EL0 */
		*el0_ok = true;
		return DBG_RAZ_WI;
	case ENC(2, 0, 0, 0, 2):                          /* OSDTRRX_EL1 */
	case ENC(2, 0, 0, 3, 2):                          /* OSDTRTX_EL1 */
	case ENC(2, 0, 0, 6, 2):                          /* OSECCR_EL1 */
	case ENC(2, 0, 0, 2, 0):                          /* MDCCINT_EL1 */
	case ENC(2, 0, 1, 3, 4):                          /* OSDLR_EL1 */
	case ENC(2, 0, 1, 4, 4):                          /* DBGPRCR_EL1 */
	case ENC(2, 0, 7, 8, 6):                          /* DBGCLAIMSET_EL1 */
	case ENC(2, 0, 7, 9, 6):                          /* DBGCLAIMCLR_EL1 */
		return DBG_RAZ_WI;
	default:
		break;
	}
	if (a->op1 != 0 || a->crn != DBG_BANK_CRN || a->op2 < DBG_OP2_BVR)
		return DBG_NONE;
	/* Breakpoint and watchpoint n exist up to ID_AA64DFR0_EL1.BRPs/WRPs. */
	uint64_t dfr0 = sysreg_read(id_aa64dfr0_el1);
	uint64_t last = a->op2 <= DBG_OP2_BCR ? field_get(DFR0_BRPS, dfr0) : field_get(DFR0_WRPS, dfr0);
	return a->crm <= last ? DBG_RAZ_WI : DBG_NONE;
}

static enum sysreg_result debug_access(const struct sysreg_access *a, uint64_t in, uint64_t *out)
{
	bool el0_ok;
	int kind = debug_kind(a, &el0_ok);
	if (kind == DBG_NONE || (a->el0 && !el0_ok))
		return SYSREG_UNDEF;
	switch (kind) {
	case DBG_MDSCR:
		if (a->read)
			*out = sysreg_read(mdscr_el1) & MDSCR_EL1_GUEST;
		else
			sysreg_write(mdscr_el1, in & MDSCR_EL1_GUEST);
		return SYSREG_EMULATED;
	case DBG_OSLAR:
		if (a->read)
			return SYSREG_UNDEF;                    /* write-only */
		sysreg_write(oslar_el1, in & OSLAR_EL1_OSLK);
		return SYSREG_EMULATED;
	case DBG_OSLSR:
	case DBG_RO_RAZ:
		if (!a->read)
			return SYSREG_UNDEF;                    /* read-only */
		*out = kind == DBG_OSLSR ? sysreg_read(oslsr_el1) : 0;
		return SYSREG_EMULATED;
	default:
		*out = 0;                                       /* RAZ/WI */
		return SYSREG_EMULATED;
	}
}

/* PMU and SPE registers (D23.5, D24.x): absent as far as the guest knows. */
static bool is_pmu_or_spe(const struct sysreg_access *a)
{
	if (a->op0 != 3)
		return false;
	if (a->op1 == 3 && a->crn == 9 && a->crm >= 12 && a->crm <= 14)
		return true;                                    /* PMCR_EL0 ... PMOVSSET_EL0 */
	if (a->op1 == 3 && a->crn == 14 && a->crm >= 8)
		return true;                                    /* PMEVCNTR<n>, PMEVTYPER<n>, PMCCFILTR */
	if (a->op1 == 0 && a->crn == 9 && (a->crm == 9 || a->crm == 10 || a->crm == 14))
		return true;                                    /* SPE; PMINTEN*_EL1, PMMIR_EL1 */
	return a->op1 == 0 && a->crn == 1 && a->crm == 2 && a->op2 == 1;   /* TRFCR_EL1 */
}

/* op0 3, CRn 11 or 15: reserved for IMPLEMENTATION DEFINED registers (D18.3.2). */
static bool is_impdef(const struct sysreg_access *a)
{
	return a->op0 == 3 && (a->crn == 11 || a->crn == 15);
}

static enum sysreg_result sysreg_access(const struct sysreg_access *a, uint64_t in,
					uint64_t *out)
{
	if (a->op0 == 2)
		return debug_access(a, in, out);
	if (is_pmu_or_spe(a))
		return SYSREG_UNDEF_HIDDEN;
	if (a->op0 == 3 && a->op1 == 3 && a->crn == 14 && a->crm == 2)
		return SYSREG_EMULATED;     /* EL1 physical timer (CNTHCTL_EL2.EL1PCEN = 0): RAZ/WI */
	if (a->el0 || is_impdef(a))
		return SYSREG_UNDEF;
	if (a->op0 == 3 && a->op1 == 0 && a->crn == 0 && a->crm >= 1 && a->read)
		return id_reg_read(a->crm, a->op2, out) ? SYSREG_EMULATED : SYSREG_UNDEF;
	if (a->op0 == 3 && a->op1 == 0 && a->crn == 12 && a->crm == 11 && a->op2 >= 5 && !a->read) {
		/* ICC_SGI1R_EL1, ICC_ASGI1R_EL1, ICC_SGI0R_EL1: trapped by HCR_EL2.IMO/FMO. */
		vgic_send_sgi(current_vcpu(), in);
		return SYSREG_EMULATED;
	}
	if (sysreg_enc(a) == ENC(3, 0, 1, 0, 1))
		return SYSREG_EMULATED;     /* ACTLR_EL1 (HCR_EL2.TACR): RAZ/WI */
	return SYSREG_UNDEF;
}

enum sysreg_result sysreg_emulate(struct gp_regs *f, uint64_t esr)
{
	struct sysreg_access a = {
		.op0 = (unsigned int)field_get(ESR_SYS_OP0, esr),
		.op1 = (unsigned int)field_get(ESR_SYS_OP1, esr),
		.crn = (unsigned int)field_get(ESR_SYS_CRN, esr),
		.crm = (unsigned int)field_get(ESR_SYS_CRM, esr),
		.op2 = (unsigned int)field_get(ESR_SYS_OP2, esr),
		.rt = (unsigned int)field_get(ESR_SYS_RT, esr),
		.read = esr & ESR_SYS_READ,
		.el0 = spsr_from_el0(f->spsr),
	};
	uint64_t val = 0;
	enum sysreg_result r = sysreg_access(&a, a.rt == 31 ? 0 : f->x[a.rt], &val);
	if (r == SYSREG_EMULATED && a.read && a.rt != 31)
		f->x[a.rt] = val;
	return r;
}

/*
 * AArch32 EL0 (EL1 is AArch64, so nothing else runs AArch32): only the EL1
 * physical timer's CP15 registers trap here on their own (CNTP_CTL, CNTP_TVAL:
 * MRC/MCR p15, 0, Rt, c14, c2, {1,0}; CNTP_CVAL: MRRC/MCRR p15, 2, Rt, Rt2,
 * c14), read as zero and ignore writes as in AArch64.  Rt 15 (APSR_nzcv)
 * transfers nothing.
 */
#define A32_RT_PC     15u
#define CP15_TIMER_CRN 14u
#define CP15_TIMER_CRM 2u
#define CP15_CVAL_OPC1 2u
#define CP15_CVAL_CRM 14u

enum sysreg_result sysreg_emulate_cp15(struct gp_regs *f, uint64_t esr)
{
	unsigned int ec = (unsigned int)field_get(ESR_EC, esr);
	unsigned int rt = (unsigned int)field_get(ESR_CP_RT, esr);
	unsigned int crm = (unsigned int)field_get(ESR_CP_CRM, esr);
	bool timer;
	if (ec == ESR_EC_CP15_32)
		timer = field_get(ESR_CP32_OPC1, esr) == 0 && field_get(ESR_CP32_OPC2, esr) <= 1 &&
			field_get(ESR_CP32_CRN, esr) == CP15_TIMER_CRN && crm == CP15_TIMER_CRM;
	else if (ec == ESR_EC_CP15_64)
		timer = field_get(ESR_CP64_OPC1, esr) == CP15_CVAL_OPC1 && crm == CP15_CVAL_CRM;
	else
		return SYSREG_UNDEF;                            /* CP14: debug, DCC */
	if (!timer)
		return SYSREG_UNDEF;
	if (esr & ESR_CP_READ) {
		if (rt != A32_RT_PC)
			f->x[rt] = 0;
		unsigned int rt2 = (unsigned int)field_get(ESR_CP64_RT2, esr);
		if (ec == ESR_EC_CP15_64 && rt2 != A32_RT_PC)
			f->x[rt2] = 0;
	}
	return SYSREG_EMULATED;
}

/*
 * CPTR_EL2 while a guest runs (boot/vectors.S guest_resume): FP/SIMD on,
 * SVE and SME trapped (hidden), and where the CPU has them the activity
 * monitors (TAM: their cycle counter counts at EL2 too, a timing channel
 * like the PMU's) and system-register trace (TTA), both hidden.  The bits
 * stay 0 (RES0) on CPUs without the feature.
 */
_Static_assert(offsetof(struct pcpu, guest_cptr) == PCPU_GUEST_CPTR_OFF,
	       "PCPU_GUEST_CPTR in boot/vectors.S");

static uint64_t sysreg_guest_cptr(uint64_t dfr0)
{
	uint64_t cptr = CPTR_EL2_FP_ON;
	if (field_get(PFR0_AMU, sysreg_read(id_aa64pfr0_el1)))
		cptr |= CPTR_EL2_TAM;
	if (field_get(DFR0_TRACEVER, dfr0))
		cptr |= CPTR_EL2_TTA;
	return cptr;
}

/*
 * MDCR_EL2 for guests: PMU trapped (TPM, TPMCR) and, where the PMU can,
 * counting at EL2 prohibited (HPMD, HCCD); every debug register trapped
 * (TDA, TDOSA, TDRA); debug exceptions stay at EL1 (TDE = 0); SPE and trace
 * filter controls trapped where implemented (TPMS with E2PB = 0b00, TTRF).
 * HPMN keeps its reset value, PMCR_EL0.N: all counters stay in EL1's range,
 * which the guest cannot reach anyway.  Then this CPU's debug state as after
 * a cold reset: no step or debug enable, OS lock locked.
 */
void sysreg_vcpu_reset(void)
{
	uint64_t dfr0 = sysreg_read(id_aa64dfr0_el1);
	uint64_t pmu = field_get(DFR0_PMUVER, dfr0);
	uint64_t mdcr = MDCR_EL2_TPM | MDCR_EL2_TPMCR | MDCR_EL2_TDA | MDCR_EL2_TDOSA | MDCR_EL2_TDRA;
	if (pmu >= DFR0_PMUVER_V3 && pmu != DFR0_PMUVER_IMPDEF) {
		mdcr |= sysreg_read(mdcr_el2) & MDCR_EL2_HPMN;
		if (pmu >= DFR0_PMUVER_V3P1)
			mdcr |= MDCR_EL2_HPMD;
		if (pmu >= DFR0_PMUVER_V3P5)
			mdcr |= MDCR_EL2_HCCD;
	}
	if (field_get(DFR0_PMSVER, dfr0))
		mdcr |= MDCR_EL2_TPMS;
	if (field_get(DFR0_TRACEFILT, dfr0))
		mdcr |= MDCR_EL2_TTRF;
	sysreg_write(mdcr_el2, mdcr);
	sysreg_write(mdscr_el1, 0);
	sysreg_write(oslar_el1, OSLAR_EL1_OSLK);
	this_pcpu()->guest_cptr = sysreg_guest_cptr(dfr0);
}
