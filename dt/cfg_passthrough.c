/*
 * Device passthrough in Xen's dom0less format (Xen docs/misc/arm/
 * passthrough.txt and booting.txt "Device Assignment").  A xen,domain has
 * a multiboot,device-tree module: a partial device tree whose /passthrough
 * node (simple-bus, empty ranges, its own cells) lists the devices the
 * partition owns.  Each device node names its host node (xen,path; that
 * node carries xen,passthrough), the MMIO it maps (xen,reg = <host-PA size
 * guest-PA> triplets) and carries xen,force-assign-without-iommu, since
 * Tessera has no IOMMU.  The host node's SPIs go to the partition with the
 * same INTIDs, as in Xen (VIRQ == IRQ).
 *
 * This pass runs after the guest maps are laid out (cfg_layout.c) and the
 * shared regions are read: it checks each partial tree (what it may hold,
 * every range on the host and the guest side, every SPI) and fills
 * cfg_guest_map.pt_* and config.pt_devices.  Messages about a
 * partial tree name its nodes as <module path>:<node path>.
 */
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "cfg_internal.h"
#include "guest_fdt.h"
#include "host_dt.h"
#include "public/guest_platform.h"

#define PT_BUS              "passthrough"
#define PT_ALIASES          "aliases"
#define PT_GIC              "gic"       /* Xen's interrupt-controller placeholder (init_intc_phandle) */
#define PT_XEN_PREFIX       "xen,"
#define PT_PHANDLES_MAX     32u         /* phandles of one partial tree (a clock or two in practice) */
/* The GIC binding's three-cell specifier (bindings/interrupt-controller/arm,gic-v3.yaml). */
#define GIC_SPEC_CELLS      3u
#define GIC_SPEC_SPI        0u
#define GIC_SPEC_TYPE_MASK  0xFu
#define IRQ_EDGE_RISING     1u
#define IRQ_LEVEL_HIGH      4u
/* What a node and a property cost in the guest DT, names not de-duplicated (guest_fdt.h). */
#define FDT_NODE_COST       8u
#define FDT_PROP_COST       12u
#define FDT_ALIGN           4u

static const char *const gic_compats[] = {
	"arm,gic-v3", "arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic",
};

/* One partial device tree being read. */
struct pt_ctx {
	struct cfg_ctx sub;             /* the parse context with .fdt = the partial tree */
	struct cfg_ctx *ctx;            /* the host tree's */
	unsigned int part;
	struct cfg_partition *p;
	uint32_t gic_phandle;           /* of Xen's /gic placeholder; 0: none */
	unsigned int bytes;             /* what the merged nodes add to the guest DT */
	unsigned int phandle_count;     /* phandles seen: /gic's and the merged nodes' */
	uint32_t phandle[PT_PHANDLES_MAX];
	int phandle_node[PT_PHANDLES_MAX];
};

/* Every node of a path that fits CFG_PATH_MAX: "/" and a one-letter name per level. */
#define PT_HOST_DEPTH_MAX (CFG_PATH_MAX / 2)

/*
 * A host node of a device: its path, offset, the nodes from the root down
 * to it (found once: each of libfdt's ancestor look-ups walks the tree from
 * its start) and its MMIO ranges (CPU addresses).
 */
struct pt_host {
	char path[CFG_PATH_MAX];        /* as libfdt spells it: one spelling per node */
	int node;
	int depth;                      /* chain[0] is the root, chain[depth] the node */
	int chain[PT_HOST_DEPTH_MAX + 1];
	unsigned int reg_count;
	struct cfg_range reg[CFG_MAX_PT_RANGES];
};

static void pt_path(char *out, const struct pt_ctx *pc, int node)
{
	char here[CFG_PATH_MAX];

	if (fdt_get_path(pc->sub.fdt, node, here, sizeof(here)) != 0)
		strcpy(here, "(path too long)");
	/* Cut short when long: it only names the node in messages. */
	if (snprintf(out, CFG_PATH_MAX, "%s:%s", pc->p->dtb.path, here) < 0)
		out[0] = '\0';
}

static bool name_is(const char *name, const char *want)
{
	return strcmp(name, want) == 0;
}

static bool xen_prop(const char *name)
{
	return strncmp(name, PT_XEN_PREFIX, strlen(PT_XEN_PREFIX)) == 0;
}

static bool is_gic(const void *fdt, int node)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(gic_compats); i++)
		if (cfg_compatible(fdt, node, gic_compats[i]))
			return true;
	return false;
}

/* ------------------------------------------------------------ host side */

/*
 * Translate [*a, *a + size) on @bus into its parent's address space
 * through @bus's `ranges` (devicetree specification 2.3.8).  False when the
 * bus is not memory-mapped or the range is in no entry.
 */
static bool translate_up(const void *fdt, int bus, int parent, uint64_t *a, uint64_t size)
{
	int len;
	const void *r = dt_getprop(fdt, bus, "ranges", &len);

	if (!r)
		return false;
	if (len == 0)
		return true;                  /* identity */
	int cac = dt_address_cells(fdt, bus), csc = dt_size_cells(fdt, bus);
	int pac = dt_address_cells(fdt, parent);
	if (cac < 1 || cac > 2 || pac < 1 || pac > 2 || csc < 1 || csc > 2)
		return false;
	int stride = (cac + pac + csc) * CFG_CELL_BYTES;
	for (int off = 0; off + stride <= len; off += stride) {
		const char *e = (const char *)r + off;
		uint64_t child = cfg_cells_value(e, 0, (unsigned int)cac);
		uint64_t up = cfg_cells_value(e, (unsigned int)cac, (unsigned int)pac);
		uint64_t span = cfg_cells_value(e, (unsigned int)(cac + pac), (unsigned int)csc);
		if (*a >= child && *a - child < span && size <= span - (*a - child)) {
			*a = up + (*a - child);
			return true;
		}
	}
	return false;
}

/* [*a, *a + size) from the bus above @h's node up to the root. */
static bool translate_to_cpu(const void *fdt, const struct pt_host *h, uint64_t *a, uint64_t size)
{
	for (int level = h->depth - 1; level >= 1; level--)
		if (!translate_up(fdt, h->chain[level], h->chain[level - 1], a, size))
			return false;
	return true;
}

/* The host node's reg entries as CPU physical addresses. */
static bool host_read_reg(struct pt_ctx *pc, const char *path, const char *prop,
			  struct pt_host *h)
{
	const void *fdt = pc->ctx->fdt;
	int len;
	int parent = h->depth > 0 ? h->chain[h->depth - 1] : -1;
	const void *reg = dt_getprop(fdt, h->node, "reg", &len);
	int ac = parent >= 0 ? dt_address_cells(fdt, parent) : -1;
	int sc = parent >= 0 ? dt_size_cells(fdt, parent) : -1;

	if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2) {
		cfg_error(pc->ctx->errs, path, prop, "%s has no memory-mapped reg", h->path);
		return false;
	}
	int stride = (ac + sc) * CFG_CELL_BYTES;
	h->reg_count = 0;
	for (int off = 0; off + stride <= len && h->reg_count < CFG_MAX_PT_RANGES; off += stride) {
		const char *e = (const char *)reg + off;
		struct cfg_range *r = &h->reg[h->reg_count];
		r->base = cfg_cells_value(e, 0, (unsigned int)ac);
		r->size = cfg_cells_value(e, (unsigned int)ac, (unsigned int)sc);
		if (r->size == 0 || !translate_to_cpu(fdt, h, &r->base, r->size)) {
			cfg_error(pc->ctx->errs, path, prop, "%s's reg is not a CPU address range",
				  h->path);
			return false;
		}
		h->reg_count++;
	}
	return true;
}

static bool host_assigned_elsewhere(struct pt_ctx *pc, const char *path, const char *host)
{
	const struct config *cfg = pc->ctx->cfg;

	for (unsigned int d = 0; d < cfg->pt_device_count; d++) {
		if (strcmp(cfg->pt_devices[d].host_path, host) != 0)
			continue;
		cfg_error(pc->ctx->errs, path, "xen,path", "%s is already assigned to %s", host,
			  cfg->partitions[cfg->pt_devices[d].partition].path);
		return true;
	}
	return false;
}

/* The GIC itself or a part of it (an ITS below the GIC node, say). */
static bool host_in_gic(const void *fdt, const struct pt_host *h)
{
	for (int depth = h->depth; depth >= 1; depth--) {
		int n = h->chain[depth];
		if (dt_getprop(fdt, n, "interrupt-controller", NULL) || is_gic(fdt, n))
			return true;
	}
	return false;
}

/* libfdt's rule for a path's component: the whole name, or the name before '@'. */
static bool host_name_matches(const void *fdt, int node, const char *want, size_t len)
{
	int nlen;
	const char *name = dt_get_name(fdt, node, &nlen);

	return name && (size_t)nlen >= len && memcmp(name, want, len) == 0 &&
	       (name[len] == '\0' || (name[len] == '@' && !memchr(want, '@', len)));
}

/*
 * The node at the full path @want, as fdt_path_offset() finds it, with the
 * nodes above it into @h, and its path as fdt_get_path() spells it.  One
 * pass over the tokens before the node, where libfdt's path, depth and
 * ancestor look-ups each walk the tree from its start (1.5M instructions
 * for one device on QEMU's tree).
 */
static bool host_lookup(const void *fdt, const char *want, struct pt_host *h)
{
	size_t used = 0;

	h->node = 0;
	h->depth = 0;
	h->chain[0] = 0;
	for (const char *p = want; *p != '\0';) {
		if (*p == '/') {
			p++;
			continue;
		}
		size_t len = strcspn(p, "/");
		int child, nlen;
		dt_for_each_subnode(child, fdt, h->node)
			if (host_name_matches(fdt, child, p, len))
				break;
		const char *name = child >= 0 ? dt_get_name(fdt, child, &nlen) : NULL;
		if (!name || h->depth == PT_HOST_DEPTH_MAX || used + 1 + (size_t)nlen >= sizeof(h->path))
			return false;
		h->path[used++] = '/';
		memcpy(h->path + used, name, (size_t)nlen);
		used += (size_t)nlen;
		h->chain[++h->depth] = h->node = child;
		p += len;
	}
	if (used == 0)
		h->path[used++] = '/';
	h->path[used] = '\0';
	return true;
}

/* xen,path: the host node, marked for passthrough, not Tessera's own, not given twice. */
static bool host_find(struct pt_ctx *pc, int node, const char *path, struct pt_host *h)
{
	static const char prop[] = "xen,path";
	const void *fdt = pc->ctx->fdt;
	int len;
	const char *want = fdt_getprop(pc->sub.fdt, node, prop, &len);

	if (!want) {
		cfg_error(pc->ctx->errs, path, prop, "missing: the host node of the device (its "
			  "interrupts, and the MMIO xen,reg may map)");
		return false;
	}
	if (!cfg_is_string(want, len) || want[0] != '/') {
		cfg_error(pc->ctx->errs, path, prop, "not a node path string");
		return false;
	}
	if (!host_lookup(fdt, want, h)) {
		cfg_error(pc->ctx->errs, path, prop, "%s is not a node of the host device tree",
			  want);
		return false;
	}
	if (!dt_getprop(fdt, h->node, "xen,passthrough", NULL)) {
		cfg_error(pc->ctx->errs, path, prop, "%s has no xen,passthrough property (the host "
			  "tree marks what may be assigned)", h->path);
		return false;
	}
	if (host_in_gic(fdt, h)) {
		cfg_error(pc->ctx->errs, path, prop, "%s is (part of) an interrupt controller: "
			  "Tessera's own", h->path);
		return false;
	}
	return !host_assigned_elsewhere(pc, path, h->path) &&
	       host_read_reg(pc, path, prop, h);
}

/* The interrupt parent of @h's node: its own or its nearest ancestor's (DT spec 2.4.1). */
static int host_irq_parent(const void *fdt, const struct pt_host *h)
{
	for (int depth = h->depth; depth >= 0; depth--) {
		int len;
		const fdt32_t *ph = dt_getprop(fdt, h->chain[depth], "interrupt-parent", &len);
		if (ph && len == CFG_CELL_BYTES)
			return dt_node_offset_by_phandle(fdt, fdt32_to_cpu(*ph));
	}
	return -FDT_ERR_NOTFOUND;
}

/* Which partition (index), if any, already owns @intid. */
static int spi_owner(const struct pt_ctx *pc, uint32_t intid)
{
	uint64_t bit = 1ull << (intid - CFG_GUEST_SPI_FIRST);

	for (unsigned int i = 0; i <= pc->part; i++)
		if (pc->ctx->cfg->partitions[i].map.pt_spis & bit)
			return (int)i;
	return -1;
}

/*
 * One host specifier <type number flags>: an SPI the partition may have.
 * Returns its bit for the guest node's check, even when refused here, so
 * that one mistake gives one error.
 */
static uint64_t host_take_spi(struct pt_ctx *pc, const char *path, const char *host,
			      const char *spec, struct cfg_pt_device *dev)
{
	struct cfg_guest_map *m = &pc->p->map;
	uint32_t type = (uint32_t)cfg_cells_value(spec, 0, 1);
	uint32_t num = (uint32_t)cfg_cells_value(spec, 1, 1);
	uint32_t trig = (uint32_t)cfg_cells_value(spec, 2, 1) & GIC_SPEC_TYPE_MASK;
	uint32_t intid = CFG_GUEST_SPI_FIRST + num;
	struct cfg_errors *e = pc->ctx->errs;

	if (type != GIC_SPEC_SPI) {
		cfg_error(e, path, "xen,path", "%s: interrupt %u is a PPI: only SPIs can be "
			  "assigned", host, num);
		return 0;
	}
	if (num >= CFG_GUEST_SPI_COUNT) {
		cfg_error(e, path, "xen,path", "%s: SPI %u (INTID %u) is beyond the %u SPIs a "
			  "partition's GIC has", host, num, intid, CFG_GUEST_SPI_COUNT);
		return 0;
	}
	uint64_t bit = 1ull << num;
	if (trig != IRQ_EDGE_RISING && trig != IRQ_LEVEL_HIGH) {
		cfg_error(e, path, "xen,path", "%s: SPI %u has trigger type %u: a GIC SPI is rising "
			  "edge (1) or level high (4)", host, num, trig);
		return bit;
	}
	int owner = spi_owner(pc, intid);
	if (intid == pc->ctx->plat->host.uart_intid)
		cfg_error(e, path, "xen,path", "%s: SPI %u (INTID %u) is the console UART's: "
			  "Tessera's own", host, num, intid);
	else if (intid == m->uart_intid)
		cfg_error(e, path, "xen,path", "%s: SPI %u (INTID %u) is the partition's emulated "
			  "UART's", host, num, intid);
	else if (m->gpio.size != 0 && intid == m->gpio_intid)
		cfg_error(e, path, "xen,path", "%s: SPI %u (INTID %u) is the partition's doorbell "
			  "GPIO's", host, num, intid);
	else if (owner >= 0)
		cfg_error(e, path, "xen,path", "%s: SPI %u (INTID %u) is already assigned to %s",
			  host, num, intid, pc->ctx->cfg->partitions[owner].path);
	if (owner >= 0 || intid == pc->ctx->plat->host.uart_intid || intid == m->uart_intid ||
	    (m->gpio.size != 0 && intid == m->gpio_intid))
		return bit;
	m->pt_spis |= bit;
	m->pt_spi_edge |= trig == IRQ_EDGE_RISING ? bit : 0;
	dev->spis |= bit;
	return bit;
}

/* The host node's `interrupts`, through the host GIC (three cells each); returns their SPIs. */
static uint64_t host_read_spis(struct pt_ctx *pc, const char *path, const struct pt_host *h,
			       struct cfg_pt_device *dev)
{
	const void *fdt = pc->ctx->fdt;
	int len;
	const char *irqs = dt_getprop(fdt, h->node, "interrupts", &len);

	if (dt_getprop(fdt, h->node, "interrupts-extended", NULL)) {
		cfg_error(pc->ctx->errs, path, "xen,path", "%s: interrupts-extended is not "
			  "supported (use interrupts)", h->path);
		return 0;
	}
	if (!irqs)
		return 0;                                /* a device without interrupts */
	int gic = host_irq_parent(fdt, h);
	if (gic < 0 || !is_gic(fdt, gic) || len % (int)(GIC_SPEC_CELLS * CFG_CELL_BYTES) != 0) {
		cfg_error(pc->ctx->errs, path, "xen,path", "%s: its interrupts are not three-cell "
			  "specifiers of the host GIC", h->path);
		return 0;
	}
	uint64_t spis = 0;
	for (int off = 0; off < len; off += (int)(GIC_SPEC_CELLS * CFG_CELL_BYTES))
		spis |= host_take_spi(pc, path, h->path, irqs + off, dev);
	return spis;
}

/* ------------------------------------------------------------ xen,reg */

/* Host side: inside the host node's reg (rounded out to pages), and device memory. */
static bool range_host_ok(struct pt_ctx *pc, const char *path, const struct pt_host *h,
			  const struct cfg_pt_range *r)
{
	const struct cfg_platform *plat = pc->ctx->plat;
	struct cfg_errors *e = pc->ctx->errs;
	char mine[CFG_RANGE_STR], theirs[CFG_RANGE_STR];
	bool inside = false;

	cfg_fmt_range(mine, r->host, r->size);
	for (unsigned int i = 0; i < h->reg_count && !inside; i++) {
		uint64_t lo = align_down(h->reg[i].base, CFG_PAGE_SIZE);
		uint64_t hi = align_up(h->reg[i].base + h->reg[i].size, CFG_PAGE_SIZE);
		inside = r->host >= lo && r->host + r->size <= hi;
	}
	if (!inside) {
		cfg_fmt_range(theirs, h->reg[0].base, h->reg[0].size);
		cfg_error(e, path, "xen,reg", "host range %s is outside %s's reg (%s%s)", mine,
			  h->path, theirs, h->reg_count > 1 ? ", ..." : "");
		return false;
	}
	for (unsigned int i = 0; i < plat->ram_count && i < CFG_MAX_RANGES; i++) {
		if (plat->ram[i].size == 0 ||
		    !ranges_overlap(r->host, r->size, plat->ram[i].base, plat->ram[i].size))
			continue;
		cfg_error(e, path, "xen,reg", "host range %s is RAM: only device memory can be "
			  "passed through", mine);
		return false;
	}
	return true;
}

/* Tessera's own devices: the console UART and the GIC's frames. */
static bool range_not_tessera(struct pt_ctx *pc, const char *path, const struct cfg_pt_range *r)
{
	const struct cfg_host_devices *d = &pc->ctx->plat->host;
	const struct cfg_range *own[] = { &d->uart, &d->gicd, &d->gicr, &d->gicc };
	static const char *const names[] = { "the console UART", "the GIC distributor",
					     "the GIC redistributors", "the GIC CPU interface" };
	char mine[CFG_RANGE_STR], theirs[CFG_RANGE_STR];

	for (unsigned int i = 0; i < ARRAY_SIZE(own); i++) {
		if (own[i]->size == 0 || !ranges_overlap(r->host, r->size, own[i]->base, own[i]->size))
			continue;
		cfg_fmt_range(mine, r->host, r->size);
		cfg_fmt_range(theirs, own[i]->base, own[i]->size);
		cfg_error(pc->ctx->errs, path, "xen,reg", "host range %s overlaps %s %s (Tessera's "
			  "own)", mine, names[i], theirs);
		return false;
	}
	return true;
}

/* No host page twice: not in another range of this or an earlier partition. */
static bool range_host_unique(struct pt_ctx *pc, const char *path, const struct cfg_pt_range *r)
{
	const struct config *cfg = pc->ctx->cfg;
	char mine[CFG_RANGE_STR], theirs[CFG_RANGE_STR];

	for (unsigned int i = 0; i <= pc->part; i++) {
		const struct cfg_partition *q = &cfg->partitions[i];
		for (unsigned int j = 0; j < q->map.pt_range_count; j++) {
			const struct cfg_pt_range *o = &q->map.pt_range[j];
			if (!ranges_overlap(r->host, r->size, o->host, o->size))
				continue;
			cfg_fmt_range(mine, r->host, r->size);
			cfg_fmt_range(theirs, o->host, o->size);
			cfg_error(pc->ctx->errs, path, "xen,reg", "host range %s overlaps %s, "
				  "assigned to %s (%s)", mine, theirs, q->path,
				  cfg->pt_devices[o->device].host_path);
			return false;
		}
	}
	return true;
}

static bool guest_clear_of(struct pt_ctx *pc, const char *path, const struct cfg_pt_range *r,
			   const struct cfg_range *w, const char *what)
{
	char mine[CFG_RANGE_STR], theirs[CFG_RANGE_STR];

	if (w->size == 0 || !ranges_overlap(r->guest, r->size, w->base, w->size))
		return true;
	cfg_fmt_range(mine, r->guest, r->size);
	cfg_fmt_range(theirs, w->base, w->size);
	cfg_error(pc->ctx->errs, path, "xen,reg", "guest range %s overlaps %s %s", mine, what,
		  theirs);
	return false;
}

/* Guest side: in the IPA space, clear of RAM, emulated devices, shared regions, other ranges. */
static bool range_guest_ok(struct pt_ctx *pc, const char *path, const struct cfg_pt_range *r)
{
	const struct cfg_guest_map *m = &pc->p->map;
	const struct config *cfg = pc->ctx->cfg;
	unsigned int bits = cfg_ipa_bits(pc->ctx->plat);
	bool ok = true;

	if (!cfg_range_within(r->guest, r->size, 1ull << bits)) {
		char mine[CFG_RANGE_STR];
		cfg_fmt_range(mine, r->guest, r->size);
		cfg_error(pc->ctx->errs, path, "xen,reg", "guest range %s is beyond the %u-bit guest "
			  "physical address space", mine, bits);
		return false;
	}
	for (unsigned int b = 0; b < m->ram_count && ok; b++)
		ok = guest_clear_of(pc, path, r, &m->ram[b], "guest RAM");
	ok = ok && guest_clear_of(pc, path, r, &m->gicd, "the emulated GIC distributor");
	ok = ok && guest_clear_of(pc, path, r, &m->gicr, "the emulated GIC redistributors");
	ok = ok && guest_clear_of(pc, path, r, &m->gicc, "the GIC CPU interface");
	ok = ok && guest_clear_of(pc, path, r, &m->uart, "the emulated UART");
	ok = ok && guest_clear_of(pc, path, r, &m->gpio, "the doorbell GPIO");
	ok = ok && guest_clear_of(pc, path, r, &m->ctl, "the control device");
	for (unsigned int i = 0; i < cfg->ref_count && ok; i++) {
		const struct cfg_shm_ref *f = &cfg->refs[i];
		struct cfg_range w = { f->guest_base, cfg->regions[f->region].size };
		if (f->partition == pc->part)
			ok = guest_clear_of(pc, path, r, &w, "shared region");
	}
	for (unsigned int j = 0; j < m->pt_range_count && ok; j++) {
		struct cfg_range w = { m->pt_range[j].guest, m->pt_range[j].size };
		ok = guest_clear_of(pc, path, r, &w, "the passed-through range");
	}
	return ok;
}

static bool range_aligned(struct pt_ctx *pc, const char *path, const struct cfg_pt_range *r)
{
	struct cfg_errors *e = pc->ctx->errs;

	if (r->size == 0) {
		cfg_error(e, path, "xen,reg", "size is 0");
		return false;
	}
	if (!is_aligned(r->host | r->guest | r->size, CFG_PAGE_SIZE)) {
		cfg_error(e, path, "xen,reg", "<0x%llx 0x%llx 0x%llx> is not 4 KiB aligned: stage 2 "
			  "maps whole pages", (unsigned long long)r->host, (unsigned long long)r->size,
			  (unsigned long long)r->guest);
		return false;
	}
	if (cfg_range_overflows(r->host, r->size) || cfg_range_overflows(r->guest, r->size)) {
		cfg_error(e, path, "xen,reg", "0x%llx bytes at 0x%llx or 0x%llx overflow 64 bits",
			  (unsigned long long)r->size, (unsigned long long)r->host,
			  (unsigned long long)r->guest);
		return false;
	}
	return true;
}

/* xen,reg = <host-PA size guest-PA> ..., in /passthrough's cells. */
static void read_xen_reg(struct pt_ctx *pc, int node, const char *path, unsigned int ac,
			 unsigned int sc, const struct pt_host *h, unsigned int device)
{
	struct cfg_guest_map *m = &pc->p->map;
	int len, stride = (int)((2 * ac + sc) * CFG_CELL_BYTES);
	const char *val = fdt_getprop(pc->sub.fdt, node, "xen,reg", &len);

	if (!val) {
		cfg_error(pc->ctx->errs, path, "xen,reg", "missing: the MMIO the device maps");
		return;
	}
	if (len == 0 || len % stride != 0) {
		cfg_error(pc->ctx->errs, path, "xen,reg", "%d bytes is not a list of <host-PA size "
			  "guest-PA> in %u+%u+%u cells", len, ac, sc, ac);
		return;
	}
	for (int off = 0; off < len; off += stride) {
		struct cfg_pt_range r = {
			.host = cfg_cells_value(val + off, 0, ac),
			.size = cfg_cells_value(val + off, ac, sc),
			.guest = cfg_cells_value(val + off, ac + sc, ac),
			.device = device,
		};
		if (!range_aligned(pc, path, &r) || !range_host_ok(pc, path, h, &r) ||
		    !range_not_tessera(pc, path, &r) || !range_host_unique(pc, path, &r) ||
		    !range_guest_ok(pc, path, &r))
			continue;
		if (m->pt_range_count >= CFG_MAX_PT_RANGES) {
			cfg_error(pc->ctx->errs, path, "xen,reg", "more than %u ranges in one partition",
				  CFG_MAX_PT_RANGES);
			return;
		}
		m->pt_range[m->pt_range_count++] = r;
	}
}

/* ------------------------------------------------------------ partial tree */

/* Every SPI the guest node lists must be one of the host node's (same INTIDs). */
static void check_guest_interrupts(struct pt_ctx *pc, int node, const char *path,
				   uint64_t host_spis, const char *host)
{
	int len;
	const char *irqs = fdt_getprop(pc->sub.fdt, node, "interrupts", &len);

	if (!irqs)
		return;
	if (len % (int)(GIC_SPEC_CELLS * CFG_CELL_BYTES) != 0) {
		cfg_error(pc->ctx->errs, path, "interrupts", "%d bytes is not a list of three-cell "
			  "GIC specifiers", len);
		return;
	}
	for (int off = 0; off < len; off += (int)(GIC_SPEC_CELLS * CFG_CELL_BYTES)) {
		uint32_t type = (uint32_t)cfg_cells_value(irqs + off, 0, 1);
		uint32_t num = (uint32_t)cfg_cells_value(irqs + off, 1, 1);
		if (type == GIC_SPEC_SPI && num < CFG_GUEST_SPI_COUNT && (host_spis >> num & 1))
			continue;
		cfg_error(pc->ctx->errs, path, "interrupts", "<%u %u ...> is not an SPI of %s (a "
			  "guest gets the host's interrupt numbers)", type, num, host);
	}
}

static void parse_device(struct pt_ctx *pc, int node, const char *bus_path, unsigned int ac,
			 unsigned int sc)
{
	struct config *cfg = pc->ctx->cfg;
	char path[CFG_PATH_MAX];
	struct pt_host h;

	cfg_child_path(path, bus_path, fdt_get_name(pc->sub.fdt, node, NULL));
	if (cfg->pt_device_count >= CFG_MAX_PT_DEVICES) {
		cfg_error(pc->ctx->errs, path, "xen,path", "more than %u passed-through devices",
			  CFG_MAX_PT_DEVICES);
		return;
	}
	if (!fdt_getprop(pc->sub.fdt, node, "xen,force-assign-without-iommu", NULL))
		cfg_error(pc->ctx->errs, path, "xen,force-assign-without-iommu", "missing: there is "
			  "no IOMMU, so the device's DMA is not confined (the property accepts that)");
	if (!host_find(pc, node, path, &h)) {
		if (!fdt_getprop(pc->sub.fdt, node, "xen,reg", NULL))
			cfg_error(pc->ctx->errs, path, "xen,reg", "missing: the MMIO the device maps");
		return;
	}
	unsigned int d = cfg->pt_device_count++;
	struct cfg_pt_device *dev = &cfg->pt_devices[d];
	memset(dev, 0, sizeof(*dev));      /* cfg_parse() clears entries as they are taken */
	snprintf(dev->host_path, sizeof(dev->host_path), "%s", h.path);
	dev->partition = pc->part;
	dev->spis = 0;
	read_xen_reg(pc, node, path, ac, sc, &h, d);
	uint64_t host_spis = host_read_spis(pc, path, &h, dev);
	check_guest_interrupts(pc, node, path, host_spis, h.path);
}

static unsigned int fdt_cost(size_t name_len, size_t value_len, bool node)
{
	if (node)
		return FDT_NODE_COST + (unsigned int)align_up(name_len + 1, FDT_ALIGN);
	return FDT_PROP_COST + (unsigned int)align_up(value_len, FDT_ALIGN) + (unsigned int)name_len + 1;
}

/*
 * A phandle names one node (devicetree specification 2.3.3): the guest
 * would otherwise get a tree in which a reference means either node.  A
 * node may carry the same value as phandle and as linux,phandle.
 */
static void note_phandle(struct pt_ctx *pc, const char *path, const char *name, int node,
			 uint32_t ph)
{
	char other[CFG_PATH_MAX];

	for (unsigned int i = 0; i < pc->phandle_count; i++) {
		if (pc->phandle[i] != ph || pc->phandle_node[i] == node)
			continue;
		/* fdt_get_path() walks from the root: only for a message that is kept. */
		if (pc->ctx->errs->count >= CFG_MAX_ERRORS ||
		    fdt_get_path(pc->sub.fdt, pc->phandle_node[i], other, sizeof(other)) != 0)
			strcpy(other, "another node");
		cfg_error(pc->ctx->errs, path, name, "0x%x is also %s's: a phandle names one node",
			  ph, other);
		return;
	}
	if (pc->phandle_count == PT_PHANDLES_MAX) {
		cfg_error(pc->ctx->errs, path, name, "more than %u phandles in one partial device "
			  "tree", PT_PHANDLES_MAX);
		return;
	}
	pc->phandle[pc->phandle_count] = ph;
	pc->phandle_node[pc->phandle_count++] = node;
}

/* A phandle the merged nodes may keep: below Tessera's own (guest_platform.h). */
static void check_phandle(struct pt_ctx *pc, const char *path, const char *name, int node,
			  const void *v, int len)
{
	uint32_t ph = len == CFG_CELL_BYTES ? (uint32_t)cfg_cells_value(v, 0, 1) : 0;

	if (ph != 0 && ph < GUEST_PHANDLE_FIRST) {
		note_phandle(pc, path, name, node, ph);
		return;
	}
	cfg_error(pc->ctx->errs, path, name, "must be one cell below 0x%x (the guest tree's own "
		  "phandles start there)", GUEST_PHANDLE_FIRST);
}

/* interrupt-parent: Xen's /gic placeholder, which becomes the guest's GIC. */
static void check_irq_parent(struct pt_ctx *pc, const char *path, const void *v, int len)
{
	uint32_t ph = len == CFG_CELL_BYTES ? (uint32_t)cfg_cells_value(v, 0, 1) : 0;

	if (pc->gic_phandle != 0 && ph == pc->gic_phandle)
		return;
	cfg_error(pc->ctx->errs, path, "interrupt-parent", "must be the /gic node's phandle%s: "
		  "the guest's GIC is the only interrupt controller",
		  pc->gic_phandle ? "" : " (the partial tree has none)");
}

/* One property of a node being merged: counted, and judged. */
static void walk_prop(struct pt_ctx *pc, const char *path, int node, int depth,
		      const char *name, const void *v, int len)
{
	bool xen = xen_prop(name);

	if (xen && depth != 1)
		cfg_error(pc->ctx->errs, path, name, "only the nodes directly under /passthrough "
			  "are devices");
	else if (!xen)
		pc->bytes += fdt_cost(strlen(name), (size_t)len, false);
	if (name_is(name, "phandle") || name_is(name, "linux,phandle"))
		check_phandle(pc, path, name, node, v, len);
	else if (name_is(name, "interrupt-parent"))
		check_irq_parent(pc, path, v, len);
	else if (name_is(name, "interrupts-extended"))
		cfg_error(pc->ctx->errs, path, name, "not supported (use interrupts)");
}

/*
 * Does an earlier child of @parent have @child's name?  libfdt reads two
 * nodes of one name, which dtc refuses (devicetree specification 2.2.1).
 * Each child is compared with those before it: only while the merged
 * nodes fit the guest tree (GUEST_FDT_PT_MAX bounds their number), since
 * a larger tree is refused anyway.
 */
static bool name_taken(const struct pt_ctx *pc, int parent, int child)
{
	const void *fdt = pc->sub.fdt;
	int len, other_len, other;
	const char *name = fdt_get_name(fdt, child, &len);

	if (pc->bytes > GUEST_FDT_PT_MAX || !name)
		return false;
	fdt_for_each_subnode(other, fdt, parent) {
		if (other == child)
			return false;
		const char *o = fdt_get_name(fdt, other, &other_len);
		if (o && other_len == len && memcmp(o, name, (size_t)len) == 0)
			return true;
	}
	return false;
}

/* The /passthrough subtree (depth 0 = /passthrough itself) as it will be merged. */
static void walk_subtree(struct pt_ctx *pc, int node, const char *path, int depth)
{
	char child_path[CFG_PATH_MAX];
	int off, child;
	const char *name = fdt_get_name(pc->sub.fdt, node, NULL);

	if (depth + 1 > (int)GUEST_FDT_PT_DEPTH_MAX) {
		cfg_error(pc->ctx->errs, path, name, "nested deeper than %u levels",
			  GUEST_FDT_PT_DEPTH_MAX);
		return;
	}
	pc->bytes += fdt_cost(strlen(name ? name : ""), 0, true);
	fdt_for_each_property_offset(off, pc->sub.fdt, node) {
		const char *pname;
		int len;
		const void *v = fdt_getprop_by_offset(pc->sub.fdt, off, &pname, &len);
		if (v)
			walk_prop(pc, path, node, depth, pname, v, len);
	}
	/* Each child's path from its parent's: fdt_get_path() walks the tree from the root. */
	fdt_for_each_subnode(child, pc->sub.fdt, node) {
		const char *child_name = fdt_get_name(pc->sub.fdt, child, NULL);
		cfg_child_path(child_path, path, child_name);
		if (name_taken(pc, node, child))
			cfg_error(pc->ctx->errs, child_path, child_name, "a second node of this name: "
				  "a path names one node");
		walk_subtree(pc, child, child_path, depth + 1);
	}
}

/*
 * A child of /passthrough with no xen,* property is not a device but a node
 * the devices refer to (a fixed clock, say): merged as is, as Xen does.
 */
static bool has_xen_prop(const void *fdt, int node)
{
	int off;

	fdt_for_each_property_offset(off, fdt, node) {
		const char *name;
		if (fdt_getprop_by_offset(fdt, off, &name, NULL) && xen_prop(name))
			return true;
	}
	return false;
}

/* /passthrough: compatible simple-bus, empty ranges, its own cells (passthrough.txt). */
static void parse_bus(struct pt_ctx *pc, int bus)
{
	const void *fdt = pc->sub.fdt;
	char path[CFG_PATH_MAX];
	unsigned int ac = 0, sc = 0;
	int len, node;

	pt_path(path, pc, bus);
	if (!cfg_compatible(fdt, bus, "simple-bus"))
		cfg_error(pc->ctx->errs, path, "compatible", "must contain \"simple-bus\"");
	if (!fdt_getprop(fdt, bus, "ranges", &len))
		cfg_error(pc->ctx->errs, path, "ranges", "missing (empty: device addresses are "
			  "guest addresses)");
	else if (len != 0)
		cfg_error(pc->ctx->errs, path, "ranges", "must be empty: device addresses are guest "
			  "addresses");
	bool cells = cfg_read_cells_prop(&pc->sub, bus, path, "#address-cells", &ac);
	cells = cfg_read_cells_prop(&pc->sub, bus, path, "#size-cells", &sc) && cells;
	if (!cells) {
		if (!ac || !sc)
			cfg_error(pc->ctx->errs, path, !ac ? "#address-cells" : "#size-cells",
				  "missing or not 1 or 2 (xen,reg is read in these cells)");
		return;
	}
	walk_subtree(pc, bus, path, 0);
	fdt_for_each_subnode(node, fdt, bus)
		if (has_xen_prop(fdt, node))
			parse_device(pc, node, path, ac, sc);
}

/* /aliases is merged as is: string properties only, no children. */
static void parse_aliases(struct pt_ctx *pc, int node)
{
	char path[CFG_PATH_MAX];
	int off;

	pt_path(path, pc, node);
	pc->bytes += fdt_cost(strlen(PT_ALIASES), 0, true);
	if (fdt_first_subnode(pc->sub.fdt, node) >= 0)
		cfg_error(pc->ctx->errs, path, "aliases", "must have no child nodes");
	fdt_for_each_property_offset(off, pc->sub.fdt, node) {
		const char *name;
		int len;
		const void *v = fdt_getprop_by_offset(pc->sub.fdt, off, &name, &len);
		if (v && cfg_is_string(v, len) && ((const char *)v)[0] == '/')
			pc->bytes += fdt_cost(strlen(name), (size_t)len, false);
		else
			cfg_error(pc->ctx->errs, path, name, "an alias must be a node path string");
	}
}

/* Xen's /gic placeholder: its phandle is what the devices' interrupt-parent names. */
static void parse_gic(struct pt_ctx *pc, int node)
{
	char path[CFG_PATH_MAX];

	pc->gic_phandle = fdt_get_phandle(pc->sub.fdt, node);
	if (pc->gic_phandle == 0)
		return;
	pt_path(path, pc, node);
	note_phandle(pc, path, "phandle", node, pc->gic_phandle);
}

/* The root's children a partial tree may have (passthrough.txt), each once. */
enum pt_root_child { PT_ROOT_OTHER = 0, PT_ROOT_GIC = 1, PT_ROOT_BUS = 2, PT_ROOT_ALIASES = 4 };

static enum pt_root_child root_child(const char *name)
{
	if (name_is(name, PT_GIC))
		return PT_ROOT_GIC;
	if (name_is(name, PT_BUS))
		return PT_ROOT_BUS;
	return name_is(name, PT_ALIASES) ? PT_ROOT_ALIASES : PT_ROOT_OTHER;
}

/*
 * The root's children: /gic read, /passthrough's offset returned (or -1).
 * libfdt reads two nodes of one name, which dtc refuses: the merge would
 * take the first, so a second one is an error.
 */
static int parse_root_children(struct pt_ctx *pc, const char *path)
{
	const void *fdt = pc->sub.fdt;
	unsigned int seen = 0;
	int node, bus = -1;

	fdt_for_each_subnode(node, fdt, 0) {
		const char *name = fdt_get_name(fdt, node, NULL);
		enum pt_root_child which = root_child(name);
		if (which == PT_ROOT_OTHER || (seen & which)) {
			cfg_error(pc->ctx->errs, path, name, which == PT_ROOT_OTHER ?
				  "not merged: a partial device tree gives only /passthrough, "
				  "/aliases and /gic" : "a second one: a partial device tree has one");
			continue;
		}
		seen |= which;
		if (which == PT_ROOT_GIC)
			parse_gic(pc, node);
		else if (which == PT_ROOT_BUS)
			bus = node;
	}
	return bus;
}

/* The root: only cells, /passthrough, /aliases and the /gic placeholder. */
static void parse_root(struct pt_ctx *pc)
{
	const void *fdt = pc->sub.fdt;
	char path[CFG_PATH_MAX];
	int off, node, bus;

	pt_path(path, pc, 0);
	fdt_for_each_property_offset(off, fdt, 0) {
		const char *name;
		if (!fdt_getprop_by_offset(fdt, off, &name, NULL) || name_is(name, "#address-cells") ||
		    name_is(name, "#size-cells"))
			continue;
		cfg_error(pc->ctx->errs, path, name, "not merged: a partial device tree gives only "
			  "/passthrough, /aliases and /gic");
	}
	bus = parse_root_children(pc, path);
	if (bus < 0)
		cfg_error(pc->ctx->errs, path, PT_BUS, "missing: the devices go under /passthrough");
	else
		parse_bus(pc, bus);
	node = fdt_subnode_offset(fdt, 0, PT_ALIASES);
	if (node >= 0)
		parse_aliases(pc, node);
}

/* The module's bytes, a complete and sound device tree; NULL after an error. */
static const void *open_partial(struct cfg_ctx *ctx, const struct cfg_module *m)
{
	const struct cfg_platform *plat = ctx->plat;

	if (m->size == 0 || !cfg_in_ram(plat, m->base, m->size))
		return NULL;                    /* reported by cfg_check_host_ranges() */
	const void *fdt = plat->read_module ? plat->read_module(m->base, m->size) : NULL;
	if (!fdt) {
		cfg_error(ctx->errs, m->path, "reg", "the partial device tree cannot be read");
		return NULL;
	}
	/*
	 * The host DT walk's checks before fdt_check_full(): libfdt 1.6.1
	 * loops for ever on a property length that wraps its offset,
	 * fdt_check_full() included (docs/fuzzing.md).  The walk reads what
	 * the header says: the module must hold that much.
	 */
	int err = m->size < sizeof(struct fdt_header) ? -FDT_ERR_TRUNCATED : fdt_check_header(fdt);
	if (!err && fdt_totalsize(fdt) > m->size)
		err = -FDT_ERR_TRUNCATED;
	uint32_t bad_at;
	if (!err && !host_dt_check(fdt, &bad_at)) {
		cfg_error(ctx->errs, m->path, "reg", "not a valid flattened device tree (malformed at "
			  "structure-block offset 0x%x)", bad_at);
		return NULL;
	}
	if (!err)
		err = fdt_check_full(fdt, m->size);
	if (err) {
		cfg_error(ctx->errs, m->path, "reg", "not a valid flattened device tree (%s)",
			  fdt_strerror(err));
		return NULL;
	}
	return fdt;
}

static void parse_partial(struct cfg_ctx *ctx, unsigned int idx)
{
	struct cfg_partition *p = &ctx->cfg->partitions[idx];
	const void *fdt = open_partial(ctx, &p->dtb);

	if (!fdt)
		return;
	struct pt_ctx pc = { .sub = *ctx, .ctx = ctx, .part = idx, .p = p };
	pc.sub.fdt = fdt;
	parse_root(&pc);
	p->pt_fdt = fdt;
	p->pt_fdt_bytes = pc.bytes;
	if (pc.bytes > GUEST_FDT_PT_MAX)
		cfg_error(ctx->errs, p->dtb.path, "reg", "its nodes take %u bytes in the guest "
			  "device tree, which has room for %u", pc.bytes, GUEST_FDT_PT_MAX);
}

void cfg_parse_passthrough(struct cfg_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->cfg->partition_count; i++)
		if (ctx->cfg->partitions[i].dtb.present && ctx->cfg->partitions[i].mem_bytes != 0)
			parse_partial(ctx, i);
}
