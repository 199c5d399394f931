/*
 * The init sequence, step by step, on the boot CPU; then each secondary
 * CPU's.  Every step is called by name here, in order.
 */
#include <libfdt.h>
#include <string.h>

#include "boot.h"
#include "config.h"
#include "console.h"
#include "gic.h"
#include "mm.h"
#include "partition.h"
#include "psci.h"
#include "shm_glue.h"
#include "sysreg.h"

#define SECONDARY_TIMEOUT_TICKS_DIV 10   /* wait up to 1/10 s of counter time per CPU */

struct pcpu pcpus[TS_MAX_CPUS];
unsigned int pcpu_count;

static struct config boot_config TS_NOINIT;          /* cfg_parse() clears it */
static struct cfg_errors boot_errors TS_NOINIT;
static struct cfg_platform boot_platform;
static struct host_dt host_dt;
static int console_node = -1;

extern char _start[], _end[], _bss_start[], _bss_end[], boot_stack[];
void secondary_entry(void);

/* boot/entry.S reads the stack top of a secondary CPU from its struct pcpu. */
_Static_assert(offsetof(struct pcpu, stack_top) == PCPU_STACK_TOP_OFF,
	       "PCPU_STACK_TOP in boot/entry.S");
_Static_assert(PCPU_STACK_SIZE == 0x4000, "PCPU_STACK_SIZE in boot/entry.S");

static void pcpu_bind(unsigned int index)
{
	struct pcpu *pc = &pcpus[index];
	pc->index = index;
	sysreg_write(tpidr_el2, (uint64_t)(uintptr_t)pc);
}

/* Parse the console early: everything after it can explain itself. */
static void boot_console(const void *fdt)
{
	const char *path = dt_getprop(fdt, host_dt.chosen, "stdout-path", NULL);
	int node = -FDT_ERR_NOTFOUND;
	if (path)
		node = host_dt_top_node(fdt, &host_dt, path, strcspn(path, ":"));   /* "path:options" */
	int parent = 0;                         /* a top-level node's: the root */
	if (node < 0) {
		/* An alias or a node below a bus; without stdout-path, the first PL011. */
		node = path ? host_dt_path_node(fdt, path, strcspn(path, ":")) : node;
		if (node < 0)
			node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
		parent = node >= 0 ? fdt_parent_offset(fdt, node) : -1;
	}
	uint64_t base;
	if (node >= 0 && dt_reg(fdt, node, parent, 0, &base, NULL) == 0)
		console_init(base);
	console_node = node;
}

/* The UART's receive interrupt, if its DT node names a GIC SPI. */
static void boot_console_irq(const void *fdt)
{
	int len;
	const fdt32_t *irq = dt_getprop(fdt, console_node, "interrupts", &len);
	if (!irq || len < 3 * 4 || fdt32_to_cpu(irq[0]) != GIC_DT_SPI)
		return;
	uint32_t intid = GIC_SPI_BASE + fdt32_to_cpu(irq[1]);
	gic_enable_spi(intid);
	console_enable_rx_irq(intid);
}

static void boot_cpus(const void *fdt)
{
	uint64_t self = sysreg_read(mpidr_el1) & MPIDR_AFF_MASK;
	int cpus = host_dt.cpus;
	struct dt_cells cc;
	if (dt_cells(fdt, cpus, &cc) != 0)
		return;
	unsigned int next = 1;
	pcpus[0].mpidr = self;
	pcpu_count = 1;
	int node;
	dt_for_each_subnode(node, fdt, cpus) {
		const char *type = dt_getprop(fdt, node, "device_type", NULL);
		uint64_t mpidr;
		if (!type || strcmp(type, "cpu") != 0 || dt_reg_cells(fdt, node, &cc, 0, &mpidr, NULL) != 0)
			continue;
		if ((mpidr & MPIDR_AFF_MASK) == self)
			continue;
		if (next == TS_MAX_CPUS) {
			log_line("cpus: more than %u CPUs; the rest stay off", TS_MAX_CPUS);
			break;
		}
		pcpus[next].mpidr = mpidr & MPIDR_AFF_MASK;
		pcpus[next].index = next;
		next++;
	}
	pcpu_count = next;
}

static void boot_psci(const void *fdt)
{
	int node = host_dt.psci;
	const char *method = node >= 0 ? dt_getprop(fdt, node, "method", NULL) : NULL;
	psci_host_init(method && strcmp(method, "hvc") == 0);
	log_line("psci: conduit %s", method ? method : "smc (no /psci/method)");
}

static void boot_secondaries(void)
{
	for (unsigned int i = 1; i < pcpu_count; i++) {
		int64_t r = psci_host_cpu_on(pcpus[i].mpidr, (uint64_t)(uintptr_t)secondary_entry,
					     (uint64_t)(uintptr_t)&pcpus[i]);
		if (r != 0)
			log_line("cpu %u (mpidr 0x%llx): CPU_ON failed (%lld)", i,
				 (unsigned long long)pcpus[i].mpidr, (long long)r);
	}
	uint64_t freq = sysreg_read(cntfrq_el0);
	uint64_t deadline = sysreg_read(cntpct_el0) + freq / SECONDARY_TIMEOUT_TICKS_DIV * pcpu_count;
	for (unsigned int i = 1; i < pcpu_count; i++) {
		while (!pcpus[i].online && sysreg_read(cntpct_el0) < deadline)
			wfe();
		if (!pcpus[i].online)
			log_line("cpu %u did not come up", i);
	}
}

/*
 * Every CPU's set-up programs the GIC (system registers on v3, GICC on v2):
 * without a usable one nothing can run, so refuse cleanly before any other
 * CPU starts.  gic_init_primary() has printed why.
 */
static void boot_gic_or_off(const void *fdt)
{
	if (gic_init_primary(fdt, host_dt.gic, host_dt.gic_parent) == 0)
		return;
	log_line("gic: no usable interrupt controller: powering off");
	psci_host_system_off();
}

static void boot_config_or_off(const void *fdt)
{
	(void)fdt;
	platform_describe(&host_dt, &boot_platform);
	platform_describe_devices(&boot_platform);
	if (cfg_parse(fdt, &boot_platform, &boot_config, &boot_errors) == 0)
		return;
	unsigned int kept = boot_errors.count < CFG_MAX_ERRORS ? boot_errors.count : CFG_MAX_ERRORS;
	for (unsigned int i = 0; i < kept; i++)
		log_line("%s", boot_errors.line[i]);
	if (boot_errors.count > kept)
		log_line("config: ... and %u more errors", boot_errors.count - kept);
	log_line("configuration rejected (%u error%s): no partition started, powering off",
		 boot_errors.count, boot_errors.count == 1 ? "" : "s");
	psci_host_system_off();
}

static void boot_start_partitions(void)
{
	for (unsigned int i = 0; i < partition_count; i++)
		partition_start(&partitions[i]);
	partition_boot_done();
}

/*
 * A DTB the image's BSS, .noinit or stack covers would be overwritten as
 * boot goes on (a boot loader that ignored image_size): refuse it, with no
 * console to say so yet.
 */
static void boot_check_dtb(const void *fdt, uint64_t dtb)
{
	uint64_t img = (uint64_t)(uintptr_t)_start, img_size = (uint64_t)(_end - _start);
	if (fdt_check_header(fdt) != 0 || ranges_overlap(dtb, fdt_totalsize(fdt), img, img_size))
		psci_host_system_off();
}

void boot_primary(uint64_t dtb)
{
	const void *fdt = (const void *)(uintptr_t)dtb;
	mmu_enable_boot(dtb);
	boot_check_dtb(fdt, dtb);
	memset(_bss_start, 0, (size_t)(_bss_end - _bss_start));
	pcpus[0].stack_top = (uint64_t)(uintptr_t)boot_stack + PCPU_STACK_SIZE;
	pcpu_bind(0);
	host_dt_scan(fdt, &host_dt);
	/* A broken header or structure block: libfdt must not walk it (include/host_dt.h). */
	if (host_dt.malformed)
		psci_host_system_off();      /* no DT, no console: nothing to say it on */
	boot_console(fdt);
	log_line("Tessera: static partitioning hypervisor at EL2, image 0x%llx-0x%llx",
		 (unsigned long long)(uintptr_t)_start, (unsigned long long)(uintptr_t)_end);
	boot_memory(fdt, &host_dt, dtb);
	boot_psci(fdt);
	boot_cpus(fdt);
	boot_gic_or_off(fdt);
	gic_init_cpu();
	boot_console_irq(fdt);
	pcpus[0].online = true;
	log_line("cpu 0 up (mpidr 0x%llx, boot CPU)", (unsigned long long)pcpus[0].mpidr);
	boot_config_or_off(fdt);
	boot_secondaries();
	partitions_create(&boot_config);
	if (shm_glue_init(&boot_config) != 0) {
		log_line("shm: the ownership table rejected the configuration: powering off");
		psci_host_system_off();
	}
	boot_start_partitions();
	shm_glue_print_table();
	pcpu_idle();
}

void boot_secondary(struct pcpu *pc)
{
	unsigned int index = pc->index;
	mmu_enable_secondary();
	pcpu_bind(index);
	gic_init_cpu();
	log_line("cpu %u up (mpidr 0x%llx)", index, (unsigned long long)pcpus[index].mpidr);
	pcpus[index].online = true;
	dsb_ish();
	sev();
	pcpu_idle();
}
