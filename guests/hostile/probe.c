/*
 * Running one instruction and recording the exception it raised (hostile.h,
 * "probe").  The EL1 sync hook records and skips a faulting instruction
 * while a probe is armed; an instruction chosen at run time (a system
 * register encoding, a cache operation) runs from a two-word stub in RAM.
 * Built -mgeneral-regs-only: the hook runs on the exception path.
 */
#include "hostile.h"

#define A64_RET		0xd65f03c0u	/* RET (X30) */
#define A64_MRS		0xd5300000u	/* MRS Xt, S<op0>_<op1>_C<n>_C<m>_<op2> */
#define A64_MSR		0xd5100000u	/* MSR S<op0>_..., Xt */
#define A64_SYS		0xd5080000u	/* SYS #op1, Cn, Cm, #op2, Xt (op0 = 1) */
#define SYSREG_O0_SHIFT	19		/* op0 = 2 + o0 */
#define SYSREG_OP1_SHIFT 16
#define SYSREG_CRN_SHIFT 12
#define SYSREG_CRM_SHIFT 8
#define SYSREG_OP2_SHIFT 5

static volatile bool armed;
static volatile struct probe seen;
static exc_hook_fn *lower_hook;

static bool probe_hook(struct exc_frame *f)
{
	if (f->kind != EXC_KIND_SYNC)
		return lower_hook != NULL && lower_hook(f);
	if (!armed)
		return false;
	seen.hit = true;
	seen.esr = f->esr;
	seen.far = f->far;
	seen.elr = f->elr;
	armed = false;
	f->elr += A64_INSN_SIZE;
	return true;
}

void probe_init(void)
{
	exc_set_sync_hook(probe_hook);
}

void probe_set_lower_hook(exc_hook_fn *fn)
{
	lower_hook = fn;
}

void probe_begin(void)
{
	seen.hit = false;
	seen.esr = 0;
	seen.far = 0;
	seen.elr = 0;
	armed = true;
	__asm__ volatile("" ::: "memory");
}

struct probe probe_end(void)
{
	__asm__ volatile("" ::: "memory");
	armed = false;
	return (struct probe){ .hit = seen.hit, .esr = seen.esr, .far = seen.far, .elr = seen.elr };
}

/* The stub: the instruction, then RET.  Written, cleaned to PoU, I-cache invalidated. */
static uint32_t stub[4] __attribute__((aligned(64)));

uint64_t insn_exec(uint32_t insn, uint64_t x0)
{
	stub[0] = insn;
	stub[1] = A64_RET;
	__asm__ volatile("dc cvau, %0\n\tdsb ish\n\tic iallu\n\tdsb ish\n\tisb"
			 : : "r"(stub) : "memory");
	register uint64_t r0 __asm__("x0") = x0;
	__asm__ volatile("blr %1"
			 : "+r"(r0)
			 : "r"(stub)
			 : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			   "x12", "x13", "x14", "x15", "x16", "x17", "x30", "memory");
	return r0;
}

static uint32_t sysreg_fields(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
			      unsigned op2)
{
	return ((op0 & 1u) << SYSREG_O0_SHIFT) | (op1 << SYSREG_OP1_SHIFT) |
	       (crn << SYSREG_CRN_SHIFT) | (crm << SYSREG_CRM_SHIFT) | (op2 << SYSREG_OP2_SHIFT);
}

uint32_t insn_mrs(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2)
{
	return A64_MRS | sysreg_fields(op0, op1, crn, crm, op2);
}

uint32_t insn_msr(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2)
{
	return A64_MSR | sysreg_fields(op0, op1, crn, crm, op2);
}

uint32_t insn_sys(unsigned op1, unsigned crn, unsigned crm, unsigned op2)
{
	return A64_SYS | sysreg_fields(0, op1, crn, crm, op2);   /* op0 = 1 is in A64_SYS */
}

struct probe sysreg_try_read(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
			     unsigned op2, uint64_t *val)
{
	probe_begin();
	uint64_t v = insn_exec(insn_mrs(op0, op1, crn, crm, op2), 0);
	struct probe p = probe_end();
	*val = p.hit ? 0 : v;
	return p;
}

struct probe sysreg_try_write(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
			      unsigned op2, uint64_t val)
{
	probe_begin();
	insn_exec(insn_msr(op0, op1, crn, crm, op2), val);
	return probe_end();
}
