/*
 * The physical GIC driver chosen from the host DT: the node's compatible
 * picks GICv3 (gic_v3.c) or GICv2 (gic_v2.c); its reg entries give the
 * frames and its `interrupts` the maintenance interrupt.  Every other call
 * goes to the driver in use.
 */
#include <libfdt.h>
#include <string.h>

#include "console.h"
#include "gic.h"
#include "gic_dt.h"
#include "gic_internal.h"
#include "io.h"
#include "tserr.h"
#include "types.h"

/* SBSA's maintenance PPI, for a DT that gives none (arm,gic-v3.yaml: optional). */
#define GIC_PPI_MAINTENANCE_SBSA GIC_PPI_MAINTENANCE
#define GIC_DT_IRQ_CELLS         3u
#define FDT_V17_SIZES            17      /* the header gives the block sizes from v17 on */
#define FDT_PROP_HEADER          (3 * FDT_TAGSIZE)   /* FDT_PROP, len, nameoff */

bool gic_is_v2;
struct gic_host gic_hw;

static const char *const gic_v2_virt[] = { GIC_DT_V2_VIRT };
static const char *const gic_v2_plain[] = { GIC_DT_V2_PLAIN };

/*
 * The first of @list that the node's compatible (@compat, @len) names.
 */
static const char *gic_match(const char *compat, int len, const char *const *list, unsigned int n)
{
	for (unsigned int i = 0; compat && i < n; i++)
		if (fdt_stringlist_contains(compat, len, list[i]))
			return list[i];
	return NULL;
}

/* The two properties of the GIC node that say what it is (compatible) and how it signals. */
struct gic_dt_props {
	const char *compat;
	int compat_len;
	const fdt32_t *irq;
	int irq_len;
};

/* Whether the @room bytes at @name start with the string @want and its NUL. */
static bool dt_name_is(const char *name, uint32_t room, const char *want, uint32_t want_size)
{
	if (room < want_size)
		return false;
	for (uint32_t i = 0; i < want_size; i++)       /* most names differ at once */
		if (name[i] != want[i])
			return false;
	return true;
}

#define DT_NAME_IS(name, room, lit) dt_name_is(name, room, lit, sizeof(lit))

/*
 * Both straight from the structure block (DT spec 5.4), the way
 * boot/host_dt.c walks the top level: libfdt validates every property on
 * every look-up, about 2K instructions for each at boot (DESIGN §11).
 * fdt_check_header() has run; a malformed property ends the walk.
 */
static void gic_dt_props(const void *fdt, int node, struct gic_dt_props *out)
{
	*out = (struct gic_dt_props){ 0 };
	if (fdt_version(fdt) < FDT_V17_SIZES) {      /* no size_dt_struct: libfdt's look-ups */
		out->compat = fdt_getprop(fdt, node, "compatible", &out->compat_len);
		out->irq = fdt_getprop(fdt, node, "interrupts", &out->irq_len);
		return;
	}
	const char *base = (const char *)fdt + fdt_off_dt_struct(fdt);
	const char *strings = (const char *)fdt + fdt_off_dt_strings(fdt);
	uint32_t size = fdt_size_dt_struct(fdt), strings_size = fdt_size_dt_strings(fdt);
	uint32_t off = (uint32_t)node + FDT_TAGSIZE;           /* past FDT_BEGIN_NODE */
	while (off < size && base[off] != '\0')
		off++;                                          /* the node's name */
	off = (uint32_t)align_up(off + 1, FDT_TAGSIZE);
	while (off + FDT_PROP_HEADER <= size) {
		uint32_t tag = fdt32_ld((const fdt32_t *)(base + off));
		if (tag == FDT_NOP) {
			off += FDT_TAGSIZE;
			continue;
		}
		uint32_t len = fdt32_ld((const fdt32_t *)(base + off + FDT_TAGSIZE));
		uint32_t nameoff = fdt32_ld((const fdt32_t *)(base + off + 2 * FDT_TAGSIZE));
		if (tag != FDT_PROP || len > size - off - FDT_PROP_HEADER || nameoff >= strings_size)
			return;
		const char *name = strings + nameoff, *val = base + off + FDT_PROP_HEADER;
		uint32_t room = strings_size - nameoff;
		if (DT_NAME_IS(name, room, "compatible")) {
			out->compat = val;
			out->compat_len = (int)len;
		} else if (DT_NAME_IS(name, room, "interrupts")) {
			out->irq = (const fdt32_t *)val;
			out->irq_len = (int)len;
		}
		if (out->compat && out->irq)
			return;
		off += FDT_PROP_HEADER + (uint32_t)align_up(len, FDT_TAGSIZE);
	}
}

/*
 * The maintenance interrupt: the node's first interrupt, a PPI
 * (arm,gic.yaml and arm,gic-v3.yaml; <GIC_PPI 9 flags> = INTID 25 on virt).
 * Optional in both bindings: SBSA's PPI 25 without one.
 */
static uint32_t gic_dt_maintenance(const struct gic_dt_props *d)
{
	if (!d->irq || d->irq_len < (int)(GIC_DT_IRQ_CELLS * sizeof(fdt32_t)) ||
	    fdt32_to_cpu(d->irq[0]) != GIC_DT_PPI ||
	    fdt32_to_cpu(d->irq[1]) >= GIC_SPI_BASE - GIC_PPI_BASE)
		return GIC_PPI_MAINTENANCE_SBSA;
	return GIC_PPI_BASE + fdt32_to_cpu(d->irq[1]);
}

int gic_init_primary(const void *fdt, int node, int parent)
{
	if (node < 0 || parent < 0) {
		log_line("gic: no interrupt controller (%s, %s) in the DT", GIC_DT_V3,
			 "arm,gic-400 or another GICv2 with virtualization extensions");
		return -TS_ENOENT;
	}
	struct gic_dt_props d;
	gic_dt_props(fdt, node, &d);
	gic_hw.maint_intid = gic_dt_maintenance(&d);
	if (d.compat && fdt_stringlist_contains(d.compat, d.compat_len, GIC_DT_V3))
		return gic_v3_init_primary(fdt, node, parent);
	const char *plain = gic_match(d.compat, d.compat_len, gic_v2_plain, ARRAY_SIZE(gic_v2_plain));
	if (plain) {
		log_line("gic: %s has no virtualization extensions (no list registers)", plain);
		return -TS_EINVAL;
	}
	const char *v2 = gic_match(d.compat, d.compat_len, gic_v2_virt, ARRAY_SIZE(gic_v2_virt));
	int err = v2 ? gic_v2_init_primary(fdt, node, parent, v2) : -TS_ENOENT;
	gic_is_v2 = err == 0;
	return err;
}

void gic_init_cpu(void)
{
	if (gic_is_v2)
		gic_v2_init_cpu();
	else
		gic_v3_init_cpu();
}

void gic_enable_spi(uint32_t intid)
{
	if (gic_is_v2)
		gic_v2_enable_spi(intid);
	else
		gic_v3_enable_spi(intid);
}

void gic_timer_deactivate(void)
{
	if (gic_is_v2)
		gic_v2_timer_deactivate();
	else
		gic_v3_timer_deactivate();
}

void gic_spi_route(uint32_t intid, unsigned int cpu)
{
	if (gic_is_v2)
		gic_v2_spi_route(intid, cpu);
	else
		gic_v3_spi_route(intid, cpu);
}

/* One bit of a one-bit-per-INTID bank (set/clear registers: other bits are ignored). */
static void gicd_bank_write(uint64_t bank, uint32_t intid)
{
	mmio_write32(gic_hw.gicd + GICD_BANK_REG(bank, intid), GICD_BANK_BIT(intid));
}

static bool gicd_bank_read(uint64_t bank, uint32_t intid)
{
	return mmio_read32(gic_hw.gicd + GICD_BANK_REG(bank, intid)) & GICD_BANK_BIT(intid);
}

/* GICD_ICFGR<n>: two bits per INTID, Int_config[1] set for edge (IHI 0069H 12.9.9, 0048B 4.3.13). */
void gic_spi_configure(uint32_t intid, bool edge)
{
	uint64_t cfg = gic_hw.gicd + GICD_ICFGR + 4 * (intid / 16);
	uint32_t shift = 2 * (intid % 16);
	if (gic_is_v2) {
		gic_v2_spi_group(intid);
	} else {
		uint64_t group = gic_hw.gicd + GICD_BANK_REG(GICD_IGROUPR, intid);
		mmio_write32(group, mmio_read32(group) | GICD_BANK_BIT(intid));
	}
	uint32_t v = mmio_read32(cfg) & ~(GICD_ICFGR_EDGE << shift);
	mmio_write32(cfg, v | (edge ? GICD_ICFGR_EDGE << shift : 0));
}

/* On v3 a cleared enable takes effect once GICD_CTLR.RWP reads 0 (IHI 0069H 12.9.4). */
void gic_spi_set_enabled(uint32_t intid, bool on)
{
	gicd_bank_write(on ? GICD_ISENABLER : GICD_ICENABLER, intid);
	while (!on && !gic_is_v2 && (mmio_read32(gic_hw.gicd + GICD_CTLR) & GICD_CTLR_RWP))
		;
}

void gic_spi_clear(uint32_t intid)
{
	gicd_bank_write(GICD_ICPENDR, intid);
	gicd_bank_write(GICD_ICACTIVER, intid);
}

void gic_spi_deactivate(uint32_t intid)
{
	gicd_bank_write(GICD_ICACTIVER, intid);
}

void gic_spi_set_pending(uint32_t intid)
{
	gicd_bank_write(GICD_ISPENDR, intid);
}

struct gic_spi_state gic_spi_state(uint32_t intid)
{
	return (struct gic_spi_state){
		.enabled = gicd_bank_read(GICD_ISENABLER, intid),
		.pending = gicd_bank_read(GICD_ISPENDR, intid),
		.active = gicd_bank_read(GICD_ISACTIVER, intid),
	};
}
