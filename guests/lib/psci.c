/*
 * PSCI calls through HVC or SMC (SMCCC, Arm DEN0028: function ID in w0,
 * arguments in x1-x3, result in x0; x4-x17 may be clobbered by a v1.0
 * implementation, so they are declared clobbered).
 */
#include "guest.h"

static bool conduit_smc;

void psci_set_conduit_smc(bool smc)
{
	conduit_smc = smc;
}

bool psci_conduit_is_smc(void)
{
	return conduit_smc;
}

#define SMCCC_CLOBBERS "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", \
	"x12", "x13", "x14", "x15", "x16", "x17", "memory"

static int64_t psci_hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 : : SMCCC_CLOBBERS);
	return (int64_t)x0;
}

static int64_t psci_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 : : SMCCC_CLOBBERS);
	return (int64_t)x0;
}

int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return conduit_smc ? psci_smc(fn, a1, a2, a3) : psci_hvc(fn, a1, a2, a3);
}

uint32_t psci_version(void)
{
	return (uint32_t)psci_call(PSCI_FN_VERSION, 0, 0, 0);
}

int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
	return psci_call(PSCI_FN_CPU_ON_64, mpidr, entry, context);
}

int64_t psci_cpu_off(void)
{
	return psci_call(PSCI_FN_CPU_OFF, 0, 0, 0);
}

int64_t psci_affinity_info(uint64_t mpidr, uint32_t level)
{
	return psci_call(PSCI_FN_AFFINITY_INFO_64, mpidr, level, 0);
}

void psci_system_off(void)
{
	(void)psci_call(PSCI_FN_SYSTEM_OFF, 0, 0, 0);
}

void psci_system_reset(void)
{
	(void)psci_call(PSCI_FN_SYSTEM_RESET, 0, 0, 0);
}
