/*
 * Placement: after every rule passed, give each partition without
 * xen,static-mem one contiguous host RAM range, then pick host ranges for
 * shared regions given as <guest-PA size>.  First fit from the lowest
 * address of each RAM range, in partition then region order, so the result
 * depends only on the configuration.  Alignment follows stage-2 block
 * sizes: 1 GiB when the size is at least that and such a gap exists, else
 * 2 MiB (and 4 KiB for small regions).
 */
#include "cfg_internal.h"

/* Lowest @align-aligned base in @r where @size bytes touch no occupant. */
static bool fit_in_range(const struct cfg_ctx *ctx, const struct cfg_range *r, uint64_t size,
			 uint64_t align, uint64_t *out)
{
	uint64_t end = r->base + r->size < r->base ? UINT64_MAX : r->base + r->size;
	uint64_t pos = align_up(r->base, align);
	struct cfg_occ o;

	while (pos >= r->base && pos < end && size <= end - pos) {
		bool hit = false;
		for (unsigned int j = 0; j < cfg_occ_count(ctx) && !hit; j++)
			hit = cfg_occ_get(ctx, j, &o) && ranges_overlap(pos, size, o.base, o.size);
		if (!hit) {
			*out = pos;
			return true;
		}
		/* Any start below that occupant's end would overlap it too. */
		uint64_t skip = o.base + o.size;
		uint64_t next = align_up(skip, align);
		if (skip < o.base || next < skip)
			return false;   /* ran off the top of the address space */
		pos = next;
	}
	return false;
}

static bool find_free(const struct cfg_ctx *ctx, uint64_t size, uint64_t align, uint64_t *out)
{
	unsigned int n = ctx->plat->ram_count < CFG_MAX_RANGES ? ctx->plat->ram_count : CFG_MAX_RANGES;

	for (unsigned int i = 0; i < n; i++)
		if (fit_in_range(ctx, &ctx->plat->ram[i], size, align, out))
			return true;
	return false;
}

/* Try the block sizes from largest to smallest that @size allows. */
static bool place(const struct cfg_ctx *ctx, uint64_t size, uint64_t min_align, uint64_t *out)
{
	static const uint64_t aligns[] = { CFG_BLOCK_1G, CFG_RAM_ALIGN, CFG_PAGE_SIZE };

	for (unsigned int i = 0; i < ARRAY_SIZE(aligns); i++) {
		if (aligns[i] < min_align)
			break;
		if (size >= aligns[i] && find_free(ctx, size, aligns[i], out))
			return true;
	}
	return false;
}

static uint64_t largest_free(const struct cfg_ctx *ctx)
{
	uint64_t total, largest;

	cfg_free_ram(ctx, &total, &largest);
	return largest;
}

static void place_partitions(struct cfg_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->cfg->partition_count; i++) {
		struct cfg_partition *p = &ctx->cfg->partitions[i];
		uint64_t base;
		if (p->static_mem)
			continue;
		if (place(ctx, p->mem_bytes, CFG_RAM_ALIGN, &base)) {
			p->ram_base = base;
			ctx->placed[i] = true;
			continue;
		}
		cfg_error(ctx->errs, p->path, p->id == CFG_DOM0_ID ? "xen,xen-bootargs" : "memory",
			  "%llu KiB does not fit in free RAM (largest free range 0x%llx)",
			  (unsigned long long)(p->mem_bytes >> CFG_KIB_SHIFT),
			  (unsigned long long)largest_free(ctx));
	}
}

static void place_regions(struct cfg_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->cfg->region_count; i++) {
		struct cfg_shm_region *r = &ctx->cfg->regions[i];
		uint64_t base;
		if (!r->host_picked)
			continue;
		if (place(ctx, r->size, CFG_PAGE_SIZE, &base)) {
			r->host_base = base;
			ctx->region_placed[i] = true;
			continue;
		}
		cfg_error(ctx->errs, r->path, "xen,shared-mem",
			  "0x%llx bytes do not fit in free RAM (largest free range 0x%llx)",
			  (unsigned long long)r->size, (unsigned long long)largest_free(ctx));
	}
}

void cfg_place(struct cfg_ctx *ctx)
{
	place_partitions(ctx);
	place_regions(ctx);
}
