/*
 * Running a vCPU on its pinned physical CPU, and the idle loop.  A CPU's
 * guest frame sits at the top of its stack (boot/vectors.S), so entering a
 * vCPU discards whatever C frames were below it.
 *
 * EL1 state is never context-switched: vCPUs are pinned 1:1, so only a
 * (re)start resets it.
 */
#include <stddef.h>
#include <string.h>

#include "console.h"
#include "control.h"
#include "gic.h"
#include "irq.h"
#include "partition.h"
#include "sysreg.h"
#include "trap.h"

#define SCTLR_EL1_RES1 (BIT64(11) | BIT64(20) | BIT64(22) | BIT64(23) | BIT64(28) | BIT64(29))

/* The guest's trap configuration, one bit per line (HCR_EL2, D19.2.48). */
#define HCR_EL2_GUEST (HCR_EL2_VM | HCR_EL2_SWIO | HCR_EL2_FMO | HCR_EL2_IMO | HCR_EL2_AMO | \
		       HCR_EL2_FB | HCR_EL2_BSU_IS | HCR_EL2_TSC | HCR_EL2_TID3 | HCR_EL2_TIDCP | \
		       HCR_EL2_TACR | HCR_EL2_RW | HCR_EL2_APK | HCR_EL2_API)

/* boot/vectors.S and boot/entry.S hard-code these. */
_Static_assert(CPTR_EL2_FP_ON == 0x33ff, "CPTR_EL2_FP_ON in boot/*.S");
_Static_assert(sizeof(struct gp_regs) == GP_REGS_SIZE, "FRAME_SIZE in boot/vectors.S");
_Static_assert(offsetof(struct gp_regs, elr) == 248, "ELR offset in boot/vectors.S");
_Static_assert(offsetof(struct gp_regs, spsr) == 256, "FRAME_SPSR in boot/vectors.S");
_Static_assert(offsetof(struct pcpu, guest_fp_saved) == PCPU_GUEST_FP_SAVED_OFF,
	       "PCPU_FP_SAVED in boot/vectors.S");
_Static_assert(offsetof(struct fp_regs, fpsr) == 512, "FPSR offset in boot/vectors.S");
_Static_assert(offsetof(struct pcpu, fp_saves) == PCPU_FP_SAVES_OFF, "PCPU_FP_SAVES in boot/vectors.S");
_Static_assert(GP_REGS_SIZE == 272, "GUEST_FRAME_SIZE in boot/entry.S");

void vcpu_enter_frame(struct gp_regs *f) __attribute__((noreturn));

static struct gp_regs *pcpu_frame(const struct pcpu *pc)
{
	return (struct gp_regs *)(uintptr_t)(pc->stack_top - GP_REGS_SIZE);
}

struct vcpu *current_vcpu(void)
{
	return this_pcpu()->vcpu;
}

static void vcpu_reset_el1(const struct vcpu *v)
{
	struct partition *p = v->part;
	sysreg_write(sctlr_el1, SCTLR_EL1_RES1);
	sysreg_write(cntv_ctl_el0, 0);
	sysreg_write(cntkctl_el1, 0);
	sysreg_write(vmpidr_el2, MPIDR_RES1 | v->id);
	sysreg_write(vpidr_el2, sysreg_read(midr_el1));
	sysreg_write(cntvoff_el2, p->cntvoff);
	sysreg_write(cnthctl_el2, CNTHCTL_EL2_EL1PCTEN);
	sysreg_write(vtcr_el2, p2m_vtcr(p->p2m.ipa_bits, (unsigned int)field_get(
		ID_AA64MMFR0_PARANGE, sysreg_read(id_aa64mmfr0_el1))));
	sysreg_write(vttbr_el2, p2m_vttbr(&p->p2m));
	sysreg_write(hcr_el2, HCR_EL2_GUEST);
	sysreg_vcpu_reset();        /* MDCR_EL2; no debug or PMU state from an earlier run */
	isb();
	/* Nothing cached for this VMID from an earlier run survives. */
	__asm__ volatile("tlbi vmalls12e1\n\tdsb nsh\n\tisb" ::: "memory");
	gic_vcpu_reset();
}

/*
 * A queued start is still wanted (its partition was not stopped meanwhile):
 * take it (ON_PENDING -> ON), with the entry point and context that were
 * stored under the same lock when the vCPU became pending.
 */
static bool vcpu_claim(struct vcpu *v, uint64_t *entry, uint64_t *context)
{
	struct partition *p = v->part;
	spin_lock(&p->lock);
	bool go = life_claim(&p->life, v->id);
	*entry = v->entry;
	*context = v->context;
	spin_unlock(&p->lock);
	return go;
}

static void vcpu_run(struct vcpu *v, uint64_t entry, uint64_t context)
	__attribute__((noreturn));
static void vcpu_run(struct vcpu *v, uint64_t entry, uint64_t context)
{
	struct pcpu *pc = this_pcpu();
	struct gp_regs *f = pcpu_frame(pc);
	pc->vcpu = v;
	memset(f, 0, sizeof(*f));
	f->x[0] = context;
	f->elr = entry;
	f->spsr = SPSR_EL1H_MASKED;
	vcpu_reset_el1(v);
	/*
	 * Interrupts made pending while it was not yet ON (vgic_kick() kicks
	 * only ON vCPUs) go into the list registers now, not at its first exit.
	 * Always, and under the vGIC lock: that is what makes the kick rule safe.
	 */
	vgic_flush(v);
	/* A fresh vCPU sees zeroed FP/SIMD registers, never EL2's leftovers. */
	memset(&pc->guest_fp, 0, sizeof(pc->guest_fp));
	pc->guest_fp_saved = 1;
	vcpu_enter_frame(f);
}

/*
 * next_vcpu is the hand-over: a release store here, after which the target
 * CPU's acquire exchange in pcpu_idle() sees the pointer; what to run
 * (life state, entry, context) it reads under the partition lock.
 */
void vcpu_request_run(struct vcpu *v)
{
	__atomic_store_n(&pcpus[v->pcpu].next_vcpu, v, __ATOMIC_RELEASE);
	pcpu_send_request(v->pcpu, PCPU_REQ_RUN);
}

void pcpu_kick(unsigned int cpu)
{
	dsb_ish();
	sev();
	if (cpu != this_pcpu()->index)
		gic_send_kick(cpu);
}

/*
 * The request word is a release store; its reader (trap_return, the waits)
 * loads it with acquire or, on the guest's way back, after taking the kick
 * SGI that follows the store's DSB (gic_send_kick).
 */
void pcpu_send_request(unsigned int cpu, enum pcpu_request req)
{
	__atomic_store_n(&pcpus[cpu].request, req, __ATOMIC_RELEASE);
	pcpu_kick(cpu);
}

/* Let this CPU's vCPU go if its partition no longer runs it: true when it must not run on. */
static bool vcpu_leave(struct vcpu *v)
{
	struct partition *p = v->part;
	spin_lock(&p->lock);
	bool leave = life_leave(&p->life, v->id);
	spin_unlock(&p->lock);          /* the unlock's SEV wakes a stopper waiting for it */
	return leave;
}

/*
 * Called on the way back to a guest when a request is posted: leave a vCPU
 * whose partition is stopping or restarting (the shell on this CPU may have
 * done it from inside this very exit), and never resume one that is not ON.
 */
void vcpu_check_requests(void)
{
	struct pcpu *pc = this_pcpu();
	if (__atomic_load_n(&pc->request, __ATOMIC_ACQUIRE) == PCPU_REQ_NONE)
		return;
	/* Cleared before serving: a request posted meanwhile sets it again. */
	__atomic_store_n(&pc->request, PCPU_REQ_NONE, __ATOMIC_RELAXED);
	ctl_serve();                /* control requests: may stop or restart this very partition */
	/* Whoever stops a vCPU (this CPU's own included) posts a request first. */
	if (vcpu_leave(pc->vcpu))
		pcpu_idle();
}

/*
 * Asked to stop = still ON in a partition that is STOPPING (the request
 * word is only a wake-up: a control request posted later overwrites it).
 * Once: after that the vCPU is OFF, and no lock (whose unlock SEVs) turns
 * the wait into a spin.
 */
void vcpu_answer_stop(void)
{
	struct pcpu *pc = this_pcpu();
	if (pc->vcpu && vcpu_state(pc->vcpu) == VCPU_ON &&
	    partition_state(pc->vcpu->part) == PART_STOPPING)
		(void)vcpu_leave(pc->vcpu);
}

/* Leave the vCPU this CPU ran, if any (marking it off), and wait for work. */
void pcpu_idle(void)
{
	struct pcpu *pc = this_pcpu();
	/* Still ON in a running partition: going idle is its CPU_OFF. */
	if (pc->vcpu && !vcpu_leave(pc->vcpu))
		partition_cpu_off(pc->vcpu);
	pc->vcpu = NULL;
	vgic_cpu_idle();
	/* Idle with FP usable by EL2: no guest registers are live. */
	pc->guest_fp_saved = 0;
	sysreg_write(cptr_el2, CPTR_EL2_FP_ON);
	isb();
	for (;;) {
		/* The request word only wakes us; what to run is next_vcpu's state. */
		__atomic_store_n(&pc->request, PCPU_REQ_NONE, __ATOMIC_RELAXED);
		ctl_serve();        /* a start served here queues this CPU's vCPU 0 just below */
		struct vcpu *next = __atomic_exchange_n(&pc->next_vcpu, NULL, __ATOMIC_ACQUIRE);
		uint64_t entry, context;
		if (next && vcpu_claim(next, &entry, &context))
			vcpu_run(next, entry, context);
		wfi();      /* IRQs stay masked at EL2: a pending one still wakes WFI */
		irq_handle_pending();
	}
}
