/*
 * Each partition's view of its machine (struct cfg_guest_map, DESIGN.md
 * §5): Xen's guest physical map (RAM in GUEST_RAM0 then GUEST_RAM1, the
 * GIC and the vpl011 at Xen's addresses), or, for a direct-mapped partition,
 * its RAM at its host address and the host's own GIC and UART addresses, as
 * Xen gives direct-mapped domains.  Computed once, after the domain nodes
 * are read; the guest DT, stage 2, the emulated devices and the shared-region
 * checks all read it.
 */
#include <string.h>

#include "cfg_internal.h"
#include "public/guest_platform.h"

#define GIC_VERSION_DEFAULT 3u

static void layout_ram(const struct cfg_partition *p, bool direct, struct cfg_guest_map *m)
{
	if (direct) {
		m->ram[m->ram_count++] = (struct cfg_range){ p->ram_base, p->mem_bytes };
		return;
	}
	uint64_t low = p->mem_bytes < GUEST_RAM0_SIZE ? p->mem_bytes : GUEST_RAM0_SIZE;
	m->ram[m->ram_count++] = (struct cfg_range){ GUEST_RAM0_BASE, low };
	if (p->mem_bytes > low)
		m->ram[m->ram_count++] = (struct cfg_range){ GUEST_RAM1_BASE, p->mem_bytes - low };
}

/* Xen's addresses, for every partition that is not direct-mapped. */
static void layout_devices_xen(const struct cfg_partition *p, struct cfg_guest_map *m)
{
	unsigned int vcpus = p->vcpu_count ? p->vcpu_count : 1;

	if (m->gic_version == 2) {
		m->gicd = (struct cfg_range){ GUEST_GICD_BASE, GUEST_GICD_SIZE };
		m->gicc = (struct cfg_range){ GUEST_GICC_BASE, GUEST_GICC_SIZE };
	} else {
		m->gicd = (struct cfg_range){ GUEST_GICV3_GICD_BASE, GUEST_GICV3_GICD_SIZE };
		m->gicr = (struct cfg_range){ GUEST_GICV3_GICR0_BASE, vcpus * GUEST_GICV3_GICR_STRIDE };
	}
	m->uart = (struct cfg_range){ GUEST_PL011_BASE, GUEST_PL011_SIZE };
	m->uart_intid = GUEST_VPL011_SPI;
}

/*
 * The host's addresses, where the host DT gave them (a platform without a
 * known GIC or console keeps Xen's for that device).  The redistributor
 * window covers this partition's vCPUs only.
 */
static void layout_devices_host(const struct cfg_partition *p, const struct cfg_host_devices *h,
				struct cfg_guest_map *m)
{
	unsigned int vcpus = p->vcpu_count ? p->vcpu_count : 1;

	if (h->gicd.size != 0) {
		m->gicd = h->gicd;
		if (m->gic_version == 2)      /* the CPU interface's 8 KiB: GICV mapped there */
			m->gicc = (struct cfg_range){ h->gicc.base, GUEST_GICC_SIZE };
		else
			m->gicr = (struct cfg_range){ h->gicr.base, vcpus * GUEST_GICV3_GICR_STRIDE };
	}
	if (h->uart.size != 0) {
		m->uart = (struct cfg_range){ h->uart.base, GUEST_PL011_SIZE };
		if (h->uart_intid != 0)
			m->uart_intid = h->uart_intid;
	}
}

/* Tessera's own devices; the doorbell GPIO only where there is a region to ring. */
static void layout_devices_tessera(const struct config *cfg, unsigned int idx,
				   struct cfg_guest_map *m)
{
	for (unsigned int i = 0; i < cfg->ref_count; i++) {
		if (cfg->refs[i].partition != idx)
			continue;
		m->gpio = (struct cfg_range){ GUEST_PL061_BASE, GUEST_PL061_SIZE };
		m->gpio_intid = GUEST_PL061_INTID;
		break;
	}
	m->ctl = (struct cfg_range){ GUEST_CTL_BASE, GUEST_CTL_SIZE };
}

/*
 * A direct-mapped partition's RAM and the host's device addresses it sees
 * come from the host, so they may meet Tessera's own devices (or the
 * doorbell GPIO's interrupt may be the host UART's): refuse that.
 */
static void check_tessera_devices(struct cfg_ctx *ctx, const struct cfg_partition *p)
{
	const struct cfg_guest_map *m = &p->map;
	const struct { const char *name; const struct cfg_range *r; } mine[] = {
		{ "the doorbell GPIO", &m->gpio }, { "the control device", &m->ctl },
	};
	const struct { const char *name; const struct cfg_range *r; } theirs[] = {
		{ "guest RAM", &m->ram[0] }, { "guest RAM", &m->ram[1] },
		{ "the GIC distributor", &m->gicd }, { "the GIC redistributors", &m->gicr },
		{ "the GIC CPU interface", &m->gicc }, { "the UART", &m->uart },
	};
	const char *prop = p->direct_map ? "direct-map" : "memory";

	for (unsigned int i = 0; i < ARRAY_SIZE(mine); i++) {
		for (unsigned int j = 0; j < ARRAY_SIZE(theirs); j++) {
			const struct cfg_range *a = mine[i].r, *b = theirs[j].r;
			if (a->size == 0 || b->size == 0 ||
			    !ranges_overlap(a->base, a->size, b->base, b->size))
				continue;
			char ra[CFG_RANGE_STR], rb[CFG_RANGE_STR];
			cfg_fmt_range(ra, a->base, a->size);
			cfg_fmt_range(rb, b->base, b->size);
			cfg_error(ctx->errs, p->path, prop, "%s %s overlaps %s %s",
				  theirs[j].name, rb, mine[i].name, ra);
		}
	}
	if (m->gpio.size != 0 && m->gpio_intid == m->uart_intid)
		cfg_error(ctx->errs, p->path, prop, "the UART's interrupt (INTID %u) is the "
			  "doorbell GPIO's", m->uart_intid);
}

/* The vpl011's line must be one of the SPIs the partition's GIC has. */
static void check_uart_intid(struct cfg_ctx *ctx, const struct cfg_partition *p)
{
	uint32_t intid = p->map.uart_intid;

	if (intid >= CFG_GUEST_SPI_FIRST && intid < CFG_GUEST_SPI_FIRST + CFG_GUEST_SPI_COUNT)
		return;
	cfg_error(ctx->errs, p->path, "direct-map",
		  "the console UART's interrupt (INTID %u) is not one of the %u SPIs a partition's "
		  "GIC has", intid, CFG_GUEST_SPI_COUNT);
}

/* direct-map needs the RAM's host address fixed by xen,static-mem (booting.txt). */
static void check_direct_map(struct cfg_ctx *ctx, const struct cfg_partition *p)
{
	if (p->direct_map && !p->static_mem)
		cfg_error(ctx->errs, p->path, "direct-map",
			  "needs xen,static-mem: the guest sees its RAM at its host address");
}

/* Every guest RAM bank inside the guest physical address space. */
static void check_ipa_space(struct cfg_ctx *ctx, const struct cfg_partition *p)
{
	uint64_t limit = 1ull << cfg_ipa_bits(ctx->plat);

	for (unsigned int i = 0; i < p->map.ram_count; i++) {
		const struct cfg_range *r = &p->map.ram[i];
		if (r->size != 0 && cfg_range_within(r->base, r->size, limit))
			continue;
		char range[CFG_RANGE_STR];
		cfg_fmt_range(range, r->base, r->size);
		cfg_error(ctx->errs, p->path, p->direct_map ? "xen,static-mem" : "memory",
			  "guest RAM %s is beyond the %u-bit guest physical address space", range,
			  cfg_ipa_bits(ctx->plat));
	}
}

unsigned int cfg_ipa_bits(const struct cfg_platform *plat)
{
	return plat->ipa_bits ? plat->ipa_bits : CFG_IPA_BITS_DEFAULT;
}

bool cfg_range_within(uint64_t base, uint64_t size, uint64_t limit)
{
	return base <= limit && size <= limit - base;
}

void cfg_layout_partitions(struct cfg_ctx *ctx)
{
	const struct cfg_host_devices *h = &ctx->plat->host;

	for (unsigned int i = 0; i < ctx->cfg->partition_count; i++) {
		struct cfg_partition *p = &ctx->cfg->partitions[i];
		struct cfg_guest_map *m = &p->map;

		memset(m, 0, sizeof(*m));
		m->gic_version = h->gic_version ? h->gic_version : GIC_VERSION_DEFAULT;
		check_direct_map(ctx, p);
		if (p->mem_bytes == 0)
			continue;
		bool direct = p->direct_map && p->static_mem;
		layout_ram(p, direct, m);
		layout_devices_xen(p, m);
		if (direct)
			layout_devices_host(p, h, m);
		layout_devices_tessera(ctx->cfg, i, m);
		check_ipa_space(ctx, p);
		check_uart_intid(ctx, p);
		check_tessera_devices(ctx, p);
	}
}
