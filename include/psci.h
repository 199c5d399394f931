#pragma once
/*
 * PSCI both ways (core/psci.c): the guests' PSCI 1.0 over HVC or a trapped
 * SMC, and the host firmware's, through the conduit /psci names.
 */
#include <stdbool.h>
#include <stdint.h>

#include "pcpu.h"

void psci_guest_call(struct gp_regs *f);
void psci_host_init(bool use_hvc);
int64_t psci_host_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx);
void psci_host_system_off(void) __attribute__((noreturn));
