/*
 * Hypercall and PSCI attacks (SMCCC, Arm DEN0028; PSCI, Arm DEN0022): every
 * SMCCC owner, both calling conventions, fast and yielding calls, random
 * function IDs and arguments over HVC and SMC; the doorbell with addresses
 * that are not a shared region's; CPU_ON to absent CPUs and at addresses
 * that are not the partition's RAM; CPU_ON storms; CPU_SUSPEND.
 */
#include "hostile.h"
#include "public/tessera_hvc.h"

#define SMCCC_FAST		(1u << 31)
#define SMCCC_64		(1u << 30)
#define SMCCC_OWNER_SHIFT	24
#define SMCCC_OWNERS		64u
#define SMCCC_OWNER_STD		4u	/* standard secure service: PSCI lives here */
#define SMCCC_OWNER_MASK	(0x3fu << SMCCC_OWNER_SHIFT)
#define PSCI_FN_LAST		0x1fu	/* PSCI's function numbers: 0x00..0x1f */
#define SMCCC_RET_NOT_SUPPORTED	(-1)
#define RANDOM_CALLS		2000u
#define CPU_ON_STORM		200u
#define CPU_WAIT_MS		2000u
#define SUSPEND_WAKE_US		1000u
#define PSCI_POWER_STATE_STANDBY 0u

/* Random x4..x7 too.  (No call may come between a register variable and the asm.) */
static int64_t hvc(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3)
{
	uint64_t a4 = rng_next(), a5 = rng_next(), a6 = rng_next(), a7 = rng_next();
	register uint64_t r0 __asm__("x0") = x0;
	register uint64_t r1 __asm__("x1") = x1;
	register uint64_t r2 __asm__("x2") = x2;
	register uint64_t r3 __asm__("x3") = x3;
	register uint64_t r4 __asm__("x4") = a4;
	register uint64_t r5 __asm__("x5") = a5;
	register uint64_t r6 __asm__("x6") = a6;
	register uint64_t r7 __asm__("x7") = a7;
	__asm__ volatile("hvc #0"
			 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6),
			   "+r"(r7)
			 : : "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
			   "memory");
	return (int64_t)r0;
}

static int64_t smc(uint64_t x0, uint64_t x1)
{
	register uint64_t r0 __asm__("x0") = x0;
	register uint64_t r1 __asm__("x1") = x1;
	__asm__ volatile("smc #0" : "+r"(r0), "+r"(r1) : : "x2", "x3", "x4", "x5", "x6", "x7",
			 "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	return (int64_t)r0;
}

static int64_t hvc_imm(uint64_t x0)
{
	register uint64_t r0 __asm__("x0") = x0;
	__asm__ volatile("hvc #0xffff" : "+r"(r0) : : "x1", "x2", "x3", "x4", "x5", "x6", "x7",
			 "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	return (int64_t)r0;
}

/* What Tessera implements: PSCI's function numbers in owner 4, and its doorbell. */
static bool implemented(uint32_t fn)
{
	if (fn == TESSERA_HVC_SHM_DOORBELL)
		return true;
	return ((fn & SMCCC_OWNER_MASK) >> SMCCC_OWNER_SHIFT) == SMCCC_OWNER_STD &&
	       (fn & 0xffffu) <= PSCI_FN_LAST;
}

static void hvc_owners(void)
{
	static const uint32_t numbers[] = { 0x0, 0x1, 0x20, 0x100, 0xfeff, 0xffff };
	unsigned calls = 0, wrong = 0;
	for (uint32_t owner = 0; owner < SMCCC_OWNERS; owner++)
		for (uint32_t conv = 0; conv < 4; conv++)
			for (size_t n = 0; n < ARRAY_SIZE(numbers); n++) {
				uint32_t fn = (conv & 1 ? SMCCC_FAST : 0) | (conv & 2 ? SMCCC_64 : 0) |
					      owner << SMCCC_OWNER_SHIFT | numbers[n];
				if (implemented(fn))
					continue;
				calls++;
				if (hvc(fn, rng_next(), rng_next(), rng_next()) !=
				    SMCCC_RET_NOT_SUPPORTED && wrong++ == 0)
					report_fail("hvc-owner fn 0x%x got=supported want=-1", fn);
			}
	if (wrong == 0)
		report_pass("hvc-owners not-supported %u", calls);
}

static void hvc_random(void)
{
	unsigned calls = 0, wrong = 0;
	for (unsigned i = 0; i < RANDOM_CALLS; i++) {
		uint64_t x0 = rng_next();
		if (implemented((uint32_t)x0))
			continue;
		calls++;
		int64_t r = i % 2 ? hvc(x0, rng_next(), rng_next(), rng_next()) : smc(x0, rng_next());
		if (r != SMCCC_RET_NOT_SUPPORTED && wrong++ == 0)
			report_fail("hvc-random x0 0x%lx got=%ld want=-1", x0, r);
	}
	if (wrong == 0)
		report_pass("hvc-random not-supported %u", calls);
	/* W0 is the function ID (DEN0028 2.5): the upper half of X0 is ignored. */
	report_check_hex("hvc-w0-only PSCI_VERSION", (uint64_t)hvc(0xdead000000000000ull |
			 PSCI_FN_VERSION, 0, 0, 0), psci_version());
	report_check_dec("hvc-imm-ffff", (uint64_t)hvc_imm(0x86000000u), (uint64_t)-1);
}

static void hvc_doorbell_bad(void)
{
	uint64_t shm = plat.nshm ? plat.shm[0].base : 0, shm_size = plat.nshm ? plat.shm[0].size : 0;
	uint64_t ram = plat.nram ? plat.ram[0].base : 0;
	const uint64_t addrs[] = {
		0, 1, platform_hole_below_4g(), ram, ram + 0x1000, plat.uart, plat.gicd,
		~0ull, 1ull << 52, shm + 1, shm + 0x1000, shm + shm_size, shm - 0x1000,
	};
	unsigned wrong = 0;
	for (size_t i = 0; i < ARRAY_SIZE(addrs); i++) {
		if (shm != 0 && addrs[i] == shm)
			continue;
		int64_t r = hvc(TESSERA_HVC_SHM_DOORBELL, addrs[i], rng_next(), rng_next());
		if (r != TESSERA_RET_INVALID && wrong++ == 0)
			report_fail("hvc-doorbell 0x%lx got=%ld want=%d", addrs[i], r, TESSERA_RET_INVALID);
	}
	if (wrong == 0)
		report_pass("hvc-doorbell-bad-addresses %zu", ARRAY_SIZE(addrs));
}

void attack_hvc(void)
{
	hvc_owners();
	hvc_random();
	hvc_doorbell_bad();
}

/* ---- PSCI ----------------------------------------------------------------- */

static volatile uint32_t secondary_ran;

/* vCPU 1's body when CPU_ON starts it right: say so, turn off. */
void guest_secondary_main(uint64_t index)
{
	secondary_ran = (uint32_t)index + 1;
	guest_dsb();
	psci_cpu_off();
}

static bool wait_off(uint64_t mpidr)
{
	struct timeout t = timeout_start_ms(CPU_WAIT_MS);
	while (psci_affinity_info(mpidr, 0) != PSCI_AFF_OFF && !timeout_expired(&t))
		guest_wfe();
	return psci_affinity_info(mpidr, 0) == PSCI_AFF_OFF;
}

static void psci_absurd_targets(void)
{
	const uint64_t targets[] = {
		(uint64_t)plat.ncpus, 0xff, 0x100, 0x10000, 0xff00000000ull, ~0ull,
		0x8000000000000000ull | (uint64_t)plat.ncpus,
	};
	uint64_t entry = (uint64_t)(uintptr_t)guest_secondary_entry;
	unsigned wrong = 0;
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
		int64_t r = psci_cpu_on(targets[i], entry, 1);
		if (r != PSCI_RET_INVALID_PARAMS && wrong++ == 0)
			report_fail("psci-cpu-on mpidr 0x%lx got=%ld want=%d", targets[i], r,
				    PSCI_RET_INVALID_PARAMS);
	}
	/* Oneself, spelled with the RES1 bit 31 that MPIDR_EL1 reads with. */
	int64_t self = psci_cpu_on(0x80000000ull | guest_read_mpidr(), entry, 0);
	if (wrong == 0 && self == PSCI_RET_ALREADY_ON)
		report_pass("psci-cpu-on-absent-targets %zu", ARRAY_SIZE(targets));
	else if (self != PSCI_RET_ALREADY_ON)
		report_fail("psci-cpu-on-self got=%ld want=%d", self, PSCI_RET_ALREADY_ON);
}

/* Entry points that are not in the partition's RAM: refused, nothing starts. */
static void psci_absurd_entries(uint64_t mpidr)
{
	uint64_t ram = plat.ram[0].base, end = plat.ram[0].base + plat.ram[0].size;
	const uint64_t entries[] = {
		0, platform_hole_below_4g(), plat.uart, plat.gicd, end, ~0ull - 3,
		(uint64_t)(uintptr_t)guest_secondary_entry + 1, ram - 4,
		plat.nshm ? plat.shm[0].base : 2,
	};
	unsigned wrong = 0;
	for (size_t i = 0; i < ARRAY_SIZE(entries); i++) {
		int64_t r = psci_cpu_on(mpidr, entries[i], 1);
		if (r != PSCI_RET_INVALID_ADDRESS && wrong++ == 0)
			report_fail("psci-cpu-on entry 0x%lx got=%ld want=%d", entries[i], r,
				    PSCI_RET_INVALID_ADDRESS);
		if (r == PSCI_RET_SUCCESS)
			wait_off(mpidr);
	}
	if (wrong == 0 && psci_affinity_info(mpidr, 0) == PSCI_AFF_OFF)
		report_pass("psci-cpu-on-bad-entries %zu", ARRAY_SIZE(entries));
	else if (wrong == 0)
		report_fail("psci-cpu-on-bad-entries got=on want=off");
}

/* CPU_ON again and again while the first is still pending or on: only one start. */
static void psci_cpu_on_storm(uint64_t mpidr)
{
	uint64_t entry = (uint64_t)(uintptr_t)guest_secondary_entry;
	secondary_ran = 0;
	unsigned ok = 0, refused = 0, other = 0;
	for (unsigned i = 0; i < CPU_ON_STORM; i++) {
		int64_t r = psci_cpu_on(mpidr, entry, 1);
		if (r == PSCI_RET_SUCCESS)
			ok++;
		else if (r == PSCI_RET_ALREADY_ON || r == PSCI_RET_ON_PENDING)
			refused++;
		else
			other++;
	}
	bool off = wait_off(mpidr);
	if (ok >= 1 && other == 0 && off && secondary_ran == 2)
		report_pass("psci-cpu-on-storm started %u refused %u", ok, refused);
	else
		report_fail("psci-cpu-on-storm ran %u other %u got=%u want=started-and-off", secondary_ran,
			    other, ok);
}

static void psci_suspend(void)
{
	vtimer_arm_us(SUSPEND_WAKE_US);
	int64_t r = psci_call(PSCI_FN_CPU_SUSPEND_64, PSCI_POWER_STATE_STANDBY, 0, 0);
	bool drained = vtimer_drain();
	if (r == PSCI_RET_SUCCESS && drained)
		report_pass("psci-cpu-suspend standby woke up");
	else
		report_fail("psci-cpu-suspend drained %d got=%ld want=0", drained, r);
	/* Random power states and FEATURES of random IDs: answers, never a hang. */
	int64_t f = psci_call(PSCI_FN_FEATURES, 0x8400ff00u, 0, 0);
	report_check_dec("psci-features-unknown", (uint64_t)f, (uint64_t)PSCI_RET_NOT_SUPPORTED);
}

void attack_psci(void)
{
	psci_absurd_targets();
	if (plat.ncpus < 2) {
		report_fail("psci-second-cpu got=%d want=2 cpus", plat.ncpus);
		return;
	}
	uint64_t mpidr1 = 0;
	dt_cpu_mpidr(1, &mpidr1);
	psci_absurd_entries(mpidr1);
	psci_cpu_on_storm(mpidr1);
	psci_suspend();
}
