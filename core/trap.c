/*
 * Guest exits: decode ESR_EL2 once, dispatch on the exception class through
 * a const table, and apply the outcome.  Anything a guest can cause is
 * handled here (emulated, injected back, or its partition stopped); it never
 * stops the hypervisor.
 */
#include <stdio.h>

#include "console.h"
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
#define VBAR_OFF_CUR_SPX   0x200ull
#define VBAR_OFF_CUR_SP0   0x000ull
#define VBAR_OFF_LOWER_A64 0x400ull
#define SPSR_M_MASK        GENMASK64(3, 0)
#define SPSR_M_EL1T        0x4ull
#define SPSR_M_EL0T        0x0ull
#define INSN_SIZE          4u


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

static void trap_skip_insn(struct gp_regs *f)
{
	f->elr += INSN_SIZE;
}

/* Enter the guest's EL1 vector as if @esr had been taken there. */
static void inject_sync(struct gp_regs *f, uint64_t esr, uint64_t far)
{
	uint64_t mode = f->spsr & SPSR_M_MASK;
	uint64_t off = mode == SPSR_M_EL1H ? VBAR_OFF_CUR_SPX :
		       mode == SPSR_M_EL1T ? VBAR_OFF_CUR_SP0 : VBAR_OFF_LOWER_A64;
	sysreg_write(elr_el1, f->elr);
	sysreg_write(spsr_el1, f->spsr);
	sysreg_write(esr_el1, esr);
	sysreg_write(far_el1, far);
	f->elr = sysreg_read(vbar_el1) + off;
	f->spsr = SPSR_EL1H_MASKED;
}

void inject_data_abort(struct gp_regs *f, uint64_t far)
{
	bool from_el0 = (f->spsr & SPSR_M_MASK) == SPSR_M_EL0T;
	uint64_t esr = field_prep(ESR_EC, from_el0 ? ESR_EC_DABT_LOW : ESR_EC_DABT_CUR) | ESR_IL |
		       ESR_FSC_EXTABT;
	inject_sync(f, esr, far);
}

static void inject_insn_abort(struct gp_regs *f, uint64_t far)
{
	bool from_el0 = (f->spsr & SPSR_M_MASK) == SPSR_M_EL0T;
	uint64_t esr = field_prep(ESR_EC, from_el0 ? ESR_EC_IABT_LOW : ESR_EC_IABT_CUR) | ESR_IL |
		       ESR_FSC_EXTABT;
	inject_sync(f, esr, far);
}

void inject_undef(struct gp_regs *f)
{
	inject_sync(f, field_prep(ESR_EC, ESR_EC_UNKNOWN) | ESR_IL, 0);
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
	else if (fn == TESSERA_HVC_SHM_DOORBELL)
		f->x[0] = (uint64_t)(int64_t)shm_glue_doorbell(current_vcpu()->part, f->x[1]);
	else
		f->x[0] = SMCCC_RET_NOT_SUPPORTED;     /* the short path: nothing else to look up */
}

static void trap_smc(struct gp_regs *f, uint64_t esr)
{
	(void)esr;
	trap_skip_insn(f);       /* SMC traps with ELR at the SMC itself */
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

static bool mmio_emulate(struct partition *p, struct gp_regs *f, uint64_t esr,
			 uint64_t at)
{
	if (!(esr & ESR_DABT_ISV))
		return false;
	unsigned int size = 1u << field_get(ESR_DABT_SAS, esr);
	unsigned int rt = (unsigned int)field_get(ESR_DABT_SRT, esr);
	for (unsigned int i = 0; i < p->mmio_count; i++) {
		const struct mmio_window *w = &p->mmio[i];
		if (at < w->base || at - w->base >= w->size)
			continue;
		uint64_t off = at - w->base;
		if (esr & ESR_DABT_WNR)
			return w->write(p, off, size, rt == 31 ? 0 : f->x[rt]);
		uint64_t val = 0;
		if (!w->read(p, off, size, &val))
			return false;
		if (rt != 31)
			f->x[rt] = mmio_extend(esr, size, val);
		return true;
	}
	return false;
}

/* Log the first aborts of a run; a guest looping on one must not flood the console. */
static bool abort_should_log(struct partition *p)
{
	uint64_t n = __atomic_add_fetch(&p->aborts, 1, __ATOMIC_RELAXED);
	if (n == PART_ABORTS_LOGGED + 1)
		log_line("%s: further aborts are counted, not logged", p->cfg->name);
	return n <= PART_ABORTS_LOGGED;
}

static void trap_dabt(struct gp_regs *f, uint64_t esr)
{
	struct partition *p = current_vcpu()->part;
	uint64_t at = trap_ipa();
	if (mmio_emulate(p, f, esr, at)) {
		trap_skip_insn(f);
		return;
	}
	if (!abort_should_log(p)) {
		inject_data_abort(f, trap_far());
		return;
	}
	char what[80];
	if (mmio_find(p, at))
		snprintf(what, sizeof(what), "access to an emulated device that gives no syndrome "
			 "(use single loads and stores)");
	else
		shm_glue_describe_fault(p, at, what, sizeof(what));
	log_line("%s: data abort: %s at IPA 0x%llx (pc 0x%llx, %s): injected", vcpu_name(), what,
		 (unsigned long long)at, (unsigned long long)f->elr,
		 esr & ESR_DABT_WNR ? "write" : "read");
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
	if (sysreg_emulate(f, esr))
		trap_skip_insn(f);
	else
		inject_undef(f);
}

static void trap_undef(struct gp_regs *f, uint64_t esr)
{
	log_line("%s: unhandled exception class 0x%x (ESR 0x%llx, pc 0x%llx): undefined "
		 "instruction injected", vcpu_name(), (unsigned int)field_get(ESR_EC, esr), (unsigned long long)esr,
		 (unsigned long long)f->elr);
	inject_undef(f);
}

static void trap_silent_undef(struct gp_regs *f, uint64_t esr)
{
	(void)esr;
	inject_undef(f);     /* SVE/SME are hidden in the ID registers: an undef is what a guest expects */
}

static trap_fn *const trap_table[ESR_EC_COUNT] = {
	[ESR_EC_HVC64]    = trap_hvc,
	[ESR_EC_SMC64]    = trap_smc,
	[ESR_EC_DABT_LOW] = trap_dabt,
	[ESR_EC_IABT_LOW] = trap_iabt,
	[ESR_EC_SYS64]    = trap_sysreg,
	[ESR_EC_SVE]      = trap_silent_undef,
};

/* On the way back to the guest: count the exit, then the rare work, each behind one test. */
static inline void trap_return(struct pcpu *pc)
{
	struct vcpu *v = pc->vcpu;
	v->exits++;
	v->fp_saves += pc->guest_fp_saved;
	if (__builtin_expect(pc->request != PCPU_REQ_NONE, 0))
		vcpu_check_requests();
	if (v->vgic.lr_used | v->vgic.maybe_pending)
		vgic_flush(v);
}

void trap_guest_sync(struct gp_regs *f)
{
	uint64_t esr = sysreg_read(esr_el2);
	trap_fn *fn = trap_table[field_get(ESR_EC, esr)];
	(fn ? fn : trap_undef)(f, esr);
	trap_return(this_pcpu());
}

void trap_guest_irq(struct gp_regs *f)
{
	(void)f;
	struct pcpu *pc = this_pcpu();
	/* The common case, a timer tick with nothing else in flight: straight into a list register. */
	uint32_t intid = gic_ack();
	if (intid == GIC_PPI_VTIMER && vgic_timer_fast(pc->vcpu)) {
		gic_eoi(intid);
		pc->vcpu->exits++;
		if (__builtin_expect(pc->request != PCPU_REQ_NONE, 0))
			vcpu_check_requests();
		return;
	}
	irq_handle_one(intid);
	irq_handle_pending();
	/* The shell (UART interrupt) may have stopped this very partition. */
	vcpu_check_requests();
	trap_return(this_pcpu());
}

void trap_guest_serror(struct gp_regs *f)
{
	struct partition *p = current_vcpu()->part;
	log_line("%s: SError (ESR 0x%llx, pc 0x%llx): partition stopped", p->cfg->name,
		 (unsigned long long)sysreg_read(esr_el2), (unsigned long long)f->elr);
	partition_stop(p, "SError");
	pcpu_idle();
}
