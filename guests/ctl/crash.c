/*
 * ctl_test=crash: a partition that dies, for a control partition to bring
 * back (tests/linux/test_control.py).  Run 1 (the first word of its first
 * shared region is not CRASH_RUN1): marks the region, then loads from an
 * address outside everything it has; Tessera injects the data abort, and
 * the guest's fatal-exception hook prints `crash: ...` and powers its
 * partition off, as a kernel's panic would.  Run 2 (started again by
 * someone else: its own RAM is scrubbed, the region's mark is not):
 * `PASS crash-restarted`, clears the mark, powers off.
 */
#include "ctl.h"

#define CRASH_RUN1      0x314e555248534152ull    /* "RASHRUN1" */
#define CRASH_ADDR      0x0c000000ull             /* QEMU virt's empty platform-bus window */

static bool crash_hook(struct exc_frame *f)
{
	gprintf("crash: fatal exception, ESR 0x%lx at 0x%lx (FAR 0x%lx): powering off\n",
		f->esr, f->elr, f->far);
	psci_system_off();
	return false;
}

void ctl_crash(void)
{
	uint64_t base, size;

	if (!ctl_first_region(&base, &size)) {
		report_fail("crash-region got=none want=region");
		return;
	}
	volatile uint64_t *mark = (volatile uint64_t *)(uintptr_t)base;
	if (*mark == CRASH_RUN1) {
		report_pass("crash-restarted");
		*mark = 0;
		guest_dsb();
		return;
	}
	*mark = CRASH_RUN1;
	guest_dsb();
	exc_set_sync_hook(crash_hook);
	gprintf("crash: about to crash\n");
	(void)*(volatile uint64_t *)(uintptr_t)CRASH_ADDR;
	report_fail("crash-load got=read want=abort");
}
