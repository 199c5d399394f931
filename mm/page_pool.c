/*
 * Page pool for stage-2 tables: never-used pages come from a bump pointer,
 * freed ones from a free list, so start-up does not pay to build a list.
 * Contiguous runs (concatenated stage-2 roots) go back whole to a list of
 * runs and serve the next run of that size, so that starting and stopping
 * partitions for ever never exhausts the bump pointer; single pages take
 * a run apart only when nothing else is left.
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
	p->runs = NULL;
	p->in_use = 0;
}

/* A freed run: its first page holds the link and the length. */
struct page_run {
	struct page_run *next;
	unsigned int count;
};

/* No single page left: give the pages of one freed run to the free list. */
static void pool_split_run(struct page_pool *p)
{
	struct page_run *r = p->runs;
	p->runs = r->next;
	for (unsigned int i = r->count; i-- > 0;) {
		void *page = (char *)r + i * SZ_4K;
		*(void **)page = p->free_list;
		p->free_list = page;
	}
}

void *page_pool_alloc(struct page_pool *p)
{
	void *page;
	if (!p->free_list && p->bump >= p->end && p->runs)
		pool_split_run(p);
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

/* A freed run of exactly @count pages (aligned to its size when it was taken), or NULL. */
static void *pool_take_run(struct page_pool *p, unsigned int count)
{
	for (struct page_run **link = (struct page_run **)&p->runs; *link; link = &(*link)->next) {
		struct page_run *r = *link;
		if (r->count == count) {
			*link = r->next;
			return r;
		}
	}
	return NULL;
}

/* @count contiguous pages aligned to @count pages (concatenated stage-2 roots). */
void *page_pool_alloc_contig(struct page_pool *p, unsigned int count)
{
	uint64_t align = count * SZ_4K;
	void *run = pool_take_run(p, count);
	if (run) {
		memset(run, 0, align);
		p->in_use += count;
		return run;
	}
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


/* @pages from page_pool_alloc_contig(p, @count): back whole, for the next run of that size. */
void page_pool_free_contig(struct page_pool *p, void *pages, unsigned int count)
{
	struct page_run *r = pages;
	r->next = p->runs;
	r->count = count;
	p->runs = r;
	p->in_use -= count;
}
