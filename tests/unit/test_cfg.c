/*
 * Unit tests for dt/cfg*.c: the dom0less configuration parser, its rules
 * and placement.  Each case compiles DTS with dtc (inline sources for the
 * rules, the .dts files in tests/unit/fixtures/cfg/ for whole examples) and asserts the
 * exact "config: ..." lines, all of them, in order.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "cfg_internal.h"
#include "config.h"
#include "types.h"

/* ------------------------------------------------------------------ helpers */

static struct config cfg;          /* ~200 KB: never on the stack */
static struct cfg_errors errs;

/*
 * QEMU virt with -m 2G -smp 4: RAM 0x40000000-0xbfffffff; QEMU puts the DTB
 * at the RAM base and Tessera's image at base + 2 MiB.
 */
static const struct cfg_platform plat_virt = {
	.ram = { { 0x40000000, 0x80000000 } },
	.ram_count = 1,
	.reserved = { { 0x40000000, 0x100000 }, { 0x40200000, 0x200000 } },
	.reserved_count = 2,
	.cpu_count = 4,
	.boot_cpu = 0,
};

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Compile a DTS file with dtc; returns a malloc'd DTB. */
static void *dtc_file(const char *dts)
{
	char out[] = "/tmp/test_cfg_dtb_XXXXXX";
	char cmd[1024];
	size_t len;
	int fd = mkstemp(out);

	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o %s %s", out, dts);
	assert_int_equal(system(cmd), 0);
	void *dtb = slurp(out, &len);
	unlink(out);
	return dtb;
}

static void *dtc_string(const char *src)
{
	char in[] = "/tmp/test_cfg_dts_XXXXXX";
	int fd = mkstemp(in);

	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(src, f);
	fclose(f);
	void *dtb = dtc_file(in);
	unlink(in);
	return dtb;
}

/*
 * cfg_parse() clears each entry as it takes it (the hypervisor's struct
 * config is not cleared at boot): garbage everywhere first holds it to that.
 */
static int cfg_parse_dirty(const void *dtb, const struct cfg_platform *plat)
{
	memset(&cfg, 0xa5, sizeof(cfg));
	memset(&errs, 0xa5, sizeof(errs));
	return cfg_parse(dtb, plat, &cfg, &errs);
}

static int parse_with(const char *src, const struct cfg_platform *plat)
{
	void *dtb = dtc_string(src);
	int n = cfg_parse_dirty(dtb, plat);
	free(dtb);
	return n;
}

static int parse(const char *src)
{
	return parse_with(src, &plat_virt);
}

static int parse_fixture(const char *name)
{
	char path[512];
	const char *dir = getenv("CFG_FIXTURES");
	char here[] = __FILE__;

	if (!dir) {
		char *slash = strrchr(here, '/');
		if (slash)
			*slash = '\0';
		snprintf(path, sizeof(path), "%s/fixtures/cfg/%s", slash ? here : ".", name);
	} else {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	}
	void *dtb = dtc_file(path);
	int n = cfg_parse_dirty(dtb, &plat_virt);
	free(dtb);
	return n;
}

static void dump_errors(void)
{
	for (unsigned int i = 0; i < errs.count && i < CFG_MAX_ERRORS; i++)
		print_message("  got: %s\n", errs.line[i]);
}

/* Exactly these lines, in this order. */
static void expect_lines(int ret, const char *const *want, unsigned int n)
{
	bool ok = ret == (int)errs.count && errs.count == n;

	for (unsigned int i = 0; ok && i < n; i++)
		ok = strcmp(errs.line[i], want[i]) == 0;
	if (!ok) {
		for (unsigned int i = 0; i < n; i++)
			print_message(" want: %s\n", want[i]);
		dump_errors();
	}
	assert_int_equal(ret, (int)n);
	assert_int_equal(errs.count, n);
	for (unsigned int i = 0; i < n; i++)
		assert_string_equal(errs.line[i], want[i]);
}

#define EXPECT(ret, ...) do { \
	const char *const want_[] = { __VA_ARGS__ }; \
	expect_lines((ret), want_, ARRAY_SIZE(want_)); \
} while (0)

#define EXPECT_OK(ret) expect_lines((ret), NULL, 0)

/* DTS building blocks: /chosen with 1/1 cells, domains with 1/1 cells. */
#define DTS(body) \
	"/dts-v1/;\n/ {\n#address-cells = <2>;\n#size-cells = <2>;\n" \
	"chosen {\n#address-cells = <1>;\n#size-cells = <1>;\n" body "};\n};\n"
#define KERNEL_AT(addr) \
	"module@" #addr " {\ncompatible = \"multiboot,kernel\", \"multiboot,module\";\n" \
	"reg = <0x" #addr " 0x800000>;\n};\n"
#define DOMAIN(name, props, children) \
	name " {\ncompatible = \"xen,domain\";\n#address-cells = <1>;\n#size-cells = <1>;\n" \
	props children "};\n"
#define MEM_128M "memory = <0 131072>;\n"
#define DOMU(name, kaddr, props) DOMAIN(name, MEM_128M props, KERNEL_AT(kaddr))
#define SHM(node, id, mem, extra) \
	node " {\ncompatible = \"xen,domain-shared-memory-v1\";\nxen,shm-id = " id ";\n" \
	"xen,shared-mem = <" mem ">;\n" extra "};\n"
#define DOM0_KERNEL KERNEL_AT(41000000)

/* ------------------------------------------------------------ valid configs */

static void test_two_domus_valid(void **state)
{
	(void)state;
	int n = parse(DTS(DOMU("domU1", 42000000, "cpus = <2>;\nvpl011;\n")
			  DOMAIN("domU2", "memory = <65536>;\n",
				 "kernel {\ncompatible = \"multiboot,kernel\";\n"
				 "reg = <0x43000000 0x400000>;\nbootargs = \"console=ttyAMA0\";\n};\n")));
	EXPECT_OK(n);
	assert_int_equal(cfg.partition_count, 2);
	const struct cfg_partition *a = &cfg.partitions[0], *b = &cfg.partitions[1];
	assert_string_equal(a->name, "domU1");
	assert_string_equal(a->path, "/chosen/domU1");
	assert_int_equal(a->id, 1);
	assert_int_equal(a->mem_bytes, 0x8000000);
	assert_int_equal(a->vcpu_count, 2);
	assert_int_equal(a->pcpu[0], 0);
	assert_int_equal(a->pcpu[1], 1);
	assert_true(a->vpl011);
	assert_false(a->static_mem);
	assert_true(a->kernel.present);
	assert_int_equal(a->kernel.base, 0x42000000);
	assert_int_equal(a->kernel.size, 0x800000);
	assert_string_equal(a->kernel.path, "/chosen/domU1/module@42000000");
	assert_false(a->ramdisk.present);
	assert_string_equal(b->name, "domU2");
	assert_int_equal(b->id, 2);
	assert_int_equal(b->mem_bytes, 0x4000000);    /* one-cell memory accepted */
	assert_int_equal(b->vcpu_count, 1);           /* cpus defaults to 1 */
	assert_int_equal(b->pcpu[0], 2);
	assert_false(b->vpl011);
	assert_string_equal(b->bootargs, "console=ttyAMA0");
	/* First fit, 2 MiB aligned, around DTB, Tessera and the kernels. */
	assert_int_equal(a->ram_base, 0x43400000);
	assert_int_equal(b->ram_base, 0x4b400000);
	assert_int_equal(cfg.region_count, 0);
	assert_int_equal(cfg.ref_count, 0);
}

static void test_dom0_two_domus(void **state)
{
	(void)state;
	EXPECT_OK(parse_fixture("dom0-two-domus.dts"));
	assert_int_equal(cfg.partition_count, 3);
	const struct cfg_partition *d0 = &cfg.partitions[0];
	assert_string_equal(d0->name, "dom0");
	assert_string_equal(d0->path, "/chosen");
	assert_int_equal(d0->id, 0);
	assert_int_equal(d0->mem_bytes, 0x10000000);
	assert_int_equal(d0->vcpu_count, 2);
	assert_int_equal(d0->pcpu[0], 0);
	assert_int_equal(d0->pcpu[1], 1);
	assert_int_equal(d0->kernel.base, 0x41000000);
	assert_int_equal(d0->kernel.size, 0x800000);
	assert_true(d0->ramdisk.present);
	assert_int_equal(d0->ramdisk.base, 0x41800000);
	assert_int_equal(d0->ramdisk.size, 0x400000);
	assert_string_equal(d0->bootargs, "console=hvc0 root=/dev/ram");
	assert_int_equal(d0->ram_base, 0x4d000000);

	const struct cfg_partition *u1 = &cfg.partitions[1], *u2 = &cfg.partitions[2];
	assert_string_equal(u1->name, "domU1");
	assert_int_equal(u1->id, 1);
	assert_int_equal(u1->pcpu[0], 2);
	assert_int_equal(u1->kernel.base, 0x4a000000);
	assert_int_equal(u1->kernel.size, 0xffffff);
	assert_int_equal(u1->ramdisk.base, 0x4b000000);
	assert_string_equal(u1->bootargs, "console=ttyAMA0 init=/bin/sh");
	assert_int_equal(u1->ram_base, 0x41c00000);
	assert_string_equal(u2->name, "domU2");
	assert_int_equal(u2->id, 2);
	assert_int_equal(u2->vcpu_count, 1);
	assert_int_equal(u2->pcpu[0], 3);
	assert_int_equal(u2->ram_base, 0x5d000000);
}

static void test_dom0_defaults(void **state)
{
	(void)state;
	EXPECT_OK(parse(DTS("bootargs = \"console=hvc0\";\nxen,xen-bootargs = \"loglvl=all\";\n"
			    "module@41000000 {\ncompatible = \"multiboot,module\";\n"
			    "reg = <0x41000000 0x800000>;\n};\n")));
	assert_int_equal(cfg.partition_count, 1);
	assert_int_equal(cfg.partitions[0].mem_bytes, 0x20000000);   /* 512 MiB default */
	assert_int_equal(cfg.partitions[0].vcpu_count, 1);
	assert_int_equal(cfg.partitions[0].kernel.base, 0x41000000);  /* generic module = kernel */
	assert_string_equal(cfg.partitions[0].bootargs, "console=hvc0");
}

static void test_design_example_rejected(void **state)
{
	(void)state;
	EXPECT(parse_fixture("design-example.dts"),
	       "config: /chosen/dom0-shared-mem@10000000: xen,shared-mem: "
	       "host range 0x10000000-0x1fffffff is not in RAM");
}

static void test_design_example_ram(void **state)
{
	(void)state;
	EXPECT_OK(parse_fixture("design-example-ram.dts"));
	assert_int_equal(cfg.partition_count, 3);
	assert_string_equal(cfg.partitions[0].name, "dom0");
	assert_int_equal(cfg.partitions[1].vcpu_count, 2);
	assert_int_equal(cfg.partitions[2].pcpu[0], 3);
	assert_int_equal(cfg.region_count, 2);
	const struct cfg_shm_region *r0 = &cfg.regions[0], *r1 = &cfg.regions[1];
	assert_string_equal(r0->id, "0x0");
	assert_true(r0->id_is_u32);
	assert_int_equal(r0->id_u32, 0);
	assert_int_equal(r0->host_base, 0x90000000);
	assert_int_equal(r0->size, 0x10000000);
	assert_false(r0->host_picked);
	assert_int_equal(r0->owner, 0);                      /* dom0 is "owner" */
	assert_string_equal(r0->path, "/chosen/dom0-shared-mem@90000000");
	assert_string_equal(r1->id, "0x1");
	assert_int_equal(r1->id_u32, 1);
	assert_int_equal(r1->host_base, 0x50000000);
	assert_int_equal(r1->size, 0x20000000);
	assert_int_equal(r1->owner, CFG_OWNER_DOM_SHARED);  /* no "owner" role */
	assert_string_equal(r1->path, "/chosen/domU1/domU1-shared-mem@50000000");

	static const struct { unsigned int part, region; uint64_t guest; bool owner; } want[] = {
		{ 0, 0, 0x10000000, true }, { 1, 0, 0x50000000, false },
		{ 1, 1, 0x60000000, false }, { 2, 1, 0x70000000, false },
	};
	assert_int_equal(cfg.ref_count, ARRAY_SIZE(want));
	for (unsigned int i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(cfg.refs[i].partition, want[i].part);
		assert_int_equal(cfg.refs[i].region, want[i].region);
		assert_int_equal(cfg.refs[i].guest_base, want[i].guest);
		assert_int_equal(cfg.refs[i].owner, want[i].owner);
	}
	assert_string_equal(cfg.refs[3].path, "/chosen/domU2/domU2-shared-mem@50000000");
	/* dom0's default 512 MiB fits first between region 0x1 and region 0x0. */
	assert_int_equal(cfg.partitions[0].ram_base, 0x70000000);
	assert_int_equal(cfg.partitions[1].ram_base, 0x43800000);
	assert_int_equal(cfg.partitions[2].ram_base, 0x4b800000);
}

static void test_upstream_string_ids(void **state)
{
	(void)state;
	EXPECT_OK(parse_fixture("xen-string-ids.dts"));
	assert_int_equal(cfg.region_count, 3);
	const struct cfg_shm_region *r = cfg.regions;
	assert_string_equal(r[0].id, "my-shared-mem-0");
	assert_false(r[0].id_is_u32);
	assert_int_equal(r[0].host_base, 0x90000000);     /* <host guest size> */
	assert_int_equal(r[0].size, 0x10000000);
	assert_int_equal(r[0].owner, 0);
	assert_string_equal(r[1].id, "my-shared-mem-1");
	assert_int_equal(r[1].host_base, 0xa0000000);
	assert_int_equal(r[1].size, 0x20000000);
	assert_int_equal(r[1].owner, CFG_OWNER_DOM_SHARED);
	assert_string_equal(r[2].id, "my-shared-mem-2");
	assert_true(r[2].host_picked);                     /* <guest size> */
	assert_int_equal(r[2].size, 0x20000000);
	assert_int_equal(r[2].owner, 1);
	/* Partitions first (dom0 256M, domU1 128M, domU2 64M), then the region. */
	assert_int_equal(cfg.partitions[0].ram_base, 0x43800000);
	assert_int_equal(cfg.partitions[1].ram_base, 0x53800000);
	assert_int_equal(cfg.partitions[2].ram_base, 0x5b800000);
	assert_int_equal(r[2].host_base, 0x5f800000);
	assert_int_equal(cfg.ref_count, 6);
	assert_int_equal(cfg.refs[1].guest_base, 0x50000000);
	assert_int_equal(cfg.refs[3].guest_base, 0x80000000);
	assert_int_equal(cfg.refs[3].region, 2);
	assert_true(cfg.refs[3].owner);
	assert_int_equal(cfg.refs[5].guest_base, 0x90000000);
	assert_int_equal(cfg.refs[5].partition, 2);
	assert_string_equal(cfg.partitions[0].bootargs, "console=hvc0");
}

static void test_four_byte_string_id(void **state)
{
	(void)state;
	/* "abc" is 4 bytes like a u32: it is a string, so <host guest size>. */
	EXPECT_OK(parse(DTS(DOMU("domU1", 42000000,
				 SHM("shm", "\"abc\"", "0x80000000 0x50000000 0x200000", "")))));
	assert_int_equal(cfg.region_count, 1);
	assert_string_equal(cfg.regions[0].id, "abc");
	assert_false(cfg.regions[0].id_is_u32);
	assert_int_equal(cfg.regions[0].host_base, 0x80000000);
	assert_int_equal(cfg.regions[0].size, 0x200000);
	assert_int_equal(cfg.refs[0].guest_base, 0x50000000);
}

static void test_static_mem_valid(void **state)
{
	(void)state;
	EXPECT_OK(parse(DTS(DOMU("domU1", 42000000, "xen,static-mem = <0x80000000 0x8000000>;\n")
			    DOMAIN("domU2", MEM_128M "#xen,static-mem-address-cells = <2>;\n"
				   "#xen,static-mem-size-cells = <2>;\n"
				   "xen,static-mem = <0 0x90000000 0 0x8000000>;\n",
				   KERNEL_AT(43000000)))));
	assert_true(cfg.partitions[0].static_mem);
	assert_int_equal(cfg.partitions[0].ram_base, 0x80000000);
	assert_true(cfg.partitions[1].static_mem);
	assert_int_equal(cfg.partitions[1].ram_base, 0x90000000);
}

/* A partition's view: Xen's guest map unless direct-mapped. */
static void test_guest_map_xen(void **state)
{
	(void)state;
	EXPECT_OK(parse(DTS(DOMU("domU1", 42000000, "cpus = <2>;\n"))));
	const struct cfg_guest_map *m = &cfg.partitions[0].map;
	assert_int_equal(m->ram_count, 1);
	assert_int_equal(m->ram[0].base, 0x40000000);
	assert_int_equal(m->ram[0].size, 0x8000000);
	assert_int_equal(m->gic_version, 3);
	assert_int_equal(m->gicd.base, 0x03001000);
	assert_int_equal(m->gicd.size, 0x10000);
	assert_int_equal(m->gicr.base, 0x03020000);
	assert_int_equal(m->gicr.size, 2 * 0x20000);
	assert_int_equal(m->uart.base, 0x22000000);
	assert_int_equal(m->uart_intid, 32);
	/* No region: no doorbell GPIO; the control device is always there. */
	assert_int_equal(m->gpio.size, 0);
	assert_int_equal(m->ctl.base, 0x22020000);
	assert_int_equal(m->ctl.size, 0x10000);
}

/* virt's GICv3 and console, as boot/platform.c reports them. */
static const struct cfg_platform plat_virt_devices = {
	.ram = { { 0x40000000, 0x80000000 } },
	.ram_count = 1,
	.reserved = { { 0x40000000, 0x100000 }, { 0x40200000, 0x200000 } },
	.reserved_count = 2,
	.cpu_count = 4,
	.host = {
		.gic_version = 3,
		.gicd = { 0x08000000, 0x10000 }, .gicr = { 0x080A0000, 0xF60000 },
		.uart = { 0x09000000, 0x1000 }, .uart_intid = 33,
	},
};

/* direct-map: RAM at IPA == host PA, and the host's GIC and UART (Xen's rule). */
static void test_direct_map(void **state)
{
	(void)state;
	EXPECT_OK(parse_with(DTS(DOMU("domU1", 42000000, "xen,static-mem = <0x80000000 0x8000000>;\n"
				      "direct-map;\n")
				 DOMU("domU2", 43000000, "")), &plat_virt_devices));
	const struct cfg_guest_map *m = &cfg.partitions[0].map;
	assert_true(cfg.partitions[0].direct_map);
	assert_int_equal(m->ram_count, 1);
	assert_int_equal(m->ram[0].base, 0x80000000);
	assert_int_equal(m->ram[0].size, 0x8000000);
	assert_int_equal(m->gicd.base, 0x08000000);
	assert_int_equal(m->gicr.base, 0x080A0000);
	assert_int_equal(m->gicr.size, 0x20000);
	assert_int_equal(m->uart.base, 0x09000000);
	assert_int_equal(m->uart_intid, 33);
	/* The other partition keeps Xen's map. */
	assert_int_equal(cfg.partitions[1].map.ram[0].base, 0x40000000);
	assert_int_equal(cfg.partitions[1].map.uart.base, 0x22000000);
}

/* virt with gic-version=2: distributor, CPU interface, GICH and GICV (boot/platform.c). */
static const struct cfg_platform plat_virt_gicv2 = {
	.ram = { { 0x40000000, 0x80000000 } },
	.ram_count = 1,
	.reserved = { { 0x40000000, 0x100000 }, { 0x40200000, 0x200000 } },
	.reserved_count = 2,
	.cpu_count = 4,
	.host = {
		.gic_version = 2,
		.gicd = { 0x08000000, 0x10000 }, .gicc = { 0x08010000, 0x10000 },
		.uart = { 0x09000000, 0x1000 }, .uart_intid = 33,
	},
};

/*
 * A GICv2 host gives its partitions a GICv2 at Xen's GUEST_GICD_BASE and
 * GUEST_GICC_BASE (4 KiB and 8 KiB); a direct-mapped one the host's GICD
 * and the 8 KiB of the host's GICC where the GICV frame is mapped.
 */
static void test_guest_map_gicv2(void **state)
{
	(void)state;
	EXPECT_OK(parse_with(DTS(DOMU("domU1", 42000000, "cpus = <2>;\n")
				 DOMU("domU2", 43000000, "xen,static-mem = <0x80000000 0x8000000>;\n"
				      "direct-map;\n")), &plat_virt_gicv2));
	const struct cfg_guest_map *m = &cfg.partitions[0].map;
	assert_int_equal(m->gic_version, 2);
	assert_int_equal(m->gicd.base, 0x03001000);
	assert_int_equal(m->gicd.size, 0x1000);
	assert_int_equal(m->gicc.base, 0x03002000);
	assert_int_equal(m->gicc.size, 0x2000);
	assert_int_equal(m->gicr.size, 0);
	m = &cfg.partitions[1].map;
	assert_int_equal(m->gic_version, 2);
	assert_int_equal(m->gicd.base, 0x08000000);
	assert_int_equal(m->gicd.size, 0x10000);
	assert_int_equal(m->gicc.base, 0x08010000);
	assert_int_equal(m->gicc.size, 0x2000);
	assert_int_equal(m->gicr.size, 0);
}

static void test_direct_map_errors(void **state)
{
	(void)state;
	EXPECT(parse_with(DTS(DOMU("domU1", 42000000, "direct-map;\n")
			      DOMU("domU2", 43000000, "xen,static-mem = <0x80000000 0x8000000>;\n"
				   "direct-map;\n"
				   SHM("shm", "<1>", "0x90000000 0x200000 0x87f00000", "")
				   SHM("uart", "<2>", "0x90200000 0x1000 0x09000000", ""))),
			  &plat_virt_devices),
	       "config: /chosen/domU1: direct-map: needs xen,static-mem: the guest sees its RAM at its "
	       "host address",
	       "config: /chosen/domU2/shm: xen,shared-mem: guest range 0x87f00000-0x880fffff overlaps "
	       "guest RAM 0x80000000-0x87ffffff",
	       "config: /chosen/domU2/uart: xen,shared-mem: guest range 0x9000000-0x9000fff overlaps "
	       "the UART 0x9000000-0x9000fff");
}

/* Tessera's own devices at the same addresses, direct-mapped or not; the GPIO with regions only. */
static void test_guest_map_tessera_devices(void **state)
{
	(void)state;
	EXPECT_OK(parse_with(DTS(DOMU("domU1", 42000000, "xen,static-mem = <0x80000000 0x8000000>;\n"
				      "direct-map;\n"
				      SHM("shm", "<1>", "0x90000000 0x200000 0x90000000", ""))
				 DOMU("domU2", 43000000, SHM("shm", "<1>", "0x90000000 0x200000 "
							     "0x50000000", ""))
				 DOMU("domU3", 44000000, "")), &plat_virt_devices));
	for (unsigned int i = 0; i < 2; i++) {
		const struct cfg_guest_map *m = &cfg.partitions[i].map;
		assert_int_equal(m->gpio.base, 0x22010000);
		assert_int_equal(m->gpio.size, 0x1000);
		assert_int_equal(m->gpio_intid, 95);
		assert_int_equal(m->ctl.base, 0x22020000);
	}
	assert_int_equal(cfg.partitions[2].map.gpio.size, 0);
	assert_int_equal(cfg.partitions[2].map.ctl.base, 0x22020000);
}

/* A direct-mapped partition whose host RAM or UART meets them is refused; so is a region on them. */
static void test_tessera_device_errors(void **state)
{
	(void)state;
	struct cfg_platform plat = plat_virt_devices;
	plat.ram[0] = (struct cfg_range){ 0x20000000, 0xa0000000 };
	plat.host.uart_intid = 95;
	EXPECT(parse_with(DTS(DOMU("domU1", 42000000, "xen,static-mem = <0x22000000 0x8000000>;\n"
				   "direct-map;\n"
				   SHM("shm", "<1>", "0x90000000 0x200000 0x90000000", ""))
			      DOMU("domU2", 43000000, SHM("shm", "<2>", "0x90200000 0x1000 "
							  "0x22010000", ""))), &plat),
	       "config: /chosen/domU1: direct-map: guest RAM 0x22000000-0x29ffffff overlaps the "
	       "doorbell GPIO 0x22010000-0x22010fff",
	       "config: /chosen/domU1: direct-map: guest RAM 0x22000000-0x29ffffff overlaps the "
	       "control device 0x22020000-0x2202ffff",
	       "config: /chosen/domU1: direct-map: the UART's interrupt (INTID 95) is the doorbell "
	       "GPIO's",
	       "config: /chosen/domU2/shm: xen,shared-mem: guest range 0x22010000-0x22010fff "
	       "overlaps the doorbell GPIO 0x22010000-0x22010fff");
}

static void test_pinning_valid(void **state)
{
	(void)state;
	EXPECT_OK(parse(DTS(DOMU("domU1", 42000000, "cpus = <1>;\n")
			    DOMU("domU2", 43000000, "cpus = <2>;\ntessera,cpus = <3 0>;\n"))));
	/* Pinned partitions claim first; the others take the lowest free CPUs. */
	assert_int_equal(cfg.partitions[0].pcpu[0], 1);
	assert_int_equal(cfg.partitions[1].pcpu[0], 3);
	assert_int_equal(cfg.partitions[1].pcpu[1], 0);
}

static void test_placement_1g_block(void **state)
{
	(void)state;
	EXPECT_OK(parse(DTS(DOMAIN("domU1", "memory = <0 0x100000>;\n", KERNEL_AT(42000000)))));
	assert_int_equal(cfg.partitions[0].ram_base, 0x80000000);   /* 1 GiB aligned */
}

/* All 295 design ids at once, each shared by two domains. */
static void test_295_regions(void **state)
{
	(void)state;
	static char src[300000];
	size_t off = 0;
	const unsigned int ids = CFG_SHM_U32_ID_LAST + 1;

	off += (size_t)snprintf(src + off, sizeof(src) - off,
				"/dts-v1/;\n/ {\n#address-cells = <2>;\n#size-cells = <2>;\n"
				"chosen {\n#address-cells = <1>;\n#size-cells = <1>;\n");
	for (unsigned int d = 1; d <= 2; d++) {
		off += (size_t)snprintf(src + off, sizeof(src) - off,
					"domU%u {\ncompatible = \"xen,domain\";\n#address-cells = <1>;\n"
					"#size-cells = <1>;\nmemory = <0 131072>;\n"
					"kernel {\ncompatible = \"multiboot,kernel\";\n"
					"reg = <0x4%u000000 0x800000>;\n};\n", d, d);
		for (unsigned int i = 0; i < ids; i++)
			off += (size_t)snprintf(src + off, sizeof(src) - off,
				"shm-%x {\ncompatible = \"xen,domain-shared-memory-v1\";\n"
				"xen,shm-id = <0x%x>;\nxen,shared-mem = <0x%x 0x200000 0x%x>;\n%s};\n",
				i, i, 0x80000000u + i * 0x200000u, 0x80000000u + i * 0x200000u,
				d == 1 && i % 2 == 0 ? "role = \"owner\";\n" : "");
		off += (size_t)snprintf(src + off, sizeof(src) - off, "};\n");
	}
	snprintf(src + off, sizeof(src) - off, "};\n};\n");
	assert_true(off < sizeof(src) - 16);
	EXPECT_OK(parse(src));
	assert_int_equal(cfg.region_count, ids);
	assert_int_equal(cfg.ref_count, 2 * ids);
	assert_string_equal(cfg.regions[ids - 1].id, "0x126");
	assert_int_equal(cfg.regions[ids - 1].host_base, 0x80000000u + (ids - 1) * 0x200000u);
	assert_int_equal(cfg.regions[2].owner, 0);
	assert_int_equal(cfg.regions[3].owner, CFG_OWNER_DOM_SHARED);
	assert_int_equal(cfg.refs[ids].partition, 1);
	assert_int_equal(cfg.refs[ids].region, 0);
}

/* ------------------------------------------------------- partition rules */

static void test_memory_missing(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", "", KERNEL_AT(42000000)))),
	       "config: /chosen/domU1: memory: missing");
}

static void test_memory_zero(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", "memory = <0 0>;\n", KERNEL_AT(42000000)))),
	       "config: /chosen/domU1: memory: 0 KiB is not a valid size");
}

static void test_memory_unaligned(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", "memory = <0 3072>;\n", KERNEL_AT(42000000)))),
	       "config: /chosen/domU1: memory: 3072 KiB (0x300000 bytes) is not a multiple of 2 MiB");
}

static void test_memory_string(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", "memory = \"128M\";\n", KERNEL_AT(42000000)))),
	       "config: /chosen/domU1: memory: is a string (\"128M\"), "
	       "expected a number of KiB in 1 or 2 cells");
}

static void test_memory_cells(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", "memory = <0 0 131072>;\n", KERNEL_AT(42000000)))),
	       "config: /chosen/domU1: memory: 12 bytes, expected a number of KiB in 1 or 2 cells "
	       "(4 or 8 bytes)");
}

static void test_memory_more_than_free(void **state)
{
	(void)state;
	/* 2 GiB of RAM minus DTB (1M), Tessera (2M) and the kernel (8M). */
	EXPECT(parse(DTS(DOMAIN("domU1", "memory = <0 0x200000>;\n", KERNEL_AT(42000000)))),
	       "config: /chosen/domU1: memory: 2097152 KiB (0x80000000 bytes) is more than the free "
	       "RAM (0x7f500000 bytes)");
}

static void test_memory_does_not_fit(void **state)
{
	(void)state;
	/* Each fits alone; once domU1 took 0x80000000-0xbfffffff no 1 GiB gap is left. */
	EXPECT(parse(DTS(DOMAIN("domU1", "memory = <0 0x100000>;\n", KERNEL_AT(41000000))
			 DOMAIN("domU2", "memory = <0 0x100000>;\n", KERNEL_AT(42000000)))),
	       "config: /chosen/domU2: memory: 1048576 KiB does not fit in free RAM "
	       "(largest free range 0x3d800000)");
}

static void test_cpus_zero(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 42000000, "cpus = <0>;\n"))),
	       "config: /chosen/domU1: cpus: 0 is not a valid vCPU count");
}

static void test_cpus_above_limit(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 42000000, "cpus = <9>;\n"))),
	       "config: /chosen/domU1: cpus: 9 is above the limit of 8 vCPUs");
}

static void test_cpus_string(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 42000000, "cpus = \"2\";\n"))),
	       "config: /chosen/domU1: cpus: is a string (\"2\"), expected 1 cell");
}

static void test_cpus_more_than_free(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 42000000, "cpus = <3>;\n")
			 DOMU("domU2", 43000000, "cpus = <2>;\n"))),
	       "config: /chosen/domU2: cpus: 2 vCPUs, but only 1 of 4 physical CPUs are free");
}

static void test_pin_nonexistent(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 42000000, "tessera,cpus = <5>;\n"))),
	       "config: /chosen/domU1: tessera,cpus: physical CPU 5 does not exist (4 CPUs)");
}

static void test_pin_taken(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 42000000, "tessera,cpus = <2>;\n")
			 DOMU("domU2", 43000000, "tessera,cpus = <2>;\n"))),
	       "config: /chosen/domU2: tessera,cpus: physical CPU 2 is already used by /chosen/domU1");
}

static void test_pin_count(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 42000000, "cpus = <2>;\ntessera,cpus = <1>;\n"))),
	       "config: /chosen/domU1: tessera,cpus: 4 bytes for 2 vCPUs, expected one cell per vCPU "
	       "(8 bytes)");
}

static void test_duplicate_name(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOM0_KERNEL DOMU("dom0", 42000000, ""))),
	       "config: /chosen/dom0: name: \"dom0\" is already used by /chosen");
}

static void test_name_too_long(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU-with-a-very-long-name-abcdefgh", 42000000, ""))),
	       "config: /chosen/domU-with-a-very-long-name-abcdefgh: name: "
	       "\"domU-with-a-very-long-name-abcdefgh\" is longer than 31 characters");
}

/* fuzz_guest_fdt's finding: a domain node without a name gave a partition named "". */
static void test_name_empty(void **state)
{
	(void)state;
	void *dtb = dtc_string(DTS(DOMU("domU1", 42000000, "")));
	assert_int_equal(fdt_set_name(dtb, fdt_path_offset(dtb, "/chosen/domU1"), ""), 0);
	int ret = cfg_parse(dtb, &plat_virt, &cfg, &errs);
	free(dtb);
	EXPECT(ret, "config: /chosen/: name: empty: a partition is named by its node");
}

static void test_too_many_partitions(void **state)
{
	(void)state;
	static char src[32768];
	size_t off = 0;
	struct cfg_platform plat = plat_virt;

	plat.cpu_count = CFG_MAX_CPUS;
	off += (size_t)snprintf(src, sizeof(src), "/dts-v1/;\n/ {\nchosen {\n");
	for (unsigned int i = 1; i <= CFG_MAX_PARTITIONS + 1; i++)
		off += (size_t)snprintf(src + off, sizeof(src) - off,
			"domU%u {\ncompatible = \"xen,domain\";\n#address-cells = <1>;\n"
			"#size-cells = <1>;\nmemory = <0 2048>;\nk {\ncompatible = \"multiboot,kernel\";\n"
			"reg = <0x%x 0x1000>;\n};\n};\n", i, 0x41000000u + i * 0x1000u);
	snprintf(src + off, sizeof(src) - off, "};\n};\n");
	EXPECT(parse_with(src, &plat), "config: /chosen/domU17: compatible: more than 16 partitions");
}

static void test_kernel_does_not_fit_in_memory(void **state)
{
	(void)state;
	/* An 8 MiB kernel in 8 MiB of RAM: the guest DT's slot at the top is missing. */
	EXPECT(parse(DTS(DOMAIN("domU1", "memory = <0 8192>;\n", KERNEL_AT(42000000)))),
	       "config: /chosen/domU1/module@42000000: reg: kernel (0x800000 bytes) does not fit "
	       "in memory (0x800000 bytes, 0x18000 of it kept for the device tree)");
	EXPECT_OK(parse(DTS(DOMAIN("domU1", "memory = <0 10240>;\n", KERNEL_AT(42000000)))));
}

static void test_no_partitions(void **state)
{
	(void)state;
	EXPECT(parse(DTS("")),
	       "config: /chosen: compatible: no xen,domain node and no dom0 multiboot,kernel module");
}

static void test_no_chosen(void **state)
{
	(void)state;
	EXPECT(parse("/dts-v1/;\n/ {\n};\n"), "config: /: chosen: missing: no partition is configured");
}

static void test_kernel_missing(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", MEM_128M, ""))),
	       "config: /chosen/domU1: multiboot,kernel: missing: no kernel module");
}

static void test_kernel_empty(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", MEM_128M,
				"module@42000000 {\ncompatible = \"multiboot,kernel\";\n"
				"reg = <0x42000000 0>;\n};\n"))),
	       "config: /chosen/domU1/module@42000000: reg: size is 0");
}

static void test_kernel_second(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", MEM_128M, KERNEL_AT(42000000) KERNEL_AT(43000000)))),
	       "config: /chosen/domU1/module@43000000: compatible: second kernel module, "
	       "/chosen/domU1/module@42000000 is the first");
}

static void test_reg_cells(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", MEM_128M,
				"module@42000000 {\ncompatible = \"multiboot,kernel\";\n"
				"reg = <0x42000000>;\n};\n"))),
	       "config: /chosen/domU1/module@42000000: reg: 4 bytes is not 1 address + 1 size cells "
	       "(8 bytes)");
}

static void test_domain_cells_missing(void **state)
{
	(void)state;
	EXPECT(parse(DTS("domU1 {\ncompatible = \"xen,domain\";\n#size-cells = <1>;\n" MEM_128M
			 KERNEL_AT(42000000) "};\n")),
	       "config: /chosen/domU1: #address-cells: missing (Xen requires it on a xen,domain node)");
}

static void test_module_outside_ram(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 10000000, ""))),
	       "config: /chosen/domU1/module@10000000: reg: 0x10000000-0x107fffff is not in RAM");
}

static void test_module_overlaps(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 41000000, "")
			 DOMAIN("domU2", MEM_128M, KERNEL_AT(41400000) KERNEL_AT(40200000)))),
	       "config: /chosen/domU2/module@40200000: compatible: second kernel module, "
	       "/chosen/domU2/module@41400000 is the first",
	       "config: /chosen/domU2/module@41400000: reg: 0x41400000-0x41bfffff overlaps "
	       "0x41000000-0x417fffff of /chosen/domU1/module@41000000");
}

/* Xen lets several domains name one module: each partition gets a copy. */
static void test_module_shared(void **state)
{
	(void)state;
	EXPECT_OK(parse(DTS(DOMU("domU1", 41000000, "")
			    DOMAIN("domU2", MEM_128M, KERNEL_AT(41000000)
				   "rd {\ncompatible = \"multiboot,ramdisk\";\n"
				   "reg = <0x42000000 0x100000>;\n};\n")
			    DOMAIN("domU3", MEM_128M, KERNEL_AT(41000000)
				   "rd {\ncompatible = \"multiboot,ramdisk\";\n"
				   "reg = <0x42000000 0x100000>;\n};\n"))));
	assert_int_equal(cfg.partition_count, 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(cfg.partitions[i].kernel.base, 0x41000000);
		assert_int_equal(cfg.partitions[i].kernel.size, 0x800000);
		/* Each partition's RAM is its own, clear of the shared modules. */
		assert_false(ranges_overlap(cfg.partitions[i].ram_base, cfg.partitions[i].mem_bytes,
					    0x41000000, 0x1100000));
	}
	assert_int_equal(cfg.partitions[2].ramdisk.base, 0x42000000);
	assert_true(cfg.partitions[0].ram_base != cfg.partitions[1].ram_base);
}

/* Same base, other size (or the other way round): a partial overlap, an error. */
static void test_module_shared_partial(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 41000000, "")
			 DOMAIN("domU2", MEM_128M,
				"module@41000000 {\ncompatible = \"multiboot,kernel\";\n"
				"reg = <0x41000000 0x400000>;\n};\n"))),
	       "config: /chosen/domU2/module@41000000: reg: 0x41000000-0x413fffff overlaps "
	       "0x41000000-0x417fffff of /chosen/domU1/module@41000000");
}


/* ------------------------------------------- nothing silently ignored (cfg_props.c) */

/* One domU with @props added to its node. */
#define DOMU_WITH(props) DTS(DOMU("domU1", 42000000, props))

static void test_props_rejected_domain(void **state)
{
	(void)state;
	EXPECT(parse(DOMU_WITH("llc-colors = \"0-3\";\ncolors = <0 1>;\n"
			       "domain-cpupool = <1>;\n")),
	       "config: /chosen/domU1: llc-colors: LLC colouring is not supported",
	       "config: /chosen/domU1: colors: LLC colouring is not supported",
	       "config: /chosen/domU1: domain-cpupool: CPU pools are not supported: each vCPU has a "
	       "physical CPU of its own");
}

static void test_props_rejected_by_value(void **state)
{
	(void)state;
	EXPECT(parse(DOMU_WITH("xen,enhanced = \"enabled\";\npassthrough = \"enabled\";\nsve = <128>;\n"
			       "trap-unmapped-accesses = <0>;\n")),
	       "config: /chosen/domU1: xen,enhanced: Xen's PV interfaces (hypercalls, xenstore, grant "
	       "tables, event channels) are not provided (only \"disabled\" is accepted)",
	       "config: /chosen/domU1: passthrough: IOMMU mappings for the domain: there is no IOMMU "
	       "(only \"disabled\" is accepted; devices are assigned with "
	       "xen,force-assign-without-iommu)",
	       "config: /chosen/domU1: sve: SVE is hidden from guests (only <0> is accepted)",
	       "config: /chosen/domU1: trap-unmapped-accesses: an access to an unmapped address always "
	       "gets a data abort (only <1> is accepted)");
}

/* Xen's capabilities: DOMAIN_CAPS_CONTROL makes a control partition; dom0 is one by default. */
static void test_capabilities(void **state)
{
	(void)state;
	EXPECT_OK(parse(DTS(DOMU("domU1", 42000000, "capabilities = <1>;\n")
			    DOMU("domU2", 43000000, "capabilities = <0>;\n")
			    DOMU("domU3", 44000000, ""))));
	assert_true(cfg.partitions[0].control);
	assert_false(cfg.partitions[1].control);
	assert_false(cfg.partitions[2].control);
	EXPECT_OK(parse(DTS("xen,xen-bootargs = \"dom0_mem=128M\";\n" DOM0_KERNEL
			    DOMU("domU1", 42000000, ""))));
	assert_string_equal(cfg.partitions[0].name, "dom0");
	assert_true(cfg.partitions[0].control);
	assert_false(cfg.partitions[1].control);
	EXPECT(parse(DTS(DOMU("domU1", 42000000, "capabilities = <2>;\n")
			 DOMU("domU2", 43000000, "capabilities = <5>;\n")
			 DOMU("domU3", 44000000, "capabilities = <0x10>;\n")
			 DOMU("domU4", 45000000, "capabilities = <0 1>;\n"))),
	       "config: /chosen/domU1: capabilities: 0x2 asks for a hardware domain "
	       "(DOMAIN_CAPS_HARDWARE): only 0x1 (DOMAIN_CAPS_CONTROL) is supported",
	       "config: /chosen/domU2: capabilities: 0x5 asks for a xenstore domain "
	       "(DOMAIN_CAPS_XENSTORE): only 0x1 (DOMAIN_CAPS_CONTROL) is supported",
	       "config: /chosen/domU3: capabilities: 0x10 asks for capabilities Xen does not define: "
	       "only 0x1 (DOMAIN_CAPS_CONTROL) is supported",
	       "config: /chosen/domU4: capabilities: 8 bytes, expected 1 cell (4 bytes)");
}

/* The values that ask for what Tessera does anyway, and the harmless ones. */
static void test_props_accepted(void **state)
{
	(void)state;
	EXPECT_OK(parse(DOMU_WITH("xen,enhanced = \"disabled\";\npassthrough = \"disabled\";\n"
				  "sve = <0>;\ncapabilities = <0>;\ntrap-unmapped-accesses = <1>;\n"
				  "nr_spis = <32>;\nmax_grant_version = <1>;\nmax_grant_frames = <64>;\n"
				  "max_maptrack_frames = <1024>;\nxen,domain-p2m-mem-mb = <8>;\n")));
	EXPECT_OK(parse(DTS("xen,uefi-cfg-load;\nstdout-path = \"/pl011\";\nrng-seed = <1 2>;\n"
			    "u-boot,version = \"2023.01\";\n"
			    DOMU("domU1", 42000000, ""))));
}

static void test_props_unknown(void **state)
{
	(void)state;
	EXPECT(parse(DTS("xen,something-new = <1>;\n"
			 DOMAIN("domU1", MEM_128M "status = \"okay\";\n",
				"module@42000000 {\ncompatible = \"multiboot,kernel\";\n"
				"reg = <0x42000000 0x800000>;\nload-addr = <0>;\n};\n"
				SHM("shm", "<0x1>", "0x7fe00000 0x200000 0x50000000", "size = <1>;\n")))),
	       "config: /chosen: xen,something-new: unknown property (not in Xen's booting.txt)",
	       "config: /chosen/domU1: status: unknown property (not in Xen's booting.txt)",
	       "config: /chosen/domU1/module@42000000: load-addr: unknown property (not in Xen's "
	       "booting.txt)",
	       "config: /chosen/domU1/shm: size: unknown property (not in Xen's booting.txt)");
}

static void test_static_heap_rejected(void **state)
{
	(void)state;
	EXPECT(parse(DTS("xen,static-heap = <0x80000000 0x10000000>;\n"
			 DOMU("domU1", 42000000, ""))),
	       "config: /chosen: xen,static-heap: a static heap is not supported: the hypervisor takes "
	       "its memory from free RAM");
}

static void test_children_rejected(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", MEM_128M,
				"module@42000000 {\ncompatible = \"multiboot,kernel\", \"multiboot,module\";\n"
				"reg = <0x42000000 0x800000>;\n"
				"ec1 {\ncompatible = \"xen,evtchn-v1\";\nxen,evtchn = <0xa 1>;\n};\n};\n"
				"ec2 {\ncompatible = \"xen,evtchn-v1\";\nxen,evtchn = <0xb 2>;\n};\n"
				"vcpu0 {\ncompatible = \"xen,vcpu\";\n};\n"
				"extra {\n};\n")
			 "cpupool_a {\ncompatible = \"xen,cpupool\";\ncpupool-cpus = <1>;\n};\n"
			 "module@43000000 {\ncompatible = \"multiboot,device-tree\", "
			 "\"multiboot,module\";\nreg = <0x43000000 0x1000>;\n};\n"
			 "framebuffer {\ncompatible = \"simple-framebuffer\";\n};\n")),
	       "config: /chosen/domU1/module@42000000/ec1: compatible: xen,evtchn-v1: static event "
	       "channels are not supported",
	       "config: /chosen/domU1/ec2: compatible: xen,evtchn-v1: static event channels are not "
	       "supported",
	       "config: /chosen/domU1/vcpu0: compatible: \"xen,vcpu\" is not a node Xen's booting.txt "
	       "defines here",
	       "config: /chosen/domU1/extra: compatible: missing (a node under a xen,domain must say "
	       "what it is)",
	       "config: /chosen/cpupool_a: compatible: xen,cpupool: CPU pools are not supported: each "
	       "vCPU has a physical CPU of its own",
	       "config: /chosen/module@43000000: compatible: multiboot,device-tree: devices are passed "
	       "through to xen,domain partitions only, not to dom0");
}

static void test_dom0_modules_rejected(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOM0_KERNEL
			 "xsm {\ncompatible = \"xen,xsm-policy\", \"multiboot,module\";\n"
			 "reg = <0x42000000 0x1000>;\n};\n"
			 "m2 {\ncompatible = \"multiboot,module\";\nreg = <0x43000000 0x1000>;\n};\n"
			 "m3 {\ncompatible = \"multiboot,module\";\nreg = <0x44000000 0x1000>;\n};\n"
			 "m4 {\ncompatible = \"multiboot,module\";\nreg = <0x45000000 0x1000>;\n};\n")),
	       "config: /chosen/m4: compatible: multiboot,module: the kernel and ramdisk are already "
	       "given, and XSM policies are not supported",
	       "config: /chosen/m3: compatible: multiboot,module: the kernel and ramdisk are already "
	       "given, and XSM policies are not supported",
	       "config: /chosen/xsm: compatible: xen,xsm-policy: XSM policies are not supported");
}

/* Marked host nodes no partition takes are fine, as in Xen (tests/unit/test_cfg_pt.c: the rest). */
static void test_host_passthrough_marks_accepted(void **state)
{
	(void)state;
	EXPECT_OK(parse("/dts-v1/;\n/ {\n#address-cells = <2>;\n#size-cells = <2>;\n"
			"soc {\nethernet@ff0e0000 {\nxen,passthrough;\n};\n};\n"
			"pl061@9030000 {\nxen,passthrough;\n};\n"
			"chosen {\n#address-cells = <1>;\n#size-cells = <1>;\n"
			DOMU("domU1", 42000000, "") "};\n};\n"));
}

static void test_module_uefi_binary_ignored(void **state)
{
	(void)state;
	EXPECT_OK(parse(DTS(DOMAIN("domU1", MEM_128M,
				   "module@42000000 {\ncompatible = \"multiboot,kernel\";\n"
				   "reg = <0x42000000 0x800000>;\nxen,uefi-binary = \"Image\";\n"
				   "bootargs = \"x\";\n};\n"))));
}

static void test_module_overlaps_reserved(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", MEM_128M,
				KERNEL_AT(40200000)
				"rd {\ncompatible = \"multiboot,ramdisk\";\n"
				"reg = <0x40080000 0x100000>;\n};\n"))),
	       "config: /chosen/domU1/module@40200000: reg: 0x40200000-0x409fffff overlaps reserved "
	       "range 0x40200000-0x403fffff",
	       "config: /chosen/domU1/rd: reg: 0x40080000-0x4017ffff overlaps reserved range "
	       "0x40000000-0x400fffff");
}

static void test_static_mem_rules(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 42000000, "xen,static-mem = <0x10000000 0x8000000>;\n")
			 DOMU("domU2", 43000000, "xen,static-mem = <0x80100000 0x4000000>;\n")
			 DOMU("domU3", 44000000, "xen,static-mem = <0x40000000 0x8000000>;\n")
			 DOMU("domU4", 45000000, "xen,static-mem = <0x80000000>;\n"))),
	       "config: /chosen/domU2: xen,static-mem: base 0x80100000 is not 2 MiB aligned",
	       "config: /chosen/domU2: xen,static-mem: size 0x4000000 differs from memory "
	       "(0x8000000 bytes)",
	       "config: /chosen/domU4: xen,static-mem: 4 bytes is not 1 address + 1 size cells "
	       "(8 bytes)",
	       "config: /chosen/domU1: xen,static-mem: 0x10000000-0x17ffffff is not in RAM",
	       "config: /chosen/domU3: xen,static-mem: 0x40000000-0x47ffffff overlaps reserved range "
	       "0x40000000-0x400fffff",
	       "config: /chosen/domU3: xen,static-mem: 0x40000000-0x47ffffff overlaps reserved range "
	       "0x40200000-0x403fffff",
	       "config: /chosen/domU3: xen,static-mem: 0x40000000-0x47ffffff overlaps "
	       "0x42000000-0x427fffff of /chosen/domU1/module@42000000",
	       "config: /chosen/domU3: xen,static-mem: 0x40000000-0x47ffffff overlaps "
	       "0x43000000-0x437fffff of /chosen/domU2/module@43000000",
	       "config: /chosen/domU3: xen,static-mem: 0x40000000-0x47ffffff overlaps "
	       "0x44000000-0x447fffff of /chosen/domU3/module@44000000",
	       "config: /chosen/domU4/module@45000000: reg: 0x45000000-0x457fffff overlaps "
	       "0x40000000-0x47ffffff of /chosen/domU3");
}

static void test_static_mem_overlaps_static(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 42000000, "xen,static-mem = <0x80000000 0x8000000>;\n")
			 DOMU("domU2", 43000000, "xen,static-mem = <0x84000000 0x8000000>;\n"))),
	       "config: /chosen/domU2: xen,static-mem: 0x84000000-0x8bffffff overlaps "
	       "0x80000000-0x87ffffff of /chosen/domU1");
}

static void test_bootargs_too_long(void **state)
{
	(void)state;
	static char src[4096];
	char args[601];

	memset(args, 'a', 600);
	args[600] = '\0';
	snprintf(src, sizeof(src), DTS(DOMAIN("domU1", MEM_128M,
		"module@42000000 {\ncompatible = \"multiboot,kernel\";\nreg = <0x42000000 0x800000>;\n"
		"bootargs = \"%s\";\n};\n")), args);
	EXPECT(parse(src),
	       "config: /chosen/domU1/module@42000000: bootargs: 600 characters exceed the limit of 511");
}

static void test_dom0_options(void **state)
{
	(void)state;
	EXPECT(parse(DTS("xen,xen-bootargs = \"dom0_mem=12X dom0_max_vcpus=0\";\n" DOM0_KERNEL)),
	       "config: /chosen: xen,xen-bootargs: dom0_mem=12X is not a size",
	       "config: /chosen: xen,xen-bootargs: dom0_max_vcpus=0 is not a valid vCPU count");
	EXPECT(parse(DTS("xen,xen-bootargs = \"dom0_mem=3M dom0_max_vcpus=two\";\n" DOM0_KERNEL)),
	       "config: /chosen: xen,xen-bootargs: dom0_mem=3M (0x300000 bytes) is not a multiple of "
	       "2 MiB",
	       "config: /chosen: xen,xen-bootargs: dom0_max_vcpus=two is not a number");
	/* Xen's <size>: KiB without a suffix, hex accepted, the last option wins. */
	EXPECT_OK(parse(DTS("xen,xen-bootargs = \"dom0_mem=1G dom0_mem=0x40000 dom0_max_vcpus=3\";\n"
			    DOM0_KERNEL)));
	assert_int_equal(cfg.partitions[0].mem_bytes, 0x10000000);
	assert_int_equal(cfg.partitions[0].vcpu_count, 3);
}

/* ---------------------------------------------------------- shared memory */

#define ONE_DOMU(shm) DTS(DOMU("domU1", 42000000, "cpus = <2>;\n" shm))
#define SHM_OK_MEM "0x80000000 0x200000 0x50000000"

static void test_shm_id_above(void **state)
{
	(void)state;
	EXPECT(parse(ONE_DOMU(SHM("shm", "<0x200>", SHM_OK_MEM, ""))),
	       "config: /chosen/domU1/shm: xen,shm-id: 0x200 is above 0x126");
}

static void test_shm_id_invalid(void **state)
{
	(void)state;
	EXPECT(parse(ONE_DOMU(SHM("shm", "<0x127>", SHM_OK_MEM, ""))),
	       "config: /chosen/domU1/shm: xen,shm-id: 0x127 is INVALID_SHMID, not a usable id");
}

static void test_shm_id_empty(void **state)
{
	(void)state;
	EXPECT(parse(ONE_DOMU(SHM("shm", "\"\"", "0x80000000 0x50000000 0x200000", ""))),
	       "config: /chosen/domU1/shm: xen,shm-id: empty string, expected 1 to 15 characters");
}

static void test_shm_id_too_long(void **state)
{
	(void)state;
	EXPECT(parse(ONE_DOMU(SHM("shm", "\"abcdefghijklmnop\"", "0x80000000 0x50000000 0x200000", ""))),
	       "config: /chosen/domU1/shm: xen,shm-id: \"abcdefghijklmnop\" is 16 characters, "
	       "the limit is 15");
}

static void test_shm_id_wrong_type(void **state)
{
	(void)state;
	EXPECT(parse(ONE_DOMU(SHM("shm", "<0 1>", SHM_OK_MEM, ""))),
	       "config: /chosen/domU1/shm: xen,shm-id: 8 bytes is neither a u32 nor a string of 1 to "
	       "15 characters");
}

static void test_shm_missing_props(void **state)
{
	(void)state;
	EXPECT(parse(ONE_DOMU("shm-a {\ncompatible = \"xen,domain-shared-memory-v1\";\n"
			      "xen,shared-mem = <" SHM_OK_MEM ">;\n};\n"
			      "shm-b {\ncompatible = \"xen,domain-shared-memory-v1\";\n"
			      "xen,shm-id = <1>;\n};\n")),
	       "config: /chosen/domU1/shm-a: xen,shm-id: missing",
	       "config: /chosen/domU1/shm-b: xen,shared-mem: missing");
}

static void test_shm_cells(void **state)
{
	(void)state;
	EXPECT(parse(ONE_DOMU(SHM("shm-a", "<1>", "0x80000000 0x200000", "")
			      SHM("shm-b", "\"b\"", "0 0x80000000 0x50000000 0x200000", ""))),
	       "config: /chosen/domU1/shm-a: xen,shared-mem: 8 bytes is not <host-PA size guest-PA> "
	       "in 1+1+1 cells (12 bytes)",
	       "config: /chosen/domU1/shm-b: xen,shared-mem: 16 bytes is neither <host-PA guest-PA "
	       "size> (12 bytes) nor <guest-PA size> (8 bytes)");
}

static void test_shm_zero_size(void **state)
{
	(void)state;
	EXPECT(parse(ONE_DOMU(SHM("shm", "<1>", "0x80000000 0 0x50000000", ""))),
	       "config: /chosen/domU1/shm: xen,shared-mem: size is 0");
}

static void test_shm_alignment(void **state)
{
	(void)state;
	EXPECT(parse(ONE_DOMU(SHM("shm", "<1>", "0x80000800 0x800 0x50000010", ""))),
	       "config: /chosen/domU1/shm: xen,shared-mem: host address 0x80000800 is not 4 KiB aligned",
	       "config: /chosen/domU1/shm: xen,shared-mem: guest address 0x50000010 is not 4 KiB aligned",
	       "config: /chosen/domU1/shm: xen,shared-mem: size 0x800 is not a multiple of 4 KiB");
}

static void test_shm_overflow(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", MEM_128M,
				"kernel {\ncompatible = \"multiboot,kernel\";\n"
				"reg = <0x42000000 0x800000>;\n};\n"
				"shm {\ncompatible = \"xen,domain-shared-memory-v1\";\n"
				"xen,shm-id = <1>;\n"
				"xen,shared-mem = <0xffffffff 0xfffff000 0x2000 0xffffffff 0xfffff000>;\n"
				"};\n"))),
	       "config: /chosen/domU1/shm: xen,shared-mem: 20 bytes is not <host-PA size guest-PA> in "
	       "1+1+1 cells (12 bytes)");
	EXPECT(parse(DTS("domU1 {\ncompatible = \"xen,domain\";\n#address-cells = <2>;\n"
			 "#size-cells = <2>;\n" MEM_128M
			 "kernel {\ncompatible = \"multiboot,kernel\";\n"
			 "reg = <0 0x42000000 0 0x800000>;\n};\n"
			 "shm {\ncompatible = \"xen,domain-shared-memory-v1\";\nxen,shm-id = <1>;\n"
			 "xen,shared-mem = <0xffffffff 0xfffff000 0 0x2000 0xffffffff 0xfffff000>;\n"
			 "};\n};\n")),
	       "config: /chosen/domU1/shm: xen,shared-mem: host range 0xfffffffffffff000 + 0x2000 "
	       "overflows 64 bits",
	       "config: /chosen/domU1/shm: xen,shared-mem: guest range 0xfffffffffffff000 + 0x2000 "
	       "overflows 64 bits");
}

static void test_shm_role(void **state)
{
	(void)state;
	EXPECT(parse(ONE_DOMU(SHM("shm", "<1>", SHM_OK_MEM, "role = \"master\";\n"))),
	       "config: /chosen/domU1/shm: role: \"master\" is not \"owner\" or \"borrower\"");
}

static void test_shm_mismatch(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 42000000, SHM("shm", "<1>", SHM_OK_MEM, ""))
			 DOMU("domU2", 43000000,
			      SHM("shm-a", "<1>", "0x80000000 0x400000 0x50000000", "")
			      SHM("shm-b", "<1>", "0x80200000 0x200000 0x60000000", "")))),
	       "config: /chosen/domU2/shm-a: xen,shared-mem: host 0x80000000 size 0x400000, but host "
	       "0x80000000 size 0x200000 at /chosen/domU1/shm",
	       "config: /chosen/domU2/shm-b: xen,shared-mem: host 0x80200000 size 0x200000, but host "
	       "0x80000000 size 0x200000 at /chosen/domU1/shm");
}

static void test_shm_two_owners(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 42000000, SHM("shm", "<1>", SHM_OK_MEM, "role = \"owner\";\n"))
			 DOMU("domU2", 43000000, SHM("shm", "<1>", SHM_OK_MEM, "role = \"owner\";\n")))),
	       "config: /chosen/domU2/shm: role: 0x1 already has an owner, /chosen/domU1/shm");
}

static void test_shm_same_id_twice(void **state)
{
	(void)state;
	EXPECT(parse(ONE_DOMU(SHM("shm-a", "<1>", SHM_OK_MEM, "")
			      SHM("shm-b", "<1>", "0x80000000 0x200000 0x60000000", ""))),
	       "config: /chosen/domU1/shm-b: xen,shm-id: 0x1 is already shared with domU1 by "
	       "/chosen/domU1/shm-a");
}

static void test_shm_host_rules(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMU("domU1", 42000000, "xen,static-mem = <0x80000000 0x8000000>;\n"
			      SHM("a", "<1>", "0x10000000 0x200000 0x50000000", "")
			      SHM("b", "<2>", "0x40200000 0x200000 0x50200000", "")
			      SHM("c", "<3>", "0x40000000 0x1000 0x50400000", "")
			      SHM("d", "<4>", "0x42000000 0x1000 0x50600000", "")
			      SHM("e", "<5>", "0x86000000 0x200000 0x50800000", "")
			      SHM("f", "<6>", "0x90000000 0x400000 0x50a00000", "")
			      SHM("g", "<7>", "0x90200000 0x200000 0x50e00000", "")))),
	       "config: /chosen/domU1/a: xen,shared-mem: host range 0x10000000-0x101fffff is not in RAM",
	       "config: /chosen/domU1/b: xen,shared-mem: host range 0x40200000-0x403fffff overlaps "
	       "reserved range 0x40200000-0x403fffff",
	       "config: /chosen/domU1/c: xen,shared-mem: host range 0x40000000-0x40000fff overlaps "
	       "reserved range 0x40000000-0x400fffff",
	       "config: /chosen/domU1/d: xen,shared-mem: host range 0x42000000-0x42000fff overlaps "
	       "0x42000000-0x427fffff of /chosen/domU1/module@42000000",
	       "config: /chosen/domU1/e: xen,shared-mem: host range 0x86000000-0x861fffff overlaps "
	       "0x80000000-0x87ffffff of /chosen/domU1",
	       "config: /chosen/domU1/g: xen,shared-mem: host range 0x90200000-0x903fffff overlaps "
	       "0x90000000-0x903fffff of /chosen/domU1/f");
}

static void test_shm_guest_rules(void **state)
{
	(void)state;
	/* Xen's guest map (arch-arm.h): GICD 0x3001000, GICR 0x3020000, PL011 0x22000000. */
	EXPECT(parse(ONE_DOMU(SHM("ram", "<1>", "0x80000000 0x200000 0x47f00000", "")
			      SHM("gicd", "<2>", "0x80200000 0x1000 0x03010000", "")
			      SHM("gicr", "<3>", "0x80400000 0x1000 0x0305f000", "")
			      SHM("uart", "<4>", "0x80600000 0x2000 0x21fff000", "")
			      SHM("x", "<5>", "0x80800000 0x200000 0x50000000", "")
			      SHM("y", "<6>", "0x80a00000 0x200000 0x50100000", "")
			      SHM("ok", "<7>", "0x80c00000 0x1000 0x03060000", "")
			      SHM("xen-ci", "<8>", "0x81000000 0x10000000 0x04000000", ""))),
	       "config: /chosen/domU1/ram: xen,shared-mem: guest range 0x47f00000-0x480fffff overlaps "
	       "guest RAM 0x40000000-0x47ffffff",
	       "config: /chosen/domU1/gicd: xen,shared-mem: guest range 0x3010000-0x3010fff overlaps "
	       "the GICv3 distributor 0x3001000-0x3010fff",
	       "config: /chosen/domU1/gicr: xen,shared-mem: guest range 0x305f000-0x305ffff overlaps "
	       "the GICv3 redistributors 0x3020000-0x305ffff",
	       "config: /chosen/domU1/uart: xen,shared-mem: guest range 0x21fff000-0x22000fff overlaps "
	       "the UART 0x22000000-0x22000fff",
	       "config: /chosen/domU1/y: xen,shared-mem: guest range 0x50100000-0x502fffff overlaps "
	       "0x50000000-0x501fffff of /chosen/domU1/x");
}

/* A shared region's guest range must stay clear of the GICv2's distributor and CPU interface. */
static void test_shm_guest_rules_gicv2(void **state)
{
	(void)state;
	EXPECT(parse_with(ONE_DOMU(SHM("gicd", "<2>", "0x80200000 0x1000 0x03001000", "")
				   SHM("gicc", "<3>", "0x80400000 0x1000 0x03003000", "")
				   SHM("ok", "<4>", "0x80600000 0x1000 0x03020000", "")),
			  &plat_virt_gicv2),
	       "config: /chosen/domU1/gicd: xen,shared-mem: guest range 0x3001000-0x3001fff overlaps "
	       "the GICv2 distributor 0x3001000-0x3001fff",
	       "config: /chosen/domU1/gicc: xen,shared-mem: guest range 0x3003000-0x3003fff overlaps "
	       "the GICv2 CPU interface 0x3002000-0x3003fff");
}

/* Guest addresses must lie in the guest physical address space (40 bits here). */
static void test_shm_guest_beyond_ipa_space(void **state)
{
	(void)state;
	EXPECT(parse(DTS("domU1 {\ncompatible = \"xen,domain\";\n#address-cells = <2>;\n"
			 "#size-cells = <2>;\n" MEM_128M
			 "module@42000000 {\ncompatible = \"multiboot,kernel\";\n"
			 "reg = <0 0x42000000 0 0x800000>;\n};\n"
			 SHM("far", "<1>", "0 0x80000000 0 0x200000 0x100 0", "")
			 SHM("top", "\"top\"", "0 0x80200000 0xffffffff 0xffe00000 0 0x200000", "")
			 "};\n")),
	       "config: /chosen/domU1/far: xen,shared-mem: guest range 0x10000000000-0x100001fffff is "
	       "beyond the 40-bit guest physical address space",
	       "config: /chosen/domU1/top: xen,shared-mem: guest range "
	       "0xffffffffffe00000-0xffffffffffffffff is beyond the 40-bit guest physical address space");
}

static void test_shm_chosen_without_dom0(void **state)
{
	(void)state;
	EXPECT(parse(DTS(SHM("shm@80000000", "<0>", SHM_OK_MEM, "") DOMU("domU1", 42000000, ""))),
	       "config: /chosen/shm@80000000: compatible: shared memory under /chosen belongs to dom0, "
	       "but there is no dom0 kernel");
}

static void test_shm_region_does_not_fit(void **state)
{
	(void)state;
	/* domU1's RAM went first, at 0x42800000-0x4a7fffff. */
	EXPECT(parse(ONE_DOMU(SHM("big", "\"big\"", "0x50000000 0x80000000", ""))),
	       "config: /chosen/domU1/big: xen,shared-mem: 0x80000000 bytes do not fit in free RAM "
	       "(largest free range 0x75800000)");
}

/* ------------------------------------------------------------ all at once */

static void test_many_errors_together(void **state)
{
	(void)state;
	EXPECT(parse(DTS(DOMAIN("domU1", "memory = <0 0>;\ncpus = <0>;\n", "")
			 DOMU("domU2", 10000000, SHM("shm", "<0x127>", SHM_OK_MEM, "role = \"boss\";\n"))
			 DOMU("domU3", 43000000, "cpus = <5>;\n"))),
	       "config: /chosen/domU1: memory: 0 KiB is not a valid size",
	       "config: /chosen/domU1: cpus: 0 is not a valid vCPU count",
	       "config: /chosen/domU1: multiboot,kernel: missing: no kernel module",
	       "config: /chosen/domU2/shm: xen,shm-id: 0x127 is INVALID_SHMID, not a usable id",
	       "config: /chosen/domU2/shm: role: \"boss\" is not \"owner\" or \"borrower\"",
	       "config: /chosen/domU3: cpus: 5 vCPUs, but only 3 of 4 physical CPUs are free",
	       "config: /chosen/domU2/module@10000000: reg: 0x10000000-0x107fffff is not in RAM");
}

static void test_error_overflow_counted(void **state)
{
	(void)state;
	static char src[65536];
	size_t off = (size_t)snprintf(src, sizeof(src), "/dts-v1/;\n/ {\nchosen {\n"
				      "domU1 {\ncompatible = \"xen,domain\";\n#address-cells = <1>;\n"
				      "#size-cells = <1>;\n" MEM_128M KERNEL_AT(42000000));
	for (unsigned int i = 0; i < CFG_MAX_ERRORS + 6; i++)
		off += (size_t)snprintf(src + off, sizeof(src) - off,
					"s%u {\ncompatible = \"xen,domain-shared-memory-v1\";\n"
					"xen,shm-id = <0x300>;\nxen,shared-mem = <" SHM_OK_MEM ">;\n};\n", i);
	snprintf(src + off, sizeof(src) - off, "};\n};\n};\n");
	assert_int_equal(parse(src), CFG_MAX_ERRORS + 6);
	assert_int_equal(errs.count, CFG_MAX_ERRORS + 6);
	assert_string_equal(errs.line[CFG_MAX_ERRORS - 1],
			    "config: /chosen/domU1/s63: xen,shm-id: 0x300 is above 0x126");
}

static void test_bad_blob(void **state)
{
	(void)state;
	static uint32_t junk[64] = { 0x12345678 };
	EXPECT(cfg_parse(junk, &plat_virt, &cfg, &errs),
	       "config: /: fdt: not a valid flattened device tree");
}

/* Node paths in messages: "/" + name under the root, truncated as snprintf would. */
static void test_child_path(void **state)
{
	(void)state;
	char out[CFG_PATH_MAX], want[CFG_PATH_MAX], name[2 * CFG_PATH_MAX];

	assert_int_equal(cfg_child_path(out, "/", "chosen"), 7);
	assert_string_equal(out, "/chosen");
	assert_int_equal(cfg_child_path(out, "/chosen/domU1", "module@0"), 22);
	assert_string_equal(out, "/chosen/domU1/module@0");
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	int w = snprintf(want, sizeof(want), "%s/%s", "/chosen", name);
	assert_int_equal(cfg_child_path(out, "/chosen", name), w);
	assert_string_equal(out, want);
	w = snprintf(want, sizeof(want), "/%s", name);
	assert_int_equal(cfg_child_path(out, "/", name), w);
	assert_string_equal(out, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_child_path),
		cmocka_unit_test(test_two_domus_valid),
		cmocka_unit_test(test_dom0_two_domus),
		cmocka_unit_test(test_dom0_defaults),
		cmocka_unit_test(test_design_example_rejected),
		cmocka_unit_test(test_design_example_ram),
		cmocka_unit_test(test_upstream_string_ids),
		cmocka_unit_test(test_four_byte_string_id),
		cmocka_unit_test(test_static_mem_valid),
		cmocka_unit_test(test_pinning_valid),
		cmocka_unit_test(test_placement_1g_block),
		cmocka_unit_test(test_295_regions),
		cmocka_unit_test(test_memory_missing),
		cmocka_unit_test(test_memory_zero),
		cmocka_unit_test(test_memory_unaligned),
		cmocka_unit_test(test_memory_string),
		cmocka_unit_test(test_memory_cells),
		cmocka_unit_test(test_memory_more_than_free),
		cmocka_unit_test(test_memory_does_not_fit),
		cmocka_unit_test(test_cpus_zero),
		cmocka_unit_test(test_cpus_above_limit),
		cmocka_unit_test(test_cpus_string),
		cmocka_unit_test(test_cpus_more_than_free),
		cmocka_unit_test(test_pin_nonexistent),
		cmocka_unit_test(test_pin_taken),
		cmocka_unit_test(test_pin_count),
		cmocka_unit_test(test_duplicate_name),
		cmocka_unit_test(test_name_too_long),
		cmocka_unit_test(test_name_empty),
		cmocka_unit_test(test_too_many_partitions),
		cmocka_unit_test(test_no_partitions),
		cmocka_unit_test(test_no_chosen),
		cmocka_unit_test(test_kernel_missing),
		cmocka_unit_test(test_kernel_does_not_fit_in_memory),
		cmocka_unit_test(test_kernel_empty),
		cmocka_unit_test(test_kernel_second),
		cmocka_unit_test(test_reg_cells),
		cmocka_unit_test(test_domain_cells_missing),
		cmocka_unit_test(test_module_outside_ram),
		cmocka_unit_test(test_module_overlaps),
		cmocka_unit_test(test_module_shared),
		cmocka_unit_test(test_module_shared_partial),
		cmocka_unit_test(test_props_rejected_domain),
		cmocka_unit_test(test_props_rejected_by_value),
		cmocka_unit_test(test_props_accepted),
		cmocka_unit_test(test_props_unknown),
		cmocka_unit_test(test_static_heap_rejected),
		cmocka_unit_test(test_children_rejected),
		cmocka_unit_test(test_dom0_modules_rejected),
		cmocka_unit_test(test_host_passthrough_marks_accepted),
		cmocka_unit_test(test_module_uefi_binary_ignored),
		cmocka_unit_test(test_module_overlaps_reserved),
		cmocka_unit_test(test_static_mem_rules),
		cmocka_unit_test(test_static_mem_overlaps_static),
		cmocka_unit_test(test_bootargs_too_long),
		cmocka_unit_test(test_dom0_options),
		cmocka_unit_test(test_shm_id_above),
		cmocka_unit_test(test_shm_id_invalid),
		cmocka_unit_test(test_shm_id_empty),
		cmocka_unit_test(test_shm_id_too_long),
		cmocka_unit_test(test_shm_id_wrong_type),
		cmocka_unit_test(test_shm_missing_props),
		cmocka_unit_test(test_shm_cells),
		cmocka_unit_test(test_shm_zero_size),
		cmocka_unit_test(test_shm_alignment),
		cmocka_unit_test(test_shm_overflow),
		cmocka_unit_test(test_shm_role),
		cmocka_unit_test(test_shm_mismatch),
		cmocka_unit_test(test_shm_two_owners),
		cmocka_unit_test(test_shm_same_id_twice),
		cmocka_unit_test(test_shm_host_rules),
		cmocka_unit_test(test_shm_guest_rules),
		cmocka_unit_test(test_guest_map_xen),
		cmocka_unit_test(test_direct_map),
		cmocka_unit_test(test_guest_map_gicv2),
		cmocka_unit_test(test_shm_guest_rules_gicv2),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_guest_map_tessera_devices),
		cmocka_unit_test(test_tessera_device_errors),
		cmocka_unit_test(test_direct_map_errors),
		cmocka_unit_test(test_shm_guest_beyond_ipa_space),
		cmocka_unit_test(test_shm_chosen_without_dom0),
		cmocka_unit_test(test_shm_region_does_not_fit),
		cmocka_unit_test(test_many_errors_together),
		cmocka_unit_test(test_error_overflow_counted),
		cmocka_unit_test(test_bad_blob),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
