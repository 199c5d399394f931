/*
 * hostile: the attacker's run and what both roles share (hostile.h): the
 * platform from the DT, the control block in the shared region, a
 * deterministic random generator, and the table of attacks run by name.
 *
 * Attacker: a SYSTEM_RESET storm first (`resets=N`, counted in the shared
 * control block, which outlives the partition's restarts), checking after
 * each reset that no debug or PMU state survived; then it waits for the
 * honest partition to be ready (`wait_honest=1`), runs every attack of
 * `attacks=` (default: all, in table order), and tells the honest
 * partition it is done.
 */
#include <libfdt.h>
#include <string.h>

#include "hostile.h"

#define ROLE_MAX		16
#define ATTACKS_MAX		256
#define HONEST_WAIT_MS		20000u
#define GIB			0x40000000ull
#define BLOCK_2M		0x200000ull
#define FIRST_HOLE_SEARCH	0x10000000ull	/* above virt's and Xen's low device windows */
#define SHM_COMPAT		"xen,shared-memory-v1"

struct platform plat;

struct attack {
	const char *name;
	void (*run)(void);
};

static const struct attack attacks[] = {
	{ "pmu", attack_pmu },
	{ "debug", attack_debug },
	{ "sysregs", attack_sysregs },
	{ "aarch32", attack_aarch32 },
	{ "mmio-edges", attack_mmio_edges },
	{ "mmio-nosyndrome", attack_mmio_nosyndrome },
	{ "gic", attack_gic },
	{ "sgi", attack_sgi },
	{ "hvc", attack_hvc },
	{ "psci", attack_psci },
	{ "cache", attack_cache },
	{ "irq-flood", attack_irq_flood },
	{ "uart", attack_uart },
	{ "ipa", attack_ipa },
	{ "flood", attack_flood },
};

/* ---- platform ------------------------------------------------------------ */

static void platform_scan_gic(const void *fdt)
{
	static const char *const gic_v2[] = { "arm,gic-400", "arm,cortex-a15-gic",
					      "arm,cortex-a7-gic" };
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	for (size_t i = 0; node < 0 && i < ARRAY_SIZE(gic_v2); i++) {
		node = fdt_node_offset_by_compatible(fdt, -1, gic_v2[i]);
		plat.gic_v2 = node >= 0;
	}
	if (node < 0)
		return;
	dt_reg(node, 0, &plat.gicd, &plat.gicd_size);
	dt_reg(node, 1, &plat.gicr, &plat.gicr_size);
}

static void platform_scan_shm(const void *fdt)
{
	int parent = fdt_path_offset(fdt, "/reserved-memory");
	int node;
	if (parent < 0)
		return;
	fdt_for_each_subnode(node, fdt, parent) {
		if (plat.nshm == PLAT_MAX_SHM)
			return;
		if (fdt_node_check_compatible(fdt, node, SHM_COMPAT) != 0)
			continue;
		struct dt_range *r = &plat.shm[plat.nshm];
		if (dt_reg(node, 0, &r->base, &r->size) == 0)
			plat.nshm++;
	}
}

/* "interrupts" = <type number flags> with the GIC's three cells; type 0 = SPI. */
#define DT_IRQ_CELLS		3
#define DT_IRQ_TYPE_SPI		0u
#define DT_IRQ_TYPE_PPI		1u
#define GIC_SPI_BASE		32u
#define GIC_PPI_BASE		16u

/* The INTID of a node's first interrupt: an SPI, or a PPI (the doorbell's); 0 if none. */
static uint32_t platform_intid(const void *fdt, int node)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "interrupts", &len);
	if (p == NULL || len < (int)(DT_IRQ_CELLS * sizeof(*p)))
		return 0;
	if (fdt32_to_cpu(p[0]) == DT_IRQ_TYPE_SPI)
		return GIC_SPI_BASE + fdt32_to_cpu(p[1]);
	if (fdt32_to_cpu(p[0]) == DT_IRQ_TYPE_PPI)
		return GIC_PPI_BASE + fdt32_to_cpu(p[1]);
	return 0;
}

static void platform_scan(void)
{
	const void *fdt = dt_blob();
	int uart = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
	if (uart >= 0) {
		dt_reg(uart, 0, &plat.uart, &plat.uart_size);
		plat.uart_intid = platform_intid(fdt, uart);
	}
	int hyp = fdt_node_offset_by_compatible(fdt, -1, "tessera,hypervisor");
	if (hyp >= 0)
		plat.doorbell_intid = platform_intid(fdt, hyp);
	platform_scan_gic(fdt);
	plat.nram = dt_memory_ranges(plat.ram, DT_MAX_RANGES);
	if (plat.nram < 0)
		plat.nram = 0;
	platform_scan_shm(fdt);
	plat.ncpus = dt_cpu_count();
}

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return bs != 0 && a < b + bs && b < a + as;
}

bool platform_is_known(uint64_t addr, uint64_t size)
{
	if (overlaps(addr, size, plat.uart, plat.uart_size) ||
	    overlaps(addr, size, plat.gicd, plat.gicd_size) ||
	    overlaps(addr, size, plat.gicr, plat.gicr_size))
		return true;
	for (int i = 0; i < plat.nram; i++)
		if (overlaps(addr, size, plat.ram[i].base, plat.ram[i].size))
			return true;
	for (int i = 0; i < plat.nshm; i++)
		if (overlaps(addr, size, plat.shm[i].base, plat.shm[i].size))
			return true;
	return false;
}

uint64_t platform_hole_below_4g(void)
{
	for (uint64_t a = FIRST_HOLE_SEARCH; a < 4 * GIB; a += BLOCK_2M)
		if (!platform_is_known(a, BLOCK_2M))
			return a;
	return 0;
}

/* ---- shared control block ---------------------------------------------- */

struct shm_ctl *shm_ctl(void)
{
	if (plat.nshm == 0)
		return NULL;
	return (struct shm_ctl *)(uintptr_t)(plat.shm[0].base + plat.shm[0].size / 2);
}

uint64_t shm_pattern_base(void)
{
	return plat.nshm ? plat.shm[0].base : 0;
}

uint64_t shm_pattern_size(void)
{
	return plat.nshm ? plat.shm[0].size / 2 : 0;
}

uint64_t shm_pattern_word(uint64_t addr)
{
	return ~memtest_pattern(addr) ^ 0x484f4e4553540000ull;	/* "HONEST" */
}

/* ---- random numbers: xorshift64* (deterministic for a given seed) ------- */

static uint64_t rng_state = 0x853c49e6748fea9bull;

void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 1;
}

uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* ---- attacker ------------------------------------------------------------ */

static void run_one(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(attacks); i++) {
		if (strcmp(name, attacks[i].name) == 0) {
			gprintf("hostile: attack %s\n", name);
			rng_seed(0x5eed0000ull + i);
			attacks[i].run();
			return;
		}
	}
	report_fail("attack %s got=unknown want=known", name);
}

static void run_attacks(void)
{
	char list[ATTACKS_MAX];
	if (!bootargs_get("attacks", list, sizeof(list)) || strcmp(list, "all") == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(attacks); i++)
			run_one(attacks[i].name);
		return;
	}
	char *name = list;
	for (char *p = list;; p++) {
		if (*p != ',' && *p != '\0')
			continue;
		bool last = *p == '\0';
		*p = '\0';
		if (*name != '\0')
			run_one(name);
		if (last)
			return;
		name = p + 1;
	}
}

/* Returns only once the storm is over (every reset done and checked). */
static void reset_storm(struct shm_ctl *ctl)
{
	uint64_t want = 0;
	bootargs_get_u64("resets", &want);
	if (want == 0)
		return;
	if (ctl == NULL) {
		report_fail("reset-storm got=no-shared-region want=region");
		return;
	}
	if (ctl->attacker_magic != CTL_MAGIC) {
		ctl->resets = 0;
		ctl->attacker_done = 0;
		ctl->debug_mark = 0;
		ctl->debug_kept = 0;
		ctl->attacker_magic = CTL_MAGIC;
	}
	if (ctl->resets > 0)
		attack_debug_check_reset(ctl);
	if (ctl->resets < want) {
		attack_debug_mark(ctl);
		ctl->resets = ctl->resets + 1;
		gprintf("hostile: SYSTEM_RESET %u of %lu\n", ctl->resets, want);
		psci_call(PSCI_FN_SYSTEM_RESET, 0, 0, 0);
		report_fail("system-reset got=returned want=restart");
		return;
	}
	report_check_dec("reset-storm", ctl->resets, want);
	report_check_dec("reset-fresh-debug-pmu kept", ctl->debug_kept, 0);
}

static void wait_honest(struct shm_ctl *ctl)
{
	uint64_t on = 0;
	if (!bootargs_get_u64("wait_honest", &on) || on == 0)
		return;
	struct timeout t = timeout_start_ms(HONEST_WAIT_MS);
	while (ctl != NULL && ctl->honest_ready != CTL_MAGIC && !timeout_expired(&t))
		guest_wfe();
	if (ctl != NULL && ctl->honest_ready == CTL_MAGIC)
		report_pass("honest-ready");
	else
		report_fail("honest-ready got=timeout want=ready");
}

int main(const void *dtb)
{
	(void)dtb;
	char role[ROLE_MAX] = "attacker";
	platform_scan();
	probe_init();
	bootargs_get("hostile_role", role, sizeof(role));
	gprintf("hostile: %s cpus %d uart 0x%lx gicd 0x%lx gicr 0x%lx+0x%lx ram 0x%lx shm %d\n",
		role, plat.ncpus, plat.uart, plat.gicd, plat.gicr, plat.gicr_size,
		plat.nram ? plat.ram[0].base : 0, plat.nshm);
	if (strcmp(role, "honest") == 0) {
		honest_main();
		return 0;
	}
	if (strcmp(role, "attacker") != 0) {
		report_fail("hostile-role got=%s want=attacker|honest", role);
		return 0;
	}
	struct shm_ctl *ctl = shm_ctl();
	reset_storm(ctl);
	wait_honest(ctl);
	run_attacks();
	if (ctl != NULL)
		ctl->attacker_done = CTL_MAGIC;
	return 0;
}
