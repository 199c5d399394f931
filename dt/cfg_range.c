/*
 * Host physical ranges claimed by the configuration ("occupants"): platform
 * reserved ranges, boot modules, static memory, placed partition RAM and
 * shared regions.  The checks here make sure each sits in RAM and no two
 * share a byte; cfg_place.c searches the gaps between them.
 *
 * Occupants are enumerated by index, not copied into a table, so the
 * hypervisor needs no large buffer on its boot stack.
 */
#include <stdio.h>

#include "cfg_internal.h"

enum part_slot { SLOT_KERNEL, SLOT_RAMDISK, SLOT_DTB, SLOT_STATIC, SLOT_RAM, SLOTS_PER_PARTITION };

static unsigned int reserved_count(const struct cfg_platform *plat)
{
	return plat->reserved_count < CFG_MAX_RANGES ? plat->reserved_count : CFG_MAX_RANGES;
}

static unsigned int ram_count(const struct cfg_platform *plat)
{
	return plat->ram_count < CFG_MAX_RANGES ? plat->ram_count : CFG_MAX_RANGES;
}

/* End of a range, saturated: a range may end exactly at 2^64. */
static uint64_t range_end(uint64_t base, uint64_t size)
{
	return base + size < base ? UINT64_MAX : base + size;
}

unsigned int cfg_occ_count(const struct cfg_ctx *ctx)
{
	return reserved_count(ctx->plat) +
	       SLOTS_PER_PARTITION * ctx->cfg->partition_count + ctx->cfg->region_count;
}

static void occ_set(struct cfg_occ *o, enum cfg_occ_kind kind, uint64_t base, uint64_t size,
		    const char *path, const char *prop)
{
	o->kind = kind;
	o->base = base;
	o->size = size;
	o->path = path;
	o->prop = prop;
	o->what = kind == CFG_OCC_REGION ? "host range " : "";
}

static bool occ_partition(const struct cfg_ctx *ctx, unsigned int p, enum part_slot slot,
			  struct cfg_occ *o)
{
	const struct cfg_partition *part = &ctx->cfg->partitions[p];
	const struct cfg_module *m = slot == SLOT_KERNEL ? &part->kernel :
				     slot == SLOT_RAMDISK ? &part->ramdisk : &part->dtb;

	switch (slot) {
	case SLOT_KERNEL:
	case SLOT_RAMDISK:
	case SLOT_DTB:
		if (!m->present || m->size == 0)
			return false;          /* most partitions have no ramdisk or device tree */
		occ_set(o, CFG_OCC_MODULE, m->base, m->size, m->path, "reg");
		return true;
	case SLOT_STATIC:
		occ_set(o, CFG_OCC_STATIC, part->ram_base, ctx->static_size[p], part->path,
			"xen,static-mem");
		return ctx->static_size[p] != 0;
	case SLOT_RAM:
		occ_set(o, CFG_OCC_RAM, part->ram_base, part->mem_bytes, part->path,
			part->id == CFG_DOM0_ID ? "xen,xen-bootargs" : "memory");
		return ctx->placed[p];
	default:
		return false;
	}
}

/* Occupant @i; false when that slot holds nothing (absent or invalid). */
bool cfg_occ_get(const struct cfg_ctx *ctx, unsigned int i, struct cfg_occ *o)
{
	const struct cfg_platform *plat = ctx->plat;
	const struct config *cfg = ctx->cfg;

	if (i < reserved_count(plat)) {
		occ_set(o, CFG_OCC_RESERVED, plat->reserved[i].base, plat->reserved[i].size, NULL,
			"reserved");
		return o->size != 0;
	}
	i -= reserved_count(plat);
	if (i < SLOTS_PER_PARTITION * cfg->partition_count)
		return occ_partition(ctx, i / SLOTS_PER_PARTITION,
				     (enum part_slot)(i % SLOTS_PER_PARTITION), o);
	i -= SLOTS_PER_PARTITION * cfg->partition_count;
	if (i >= cfg->region_count)
		return false;
	const struct cfg_shm_region *r = &cfg->regions[i];
	occ_set(o, CFG_OCC_REGION, r->host_base, r->size, r->path, "xen,shared-mem");
	return r->size != 0 && (!r->host_picked || ctx->region_placed[i]);
}

bool cfg_in_ram(const struct cfg_platform *plat, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < ram_count(plat); i++) {
		const struct cfg_range *r = &plat->ram[i];
		if (r->size != 0 && base >= r->base &&
		    range_end(base, size) <= range_end(r->base, r->size))
			return true;
	}
	return false;
}

static void describe(char *out, size_t max, const struct cfg_occ *o)
{
	char range[CFG_RANGE_STR];

	cfg_fmt_range(range, o->base, o->size);
	if (o->kind == CFG_OCC_RESERVED)
		snprintf(out, max, "reserved range %s", range);
	else
		snprintf(out, max, "%s of %s", range, o->path);
}

/*
 * Several domains may name the same boot module (identical address and
 * size), as Xen allows: each partition copies it into its own RAM at start
 * (core/partition.c), so one loaded image serves them all.  A partial
 * overlap is still an error.
 */
static bool same_module(const struct cfg_occ *a, const struct cfg_occ *b)
{
	return a->kind == CFG_OCC_MODULE && b->kind == CFG_OCC_MODULE && a->base == b->base &&
	       a->size == b->size;
}

/* The range is formatted only for an error: snprintf is most of a check's cost. */
static void check_one(struct cfg_ctx *ctx, unsigned int i, const struct cfg_occ *o)
{
	char range[CFG_RANGE_STR], other[CFG_PATH_MAX + CFG_RANGE_STR];
	struct cfg_occ p;

	if (!cfg_in_ram(ctx->plat, o->base, o->size)) {
		cfg_fmt_range(range, o->base, o->size);
		cfg_error(ctx->errs, o->path, o->prop, "%s%s is not in RAM", o->what, range);
	}
	for (unsigned int j = 0; j < i; j++) {
		if (!cfg_occ_get(ctx, j, &p) || !ranges_overlap(o->base, o->size, p.base, p.size) ||
		    same_module(o, &p))
			continue;
		cfg_fmt_range(range, o->base, o->size);
		describe(other, sizeof(other), &p);
		cfg_error(ctx->errs, o->path, o->prop, "%s%s overlaps %s", o->what, range, other);
	}
}

/* Partitions that get RAM from the pool must each fit in what is free. */
static void check_free(struct cfg_ctx *ctx)
{
	uint64_t total, largest;

	cfg_free_ram(ctx, &total, &largest);
	for (unsigned int i = 0; i < ctx->cfg->partition_count; i++) {
		const struct cfg_partition *p = &ctx->cfg->partitions[i];
		if (p->static_mem || p->mem_bytes <= total)
			continue;
		cfg_error(ctx->errs, p->path, p->id == CFG_DOM0_ID ? "xen,xen-bootargs" : "memory",
			  "%llu KiB (0x%llx bytes) is more than the free RAM (0x%llx bytes)",
			  (unsigned long long)(p->mem_bytes >> CFG_KIB_SHIFT),
			  (unsigned long long)p->mem_bytes, (unsigned long long)total);
	}
}

/*
 * Every claimed range lies in RAM and overlaps no earlier one.  Platform
 * reserved ranges are taken as given (firmware may overlap itself).  Each
 * clash is reported once, at the later range, naming the earlier.
 */
void cfg_check_host_ranges(struct cfg_ctx *ctx)
{
	struct cfg_occ o;

	for (unsigned int i = 0; i < cfg_occ_count(ctx); i++)
		if (cfg_occ_get(ctx, i, &o) && o.kind != CFG_OCC_RESERVED)
			check_one(ctx, i, &o);
	check_free(ctx);
}

/* Where the lowest occupant covering @pos ends, or 0 when none covers it. */
static uint64_t covered_until(const struct cfg_ctx *ctx, uint64_t pos, uint64_t *next)
{
	uint64_t until = 0;
	struct cfg_occ o;

	for (unsigned int j = 0; j < cfg_occ_count(ctx); j++) {
		if (!cfg_occ_get(ctx, j, &o))
			continue;
		uint64_t end = range_end(o.base, o.size);
		if (o.base <= pos && pos < end)
			until = end > until ? end : until;
		else if (o.base > pos && o.base < *next)
			*next = o.base;
	}
	return until;
}

/* cfg_free_ram() sorts the occupants when there are at most this many (else the slow scan). */
#define FREE_SORT_MAX 48

struct span {
	uint64_t base, end;
};

static void gap_add(uint64_t from, uint64_t to, uint64_t *total, uint64_t *largest)
{
	*total += to - from;
	*largest = to - from > *largest ? to - from : *largest;
}

/* The occupants as [base, end) sorted by base; false when more than @max. */
static bool sorted_spans(const struct cfg_ctx *ctx, struct span *s, unsigned int max,
			 unsigned int *count)
{
	struct cfg_occ o;
	unsigned int n = 0;

	for (unsigned int j = 0; j < cfg_occ_count(ctx); j++) {
		if (!cfg_occ_get(ctx, j, &o))
			continue;
		if (n == max)
			return false;
		struct span v = { o.base, range_end(o.base, o.size) };
		unsigned int k = n++;
		for (; k > 0 && s[k - 1].base > v.base; k--)
			s[k] = s[k - 1];
		s[k] = v;
	}
	*count = n;
	return true;
}

/*
 * Sum and largest of the RAM gaps no occupant claims: one sweep over the
 * occupants sorted by base, when they fit FREE_SORT_MAX (the scan below
 * asks every occupant at every step).
 */
void cfg_free_ram(const struct cfg_ctx *ctx, uint64_t *total, uint64_t *largest)
{
	struct span spans[FREE_SORT_MAX];
	unsigned int count = 0;
	bool sorted = sorted_spans(ctx, spans, FREE_SORT_MAX, &count);

	*total = 0;
	*largest = 0;
	for (unsigned int i = 0; i < ram_count(ctx->plat); i++) {
		const struct cfg_range *r = &ctx->plat->ram[i];
		uint64_t pos = r->base, end = range_end(r->base, r->size);
		for (unsigned int k = 0; sorted && k < count && pos < end; k++) {
			if (spans[k].end <= pos)
				continue;
			if (spans[k].base >= end)
				break;
			if (spans[k].base > pos)
				gap_add(pos, spans[k].base, total, largest);
			pos = spans[k].end > pos ? spans[k].end : pos;
		}
		while (pos < end) {
			uint64_t next = end;
			uint64_t until = sorted ? 0 : covered_until(ctx, pos, &next);
			if (until != 0) {
				pos = until;
				continue;
			}
			gap_add(pos, next, total, largest);
			pos = next;
		}
	}
}
