/*
 * Shared by the harnesses that parse a configuration (fuzz_cfg.c,
 * fuzz_guest_fdt.c): boot's parse pipeline and the invariants of an
 * accepted configuration (these came from the first, libFuzzer-free cfg
 * fuzzer).  docs/fuzzing.md.
 */
#include <string.h>

#include <libfdt.h>

#include "fuzz_common.h"
#include "guest_fdt.h"
#include "types.h"

#define PT_SPI_ALL  (~0ull >> (64 - CFG_GUEST_SPI_COUNT))   /* the SPIs a partition's GIC has */

/* ------------------------------------------------------- the boot pipeline */

int fuzz_boot_parse(const void *fdt, struct host_dt *h, struct cfg_platform *plat,
		    struct config *cfg, struct cfg_errors *errs)
{
	host_dt_scan(fdt, h);
	if (h->malformed) {
		fuzz_count(FUZZ_MALFORMED);
		return -1;
	}
	*plat = fuzz_platforms[fdt_boot_cpuid_phys(fdt) % FUZZ_PLATFORMS];
	plat->chosen_hint = h->chosen > 0 ? h->chosen : 0;   /* as platform_describe() */
	plat->read_module = fuzz_read_module;                /* the input's tail */
	int ret = cfg_parse(fdt, plat, cfg, errs);

	fuzz_check_errors(ret, errs);
	fuzz_count(ret == 0 ? FUZZ_ACCEPTED : FUZZ_REJECTED);
	if (ret == 0)
		fuzz_check_config(fdt, plat, cfg);
	if (ret == 0 && cfg->pt_device_count > 0)
		fuzz_count(FUZZ_PASSTHROUGH);
	return ret;
}

/* ------------------------------------------------------------ invariants */

static bool in_ram(const struct cfg_platform *plat, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < plat->ram_count; i++) {
		const struct cfg_range *r = &plat->ram[i];

		if (size != 0 && base + size > base && base >= r->base &&
		    base + size <= r->base + r->size)
			return true;
	}
	return false;
}

static bool clear_of_reserved(const struct cfg_platform *plat, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < plat->reserved_count; i++)
		if (ranges_overlap(base, size, plat->reserved[i].base, plat->reserved[i].size))
			return false;
	return true;
}

static bool terminated(const char *s, size_t max)
{
	return memchr(s, '\0', max) != NULL;
}

static void check_module(const struct cfg_platform *plat, const struct cfg_partition *p,
			 const struct cfg_module *m, const char *what)
{
	if (!m->present)
		return;
	FUZZ_ASSERT(in_ram(plat, m->base, m->size), "%s: %s 0x%llx+0x%llx outside RAM", p->name,
		    what, (unsigned long long)m->base, (unsigned long long)m->size);
	FUZZ_ASSERT(terminated(m->path, sizeof(m->path)), "%s: %s path unterminated", p->name, what);
}

static void check_partition(const struct cfg_platform *plat, const struct config *cfg,
			    unsigned int i, bool *cpu_used)
{
	const struct cfg_partition *p = &cfg->partitions[i];

	FUZZ_ASSERT(terminated(p->name, sizeof(p->name)) && p->name[0] != '\0',
		    "partition %u: name empty or unterminated", i);
	FUZZ_ASSERT(terminated(p->path, sizeof(p->path)), "%s: path unterminated", p->name);
	FUZZ_ASSERT(terminated(p->bootargs, sizeof(p->bootargs)), "%s: bootargs unterminated",
		    p->name);
	FUZZ_ASSERT(in_ram(plat, p->ram_base, p->mem_bytes) &&
		    clear_of_reserved(plat, p->ram_base, p->mem_bytes),
		    "%s: RAM 0x%llx+0x%llx outside RAM or over a reserved range", p->name,
		    (unsigned long long)p->ram_base, (unsigned long long)p->mem_bytes);
	FUZZ_ASSERT(is_aligned(p->ram_base, SZ_2M) && is_aligned(p->mem_bytes, SZ_2M),
		    "%s: RAM 0x%llx+0x%llx not 2 MiB aligned", p->name,
		    (unsigned long long)p->ram_base, (unsigned long long)p->mem_bytes);
	FUZZ_ASSERT(p->kernel.present, "%s: no kernel", p->name);
	check_module(plat, p, &p->kernel, "kernel");
	check_module(plat, p, &p->ramdisk, "ramdisk");
	check_module(plat, p, &p->dtb, "partial device tree");
	FUZZ_ASSERT(p->vcpu_count >= 1 && p->vcpu_count <= CFG_MAX_VCPUS, "%s: %u vCPUs", p->name,
		    p->vcpu_count);
	for (unsigned int v = 0; v < p->vcpu_count; v++) {
		FUZZ_ASSERT(p->pcpu[v] < plat->cpu_count && !cpu_used[p->pcpu[v]],
			    "%s: vCPU %u on CPU %u: missing or taken", p->name, v, p->pcpu[v]);
		cpu_used[p->pcpu[v]] = true;
	}
	for (unsigned int j = 0; j < i; j++) {
		const struct cfg_partition *q = &cfg->partitions[j];

		FUZZ_ASSERT(!ranges_overlap(p->ram_base, p->mem_bytes, q->ram_base, q->mem_bytes),
			    "%s and %s: RAM overlaps", p->name, q->name);
		FUZZ_ASSERT(strcmp(p->name, q->name) != 0, "two partitions named %s", p->name);
		FUZZ_ASSERT(p->id != q->id, "%s and %s: same id %u", p->name, q->name, p->id);
	}
	for (unsigned int r = 0; r < cfg->region_count; r++)
		FUZZ_ASSERT(!ranges_overlap(p->ram_base, p->mem_bytes, cfg->regions[r].host_base,
					    cfg->regions[r].size),
			    "%s: RAM overlaps region %s", p->name, cfg->regions[r].id);
}

static void check_region(const struct cfg_platform *plat, const struct config *cfg,
			 unsigned int r)
{
	const struct cfg_shm_region *g = &cfg->regions[r];

	FUZZ_ASSERT(terminated(g->id, sizeof(g->id)) && g->id[0] != '\0',
		    "region %u: id empty or unterminated", r);
	FUZZ_ASSERT(in_ram(plat, g->host_base, g->size) &&
		    clear_of_reserved(plat, g->host_base, g->size),
		    "region %s: 0x%llx+0x%llx outside RAM or over a reserved range", g->id,
		    (unsigned long long)g->host_base, (unsigned long long)g->size);
	FUZZ_ASSERT(g->owner == CFG_OWNER_DOM_SHARED ||
		    (g->owner >= 0 && (unsigned int)g->owner < cfg->partition_count),
		    "region %s: owner %d", g->id, g->owner);
	FUZZ_ASSERT(!g->id_is_u32 || g->id_u32 <= CFG_SHM_U32_ID_LAST, "region %s: id 0x%x",
		    g->id, g->id_u32);
	for (unsigned int q = 0; q < r; q++) {
		FUZZ_ASSERT(!ranges_overlap(g->host_base, g->size, cfg->regions[q].host_base,
					    cfg->regions[q].size),
			    "regions %s and %s overlap", g->id, cfg->regions[q].id);
		FUZZ_ASSERT(strcmp(g->id, cfg->regions[q].id) != 0, "two regions %s", g->id);
	}
}

static void check_ref(const struct config *cfg, unsigned int i)
{
	const struct cfg_shm_ref *ref = &cfg->refs[i];

	FUZZ_ASSERT(ref->partition < cfg->partition_count && ref->region < cfg->region_count,
		    "ref %u: partition %u region %u", i, ref->partition, ref->region);
	const struct cfg_shm_region *g = &cfg->regions[ref->region];

	FUZZ_ASSERT(!ref->owner || g->owner == (int)ref->partition,
		    "ref %u: owner of %s but the region says %d", i, g->id, g->owner);
	FUZZ_ASSERT(ref->guest_base + g->size > ref->guest_base, "ref %u: guest range of %s wraps",
		    i, g->id);
	for (unsigned int j = 0; j < i; j++) {
		const struct cfg_shm_ref *o = &cfg->refs[j];

		if (o->partition != ref->partition)
			continue;
		/* Each region at most once per partition (include/guest_fdt.h relies on it). */
		FUZZ_ASSERT(o->region != ref->region, "%s names region %s twice",
			    cfg->partitions[ref->partition].name, g->id);
		FUZZ_ASSERT(!ranges_overlap(ref->guest_base, g->size, o->guest_base,
					    cfg->regions[o->region].size),
			    "%s: regions %s and %s overlap in the guest",
			    cfg->partitions[ref->partition].name, g->id, cfg->regions[o->region].id);
	}
}

/* ------------------------------------------------------- device passthrough */

static uint64_t range_end(uint64_t base, uint64_t size)
{
	return base + size;
}

/* The host node a device names: there, marked, and not the GIC or part of it. */
static void check_pt_host_node(const void *fdt, const struct config *cfg, unsigned int d)
{
	const struct cfg_pt_device *dev = &cfg->pt_devices[d];

	FUZZ_ASSERT(terminated(dev->host_path, sizeof(dev->host_path)) && dev->host_path[0] == '/',
		    "device %u: host path unterminated or not a path", d);
	FUZZ_ASSERT(dev->partition < cfg->partition_count &&
		    (d == 0 || cfg->pt_devices[d - 1].partition <= dev->partition),
		    "device %u (%s): partition %u", d, dev->host_path, dev->partition);
	int node = fdt_path_offset(fdt, dev->host_path);

	FUZZ_ASSERT(node > 0 && fdt_getprop(fdt, node, "xen,passthrough", NULL) != NULL,
		    "device %s: not a host node marked xen,passthrough", dev->host_path);
	for (int depth = fdt_node_depth(fdt, node); depth >= 1; depth--) {
		int n = fdt_supernode_atdepth_offset(fdt, node, depth, NULL);

		FUZZ_ASSERT(n >= 0 && fdt_getprop(fdt, n, "interrupt-controller", NULL) == NULL,
			    "device %s: an interrupt controller or part of one", dev->host_path);
	}
	for (unsigned int e = 0; e < d; e++)
		FUZZ_ASSERT(strcmp(cfg->pt_devices[e].host_path, dev->host_path) != 0,
			    "device %s assigned twice", dev->host_path);
	const struct cfg_guest_map *m = &cfg->partitions[dev->partition].map;

	FUZZ_ASSERT((dev->spis & ~m->pt_spis) == 0, "device %s: SPIs 0x%llx not its partition's",
		    dev->host_path, (unsigned long long)dev->spis);
}

/* What no passed-through range may overlap on the host: RAM and Tessera's own devices. */
static void check_pt_host_range(const struct cfg_platform *plat, const struct config *cfg,
				const struct cfg_pt_range *r)
{
	const struct cfg_host_devices *d = &plat->host;
	const struct cfg_range own[] = { d->uart, d->gicd, d->gicr, d->gicc };

	for (unsigned int i = 0; i < plat->ram_count; i++)
		FUZZ_ASSERT(!ranges_overlap(r->host, r->size, plat->ram[i].base, plat->ram[i].size),
			    "passed-through host range 0x%llx+0x%llx is RAM",
			    (unsigned long long)r->host, (unsigned long long)r->size);
	for (unsigned int i = 0; i < ARRAY_SIZE(own); i++)
		FUZZ_ASSERT(own[i].size == 0 ||
			    !ranges_overlap(r->host, r->size, own[i].base, own[i].size),
			    "passed-through host range 0x%llx+0x%llx is Tessera's device %u",
			    (unsigned long long)r->host, (unsigned long long)r->size, i);
	for (unsigned int q = 0; q < cfg->partition_count; q++) {
		const struct cfg_guest_map *o = &cfg->partitions[q].map;

		for (unsigned int j = 0; j < o->pt_range_count; j++)
			FUZZ_ASSERT(&o->pt_range[j] == r ||
				    !ranges_overlap(r->host, r->size, o->pt_range[j].host,
						    o->pt_range[j].size),
				    "host range 0x%llx+0x%llx passed through twice",
				    (unsigned long long)r->host, (unsigned long long)r->size);
	}
}

/* Guest side: in the IPA space, clear of everything else the partition sees. */
static void check_pt_guest_range(const struct cfg_platform *plat, const struct config *cfg,
				 unsigned int part, const struct cfg_pt_range *r)
{
	const struct cfg_partition *p = &cfg->partitions[part];
	const struct cfg_guest_map *m = &p->map;
	unsigned int bits = plat->ipa_bits ? plat->ipa_bits : CFG_IPA_BITS_DEFAULT;
	const struct cfg_range seen[] = { m->ram[0], m->ram[1], m->gicd, m->gicr, m->gicc, m->uart };

	FUZZ_ASSERT(range_end(r->guest, r->size) <= 1ull << bits,
		    "%s: guest range 0x%llx+0x%llx beyond %u bits", p->name,
		    (unsigned long long)r->guest, (unsigned long long)r->size, bits);
	for (unsigned int i = 0; i < ARRAY_SIZE(seen); i++)
		FUZZ_ASSERT((i < CFG_GUEST_RAM_BANKS && i >= m->ram_count) || seen[i].size == 0 ||
			    !ranges_overlap(r->guest, r->size, seen[i].base, seen[i].size),
			    "%s: passed-through guest range 0x%llx+0x%llx over its window %u",
			    p->name, (unsigned long long)r->guest, (unsigned long long)r->size, i);
	for (unsigned int i = 0; i < cfg->ref_count; i++) {
		const struct cfg_shm_ref *f = &cfg->refs[i];

		FUZZ_ASSERT(f->partition != part ||
			    !ranges_overlap(r->guest, r->size, f->guest_base,
					    cfg->regions[f->region].size),
			    "%s: passed-through guest range 0x%llx over region %s", p->name,
			    (unsigned long long)r->guest, cfg->regions[f->region].id);
	}
	for (unsigned int j = 0; j < m->pt_range_count; j++)
		FUZZ_ASSERT(&m->pt_range[j] == r ||
			    !ranges_overlap(r->guest, r->size, m->pt_range[j].guest,
					    m->pt_range[j].size),
			    "%s: guest range 0x%llx passed through twice", p->name,
			    (unsigned long long)r->guest);
}

/*
 * What core/passthrough.c and core/partition.c map and route: whole pages,
 * device memory only, nothing of Tessera's or another partition's, SPIs
 * that are not the consoles' and belong to one partition only.
 */
static void check_passthrough(const void *fdt, const struct cfg_platform *plat,
			      const struct config *cfg)
{
	uint64_t spis_seen = 0;

	FUZZ_ASSERT(cfg->pt_device_count <= CFG_MAX_PT_DEVICES, "%u devices", cfg->pt_device_count);
	for (unsigned int d = 0; d < cfg->pt_device_count; d++)
		check_pt_host_node(fdt, cfg, d);
	for (unsigned int i = 0; i < cfg->partition_count; i++) {
		const struct cfg_partition *p = &cfg->partitions[i];
		const struct cfg_guest_map *m = &p->map;
		uint64_t dev_spis = 0;

		for (unsigned int d = 0; d < cfg->pt_device_count; d++)
			dev_spis |= cfg->pt_devices[d].partition == i ? cfg->pt_devices[d].spis : 0;
		FUZZ_ASSERT(m->pt_spis == dev_spis && (m->pt_spis & ~PT_SPI_ALL) == 0 &&
			    (m->pt_spi_edge & ~m->pt_spis) == 0 && (m->pt_spis & spis_seen) == 0,
			    "%s: SPIs 0x%llx (edge 0x%llx), its devices' 0x%llx, taken 0x%llx",
			    p->name, (unsigned long long)m->pt_spis,
			    (unsigned long long)m->pt_spi_edge, (unsigned long long)dev_spis,
			    (unsigned long long)spis_seen);
		spis_seen |= m->pt_spis;
		for (uint32_t intid = CFG_GUEST_SPI_FIRST;
		     intid < CFG_GUEST_SPI_FIRST + CFG_GUEST_SPI_COUNT; intid++)
			FUZZ_ASSERT(!(m->pt_spis >> (intid - CFG_GUEST_SPI_FIRST) & 1) ||
				    (intid != plat->host.uart_intid && intid != m->uart_intid),
				    "%s: SPI INTID %u is a console's", p->name, intid);
		FUZZ_ASSERT(p->pt_fdt == NULL || (p->dtb.present && p->pt_fdt_bytes <= GUEST_FDT_PT_MAX),
			    "%s: a partial tree without its module, or %u bytes", p->name,
			    p->pt_fdt_bytes);
		FUZZ_ASSERT(p->pt_fdt != NULL || (m->pt_range_count == 0 && m->pt_spis == 0),
			    "%s: passthrough without a partial tree", p->name);
		FUZZ_ASSERT(m->pt_range_count <= CFG_MAX_PT_RANGES, "%s: %u ranges", p->name,
			    m->pt_range_count);
		for (unsigned int j = 0; j < m->pt_range_count; j++) {
			const struct cfg_pt_range *r = &m->pt_range[j];

			FUZZ_ASSERT(r->size != 0 && is_aligned(r->host | r->guest | r->size, SZ_4K) &&
				    range_end(r->host, r->size) > r->host &&
				    range_end(r->guest, r->size) > r->guest,
				    "%s: range 0x%llx+0x%llx at 0x%llx", p->name,
				    (unsigned long long)r->host, (unsigned long long)r->size,
				    (unsigned long long)r->guest);
			FUZZ_ASSERT(r->device < cfg->pt_device_count &&
				    cfg->pt_devices[r->device].partition == i,
				    "%s: range of device %u", p->name, r->device);
			check_pt_host_range(plat, cfg, r);
			check_pt_guest_range(plat, cfg, i, r);
		}
	}
}

void fuzz_check_config(const void *fdt, const struct cfg_platform *plat, const struct config *cfg)
{
	bool cpu_used[CFG_MAX_CPUS] = { false };

	FUZZ_ASSERT(cfg->partition_count >= 1 && cfg->partition_count <= CFG_MAX_PARTITIONS,
		    "%u partitions", cfg->partition_count);
	FUZZ_ASSERT(cfg->region_count <= CFG_MAX_REGIONS && cfg->ref_count <= CFG_MAX_SHM_REFS,
		    "%u regions, %u refs", cfg->region_count, cfg->ref_count);
	for (unsigned int i = 0; i < cfg->partition_count; i++)
		check_partition(plat, cfg, i, cpu_used);
	for (unsigned int r = 0; r < cfg->region_count; r++)
		check_region(plat, cfg, r);
	for (unsigned int i = 0; i < cfg->ref_count; i++)
		check_ref(cfg, i);
	check_passthrough(fdt, plat, cfg);
}

void fuzz_check_errors(int ret, const struct cfg_errors *errs)
{
	FUZZ_ASSERT(ret >= 0 && (unsigned int)ret == errs->count, "cfg_parse returned %d, %u errors",
		    ret, errs->count);
	for (unsigned int i = 0; i < errs->count && i < CFG_MAX_ERRORS; i++) {
		FUZZ_ASSERT(terminated(errs->line[i], CFG_ERROR_LEN), "error %u unterminated", i);
		FUZZ_ASSERT(strncmp(errs->line[i], "config: /", strlen("config: /")) == 0,
			    "error %u is not \"config: /...\": %s", i, errs->line[i]);
	}
}
