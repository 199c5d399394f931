/*
 * Guest device tree generation (DESIGN.md §5).  Owns the layout of the tree
 * each partition boots with: a subset of QEMU virt's own tree (node names
 * and properties as `qemu-system-aarch64 -M virt,gic-version=3,dumpdtb=`
 * (or gic-version=2 on a GICv2 host) gives them, so guests built for virt
 * boot unchanged) plus one
 * xen-shmem@<guest-PA> node per shared region, following Linux's
 * bindings/reserved-memory/xen,shared-memory.txt, plus the nodes of the
 * partition's partial device tree (device passthrough, Xen's format).
 *
 * The tree is written in one pass into the caller's buffer (gfw_*
 * below); no allocation.  Errors are sticky in struct gfw so that each
 * node writer is a flat list of properties.
 */
#include <libfdt.h>
#include <string.h>

#include "config.h"
#include "guest_fdt.h"
#include "public/guest_platform.h"
#include "tserr.h"
#include "types.h"

/* Root cell sizes, as on virt: 64-bit addresses and sizes everywhere. */
#define ROOT_ADDR_CELLS   2u
#define ROOT_SIZE_CELLS   2u
/* /cpus: reg is the MPIDR affinity (Aff0 only here), no size. */
#define CPUS_ADDR_CELLS   1u
#define CPUS_SIZE_CELLS   0u

/* Phandles: fixed, since we write every node that refers to them (Xen's values). */
#define PHANDLE_GIC       GUEST_PHANDLE_GIC
#define PHANDLE_APB_PCLK  GUEST_PHANDLE_APB_PCLK

/* bindings/interrupt-controller/arm,gic-v3.yaml and arm,gic.yaml: the 3-cell specifier. */
#define GIC_INTR_CELLS          3u
/* arm,gic.yaml: a GICv2 PPI's flags carry the CPUs it is wired to in bits 15:8. */
#define GIC_V2_PPI_CPUS_SHIFT   8u
#define GIC_SPI                 0u
#define GIC_PPI                 1u
#define IRQ_TYPE_EDGE_RISING 1u
#define IRQ_TYPE_LEVEL_HIGH     4u
/* The specifier numbers PPIs from INTID 16 and SPIs from INTID 32 (IHI 0069 §2.2). */
#define GIC_PPI_INTID_BASE      16u
#define GIC_SPI_INTID_BASE      32u
#define PPI(intid)              ((intid) - GIC_PPI_INTID_BASE)
#define GIC_REDIST_REGIONS      1u
/* bindings/clock/fixed-clock.yaml: a single output, no specifier cells. */
#define FIXED_CLOCK_CELLS       0u

/* PSCI 0.2+ function IDs QEMU also lists for psci-0.1 guests (DEN0022). */
#define PSCI_0_2_FN_CPU_OFF     0x84000002u
#define PSCI_0_2_FN64_CPU_ON    0xC4000003u

/* A 64-bit value in the ASCII hex of a unit address: at most 16 digits. */
#define HEX_DIGITS_U64          16u
#define HEX_DIGIT_BITS          4u
#define HEX_DIGIT_MASK          0xFu
#define SHM_NODE_PREFIX         "xen-shmem@"
#define SHM_NODE_NAME_MAX       (sizeof(SHM_NODE_PREFIX) + HEX_DIGITS_U64)
#define CPU_NODE_PREFIX         "cpu@"
#define CPU_NODE_NAME_MAX       (sizeof(CPU_NODE_PREFIX) + HEX_DIGITS_U64)
#define MEMORY_NODE_PREFIX      "memory@"
#define GIC_NODE_PREFIX         "interrupt-controller@"
#define UART_NODE_PREFIX        "pl011@"
#define GPIO_NODE_PREFIX        "pl061@"
#define CTL_NODE_PREFIX         "control@"
/* bindings/gpio/gpio.txt: <line flags>; interrupts <line type> (pl061-gpio.yaml). */
#define GPIO_CELLS              2u
/* The doorbell GPIO's lines (include/vpl061.h): a ring and a bell line per region. */
#define GPIO_LINE_PAIRS         4u
#define GPIO_LINE_NAME_MAX      (sizeof("ring-") + CFG_SHM_ID_MAX)
#define NODE_NAME_MAX           (sizeof(GIC_NODE_PREFIX) + HEX_DIGITS_U64)
#define UART_PATH_MAX           (1 + NODE_NAME_MAX)   /* "/" + node name */

/* A string-list literal with its embedded NULs: "a\0b" -> both strings. */
#define STRLIST(lit)            lit, (int)sizeof(lit)

/*
 * The flattened tree is written in one pass (DT spec 5): header, an empty
 * memory reservation map, then the structure block upwards from there.
 * libfdt's sequential-write functions re-validate the whole tree on every
 * call: about 28K instructions per partition, this writer a few thousand
 * (DESIGN §11).
 *
 * The strings block starts with every property name this file writes
 * (gfw_names, below), so a property's name offset is final when it is
 * written.  Names copied from a partial device tree (passthrough) grow
 * down from the end of the buffer, once each (a small cache keyed by the
 * name's pointer finds one written before); at the end they move behind
 * the fixed names, and only their properties' offsets are rebased.
 */
#define GFW_RSVMAP_OFF   ((uint32_t)sizeof(struct fdt_header))
#define GFW_STRUCT_OFF   (GFW_RSVMAP_OFF + (uint32_t)sizeof(struct fdt_reserve_entry))
#define GFW_VERSION      17u     /* FDT_LAST_SUPPORTED_VERSION: size_dt_struct is set */
#define GFW_LAST_COMP    16u     /* readable by version 16 readers (DT spec 5.2) */
#define GFW_NAME_CACHE   64u     /* partial-tree names remembered, by pointer (a power of two) */
#define GFW_NAME_SHIFT   3u      /* strings are rarely closer than 8 bytes apart */
#define GFW_NAME_MOVED   0x80000000u   /* nameoff: from the buffer's end, until gfw_finish */

#define GFW_NAMES(X) \
	X(compatible, "compatible") \
	X(reg, "reg") \
	X(size_cells, "#size-cells") \
	X(address_cells, "#address-cells") \
	X(interrupts, "interrupts") \
	X(ranges, "ranges") \
	X(phandle, "phandle") \
	X(device_type, "device_type") \
	X(xen_offset, "xen,offset") \
	X(xen_id, "xen,id") \
	X(stdout_path, "stdout-path") \
	X(no_map, "no-map") \
	X(model, "model") \
	X(method, "method") \
	X(initrd_start, "linux,initrd-start") \
	X(initrd_end, "linux,initrd-end") \
	X(interrupt_parent, "interrupt-parent") \
	X(interrupt_controller, "interrupt-controller") \
	X(enable_method, "enable-method") \
	X(cpu_on, "cpu_on") \
	X(cpu_off, "cpu_off") \
	X(clocks, "clocks") \
	X(clock_output_names, "clock-output-names") \
	X(clock_names, "clock-names") \
	X(clock_frequency, "clock-frequency") \
	X(bootargs, "bootargs") \
	X(always_on, "always-on") \
	X(redistributor_regions, "#redistributor-regions") \
	X(interrupt_cells, "#interrupt-cells") \
	X(clock_cells, "#clock-cells") \
	X(gpio_controller, "gpio-controller") \
	X(gpio_cells, "#gpio-cells") \
	X(gpio_line_names, "gpio-line-names")

/* One char array per name, in order: the image of the strings block's start. */
static const struct gfw_names {
#define GFW_NAME_FIELD(field, str) char field[sizeof(str)];
	GFW_NAMES(GFW_NAME_FIELD)
#undef GFW_NAME_FIELD
} gfw_names = {
#define GFW_NAME_INIT(field, str) str,
	GFW_NAMES(GFW_NAME_INIT)
#undef GFW_NAME_INIT
};
#define GFW_NAME_SIZE(field, str) + sizeof(str)
_Static_assert(sizeof(struct gfw_names) == 0 GFW_NAMES(GFW_NAME_SIZE), "gfw_names has no padding");
#undef GFW_NAME_SIZE
#define GFW_NAMES_BYTES ((uint32_t)sizeof(struct gfw_names))

/* A property name of gfw_names. */
#define N(field) (gfw_names.field)

/* Sequential writer with a sticky error (a libfdt code: -FDT_ERR_NOSPACE when full). */
struct gfw {
	uint8_t *buf;
	uint32_t size;
	uint32_t st;            /* end of the structure block so far */
	uint32_t str;           /* start of the copied names: [str, size - GFW_NAMES_BYTES) */
	int err;                /* first error, 0 while all is well */
	bool moved;             /* some name was copied: gfw_finish rebases its properties */
	const char *name_ptr[GFW_NAME_CACHE];   /* a name copied before ... */
	uint32_t name_from_end[GFW_NAME_CACHE]; /* ... and where: size - its offset */
};

/* The buffer is 4-byte aligned (guest_fdt_check), and so is every token in it. */
static void put32(uint8_t *p, uint32_t v)
{
	*(fdt32_t *)(void *)p = cpu_to_fdt32(v);
}

static uint32_t get32(const uint8_t *p)
{
	return fdt32_to_cpu(*(const fdt32_t *)(const void *)p);
}

/* @n more bytes of structure block (a multiple of 4, zeroed at the end), or NULL when full. */
static uint8_t *gfw_grab(struct gfw *w, uint32_t n)
{
	if (w->err != 0)
		return NULL;
	if (n > w->str - w->st) {
		w->err = -FDT_ERR_NOSPACE;
		return NULL;
	}
	uint8_t *p = w->buf + w->st;
	put32(p + n - FDT_TAGSIZE, 0);          /* the padding after a name or value */
	w->st += n;
	return p;
}

static void gfw_begin(struct gfw *w, const char *name)
{
	uint32_t len = (uint32_t)strlen(name) + 1;
	uint8_t *p = gfw_grab(w, FDT_TAGSIZE + (uint32_t)align_up(len, FDT_TAGSIZE));
	if (!p)
		return;
	put32(p, FDT_BEGIN_NODE);
	memcpy(p + FDT_TAGSIZE, name, len);
}

static void gfw_end(struct gfw *w)
{
	uint8_t *p = gfw_grab(w, FDT_TAGSIZE);
	if (p)
		put32(p, FDT_END_NODE);
}

/*
 * @name's offset in the strings block: final for a gfw_names name, else
 * its distance from the buffer's end with GFW_NAME_MOVED (copied once).
 * 0 and an error when the buffer is full.
 */
static uint32_t gfw_name(struct gfw *w, const char *name)
{
	uintptr_t fixed = (uintptr_t)&gfw_names;
	if ((uintptr_t)name - fixed < GFW_NAMES_BYTES)
		return (uint32_t)((uintptr_t)name - fixed);
	unsigned int slot = (unsigned int)((uintptr_t)name >> GFW_NAME_SHIFT) & (GFW_NAME_CACHE - 1);
	if (w->name_ptr[slot] == name)
		return w->name_from_end[slot];
	uint32_t nlen = (uint32_t)strlen(name) + 1;
	if (nlen > w->str - w->st) {
		w->err = -FDT_ERR_NOSPACE;
		return 0;
	}
	w->str -= nlen;
	memcpy(w->buf + w->str, name, nlen);
	w->moved = true;
	w->name_ptr[slot] = name;
	w->name_from_end[slot] = GFW_NAME_MOVED | (w->size - w->str);
	return w->name_from_end[slot];
}

static void gfw_prop(struct gfw *w, const char *name, const void *val, int len)
{
	uint32_t vlen = (uint32_t)len;
	uint8_t *p = gfw_grab(w, 3 * FDT_TAGSIZE + (uint32_t)align_up(vlen, FDT_TAGSIZE));
	if (!p)
		return;
	uint32_t nameoff = gfw_name(w, name);
	if (w->err)
		return;
	put32(p, FDT_PROP);
	put32(p + FDT_TAGSIZE, vlen);
	put32(p + 2 * FDT_TAGSIZE, nameoff);
	if (vlen)
		memcpy(p + 3 * FDT_TAGSIZE, val, vlen);
}

static void gfw_start(struct gfw *w, void *buf, size_t size)
{
	w->buf = buf;
	w->size = (uint32_t)size;
	w->st = GFW_STRUCT_OFF;
	w->err = size < GFW_STRUCT_OFF + GFW_NAMES_BYTES ? -FDT_ERR_NOSPACE : 0;
	w->str = w->err ? w->st : w->size - GFW_NAMES_BYTES;   /* room kept for gfw_names */
	w->moved = false;
	for (unsigned int i = 0; i < GFW_NAME_CACHE; i++)
		w->name_ptr[i] = NULL;
	if (w->err == 0)
		memset(w->buf + GFW_RSVMAP_OFF, 0, sizeof(struct fdt_reserve_entry));
}

/* The copied names' properties: from the end of the buffer to behind gfw_names. */
static void gfw_rebase_moved(struct gfw *w)
{
	for (uint32_t off = GFW_STRUCT_OFF; off < w->st;) {
		uint32_t tag = get32(w->buf + off);
		off += FDT_TAGSIZE;
		if (tag == FDT_BEGIN_NODE) {
			off += (uint32_t)align_up(strlen((const char *)w->buf + off) + 1, FDT_TAGSIZE);
		} else if (tag == FDT_PROP) {
			uint32_t len = get32(w->buf + off);
			uint32_t nameoff = get32(w->buf + off + FDT_TAGSIZE);
			if (nameoff & GFW_NAME_MOVED)
				put32(w->buf + off + FDT_TAGSIZE, GFW_NAMES_BYTES +
				      (w->size - (nameoff & ~GFW_NAME_MOVED) - w->str));
			off += 2 * FDT_TAGSIZE + (uint32_t)align_up(len, FDT_TAGSIZE);
		}
	}
}

/* FDT_END, the strings block behind the structure block (gfw_names, copied names), the header. */
static void gfw_finish(struct gfw *w)
{
	uint8_t *p = gfw_grab(w, FDT_TAGSIZE);
	if (!p)
		return;
	put32(p, FDT_END);
	uint32_t copied = w->size - GFW_NAMES_BYTES - w->str;
	memmove(w->buf + w->st + GFW_NAMES_BYTES, w->buf + w->str, copied);
	memcpy(w->buf + w->st, &gfw_names, GFW_NAMES_BYTES);
	if (w->moved)
		gfw_rebase_moved(w);
	uint32_t strings = GFW_NAMES_BYTES + copied;
	struct fdt_header h = {
		.magic = cpu_to_fdt32(FDT_MAGIC),
		.totalsize = cpu_to_fdt32(w->st + strings),
		.off_dt_struct = cpu_to_fdt32(GFW_STRUCT_OFF),
		.off_dt_strings = cpu_to_fdt32(w->st),
		.off_mem_rsvmap = cpu_to_fdt32(GFW_RSVMAP_OFF),
		.version = cpu_to_fdt32(GFW_VERSION),
		.last_comp_version = cpu_to_fdt32(GFW_LAST_COMP),
		.boot_cpuid_phys = 0,
		.size_dt_strings = cpu_to_fdt32(strings),
		.size_dt_struct = cpu_to_fdt32(w->st - GFW_STRUCT_OFF),
	};
	memcpy(w->buf, &h, sizeof(h));
}

static void gfw_str(struct gfw *w, const char *name, const char *s)
{
	gfw_prop(w, name, s, (int)strlen(s) + 1);
}

static void gfw_u32(struct gfw *w, const char *name, uint32_t v)
{
	fdt32_t be = cpu_to_fdt32(v);

	gfw_prop(w, name, &be, (int)sizeof(be));
}

static void gfw_u64(struct gfw *w, const char *name, uint64_t v)
{
	fdt64_t be = cpu_to_fdt64(v);

	gfw_prop(w, name, &be, (int)sizeof(be));
}

static void gfw_empty(struct gfw *w, const char *name)
{
	gfw_prop(w, name, NULL, 0);
}

/* One <address size> pair in the root's 2+2 cells. */
static void gfw_reg(struct gfw *w, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	gfw_prop(w, N(reg), reg, (int)sizeof(reg));
}

/* Lower-case hex without leading zeros or "0x", as unit addresses are written. */
static void hex_format(char *out, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[HEX_DIGITS_U64];
	unsigned int n = 0;

	do {
		tmp[n++] = digits[v & HEX_DIGIT_MASK];
		v >>= HEX_DIGIT_BITS;
	} while (v != 0);
	while (n != 0)
		*out++ = tmp[--n];
	*out = '\0';
}

/* "<prefix><hex>" into @out, which holds strlen(prefix) + 17 bytes. */
static void node_name_format(char *out, const char *prefix, uint64_t unit)
{
	size_t len = strlen(prefix);

	memcpy(out, prefix, len);
	hex_format(out + len, unit);
}

static void gfw_root_props(struct gfw *w)
{
	gfw_u32(w, N(interrupt_parent), PHANDLE_GIC);
	gfw_str(w, N(model), "linux,dummy-virt");
	gfw_u32(w, N(size_cells), ROOT_SIZE_CELLS);
	gfw_u32(w, N(address_cells), ROOT_ADDR_CELLS);
	gfw_str(w, N(compatible), "linux,dummy-virt");
}

static void gfw_chosen(struct gfw *w, const struct cfg_partition *p,
		       uint64_t initrd_ipa, uint64_t initrd_size)
{
	char uart[UART_PATH_MAX] = "/";

	node_name_format(uart + 1, UART_NODE_PREFIX, p->map.uart.base);
	gfw_begin(w, "chosen");
	if (p->bootargs[0] != '\0')
		gfw_str(w, N(bootargs), p->bootargs);
	/* A node path, not an alias: the tree has no /aliases (DESIGN.md §1). */
	gfw_str(w, N(stdout_path), uart);
	if (initrd_size != 0) {
		/* Linux reads both as u32 or u64; u64 covers any IPA. */
		gfw_u64(w, N(initrd_start), initrd_ipa);
		gfw_u64(w, N(initrd_end), initrd_ipa + initrd_size);
	}
	gfw_end(w);
}

/* RAM only, one reg entry per bank: shared regions live in /reserved-memory, never here (§5). */
static void gfw_memory(struct gfw *w, const struct cfg_guest_map *m)
{
	char name[NODE_NAME_MAX];
	fdt64_t reg[2 * CFG_GUEST_RAM_BANKS];

	for (unsigned int b = 0; b < m->ram_count; b++) {
		reg[2 * b] = cpu_to_fdt64(m->ram[b].base);
		reg[2 * b + 1] = cpu_to_fdt64(m->ram[b].size);
	}
	node_name_format(name, MEMORY_NODE_PREFIX, m->ram[0].base);
	gfw_begin(w, name);
	gfw_prop(w, N(reg), reg, (int)(2 * m->ram_count * sizeof(reg[0])));
	gfw_str(w, N(device_type), "memory");
	gfw_end(w);
}

/* vCPU n has MPIDR Aff0 = n, which is what reg holds. */
static void gfw_cpus(struct gfw *w, unsigned int vcpu_count)
{
	char name[CPU_NODE_NAME_MAX];

	gfw_begin(w, "cpus");
	gfw_u32(w, N(size_cells), CPUS_SIZE_CELLS);
	gfw_u32(w, N(address_cells), CPUS_ADDR_CELLS);
	for (unsigned int n = 0; n < vcpu_count; n++) {
		node_name_format(name, CPU_NODE_PREFIX, n);
		gfw_begin(w, name);
		gfw_u32(w, N(reg), n);
		gfw_str(w, N(enable_method), "psci");
		gfw_str(w, N(compatible), "arm,cortex-a57");
		gfw_str(w, N(device_type), "cpu");
		gfw_end(w);
	}
	gfw_end(w);
}

/*
 * PSCI through HVC: Tessera traps SMC (HCR_EL2.TSC).  The 0.1 per-function
 * ids are listed only for the calls Tessera implements.
 */
static void gfw_psci(struct gfw *w)
{
	gfw_begin(w, "psci");
	gfw_u32(w, N(cpu_on), PSCI_0_2_FN64_CPU_ON);
	gfw_u32(w, N(cpu_off), PSCI_0_2_FN_CPU_OFF);
	gfw_str(w, N(method), "hvc");
	gfw_prop(w, N(compatible), STRLIST("arm,psci-1.0\0arm,psci-0.2\0arm,psci"));
	gfw_end(w);
}

/*
 * Secure, non-secure physical, virtual, hypervisor: virt's order.  On a
 * GICv2 each PPI also names the CPUs it reaches, every vCPU, as virt's
 * GICv2 tree does.
 */
static void gfw_timer(struct gfw *w, const struct cfg_guest_map *m, unsigned int vcpu_count)
{
	uint32_t flags = IRQ_TYPE_LEVEL_HIGH;
	if (m->gic_version == 2)
		flags |= ((1u << vcpu_count) - 1) << GIC_V2_PPI_CPUS_SHIFT;
	const fdt32_t irqs[] = {
		cpu_to_fdt32(GIC_PPI), cpu_to_fdt32(PPI(GUEST_PTIMER_S_INTID)), cpu_to_fdt32(flags),
		cpu_to_fdt32(GIC_PPI), cpu_to_fdt32(PPI(GUEST_PTIMER_NS_INTID)), cpu_to_fdt32(flags),
		cpu_to_fdt32(GIC_PPI), cpu_to_fdt32(PPI(GUEST_VTIMER_INTID)), cpu_to_fdt32(flags),
		cpu_to_fdt32(GIC_PPI), cpu_to_fdt32(PPI(GUEST_HTIMER_INTID)), cpu_to_fdt32(flags),
	};

	gfw_begin(w, "timer");
	gfw_prop(w, N(interrupts), irqs, (int)sizeof(irqs));
	gfw_empty(w, N(always_on));
	gfw_prop(w, N(compatible), STRLIST("arm,armv8-timer\0arm,armv7-timer"));
	gfw_end(w);
}

/*
 * The host's GIC version, without the maintenance interrupt and the
 * virtualization frames (the guest has no EL2): a GICv3 without ITS, one
 * redistributor region of 128 KiB per vCPU; or a GICv2, distributor and
 * CPU interface, as Xen describes it to its guests ("arm,gic-400").
 */
static void gfw_gic(struct gfw *w, const struct cfg_guest_map *m)
{
	const struct cfg_range *second = m->gic_version == 2 ? &m->gicc : &m->gicr;
	const fdt64_t reg[] = {
		cpu_to_fdt64(m->gicd.base), cpu_to_fdt64(m->gicd.size),
		cpu_to_fdt64(second->base), cpu_to_fdt64(second->size),
	};
	char name[NODE_NAME_MAX];

	node_name_format(name, GIC_NODE_PREFIX, m->gicd.base);
	gfw_begin(w, name);
	gfw_u32(w, N(phandle), PHANDLE_GIC);
	gfw_prop(w, N(reg), reg, (int)sizeof(reg));
	if (m->gic_version == 2) {
		gfw_str(w, N(compatible), "arm,gic-400");
	} else {
		gfw_u32(w, N(redistributor_regions), GIC_REDIST_REGIONS);
		gfw_str(w, N(compatible), "arm,gic-v3");
	}
	gfw_empty(w, N(ranges));
	gfw_u32(w, N(size_cells), ROOT_SIZE_CELLS);
	gfw_u32(w, N(address_cells), ROOT_ADDR_CELLS);
	gfw_empty(w, N(interrupt_controller));
	gfw_u32(w, N(interrupt_cells), GIC_INTR_CELLS);
	gfw_end(w);
}

/* The PL011's clock, which Linux's amba bus insists on. */
static void gfw_apb_pclk(struct gfw *w)
{
	gfw_begin(w, "apb-pclk");
	gfw_u32(w, N(phandle), PHANDLE_APB_PCLK);
	gfw_str(w, N(clock_output_names), "clk24mhz");
	gfw_u32(w, N(clock_frequency), GUEST_UART_CLK_HZ);
	gfw_u32(w, N(clock_cells), FIXED_CLOCK_CELLS);
	gfw_str(w, N(compatible), "fixed-clock");
	gfw_end(w);
}

static void gfw_uart(struct gfw *w, const struct cfg_guest_map *m)
{
	const fdt32_t irq[] = {
		cpu_to_fdt32(GIC_SPI), cpu_to_fdt32(m->uart_intid - GIC_SPI_INTID_BASE),
		cpu_to_fdt32(IRQ_TYPE_LEVEL_HIGH),
	};
	const fdt32_t clocks[] = { cpu_to_fdt32(PHANDLE_APB_PCLK), cpu_to_fdt32(PHANDLE_APB_PCLK) };
	char name[NODE_NAME_MAX];

	node_name_format(name, UART_NODE_PREFIX, m->uart.base);
	gfw_begin(w, name);
	gfw_prop(w, N(clock_names), STRLIST("uartclk\0apb_pclk"));
	gfw_prop(w, N(clocks), clocks, (int)sizeof(clocks));
	gfw_prop(w, N(interrupts), irq, (int)sizeof(irq));
	gfw_reg(w, m->uart.base, m->uart.size);
	gfw_prop(w, N(compatible), STRLIST("arm,pl011\0arm,primecell"));
	gfw_end(w);
}

/* "<prefix><id>" and its NUL at @out; returns the bytes written. */
static size_t line_name_format(char *out, const char *prefix, const char *id)
{
	size_t plen = strlen(prefix), idlen = strlen(id) + 1;

	memcpy(out, prefix, plen);
	memcpy(out + plen, id, idlen);
	return plen + idlen;
}

/*
 * The doorbell GPIO (vdev/vpl061.c), only for a partition with shared
 * regions: an arm,pl061 node as QEMU virt writes one (no
 * interrupt-controller: gpiolib gives the GPIO character device its edge
 * interrupts whether or not other nodes may name the lines as interrupts,
 * and each property costs the boot), plus gpio-line-names: "ring-<id>" and
 * "bell-<id>" for each of the first GPIO_LINE_PAIRS regions in
 * /reserved-memory order, so programs find a region's lines by name.
 */
static void gfw_gpio(struct gfw *w, const struct config *cfg, unsigned int part_index)
{
	const struct cfg_guest_map *m = &cfg->partitions[part_index].map;
	const fdt32_t irq[] = {
		cpu_to_fdt32(GIC_SPI), cpu_to_fdt32(m->gpio_intid - GIC_SPI_INTID_BASE),
		cpu_to_fdt32(IRQ_TYPE_LEVEL_HIGH),
	};
	char name[NODE_NAME_MAX];
	char names[2 * GPIO_LINE_PAIRS * GPIO_LINE_NAME_MAX];
	size_t len = 0;

	if (m->gpio.size == 0)
		return;
	for (unsigned int i = 0, k = 0; i < cfg->ref_count && k < GPIO_LINE_PAIRS; i++) {
		if (cfg->refs[i].partition != part_index)
			continue;
		const char *id = cfg->regions[cfg->refs[i].region].id;
		len += line_name_format(names + len, "ring-", id);
		len += line_name_format(names + len, "bell-", id);
		k++;
	}
	node_name_format(name, GPIO_NODE_PREFIX, m->gpio.base);
	gfw_begin(w, name);
	gfw_str(w, N(clock_names), "apb_pclk");
	gfw_u32(w, N(clocks), PHANDLE_APB_PCLK);
	gfw_prop(w, N(interrupts), irq, (int)sizeof(irq));
	gfw_empty(w, N(gpio_controller));
	gfw_u32(w, N(gpio_cells), GPIO_CELLS);
	gfw_prop(w, N(gpio_line_names), names, (int)len);
	gfw_reg(w, m->gpio.base, m->gpio.size);
	gfw_prop(w, N(compatible), STRLIST("arm,pl061\0arm,primecell"));
	gfw_end(w);
}

/*
 * The control device (vdev/vctl.c, docs/hypercalls.md), described to
 * control partitions only: the others have the window too (every access
 * there is refused with DENIED), but nothing to find it with.
 */
static void gfw_ctl(struct gfw *w, const struct cfg_partition *p)
{
	const struct cfg_guest_map *m = &p->map;
	char name[NODE_NAME_MAX];

	if (m->ctl.size == 0 || !p->control)
		return;
	node_name_format(name, CTL_NODE_PREFIX, m->ctl.base);
	gfw_begin(w, name);
	gfw_reg(w, m->ctl.base, m->ctl.size);
	gfw_str(w, N(compatible), "tessera,control");
	gfw_end(w);
}

/*
 * One region as the xen,shared-memory-v1 binding has it.  The whole region
 * is mapped from its start, so xen,offset is 0 for owners and borrowers.
 */
static void gfw_shm(struct gfw *w, const struct cfg_shm_region *r, uint64_t guest_base)
{
	char name[SHM_NODE_NAME_MAX];

	node_name_format(name, SHM_NODE_PREFIX, guest_base);
	gfw_begin(w, name);
	gfw_str(w, N(compatible), "xen,shared-memory-v1");
	gfw_reg(w, guest_base, r->size);
	gfw_str(w, N(xen_id), r->id);
	gfw_u64(w, N(xen_offset), 0);
	gfw_empty(w, N(no_map));
	gfw_end(w);
}

static unsigned int shm_ref_count(const struct config *cfg, unsigned int part_index)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < cfg->ref_count; i++)
		n += cfg->refs[i].partition == part_index;
	return n;
}

/*
 * Cells equal to the root's, or Linux ignores the node (or takes the
 * regions for System RAM): DESIGN.md §5.
 */
static void gfw_reserved_memory(struct gfw *w, const struct config *cfg, unsigned int part_index)
{
	if (shm_ref_count(cfg, part_index) == 0)
		return;
	gfw_begin(w, "reserved-memory");
	gfw_u32(w, N(address_cells), ROOT_ADDR_CELLS);
	gfw_u32(w, N(size_cells), ROOT_SIZE_CELLS);
	gfw_empty(w, N(ranges));
	for (unsigned int i = 0; i < cfg->ref_count; i++) {
		const struct cfg_shm_ref *ref = &cfg->refs[i];

		if (ref->partition == part_index)
			gfw_shm(w, &cfg->regions[ref->region], ref->guest_base);
	}
	gfw_end(w);
}

/*
 * Where the shared-memory doorbell interrupt is (include/public/tessera_hvc.h),
 * only for a partition with shared regions.  A node of its own: the
 * xen-shmem@ nodes stay exactly as the Linux binding has them.
 */
static void gfw_hypervisor(struct gfw *w, const struct config *cfg, unsigned int part_index)
{
	const fdt32_t irq[] = {
		cpu_to_fdt32(GIC_PPI), cpu_to_fdt32(GUEST_DOORBELL_PPI),
		cpu_to_fdt32(IRQ_TYPE_EDGE_RISING),
	};

	if (shm_ref_count(cfg, part_index) == 0)
		return;
	gfw_begin(w, "hypervisor");
	gfw_prop(w, N(compatible), STRLIST("tessera,hypervisor"));
	gfw_prop(w, N(interrupts), irq, (int)sizeof(irq));
	gfw_end(w);
}

/*
 * One node of a partial device tree and everything below it, as Xen merges
 * them (dom0less-build.c scan_pfdt_node): Xen's own xen,* properties
 * dropped, interrupt-parent pointed at the guest's GIC (the partial tree's
 * /gic placeholder stood for it; cfg_parse() checked that).  cfg_parse()
 * bounds the depth; so does this, for a tree that did not pass through it.
 */
static void gfw_copy_node(struct gfw *w, const void *pfdt, int node, unsigned int depth)
{
	int off, child;

	if (depth > GUEST_FDT_PT_DEPTH_MAX) {
		w->err = w->err ? w->err : -FDT_ERR_BADSTRUCTURE;
		return;
	}
	gfw_begin(w, fdt_get_name(pfdt, node, NULL));
	fdt_for_each_property_offset(off, pfdt, node) {
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(pfdt, off, &name, &len);
		if (!val || strncmp(name, "xen,", strlen("xen,")) == 0)
			continue;
		if (strcmp(name, "interrupt-parent") == 0)
			gfw_u32(w, name, PHANDLE_GIC);
		else
			gfw_prop(w, name, val, len);
	}
	fdt_for_each_subnode(child, pfdt, node)
		gfw_copy_node(w, pfdt, child, depth + 1);
	gfw_end(w);
}

/* /aliases and /passthrough of the partial device tree, if the partition has one. */
static void gfw_passthrough(struct gfw *w, const struct cfg_partition *p)
{
	static const char *const merged[] = { "aliases", "passthrough" };

	if (!p->pt_fdt)
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(merged); i++) {
		int node = fdt_subnode_offset(p->pt_fdt, 0, merged[i]);
		if (node >= 0)
			gfw_copy_node(w, p->pt_fdt, node, 1);
	}
}

static bool str_terminated(const char *s, size_t max)
{
	return memchr(s, '\0', max) != NULL;
}

/* Reject what would produce a malformed tree; cfg_parse() checks the rest. */
static int guest_fdt_check(size_t size, const struct config *cfg, unsigned int part_index,
			   uint64_t initrd_ipa, uint64_t initrd_size)
{
	if (cfg == NULL || part_index >= cfg->partition_count || size > INT32_MAX)
		return -TS_EINVAL;
	const struct cfg_partition *p = &cfg->partitions[part_index];

	if (p->vcpu_count == 0 || p->vcpu_count > CFG_MAX_VCPUS || p->mem_bytes == 0)
		return -TS_EINVAL;
	if (p->map.ram_count == 0 || p->map.ram_count > CFG_GUEST_RAM_BANKS ||
	    p->map.uart_intid < GIC_SPI_INTID_BASE)
		return -TS_EINVAL;
	if (!str_terminated(p->bootargs, sizeof(p->bootargs)))
		return -TS_EINVAL;
	if (initrd_size != 0 && initrd_ipa + initrd_size < initrd_ipa)
		return -TS_ERANGE;
	if (p->pt_fdt && (p->pt_fdt_bytes > GUEST_FDT_PT_MAX || fdt_check_header(p->pt_fdt) != 0))
		return -TS_EINVAL;
	if (cfg->ref_count > CFG_MAX_SHM_REFS || cfg->region_count > CFG_MAX_REGIONS)
		return -TS_EINVAL;
	for (unsigned int i = 0; i < cfg->ref_count; i++) {
		const struct cfg_shm_ref *ref = &cfg->refs[i];

		if (ref->partition != part_index)
			continue;
		if (ref->region >= cfg->region_count ||
		    !str_terminated(cfg->regions[ref->region].id, CFG_SHM_ID_MAX))
			return -TS_EINVAL;
	}
	return 0;
}

static int fdt_err_to_ts(int err)
{
	return err == -FDT_ERR_NOSPACE ? -TS_ENOMEM : -TS_EINVAL;
}

size_t guest_fdt_size_bound(const struct config *cfg, unsigned int part_index)
{
	if (cfg == NULL || part_index >= cfg->partition_count)
		return 0;
	const struct cfg_partition *p = &cfg->partitions[part_index];
	size_t bound = GUEST_FDT_BASE_BOUND + GUEST_FDT_BOOTARGS_BOUND + GUEST_FDT_RESMEM_BOUND;

	bound += (size_t)p->vcpu_count * GUEST_FDT_CPU_BOUND;
	bound += (size_t)shm_ref_count(cfg, part_index) * GUEST_FDT_SHM_BOUND;
	if (p->map.gpio.size != 0)
		bound += GUEST_FDT_GPIO_BOUND;
	return bound + p->pt_fdt_bytes;
}

/* Every partition of a valid configuration fits in GUEST_FDT_MAX_SIZE. */
_Static_assert(GUEST_FDT_BASE_BOUND + GUEST_FDT_BOOTARGS_BOUND + GUEST_FDT_RESMEM_BOUND +
	       CFG_MAX_VCPUS * GUEST_FDT_CPU_BOUND + CFG_MAX_REGIONS * GUEST_FDT_SHM_BOUND +
	       GUEST_FDT_PT_MAX + GUEST_FDT_GPIO_BOUND <=
	       GUEST_FDT_MAX_SIZE, "GUEST_FDT_MAX_SIZE too small for the configuration limits");

static void gfw_tree(struct gfw *w, const struct config *cfg, unsigned int part_index,
		     uint64_t initrd_ipa, uint64_t initrd_size)
{
	const struct cfg_partition *p = &cfg->partitions[part_index];

	gfw_begin(w, "");
	gfw_root_props(w);
	gfw_psci(w);
	gfw_memory(w, &p->map);
	gfw_uart(w, &p->map);
	gfw_gic(w, &p->map);
	gfw_cpus(w, p->vcpu_count);
	gfw_timer(w, &p->map, p->vcpu_count);
	gfw_apb_pclk(w);
	gfw_chosen(w, p, initrd_ipa, initrd_size);
	gfw_reserved_memory(w, cfg, part_index);
	gfw_hypervisor(w, cfg, part_index);
	gfw_passthrough(w, p);
	gfw_gpio(w, cfg, part_index);
	gfw_ctl(w, p);
	gfw_end(w);
	gfw_finish(w);
}

int guest_fdt_build(void *buf, size_t size, const struct config *cfg, unsigned int part_index,
		    uint64_t initrd_ipa, uint64_t initrd_size)
{
	if (buf == NULL || !is_aligned((uintptr_t)buf, FDT_TAGSIZE))
		return -TS_EINVAL;
	int rc = guest_fdt_check(size, cfg, part_index, initrd_ipa, initrd_size);

	if (rc != 0)
		return rc;
	struct gfw w;

	gfw_start(&w, buf, size);
	gfw_tree(&w, cfg, part_index, initrd_ipa, initrd_size);
	if (w.err == 0)
		return 0;
	/* A half-written tree must not pass for a valid one. */
	if (size >= sizeof(fdt32_t))
		memset(buf, 0, sizeof(fdt32_t));
	return fdt_err_to_ts(w.err);
}
