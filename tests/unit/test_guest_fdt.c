/*
 * Unit tests for dt/guest_fdt.c: build a partition's tree, read it back
 * with libfdt and check every node and property against the values QEMU
 * virt uses (DESIGN.md §5) and the xen,shared-memory-v1 binding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "config.h"
#include "guest_fdt.h"
#include "public/guest_platform.h"
#include "tserr.h"
#include "types.h"

#define MiB (1024ull * 1024ull)
#define GIC_NODE  "/interrupt-controller@3001000"
#define UART_NODE "/pl011@22000000"

struct fixture {
	struct config *cfg;
	uint8_t *buf;           /* GUEST_FDT_MAX_SIZE bytes */
};

/* Xen's guest map (arch-arm.h), as cfg_parse() computes it for a GICv3 host. */
static void xen_map(struct cfg_partition *p)
{
	struct cfg_guest_map *m = &p->map;
	uint64_t low = p->mem_bytes < 0xC0000000ull ? p->mem_bytes : 0xC0000000ull;

	memset(m, 0, sizeof(*m));
	m->ram[m->ram_count++] = (struct cfg_range){ 0x40000000ull, low };
	if (p->mem_bytes > low)
		m->ram[m->ram_count++] = (struct cfg_range){ 0x200000000ull, p->mem_bytes - low };
	m->gic_version = 3;
	m->gicd = (struct cfg_range){ 0x03001000ull, 0x10000ull };
	m->gicr = (struct cfg_range){ 0x03020000ull, p->vcpu_count * 0x20000ull };
	m->uart = (struct cfg_range){ 0x22000000ull, 0x1000ull };
	m->uart_intid = 32;
	m->ctl = (struct cfg_range){ GUEST_CTL_BASE, GUEST_CTL_SIZE };
}

/* The same partition on a GICv2 host: Xen's GUEST_GICD_BASE / GUEST_GICC_BASE. */
static void xen_map_gicv2(struct cfg_partition *p)
{
	struct cfg_guest_map *m = &p->map;

	xen_map(p);
	m->gic_version = 2;
	m->gicd = (struct cfg_range){ 0x03001000ull, 0x1000ull };
	m->gicr = (struct cfg_range){ 0, 0 };
	m->gicc = (struct cfg_range){ 0x03002000ull, 0x2000ull };
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->cfg = calloc(1, sizeof(*f->cfg));
	f->buf = calloc(1, GUEST_FDT_MAX_SIZE);
	assert_non_null(f->cfg);
	assert_non_null(f->buf);
	/* Partition 0: one vCPU, 128 MiB, no regions; partition 1: two vCPUs. */
	f->cfg->partition_count = 2;
	struct cfg_partition *p0 = &f->cfg->partitions[0];

	strcpy(p0->name, "dom0");
	p0->vcpu_count = 1;
	p0->mem_bytes = 128 * MiB;
	struct cfg_partition *p1 = &f->cfg->partitions[1];

	strcpy(p1->name, "domU1");
	p1->id = 1;
	p1->vcpu_count = 2;
	p1->mem_bytes = 256 * MiB;
	xen_map(p0);
	xen_map(p1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->buf);
	free(f->cfg);
	free(f);
	return 0;
}

static void add_region(struct config *cfg, const char *id, uint64_t host, uint64_t size)
{
	struct cfg_shm_region *r = &cfg->regions[cfg->region_count++];

	snprintf(r->id, sizeof(r->id), "%s", id);
	r->host_base = host;
	r->size = size;
	r->owner = CFG_OWNER_DOM_SHARED;
}

static void add_ref(struct config *cfg, unsigned int part, unsigned int region, uint64_t guest)
{
	struct cfg_shm_ref *ref = &cfg->refs[cfg->ref_count++];

	ref->partition = part;
	ref->region = region;
	ref->guest_base = guest;
}

/* Build partition @part without initrd and check the result is a sound tree. */
static void *build(struct fixture *f, unsigned int part)
{
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, part, 0, 0), 0);
	assert_int_equal(fdt_check_full(f->buf, GUEST_FDT_MAX_SIZE), 0);
	return f->buf;
}

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	if (off < 0)
		fail_msg("node %s missing: %s", path, fdt_strerror(off));
	return off;
}

static const void *prop(const void *fdt, const char *path, const char *name, int *len)
{
	const void *v = fdt_getprop(fdt, node(fdt, path), name, len);

	if (v == NULL)
		fail_msg("%s:%s missing", path, name);
	return v;
}

static void assert_absent(const void *fdt, const char *path, const char *name)
{
	int len;

	assert_null(fdt_getprop(fdt, node(fdt, path), name, &len));
	assert_int_equal(len, -FDT_ERR_NOTFOUND);
}

static void assert_str(const void *fdt, const char *path, const char *name, const char *want)
{
	int len;
	const char *v = prop(fdt, path, name, &len);

	assert_int_equal(len, (int)strlen(want) + 1);
	assert_string_equal(v, want);
}

/* A string list, given as a literal with embedded NULs. */
static void assert_bytes(const void *fdt, const char *path, const char *name,
			 const void *want, int want_len)
{
	int len;
	const void *v = prop(fdt, path, name, &len);

	assert_int_equal(len, want_len);
	assert_memory_equal(v, want, (size_t)want_len);
}

static void assert_empty(const void *fdt, const char *path, const char *name)
{
	int len;

	prop(fdt, path, name, &len);
	assert_int_equal(len, 0);
}

/* Property of @n 32-bit cells, compared cell by cell. */
static void assert_cells(const void *fdt, const char *path, const char *name,
			 const uint32_t *want, int n)
{
	int len;
	const fdt32_t *v = prop(fdt, path, name, &len);

	assert_int_equal(len, n * (int)sizeof(fdt32_t));
	for (int i = 0; i < n; i++)
		assert_int_equal(fdt32_to_cpu(v[i]), want[i]);
}

static void assert_u32(const void *fdt, const char *path, const char *name, uint32_t want)
{
	assert_cells(fdt, path, name, &want, 1);
}

static void assert_u64(const void *fdt, const char *path, const char *name, uint64_t want)
{
	uint32_t cells[2] = { (uint32_t)(want >> 32), (uint32_t)want };

	assert_cells(fdt, path, name, cells, 2);
}

static void assert_reg(const void *fdt, const char *path, uint64_t base, uint64_t size)
{
	uint32_t cells[4] = { (uint32_t)(base >> 32), (uint32_t)base,
			      (uint32_t)(size >> 32), (uint32_t)size };

	assert_cells(fdt, path, "reg", cells, 4);
}

static uint32_t phandle_of(const void *fdt, const char *path)
{
	uint32_t ph = fdt_get_phandle(fdt, node(fdt, path));

	assert_int_not_equal(ph, 0);
	return ph;
}

static int subnode_count(const void *fdt, const char *path)
{
	int n = 0;
	int child;

	fdt_for_each_subnode(child, fdt, node(fdt, path))
		n++;
	return n;
}

static void test_root(void **state)
{
	const void *fdt = build(*state, 0);

	assert_bytes(fdt, "/", "compatible", "linux,dummy-virt", sizeof("linux,dummy-virt"));
	assert_str(fdt, "/", "model", "linux,dummy-virt");
	assert_u32(fdt, "/", "#address-cells", 2);
	assert_u32(fdt, "/", "#size-cells", 2);
	assert_u32(fdt, "/", "interrupt-parent", phandle_of(fdt, GIC_NODE));
	assert_int_equal(fdt_num_mem_rsv(fdt), 0);
}

/* Exactly these nodes, in this order: nothing QEMU-only (ITS, PCI, ...) leaks in. */
static void test_node_list(void **state)
{
	const void *fdt = build(*state, 0);
	static const char *const want[] = {
		"psci", "memory@40000000", "pl011@22000000", "interrupt-controller@3001000",
		"cpus", "timer", "apb-pclk", "chosen",
	};
	int child;
	unsigned int i = 0;

	fdt_for_each_subnode(child, fdt, 0) {
		assert_true(i < ARRAY_SIZE(want));
		assert_string_equal(fdt_get_name(fdt, child, NULL), want[i]);
		i++;
	}
	assert_int_equal(i, ARRAY_SIZE(want));
	assert_int_equal(subnode_count(fdt, GIC_NODE), 0);
}

static void test_chosen_without_bootargs_or_initrd(void **state)
{
	const void *fdt = build(*state, 0);

	assert_str(fdt, "/chosen", "stdout-path", UART_NODE);
	assert_true(fdt_path_offset(fdt, UART_NODE) > 0);
	assert_absent(fdt, "/chosen", "bootargs");
	assert_absent(fdt, "/chosen", "linux,initrd-start");
	assert_absent(fdt, "/chosen", "linux,initrd-end");
}

static void test_chosen_bootargs_and_initrd(void **state)
{
	struct fixture *f = *state;

	strcpy(f->cfg->partitions[1].bootargs, "console=ttyAMA0 earlycon rdinit=/init");
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 1,
					 0x47e00000ull, 0x123456ull), 0);
	assert_str(f->buf, "/chosen", "bootargs", "console=ttyAMA0 earlycon rdinit=/init");
	assert_u64(f->buf, "/chosen", "linux,initrd-start", 0x47e00000ull);
	assert_u64(f->buf, "/chosen", "linux,initrd-end", 0x47f23456ull);
}

static void test_memory(void **state)
{
	const void *fdt = build(*state, 1);

	assert_str(fdt, "/memory@40000000", "device_type", "memory");
	assert_reg(fdt, "/memory@40000000", 0x40000000ull, 256 * MiB);
}

/* Beyond 3 GiB, RAM continues in Xen's second bank: one node, two reg entries. */
static void test_memory_two_banks(void **state)
{
	struct fixture *f = *state;

	f->cfg->partitions[1].mem_bytes = 4096 * MiB;
	xen_map(&f->cfg->partitions[1]);
	const void *fdt = build(f, 1);
	static const uint32_t reg[] = { 0, 0x40000000, 0, 0xC0000000, 0x2, 0, 0, 0x40000000 };

	assert_cells(fdt, "/memory@40000000", "reg", reg, 8);
}

/* A direct-mapped partition: RAM at its host address, the host's GIC and UART. */
static void test_direct_map_view(void **state)
{
	struct fixture *f = *state;
	struct cfg_guest_map *m = &f->cfg->partitions[1].map;

	m->ram[0] = (struct cfg_range){ 0x60000000ull, 256 * MiB };
	m->gicd = (struct cfg_range){ 0x08000000ull, 0x10000ull };
	m->gicr = (struct cfg_range){ 0x080A0000ull, 2 * 0x20000ull };
	m->uart = (struct cfg_range){ 0x09000000ull, 0x1000ull };
	m->uart_intid = 33;
	const void *fdt = build(f, 1);
	static const uint32_t gic[] = { 0, 0x08000000, 0, 0x10000, 0, 0x080A0000, 0, 0x40000 };
	static const uint32_t irq[] = { 0, 1, 4 };

	assert_reg(fdt, "/memory@60000000", 0x60000000ull, 256 * MiB);
	assert_cells(fdt, "/interrupt-controller@8000000", "reg", gic, 8);
	assert_reg(fdt, "/pl011@9000000", 0x09000000ull, 0x1000ull);
	assert_cells(fdt, "/pl011@9000000", "interrupts", irq, 3);
	assert_str(fdt, "/chosen", "stdout-path", "/pl011@9000000");
	assert_u32(fdt, "/", "interrupt-parent", phandle_of(fdt, "/interrupt-controller@8000000"));
}

static void assert_cpu(const void *fdt, const char *path, uint32_t mpidr)
{
	assert_str(fdt, path, "device_type", "cpu");
	assert_str(fdt, path, "compatible", "arm,cortex-a57");
	assert_u32(fdt, path, "reg", mpidr);
	assert_str(fdt, path, "enable-method", "psci");
}

static void test_cpus_one_vcpu(void **state)
{
	const void *fdt = build(*state, 0);

	assert_u32(fdt, "/cpus", "#address-cells", 1);
	assert_u32(fdt, "/cpus", "#size-cells", 0);
	assert_cpu(fdt, "/cpus/cpu@0", 0);
	assert_int_equal(subnode_count(fdt, "/cpus"), 1);
	static const uint32_t reg[] = { 0, 0x03001000, 0, 0x10000, 0, 0x03020000, 0, 0x20000 };

	assert_cells(fdt, GIC_NODE, "reg", reg, 8);
}

static void test_cpus_two_vcpus(void **state)
{
	const void *fdt = build(*state, 1);

	assert_cpu(fdt, "/cpus/cpu@0", 0);
	assert_cpu(fdt, "/cpus/cpu@1", 1);
	assert_int_equal(subnode_count(fdt, "/cpus"), 2);
	static const uint32_t reg[] = { 0, 0x03001000, 0, 0x10000, 0, 0x03020000, 0, 2 * 0x20000 };

	assert_cells(fdt, GIC_NODE, "reg", reg, 8);
}

static void test_eight_vcpus_hex_names(void **state)
{
	struct fixture *f = *state;

	f->cfg->partitions[1].vcpu_count = CFG_MAX_VCPUS;
	xen_map(&f->cfg->partitions[1]);
	const void *fdt = build(f, 1);

	assert_int_equal(subnode_count(fdt, "/cpus"), 8);
	assert_cpu(fdt, "/cpus/cpu@7", 7);
	static const uint32_t reg[] = { 0, 0x03001000, 0, 0x10000, 0, 0x03020000, 0, 0x100000 };

	assert_cells(fdt, GIC_NODE, "reg", reg, 8);
}

static void test_psci(void **state)
{
	const void *fdt = build(*state, 0);
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";

	assert_bytes(fdt, "/psci", "compatible", compat, sizeof(compat));
	assert_str(fdt, "/psci", "method", "hvc");
	assert_u32(fdt, "/psci", "cpu_on", 0xc4000003);
	assert_u32(fdt, "/psci", "cpu_off", 0x84000002);
}

/* Values as QEMU 7.2 virt with gic-version=3 dumps them. */
static void test_timer(void **state)
{
	const void *fdt = build(*state, 0);
	static const char compat[] = "arm,armv8-timer\0arm,armv7-timer";
	static const uint32_t irqs[] = { 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4 };

	assert_bytes(fdt, "/timer", "compatible", compat, sizeof(compat));
	assert_cells(fdt, "/timer", "interrupts", irqs, 12);
	assert_empty(fdt, "/timer", "always-on");
	/* DT PPI 11 is INTID 27, the virtual timer Tessera injects. */
	assert_int_equal(GUEST_VTIMER_INTID, 27);
}

static void test_gic(void **state)
{
	const void *fdt = build(*state, 0);

	assert_str(fdt, GIC_NODE, "compatible", "arm,gic-v3");
	assert_u32(fdt, GIC_NODE, "#interrupt-cells", 3);
	assert_empty(fdt, GIC_NODE, "interrupt-controller");
	assert_u32(fdt, GIC_NODE, "#redistributor-regions", 1);
	assert_u32(fdt, GIC_NODE, "#address-cells", 2);
	assert_u32(fdt, GIC_NODE, "#size-cells", 2);
	assert_empty(fdt, GIC_NODE, "ranges");
	/* The guest has no EL2: no maintenance interrupt. */
	assert_absent(fdt, GIC_NODE, "interrupts");
	assert_int_equal(fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3-its"), -FDT_ERR_NOTFOUND);
}

/*
 * GICv2 host: distributor and CPU interface (the GICV frame the guest maps)
 * at Xen's addresses, "arm,gic-400" as Xen writes it for its guests, no
 * redistributor property, and the timer's PPIs wired to every vCPU (flags
 * bits 15:8, arm,gic.yaml; QEMU's gic-version=2 tree does the same).
 */
static void test_gic_v2(void **state)
{
	struct fixture *f = *state;

	xen_map_gicv2(&f->cfg->partitions[1]);
	const void *fdt = build(f, 1);
	static const uint32_t reg[] = { 0, 0x03001000, 0, 0x1000, 0, 0x03002000, 0, 0x2000 };
	static const uint32_t irqs[] = { 1, 13, 0x304, 1, 14, 0x304, 1, 11, 0x304, 1, 10, 0x304 };

	assert_str(fdt, GIC_NODE, "compatible", "arm,gic-400");
	assert_cells(fdt, GIC_NODE, "reg", reg, 8);
	assert_u32(fdt, GIC_NODE, "#interrupt-cells", 3);
	assert_empty(fdt, GIC_NODE, "interrupt-controller");
	assert_absent(fdt, GIC_NODE, "#redistributor-regions");
	assert_absent(fdt, GIC_NODE, "interrupts");
	assert_u32(fdt, "/", "interrupt-parent", phandle_of(fdt, GIC_NODE));
	assert_cells(fdt, "/timer", "interrupts", irqs, 12);
	assert_int_equal(fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3"), -FDT_ERR_NOTFOUND);
}

/* A direct-mapped partition on a GICv2 host sees the host's GICD and GICC (virt's). */
static void test_gic_v2_direct_map(void **state)
{
	struct fixture *f = *state;
	struct cfg_guest_map *m = &f->cfg->partitions[0].map;

	xen_map_gicv2(&f->cfg->partitions[0]);
	m->gicd = (struct cfg_range){ 0x08000000ull, 0x10000ull };
	m->gicc = (struct cfg_range){ 0x08010000ull, 0x2000ull };
	const void *fdt = build(f, 0);
	static const uint32_t reg[] = { 0, 0x08000000, 0, 0x10000, 0, 0x08010000, 0, 0x2000 };
	static const uint32_t irqs[] = { 1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104 };

	assert_cells(fdt, "/interrupt-controller@8000000", "reg", reg, 8);
	assert_str(fdt, "/interrupt-controller@8000000", "compatible", "arm,gic-400");
	assert_cells(fdt, "/timer", "interrupts", irqs, 12);
}

static void test_uart_and_clock(void **state)
{
	const void *fdt = build(*state, 0);
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char names[] = "uartclk\0apb_pclk";
	static const uint32_t irq[] = { 0, 0, 4 };      /* SPI 0 = INTID 32, Xen's GUEST_VPL011_SPI */
	uint32_t clk = phandle_of(fdt, "/apb-pclk");
	const uint32_t clocks[] = { clk, clk };

	assert_bytes(fdt, UART_NODE, "compatible", compat, sizeof(compat));
	assert_reg(fdt, UART_NODE, 0x22000000ull, 0x1000ull);
	assert_cells(fdt, UART_NODE, "interrupts", irq, 3);
	assert_int_equal(GUEST_VPL011_SPI, 32);
	assert_cells(fdt, UART_NODE, "clocks", clocks, 2);
	assert_bytes(fdt, UART_NODE, "clock-names", names, sizeof(names));
	assert_str(fdt, "/apb-pclk", "compatible", "fixed-clock");
	assert_u32(fdt, "/apb-pclk", "clock-frequency", 24000000);
	assert_u32(fdt, "/apb-pclk", "#clock-cells", 0);
	assert_str(fdt, "/apb-pclk", "clock-output-names", "clk24mhz");
	assert_int_not_equal(clk, phandle_of(fdt, GIC_NODE));
}

static void assert_shm(const void *fdt, const char *path, uint64_t base, uint64_t size,
		       const char *id)
{
	assert_str(fdt, path, "compatible", "xen,shared-memory-v1");
	assert_reg(fdt, path, base, size);
	assert_str(fdt, path, "xen,id", id);
	assert_u64(fdt, path, "xen,offset", 0);
	assert_empty(fdt, path, "no-map");
}

static void test_two_shared_regions(void **state)
{
	struct fixture *f = *state;

	add_region(f->cfg, "0x1", 0x50000000ull, 2 * MiB);
	add_region(f->cfg, "my-shm", 0x60000000ull, 0x40000000ull);
	add_region(f->cfg, "0x2", 0x70000000ull, 4 * MiB);
	add_ref(f->cfg, 1, 0, 0x60000000ull);
	add_ref(f->cfg, 0, 2, 0x70000000ull);   /* another partition's: not listed */
	add_ref(f->cfg, 1, 1, 0x100000000ull);
	const void *fdt = build(f, 1);

	assert_u32(fdt, "/reserved-memory", "#address-cells", 2);
	assert_u32(fdt, "/reserved-memory", "#size-cells", 2);
	assert_empty(fdt, "/reserved-memory", "ranges");
	assert_int_equal(subnode_count(fdt, "/reserved-memory"), 2);
	assert_shm(fdt, "/reserved-memory/xen-shmem@60000000", 0x60000000ull, 2 * MiB, "0x1");
	assert_shm(fdt, "/reserved-memory/xen-shmem@100000000", 0x100000000ull, 0x40000000ull, "my-shm");
	/* /memory is RAM alone, and the only memory node. */
	assert_reg(fdt, "/memory@40000000", 0x40000000ull, 256 * MiB);
	int mem = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", sizeof("memory"));

	assert_int_equal(mem, node(fdt, "/memory@40000000"));
	assert_int_equal(fdt_node_offset_by_prop_value(fdt, mem, "device_type", "memory",
						       sizeof("memory")), -FDT_ERR_NOTFOUND);
	/* The doorbell's interrupt: PPI 15 (INTID 31, Xen's GUEST_EVTCHN_PPI), rising edge. */
	static const uint32_t doorbell[] = { 1, 15, 1 };
	assert_str(fdt, "/hypervisor", "compatible", "tessera,hypervisor");
	assert_cells(fdt, "/hypervisor", "interrupts", doorbell, 3);
}

/* The control device, in every partition. */
/* The control device, described to control partitions only. */
static void test_control_device(void **state)
{
	struct fixture *f = *state;

	f->cfg->partitions[0].control = true;
	const void *fdt = build(f, 0);

	assert_str(fdt, "/control@22020000", "compatible", "tessera,control");
	assert_reg(fdt, "/control@22020000", 0x22020000ull, 0x10000ull);
	assert_int_equal(fdt_path_offset(build(f, 1), "/control@22020000"), -FDT_ERR_NOTFOUND);
}

/* What cfg_parse() adds for a partition with regions: the doorbell GPIO. */
static void with_gpio(struct cfg_partition *p)
{
	p->map.gpio = (struct cfg_range){ GUEST_PL061_BASE, GUEST_PL061_SIZE };
	p->map.gpio_intid = GUEST_PL061_INTID;
}

/*
 * The doorbell GPIO as Linux's gpio-pl061 and amba bus need it, its lines
 * named after the first four regions in /reserved-memory order.
 */
static void test_doorbell_gpio(void **state)
{
	struct fixture *f = *state;
	static const char compat[] = "arm,pl061\0arm,primecell";
	static const char names[] = "ring-0x1\0bell-0x1\0ring-my-shm\0bell-my-shm\0"
				    "ring-0x2\0bell-0x2\0ring-0x3\0bell-0x3";
	static const uint32_t irq[] = { 0, 63, 4 };     /* SPI 63 = INTID 95, level */
	const char *gpio = "/pl061@22010000";

	add_region(f->cfg, "0x1", 0x50000000ull, 2 * MiB);
	add_region(f->cfg, "my-shm", 0x60000000ull, 2 * MiB);
	add_region(f->cfg, "0x2", 0x70000000ull, 2 * MiB);
	add_region(f->cfg, "0x3", 0x80000000ull, 2 * MiB);
	add_region(f->cfg, "0x4", 0x90000000ull, 2 * MiB);
	for (unsigned int i = 0; i < 5; i++)
		add_ref(f->cfg, 1, i, 0x60000000ull + i * 2 * MiB);
	with_gpio(&f->cfg->partitions[1]);
	const void *fdt = build(f, 1);

	assert_bytes(fdt, gpio, "compatible", compat, sizeof(compat));
	assert_reg(fdt, gpio, 0x22010000ull, 0x1000ull);
	assert_cells(fdt, gpio, "interrupts", irq, 3);
	assert_empty(fdt, gpio, "gpio-controller");
	assert_u32(fdt, gpio, "#gpio-cells", 2);
	assert_absent(fdt, gpio, "interrupt-controller");
	assert_u32(fdt, gpio, "clocks", phandle_of(fdt, "/apb-pclk"));
	assert_str(fdt, gpio, "clock-names", "apb_pclk");
	assert_bytes(fdt, gpio, "gpio-line-names", names, sizeof(names));
	assert_true(fdt_totalsize(fdt) <= guest_fdt_size_bound(f->cfg, 1));
	/* Without the map's window (no region), no node. */
	assert_int_equal(fdt_path_offset(build(f, 0), gpio), -FDT_ERR_NOTFOUND);
}

static void test_no_reserved_memory_without_regions(void **state)
{
	struct fixture *f = *state;

	add_region(f->cfg, "0x1", 0x50000000ull, 2 * MiB);
	add_ref(f->cfg, 1, 0, 0x60000000ull);
	const void *fdt = build(f, 0);

	assert_int_equal(fdt_path_offset(fdt, "/reserved-memory"), -FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_node_offset_by_compatible(fdt, -1, "xen,shared-memory-v1"),
			 -FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_path_offset(fdt, "/hypervisor"), -FDT_ERR_NOTFOUND);
}

/* Every size short of the need fails cleanly; ASan sees any overrun. */
static void test_buffer_too_small(void **state)
{
	struct fixture *f = *state;

	add_region(f->cfg, "0x1", 0x50000000ull, 2 * MiB);
	add_ref(f->cfg, 1, 0, 0x60000000ull);
	strcpy(f->cfg->partitions[1].bootargs, "console=ttyAMA0");
	const void *full = build(f, 1);
	size_t need = fdt_totalsize(full);

	assert_true(need <= guest_fdt_size_bound(f->cfg, 1));
	for (size_t size = 0; size < need; size++) {
		uint8_t *buf = malloc(size ? size : 1);

		assert_non_null(buf);
		memset(buf, 0xa5, size);
		assert_int_equal(guest_fdt_build(buf, size, f->cfg, 1, 0, 0), -TS_ENOMEM);
		if (size >= sizeof(struct fdt_header))
			assert_int_not_equal(fdt_check_header(buf), 0);
		free(buf);
	}
	uint8_t *exact = malloc(need);

	assert_non_null(exact);
	assert_int_equal(guest_fdt_build(exact, need, f->cfg, 1, 0, 0), 0);
	assert_int_equal(fdt_check_full(exact, need), 0);
	free(exact);
}

/* All 295 ids of the design's range (0x0..0x126) in one partition. */
static void test_295_regions_fit(void **state)
{
	struct fixture *f = *state;
	char id[CFG_SHM_ID_MAX];
	char path[64];

	for (unsigned int i = 0; i <= CFG_SHM_U32_ID_LAST; i++) {
		snprintf(id, sizeof(id), "0x%x", i);
		add_region(f->cfg, id, 0x800000000ull + i * 2 * MiB, 2 * MiB);
		add_ref(f->cfg, 1, i, 0xff00000000000000ull + i * 2 * MiB);
	}
	assert_int_equal(f->cfg->region_count, 295);
	const void *fdt = build(f, 1);

	assert_int_equal(subnode_count(fdt, "/reserved-memory"), 295);
	assert_true(fdt_totalsize(fdt) <= guest_fdt_size_bound(f->cfg, 1));
	assert_true(guest_fdt_size_bound(f->cfg, 1) <= GUEST_FDT_MAX_SIZE);
	snprintf(path, sizeof(path), "/reserved-memory/xen-shmem@%llx",
		 0xff00000000000000ull + 0x126ull * 2 * MiB);
	assert_shm(fdt, path, 0xff00000000000000ull + 0x126ull * 2 * MiB, 2 * MiB, "0x126");
	assert_shm(fdt, "/reserved-memory/xen-shmem@ff00000000000000",
		   0xff00000000000000ull, 2 * MiB, "0x0");
}

/* The configuration limits at their largest still fit GUEST_FDT_MAX_SIZE. */
static void test_worst_case_fits(void **state)
{
	struct fixture *f = *state;
	struct cfg_partition *p = &f->cfg->partitions[1];
	char id[CFG_SHM_ID_MAX];

	p->vcpu_count = CFG_MAX_VCPUS;
	with_gpio(p);
	memset(p->bootargs, 'x', CFG_BOOTARGS_MAX - 1);
	for (unsigned int i = 0; i < CFG_MAX_REGIONS; i++) {
		snprintf(id, sizeof(id), "region-%08u", i);   /* 15 chars, the longest */
		add_region(f->cfg, id, 0x800000000ull + i * 2 * MiB, 2 * MiB);
		add_ref(f->cfg, 1, i, 0xfff0000000000000ull + i * 2 * MiB);
	}
	assert_int_equal(strlen(f->cfg->regions[0].id), CFG_SHM_ID_MAX - 1);
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 1,
					 UINT64_MAX - 0x1000, 0x1000), 0);
	assert_true(fdt_totalsize(f->buf) <= guest_fdt_size_bound(f->cfg, 1));
	assert_true(guest_fdt_size_bound(f->cfg, 1) <= GUEST_FDT_MAX_SIZE);
	assert_int_equal(subnode_count(f->buf, "/reserved-memory"), CFG_MAX_REGIONS);
	assert_int_equal(fdt_check_full(f->buf, GUEST_FDT_MAX_SIZE), 0);
}

/*
 * A partial device tree as passthrough.txt has it: Xen's /gic placeholder
 * (phandle 5), /aliases, and /passthrough with one device and a child node,
 * @depth levels of extra nesting below that.  Built into @buf.
 */
static void make_partial(void *buf, int size, unsigned int depth)
{
	const fdt32_t irq[] = { cpu_to_fdt32(0), cpu_to_fdt32(2), cpu_to_fdt32(4) };
	const fdt32_t xen_reg[] = { 0, cpu_to_fdt32(0x9010000), 0, cpu_to_fdt32(0x1000),
				    0, cpu_to_fdt32(0x9010000) };

	assert_int_equal(fdt_create(buf, size), 0);
	fdt_finish_reservemap(buf);
	fdt_begin_node(buf, "");
	fdt_property_u32(buf, "#address-cells", 2);
	fdt_begin_node(buf, "gic");
	fdt_property_u32(buf, "phandle", 5);
	fdt_end_node(buf);
	fdt_begin_node(buf, "aliases");
	fdt_property_string(buf, "rtc0", "/passthrough/rtc@9010000");
	fdt_end_node(buf);
	fdt_begin_node(buf, "passthrough");
	fdt_property_string(buf, "compatible", "simple-bus");
	fdt_property(buf, "ranges", NULL, 0);
	fdt_property_u32(buf, "#address-cells", 2);
	fdt_property_u32(buf, "#size-cells", 2);
	fdt_begin_node(buf, "rtc@9010000");
	fdt_property_string(buf, "compatible", "arm,pl031");
	fdt_property_u32(buf, "interrupt-parent", 5);
	fdt_property(buf, "interrupts", irq, sizeof(irq));
	fdt_property(buf, "xen,reg", xen_reg, sizeof(xen_reg));
	fdt_property_string(buf, "xen,path", "/pl031@9010000");
	fdt_property(buf, "xen,force-assign-without-iommu", NULL, 0);
	for (unsigned int i = 0; i <= depth; i++) {
		fdt_begin_node(buf, "sub");
		fdt_property_u32(buf, "level", i);
	}
	for (unsigned int i = 0; i <= depth; i++)
		fdt_end_node(buf);
	fdt_end_node(buf);
	fdt_end_node(buf);
	fdt_end_node(buf);
	assert_int_equal(fdt_finish(buf), 0);
}

/* Its /aliases and /passthrough merged: xen,* dropped, interrupt-parent the guest's GIC. */
static void test_passthrough_merged(void **state)
{
	struct fixture *f = *state;
	struct cfg_partition *p = &f->cfg->partitions[1];
	static uint8_t partial[2048];

	make_partial(partial, sizeof(partial), 0);
	p->pt_fdt = partial;
	p->pt_fdt_bytes = 600;            /* what cfg_parse() counts for this tree, at most */
	const void *fdt = build(f, 1);
	const char *dev = "/passthrough/rtc@9010000";

	assert_int_equal(phandle_of(fdt, GIC_NODE), GUEST_PHANDLE_GIC);
	assert_str(fdt, "/aliases", "rtc0", dev);
	assert_str(fdt, "/passthrough", "compatible", "simple-bus");
	assert_empty(fdt, "/passthrough", "ranges");
	assert_u32(fdt, "/passthrough", "#address-cells", 2);
	assert_str(fdt, dev, "compatible", "arm,pl031");
	assert_u32(fdt, dev, "interrupt-parent", GUEST_PHANDLE_GIC);
	assert_cells(fdt, dev, "interrupts", (const uint32_t[]){ 0, 2, 4 }, 3);
	assert_absent(fdt, dev, "xen,reg");
	assert_absent(fdt, dev, "xen,path");
	assert_absent(fdt, dev, "xen,force-assign-without-iommu");
	assert_u32(fdt, "/passthrough/rtc@9010000/sub", "level", 0);
	assert_int_equal(fdt_path_offset(fdt, "/gic"), -FDT_ERR_NOTFOUND);
	assert_true(fdt_totalsize(fdt) <= guest_fdt_size_bound(f->cfg, 1));
}

/* Nested deeper than GUEST_FDT_PT_DEPTH_MAX: refused, nothing half-written passes. */
static void test_passthrough_too_deep(void **state)
{
	struct fixture *f = *state;
	struct cfg_partition *p = &f->cfg->partitions[1];
	static uint8_t partial[4096];

	make_partial(partial, sizeof(partial), GUEST_FDT_PT_DEPTH_MAX);
	p->pt_fdt = partial;
	p->pt_fdt_bytes = 1500;
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 1, 0, 0), -TS_EINVAL);
	assert_int_not_equal(fdt_check_header(f->buf), 0);
	p->pt_fdt_bytes = GUEST_FDT_PT_MAX + 1;       /* more than cfg_parse() allows */
	make_partial(partial, sizeof(partial), 0);
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 1, 0, 0), -TS_EINVAL);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(guest_fdt_build(NULL, GUEST_FDT_MAX_SIZE, f->cfg, 0, 0, 0), -TS_EINVAL);
	assert_int_equal(guest_fdt_build((char *)f->buf + 2, GUEST_FDT_MAX_SIZE - 2, f->cfg, 0, 0, 0),
			 -TS_EINVAL);                 /* tokens are aligned words */
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, NULL, 0, 0, 0), -TS_EINVAL);
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 2, 0, 0), -TS_EINVAL);
	assert_int_equal(guest_fdt_size_bound(f->cfg, 2), 0);
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 0,
					 UINT64_MAX - 0xfff, 0x1001), -TS_ERANGE);
	f->cfg->partitions[0].vcpu_count = 0;
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 0, 0, 0), -TS_EINVAL);
	f->cfg->partitions[0].vcpu_count = CFG_MAX_VCPUS + 1;
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 0, 0, 0), -TS_EINVAL);
	f->cfg->partitions[0].vcpu_count = 1;
	f->cfg->partitions[0].mem_bytes = 0;
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 0, 0, 0), -TS_EINVAL);
	f->cfg->partitions[0].mem_bytes = 128 * MiB;
	f->cfg->partitions[0].map.ram_count = 0;          /* no guest map computed */
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 0, 0, 0), -TS_EINVAL);
	f->cfg->partitions[0].map.ram_count = 1;
	f->cfg->partitions[0].map.uart_intid = 27;        /* a PPI cannot be the UART's line */
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 0, 0, 0), -TS_EINVAL);
	f->cfg->partitions[0].map.uart_intid = 32;
	memset(f->cfg->partitions[0].bootargs, 'x', CFG_BOOTARGS_MAX);
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 0, 0, 0), -TS_EINVAL);
	f->cfg->partitions[0].bootargs[0] = '\0';
	add_ref(f->cfg, 0, 0, 0x60000000ull);   /* region 0 does not exist */
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 0, 0, 0), -TS_EINVAL);
	add_region(f->cfg, "0x1", 0x50000000ull, 2 * MiB);
	assert_int_equal(guest_fdt_build(f->buf, GUEST_FDT_MAX_SIZE, f->cfg, 0, 0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chosen_without_bootargs_or_initrd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chosen_bootargs_and_initrd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_two_banks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_direct_map_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpus_one_vcpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpus_two_vcpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eight_vcpus_hex_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_psci, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gic_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gic_v2_direct_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uart_and_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_shared_regions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_reserved_memory_without_regions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doorbell_gpio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_295_regions_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worst_case_fits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passthrough_merged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passthrough_too_deep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
