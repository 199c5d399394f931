#pragma once
/*
 * Guest exits (core/trap.c): the entry points boot/vectors.S calls, and the
 * exception injection other handlers use.  core/sysreg_emul.c emulates
 * trapped system-register accesses.
 */
#include <stdbool.h>
#include <stdint.h>

#include "pcpu.h"

void trap_guest_sync(struct gp_regs *f);
void trap_guest_irq(struct gp_regs *f);
void trap_guest_serror(struct gp_regs *f);
void inject_data_abort(struct gp_regs *f, uint64_t far);
void inject_undef(struct gp_regs *f);
/* Emulate a trapped MSR/MRS (core/sysreg_emul.c); false: inject an undef. */
bool sysreg_emulate(struct gp_regs *f, uint64_t esr);
