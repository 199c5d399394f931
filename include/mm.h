#pragma once
/*
 * Memory management: sorted sets of physical ranges (free RAM, holes), the
 * page pool that backs stage-2 tables, and the hypervisor's own stage-1
 * identity map.  ranges_* and page_pool_* are pure and unit tested on the host.
 */
#include "config.h"
#include "types.h"

#define RANGES_MAX 64

struct range_set {
	unsigned int count;
	struct cfg_range r[RANGES_MAX];   /* sorted, disjoint, non-adjacent */
};

void ranges_init(struct range_set *s);
/* Add [base, base+size), merging with neighbours. -TS_ENOMEM when full. */
int ranges_add(struct range_set *s, uint64_t base, uint64_t size);
/* Remove [base, base+size) wherever it overlaps. -TS_ENOMEM when a split overflows. */
int ranges_remove(struct range_set *s, uint64_t base, uint64_t size);
uint64_t ranges_total(const struct range_set *s);

/* A pool of 4 KiB pages over one memory block: a free list plus a bump pointer. */
struct page_pool {
	uint64_t base;
	uint64_t end;
	uint64_t bump;           /* first never-used page */
	void *free_list;         /* freed pages, linked through their first word */
	void *runs;              /* freed contiguous runs (struct page_run in page_pool.c) */
	unsigned int in_use;
};

void page_pool_init(struct page_pool *p, void *base, size_t size);
void *page_pool_alloc(struct page_pool *p);      /* zeroed page or NULL */
void page_pool_free(struct page_pool *p, void *page);
void *page_pool_alloc_contig(struct page_pool *p, unsigned int count);
void page_pool_free_contig(struct page_pool *p, void *pages, unsigned int count);

#ifndef TS_HOST_BUILD
/* The hypervisor's global pool (locked), for stage-2 tables, over [base, base+size). */
#define MM_POOL_SIZE (4ull << 20)
void mm_pool_init(uint64_t base, uint64_t size);
void *mm_page_alloc(void);
void mm_page_free(void *page);
void *mm_pages_alloc(unsigned int count);
void mm_pages_free(void *pages, unsigned int count);
unsigned int mm_pages_in_use(void);
/* Pages of the pool not in use (never used or freed again). */
unsigned int mm_pages_unused(void);

/* Boot: EL2 identity map, first with the image's GiB only, then all RAM. */
#define MMU_MAP_LIMIT (512ull << 30)      /* the identity map covers PAs below this */
void mmu_enable_boot(uint64_t dtb);
void mmu_map_ram(uint64_t base, uint64_t size);
void mmu_enable_secondary(void);
void dcache_clean_range(uint64_t base, uint64_t size);
#endif
