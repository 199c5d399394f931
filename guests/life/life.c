/*
 * life: a hostile guest for the partition life cycle (docs/architecture.md
 * section 9).  `life_test=` picks what it does:
 *
 *   reset-storm   vCPU1 calls CPU_ON for vCPU2 in a loop, vCPU2 turns
 *                 itself off at once, while vCPU0 calls SYSTEM_RESET;
 *                 `resets=<n>` runs end in a reset, run n+1 powers off
 *                 (SYSTEM_OFF) with the storm still going.
 *   reset-loop    SYSTEM_RESET at once, `resets=<n>` times, then
 *                 PASS reset-loop runs and SYSTEM_OFF.
 *   cpu-on-range  CPU_ON with entry points outside the partition's RAM (the
 *                 UART and GIC from the DT among them) must fail with
 *                 INVALID_ADDRESS and leave the target off; one inside RAM
 *                 starts it.
 *   stress        every secondary vCPU turns other secondaries on and
 *                 itself off in a loop; vCPU0 keeps them coming; after
 *                 `stress_ms` (times 1 to 3) the run ends as `stress_end=`
 *                 says: reset (vCPU0 and the secondaries still up call
 *                 SYSTEM_RESET together), off (SYSTEM_OFF, likewise),
 *                 cpu-off (every vCPU turns off: the last CPU_OFF stops the
 *                 partition), calm (the storm stops and vCPU0 waits).
 *                 A 'q' on the partition's console (polled by vCPU0)
 *                 makes this run and every later one calm ("life: calm").
 *
 * Runs are counted across restarts at the start of the shared region whose
 * xen,id the bootarg `persist=<id>` names: Tessera scrubs a partition's
 * private RAM before every run but its first and never scrubs a shared
 * region (docs/architecture.md section 9).  A guest that finds its magic
 * there adds one.  Without `persist=` every run is run 1 (cpu-on-range
 * needs no count).  Only vCPU0 prints.
 */
#include <libfdt.h>
#include <string.h>

#include "guest.h"

#define LIFE_SHM_COMPAT		"xen,shared-memory-v1"
#define LIFE_PERSIST_ID_MAX	32
#define LIFE_MAGIC		0x4546494c45464900ull	/* "\0IFELIFE" */
#define LIFE_WAIT_MS		5000u
#define LIFE_STORM_MIN_CALLS	64u			/* CPU_ON calls before the reset */
#define LIFE_TEST_MAX		32
#define LIFE_CPU_UP		0x5550u

struct life_persist {
	volatile uint64_t magic;
	volatile uint64_t runs;
	volatile uint64_t calm;		/* stress: 'q' came on the console */
};

/* PL011 receive side (ARM DDI 0183G 3.3): UARTDR, UARTFR.RXFE. */
#define UARTDR			0x000
#define UARTFR			0x018
#define UARTFR_RXFE		(1u << 4)
#define LIFE_CALM_KEY		'q'
#define LIFE_CALM_YES		0x43414c4dull		/* "CALM" */

/* Written by the secondaries (each its own slot), read by vCPU0. */
struct life_slot {
	volatile uint64_t calls;	/* CPU_ON calls made */
	volatile int64_t bad;		/* an unexpected CPU_ON result, 0 if none */
	volatile uint64_t up;
};

static struct life_slot slots[GUEST_MAX_CPUS];
static volatile uint64_t mode;		/* what the secondaries do, set by vCPU0 */
static volatile uint64_t storm_on;	/* stress: secondaries keep storming */
static uint64_t cpu_mpidr[GUEST_MAX_CPUS];
static int ncpus;

enum life_mode { MODE_NONE, MODE_RESET_STORM, MODE_RANGE, MODE_STRESS };
enum life_end { END_NONE, END_RESET, END_OFF, END_CPU_OFF, END_CALM };
static volatile enum life_end ending;	/* stress: how vCPU0 ends this run */

static struct life_persist *persist;	/* NULL without `persist=` */

/* The shared region whose xen,id is @id, or NULL (with a FAIL line). */
static struct life_persist *life_find_persist(const char *id)
{
	const void *fdt = dt_blob();
	int node;
	uint64_t base, size;

	fdt_for_each_subnode(node, fdt, fdt_path_offset(fdt, "/reserved-memory")) {
		const char *compat = dt_prop_string(node, "compatible");
		const char *xid = dt_prop_string(node, "xen,id");
		if (compat == NULL || xid == NULL || strcmp(compat, LIFE_SHM_COMPAT) != 0 ||
		    strcmp(xid, id) != 0)
			continue;
		if (dt_reg(node, 0, &base, &size) != 0 || size < sizeof(struct life_persist))
			break;
		return (struct life_persist *)(uintptr_t)base;
	}
	report_fail("life-persist got=none want=%s", id);
	return NULL;
}

/* This run's number, 1 for the first since QEMU started. */
static uint64_t life_count_run(void)
{
	char id[LIFE_PERSIST_ID_MAX];

	if (!bootargs_get("persist", id, sizeof(id)))
		return 1;
	persist = life_find_persist(id);
	if (persist == NULL)
		return 1;

	struct life_persist *p = persist;
	bool known = p->magic == LIFE_MAGIC;
	uint64_t runs = known ? p->runs + 1 : 1;

	p->runs = runs;
	if (!known)
		p->calm = 0;
	p->magic = LIFE_MAGIC;
	guest_dsb();
	return runs;
}

/* A 'q' typed to this partition (CTRL-A moves the console to it): calm from now on. */
static bool life_calm_asked(void)
{
	volatile uint32_t *fr = (volatile uint32_t *)(uintptr_t)(uart_base() + UARTFR);
	volatile uint32_t *dr = (volatile uint32_t *)(uintptr_t)(uart_base() + UARTDR);

	static bool calm;		/* without `persist=`: this run only */
	volatile uint64_t *flag = persist != NULL ? &persist->calm : NULL;

	while (!(*fr & UARTFR_RXFE))
		if ((char)*dr == LIFE_CALM_KEY)
			calm = true;
	if (flag != NULL && calm)
		*flag = LIFE_CALM_YES;
	return calm || (flag != NULL && *flag == LIFE_CALM_YES);
}

static bool cpu_on_result_ok(int64_t r)
{
	return r == PSCI_RET_SUCCESS || r == PSCI_RET_ALREADY_ON || r == PSCI_RET_ON_PENDING;
}

static int64_t life_cpu_on(int index)
{
	return psci_cpu_on(cpu_mpidr[index], (uint64_t)(uintptr_t)guest_secondary_entry,
			   (uint64_t)index);
}

/* vCPU1 in reset-storm: CPU_ON for vCPU2, for ever. */
static void life_on_looper(struct life_slot *s)
{
	for (;;) {
		int64_t r = life_cpu_on(2);
		if (!cpu_on_result_ok(r) && s->bad == 0)
			s->bad = r;
		s->calls = s->calls + 1;
	}
}

/*
 * A stress secondary: start the next secondaries, then turn itself off; if
 * vCPU0 is ending the run with a reset or SYSTEM_OFF, call it too.
 */
static void life_stress_secondary(uint64_t index, struct life_slot *s)
{
	for (int k = 1; k < ncpus && storm_on; k++) {
		int next = 1 + (int)((index - 1 + (uint64_t)k) % (uint64_t)(ncpus - 1));
		int64_t r = life_cpu_on(next);
		if (!cpu_on_result_ok(r) && s->bad == 0)
			s->bad = r;
		s->calls = s->calls + 1;
	}
	if (ending == END_RESET)
		psci_system_reset();
	else if (ending == END_OFF)
		psci_system_off();
}

void guest_secondary_main(uint64_t index)
{
	struct life_slot *s = &slots[index];

	s->up = LIFE_CPU_UP;
	guest_dsb();
	if (mode == MODE_RESET_STORM && index == 1)
		life_on_looper(s);
	else if (mode == MODE_STRESS)
		life_stress_secondary(index, s);
	psci_cpu_off();
	for (;;)
		__asm__ volatile("wfi");
}

static bool life_wait_calls(int index, uint64_t want)
{
	struct timeout t = timeout_start_ms(LIFE_WAIT_MS);

	while (slots[index].calls < want && !timeout_expired(&t))
		guest_wfe();
	return slots[index].calls >= want;
}

static void life_reset_storm(uint64_t run)
{
	uint64_t resets = 0;

	if (!bootargs_get_u64("resets", &resets))
		resets = 1;
	gprintf("life: run %lu of %lu\n", run, resets + 1);
	if (ncpus < 3) {
		report_fail("reset-storm cpus got=%d want=3", ncpus);
		return;
	}
	mode = MODE_RESET_STORM;
	guest_dsb();
	int64_t r = life_cpu_on(1);
	if (r != PSCI_RET_SUCCESS) {
		report_fail("reset-storm cpu-on 1 got=%ld want=0", r);
		return;
	}
	if (!life_wait_calls(1, LIFE_STORM_MIN_CALLS)) {
		report_fail("reset-storm calls got=%lu want=%u", slots[1].calls, LIFE_STORM_MIN_CALLS);
		return;
	}
	if (slots[1].bad != 0) {
		report_fail("reset-storm cpu-on-result got=%ld want=0|-4|-5", slots[1].bad);
		return;
	}
	if (run <= resets) {
		gprintf("life: reset with the storm on\n");
		psci_system_reset();
		report_fail("system-reset got=returned want=reset");
		return;
	}
	/* The last run: DONE, then SYSTEM_OFF with vCPU1 still calling CPU_ON. */
	report_pass("reset-storm %lu", resets);
}

/* SYSTEM_RESET at once, `resets=<n>` times: the partition's start must never run out of anything. */
static void life_reset_loop(uint64_t run)
{
	uint64_t resets = 1;

	(void)bootargs_get_u64("resets", &resets);
	if (run <= resets) {
		psci_system_reset();
		report_fail("system-reset got=returned want=reset");
		return;
	}
	report_check_dec("reset-loop runs", run, resets + 1);
}

/* CPU_ON at @entry must fail with INVALID_ADDRESS and leave vCPU1 off. */
static bool life_range_one(uint64_t entry)
{
	int64_t r = psci_cpu_on(cpu_mpidr[1], entry, 1);
	int64_t st = psci_affinity_info(cpu_mpidr[1], 0);

	if (r != PSCI_RET_INVALID_ADDRESS) {
		report_fail("cpu-on-invalid-address 0x%lx got=%ld want=%d", entry, r,
			    PSCI_RET_INVALID_ADDRESS);
		return false;
	}
	if (st != PSCI_AFF_OFF) {
		report_fail("cpu-on-invalid-address 0x%lx state got=%ld want=%d", entry, st,
			    PSCI_AFF_OFF);
		return false;
	}
	return true;
}

static void life_cpu_on_range(void)
{
	struct dt_range ram[DT_MAX_RANGES];
	int n = dt_memory_ranges(ram, DT_MAX_RANGES);

	if (n < 1 || ncpus < 2) {
		report_fail("cpu-on-range got=%d/%d want=ram/2cpus", n, ncpus);
		return;
	}
	uint64_t lo = ram[0].base, hi = ram[n - 1].base + ram[n - 1].size;
	uint64_t uart = 0, gicd = 0, size;
	(void)dt_stdout_base(&uart);
	int gic = fdt_node_offset_by_compatible(dt_blob(), -1, "arm,gic-v3");
	if (gic < 0 || dt_reg(gic, 0, &gicd, &size) != 0)
		gicd = 0;
	/* Below, just past and far beyond its RAM, and its emulated devices. */
	const uint64_t bad[] = {
		0x0, lo - 4, hi, hi + 0x1000, uart, gicd,
		0xfffffffffffff000ull, 0x8000000000000000ull,
	};
	unsigned ok = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok += life_range_one(bad[i]);
	if (ok == sizeof(bad) / sizeof(bad[0]))
		report_pass("cpu-on-invalid-address %u", ok);
	int64_t r = life_cpu_on(1);
	struct timeout t = timeout_start_ms(LIFE_WAIT_MS);
	while (slots[1].up != LIFE_CPU_UP && !timeout_expired(&t))
		guest_wfe();
	if (r == PSCI_RET_SUCCESS && slots[1].up == LIFE_CPU_UP)
		report_pass("cpu-on-in-ram");
	else
		report_fail("cpu-on-in-ram got=%ld/0x%lx want=0/0x%x", r, slots[1].up, LIFE_CPU_UP);
}

/* Keeps every secondary coming back until @ms pass. */
/* Keeps every secondary coming back until @ms pass; false if calm was asked meanwhile. */
static bool life_storm_for(uint64_t ms)
{
	struct timeout t = timeout_start_ms(ms);
	bool calm = false;

	storm_on = 1;
	guest_dsb();
	while (!calm && !timeout_expired(&t)) {
		for (int i = 1; i < ncpus; i++) {
			int64_t r = life_cpu_on(i);
			if (!cpu_on_result_ok(r) && slots[0].bad == 0) {
				report_fail("stress cpu-on %d got=%ld want=0|-4|-5", i, r);
				slots[0].bad = r;
			}
		}
		calm = life_calm_asked();
	}
	storm_on = 0;
	guest_dsb();
	return !calm;
}

static void life_calm(void)
{
	gprintf("life: calm\n");
	for (;;)
		__asm__ volatile("wfi");
}

static enum life_end life_end_of(const char *end)
{
	if (strcmp(end, "reset") == 0)
		return END_RESET;
	if (strcmp(end, "off") == 0)
		return END_OFF;
	if (strcmp(end, "cpu-off") == 0)
		return END_CPU_OFF;
	return END_CALM;
}

/*
 * One run: storm for stress_ms (times 1 to 3, varying with the run, so that
 * the ends fall at different moments), then end it.  A reset or SYSTEM_OFF
 * is called by vCPU0 and, at the same time, by every secondary still up.
 */
static void life_stress(uint64_t run)
{
	char end[LIFE_TEST_MAX] = "calm";
	uint64_t ms = 0;

	(void)bootargs_get("stress_end", end, sizeof(end));
	(void)bootargs_get_u64("stress_ms", &ms);
	gprintf("life: stress run %lu\n", run);
	mode = MODE_STRESS;
	guest_dsb();
	if (life_calm_asked() || !life_storm_for(ms * (1 + run % 3)))
		life_calm();
	for (int i = 1; i < ncpus; i++)
		if (slots[i].bad != 0)
			report_fail("stress cpu-on-result %d got=%ld want=0|-4|-5", i, slots[i].bad);
	ending = life_end_of(end);
	guest_dsb();
	switch (ending) {
	case END_RESET: psci_system_reset(); break;
	case END_OFF: psci_system_off(); break;
	case END_CPU_OFF: psci_cpu_off(); break;     /* the secondaries turn themselves off */
	case END_CALM:
	default: life_calm();
	}
	report_fail("stress end %s got=returned want=no-return", end);
}

int main(const void *dtb)
{
	char test[LIFE_TEST_MAX];

	(void)dtb;
	ncpus = dt_cpu_count();
	if (ncpus > GUEST_MAX_CPUS)
		ncpus = GUEST_MAX_CPUS;
	for (int i = 0; i < ncpus; i++)
		dt_cpu_mpidr(i, &cpu_mpidr[i]);
	uint64_t run = life_count_run();
	if (!bootargs_get("life_test", test, sizeof(test)))
		report_fail("life-test got=none want=reset-storm|reset-loop|cpu-on-range|stress");
	else if (strcmp(test, "reset-storm") == 0)
		life_reset_storm(run);
	else if (strcmp(test, "reset-loop") == 0)
		life_reset_loop(run);
	else if (strcmp(test, "cpu-on-range") == 0)
		life_cpu_on_range();
	else if (strcmp(test, "stress") == 0)
		life_stress(run);
	else
		report_fail("life-test got=%s want=reset-storm|reset-loop|cpu-on-range|stress", test);
	return 0;
}
