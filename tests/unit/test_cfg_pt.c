/*
 * Unit tests for dt/cfg_passthrough.c: device passthrough in Xen's format
 * (a multiboot,device-tree module with a /passthrough node, host nodes
 * marked xen,passthrough).  The host tree is a small QEMU virt look-alike;
 * each partial tree is compiled with dtc and handed to cfg_parse() through
 * cfg_platform.read_module at the module's address.  Every rule has a case
 * that compares all the `config:` lines exactly.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "config.h"
#include "guest_fdt.h"
#include "types.h"

static struct config cfg;
static struct cfg_errors errs;

/* Partial trees by module address (PT1 for domU1, PT2 for domU2). */
#define PT1 0x44000000ull
#define PT2 0x44100000ull
#define PT_SLOTS 2
static void *pt_blob[PT_SLOTS];
static size_t pt_len[PT_SLOTS];

static const void *read_module(uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < PT_SLOTS; i++)
		if (base == (i ? PT2 : PT1) && pt_blob[i] && size >= pt_len[i])
			return pt_blob[i];
	return NULL;
}

/* QEMU virt, -m 2G: its console, GICv3 frames, and the module reader. */
static const struct cfg_platform plat = {
	.ram = { { 0x40000000, 0x80000000 } },
	.ram_count = 1,
	.reserved = { { 0x40000000, 0x100000 }, { 0x40200000, 0x200000 } },
	.reserved_count = 2,
	.cpu_count = 4,
	.host = {
		.gic_version = 3,
		.gicd = { 0x8000000, 0x10000 },
		.gicr = { 0x80a0000, 0xf60000 },
		.uart = { 0x9000000, 0x1000 },
		.uart_intid = 33,
	},
	.read_module = read_module,
};

static void *dtc(const char *src, size_t *len)
{
	char in[] = "/tmp/test_cfg_pt_XXXXXX", out[] = "/tmp/test_cfg_pt_dtb_XXXXXX";
	char cmd[256];
	int fd = mkstemp(in), fo = mkstemp(out);

	assert_true(fd >= 0 && fo >= 0);
	close(fo);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(src, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o %s %s", out, in);
	assert_int_equal(system(cmd), 0);
	f = fopen(out, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc(*len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	unlink(in);
	unlink(out);
	return buf;
}

static void set_partial(unsigned int slot, const char *src)
{
	free(pt_blob[slot]);
	pt_blob[slot] = src ? dtc(src, &pt_len[slot]) : NULL;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < PT_SLOTS; i++)
		set_partial(i, NULL);
	return 0;
}

static int parse(const char *host_src)
{
	size_t len;
	void *dtb = dtc(host_src, &len);
	int n = cfg_parse(dtb, &plat, &cfg, &errs);
	free(dtb);
	return n;
}

static void expect_lines(int ret, const char *const *want, unsigned int n)
{
	bool ok = ret == (int)errs.count && errs.count == n;

	for (unsigned int i = 0; ok && i < n; i++)
		ok = strcmp(errs.line[i], want[i]) == 0;
	if (!ok) {
		for (unsigned int i = 0; i < n; i++)
			print_message(" want: %s\n", want[i]);
		for (unsigned int i = 0; i < errs.count && i < CFG_MAX_ERRORS; i++)
			print_message("  got: %s\n", errs.line[i]);
	}
	assert_int_equal(ret, (int)n);
	for (unsigned int i = 0; i < n; i++)
		assert_string_equal(errs.line[i], want[i]);
}

#define EXPECT(ret, ...) do { \
	const char *const want_[] = { __VA_ARGS__ }; \
	expect_lines((ret), want_, ARRAY_SIZE(want_)); \
} while (0)
#define EXPECT_OK(ret) expect_lines((ret), NULL, 0)

/* ------------------------------------------------------------ trees */

/* The host: virt's GIC, console, RTC, two virtio-mmio transports of one page, a GPIO. */
#define HOST(chosen) \
	"/dts-v1/;\n/ {\n#address-cells = <2>;\n#size-cells = <2>;\ninterrupt-parent = <&gic>;\n" \
	"gic: intc@8000000 {\ncompatible = \"arm,gic-v3\";\ninterrupt-controller;\n" \
	"#interrupt-cells = <3>;\nreg = <0 0x8000000 0 0x10000 0 0x80a0000 0 0xf60000>;\n" \
	"#address-cells = <2>;\n#size-cells = <2>;\nranges;\n" \
	"its@8080000 {\ncompatible = \"arm,gic-v3-its\";\nmsi-controller;\n" \
	"reg = <0 0x8080000 0 0x20000>;\nxen,passthrough;\n};\n};\n" \
	"pl011@9000000 {\ncompatible = \"arm,pl011\";\nreg = <0 0x9000000 0 0x1000>;\n" \
	"interrupts = <0 1 4>;\n};\n" \
	"pl031@9010000 {\ncompatible = \"arm,pl031\";\nreg = <0 0x9010000 0 0x1000>;\n" \
	"interrupts = <0 2 4>;\n};\n" \
	"pl061@9030000 {\ncompatible = \"arm,pl061\";\nreg = <0 0x9030000 0 0x1000>;\n" \
	"interrupts = <0 2 4>;\n};\n" \
	"virtio_mmio@a003c00 {\ncompatible = \"virtio,mmio\";\nreg = <0 0xa003c00 0 0x200>;\n" \
	"interrupts = <0 0x2e 1>;\n};\n" \
	"virtio_mmio@a003e00 {\ncompatible = \"virtio,mmio\";\nreg = <0 0xa003e00 0 0x200>;\n" \
	"interrupts = <0 0x2f 1>;\n};\n" \
	"sram@7f000000 {\nreg = <0 0x7f000000 0 0x1000>;\nxen,passthrough;\n};\n" \
	"chosen {\n#address-cells = <1>;\n#size-cells = <1>;\n" chosen "};\n};\n"
#define MARK(path) "&{" path "} {\nxen,passthrough;\n};\n"
#define MARKS_ALL MARK("/pl011@9000000") MARK("/pl031@9010000") MARK("/pl061@9030000") \
	MARK("/virtio_mmio@a003c00") MARK("/virtio_mmio@a003e00")
/* Marks are references to nodes, which dtc takes after the root node. */
#define HOST_MARKED(chosen) HOST(chosen) MARKS_ALL
#define DOMAIN(name, kaddr, extra) \
	name " {\ncompatible = \"xen,domain\";\n#address-cells = <1>;\n#size-cells = <1>;\n" \
	"memory = <0 131072>;\n" extra \
	"module@" #kaddr " {\ncompatible = \"multiboot,kernel\", \"multiboot,module\";\n" \
	"reg = <0x" #kaddr " 0x800000>;\n};\n};\n"
#define DTB_AT(addr) \
	"module@" #addr " {\ncompatible = \"multiboot,device-tree\", \"multiboot,module\";\n" \
	"reg = <0x" #addr " 0x1000>;\n};\n"
#define DOMU1 DOMAIN("domU1", 42000000, DTB_AT(44000000))
#define DOMU2 DOMAIN("domU2", 43000000, DTB_AT(44100000))

/* A partial tree (passthrough.txt): the Xen /gic placeholder, then /passthrough's body. */
#define PARTIAL(body) \
	"/dts-v1/;\n/ {\n#address-cells = <2>;\n#size-cells = <2>;\n" \
	"gic: gic {\n#interrupt-cells = <3>;\ninterrupt-controller;\n};\n" \
	"passthrough {\ncompatible = \"simple-bus\";\nranges;\n#address-cells = <2>;\n" \
	"#size-cells = <2>;\n" body "};\n};\n"
#define DEV(node, path, reg, irqs, extra) \
	node " {\nxen,path = \"" path "\";\nxen,reg = <" reg ">;\n" \
	"xen,force-assign-without-iommu;\ninterrupt-parent = <&gic>;\n" irqs extra "};\n"
#define RTC DEV("rtc@9010000", "/pl031@9010000", "0 0x9010000 0 0x1000 0 0x9010000", \
		"interrupts = <0 2 4>;\n", "compatible = \"arm,pl031\";\nreg = <0 0x9010000 0 0x1000>;\n")
#define VIRTIO DEV("virtio@a003e00", "/virtio_mmio@a003e00", "0 0xa003000 0 0x1000 0 0xa003000", \
		   "interrupts = <0 0x2f 1>;\n", "")

#define P1 "/chosen/domU1/module@44000000:/passthrough"
#define P2 "/chosen/domU2/module@44100000:/passthrough"

/* ------------------------------------------------------------ cases */

static void test_pt_two_partitions(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(RTC));
	set_partial(1, PARTIAL(VIRTIO));
	EXPECT_OK(parse(HOST_MARKED(DOMU1 DOMU2)));
	const struct cfg_partition *a = &cfg.partitions[0], *b = &cfg.partitions[1];
	assert_true(a->dtb.present);
	assert_int_equal(a->dtb.base, PT1);
	assert_ptr_equal(a->pt_fdt, pt_blob[0]);
	assert_int_equal(cfg.pt_device_count, 2);
	assert_string_equal(cfg.pt_devices[0].host_path, "/pl031@9010000");
	assert_int_equal(cfg.pt_devices[0].partition, 0);
	assert_string_equal(cfg.pt_devices[1].host_path, "/virtio_mmio@a003e00");
	assert_int_equal(cfg.pt_devices[1].partition, 1);
	assert_int_equal(b->map.pt_range[0].device, 1);
	assert_int_equal(a->map.pt_range_count, 1);
	assert_int_equal(a->map.pt_range[0].host, 0x9010000);
	assert_int_equal(a->map.pt_range[0].guest, 0x9010000);
	assert_int_equal(a->map.pt_range[0].size, 0x1000);
	assert_int_equal(a->map.pt_spis, 1ull << 2);          /* SPI 2, INTID 34 */
	assert_int_equal(a->map.pt_spi_edge, 0);              /* level */
	assert_int_equal(cfg.pt_devices[0].spis, 1ull << 2);
	assert_true(a->pt_fdt_bytes > 0 && a->pt_fdt_bytes <= GUEST_FDT_PT_MAX);
	assert_int_equal(b->map.pt_range[0].host, 0xa003000);
	assert_int_equal(b->map.pt_spis, 1ull << 0x2f);
	assert_int_equal(b->map.pt_spi_edge, 1ull << 0x2f);
	/* The module stays out of placement: domU1's RAM is not on it. */
	assert_false(ranges_overlap(a->ram_base, a->mem_bytes, PT1, 0x1000));
}

static void test_pt_console_uart(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(DEV("uart@9000000", "/pl011@9000000",
				   "0 0x9000000 0 0x1000 0 0x9000000", "", "")));
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: " P1 "/uart@9000000: xen,reg: host range 0x9000000-0x9000fff overlaps "
	       "the console UART 0x9000000-0x9000fff (Tessera's own)",
	       "config: " P1 "/uart@9000000: xen,path: /pl011@9000000: SPI 1 (INTID 33) is the "
	       "console UART's: Tessera's own");
}

static void test_pt_outside_host_node(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(DEV("rtc", "/pl031@9010000", "0 0x9011000 0 0x1000 0 0x9010000",
				   "", "")));
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: " P1 "/rtc: xen,reg: host range 0x9011000-0x9011fff is outside "
	       "/pl031@9010000's reg (0x9010000-0x9010fff)");
}

/* The second spells the node without its unit address: still the same node. */
static void test_pt_device_in_two_partitions(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(RTC));
	set_partial(1, PARTIAL(DEV("rtc@9010000", "/pl031", "0 0x9010000 0 0x1000 0 0x9010000",
				   "", "")));
	EXPECT(parse(HOST_MARKED(DOMU1 DOMU2)),
	       "config: " P2 "/rtc@9010000: xen,path: /pl031@9010000 is already assigned to "
	       "/chosen/domU1");
}

static void test_pt_spi_in_two_partitions(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(RTC));
	set_partial(1, PARTIAL(DEV("gpio", "/pl061@9030000", "0 0x9030000 0 0x1000 0 0x9030000",
				   "", "")));
	EXPECT(parse(HOST_MARKED(DOMU1 DOMU2)),
	       "config: " P2 "/gpio: xen,path: /pl061@9030000: SPI 2 (INTID 34) is already "
	       "assigned to /chosen/domU1");
}

static void test_pt_page_in_two_partitions(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(DEV("v0", "/virtio_mmio@a003c00", "0 0xa003000 0 0x1000 0 0xa003000",
				   "", "")));
	set_partial(1, PARTIAL(VIRTIO));
	EXPECT(parse(HOST_MARKED(DOMU1 DOMU2)),
	       "config: " P2 "/virtio@a003e00: xen,reg: host range 0xa003000-0xa003fff overlaps "
	       "0xa003000-0xa003fff, assigned to /chosen/domU1 (/virtio_mmio@a003c00)");
}

static void test_pt_over_guest_ram(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(DEV("rtc", "/pl031@9010000", "0 0x9010000 0 0x1000 0 0x40001000",
				   "", "")));
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: " P1 "/rtc: xen,reg: guest range 0x40001000-0x40001fff overlaps guest "
	       "RAM 0x40000000-0x47ffffff");
}

static void test_pt_guest_windows(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(DEV("rtc", "/pl031@9010000",
				   "0 0x9010000 0 0x1000 0 0x22000000 "
				   "0 0x9010000 0 0x1000 0 0x3001000 "
				   "0 0x9010000 0 0x1000 0x100 0", "", "")));
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: " P1 "/rtc: xen,reg: guest range 0x22000000-0x22000fff overlaps the "
	       "emulated UART 0x22000000-0x22000fff",
	       "config: " P1 "/rtc: xen,reg: guest range 0x3001000-0x3001fff overlaps the "
	       "emulated GIC distributor 0x3001000-0x3010fff",
	       "config: " P1 "/rtc: xen,reg: guest range 0x10000000000-0x10000000fff is beyond "
	       "the 40-bit guest physical address space");
}

static void test_pt_guest_over_shm_and_itself(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(DEV("rtc", "/pl031@9010000",
				   "0 0x9010000 0 0x1000 0 0x60000000 "
				   "0 0x9010000 0 0x1000 0 0x9010000 "
				   "0 0x9010000 0 0x1000 0 0x9010000", "", "")));
	EXPECT(parse(HOST_MARKED(DOMAIN("domU1", 42000000, DTB_AT(44000000)
			"shm {\ncompatible = \"xen,domain-shared-memory-v1\";\n"
			"xen,shm-id = <0x1>;\nxen,shared-mem = <0x60000000 0x200000 0x60000000>;\n};\n"))),
	       "config: " P1 "/rtc: xen,reg: guest range 0x60000000-0x60000fff overlaps shared "
	       "region 0x60000000-0x601fffff",
	       "config: " P1 "/rtc: xen,reg: host range 0x9010000-0x9010fff overlaps "
	       "0x9010000-0x9010fff, assigned to /chosen/domU1 (/pl031@9010000)");
}

static void test_pt_missing_xen_path(void **state)
{
	(void)state;
	set_partial(0, PARTIAL("rtc {\nxen,reg = <0 0x9010000 0 0x1000 0 0x9010000>;\n"
			       "xen,force-assign-without-iommu;\n};\n"));
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: " P1 "/rtc: xen,path: missing: the host node of the device (its "
	       "interrupts, and the MMIO xen,reg may map)");
}

static void test_pt_missing_reg_and_force(void **state)
{
	(void)state;
	set_partial(0, PARTIAL("rtc {\nxen,path = \"/pl031@9010000\";\n};\n"));
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: " P1 "/rtc: xen,force-assign-without-iommu: missing: there is no IOMMU, "
	       "so the device's DMA is not confined (the property accepts that)",
	       "config: " P1 "/rtc: xen,reg: missing: the MMIO the device maps");
}

static void test_pt_host_node_rules(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(DEV("a", "/nowhere", "0 0x9010000 0 0x1000 0 0x9010000", "", "")
			       DEV("b", "/pl031@9010000", "0 0x9010000 0 0x1000 0 0x9010000", "", "")
			       DEV("c", "/intc@8000000", "0 0x8000000 0 0x1000 0 0x8000000", "", "")
			       DEV("d", "/sram@7f000000", "0 0x7f000000 0 0x1000 0 0x7f000000", "", "")
			       DEV("e", "pl031", "0 0x9010000 0 0x1000 0 0x9010000", "", "")
			       DEV("f", "/intc/its", "0 0x8080000 0 0x1000 0 0x8080000", "", "")));
	EXPECT(parse(HOST(DOMU1) MARK("/intc@8000000")),
	       "config: " P1 "/a: xen,path: /nowhere is not a node of the host device tree",
	       "config: " P1 "/b: xen,path: /pl031@9010000 has no xen,passthrough property (the "
	       "host tree marks what may be assigned)",
	       "config: " P1 "/c: xen,path: /intc@8000000 is (part of) an interrupt controller: "
	       "Tessera's own",
	       "config: " P1 "/d: xen,reg: host range 0x7f000000-0x7f000fff is RAM: only device "
	       "memory can be passed through",
	       "config: " P1 "/e: xen,path: not a node path string",
	       "config: " P1 "/f: xen,path: /intc@8000000/its@8080000 is (part of) an interrupt "
	       "controller: Tessera's own");
}

static void test_pt_reg_format(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(DEV("a", "/pl031@9010000", "0 0x9010000 0 0x1000", "", "")
			       DEV("b", "/virtio_mmio@a003c00", "0 0xa003200 0 0x1000 0 0xa003000", "", "")
			       DEV("c", "/virtio_mmio@a003e00", "0 0xa003000 0 0 0 0xa003000", "", "")));
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: " P1 "/a: xen,reg: 16 bytes is not a list of <host-PA size guest-PA> in "
	       "2+2+2 cells",
	       "config: " P1 "/b: xen,reg: <0xa003200 0x1000 0xa003000> is not 4 KiB aligned: "
	       "stage 2 maps whole pages",
	       "config: " P1 "/c: xen,reg: size is 0");
}

static void test_pt_interrupts(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(DEV("rtc", "/pl031@9010000", "0 0x9010000 0 0x1000 0 0x9010000",
				   "interrupts = <0 2 4 0 7 4 1 2 4>;\n", "")));
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: " P1 "/rtc: interrupts: <0 7 ...> is not an SPI of /pl031@9010000 (a "
	       "guest gets the host's interrupt numbers)",
	       "config: " P1 "/rtc: interrupts: <1 2 ...> is not an SPI of /pl031@9010000 (a "
	       "guest gets the host's interrupt numbers)");
}

static void test_pt_host_spi_rules(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(DEV("a", "/ppi", "0 0x9040000 0 0x1000 0 0x9040000", "", "")
			       DEV("b", "/far", "0 0x9050000 0 0x1000 0 0x9050000", "", "")
			       DEV("c", "/falling", "0 0x9060000 0 0x1000 0 0x9060000", "", "")
			       DEV("d", "/spi0", "0 0x9070000 0 0x1000 0 0x9070000", "", "")));
	EXPECT(parse(HOST_MARKED(DOMU1)
		     "/ {\nppi {\nreg = <0 0x9040000 0 0x1000>;\ninterrupts = <1 5 4>;\nxen,passthrough;\n};\n"
		     "far {\nreg = <0 0x9050000 0 0x1000>;\ninterrupts = <0 64 4>;\nxen,passthrough;\n};\n"
		     "falling {\nreg = <0 0x9060000 0 0x1000>;\ninterrupts = <0 9 2>;\nxen,passthrough;\n};\n"
		     "spi0 {\nreg = <0 0x9070000 0 0x1000>;\ninterrupts = <0 0 4>;\nxen,passthrough;\n};\n};\n"),
	       "config: " P1 "/a: xen,path: /ppi: interrupt 5 is a PPI: only SPIs can be assigned",
	       "config: " P1 "/b: xen,path: /far: SPI 64 (INTID 96) is beyond the 64 SPIs a "
	       "partition's GIC has",
	       "config: " P1 "/c: xen,path: /falling: SPI 9 has trigger type 2: a GIC SPI is rising "
	       "edge (1) or level high (4)",
	       "config: " P1 "/d: xen,path: /spi0: SPI 0 (INTID 32) is the partition's emulated "
	       "UART's");
}

/* The doorbell GPIO's SPI and windows (a partition with a shared region) are Tessera's. */
static void test_pt_doorbell_gpio_is_tessera_s(void **state)
{
	(void)state;
	set_partial(0, PARTIAL(DEV("a", "/spi63", "0 0x9070000 0 0x1000 0 0x22010000", "", "")));
	EXPECT(parse(HOST(DOMAIN("domU1", 42000000, DTB_AT(44000000)
				 "shm {\ncompatible = \"xen,domain-shared-memory-v1\";\n"
				 "xen,shm-id = <1>;\nxen,shared-mem = <0x60000000 0x200000 "
				 "0x60000000>;\n};\n"))
		     "/ {\nspi63 {\nreg = <0 0x9070000 0 0x1000>;\ninterrupts = <0 63 4>;\n"
		     "xen,passthrough;\n};\n};\n"),
	       "config: " P1 "/a: xen,reg: guest range 0x22010000-0x22010fff overlaps the doorbell "
	       "GPIO 0x22010000-0x22010fff",
	       "config: " P1 "/a: xen,path: /spi63: SPI 63 (INTID 95) is the partition's doorbell "
	       "GPIO's");
}

static void test_pt_tree_shape(void **state)
{
	(void)state;
	set_partial(0, "/dts-v1/;\n/ {\nmodel = \"x\";\nsoc {\n};\n"
		       "passthrough {\ncompatible = \"foo\";\nranges = <0 0 0 0 0 0x1000>;\n"
		       "#address-cells = <2>;\n#size-cells = <2>;\n"
		       "x {\ninterrupt-parent = <&y>;\nphandle = <65000>;\n"
		       "y: y {\nxen,path = \"/pl031@9010000\";\n};\n};\n};\n};\n");
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: /chosen/domU1/module@44000000:/: model: not merged: a partial device tree "
	       "gives only /passthrough, /aliases and /gic",
	       "config: /chosen/domU1/module@44000000:/: soc: not merged: a partial device tree "
	       "gives only /passthrough, /aliases and /gic",
	       "config: " P1 ": compatible: must contain \"simple-bus\"",
	       "config: " P1 ": ranges: must be empty: device addresses are guest addresses",
	       "config: " P1 "/x: interrupt-parent: must be the /gic node's phandle (the partial "
	       "tree has none): the guest's GIC is the only interrupt controller",
	       "config: " P1 "/x: phandle: must be one cell below 0xfde8 (the guest tree's own "
	       "phandles start there)",
	       "config: " P1 "/x/y: xen,path: only the nodes directly under /passthrough are devices");
}

static void test_pt_no_passthrough_node(void **state)
{
	(void)state;
	set_partial(0, "/dts-v1/;\n/ {\n};\n");
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: /chosen/domU1/module@44000000:/: passthrough: missing: the devices go "
	       "under /passthrough");
}

static void test_pt_module_rules(void **state)
{
	(void)state;
	set_partial(1, "/dts-v1/;\n/ {\n};\n");
	memcpy(pt_blob[1], "junk", 4);
	EXPECT(parse(HOST_MARKED(DOMAIN("domU1", 42000000, DTB_AT(44000000) DTB_AT(44200000))
				 DOMU2 DTB_AT(45000000))),
	       "config: /chosen/domU1/module@44200000: compatible: second multiboot,device-tree "
	       "module, /chosen/domU1/module@44000000 is the first",
	       "config: /chosen/module@45000000: compatible: multiboot,device-tree: devices are "
	       "passed through to xen,domain partitions only, not to dom0",
	       "config: /chosen/domU1/module@44000000: reg: the partial device tree cannot be read",
	       "config: /chosen/domU2/module@44100000: reg: not a valid flattened device tree "
	       "(FDT_ERR_BADMAGIC)");
}

static void test_pt_aliases_and_plain_nodes(void **state)
{
	(void)state;
	set_partial(0, "/dts-v1/;\n/ {\n#address-cells = <2>;\n#size-cells = <2>;\n"
		       "aliases {\nrtc0 = \"/passthrough/rtc@9010000\";\n};\n"
		       "gic: gic {\nphandle = <0x100>;\n};\n"
		       "passthrough {\ncompatible = \"simple-bus\";\nranges;\n#address-cells = <2>;\n"
		       "#size-cells = <2>;\nclk: clk {\ncompatible = \"fixed-clock\";\n"
		       "#clock-cells = <0>;\nclock-frequency = <24000000>;\n};\n"
		       RTC "};\n};\n");
	EXPECT_OK(parse(HOST_MARKED(DOMU1)));
	assert_int_equal(cfg.pt_device_count, 1);
	/* What the parser counted bounds the merged nodes: the guest tree fits its bound. */
	size_t bound = guest_fdt_size_bound(&cfg, 0);
	void *buf = malloc(bound);
	assert_non_null(buf);
	assert_int_equal(guest_fdt_build(buf, bound, &cfg, 0, 0, 0), 0);
	assert_int_equal(fdt_path_offset(buf, "/passthrough/clk") > 0, 1);
	assert_int_equal(fdt_path_offset(buf, "/aliases") > 0, 1);
	uint32_t with = fdt_totalsize(buf);
	cfg.partitions[0].pt_fdt = NULL;
	assert_int_equal(guest_fdt_build(buf, bound, &cfg, 0, 0, 0), 0);
	assert_true(with - fdt_totalsize(buf) <= cfg.partitions[0].pt_fdt_bytes);
	free(buf);
	set_partial(0, "/dts-v1/;\n/ {\naliases {\nbad = <1>;\nsub {\n};\n};\n"
		       "passthrough {\ncompatible = \"simple-bus\";\nranges;\n};\n};\n");
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: " P1 ": #address-cells: missing or not 1 or 2 (xen,reg is read in these "
	       "cells)",
	       "config: /chosen/domU1/module@44000000:/aliases: aliases: must have no child nodes",
	       "config: /chosen/domU1/module@44000000:/aliases: bad: an alias must be a node path "
	       "string");
}

static void on_alarm(int sig)
{
	static const char msg[] = "test_cfg_pt: cfg_parse did not return: hang\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/*
 * fuzz_cfg's first finding on partial trees: a property length near 2^32
 * wraps libfdt 1.6.1's offset back onto the property's own tag, and
 * fdt_check_full() looped for ever on it (boot would hang before any
 * partition starts).  The host DT walk's checks refuse the tree first.
 * Also a module shorter than its tree's header says.
 */
static void test_pt_prop_len_wraps(void **state)
{
	static const uint32_t lens[] = { 0xfffffff4u, 0xfffffff0u, 0xffffffffu, 0x80000000u };
	char want[CFG_ERROR_LEN];

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(lens); i++) {
		set_partial(0, PARTIAL(RTC));
		int node = fdt_path_offset(pt_blob[0], "/passthrough/rtc@9010000");
		struct fdt_property *prop = (struct fdt_property *)fdt_get_property(
			pt_blob[0], node, "xen,force-assign-without-iommu", NULL);
		assert_non_null(prop);
		prop->len = cpu_to_fdt32(lens[i]);
		unsigned int at = (unsigned int)((char *)prop - (char *)pt_blob[0] -
						 fdt_off_dt_struct(pt_blob[0]));
		snprintf(want, sizeof(want), "config: /chosen/domU1/module@44000000: reg: not a valid "
			 "flattened device tree (malformed at structure-block offset 0x%x)", at);
		alarm(10);
		int ret = parse(HOST_MARKED(DOMU1));
		alarm(0);
		EXPECT(ret, want);
	}
	set_partial(0, PARTIAL(RTC));
	pt_len[0] = 0x40;       /* the module: 64 bytes, less than the tree */
	EXPECT(parse(HOST_MARKED(DOMAIN("domU1", 42000000,
					"module@44000000 {\ncompatible = \"multiboot,device-tree\", "
					"\"multiboot,module\";\nreg = <0x44000000 0x40>;\n};\n"))),
	       "config: /chosen/domU1/module@44000000: reg: not a valid flattened device tree "
	       "(FDT_ERR_TRUNCATED)");
}

/*
 * A large partial tree costs time in proportion to its size: each node's
 * path was fdt_get_path(), a walk from the root, and 4000 nodes took a
 * second on the host (16000 sixteen times that: SIGALRM).  It is too
 * large for the guest tree anyway.
 */
static void test_pt_large_tree_linear(void **state)
{
	enum { NODES = 16000, SIZE = NODES * 16 + 4096 };
	char name[16];
	void *fdt = malloc(SIZE);

	(void)state;
	assert_non_null(fdt);
	/* dtc's parser runs out of stack on so many siblings: libfdt writes it. */
	assert_int_equal(fdt_create(fdt, SIZE), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_property_u32(fdt, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(fdt, "#size-cells", 2), 0);
	assert_int_equal(fdt_begin_node(fdt, "passthrough"), 0);
	assert_int_equal(fdt_property_string(fdt, "compatible", "simple-bus"), 0);
	assert_int_equal(fdt_property(fdt, "ranges", NULL, 0), 0);
	assert_int_equal(fdt_property_u32(fdt, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(fdt, "#size-cells", 2), 0);
	for (unsigned int i = 0; i < NODES; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		assert_int_equal(fdt_begin_node(fdt, name), 0);
		assert_int_equal(fdt_end_node(fdt), 0);
	}
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	set_partial(0, NULL);
	pt_blob[0] = fdt;
	pt_len[0] = fdt_totalsize(fdt);
	alarm(5);
	int ret = parse(HOST_MARKED(DOMAIN("domU1", 42000000,
					   "module@44000000 {\ncompatible = \"multiboot,device-tree\", "
					   "\"multiboot,module\";\nreg = <0x44000000 0x100000>;\n};\n")));
	alarm(0);
	/*
	 * /passthrough 8 + 12 bytes; its properties 12 each plus value and
	 * name: compatible 12 + 11, ranges 0 + 7, the cells 4 + 15 and 4 + 12.
	 */
	char want[CFG_ERROR_LEN];
	unsigned int bytes = 20 + 4 * 12 + (12 + 11) + (0 + 7) + (4 + 15) + (4 + 12);
	for (unsigned int i = 0; i < NODES; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		bytes += 8 + (unsigned int)align_up(strlen(name) + 1, 4);
	}
	snprintf(want, sizeof(want), "config: /chosen/domU1/module@44000000: reg: its nodes take %u "
		 "bytes in the guest device tree, which has room for %u", bytes, GUEST_FDT_PT_MAX);
	EXPECT(ret, want);
}

/*
 * fuzz_guest_fdt's finding: two nodes of a partial tree with one phandle
 * were merged as they were, and the guest got a tree in which a reference
 * names either.  dtc refuses such a tree: the values are patched in.
 */
static void test_pt_phandle_twice(void **state)
{
	(void)state;
#define CLK(n, ph) n " {\ncompatible = \"fixed-clock\";\n#clock-cells = <0>;\n" \
	"clock-frequency = <24000000>;\nphandle = <" #ph ">;\n};\n"
	set_partial(0, PARTIAL(CLK("clk1", 0x20) CLK("clk2", 0x21) RTC));
	int clk2 = fdt_path_offset(pt_blob[0], "/passthrough/clk2");
	assert_int_equal(fdt_setprop_inplace_u32(pt_blob[0], clk2, "phandle", 0x20), 0);
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: " P1 "/clk2: phandle: 0x20 is also /passthrough/clk1's: a phandle names "
	       "one node");
	/* The /gic placeholder's phandle is taken too. */
	uint32_t gic = fdt_get_phandle(pt_blob[0], fdt_path_offset(pt_blob[0], "/gic"));
	assert_int_not_equal(gic, 0);
	assert_int_equal(fdt_setprop_inplace_u32(pt_blob[0], clk2, "phandle", gic), 0);
	char want[CFG_ERROR_LEN];
	snprintf(want, sizeof(want), "config: " P1 "/clk2: phandle: 0x%x is also /gic's: a phandle "
		 "names one node", gic);
	EXPECT(parse(HOST_MARKED(DOMU1)), want);
	/* phandle and linux,phandle of one node may agree. */
	set_partial(0, PARTIAL("clk1 {\nphandle = <0x20>;\nlinux,phandle = <0x20>;\n};\n" RTC));
	EXPECT_OK(parse(HOST_MARKED(DOMU1)));
	/* At most 32 in one tree: /gic's and 31 more. */
	static char body[8192];
	size_t n = 0;
	for (unsigned int i = 0; i < 32; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "c%u {\nphandle = <%u>;\n};\n", i,
				      0x100 + i);
	char src[sizeof(body) + 1024];
	snprintf(src, sizeof(src), PARTIAL("%s" RTC), body);
	set_partial(0, src);
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: " P1 "/c31: phandle: more than 32 phandles in one partial device tree");
#undef CLK
}

/*
 * fuzz_guest_fdt's finding: a partial tree with two /passthrough nodes.
 * The checks read the last, the merge took the first, unchecked (xen,*
 * properties, phandles, interrupt-parent, its size in the guest tree); a
 * second /aliases was silently dropped.  dtc refuses two nodes of one
 * name: the names are patched in.
 */
static void test_pt_root_child_twice(void **state)
{
	(void)state;
	static const char *const names[] = { "passthrough", "aliases", "gic" };
	static const char *const stand_in[] = { "passthroug2", "aliase2", "gi2" };
	char src[4096], want[CFG_ERROR_LEN];

	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		/* The second one would break rules if it were read: a device without xen,reg. */
		snprintf(src, sizeof(src), "/dts-v1/;\n/ {\n#address-cells = <2>;\n#size-cells = <2>;\n"
			 "gic: gic {\n#interrupt-cells = <3>;\ninterrupt-controller;\n};\n"
			 "passthrough {\ncompatible = \"simple-bus\";\nranges;\n#address-cells = <2>;\n"
			 "#size-cells = <2>;\n" RTC "};\naliases {\n};\n"
			 "%s {\ncompatible = \"simple-bus\";\nranges;\n#address-cells = <2>;\n"
			 "#size-cells = <2>;\nx {\nxen,path = \"/pl061@9030000\";\n};\n};\n};\n",
			 stand_in[i]);
		set_partial(0, src);
		int node = fdt_subnode_offset(pt_blob[0], 0, stand_in[i]);
		assert_true(node > 0);
		assert_int_equal(fdt_set_name(pt_blob[0], node, names[i]), 0);
		snprintf(want, sizeof(want), "config: /chosen/domU1/module@44000000:/: %s: a second "
			 "one: a partial device tree has one", names[i]);
		EXPECT(parse(HOST_MARKED(DOMU1)), want);
	}
}

/*
 * fuzz_guest_fdt's finding: two children of one node in a partial tree
 * with one name were merged as they were; a path in the guest tree named
 * either.  Names patched in, as dtc refuses them.
 */
static void test_pt_sibling_names(void **state)
{
	(void)state;
	set_partial(0, PARTIAL("clk1 {\n};\nclk2 {\nx {\n};\nx2 {\n};\n};\n" RTC));
	int clk2 = fdt_path_offset(pt_blob[0], "/passthrough/clk2");
	int x2 = fdt_path_offset(pt_blob[0], "/passthrough/clk2/x2");
	assert_int_equal(fdt_set_name(pt_blob[0], x2, "x"), 0);
	assert_int_equal(fdt_set_name(pt_blob[0], clk2, "clk1"), 0);
	EXPECT(parse(HOST_MARKED(DOMU1)),
	       "config: " P1 "/clk1: clk1: a second node of this name: a path names one node",
	       "config: " P1 "/clk1/x: x: a second node of this name: a path names one node");
}

/*
 * Robustness: a valid partial tree with bytes flipped (fixed-seed PRNG)
 * through cfg_parse() under ASan/UBSan.  Whatever it accepts must build
 * into a guest tree within the bound the parser counted.
 */
static void test_pt_mutated_partials(void **state)
{
	(void)state;
	static const char src[] = PARTIAL(RTC VIRTIO);
	unsigned long long rng = 0x5445535345524131ull;
	unsigned int accepted = 0;
	size_t len;
	void *good = dtc(src, &len);
	size_t hlen;
	void *host = dtc(HOST_MARKED(DOMU1), &hlen);

	for (unsigned int round = 0; round < 400; round++) {
		set_partial(0, NULL);
		pt_blob[0] = malloc(len);
		assert_non_null(pt_blob[0]);
		memcpy(pt_blob[0], good, len);
		pt_len[0] = len;
		for (unsigned int f = 0; f < 1 + round % 4; f++) {
			rng ^= rng >> 12;
			rng ^= rng << 25;
			rng ^= rng >> 27;
			unsigned long long r = rng * 0x2545F4914F6CDD1Dull;
			((unsigned char *)pt_blob[0])[r % len] ^= (unsigned char)(1u << (r >> 61));
		}
		if (cfg_parse(host, &plat, &cfg, &errs) != 0)
			continue;
		accepted++;
		size_t bound = guest_fdt_size_bound(&cfg, 0);
		void *buf = malloc(bound);
		assert_non_null(buf);
		assert_int_equal(guest_fdt_build(buf, bound, &cfg, 0, 0, 0), 0);
		free(buf);
	}
	print_message("  %u of 400 mutated partial trees accepted\n", accepted);
	free(host);
	free(good);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_pt_two_partitions, teardown),
		cmocka_unit_test_teardown(test_pt_console_uart, teardown),
		cmocka_unit_test_teardown(test_pt_outside_host_node, teardown),
		cmocka_unit_test_teardown(test_pt_device_in_two_partitions, teardown),
		cmocka_unit_test_teardown(test_pt_spi_in_two_partitions, teardown),
		cmocka_unit_test_teardown(test_pt_page_in_two_partitions, teardown),
		cmocka_unit_test_teardown(test_pt_over_guest_ram, teardown),
		cmocka_unit_test_teardown(test_pt_guest_windows, teardown),
		cmocka_unit_test_teardown(test_pt_guest_over_shm_and_itself, teardown),
		cmocka_unit_test_teardown(test_pt_missing_xen_path, teardown),
		cmocka_unit_test_teardown(test_pt_missing_reg_and_force, teardown),
		cmocka_unit_test_teardown(test_pt_host_node_rules, teardown),
		cmocka_unit_test_teardown(test_pt_reg_format, teardown),
		cmocka_unit_test_teardown(test_pt_interrupts, teardown),
		cmocka_unit_test_teardown(test_pt_host_spi_rules, teardown),
		cmocka_unit_test_teardown(test_pt_doorbell_gpio_is_tessera_s, teardown),
		cmocka_unit_test_teardown(test_pt_tree_shape, teardown),
		cmocka_unit_test_teardown(test_pt_no_passthrough_node, teardown),
		cmocka_unit_test_teardown(test_pt_module_rules, teardown),
		cmocka_unit_test_teardown(test_pt_aliases_and_plain_nodes, teardown),
		cmocka_unit_test_teardown(test_pt_prop_len_wraps, teardown),
		cmocka_unit_test_teardown(test_pt_phandle_twice, teardown),
		cmocka_unit_test_teardown(test_pt_large_tree_linear, teardown),
		cmocka_unit_test_teardown(test_pt_root_child_twice, teardown),
		cmocka_unit_test_teardown(test_pt_sibling_names, teardown),
		cmocka_unit_test_teardown(test_pt_mutated_partials, teardown),
	};
	signal(SIGALRM, on_alarm);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
