/*
 * hello: the platform a partition sees (DESIGN.md §5).  Prints what the DT
 * describes, checks it against the bootargs expectations, checks PSCI, and
 * pattern-tests all of its RAM outside its own image.
 */
#include "guest.h"

#define PSCI_MIN_MAJOR	1

static void hello_check_expectations(uint64_t ram_size, int cpus)
{
	uint64_t want;

	if (bootargs_get_size("mem", &want))
		report_check_hex("mem-size", ram_size, want);
	if (bootargs_get_u64("cpus", &want))
		report_check_dec("cpu-count", (uint64_t)cpus, want);
}

static void hello_check_psci(void)
{
	uint32_t v = psci_version();

	if (PSCI_VERSION_MAJOR(v) >= PSCI_MIN_MAJOR)
		report_pass("psci-version");
	else
		report_fail("psci-version got=0x%x want=0x10000", v);
}

static void hello_ram_test(const struct dt_range *ram, int nram)
{
	struct memtest_result r = memtest_result_init();

	/* The DTB may be overwritten: everything needed from it is read by now. */
	for (int i = 0; i < nram; i++)
		memtest_outside_image(ram[i].base, ram[i].base + ram[i].size, &r);
	if (r.ok)
		report_pass("ram-test %lu bytes", r.bytes);
	else
		report_fail("ram-test 0x%lx got=0x%lx want=0x%lx", r.bad_addr, r.got, r.want);
}

int main(const void *dtb)
{
	struct dt_range ram[DT_MAX_RANGES];
	int nram = dt_memory_ranges(ram, DT_MAX_RANGES);
	int cpus = dt_cpu_count();

	(void)dtb;
	if (nram < 1) {
		report_fail("dt-memory got=0 want=1");
		return 1;
	}
	uint64_t total = 0;
	for (int i = 0; i < nram; i++)
		total += ram[i].size;
	gprintf("hello: uart 0x%lx ram 0x%lx size 0x%lx cpus %d\n",
		uart_base(), ram[0].base, total, cpus);
	gprintf("bootargs: %s\n", bootargs_line());
	hello_check_expectations(total, cpus);
	hello_check_psci();
	hello_ram_test(ram, nram);
	return 0;
}
