/* The global page pool for stage-2 tables, in the image's NOLOAD .pool section. */
#include "mm.h"
#include "spinlock.h"

#define MM_POOL_SIZE (2 * SZ_2M)

static uint8_t pool_mem[MM_POOL_SIZE] __attribute__((aligned(4096), section(".pool")));
static struct page_pool pool;
static struct spinlock pool_lock;   /* guards pool */
static bool pool_ready;

static void pool_lock_ready(void)
{
	spin_lock(&pool_lock);
	if (!pool_ready) {
		page_pool_init(&pool, pool_mem, sizeof(pool_mem));
		pool_ready = true;
	}
}

void *mm_page_alloc(void)
{
	pool_lock_ready();
	void *p = page_pool_alloc(&pool);
	spin_unlock(&pool_lock);
	return p;
}

void *mm_pages_alloc(unsigned int count)
{
	pool_lock_ready();
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

unsigned int mm_pages_in_use(void)
{
	return pool.in_use;
}
