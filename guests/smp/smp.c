/*
 * smp: starts every other CPU of /cpus with PSCI CPU_ON, collects an "up"
 * flag and MPIDR from each, sees each turn itself OFF through
 * AFFINITY_INFO, then checks memory size, pattern-tests the first and last
 * MiB of RAM and runs the isolation probes the bootargs ask for.
 */
#include "guest.h"

#define SMP_FLAG_UP		0x5550555055505550ull	/* "UP", repeated */
#define SMP_WAIT_MS		5000u
#define SMP_RAM_EDGE		0x100000ull		/* 1 MiB at each end */
#define SMP_PEER_PATTERN	0x5a5a5a5a5a5a5a5aull
#define SMP_WORD		8u

/* One per CPU index; written by that CPU, read by the primary (caches off). */
struct cpu_slot {
	volatile uint64_t flag;
	volatile uint64_t mpidr;
	volatile int64_t off_ret;	/* CPU_OFF's result: it only returns on error */
};

static struct cpu_slot slots[GUEST_MAX_CPUS];

void guest_secondary_main(uint64_t index)
{
	slots[index].mpidr = guest_read_mpidr();
	guest_dsb();
	slots[index].flag = SMP_FLAG_UP;
	guest_dsb();
	__asm__ volatile("sev");
	slots[index].off_ret = psci_cpu_off();
	for (;;)
		__asm__ volatile("wfi");
}

/* Starts the others; returns a mask of the indices started. */
static unsigned smp_start_secondaries(int ncpus, const uint64_t *mpidr)
{
	uint64_t self = guest_read_mpidr();
	unsigned started = 0;

	for (int i = 0; i < ncpus; i++) {
		if (mpidr[i] == self)
			continue;
		int64_t rc = psci_cpu_on(mpidr[i], (uint64_t)(uintptr_t)guest_secondary_entry,
					 (uint64_t)i);
		if (rc == PSCI_RET_SUCCESS)
			started |= 1u << i;
		else
			report_fail("cpu-on %d got=%ld want=0", i, rc);
	}
	return started;
}

static unsigned smp_wait_flags(unsigned started)
{
	struct timeout t = timeout_start_ms(SMP_WAIT_MS);
	unsigned up;

	for (;;) {
		up = 0;
		for (unsigned i = 0; i < GUEST_MAX_CPUS; i++)
			if ((started & (1u << i)) && slots[i].flag == SMP_FLAG_UP)
				up |= 1u << i;
		if (up == started || timeout_expired(&t))
			return up;
		guest_wfe();
	}
}

static void smp_check_off(int ncpus, const uint64_t *mpidr, unsigned started)
{
	struct timeout t = timeout_start_ms(SMP_WAIT_MS);

	for (int i = 0; i < ncpus; i++) {
		if (!(started & (1u << i)))
			continue;
		int64_t st;
		while ((st = psci_affinity_info(mpidr[i], 0)) != PSCI_AFF_OFF &&
		       !timeout_expired(&t))
			guest_wfe();
		if (st != PSCI_AFF_OFF) {
			report_fail("affinity-off cpu %d cpu_off=%ld got=%ld want=%d",
				    i, slots[i].off_ret, st, PSCI_AFF_OFF);
			return;
		}
	}
	report_pass("affinity-off");
}

static void smp_bring_up(void)
{
	uint64_t mpidr[GUEST_MAX_CPUS];
	int ncpus = dt_cpu_count();

	if (ncpus > GUEST_MAX_CPUS) {
		report_fail("cpu-max got=%d want=%d", ncpus, GUEST_MAX_CPUS);
		ncpus = GUEST_MAX_CPUS;
	}
	for (int i = 0; i < ncpus; i++)
		dt_cpu_mpidr(i, &mpidr[i]);
	unsigned started = smp_start_secondaries(ncpus, mpidr);
	unsigned up = smp_wait_flags(started);
	int online = 1;
	for (int i = 0; i < ncpus; i++) {
		if (!(up & (1u << i)))
			continue;
		gprintf("cpu %d up mpidr 0x%lx\n", i, slots[i].mpidr);
		if (slots[i].mpidr != mpidr[i])
			report_fail("cpu-mpidr %d got=0x%lx want=0x%lx", i, slots[i].mpidr, mpidr[i]);
		online++;
	}
	if (online == ncpus)
		report_pass("cpus-online %d", online);
	else
		report_fail("cpus-online got=%d want=%d", online, ncpus);
	smp_check_off(ncpus, mpidr, up);
}

/* Reads addr with aborts expected; true when it aborted. */
static bool smp_read_probe(uint64_t addr, uint64_t *val)
{
	uint64_t before = exc_abort_count();

	exc_expect_aborts(true);
	*val = *(volatile uint64_t *)addr;
	exc_expect_aborts(false);
	return exc_abort_count() != before;
}

static void smp_isolation(void)
{
	uint64_t addr, val;

	if (bootargs_get_u64("probe", &addr)) {
		if (!is_aligned(addr, SMP_WORD))
			report_fail("isolation-abort 0x%lx got=unaligned want=aligned", addr);
		else if (smp_read_probe(addr, &val))
			report_pass("isolation-abort 0x%lx", addr);
		else
			report_fail("isolation-read 0x%lx got=0x%lx want=abort", addr, val);
	}
	if (bootargs_get_u64("probe_ok", &addr)) {
		if (!is_aligned(addr, SMP_WORD))
			report_fail("isolation-own 0x%lx got=unaligned want=aligned", addr);
		else if (smp_read_probe(addr, &val))
			report_fail("isolation-own 0x%lx got=abort want=readable", addr);
		else if (val == SMP_PEER_PATTERN)
			report_fail("isolation-own 0x%lx got=0x%lx want=own-data", addr, val);
		else
			report_pass("isolation-own 0x%lx", addr);
	}
}

static void smp_memory(void)
{
	struct dt_range ram[DT_MAX_RANGES];
	int n = dt_memory_ranges(ram, DT_MAX_RANGES);
	uint64_t total = 0, want;

	for (int i = 0; i < n; i++)
		total += ram[i].size;
	if (bootargs_get_size("mem", &want))
		report_check_hex("mem-size", total, want);
	if (n < 1) {
		report_fail("ram-quick got=no-memory want=memory");
		return;
	}
	/* Last user of the DT: the top MiB may hold it. */
	uint64_t lo = ram[0].base, hi = ram[n - 1].base + ram[n - 1].size;
	uint64_t edge = ram[0].size < SMP_RAM_EDGE ? ram[0].size : SMP_RAM_EDGE;
	struct memtest_result r = memtest_result_init();
	memtest_outside_image(lo, lo + edge, &r);
	memtest_outside_image(hi - edge, hi, &r);
	if (r.ok)
		report_pass("ram-quick %lu bytes", r.bytes);
	else
		report_fail("ram-quick 0x%lx got=0x%lx want=0x%lx", r.bad_addr, r.got, r.want);
}

int main(const void *dtb)
{
	uint64_t addr, want;

	(void)dtb;
	gprintf("smp: cpus %d bootargs: %s\n", dt_cpu_count(), bootargs_line());
	if (bootargs_get_u64("poison", &addr) && is_aligned(addr, SMP_WORD)) {
		*(volatile uint64_t *)addr = SMP_PEER_PATTERN;
		gprintf("smp: poison 0x%lx\n", addr);
	}
	if (bootargs_get_u64("cpus", &want))
		report_check_dec("cpu-count", (uint64_t)dt_cpu_count(), want);
	smp_bring_up();
	smp_isolation();
	smp_memory();
	return 0;
}
