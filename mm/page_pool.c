/*
 * Page pool for stage-2 tables: never-used pages come from a bump pointer,
 * freed ones from a free list, so start-up does not pay to build a list.
 */
#include <string.h>

#include "mm.h"

void page_pool_init(struct page_pool *p, void *base, size_t size)
{
	uint64_t b = align_up((uint64_t)(uintptr_t)base, SZ_4K);
	p->base = b;
	p->end = align_down((uint64_t)(uintptr_t)base + size, SZ_4K);
	p->bump = b;
	p->free_list = NULL;
	p->in_use = 0;
}

void *page_pool_alloc(struct page_pool *p)
{
	void *page;
	if (p->free_list) {
		page = p->free_list;
		p->free_list = *(void **)page;
	} else if (p->bump < p->end) {
		page = (void *)(uintptr_t)p->bump;
		p->bump += SZ_4K;
	} else {
		return NULL;
	}
	memset(page, 0, SZ_4K);
	p->in_use++;
	return page;
}

void page_pool_free(struct page_pool *p, void *page)
{
	*(void **)page = p->free_list;
	p->free_list = page;
	p->in_use--;
}

/* @count contiguous pages aligned to @count pages (concatenated stage-2 roots). */
void *page_pool_alloc_contig(struct page_pool *p, unsigned int count)
{
	uint64_t align = count * SZ_4K;
	uint64_t at = align_up(p->bump, align);
	if (at + align > p->end || at + align < at)
		return NULL;
	for (uint64_t skipped = p->bump; skipped < at; skipped += SZ_4K) {
		*(void **)(uintptr_t)skipped = p->free_list;   /* keep the gap usable */
		p->free_list = (void *)(uintptr_t)skipped;
	}
	p->bump = at + align;
	memset((void *)(uintptr_t)at, 0, align);
	p->in_use += count;
	return (void *)(uintptr_t)at;
}
