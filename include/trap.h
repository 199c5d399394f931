#pragma once
/*
 * Guest exits (core/trap.c): the entry points boot/vectors.S calls, and the
 * exception injection other handlers use.  core/sysreg_emul.c emulates
 * trapped system-register accesses.
 */
#include <stdbool.h>
#include <stdint.h>

#include "pcpu.h"

/*
 * Why a vCPU left its guest, as the shell's stats name them: the exception
 * classes Tessera handles, an IRQ, an SError, anything else.
 */
enum exit_reason {
	EXIT_OTHER = 0,          /* the zero default of the EC table in core/trap.c */
	EXIT_HVC, EXIT_SMC, EXIT_DABT, EXIT_IABT, EXIT_SYSREG, EXIT_IRQ, EXIT_SERROR,
	EXIT_REASONS,
};
extern const char *const exit_reason_names[EXIT_REASONS];
/* Add the counters of struct pcpu.exits into @by, by reason. */
void trap_exits_by_reason(const uint64_t exits[PCPU_EXIT_KINDS], uint64_t by[EXIT_REASONS]);

/* boot/vectors.S: a synchronous exit's fast path, then (if not 0) the general one. */
#define TRAP_SYNC_DISPATCH 1u       /* the exit is the handlers' (not counted yet) */
#define TRAP_SYNC_RETURN   2u       /* handled: only trap_return()'s rare work is left */
uint64_t trap_guest_sync_fast(struct gp_regs *f);
void trap_guest_sync(struct gp_regs *f, uint64_t left);
/* boot/vectors.S: an IRQ exit's fast path, then (TRAP_IRQ_SLOW set) the general one. */
#define TRAP_IRQ_SLOW (1ull << 32)
uint64_t trap_guest_irq_fast(void);
void trap_guest_irq(struct gp_regs *f, uint64_t slow);
void trap_guest_serror(struct gp_regs *f);
void inject_data_abort(struct gp_regs *f, uint64_t far);
void inject_undef(struct gp_regs *f);

/* core/sysreg_emul.c: trapped system-register and AArch32 coprocessor accesses. */
enum sysreg_result {
	SYSREG_EMULATED,      /* done: skip the instruction */
	SYSREG_UNDEF,         /* not emulated: undefined instruction, and a console line */
	SYSREG_UNDEF_HIDDEN,  /* a feature the ID registers hide (PMU, SPE ...): undefined, quietly */
};
/* A trapped MSR/MRS (EC 0x18). */
enum sysreg_result sysreg_emulate(struct gp_regs *f, uint64_t esr);
/* A trapped AArch32 MCR/MRC/MCRR/MRRC from EL0 whose condition passed (EC 0x03..0x0C). */
enum sysreg_result sysreg_emulate_cp15(struct gp_regs *f, uint64_t esr);
/* A vCPU starts on this CPU: MDCR_EL2 for guests, fresh debug state (vcpu_reset_el1). */
void sysreg_vcpu_reset(void);
