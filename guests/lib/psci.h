#pragma once
/* PSCI 1.0 client (Arm DEN0022) over the conduit named by /psci "method". */
#include <stdbool.h>
#include <stdint.h>

/* Function IDs, DEN0022 table 5.1 (SMC64 where the call takes an address). */
#define PSCI_FN_VERSION		0x84000000u
#define PSCI_FN_CPU_OFF		0x84000002u
#define PSCI_FN_CPU_ON_64	0xC4000003u
#define PSCI_FN_AFFINITY_INFO_64 0xC4000004u
#define PSCI_FN_SYSTEM_OFF	0x84000008u
#define PSCI_FN_CPU_SUSPEND_64	0xC4000001u
#define PSCI_FN_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_FN_SYSTEM_RESET	0x84000009u
#define PSCI_FN_FEATURES	0x8400000Au

/* Return codes, DEN0022 table 5.2. */
#define PSCI_RET_SUCCESS	0
#define PSCI_RET_NOT_SUPPORTED	(-1)
#define PSCI_RET_INVALID_PARAMS	(-2)
#define PSCI_RET_DENIED		(-3)
#define PSCI_RET_ALREADY_ON	(-4)
#define PSCI_RET_ON_PENDING	(-5)
#define PSCI_RET_INTERNAL_FAILURE (-6)
#define PSCI_RET_INVALID_ADDRESS (-9)

/* AFFINITY_INFO results. */
#define PSCI_AFF_ON		0
#define PSCI_AFF_OFF		1
#define PSCI_AFF_ON_PENDING	2

#define PSCI_VERSION_MAJOR(v)	((v) >> 16)
#define PSCI_VERSION_MINOR(v)	((v) & 0xffffu)

/* Selects the conduit: true for "smc", false for "hvc" (the default). */
void psci_set_conduit_smc(bool smc);
bool psci_conduit_is_smc(void);
int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
uint32_t psci_version(void);
int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);
int64_t psci_cpu_off(void);
int64_t psci_affinity_info(uint64_t mpidr, uint32_t level);
void psci_system_off(void);
/* Returns only if the call failed. */
void psci_system_reset(void);
