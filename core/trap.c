/*
 * Guest exits: decode ESR_EL2 once, dispatch on the exception class through
 * a const table, and apply the outcome.  Anything a guest can cause is
 * handled here (emulated, injected back, or its partition stopped); it never
 * stops the hypervisor.
 */
#include <stdio.h>

#include "console.h"
#include "control.h"
#include "gic.h"
#include "irq.h"
#include "partition.h"
#include "psci.h"
#include "public/tessera_hvc.h"
#include "shm_glue.h"
#include "sysreg.h"
#include "trap.h"
#include "vgic.h"

/* Where an exception taken to EL1 enters its vector table (D1.10.2). */
#define VBAR_OFF_CUR_SP0   0x000ull
#define VBAR_OFF_CUR_SPX   0x200ull
#define VBAR_OFF_LOWER_A64 0x400ull
#define VBAR_OFF_LOWER_A32 0x600ull
#define SPSR_SS            BIT64(21)         /* software step (AArch64 and AArch32 SPSR) */
#define A64_INSN_SIZE      4u                /* also a 32-bit T32 or an A32 instruction */
#define T32_NARROW_SIZE    2u                /* a 16-bit T32 instruction: ESR_EL2.IL = 0 */
#define A32_PC_MASK        0xFFFFFFFFull
#define ITSTATE_COND_SHIFT 4
#define ITSTATE_MASK_BITS  0x7u              /* ITSTATE[2:0]: 0 = last instruction of the block */
#define ITSTATE_KEEP       0xE0u             /* ITSTATE[7:5] stay, [4:0] shift left */
#define ITSTATE_SHIFTED    0x1Fu
#define SCTLR_EL1_SPAN     BIT64(23)
#define SCTLR_EL1_DSSBS    BIT64(44)
#define MMFR1_PAN          GENMASK64(23, 20)
#define PFR1_SSBS          GENMASK64(7, 4)

/* The faulting guest VA and IPA of a stage-2 abort (HPFAR_EL2 holds IPA[51:12]). */
static uint64_t trap_far(void)
{
	return sysreg_read(far_el2);
}

static uint64_t trap_ipa(void)
{
	return (field_get(HPFAR_FIPA, sysreg_read(hpfar_el2)) << 12) | (trap_far() & 0xfff);
}

/* A handler gets the frame and ESR_EL2; FAR/HPFAR are read only by the abort handlers. */
typedef void trap_fn(struct gp_regs *f, uint64_t esr);

static bool from_t32(uint64_t spsr)
{
	return (spsr & (SPSR_M_A32 | SPSR_A32_T)) == (SPSR_M_A32 | SPSR_A32_T);
}

/* ITSTATE of a T32 block, split over SPSR[15:10] and SPSR[26:25] (AArch32 SPSR format). */
static uint64_t a32_itstate(uint64_t spsr)
{
	return field_get(SPSR_A32_IT72, spsr) << 2 | field_get(SPSR_A32_IT10, spsr);
}

/* ITAdvance() of the Arm ARM (AArch32 ITSTATE): the next instruction's condition. */
static uint64_t a32_it_advance(uint64_t spsr)
{
	uint64_t it = a32_itstate(spsr);
	if (it == 0)
		return spsr;
	it = (it & ITSTATE_MASK_BITS) == 0 ? 0 :
	     (it & ITSTATE_KEEP) | ((it << 1) & ITSTATE_SHIFTED);
	spsr &= ~(SPSR_A32_IT72 | SPSR_A32_IT10);
	return spsr | field_prep(SPSR_A32_IT72, it >> 2) | field_prep(SPSR_A32_IT10, it & 3);
}

/*
 * Past the trapped instruction: ESR_EL2.IL says 4 bytes, or 2 for a 16-bit
 * T32 one; inside a T32 IT block the ITSTATE moves on with it.  A stepped
 * instruction is complete: SPSR.SS = 0 makes the guest take its software
 * step exception next (D2.12, "Software Step exceptions").
 */
static void trap_skip_insn(struct gp_regs *f, uint64_t esr)
{
	f->elr += esr & ESR_IL ? A64_INSN_SIZE : T32_NARROW_SIZE;
	f->spsr &= ~SPSR_SS;
	if (f->spsr & SPSR_M_A32) {
		f->elr &= A32_PC_MASK;
		if (from_t32(f->spsr))
			f->spsr = a32_it_advance(f->spsr);
	}
}

/*
 * Did a trapped AArch32 instruction pass its condition?  ISS.COND when
 * ISS.CV is set, else the T32 ITSTATE (ESR_ELx ISS for EC 0x03..0x0C); a
 * trap on a failed condition is allowed and must act as a NOP.
 */
static bool a32_cond_passed(uint64_t esr, uint64_t spsr)
{
	unsigned int cond;
	if (esr & ESR_CP_CV) {
		cond = (unsigned int)field_get(ESR_CP_COND, esr);
	} else {
		uint64_t it = a32_itstate(spsr);
		if (it == 0)
			return true;
		cond = (unsigned int)(it >> ITSTATE_COND_SHIFT);
	}
	unsigned int nzcv = (unsigned int)field_get(SPSR_NZCV, spsr);
	bool n = nzcv & 8, z = nzcv & 4, c = nzcv & 2, v = nzcv & 1, r;
	switch (cond >> 1) {
	case 0: r = z; break;                 /* EQ, NE */
	case 1: r = c; break;                 /* CS, CC */
	case 2: r = n; break;                 /* MI, PL */
	case 3: r = v; break;                 /* VS, VC */
	case 4: r = c && !z; break;           /* HI, LS */
	case 5: r = n == v; break;            /* GE, LT */
	case 6: r = n == v && !z; break;      /* GT, LE */
	default: return true;                 /* AL */
	}
	return cond & 1 ? !r : r;
}

/* The vector an exception taken to EL1 uses, given where it came from (D1.10.2). */
static uint64_t inject_vector(uint64_t spsr)
{
	if (spsr & SPSR_M_A32)
		return VBAR_OFF_LOWER_A32;            /* EL0 in AArch32 (EL1 is AArch64: HCR_EL2.RW) */
	switch (spsr & SPSR_M_MASK) {
	case SPSR_M_EL1H: return VBAR_OFF_CUR_SPX;
	case SPSR_M_EL1T: return VBAR_OFF_CUR_SP0;
	default:          return VBAR_OFF_LOWER_A64;
	}
}

/*
 * PSTATE on taking an exception to EL1 (D1.x, "PSTATE on taking an exception
 * to AArch64"): EL1h, DAIF masked; PAN set when SCTLR_EL1.SPAN is 0, SSBS
 * from SCTLR_EL1.DSSBS, where the CPU has those features.
 */
static uint64_t inject_pstate(void)
{
	uint64_t ps = SPSR_EL1H_MASKED, sctlr = sysreg_read(sctlr_el1);
	if (field_get(MMFR1_PAN, sysreg_read(id_aa64mmfr1_el1)) && !(sctlr & SCTLR_EL1_SPAN))
		ps |= SPSR_PAN;
	if (field_get(PFR1_SSBS, sysreg_read(id_aa64pfr1_el1)) && (sctlr & SCTLR_EL1_DSSBS))
		ps |= SPSR_SSBS;
	return ps;
}

/*
 * Enter the guest's EL1 vector as if @esr had been taken there.  ESR.IL is 1
 * for everything injected here: undefined instructions (EC 0x00), aborts
 * without a syndrome (ISV = 0), instruction aborts (ESR_ELx.IL).
 */
static void inject_sync(struct gp_regs *f, uint64_t esr, uint64_t far)
{
	sysreg_write(elr_el1, f->elr);
	sysreg_write(spsr_el1, f->spsr);
	sysreg_write(esr_el1, esr | ESR_IL);
	sysreg_write(far_el1, far);
	f->elr = sysreg_read(vbar_el1) + inject_vector(f->spsr);
	f->spsr = inject_pstate();
}

void inject_data_abort(struct gp_regs *f, uint64_t far)
{
	uint64_t esr = field_prep(ESR_EC, spsr_from_el0(f->spsr) ? ESR_EC_DABT_LOW : ESR_EC_DABT_CUR) |
		       ESR_FSC_EXTABT;
	inject_sync(f, esr, far);
}

static void inject_insn_abort(struct gp_regs *f, uint64_t far)
{
	uint64_t esr = field_prep(ESR_EC, spsr_from_el0(f->spsr) ? ESR_EC_IABT_LOW : ESR_EC_IABT_CUR) |
		       ESR_FSC_EXTABT;
	inject_sync(f, esr, far);
}

void inject_undef(struct gp_regs *f)
{
	inject_sync(f, field_prep(ESR_EC, ESR_EC_UNKNOWN), 0);
}

static const char *vcpu_name(void)
{
	return current_vcpu()->part->cfg->name;
}

/* Function IDs Tessera implements are PSCI's (SMCCC owner 4, standard service). */
#define SMCCC_OWNER_MASK   0x3F000000u
#define SMCCC_OWNER_STD    0x04000000u
#define SMCCC_RET_NOT_SUPPORTED (~0ull)

static void trap_hvc(struct gp_regs *f, uint64_t esr)
{
	(void)esr;
	uint32_t fn = (uint32_t)f->x[0];
	if ((fn & SMCCC_OWNER_MASK) == SMCCC_OWNER_STD)
		psci_guest_call(f);
	else if (fn - TESSERA_HVC_FIRST >= TESSERA_HVC_COUNT)
		f->x[0] = SMCCC_RET_NOT_SUPPORTED;     /* the short path: nothing else to look up */
	else if (fn == TESSERA_HVC_SHM_DOORBELL)
		shm_glue_doorbell_hvc(f);               /* a tail call: no frame here */
	else
		ctl_hvc(this_pcpu()->vcpu->part, f);
}

static void trap_smc(struct gp_regs *f, uint64_t esr)
{
	trap_skip_insn(f, esr);  /* SMC traps with ELR at the SMC itself */
	psci_guest_call(f);
}

static const struct mmio_window *mmio_find(const struct partition *p, uint64_t at)
{
	for (unsigned int i = 0; i < p->mmio_count; i++)
		if (at >= p->mmio[i].base && at - p->mmio[i].base < p->mmio[i].size)
			return &p->mmio[i];
	return NULL;
}

/* LDRSB/LDRSH/LDRSW sign-extend (ISS.SSE); a W destination keeps 32 bits (ISS.SF). */
static uint64_t mmio_extend(uint64_t esr, unsigned int size, uint64_t val)
{
	unsigned int bits = size * 8;
	if (bits < 64) {
		val &= (1ull << bits) - 1;
		if ((esr & ESR_DABT_SSE) && (val & (1ull << (bits - 1))))
			val |= ~0ull << bits;
	}
	return (esr & ESR_DABT_SF) ? val : (uint32_t)val;
}

/* What became of a data abort inside or outside the emulated windows. */
enum mmio_outcome {
	MMIO_DONE,          /* emulated: skip the instruction */
	MMIO_OUTSIDE,       /* no window there */
	MMIO_NO_SYNDROME,   /* pair, writeback, exclusive, atomic, SIMD, DC ZVA: ISV = 0 */
	MMIO_STRADDLES,     /* runs past the end of the window */
	MMIO_REFUSED,       /* the device has no register there at that size */
};

static enum mmio_outcome mmio_emulate(struct partition *p, struct gp_regs *f, uint64_t esr,
				      const struct mmio_window *w, uint64_t at)
{
	if (!w)
		return MMIO_OUTSIDE;
	if (!(esr & ESR_DABT_ISV))
		return MMIO_NO_SYNDROME;
	unsigned int size = 1u << field_get(ESR_DABT_SAS, esr);
	unsigned int rt = (unsigned int)field_get(ESR_DABT_SRT, esr);
	uint64_t off = at - w->base;
	if (size > w->size - off)
		return MMIO_STRADDLES;
	if (esr & ESR_DABT_WNR) {
		uint64_t val = rt == 31 ? 0 : f->x[rt];
		if (size < 8)
			val &= (1ull << (size * 8)) - 1;      /* AArch32 registers' upper halves too */
		return w->write(p, off, size, val) ? MMIO_DONE : MMIO_REFUSED;
	}
	uint64_t val = 0;
	if (!w->read(p, off, size, &val))
		return MMIO_REFUSED;
	if (rt != 31)
		f->x[rt] = mmio_extend(esr, size, val);
	return MMIO_DONE;
}

/* Log the first aborts of a run; a guest looping on one must not flood the console. */
static bool abort_should_log(struct partition *p)
{
	uint64_t n = __atomic_add_fetch(&p->aborts, 1, __ATOMIC_RELAXED);
	if (n == PART_ABORTS_LOGGED + 1)
		log_line("%s: further aborts are counted, not logged", p->cfg->name);
	return n <= PART_ABORTS_LOGGED;
}

/* The same budget for undefined instructions, per partition and run (its start count). */
struct undef_log {
	unsigned int starts;
	uint32_t logged;
};
static struct undef_log undef_logs[CFG_MAX_PARTITIONS];

static bool undef_should_log(struct partition *p)
{
	struct undef_log *u = &undef_logs[p->index];
	if (__atomic_load_n(&u->starts, __ATOMIC_RELAXED) != p->starts) {
		__atomic_store_n(&u->logged, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&u->starts, p->starts, __ATOMIC_RELAXED);
	}
	uint32_t n = __atomic_add_fetch(&u->logged, 1, __ATOMIC_RELAXED);
	if (n == PART_ABORTS_LOGGED + 1)
		log_line("%s: further undefined instructions are not logged", p->cfg->name);
	return n <= PART_ABORTS_LOGGED;
}

static void trap_log_dabt(struct partition *p, const struct gp_regs *f, uint64_t esr,
			  const struct mmio_window *w, enum mmio_outcome o, uint64_t at)
{
	char what[128];
	unsigned int size = 1u << field_get(ESR_DABT_SAS, esr);
	const char *dir = esr & ESR_DABT_WNR ? "write" : "read";
	switch (o) {
	case MMIO_NO_SYNDROME:
		snprintf(what, sizeof(what), "access to the %s that gives no syndrome (use single "
			 "loads and stores)", w->name);
		break;
	case MMIO_STRADDLES:
		snprintf(what, sizeof(what), "%u-byte %s at offset 0x%llx runs past the end of the %s",
			 size, dir, (unsigned long long)(at - w->base), w->name);
		break;
	case MMIO_REFUSED:
		snprintf(what, sizeof(what), "%u-byte %s at offset 0x%llx of the %s (no register of "
			 "that size there)", size, dir, (unsigned long long)(at - w->base), w->name);
		break;
	default:
		shm_glue_describe_fault(p, at, what, sizeof(what));
		break;
	}
	log_line("%s: data abort: %s at IPA 0x%llx (pc 0x%llx, %s): injected", p->cfg->name, what,
		 (unsigned long long)at, (unsigned long long)f->elr, dir);
}

static void trap_dabt(struct gp_regs *f, uint64_t esr)
{
	struct partition *p = current_vcpu()->part;
	/* DC by VA on a window or a hole (ISS.CM): nothing is cached there, nothing to do. */
	if (esr & ESR_DABT_CM) {
		trap_skip_insn(f, esr);
		return;
	}
	uint64_t at = trap_ipa();
	const struct mmio_window *w = mmio_find(p, at);
	enum mmio_outcome o = mmio_emulate(p, f, esr, w, at);
	if (o == MMIO_DONE) {
		trap_skip_insn(f, esr);
		return;
	}
	if (abort_should_log(p))
		trap_log_dabt(p, f, esr, w, o, at);
	inject_data_abort(f, trap_far());
}

static void trap_iabt(struct gp_regs *f, uint64_t esr)
{
	(void)esr;
	if (abort_should_log(current_vcpu()->part))
		log_line("%s: instruction abort at IPA 0x%llx (pc 0x%llx): injected", vcpu_name(),
			 (unsigned long long)trap_ipa(), (unsigned long long)f->elr);
	inject_insn_abort(f, trap_far());
}

static void trap_sysreg(struct gp_regs *f, uint64_t esr)
{
	enum sysreg_result r = sysreg_emulate(f, esr);
	if (r == SYSREG_EMULATED) {
		trap_skip_insn(f, esr);
		return;
	}
	if (r == SYSREG_UNDEF && undef_should_log(current_vcpu()->part))
		log_line("%s: %s of system register S%u_%u_C%u_C%u_%u (pc 0x%llx): undefined "
			 "instruction injected", vcpu_name(), esr & ESR_SYS_READ ? "read" : "write",
			 (unsigned int)field_get(ESR_SYS_OP0, esr),
			 (unsigned int)field_get(ESR_SYS_OP1, esr),
			 (unsigned int)field_get(ESR_SYS_CRN, esr),
			 (unsigned int)field_get(ESR_SYS_CRM, esr),
			 (unsigned int)field_get(ESR_SYS_OP2, esr), (unsigned long long)f->elr);
	inject_undef(f);
}

/*
 * AArch32 EL0's coprocessor accesses that reach EL2 (EC 0x03..0x06, 0x0C):
 * the EL1 physical timer's (CNTHCTL_EL2.EL1PCEN), emulated as in AArch64;
 * anything else (DCC through CP14, ...) is an undefined instruction.
 */
static void trap_cp(struct gp_regs *f, uint64_t esr)
{
	if (!a32_cond_passed(esr, f->spsr)) {
		trap_skip_insn(f, esr);
		return;
	}
	enum sysreg_result r = sysreg_emulate_cp15(f, esr);
	if (r == SYSREG_EMULATED) {
		trap_skip_insn(f, esr);
		return;
	}
	if (r == SYSREG_UNDEF && undef_should_log(current_vcpu()->part))
		log_line("%s: AArch32 coprocessor access (EC 0x%x, ESR 0x%llx, pc 0x%llx): undefined "
			 "instruction injected", vcpu_name(), (unsigned int)field_get(ESR_EC, esr),
			 (unsigned long long)esr, (unsigned long long)f->elr);
	inject_undef(f);
}

static void trap_undef(struct gp_regs *f, uint64_t esr)
{
	if (undef_should_log(current_vcpu()->part))
		log_line("%s: unhandled exception class 0x%x (ESR 0x%llx, pc 0x%llx): undefined "
			 "instruction injected", vcpu_name(), (unsigned int)field_get(ESR_EC, esr),
			 (unsigned long long)esr, (unsigned long long)f->elr);
	inject_undef(f);
}

static void trap_silent_undef(struct gp_regs *f, uint64_t esr)
{
	(void)esr;
	inject_undef(f);     /* SVE/SME are hidden in the ID registers: an undef is what a guest expects */
}

static trap_fn *const trap_table[ESR_EC_COUNT] = {
	[ESR_EC_CP15_32]  = trap_cp,
	[ESR_EC_CP15_64]  = trap_cp,
	[ESR_EC_CP14_32]  = trap_cp,
	[ESR_EC_CP14_LS]  = trap_cp,
	[ESR_EC_CP14_64]  = trap_cp,
	[ESR_EC_HVC64]    = trap_hvc,
	[ESR_EC_SMC64]    = trap_smc,
	[ESR_EC_DABT_LOW] = trap_dabt,
	[ESR_EC_IABT_LOW] = trap_iabt,
	[ESR_EC_SYS64]    = trap_sysreg,
	[ESR_EC_SVE]      = trap_silent_undef,
};

/* On the way back to the guest (the exit is counted by its entry point): the rare work, each behind one test. */
static inline void trap_return(struct pcpu *pc)
{
	struct vcpu *v = pc->vcpu;
	if (__builtin_expect(pc->request != PCPU_REQ_NONE, 0))
		vcpu_check_requests();
	if (v->vgic.lr_used | v->vgic.maybe_pending)
		vgic_flush(v);
}

/* A fast path's answer when its work is done: is trap_return()'s rare work left? */
static inline uint64_t trap_fast_left(const struct pcpu *pc)
{
	const struct vcpu *v = pc->vcpu;
	if (__builtin_expect(pc->request != PCPU_REQ_NONE || (v->vgic.lr_used | v->vgic.maybe_pending), 0))
		return TRAP_SYNC_RETURN;
	return 0;
}

/* Out of line, so that the other hypercall's path is a leaf (no frame). */
static __attribute__((noinline)) uint64_t trap_doorbell_fast(struct gp_regs *f)
{
	shm_glue_doorbell_hvc(f);
	return trap_fast_left(this_pcpu());
}

/*
 * The hypercalls guests make in loops, the doorbell and a function Tessera
 * does not have, as trap_guest_irq_fast() below: only the registers C may
 * clobber are in @f, CPTR_EL2 is the guest's, and nothing here may touch an
 * FP register or take an exception (tests/system/test_build.py checks the
 * code it reaches).  0 when the guest may resume at once, else what
 * trap_guest_sync() has left to do.
 */
uint64_t trap_guest_sync_fast(struct gp_regs *f)
{
	uint64_t esr = sysreg_read(esr_el2);
	uint32_t fn = (uint32_t)f->x[0];
	bool fast_fn = fn == TESSERA_HVC_SHM_DOORBELL || fn - TESSERA_HVC_FIRST >= TESSERA_HVC_COUNT;
	if (field_get(ESR_EC, esr) != ESR_EC_HVC64 || (fn & SMCCC_OWNER_MASK) == SMCCC_OWNER_STD ||
	    !fast_fn)
		return TRAP_SYNC_DISPATCH;
	struct pcpu *pc = this_pcpu();
	pc->exits[ESR_EC_HVC64]++;
	if (fn == TESSERA_HVC_SHM_DOORBELL)
		return trap_doorbell_fast(f);
	f->x[0] = SMCCC_RET_NOT_SUPPORTED;
	return trap_fast_left(pc);
}

/* The rest, with the whole frame saved and FP trapped (lazy FP). */
void trap_guest_sync(struct gp_regs *f, uint64_t left)
{
	struct pcpu *pc = this_pcpu();
	if (left == TRAP_SYNC_DISPATCH) {
		uint64_t esr = sysreg_read(esr_el2);
		uint64_t ec = field_get(ESR_EC, esr);
		pc->exits[ec]++;
		trap_fn *fn = trap_table[ec];
		(fn ? fn : trap_undef)(f, esr);
	}
	trap_return(pc);
}

/* One copy per GIC version, so that gic_is_v2 is read once (GICv2's timer: 112 -> 96). */
static inline __attribute__((always_inline)) uint64_t irq_fast(bool v2)
{
	struct pcpu *pc = this_pcpu();
	uint32_t intid = gic_ack_on(v2);
	pc->exits[PCPU_EXIT_IRQ]++;
	if ((intid == GIC_PPI_VTIMER && vgic_timer_fast(pc->vcpu)) ||
	    vgic_spi_hw_fast(pc->vcpu, intid)) {
		gic_eoi_on(v2, intid);
		if (__builtin_expect(pc->request != PCPU_REQ_NONE, 0))
			return TRAP_IRQ_SLOW | GIC_INTID_SPURIOUS;
		return 0;
	}
	if (intid == GIC_SGI_KICK && pc->request == PCPU_REQ_NONE && vgic_kick_fast(pc->vcpu)) {
		gic_eoi_on(v2, intid);
		gic_deactivate(intid);
		return 0;
	}
	return TRAP_IRQ_SLOW | intid;
}

/*
 * The common interrupts, with nothing else in flight: a timer tick or a
 * passed-through SPI (straight into a list register, hardware-linked), or
 * the kick that brings a doorbell or an SGI alone.  boot/vectors.S has
 * saved only the registers C may clobber, and left CPTR_EL2 the guest's:
 * everything here is Tessera's own code, built -mgeneral-regs-only, and
 * takes no exception.  0 when the guest may resume at once; otherwise
 * TRAP_IRQ_SLOW with the INTID trap_guest_irq() is to handle
 * (GIC_INTID_SPURIOUS: none, a request to see to).
 */
uint64_t trap_guest_irq_fast(void)
{
	return gic_is_v2 ? irq_fast(true) : irq_fast(false);
}

/* The rest, with the whole frame saved and FP trapped (lazy FP). */
void trap_guest_irq(struct gp_regs *f, uint64_t slow)
{
	(void)f;
	irq_handle_one((uint32_t)slow);
	irq_handle_pending();
	/* The shell (UART interrupt) may have stopped this very partition. */
	vcpu_check_requests();
	trap_return(this_pcpu());
}

void trap_guest_serror(struct gp_regs *f)
{
	struct partition *p = current_vcpu()->part;
	this_pcpu()->exits[PCPU_EXIT_SERROR]++;
	log_line("%s: SError (ESR 0x%llx, pc 0x%llx): partition stopped", p->cfg->name,
		 (unsigned long long)sysreg_read(esr_el2), (unsigned long long)f->elr);
	partition_stop(p, "SError");
	pcpu_idle();
}
