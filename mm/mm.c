/*
 * The global page pool for stage-2 tables.  Its memory is not part of the
 * image: boot_memory() takes it from free RAM found in the DT and hands it
 * over with mm_pool_init() before any partition exists.
 */
#include "mm.h"
#include "spinlock.h"

static struct page_pool pool;
static struct spinlock pool_lock;   /* guards pool */

void mm_pool_init(uint64_t base, uint64_t size)
{
	page_pool_init(&pool, (void *)(uintptr_t)base, (size_t)size);
}

void *mm_page_alloc(void)
{
	spin_lock(&pool_lock);
	void *p = page_pool_alloc(&pool);
	spin_unlock(&pool_lock);
	return p;
}

void *mm_pages_alloc(unsigned int count)
{
	spin_lock(&pool_lock);
	void *p = page_pool_alloc_contig(&pool, count);
	spin_unlock(&pool_lock);
	return p;
}

void mm_page_free(void *page)
{
	spin_lock(&pool_lock);
	page_pool_free(&pool, page);
	spin_unlock(&pool_lock);
}

void mm_pages_free(void *pages, unsigned int count)
{
	spin_lock(&pool_lock);
	page_pool_free_contig(&pool, pages, count);
	spin_unlock(&pool_lock);
}

unsigned int mm_pages_in_use(void)
{
	return pool.in_use;
}

unsigned int mm_pages_unused(void)
{
	spin_lock(&pool_lock);
	unsigned int n = (unsigned int)((pool.end - pool.base) / SZ_4K) - pool.in_use;
	spin_unlock(&pool_lock);
	return n;
}
