/*
 * What the host DT says about the machine: RAM, what in it is taken, and
 * the crash report.  Nothing board-specific is assumed (DESIGN §3).
 */
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "console.h"
#include "gic.h"
#include "mm.h"
#include "p2m.h"
#include "partition.h"
#include "psci.h"
#include "sysreg.h"
#include "tserr.h"

extern char _start[], _end[];

/*
 * What the hypervisor takes from free RAM at boot: the stage-2 page pool
 * (2 MiB aligned) with the secondary CPUs' stacks just below it.  The boot
 * CPU's stack is in the image.
 */
#define HYP_STACKS_SIZE ((TS_MAX_CPUS - 1) * PCPU_STACK_SIZE)
#define HYP_AREA_SIZE   (MM_POOL_SIZE + HYP_STACKS_SIZE)

static struct range_set ram, taken_fixed;   /* taken_fixed: image, DTB, reserved memory, hyp area */

static int cells_usable(const struct dt_cells *c)
{
	return c->ac >= 1 && c->ac <= 2 && c->sc >= 0 && c->sc <= 2 ? 0 : -TS_EINVAL;
}

int dt_cells(const void *fdt, int parent, struct dt_cells *c)
{
	c->ac = dt_address_cells(fdt, parent);
	c->sc = dt_size_cells(fdt, parent);
	return cells_usable(c);
}

/* dt_cells() of a node of /chosen, through boot's index of it (NULL: none). */
static int ix_cells(struct dt_index *ix, const void *fdt, int parent, struct dt_cells *c)
{
	c->ac = dt_index_address_cells(ix, fdt, parent);
	c->sc = dt_index_size_cells(ix, fdt, parent);
	return cells_usable(c);
}

/* One (address, size) pair of a reg value, at @reg, in @c's cells. */
static void reg_entry(const fdt32_t *reg, const struct dt_cells *c, uint64_t *base,
		      uint64_t *size)
{
	uint64_t b = 0, s = 0;
	for (int i = 0; i < c->ac; i++)
		b = (b << 32) | fdt32_to_cpu(reg[i]);
	for (int i = 0; i < c->sc; i++)
		s = (s << 32) | fdt32_to_cpu(reg[c->ac + i]);
	*base = b;
	*size = s;
}

int dt_reg_cells(const void *fdt, int node, const struct dt_cells *c, int index, uint64_t *base,
		 uint64_t *size)
{
	int len;
	const fdt32_t *reg = node >= 0 ? dt_getprop(fdt, node, "reg", &len) : NULL;
	int stride = c->ac + c->sc;
	if (!reg || index < 0 || len < stride * 4 * (index + 1))
		return -TS_EINVAL;
	uint64_t s;
	reg_entry(reg + stride * index, c, base, &s);
	if (size)
		*size = s;
	return 0;
}

int dt_reg(const void *fdt, int node, int parent, int index, uint64_t *base, uint64_t *size)
{
	struct dt_cells c;
	if (node < 0 || parent < 0 || dt_cells(fdt, parent, &c) != 0)
		return -TS_ENOENT;
	return dt_reg_cells(fdt, node, &c, index, base, size);
}

/* Every (address, size) pair of @node's reg (through @ix, which may be NULL); reads reg once. */
static void ranges_add_reg(struct range_set *set, struct dt_index *ix, const void *fdt, int node,
			   const struct dt_cells *c)
{
	int len;
	const fdt32_t *reg = dt_index_getprop(ix, fdt, node, "reg", &len);
	int stride = c->ac + c->sc;
	for (int at = 0; reg && stride && (at + stride) * 4 <= len; at += stride) {
		uint64_t b, s;
		reg_entry(reg + at, c, &b, &s);
		ranges_add(set, b, s);
	}
}

static bool dt_is_module(struct dt_index *ix, const void *fdt, int node)
{
	int len;
	const char *c = dt_index_getprop(ix, fdt, node, "compatible", &len);
	for (int off = 0; c && off < len; off += (int)strlen(c + off) + 1)
		if (strncmp(c + off, "multiboot,", strlen("multiboot,")) == 0)
			return true;
	return false;
}

/* Boot modules: /chosen children, and children of its xen,domain nodes (through @ix). */
static void boot_remove_modules(struct range_set *free, struct dt_index *ix, const void *fdt,
				int chosen)
{
	int node, child;
	struct dt_cells cc, dc;
	if (ix_cells(ix, fdt, chosen, &cc) != 0)
		return;
	dt_index_for_each_subnode(node, ix, fdt, chosen) {
		if (dt_is_module(ix, fdt, node))
			ranges_add_reg(free, ix, fdt, node, &cc);
		if (!dt_index_getprop(ix, fdt, node, "#address-cells", NULL) ||
		    ix_cells(ix, fdt, node, &dc) != 0)
			continue;                      /* not a domain: no modules below */
		dt_index_for_each_subnode(child, ix, fdt, node)
			if (dt_is_module(ix, fdt, child))
				ranges_add_reg(free, ix, fdt, child, &dc);
	}
}

/* The highest spot in @free, inside the EL2 map, for the pool (2 MiB aligned) and the stacks. */
static bool hyp_area_find(const struct range_set *free, uint64_t *base)
{
	for (unsigned int i = free->count; i-- > 0;) {
		const struct cfg_range *r = &free->r[i];
		uint64_t end = r->base + r->size < MMU_MAP_LIMIT ? r->base + r->size : MMU_MAP_LIMIT;
		if (end < r->base + HYP_AREA_SIZE)
			continue;
		uint64_t pool = align_down(end - MM_POOL_SIZE, SZ_2M);
		if (pool >= r->base + HYP_STACKS_SIZE) {
			*base = pool - HYP_STACKS_SIZE;
			return true;
		}
	}
	return false;
}

/*
 * Take the hypervisor's run-time memory out of @free: the partitions'
 * placement (dt/cfg_place.c) sees it as reserved (platform_describe).
 */
static void hyp_area_take(struct range_set *free)
{
	uint64_t base;
	if (!hyp_area_find(free, &base)) {
		log_line("mem: no free RAM for the hypervisor's %llu KiB (stage-2 page pool, CPU stacks): "
			 "powering off", (unsigned long long)(HYP_AREA_SIZE >> 10));
		psci_host_system_off();
	}
	ranges_remove(free, base, HYP_AREA_SIZE);
	ranges_add(&taken_fixed, base, HYP_AREA_SIZE);
	for (unsigned int i = 1; i < TS_MAX_CPUS; i++)
		pcpus[i].stack_top = base + i * PCPU_STACK_SIZE;
	mm_pool_init(base + HYP_STACKS_SIZE, MM_POOL_SIZE);
	log_line("mem: hypervisor 0x%llx-0x%llx (%llu KiB: CPU stacks, stage-2 page pool)",
		 (unsigned long long)base, (unsigned long long)(base + HYP_AREA_SIZE - 1),
		 (unsigned long long)(HYP_AREA_SIZE >> 10));
}

void boot_memory(const void *fdt, const struct host_dt *h, uint64_t dtb)
{
	int node;
	ranges_init(&ram);
	struct dt_cells root;
	if (dt_cells(fdt, 0, &root) == 0)
		for (unsigned int i = 0; i < h->memory_count; i++)
			ranges_add_reg(&ram, NULL, fdt, h->memory[i], &root);
	for (unsigned int i = 0; i < ram.count; i++)
		mmu_map_ram(ram.r[i].base, ram.r[i].size);

	ranges_init(&taken_fixed);
	ranges_add(&taken_fixed, (uint64_t)(uintptr_t)_start, (uint64_t)(_end - _start));
	ranges_add(&taken_fixed, dtb, fdt_totalsize(fdt));
	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		uint64_t b, s;
		if (fdt_get_mem_rsv(fdt, i, &b, &s) == 0)
			ranges_add(&taken_fixed, b, s);
	}
	struct dt_cells rc;
	if (h->reserved >= 0 && dt_cells(fdt, h->reserved, &rc) == 0)
		dt_for_each_subnode(node, fdt, h->reserved)
			ranges_add_reg(&taken_fixed, NULL, fdt, node, &rc);

	struct range_set modules, free_ram = ram;
	ranges_init(&modules);
	if (h->chosen >= 0)
		boot_remove_modules(&modules, h->chosen_index, fdt, h->chosen);
	for (unsigned int i = 0; i < taken_fixed.count; i++)
		ranges_remove(&free_ram, taken_fixed.r[i].base, taken_fixed.r[i].size);
	for (unsigned int i = 0; i < modules.count; i++)
		ranges_remove(&free_ram, modules.r[i].base, modules.r[i].size);
	hyp_area_take(&free_ram);
	for (unsigned int i = 0; i < free_ram.count; i++)
		log_line("mem: free 0x%llx-0x%llx (%llu KiB)",
			 (unsigned long long)free_ram.r[i].base,
			 (unsigned long long)(free_ram.r[i].base + free_ram.r[i].size - 1),
			 (unsigned long long)(free_ram.r[i].size >> 10));
	log_line("mem: %llu MiB RAM, %llu MiB free", (unsigned long long)(ranges_total(&ram) >> 20),
		 (unsigned long long)(ranges_total(&free_ram) >> 20));
}

/* Boot modules lie in RAM, which the EL2 map covers one to one (mmu_map_ram). */
static const void *platform_read_module(uint64_t base, uint64_t size)
{
	(void)size;
	return (const void *)(uintptr_t)base;
}

void platform_describe(const struct host_dt *h, struct cfg_platform *plat)
{
	memset(plat, 0, sizeof(*plat));
	plat->chosen_hint = h->chosen > 0 ? h->chosen : 0;
	plat->chosen_index = h->chosen_index;
	for (unsigned int i = 0; i < ram.count && i < CFG_MAX_RANGES; i++)
		plat->ram[plat->ram_count++] = ram.r[i];
	for (unsigned int i = 0; i < taken_fixed.count && i < CFG_MAX_RANGES; i++)
		plat->reserved[plat->reserved_count++] = taken_fixed.r[i];
	plat->cpu_count = pcpu_count;
	plat->boot_cpu = 0;
	plat->read_module = platform_read_module;
}

/*
 * The GIC frames (as the GIC driver read them: each libfdt look-up costs
 * thousands of instructions, DESIGN §11) and the console a direct-mapped
 * partition sees (struct cfg_host_devices), and the IPA size.
 */
void platform_describe_devices(struct cfg_platform *plat)
{
	struct cfg_host_devices *d = &plat->host;
	const struct gic_host *g = gic_host();
	plat->ipa_bits = p2m_ipa_bits_for((unsigned int)field_get(ID_AA64MMFR0_PARANGE,
								   sysreg_read(id_aa64mmfr0_el1)));
	d->gic_version = g->version;
	d->gicd = (struct cfg_range){ g->gicd, g->gicd_size };
	d->gicr = (struct cfg_range){ g->gicr, g->gicr_size };
	d->gicc = (struct cfg_range){ g->gicc, g->gicc_size };
	d->uart.base = console_base();
	d->uart.size = d->uart.base ? SZ_4K : 0;
	d->uart_intid = console_irq() == CONSOLE_NO_IRQ ? 0 : console_irq();
}

static const char *const ec_names[ESR_EC_COUNT] = {
	[ESR_EC_UNKNOWN] = "unknown", [ESR_EC_WFX] = "WFI/WFE", [ESR_EC_FP_ASIMD] = "FP/SIMD",
	[ESR_EC_ILLEGAL] = "illegal execution state", [ESR_EC_HVC64] = "HVC", [ESR_EC_SMC64] = "SMC",
	[ESR_EC_SYS64] = "MSR/MRS", [ESR_EC_SVE] = "SVE", [ESR_EC_IABT_LOW] = "instruction abort (lower EL)",
	[ESR_EC_IABT_CUR] = "instruction abort (EL2)", [ESR_EC_PC_ALIGN] = "PC alignment",
	[ESR_EC_DABT_LOW] = "data abort (lower EL)", [ESR_EC_DABT_CUR] = "data abort (EL2)",
	[ESR_EC_SP_ALIGN] = "SP alignment", [ESR_EC_SERROR] = "SError", [ESR_EC_BRK64] = "BRK",
};

static void crash_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void crash_printf(const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_puts_raw("(tessera) ");
	console_puts_raw(buf);
	console_puts_raw("\r\n");
}

/* An exception Tessera itself caused: report everything, then power off. */
void hyp_crash(struct gp_regs *f, unsigned int from_spx)
{
	uint64_t esr = sysreg_read(esr_el2);
	unsigned int ec = (unsigned int)field_get(ESR_EC, esr);
	crash_printf("PANIC: exception at EL2 (%s): EC 0x%x %s", from_spx ? "SP_EL2" : "SP_EL0",
		     ec, ec_names[ec] ? ec_names[ec] : "(unnamed)");
	crash_printf("ESR_EL2 0x%016llx FAR_EL2 0x%016llx HPFAR_EL2 0x%016llx",
		     (unsigned long long)esr, (unsigned long long)sysreg_read(far_el2),
		     (unsigned long long)sysreg_read(hpfar_el2));
	crash_printf("ELR_EL2 0x%016llx SPSR_EL2 0x%016llx CPU mpidr 0x%llx",
		     (unsigned long long)f->elr, (unsigned long long)f->spsr,
		     (unsigned long long)(sysreg_read(mpidr_el1) & MPIDR_AFF_MASK));
	for (unsigned int i = 0; i < 31; i += 2) {
		if (i == 30)
			crash_printf("x30 0x%016llx", (unsigned long long)f->x[30]);
		else
			crash_printf("x%-2u 0x%016llx  x%-2u 0x%016llx", i,
				     (unsigned long long)f->x[i], i + 1,
				     (unsigned long long)f->x[i + 1]);
	}
	psci_host_system_off();
}
