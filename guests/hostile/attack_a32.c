/*
 * AArch32 at EL0 (a32.S).  The CPU may support it even though Tessera
 * advertises AArch64 only (ID_AA64PFR0_EL1.EL0), so a guest can run it:
 * its exits reach the hypervisor through VBAR_EL2 + 0x600..0x780, its
 * MMIO accesses may be 16-bit T32 instructions (ESR_EL2.IL = 0), and
 * anything injected back must enter EL1 at VBAR_EL1 + 0x600 (Arm ARM
 * D1.10.2, "lower EL using AArch32").
 */
#include <stddef.h>

#include "hostile.h"

struct a32_ctx {
	uint64_t r[15];
	uint64_t pc;
	uint64_t spsr;
};
_Static_assert(offsetof(struct a32_ctx, pc) == 120, "CTX_PC in a32.S");
_Static_assert(offsetof(struct a32_ctx, spsr) == 128, "CTX_SPSR in a32.S");

/* How a run ended: the exception EL1 took from EL0. */
struct a32_end {
	uint64_t kind, esr, far, elr, spsr;
	uint64_t r[15];
};

void a32_run(struct a32_ctx *ctx);
void a32_exit(void);
extern const char a32_t32_mmio[], a32_a32_mmio[], a32_t32_abort[], a32_a32_abort[];
extern const char a32_a32_ldrd[], a32_a32_cp15[], a32_a32_dcc[], a32_t32_loop[], a32_t32_it[];

/* SPSR for AArch32 User mode (Arm ARM C5.2.18 SPSR_EL1, AArch32 format). */
#define SPSR_A32_USR		0x10u	/* M[4] = 1: AArch32; M[3:0] = User */
#define SPSR_A32_MODE		0x1fu
#define SPSR_T			(1u << 5)
#define SPSR_AIF		(0x7u << 6)	/* no interrupts taken at EL1 while EL0 runs */
#define SPSR_EL1H_MASKED	0x3c5u		/* back at EL1h, DAIF set */
#define UARTFR			0x18
#define UARTFR_TXFE		(1u << 7)
#define CNTKCTL_EL0PTEN		(1ull << 9)	/* EL0 may use the EL1 physical timer */
#define CNTV_CTL_ISTATUS	(1ull << 2)
#define TIMER_FIRE_US		500u
#define LOOP_ITERATIONS		(1u << 22)
#define LOOP_TRIES		256
#define ISTATUS_WAIT_MS		100u

static volatile struct a32_end end;
static volatile bool running;

/* Every synchronous exception from EL0 ends the run: record it, return to a32_exit. */
static bool a32_hook(struct exc_frame *f)
{
	if (!running)
		return false;
	end.kind = f->kind;
	end.esr = f->esr;
	end.far = f->far;
	end.elr = f->elr;
	end.spsr = f->spsr;
	for (int i = 0; i < 15; i++)
		end.r[i] = (uint32_t)f->x[i];
	running = false;
	f->elr = (uint64_t)(uintptr_t)a32_exit;
	f->spsr = SPSR_EL1H_MASKED;
	return true;
}

static struct a32_end run(const char *code, bool thumb, const uint64_t r[15])
{
	struct a32_ctx ctx = { .pc = (uint64_t)(uintptr_t)code,
			       .spsr = SPSR_A32_USR | SPSR_AIF | (thumb ? SPSR_T : 0) };
	for (int i = 0; i < 15; i++)
		ctx.r[i] = r[i];
	end.kind = ~0ull;
	running = true;
	a32_run(&ctx);
	running = false;
	struct a32_end e;
	e.kind = end.kind;
	e.esr = end.esr;
	e.far = end.far;
	e.elr = end.elr;
	e.spsr = end.spsr;
	for (int i = 0; i < 15; i++)
		e.r[i] = end.r[i];
	return e;
}

static bool ended_by_svc(const char *what, const struct a32_end *e)
{
	if (e->kind == EXC_KIND_SYNC_LOWER32 && exc_esr_ec(e->esr) == ESR_EC_SVC32)
		return true;
	report_fail("aarch32-%s kind %lu esr 0x%lx elr 0x%lx got=exception want=svc", what, e->kind,
		    e->esr, e->elr);
	return false;
}

static void a32_mmio(void)
{
	uint64_t r[15] = { [0] = plat.uart, [1] = 't', [3] = '3', [5] = '2' };
	gprintf("hostile: aarch32 output ");
	struct a32_end t = run(a32_t32_mmio, true, r);
	r[1] = 'a';
	r[2] = 0;
	r[3] = '3';
	struct a32_end a = run(a32_a32_mmio, false, r);
	uint64_t ri[15] = { [0] = plat.uart, [1] = 'i' };
	struct a32_end it = run(a32_t32_it, true, ri);
	gprintf("\n");
	if (ended_by_svc("t32-mmio", &t)) {
		if (t.r[2] == 4 && (t.r[4] & UARTFR_TXFE))
			report_pass("aarch32-t32-mmio 16-bit accesses");
		else
			report_fail("aarch32-t32-mmio fr 0x%lx got=%lu want=4 instructions counted",
				    t.r[4], t.r[2]);
	}
	if (ended_by_svc("t32-it-block", &it)) {
		if (it.r[2] == 1 && it.r[3] == 0)
			report_pass("aarch32-t32-it-block advanced past the emulated store");
		else
			report_fail("aarch32-t32-it-block r2 %lu got=r3-%lu want=r3-0", it.r[2], it.r[3]);
	}
	if (ended_by_svc("a32-mmio", &a)) {
		if (a.r[2] == 3 && (a.r[4] & UARTFR_TXFE))
			report_pass("aarch32-a32-mmio");
		else
			report_fail("aarch32-a32-mmio fr 0x%lx got=%lu want=3 instructions counted",
				    a.r[4], a.r[2]);
	}
}

/* An injected abort from AArch32 EL0: the lower-EL AArch32 vector, EC 0x24, at the instruction. */
static void a32_expect_abort(const char *what, const char *code, bool thumb, uint64_t addr)
{
	uint64_t r[15] = { [0] = plat.uart, [1] = 'x', [6] = addr };
	struct a32_end e = run(code, thumb, r);
	bool ok = e.kind == EXC_KIND_SYNC_LOWER32 && exc_esr_ec(e.esr) == ESR_EC_DABT_LOW &&
		  (e.esr & ESR_DFSC_MASK) == ESR_DFSC_EXTABT &&
		  e.elr == (uint64_t)(uintptr_t)code &&
		  (e.spsr & SPSR_A32_MODE) == SPSR_A32_USR && !!(e.spsr & SPSR_T) == thumb;
	if (ok)
		report_pass("aarch32-%s abort at VBAR_EL1+0x600", what);
	else
		report_fail("aarch32-%s kind %lu esr 0x%lx elr 0x%lx spsr 0x%lx got=kind-%lu "
			    "want=kind-%u", what, e.kind, e.esr, e.elr, e.spsr, e.kind,
			    EXC_KIND_SYNC_LOWER32);
}

static uint64_t cntkctl_read(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntkctl_el1" : "=r"(v));
	return v;
}

static void cntkctl_write(uint64_t v)
{
	__asm__ volatile("msr cntkctl_el1, %0\n\tisb" : : "r"(v));
}

static void a32_cp15(void)
{
	uint64_t saved = cntkctl_read();
	cntkctl_write(saved | CNTKCTL_EL0PTEN);
	uint64_t r[15] = { [0] = 1, [4] = 0x55, [5] = 1, [7] = 0x77, [8] = 0x88, [9] = 0x99 };
	struct a32_end e = run(a32_a32_cp15, false, r);
	cntkctl_write(saved);
	if (!ended_by_svc("cp15-timer", &e))
		return;
	if (e.r[2] == 3 && e.r[4] == 0 && e.r[7] == 0 && e.r[8] == 0 && e.r[9] == 0x99)
		report_pass("aarch32-cp15-timer mrc/mcr/mrrc emulated, failed condition skipped");
	else
		report_fail("aarch32-cp15-timer r2 %lu r4 0x%lx r7 0x%lx r8 0x%lx got=r9-0x%lx "
			    "want=r9-0x99", e.r[2], e.r[4], e.r[7], e.r[8], e.r[9]);
}

/* DCC from EL0: either read as zero or refused with an undefined instruction at EL1. */
static void a32_dcc(void)
{
	uint64_t r[15] = { [4] = 0x44 };
	struct a32_end e = run(a32_a32_dcc, false, r);
	bool undef = e.kind == EXC_KIND_SYNC_LOWER32 && exc_esr_ec(e.esr) == ESR_EC_UNKNOWN &&
		     e.elr == (uint64_t)(uintptr_t)a32_a32_dcc;
	bool raz = e.kind == EXC_KIND_SYNC_LOWER32 && exc_esr_ec(e.esr) == ESR_EC_SVC32 &&
		   e.r[4] == 0;
	if (undef || raz)
		report_pass("aarch32-dcc %s", undef ? "undefined" : "read-as-zero");
	else
		report_fail("aarch32-dcc esr 0x%lx r4 0x%lx got=kind-%lu want=undef-or-raz", e.esr,
			    e.r[4], e.kind);
}

static uint64_t vcount(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/*
 * Interrupts while EL0 runs AArch32 reach EL2 (through VBAR_EL2 + 0x480:
 * EL1 is AArch64): EL0 loops until the virtual count passes the deadline.
 */
static void a32_irq_exit(void)
{
	vtimer_arm_us(TIMER_FIRE_US);
	uint64_t fire;
	__asm__ volatile("mrs %0, cntv_cval_el0" : "=r"(fire));
	struct a32_end e = { 0 };
	int tries = 0;
	do {
		uint64_t r[15] = { [7] = LOOP_ITERATIONS };
		e = run(a32_t32_loop, true, r);
	} while (++tries < LOOP_TRIES && vcount() < fire);
	/*
	 * ISTATUS is set once CNTVCT >= CVAL (Arm ARM D11.2.4), but QEMU updates
	 * it from a timer callback that a loaded host may run a little late:
	 * read it until it shows, for at most ISTATUS_WAIT_MS.
	 */
	uint64_t ctl;
	struct timeout t = timeout_start_ms(ISTATUS_WAIT_MS);
	do
		__asm__ volatile("isb\n\tmrs %0, cntv_ctl_el0" : "=r"(ctl));
	while (!(ctl & CNTV_CTL_ISTATUS) && !timeout_expired(&t));
	bool drained = vtimer_drain();
	if (!ended_by_svc("irq-exit", &e))
		return;
	if (e.r[7] == 0 && (ctl & CNTV_CTL_ISTATUS) && drained)
		report_pass("aarch32-irq-exit timer fired during EL0 AArch32");
	else
		report_fail("aarch32-irq-exit r7 %lu runs %d drained %d got=ctl-0x%lx want=fired",
			    e.r[7], tries, drained, ctl);
}

void attack_aarch32(void)
{
	uint64_t pfr0 = 0;
	sysreg_try_read(3, 0, 0, 4, 0, &pfr0);
	uint64_t hole = platform_hole_below_4g();
	gprintf("hostile: aarch32 ID_AA64PFR0_EL1 0x%lx, hole 0x%lx\n", pfr0, hole);
	probe_set_lower_hook(a32_hook);
	a32_mmio();
	a32_expect_abort("t32-load", a32_t32_abort, true, hole);
	a32_expect_abort("a32-store", a32_a32_abort, false, hole);
	a32_expect_abort("a32-ldrd", a32_a32_ldrd, false, plat.uart);
	a32_cp15();
	a32_dcc();
	a32_irq_exit();
	probe_set_lower_hook(NULL);
}
