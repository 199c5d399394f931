/*
 * PSCI 1.0 for guests over HVC (and trapped SMC), and the host's PSCI
 * through the conduit /psci names (Arm DEN0022D).  vCPU affinity is Aff0 =
 * vCPU index, as the guest DT's cpu@N reg says.
 */
#include "console.h"
#include "partition.h"
#include "psci.h"
#include "public/psci.h"
#include "sysreg.h"

#define SMCCC_FN_ID_MASK   0xffffffffull
#define PSCI_INSN_SIZE     4ull        /* the entry point's first instruction */

static bool host_use_hvc;

void psci_host_init(bool use_hvc)
{
	host_use_hvc = use_hvc;
}

static int64_t psci_host_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	if (host_use_hvc)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
	else
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
	return (int64_t)x0;
}

int64_t psci_host_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
	/* Affinity fields only: QEMU compares the target exactly (DESIGN §1). */
	return psci_host_call(PSCI_CPU_ON_64, mpidr & MPIDR_AFF_MASK, entry, ctx);
}

void psci_host_system_off(void)
{
	psci_host_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		wfi();
}

static struct vcpu *psci_target(struct partition *p, uint64_t mpidr)
{
	uint64_t aff = mpidr & MPIDR_AFF_MASK;
	if (aff >= p->cfg->vcpu_count)
		return NULL;
	return &p->vcpus[aff];
}

/*
 * CPU_ON (DEN0022 5.6): the entry point must be an instruction in the
 * partition's own RAM (INVALID_ADDRESS, 5.1.4), where stage 2 maps it
 * executable; a vCPU started anywhere else would only loop on aborts.  The
 * RAM banks come from the configuration, so the check reads no stage-2
 * table (those change under the p2m lock).  The pending start and its entry
 * point are published together under the partition lock, which the target
 * CPU takes to claim it.
 */
static int64_t psci_cpu_on(struct partition *p, uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
	struct vcpu *v = psci_target(p, mpidr);
	if (!v)
		return PSCI_RET_INVALID_PARAMETERS;
	if (entry % PSCI_INSN_SIZE != 0 || !partition_ipa_in_ram(p, entry, PSCI_INSN_SIZE))
		return PSCI_RET_INVALID_ADDRESS;
	spin_lock(&p->lock);
	int r = life_cpu_on(&p->life, v->id);
	if (r == PSCI_RET_SUCCESS) {
		v->entry = entry;
		v->context = ctx;
	}
	spin_unlock(&p->lock);
	if (r == PSCI_RET_SUCCESS)
		vcpu_request_run(v);
	return r;
}

static int64_t psci_affinity_info(struct partition *p, uint64_t mpidr, uint64_t level)
{
	struct vcpu *v = psci_target(p, mpidr);
	if (!v || level != 0)
		return PSCI_RET_INVALID_PARAMETERS;
	switch (vcpu_state(v)) {
	case VCPU_ON: return PSCI_AFFINITY_ON;
	case VCPU_ON_PENDING: return PSCI_AFFINITY_ON_PENDING;
	default: return PSCI_AFFINITY_OFF;
	}
}

static int64_t psci_features(uint64_t fn)
{
	switch (fn & SMCCC_FN_ID_MASK) {
	case PSCI_VERSION: case PSCI_CPU_SUSPEND_32: case PSCI_CPU_SUSPEND_64:
	case PSCI_CPU_OFF: case PSCI_CPU_ON_32: case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO_32: case PSCI_AFFINITY_INFO_64: case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET: case PSCI_FEATURES:
		return PSCI_RET_SUCCESS;
	default:
		return PSCI_RET_NOT_SUPPORTED;
	}
}

void psci_guest_call(struct gp_regs *f)
{
	struct vcpu *v = current_vcpu();
	struct partition *p = v->part;
	uint32_t fn = (uint32_t)(f->x[0] & SMCCC_FN_ID_MASK);
	int64_t ret;
	switch (fn) {
	case PSCI_VERSION: ret = PSCI_VERSION_1_0; break;
	case PSCI_CPU_SUSPEND_32: case PSCI_CPU_SUSPEND_64:
		wfi();                   /* standby: any wake-up event ends it */
		ret = PSCI_RET_SUCCESS;
		break;
	case PSCI_CPU_OFF:
		partition_cpu_off(v);
	case PSCI_CPU_ON_32:
		/* SMC32 convention (DEN0028 3.1): only W1-W3 carry arguments. */
		ret = psci_cpu_on(p, (uint32_t)f->x[1], (uint32_t)f->x[2], (uint32_t)f->x[3]);
		break;
	case PSCI_CPU_ON_64:
		ret = psci_cpu_on(p, f->x[1], f->x[2], f->x[3]);
		break;
	case PSCI_AFFINITY_INFO_32: case PSCI_AFFINITY_INFO_64:
		ret = psci_affinity_info(p, f->x[1], f->x[2]);
		break;
	case PSCI_MIGRATE_INFO_TYPE: ret = PSCI_TOS_NOT_PRESENT_MP; break;
	case PSCI_FEATURES: ret = psci_features(f->x[1]); break;
	case PSCI_SYSTEM_OFF:
		partition_guest_request(v, LIFE_STOP, "SYSTEM_OFF");
	case PSCI_SYSTEM_RESET:
		partition_guest_request(v, LIFE_RESTART, "SYSTEM_RESET");
	default:
		ret = PSCI_RET_NOT_SUPPORTED;
		break;
	}
	f->x[0] = (uint64_t)ret;
}
