/*
 * Shared by the harnesses that parse a configuration (fuzz_cfg.c,
 * fuzz_guest_fdt.c): boot's parse pipeline and the invariants of an
 * accepted configuration (these came from the first, libFuzzer-free cfg
 * fuzzer).  docs/fuzzing.md.
 */
#include <string.h>

#include <libfdt.h>

#include "fuzz_common.h"
#include "types.h"

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
	int ret = cfg_parse(fdt, plat, cfg, errs);

	fuzz_check_errors(ret, errs);
	fuzz_count(ret == 0 ? FUZZ_ACCEPTED : FUZZ_REJECTED);
	if (ret == 0)
		fuzz_check_config(plat, cfg);
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

void fuzz_check_config(const struct cfg_platform *plat, const struct config *cfg)
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
