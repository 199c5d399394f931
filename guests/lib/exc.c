/*
 * EL1 exception handling (exc.h).  Built with -mgeneral-regs-only: the
 * expected-abort path runs between fpcheck's canary loads and checks, so it
 * must not touch FP/SIMD state.  Only the fatal path calls into printf.
 */
#include <stddef.h>

#include "guest.h"

_Static_assert(offsetof(struct exc_frame, elr) == EXC_FRAME_ELR, "frame");
_Static_assert(offsetof(struct exc_frame, spsr) == EXC_FRAME_SPSR, "frame");
_Static_assert(offsetof(struct exc_frame, esr) == EXC_FRAME_ESR, "frame");
_Static_assert(offsetof(struct exc_frame, far) == EXC_FRAME_FAR, "frame");
_Static_assert(offsetof(struct exc_frame, kind) == EXC_FRAME_KIND, "frame");
_Static_assert(sizeof(struct exc_frame) <= EXC_FRAME_SIZE, "frame");

static exc_hook_fn *sync_hook;
static volatile bool expect_aborts;
static volatile uint64_t abort_count;
static volatile uint64_t last_far;
static volatile uint64_t last_esr;

static const char *const kind_names[EXC_KIND_COUNT] = {
	"sync-sp0", "irq-sp0", "fiq-sp0", "serror-sp0",
	"sync", "irq", "fiq", "serror",
	"sync-lower64", "irq-lower64", "fiq-lower64", "serror-lower64",
	"sync-lower32", "irq-lower32", "fiq-lower32", "serror-lower32",
};

void exc_set_sync_hook(exc_hook_fn *hook)
{
	sync_hook = hook;
}

void exc_expect_aborts(bool on)
{
	expect_aborts = on;
}

uint64_t exc_abort_count(void)
{
	return abort_count;
}

uint64_t exc_last_abort_far(void)
{
	return last_far;
}

uint64_t exc_last_abort_esr(void)
{
	return last_esr;
}

/* A data abort from this EL while the guest expects one: count it, skip it. */
static bool exc_take_expected_abort(struct exc_frame *f)
{
	if (!expect_aborts || exc_esr_ec(f->esr) != ESR_EC_DABT_CUR)
		return false;
	abort_count = abort_count + 1;
	last_far = f->far;
	last_esr = f->esr;
	f->elr += A64_INSN_SIZE;
	return true;
}

/* Synchronous exceptions the hook sees: this EL's, and those from EL0 (hostile's AArch32 tests). */
static bool exc_kind_is_sync(uint64_t kind)
{
	return kind == EXC_KIND_SYNC || kind == EXC_KIND_SYNC_LOWER64 ||
	       kind == EXC_KIND_SYNC_LOWER32;
}

void exc_handle(struct exc_frame *f)
{
	if (exc_kind_is_sync(f->kind) && sync_hook != NULL && sync_hook(f))
		return;
	if (f->kind == EXC_KIND_SYNC && exc_take_expected_abort(f))
		return;
	const char *name = f->kind < EXC_KIND_COUNT ? kind_names[f->kind] : "?";
	report_fail("exception %s esr=0x%lx elr=0x%lx far=0x%lx got=exception want=none",
		    name, f->esr, f->elr, f->far);
	report_done();
}
