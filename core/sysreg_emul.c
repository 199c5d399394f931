/*
 * Trapped system-register accesses (EC 0x18).  HCR_EL2.TID3 traps the ID
 * registers so that a guest never sees a feature whose state Tessera does
 * not switch or allow: SVE, SME, MTE, AMU, MPAM, SPE, trace, AArch32.
 * (-cpu max has them all; DESIGN §1.)
 */
#include "console.h"
#include "partition.h"
#include "sysreg.h"
#include "trap.h"

/* Fields cleared (or, for EL0/EL1, set to "AArch64 only"). */
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
#define DFR0_PMSVER   GENMASK64(35, 32)
#define DFR0_TRACEFILT GENMASK64(43, 40)
#define DFR0_TRACEBUF GENMASK64(47, 44)
#define DFR0_BRBE     GENMASK64(55, 52)
#define DFR0_TRACEVER GENMASK64(7, 4)

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
		v = sysreg_read(id_aa64dfr0_el1);
		v &= ~(DFR0_PMSVER | DFR0_TRACEFILT | DFR0_TRACEBUF | DFR0_BRBE | DFR0_TRACEVER);
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

bool sysreg_emulate(struct gp_regs *f, uint64_t esr)
{
	unsigned int op0 = (unsigned int)field_get(ESR_SYS_OP0, esr);
	unsigned int op1 = (unsigned int)field_get(ESR_SYS_OP1, esr);
	unsigned int crn = (unsigned int)field_get(ESR_SYS_CRN, esr);
	unsigned int crm = (unsigned int)field_get(ESR_SYS_CRM, esr);
	unsigned int op2 = (unsigned int)field_get(ESR_SYS_OP2, esr);
	unsigned int rt = (unsigned int)field_get(ESR_SYS_RT, esr);
	bool read = esr & ESR_SYS_READ;
	uint64_t val = 0;

	if (op0 == 3 && op1 == 0 && crn == 0 && crm >= 1 && read) {
		id_reg_read(crm, op2, &val);
	} else if (op0 == 3 && op1 == 0 && crn == 12 && crm == 11 && op2 >= 5 && !read) {
		/* ICC_SGI1R_EL1, ICC_ASGI1R_EL1, ICC_SGI0R_EL1: trapped by HCR_EL2.IMO/FMO. */
		vgic_send_sgi(current_vcpu(), rt == 31 ? 0 : f->x[rt]);
	} else if (op0 == 3 && op1 == 3 && crn == 14 && crm == 2) {
		/* EL1 physical timer (CNTHCTL_EL2.EL1PCEN = 0): RAZ/WI; guests use the virtual timer. */
	} else {
		log_line("%s: %s of system register S%u_%u_C%u_C%u_%u: undefined instruction injected",
			 current_vcpu()->part->cfg->name, read ? "read" : "write", op0, op1, crn, crm,
			 op2);
		return false;
	}
	if (read && rt != 31)
		f->x[rt] = val;
	return true;
}
