/* mm/: range sets (free-RAM accounting at boot) and the stage-2 page pool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm.h"
#include "tserr.h"

static void assert_ranges(const struct range_set *s, const uint64_t (*want)[2], unsigned int n)
{
	assert_int_equal(s->count, n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(s->r[i].base, want[i][0]);
		assert_int_equal(s->r[i].size, want[i][1]);
	}
}

static void test_add_merges_touching_and_overlapping(void **state)
{
	(void)state;
	struct range_set s;
	ranges_init(&s);
	assert_int_equal(ranges_add(&s, 0x3000, 0x1000), 0);
	assert_int_equal(ranges_add(&s, 0x1000, 0x1000), 0);
	assert_int_equal(ranges_add(&s, 0x2000, 0x1000), 0);     /* bridges both */
	assert_int_equal(ranges_add(&s, 0x8000, 0x1000), 0);
	assert_int_equal(ranges_add(&s, 0x7800, 0x1000), 0);     /* overlaps the head */
	const uint64_t want[][2] = { { 0x1000, 0x3000 }, { 0x7800, 0x1800 } };
	assert_ranges(&s, want, 2);
	assert_int_equal(ranges_total(&s), 0x4800);
}

static void test_remove_head_tail_middle_whole(void **state)
{
	(void)state;
	struct range_set s;
	ranges_init(&s);
	ranges_add(&s, 0x40000000, 0x80000000);                  /* 2 GiB of RAM */
	ranges_add(&s, 0x100000000ull, 0x1000000);
	assert_int_equal(ranges_remove(&s, 0x40200000, 0x480000), 0);  /* the image */
	assert_int_equal(ranges_remove(&s, 0x40000000, 0x1000), 0);    /* head */
	assert_int_equal(ranges_remove(&s, 0xBFFFF000, 0x2000), 0);    /* tail, past the end */
	assert_int_equal(ranges_remove(&s, 0x100000000ull, 0x1000000), 0); /* whole */
	const uint64_t want[][2] = {
		{ 0x40001000, 0x1FF000 }, { 0x40680000, 0x7F97F000 },
	};
	assert_ranges(&s, want, 2);
}

static void test_remove_spanning_several(void **state)
{
	(void)state;
	struct range_set s;
	ranges_init(&s);
	ranges_add(&s, 0x1000, 0x1000);
	ranges_add(&s, 0x3000, 0x1000);
	ranges_add(&s, 0x5000, 0x1000);
	assert_int_equal(ranges_remove(&s, 0x1800, 0x4000), 0);
	const uint64_t want[][2] = { { 0x1000, 0x800 }, { 0x5800, 0x800 } };
	assert_ranges(&s, want, 2);
}

static void test_full_set_reports_enomem(void **state)
{
	(void)state;
	struct range_set s;
	ranges_init(&s);
	for (unsigned int i = 0; i < RANGES_MAX; i++)
		assert_int_equal(ranges_add(&s, (uint64_t)i * 0x2000, 0x1000), 0);
	assert_int_equal(ranges_add(&s, 0x10000000, 0x1000), -TS_ENOMEM);
	/* A split that needs one more slot fails and leaves the set alone. */
	assert_int_equal(ranges_remove(&s, 0x2200, 0x100), -TS_ENOMEM);
	assert_int_equal(s.count, RANGES_MAX);
	assert_int_equal(s.r[1].size, 0x1000);
	assert_int_equal(ranges_add(&s, 0, 0x1000), 0);           /* merging needs no slot */
	assert_int_equal(ranges_add(&s, 0x1, 0x10), 0);
}

static void test_overflowing_add_rejected(void **state)
{
	(void)state;
	struct range_set s;
	ranges_init(&s);
	assert_int_equal(ranges_add(&s, UINT64_MAX - 0xfff, 0x2000), -TS_ERANGE);
	assert_int_equal(s.count, 0);
	assert_int_equal(ranges_add(&s, 0x1000, 0), 0);
	assert_int_equal(s.count, 0);
}

#define POOL_PAGES 8

static void test_pool_bump_then_reuse_zeroed(void **state)
{
	(void)state;
	uint8_t *mem = aligned_alloc(4096, POOL_PAGES * 4096);
	memset(mem, 0xAB, POOL_PAGES * 4096);
	struct page_pool p;
	page_pool_init(&p, mem, POOL_PAGES * 4096);
	void *pages[POOL_PAGES];
	for (unsigned int i = 0; i < POOL_PAGES; i++) {
		pages[i] = page_pool_alloc(&p);
		assert_ptr_equal(pages[i], mem + i * 4096);
		for (unsigned int b = 0; b < 4096; b++)
			assert_int_equal(((uint8_t *)pages[i])[b], 0);
	}
	assert_null(page_pool_alloc(&p));
	assert_int_equal(p.in_use, POOL_PAGES);
	memset(pages[3], 0xCD, 4096);
	page_pool_free(&p, pages[3]);
	assert_int_equal(p.in_use, POOL_PAGES - 1);
	void *again = page_pool_alloc(&p);
	assert_ptr_equal(again, pages[3]);
	for (unsigned int b = 0; b < 4096; b++)
		assert_int_equal(((uint8_t *)again)[b], 0);
	free(mem);
}

static void test_pool_contiguous_aligned(void **state)
{
	(void)state;
	uint8_t *mem = aligned_alloc(4 * 4096, POOL_PAGES * 4096);
	struct page_pool p;
	page_pool_init(&p, mem, POOL_PAGES * 4096);
	void *one = page_pool_alloc(&p);                         /* bump now at page 1 */
	void *two = page_pool_alloc_contig(&p, 2);
	assert_ptr_equal(two, mem + 2 * 4096);                   /* aligned to 8 KiB */
	assert_int_equal(p.in_use, 3);
	void *gap = page_pool_alloc(&p);                          /* the skipped page is not lost */
	assert_ptr_equal(gap, mem + 4096);
	assert_null(page_pool_alloc_contig(&p, 8));
	(void)one;
	free(mem);
}

/*
 * A partition started and stopped over and over: each start takes a
 * 2-page concatenated root and a few single pages, each stop gives them
 * back.  Found by tests/system/test_stress.py: the roots came from the bump
 * pointer every time, so after about (pool pages / 2) starts no partition
 * could start although nearly every page was free.
 */
static void test_pool_contiguous_reused(void **state)
{
	(void)state;
	uint8_t *mem = aligned_alloc(4 * 4096, POOL_PAGES * 4096);
	struct page_pool p;
	page_pool_init(&p, mem, POOL_PAGES * 4096);
	for (unsigned int round = 0; round < 10 * POOL_PAGES; round++) {
		void *root = page_pool_alloc_contig(&p, 2);
		void *leaf = page_pool_alloc(&p);
		assert_non_null(root);
		assert_non_null(leaf);
		assert_true(((uintptr_t)root & (2 * 4096 - 1)) == 0);
		assert_int_equal(((uint8_t *)root)[4096 + 5], 0);       /* zeroed again */
		memset(root, 0xEE, 2 * 4096);
		page_pool_free(&p, leaf);
		page_pool_free_contig(&p, root, 2);
		assert_int_equal(p.in_use, 0);
	}
	/* Freed runs still serve single pages once the bump pointer is spent. */
	void *run = page_pool_alloc_contig(&p, 4);
	assert_non_null(run);
	page_pool_free_contig(&p, run, 4);
	unsigned int n = 0;
	while (page_pool_alloc(&p) != NULL)
		n++;
	assert_int_equal(n, POOL_PAGES);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_merges_touching_and_overlapping),
		cmocka_unit_test(test_remove_head_tail_middle_whole),
		cmocka_unit_test(test_remove_spanning_several),
		cmocka_unit_test(test_full_set_reports_enomem),
		cmocka_unit_test(test_overflowing_add_rejected),
		cmocka_unit_test(test_pool_bump_then_reuse_zeroed),
		cmocka_unit_test(test_pool_contiguous_aligned),
		cmocka_unit_test(test_pool_contiguous_reused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
