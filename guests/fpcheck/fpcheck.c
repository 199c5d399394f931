/*
 * fpcheck: proves that the hypervisor preserves a guest's FP/SIMD state
 * (v0-v31, FPCR, FPSR) and callee-saved general registers (x19-x28) across
 * trapped MMIO, hypercalls (PSCI's, and one Tessera does not have: its fast
 * path leaves FP untrapped) and injected data aborts (DESIGN.md §1).  The
 * loop is fpcheck_loop.S; this file prepares the canaries and compares.
 */
#include <stddef.h>

#include "guest.h"
#include "fpcheck.h"

#define FPCHECK_ITERS		2000u
/*
 * An IPA that aborts both on plain QEMU virt (the empty platform-bus window;
 * 0x20000000 does not: PCIe MMIO reads as ones) and under Tessera, whose
 * partitions map only GIC, UART, RAM and shared regions (DESIGN.md §5).
 */
#define FPCHECK_ABORT_DEFAULT	0x0c000000ull

/* FPCR: RMode = 0b11 (round to zero, bits 23:22), FZ (24), DN (25). */
#define FPCR_CANARY		0x03c00000ull
/* FPSR: IOC (0), OFC (2), IXC (4), QC (27) set; DZC, UFC, IDC left clear so
 * that both cleared and newly set flags show. */
#define FPSR_CANARY		0x08000015ull

#define V_CANARY_LO		0xf0f0c0de00000000ull
#define V_CANARY_HI		0x5151beef00000000ull
#define X_CANARY		0xa5a5000000000000ull
#define CANARY_STEP		0x0001000100010001ull

struct fp_state {
	uint64_t v[FPS_NUM_V][2];	/* [0] low half, [1] high half */
	uint64_t fpcr;
	uint64_t fpsr;
	uint64_t x[FPS_NUM_X];
	uint64_t unknown_ok;		/* out: NOT_SUPPORTED answers to the unknown call */
};

struct fp_loop_args {
	uint64_t uart;
	uint64_t abort_addr;
	uint64_t iterations;
	uint64_t use_smc;
};

_Static_assert(offsetof(struct fp_state, fpcr) == FPS_FPCR, "layout");
_Static_assert(offsetof(struct fp_state, fpsr) == FPS_FPSR, "layout");
_Static_assert(offsetof(struct fp_state, x) == FPS_X, "layout");
_Static_assert(offsetof(struct fp_state, unknown_ok) == FPS_UNKNOWN_OK, "layout");
_Static_assert(sizeof(struct fp_state) == FPS_SIZE, "layout");
_Static_assert(offsetof(struct fp_loop_args, abort_addr) == FLA_ABORT, "layout");
_Static_assert(offsetof(struct fp_loop_args, iterations) == FLA_ITERS, "layout");
_Static_assert(offsetof(struct fp_loop_args, use_smc) == FLA_SMC, "layout");
_Static_assert(sizeof(struct fp_loop_args) == FLA_SIZE, "layout");

void fpcheck_loop(const struct fp_state *in, struct fp_state *out,
		  const struct fp_loop_args *args);

/* 16-byte aligned for the q-register pair loads and stores. */
static struct fp_state canary_in __attribute__((aligned(16)));
static struct fp_state canary_out __attribute__((aligned(16)));

static void fpcheck_make_canaries(struct fp_state *s)
{
	for (uint64_t i = 0; i < FPS_NUM_V; i++) {
		s->v[i][0] = V_CANARY_LO + i * CANARY_STEP;
		s->v[i][1] = V_CANARY_HI + i * CANARY_STEP;
	}
	s->fpcr = FPCR_CANARY;
	s->fpsr = FPSR_CANARY;
	for (uint64_t i = 0; i < FPS_NUM_X; i++)
		s->x[i] = X_CANARY + (i + FPS_FIRST_X) * CANARY_STEP;
}

static void fpcheck_compare_fp(const struct fp_state *in, const struct fp_state *out)
{
	for (int i = 0; i < FPS_NUM_V; i++) {
		if (in->v[i][0] != out->v[i][0] || in->v[i][1] != out->v[i][1]) {
			report_fail("fp-canaries v%d got=0x%016lx%016lx want=0x%016lx%016lx",
				    i, out->v[i][1], out->v[i][0], in->v[i][1], in->v[i][0]);
			return;
		}
	}
	if (in->fpcr != out->fpcr) {
		report_fail("fp-canaries fpcr got=0x%lx want=0x%lx", out->fpcr, in->fpcr);
		return;
	}
	if (in->fpsr != out->fpsr) {
		report_fail("fp-canaries fpsr got=0x%lx want=0x%lx", out->fpsr, in->fpsr);
		return;
	}
	report_pass("fp-canaries");
}

static void fpcheck_compare_gpr(const struct fp_state *in, const struct fp_state *out)
{
	for (int i = 0; i < FPS_NUM_X; i++) {
		if (in->x[i] != out->x[i]) {
			report_fail("gpr-canaries x%d got=0x%lx want=0x%lx",
				    i + FPS_FIRST_X, out->x[i], in->x[i]);
			return;
		}
	}
	report_pass("gpr-canaries");
}

int main(const void *dtb)
{
	struct fp_loop_args args = {
		.uart = uart_base(),
		.abort_addr = FPCHECK_ABORT_DEFAULT,
		.iterations = FPCHECK_ITERS,
		.use_smc = psci_conduit_is_smc(),
	};

	(void)dtb;
	bootargs_get_u64("abort_addr", &args.abort_addr);
	bootargs_get_u64("iterations", &args.iterations);
	if (args.iterations == 0)
		args.iterations = 1;	/* the assembly loop runs at least once */
	gprintf("fpcheck: iterations %lu abort 0x%lx conduit %s\n", args.iterations,
		args.abort_addr, args.use_smc ? "smc" : "hvc");
	fpcheck_make_canaries(&canary_in);

	gprintf("fpcheck: loop ");
	exc_expect_aborts(true);
	fpcheck_loop(&canary_in, &canary_out, &args);
	exc_expect_aborts(false);
	gprintf("\n");

	fpcheck_compare_fp(&canary_in, &canary_out);
	fpcheck_compare_gpr(&canary_in, &canary_out);
	if (canary_out.unknown_ok == args.iterations)
		report_pass("unknown-hvc %lu", canary_out.unknown_ok);
	else
		report_fail("unknown-hvc got=%lu want=%lu", canary_out.unknown_ok, args.iterations);
	uint64_t n = exc_abort_count();
	if (n == args.iterations)
		report_pass("aborts-taken %lu", n);
	else
		report_fail("aborts-taken got=%lu want=%lu", n, args.iterations);
	return 0;
}
