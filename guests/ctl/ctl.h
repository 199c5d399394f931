#pragma once
/* The ctl guest's tests (guests/ctl/ctl.c). */
#include "guest.h"

#define CTL_ARG_MAX     32

/* Base and size of the first xen,shared-memory-v1 region in /reserved-memory. */
bool ctl_first_region(uint64_t *base, uint64_t *size);
/* ctl_test=scrub: run 1 marks RAM and resets, run 2 finds it zeroed. */
void ctl_scrub(const void *dtb);
/* ctl_test=crash: run 1 dies (a fatal data abort), run 2 reports it was started again. */
void ctl_crash(void);
/* ctl_test=hvc: the control hypercalls, as a control partition or a refused one (ctl_role=). */
void ctl_hvc_test(void);
/* ctl_test=cycle: stop/start/restart two partitions many times (never returns). */
void ctl_cycle(void);
/* ctl_test=idle: stay up, touching the first region (revocations abort harmlessly). */
void ctl_idle(void);
/* ctl_test=gpio: the doorbell GPIO's registers, then ring or listen (ctl_gpio=). */
void ctl_gpio(void);
