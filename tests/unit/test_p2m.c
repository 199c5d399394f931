/*
 * Unit tests for p2m/p2m_table.c: descriptor bits, block selection, table
 * page cost, check-then-commit on failure, unmap splitting with
 * break-before-make, and the VTCR/VTTBR values.  Descriptor values below are
 * written out as numbers (not the module's constants) so that a wrong
 * constant in the module fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "p2m.h"
#include "tserr.h"

#define PAGE        0x1000ull
#define DESC_TYPE   0x3ull
#define DESC_OA     0x0000FFFFFFFFF000ull

/* Leaf attribute bits, Arm ARM stage-2 Block/Page descriptor layout:
 * MemAttr[5:2], S2AP[7:6]=0b11, SH[9:8]=0b11, AF[10], XN[54:53]. */
#define ATTR_RAM    0x00000000000007FCull   /* MemAttr 0b1111, XN 0b00 */
#define ATTR_SHARED 0x00400000000007FCull   /* MemAttr 0b1111, XN 0b10 */
#define ATTR_DEVICE 0x00400000000007C4ull   /* MemAttr 0b0001, XN 0b10 */

/* ---- counted page allocator ---------------------------------------------- */

struct fake_mm {
	unsigned int allocs, frees;      /* in pages */
	int fail_after;                  /* -1: never; else allocations left */
	unsigned int tlb_calls;
	uint64_t tlb_base[16], tlb_size[16];
	uint16_t tlb_vmid[16];
	bool tlb_base_mapped[16];        /* base still translated when the TLBI came */
	const struct p2m *p2m;
};

static bool fake_may_alloc(struct fake_mm *f)
{
	if (f->fail_after == 0)
		return false;
	if (f->fail_after > 0)
		f->fail_after--;
	return true;
}

static void *fake_alloc_page(void *ctx)
{
	struct fake_mm *f = ctx;

	if (!fake_may_alloc(f))
		return NULL;
	void *page = aligned_alloc(PAGE, PAGE);

	assert_non_null(page);
	memset(page, 0, PAGE);
	f->allocs++;
	return page;
}

static void fake_free_page(void *ctx, void *page)
{
	struct fake_mm *f = ctx;

	f->frees++;
	free(page);
}

static void *fake_alloc_pages(void *ctx, unsigned int count)
{
	struct fake_mm *f = ctx;

	if (!fake_may_alloc(f))
		return NULL;
	void *pages = aligned_alloc(count * PAGE, count * PAGE);

	assert_non_null(pages);
	memset(pages, 0, count * PAGE);
	f->allocs += count;
	return pages;
}

static void fake_free_pages(void *ctx, void *pages, unsigned int count)
{
	struct fake_mm *f = ctx;

	f->frees += count;
	free(pages);
}

static void fake_tlb(void *ctx, const struct p2m *p, ipa_t base, uint64_t size)
{
	struct fake_mm *f = ctx;

	assert_true(f->tlb_calls < 16);
	assert_ptr_equal(p, f->p2m);     /* the hardware side loads this table's VTTBR */
	f->tlb_vmid[f->tlb_calls] = p->vmid;
	f->tlb_base[f->tlb_calls] = base.v;
	f->tlb_size[f->tlb_calls] = size;
	f->tlb_base_mapped[f->tlb_calls] = p2m_translate(f->p2m, base, NULL, NULL);
	f->tlb_calls++;
}

struct fixture {
	struct fake_mm f;
	struct p2m_mm mm;
	struct p2m p;
};

static struct fixture *fixture_new(unsigned int ipa_bits)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->f.fail_after = -1;
	fx->mm = (struct p2m_mm){
		.alloc_page = fake_alloc_page, .free_page = fake_free_page,
		.tlb_invalidate = fake_tlb, .ctx = &fx->f,
		.alloc_pages = fake_alloc_pages, .free_pages = fake_free_pages,
	};
	assert_int_equal(p2m_init(&fx->p, ipa_bits, 5, &fx->mm), 0);
	fx->f.p2m = &fx->p;
	return fx;
}

/* Destroy must give back every page it ever took. */
static void fixture_free(struct fixture *fx)
{
	p2m_destroy(&fx->p);
	assert_null(fx->p.root);
	assert_int_equal(fx->f.allocs, fx->f.frees);
	free(fx);
}

static unsigned int live_pages(const struct fixture *fx)
{
	return fx->f.allocs - fx->f.frees;
}

/* ---- raw table inspection (independent of the module's helpers) ----------- */

static unsigned int lvl_shift(unsigned int level)
{
	return 12 + 9 * (3 - level);
}

static uint64_t *next_table(uint64_t desc)
{
	return (uint64_t *)(uintptr_t)(desc & DESC_OA);
}

/* The descriptor that maps `ipa` at `level` (0 if the walk stops before). */
static uint64_t raw_desc(const struct p2m *p, uint64_t ipa, unsigned int level)
{
	const uint64_t *t = p->root;

	for (unsigned int l = p->start_level; l <= 3; l++) {
		uint64_t idx = ipa >> lvl_shift(l);
		uint64_t d = t[l == p->start_level ? idx : (idx & 511)];

		if (l == level)
			return d;
		if ((d & DESC_TYPE) != 0x3)
			return 0;
		t = next_table(d);
	}
	return 0;
}

struct dump {
	uint64_t e[4096][3];   /* level, index, descriptor of every non-zero entry */
	unsigned int n;
	unsigned int leaves[4];
};

static void dump_table(struct dump *d, const uint64_t *t, unsigned int level, unsigned int entries)
{
	for (unsigned int i = 0; i < entries; i++) {
		if (t[i] == 0)
			continue;
		assert_true(d->n < 4096);
		d->e[d->n][0] = level;
		d->e[d->n][1] = i;
		d->e[d->n][2] = t[i];
		d->n++;
		if (level < 3 && (t[i] & DESC_TYPE) == 0x3)
			dump_table(d, next_table(t[i]), level + 1, 512);
		else
			d->leaves[level]++;
	}
}

static struct dump *dump_new(const struct p2m *p)
{
	struct dump *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	dump_table(d, p->root, p->start_level, p->root_pages * 512);
	return d;
}

static void assert_dump_equal(const struct dump *a, const struct dump *b)
{
	assert_int_equal(a->n, b->n);
	assert_memory_equal(a->e, b->e, sizeof(a->e[0]) * a->n);
}

struct run_log {
	unsigned int n;
	uint64_t ipa[8], pa[8], size[8];
	enum p2m_type type[8];
};

static void log_run(void *ctx, ipa_t ip, hpa_t pa, uint64_t size, enum p2m_type type)
{
	struct run_log *log = ctx;

	assert_true(log->n < 8);
	log->ipa[log->n] = ip.v;
	log->pa[log->n] = pa.v;
	log->size[log->n] = size;
	log->type[log->n] = type;
	log->n++;
}

static void check_translate_range(const struct p2m *p, uint64_t ip, uint64_t pa, uint64_t size,
				  enum p2m_type type)
{
	for (uint64_t off = 0; off < size; off += PAGE) {
		hpa_t got;
		enum p2m_type t;

		assert_true(p2m_translate(p, ipa(ip + off), &got, &t));
		assert_int_equal(got.v, pa + off);
		assert_int_equal(t, type);
	}
	assert_false(p2m_translate(p, ipa(ip - PAGE), NULL, NULL));
	assert_false(p2m_translate(p, ipa(ip + size), NULL, NULL));
}

/* ---- geometry and registers ----------------------------------------------- */

static void test_init_geometry(void **state)
{
	(void)state;
	static const struct { unsigned int bits, level, roots; } cases[] = {
		{ 32, 1, 1 }, { 36, 1, 1 }, { 39, 1, 1 }, { 40, 1, 2 },
		{ 42, 1, 8 }, { 43, 1, 16 }, { 44, 0, 1 }, { 48, 0, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fixture *fx = fixture_new(cases[i].bits);

		assert_int_equal(fx->p.start_level, cases[i].level);
		assert_int_equal(fx->p.root_pages, cases[i].roots);
		assert_int_equal(fx->p.table_pages, cases[i].roots);
		assert_int_equal(live_pages(fx), cases[i].roots);
		assert_int_equal((uintptr_t)fx->p.root % (cases[i].roots * PAGE), 0);
		fixture_free(fx);
	}
}

static void test_init_rejects(void **state)
{
	(void)state;
	struct fake_mm f = { .fail_after = -1 };
	struct p2m_mm mm = { .alloc_page = fake_alloc_page, .free_page = fake_free_page, .ctx = &f };
	struct p2m p;

	assert_int_equal(p2m_init(&p, 31, 1, &mm), -TS_EINVAL);
	assert_int_equal(p2m_init(&p, 49, 1, &mm), -TS_EINVAL);
	assert_int_equal(p2m_init(&p, 39, 256, &mm), -TS_EINVAL);
	/* 40 bits needs two concatenated root pages: no alloc_pages, no p2m. */
	assert_int_equal(p2m_init(&p, 40, 1, &mm), -TS_EINVAL);
	f.fail_after = 0;
	assert_int_equal(p2m_init(&p, 39, 1, &mm), -TS_ENOMEM);
	assert_int_equal(f.allocs, 0);
	f.fail_after = -1;
	assert_int_equal(p2m_init(&p, 39, 255, &mm), 0);
	p2m_destroy(&p);
	assert_int_equal(f.allocs, 1);
	assert_int_equal(f.frees, 1);
}

static void test_vtcr_ipa40_pa44(void **state)
{
	(void)state;
	/* T0SZ=24 | SL0=1<<6 | IRGN0=1<<8 | ORGN0=1<<10 | SH0=3<<12 | TG0=0 |
	 * PS=0b100<<16 | VS=0 | RES1 bit 31. */
	assert_int_equal(p2m_vtcr(40, 4), 0x80043558ull);
	assert_int_equal(p2m_vtcr(48, 5), 0x80053590ull);   /* T0SZ 16, SL0 = 2 (level 0) */
	assert_int_equal(p2m_vtcr(32, 0), 0x80003560ull);   /* T0SZ 32, SL0 = 1 */
	assert_int_equal(p2m_vtcr(50, 5), 0);
}

static void test_ipa_bits_for(void **state)
{
	(void)state;
	assert_int_equal(p2m_ipa_bits_for(0), 32);
	assert_int_equal(p2m_ipa_bits_for(1), 36);
	assert_int_equal(p2m_ipa_bits_for(2), 40);
	assert_int_equal(p2m_ipa_bits_for(3), 40);
	assert_int_equal(p2m_ipa_bits_for(4), 40);
	assert_int_equal(p2m_ipa_bits_for(5), 40);
	assert_int_equal(p2m_ipa_bits_for(6), 40);
	assert_int_equal(p2m_ipa_bits_for(15), 40);
}

static void test_vttbr(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);

	assert_int_equal(p2m_vttbr(&fx->p), (uint64_t)(uintptr_t)fx->p.root | (5ull << 48));
	fixture_free(fx);
}

/* ---- descriptor bits ---------------------------------------------------- */

static void test_leaf_attrs(void **state)
{
	(void)state;
	assert_int_equal(p2m_leaf_attrs(P2M_RAM), ATTR_RAM);
	assert_int_equal(p2m_leaf_attrs(P2M_SHARED), ATTR_SHARED);
	assert_int_equal(p2m_leaf_attrs(P2M_DEVICE), ATTR_DEVICE);
}

static void check_type_descs(enum p2m_type type, uint64_t attrs)
{
	struct fixture *fx = fixture_new(40);
	hpa_t pa;
	enum p2m_type got;

	/* A 2 MiB block at level 2 (type 0b01) and a page at level 3 (0b11). */
	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x80000000), 0x200000, type), 0);
	assert_int_equal(p2m_map(&fx->p, ipa(0x40400000), hpa(0x90001000), PAGE, type), 0);
	assert_int_equal(raw_desc(&fx->p, 0x40000000, 2), 0x80000000ull | attrs | 0x1);
	assert_int_equal(raw_desc(&fx->p, 0x40400000, 3), 0x90001000ull | attrs | 0x3);
	/* Table descriptors: next-level address | 0b11, nothing else. */
	uint64_t l1 = raw_desc(&fx->p, 0x40000000, 1);

	assert_int_equal(l1 & ~DESC_OA, 0x3);
	assert_true(p2m_translate(&fx->p, ipa(0x40123456 & ~0xFFFull), &pa, &got));
	assert_int_equal(pa.v, 0x80123000);
	assert_int_equal(got, type);
	assert_true(p2m_translate(&fx->p, ipa(0x40400000), &pa, &got));
	assert_int_equal(pa.v, 0x90001000);
	assert_int_equal(got, type);
	fixture_free(fx);
}

static void test_desc_ram(void **state)
{
	(void)state;
	check_type_descs(P2M_RAM, ATTR_RAM);
}

static void test_desc_shared(void **state)
{
	(void)state;
	/* DESIGN §6: RW (S2AP 0b11), Normal WB (MemAttr 0b1111), inner
	 * shareable (SH 0b11), execute-never (XN 0b10), AF set. */
	assert_int_equal((ATTR_SHARED >> 2) & 0xF, 0xF);
	assert_int_equal((ATTR_SHARED >> 6) & 0x3, 0x3);
	assert_int_equal((ATTR_SHARED >> 8) & 0x3, 0x3);
	assert_int_equal((ATTR_SHARED >> 10) & 0x1, 0x1);
	assert_int_equal((ATTR_SHARED >> 53) & 0x3, 0x2);
	check_type_descs(P2M_SHARED, ATTR_SHARED);
}

static void test_desc_device(void **state)
{
	(void)state;
	check_type_descs(P2M_DEVICE, ATTR_DEVICE);
}

/* ---- block selection and table cost ------------------------------------- */

static void test_map_1g_block(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);

	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0xC0000000), SZ_1G, P2M_SHARED), 0);
	/* Level-1 start: the block lives in the root, no table page added. */
	assert_int_equal(fx->p.root[1], 0xC0000000ull | ATTR_SHARED | 0x1);
	assert_int_equal(fx->p.table_pages, 2);
	assert_int_equal(live_pages(fx), 2);
	struct dump *d = dump_new(&fx->p);

	assert_int_equal(d->n, 1);
	assert_int_equal(d->leaves[1], 1);
	free(d);

	/* Above 512 GiB: the second concatenated root page, no aliasing. */
	assert_int_equal(p2m_map(&fx->p, ipa(0x8040000000), hpa(0x40000000), SZ_1G, P2M_RAM), 0);
	assert_int_equal(fx->p.root[513], 0x40000000ull | ATTR_RAM | 0x1);
	assert_int_equal(fx->p.root[1], 0xC0000000ull | ATTR_SHARED | 0x1);
	assert_int_equal(fx->p.table_pages, 2);
	check_translate_range(&fx->p, 0x8040000000, 0x40000000, SZ_1G, P2M_RAM);
	struct run_log log = { 0 };

	p2m_for_each(&fx->p, log_run, &log);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.ipa[1], 0x8040000000);
	assert_int_equal(p2m_unmap(&fx->p, ipa(0x8040000000), SZ_1G), 0);
	assert_int_equal(fx->p.root[513], 0);
	assert_int_equal(fx->p.root[1], 0xC0000000ull | ATTR_SHARED | 0x1);
	fixture_free(fx);

	/* Level-0 start (48 bits): the path is root + one level-1 table. */
	fx = fixture_new(48);
	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0xC0000000), SZ_1G, P2M_RAM), 0);
	assert_int_equal(raw_desc(&fx->p, 0x40000000, 1), 0xC0000000ull | ATTR_RAM | 0x1);
	assert_int_equal(fx->p.table_pages, 2);
	fixture_free(fx);
}

static void test_map_2m_block(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);

	assert_int_equal(p2m_map(&fx->p, ipa(0x40200000), hpa(0x80400000), SZ_2M, P2M_RAM), 0);
	assert_int_equal(raw_desc(&fx->p, 0x40200000, 2), 0x80400000ull | ATTR_RAM | 0x1);
	assert_int_equal(fx->p.table_pages, 3);   /* root (2) + one level-2 table */
	assert_int_equal(live_pages(fx), 3);
	struct dump *d = dump_new(&fx->p);

	assert_int_equal(d->leaves[2], 1);
	assert_int_equal(d->leaves[3], 0);
	free(d);
	fixture_free(fx);
}

/* DESIGN §6: set-up cost must not grow with region size. */
static void test_cost_independent_of_size(void **state)
{
	(void)state;
	struct fixture *a = fixture_new(40), *b = fixture_new(40);

	assert_int_equal(p2m_map(&a->p, ipa(0x40000000), hpa(0x100000000), SZ_1G, P2M_SHARED), 0);
	assert_int_equal(p2m_map(&b->p, ipa(0x40000000), hpa(0x100000000), 2 * SZ_1G, P2M_SHARED), 0);
	assert_int_equal(a->p.table_pages, b->p.table_pages);
	assert_int_equal(live_pages(a), live_pages(b));
	fixture_free(a);
	fixture_free(b);

	a = fixture_new(40);
	b = fixture_new(40);
	assert_int_equal(p2m_map(&a->p, ipa(0x40000000), hpa(0x80000000), SZ_2M, P2M_SHARED), 0);
	assert_int_equal(p2m_map(&b->p, ipa(0x40000000), hpa(0x80000000), 64 * SZ_2M, P2M_SHARED), 0);
	assert_int_equal(a->p.table_pages, 3);
	assert_int_equal(b->p.table_pages, 3);
	fixture_free(a);
	fixture_free(b);
}

static void test_map_unaligned_mix(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);
	/* One page below 1 GiB, a 1 GiB block, a 2 MiB block, one page above. */
	uint64_t ip = 0x3FFFF000, pa = 0x7FFFF000, size = PAGE + SZ_1G + SZ_2M + PAGE;

	assert_int_equal(p2m_map(&fx->p, ipa(ip), hpa(pa), size, P2M_RAM), 0);
	struct dump *d = dump_new(&fx->p);

	assert_int_equal(d->leaves[1], 1);
	assert_int_equal(d->leaves[2], 1);
	assert_int_equal(d->leaves[3], 2);
	assert_int_equal(fx->p.table_pages, 6);   /* root 2 + (L2 + L3) * 2 */
	assert_int_equal(live_pages(fx), 6);
	assert_int_equal(fx->f.allocs, 6);
	assert_int_equal(raw_desc(&fx->p, 0x40000000, 1), 0x80000000ull | ATTR_RAM | 0x1);
	assert_int_equal(raw_desc(&fx->p, 0x80000000, 2), 0xC0000000ull | ATTR_RAM | 0x1);
	assert_int_equal(raw_desc(&fx->p, 0x3FFFF000, 3), 0x7FFFF000ull | ATTR_RAM | 0x3);
	assert_int_equal(raw_desc(&fx->p, 0x80200000, 3), 0xC0200000ull | ATTR_RAM | 0x3);
	check_translate_range(&fx->p, ip, pa, size, P2M_RAM);
	free(d);
	fixture_free(fx);
}

/* IPA and PA aligned differently: no block can be used. */
static void test_map_misaligned_pa_uses_pages(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);

	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x80001000), 2 * SZ_2M, P2M_DEVICE), 0);
	struct dump *d = dump_new(&fx->p);

	assert_int_equal(d->leaves[2], 0);
	assert_int_equal(d->leaves[3], 1024);
	assert_int_equal(fx->p.table_pages, 5);
	check_translate_range(&fx->p, 0x40000000, 0x80001000, 2 * SZ_2M, P2M_DEVICE);
	free(d);
	fixture_free(fx);
}

static void test_map_bad_args(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);

	assert_int_equal(p2m_map(&fx->p, ipa(0x40000800), hpa(0x80000000), PAGE, P2M_RAM), -TS_EINVAL);
	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x80000800), PAGE, P2M_RAM), -TS_EINVAL);
	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x80000000), 0x800, P2M_RAM), -TS_EINVAL);
	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x80000000), 0, P2M_RAM), -TS_EINVAL);
	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x80000000), PAGE, (enum p2m_type)7),
			 -TS_EINVAL);
	assert_int_equal(p2m_map(&fx->p, ipa(1ull << 40), hpa(0x80000000), PAGE, P2M_RAM), -TS_ERANGE);
	assert_int_equal(p2m_map(&fx->p, ipa((1ull << 40) - PAGE), hpa(0), 2 * PAGE, P2M_RAM), -TS_ERANGE);
	assert_int_equal(p2m_map(&fx->p, ipa(0), hpa(1ull << 48), PAGE, P2M_RAM), -TS_ERANGE);
	assert_int_equal(p2m_map(&fx->p, ipa(0), hpa((1ull << 48) - PAGE), 2 * PAGE, P2M_RAM), -TS_ERANGE);
	assert_int_equal(p2m_unmap(&fx->p, ipa(0x40000800), PAGE), -TS_EINVAL);
	assert_int_equal(p2m_unmap(&fx->p, ipa(1ull << 40), PAGE), -TS_ERANGE);
	assert_int_equal(fx->p.table_pages, 2);
	assert_int_equal(live_pages(fx), 2);
	/* The last page of the IPA space is mappable. */
	assert_int_equal(p2m_map(&fx->p, ipa((1ull << 40) - PAGE), hpa(0), PAGE, P2M_RAM), 0);
	fixture_free(fx);
}

/* ---- failure leaves the table unchanged ---------------------------------- */

static void test_overlap_busy_unchanged(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);

	assert_int_equal(p2m_map(&fx->p, ipa(0x40200000), hpa(0x80200000), SZ_2M, P2M_RAM), 0);
	assert_int_equal(p2m_map(&fx->p, ipa(0x80000000), hpa(0xC0000000), SZ_1G, P2M_RAM), 0);
	assert_int_equal(p2m_map(&fx->p, ipa(0x40500000), hpa(0x90000000), PAGE, P2M_RAM), 0);
	struct dump *before = dump_new(&fx->p);
	unsigned int allocs = fx->f.allocs, pages = fx->p.table_pages;

	/* Tail overlaps the last page of the 2 MiB block; the head would need tables. */
	assert_int_equal(p2m_map(&fx->p, ipa(0x3FF00000), hpa(0x3FF00000), 0x501000, P2M_RAM),
			 -TS_EBUSY);
	/* One page inside a 1 GiB block. */
	assert_int_equal(p2m_map(&fx->p, ipa(0x9FFFF000), hpa(0x1000), PAGE, P2M_SHARED), -TS_EBUSY);
	/* A 2 MiB block over a table holding one page. */
	assert_int_equal(p2m_map(&fx->p, ipa(0x40400000), hpa(0x1000000), SZ_2M, P2M_RAM), -TS_EBUSY);
	/* Exactly the same range again. */
	assert_int_equal(p2m_map(&fx->p, ipa(0x40200000), hpa(0x80200000), SZ_2M, P2M_RAM), -TS_EBUSY);

	struct dump *after = dump_new(&fx->p);

	assert_dump_equal(before, after);
	assert_int_equal(fx->f.allocs, allocs);
	assert_int_equal(fx->p.table_pages, pages);
	assert_int_equal(fx->f.tlb_calls, 0);
	free(before);
	free(after);
	fixture_free(fx);
}

static void test_alloc_failure_unchanged(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);

	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x80000000), SZ_2M, P2M_RAM), 0);
	struct dump *before = dump_new(&fx->p);
	unsigned int live = live_pages(fx), pages = fx->p.table_pages;

	/* Needs 4 tables (L2 + L3 below 3 GiB, L2 + L3 above); fail at each one. */
	for (int ok = 0; ok < 4; ok++) {
		fx->f.fail_after = ok;
		assert_int_equal(p2m_map(&fx->p, ipa(0xBFFFF000), hpa(0x10FFFF000), 2 * PAGE, P2M_RAM),
				 -TS_ENOMEM);
		struct dump *after = dump_new(&fx->p);

		assert_dump_equal(before, after);
		assert_int_equal(live_pages(fx), live);
		assert_int_equal(fx->p.table_pages, pages);
		free(after);
	}
	fx->f.fail_after = 4;
	assert_int_equal(p2m_map(&fx->p, ipa(0xBFFFF000), hpa(0x10FFFF000), 2 * PAGE, P2M_RAM), 0);
	assert_int_equal(fx->p.table_pages, pages + 4);
	assert_int_equal(live_pages(fx), live + 4);
	check_translate_range(&fx->p, 0xBFFFF000, 0x10FFFF000, 2 * PAGE, P2M_RAM);
	free(before);
	fixture_free(fx);
}

/* ---- unmap ------------------------------------------------------------------- */

static void test_unmap_splits_1g_block(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);

	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0xC0000000), SZ_1G, P2M_SHARED), 0);
	/* Cuts 2 MiB entry 1 from its second page, all of entry 2, the first page of entry 3. */
	assert_int_equal(p2m_unmap(&fx->p, ipa(0x40201000), 0x400000), 0);

	/* Break-before-make on the 1 GiB block (already invalid when the TLBI
	 * is asked for), then the unmapped range. */
	assert_int_equal(fx->f.tlb_calls, 2);
	assert_false(fx->f.tlb_base_mapped[0]);
	assert_false(fx->f.tlb_base_mapped[1]);
	assert_int_equal(fx->f.tlb_vmid[0], 5);
	assert_int_equal(fx->f.tlb_base[0], 0x40000000);
	assert_int_equal(fx->f.tlb_size[0], SZ_1G);
	assert_int_equal(fx->f.tlb_base[1], 0x40201000);
	assert_int_equal(fx->f.tlb_size[1], 0x400000);

	assert_int_equal(fx->p.table_pages, 5);   /* root 2 + L2 + two L3 */
	assert_int_equal(live_pages(fx), 5);
	assert_int_equal(fx->f.allocs, 5);        /* took exactly what it needed */
	struct dump *d = dump_new(&fx->p);

	assert_int_equal(d->leaves[1], 0);
	assert_int_equal(d->leaves[2], 512 - 3);          /* entries 0, 4..511 */
	assert_int_equal(d->leaves[3], 1 + 511);          /* entry 1: page 0; entry 3: pages 1..511 */
	assert_int_equal(raw_desc(&fx->p, 0x40000000, 2), 0xC0000000ull | ATTR_SHARED | 0x1);
	assert_int_equal(raw_desc(&fx->p, 0x40800000, 2), 0xC0800000ull | ATTR_SHARED | 0x1);
	assert_int_equal(raw_desc(&fx->p, 0x40200000, 3), 0xC0200000ull | ATTR_SHARED | 0x3);
	assert_int_equal(raw_desc(&fx->p, 0x40601000, 3), 0xC0601000ull | ATTR_SHARED | 0x3);
	assert_int_equal(raw_desc(&fx->p, 0x40400000, 2), 0);

	struct run_log log = { 0 };

	p2m_for_each(&fx->p, log_run, &log);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.ipa[0], 0x40000000);
	assert_int_equal(log.pa[0], 0xC0000000);
	assert_int_equal(log.size[0], 0x201000);
	assert_int_equal(log.ipa[1], 0x40601000);
	assert_int_equal(log.pa[1], 0xC0601000);
	assert_int_equal(log.size[1], SZ_1G - 0x601000);
	assert_int_equal(log.type[1], P2M_SHARED);
	assert_false(p2m_translate(&fx->p, ipa(0x40201000), NULL, NULL));
	assert_false(p2m_translate(&fx->p, ipa(0x40600000), NULL, NULL));
	free(d);
	fixture_free(fx);
}

static void test_unmap_then_map_again(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);

	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0xC0000000), SZ_1G, P2M_RAM), 0);
	assert_int_equal(p2m_unmap(&fx->p, ipa(0x40201000), 0x400000), 0);
	/* Fill the hole again: the whole GiB reads back as one run. */
	assert_int_equal(p2m_map(&fx->p, ipa(0x40201000), hpa(0xC0201000), 0x400000, P2M_RAM), 0);
	struct run_log log = { 0 };

	p2m_for_each(&fx->p, log_run, &log);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.size[0], SZ_1G);
	check_translate_range(&fx->p, 0x40000000, 0xC0000000, SZ_1G, P2M_RAM);

	/* Unmapping everything frees every table below the root. */
	fx->f.tlb_calls = 0;
	assert_int_equal(p2m_unmap(&fx->p, ipa(0x40000000), SZ_1G), 0);
	assert_int_equal(fx->f.tlb_calls, 1);
	assert_int_equal(fx->p.table_pages, 2);
	assert_int_equal(live_pages(fx), 2);
	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0xC0000000), SZ_1G, P2M_DEVICE), 0);
	assert_int_equal(fx->p.root[1], 0xC0000000ull | ATTR_DEVICE | 0x1);
	fixture_free(fx);
}

static void test_unmap_frees_empty_tables(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(48);

	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x80000000), PAGE, P2M_RAM), 0);
	assert_int_equal(fx->p.table_pages, 4);   /* L0 root, L1, L2, L3 */
	assert_int_equal(p2m_unmap(&fx->p, ipa(0), SZ_1G * 4), 0);
	assert_int_equal(fx->p.table_pages, 1);
	assert_int_equal(live_pages(fx), 1);
	assert_int_equal(fx->p.root[0], 0);
	assert_int_equal(fx->f.tlb_calls, 1);
	assert_int_equal(fx->f.tlb_base[0], 0);
	assert_int_equal(fx->f.tlb_size[0], SZ_1G * 4);
	/* Nothing mapped: no TLB maintenance. */
	assert_int_equal(p2m_unmap(&fx->p, ipa(0x40000000), SZ_1G), 0);
	assert_int_equal(fx->f.tlb_calls, 1);
	fixture_free(fx);
}

static void test_unmap_split_enomem_unchanged(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);

	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0xC0000000), SZ_1G, P2M_RAM), 0);
	struct dump *before = dump_new(&fx->p);

	for (int ok = 0; ok < 3; ok++) {
		fx->f.fail_after = ok;
		assert_int_equal(p2m_unmap(&fx->p, ipa(0x40201000), 0x400000), -TS_ENOMEM);
		struct dump *after = dump_new(&fx->p);

		assert_dump_equal(before, after);
		assert_int_equal(live_pages(fx), 2);
		assert_int_equal(fx->p.table_pages, 2);
		assert_int_equal(fx->f.tlb_calls, 0);
		free(after);
	}
	free(before);
	fixture_free(fx);
}

/* Unmapping across the boundary of two 2 MiB blocks splits both into pages. */
static void test_unmap_2m_edge(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(39);

	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x80000000), 2 * SZ_2M, P2M_RAM), 0);
	assert_int_equal(p2m_unmap(&fx->p, ipa(0x401FF000), 2 * PAGE), 0);
	assert_int_equal(fx->f.tlb_calls, 3);     /* BBM for each block, then the range */
	assert_int_equal(fx->f.tlb_base[0], 0x40000000);
	assert_int_equal(fx->f.tlb_size[0], SZ_2M);
	assert_int_equal(fx->f.tlb_base[1], 0x40200000);
	assert_int_equal(fx->f.tlb_size[1], SZ_2M);
	assert_int_equal(fx->p.table_pages, 1 + 1 + 2);
	check_translate_range(&fx->p, 0x40000000, 0x80000000, SZ_2M - PAGE, P2M_RAM);
	check_translate_range(&fx->p, 0x40201000, 0x80201000, SZ_2M - PAGE, P2M_RAM);
	fixture_free(fx);
}

/* ---- for_each ------------------------------------------------------------ */

static void test_for_each_merges(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);

	/* Contiguous in IPA and PA, same type, built from pages, blocks and a 1 GiB block. */
	assert_int_equal(p2m_map(&fx->p, ipa(0x3FFFF000), hpa(0x7FFFF000), PAGE, P2M_RAM), 0);
	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x80000000), SZ_1G + SZ_2M, P2M_RAM), 0);
	/* Contiguous but another type. */
	assert_int_equal(p2m_map(&fx->p, ipa(0x80200000), hpa(0xC0200000), SZ_2M, P2M_SHARED), 0);
	/* Same type, contiguous IPA, PA jumps. */
	assert_int_equal(p2m_map(&fx->p, ipa(0x80400000), hpa(0x10000000), PAGE, P2M_SHARED), 0);
	/* Device after a hole. */
	assert_int_equal(p2m_map(&fx->p, ipa(0x90000000), hpa(0x09000000), PAGE, P2M_DEVICE), 0);

	struct run_log log = { 0 };

	p2m_for_each(&fx->p, log_run, &log);
	assert_int_equal(log.n, 4);
	assert_int_equal(log.ipa[0], 0x3FFFF000);
	assert_int_equal(log.pa[0], 0x7FFFF000);
	assert_int_equal(log.size[0], PAGE + SZ_1G + SZ_2M);
	assert_int_equal(log.type[0], P2M_RAM);
	assert_int_equal(log.ipa[1], 0x80200000);
	assert_int_equal(log.size[1], SZ_2M);
	assert_int_equal(log.type[1], P2M_SHARED);
	assert_int_equal(log.ipa[2], 0x80400000);
	assert_int_equal(log.pa[2], 0x10000000);
	assert_int_equal(log.size[2], PAGE);
	assert_int_equal(log.ipa[3], 0x90000000);
	assert_int_equal(log.pa[3], 0x09000000);
	assert_int_equal(log.type[3], P2M_DEVICE);
	fixture_free(fx);
}

/* ---- walk: one address, level by level ----------------------------------- */

static void check_leaf_fields(const struct p2m_walk_step *s, unsigned int memattr,
			      unsigned int xn)
{
	assert_int_equal(s->memattr, memattr);
	assert_int_equal(s->s2ap, 0x3);
	assert_int_equal(s->sh, 0x3);
	assert_int_equal(s->af, 1);
	assert_int_equal(s->xn, xn);
}

/* The demo's domU1 view of region 0x0: IPA 0x50000000 -> PA 0x60000000. */
static void test_walk_shared_block(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);
	struct p2m_walk w;

	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x60400000), 0x8000000, P2M_RAM), 0);
	assert_int_equal(p2m_map(&fx->p, ipa(0x50000000), hpa(0x60000000), 0x200000, P2M_SHARED), 0);
	assert_int_equal(p2m_walk(&fx->p, ipa(0x50012345), &w), 0);
	assert_int_equal(w.end, P2M_WALK_MAPPED);
	assert_int_equal(w.count, 2);
	assert_int_equal(w.vttbr, (uint64_t)(uintptr_t)fx->p.root | (5ull << 48));
	assert_int_equal(w.vmid, 5);
	assert_int_equal(w.ipa_bits, 40);
	assert_int_equal(w.start_level, 1);
	assert_int_equal(w.root_pages, 2);
	/* Level 1: the concatenated root, entry 1 (IPA bits [39:30]), a table. */
	const struct p2m_walk_step *l1 = &w.step[0], *l2 = &w.step[1];
	uint64_t l2_table = raw_desc(&fx->p, 0x50000000, 1) & DESC_OA;

	assert_int_equal(l1->level, 1);
	assert_int_equal(l1->table, (uint64_t)(uintptr_t)fx->p.root);
	assert_int_equal(l1->index, 1);
	assert_int_equal(l1->desc, l2_table | 0x3);
	assert_int_equal(l1->kind, P2M_DESC_TABLE);
	assert_int_equal(l1->oa, l2_table);
	assert_int_equal(l1->span, 0x40000000);
	assert_int_equal(l1->memattr | l1->s2ap | l1->sh | l1->af | l1->xn, 0);
	/* Level 2: entry 128 (IPA bits [29:21]), a 2 MiB block, shared attributes. */
	assert_int_equal(l2->level, 2);
	assert_int_equal(l2->table, l2_table);
	assert_int_equal(l2->index, 128);
	assert_int_equal(l2->desc, 0x00400000600007FDull);
	assert_int_equal(l2->kind, P2M_DESC_BLOCK);
	assert_int_equal(l2->oa, 0x60000000);
	assert_int_equal(l2->span, 0x200000);
	check_leaf_fields(l2, 0xF, 0x2);
	assert_int_equal(w.pa.v, 0x60012345);
	assert_int_equal(w.type, P2M_SHARED);
	/* The same IPA's RAM neighbour: entry 0 of the same level-2 table. */
	assert_int_equal(p2m_walk(&fx->p, ipa(0x40000000), &w), 0);
	assert_int_equal(w.step[1].table, l2_table);
	assert_int_equal(w.step[1].index, 0);
	assert_int_equal(w.step[1].desc, 0x00000000604007FDull);
	check_leaf_fields(&w.step[1], 0xF, 0x0);
	assert_int_equal(w.type, P2M_RAM);
	fixture_free(fx);
}

static void test_walk_page(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);
	struct p2m_walk w;

	assert_int_equal(p2m_map(&fx->p, ipa(0x40400000), hpa(0x90001000), PAGE, P2M_DEVICE), 0);
	assert_int_equal(p2m_walk(&fx->p, ipa(0x40400abc), &w), 0);
	assert_int_equal(w.end, P2M_WALK_MAPPED);
	assert_int_equal(w.count, 3);
	assert_int_equal(w.step[0].kind, P2M_DESC_TABLE);
	assert_int_equal(w.step[1].kind, P2M_DESC_TABLE);
	assert_int_equal(w.step[1].index, 2);
	assert_int_equal(w.step[2].level, 3);
	assert_int_equal(w.step[2].index, 0);
	assert_int_equal(w.step[2].desc, 0x00400000900017C7ull);
	assert_int_equal(w.step[2].kind, P2M_DESC_PAGE);
	assert_int_equal(w.step[2].oa, 0x90001000);
	assert_int_equal(w.step[2].span, PAGE);
	check_leaf_fields(&w.step[2], 0x1, 0x2);
	assert_int_equal(w.pa.v, 0x90001abc);
	assert_int_equal(w.type, P2M_DEVICE);
	fixture_free(fx);
}

/* A removed mapping (a revoked borrower): the walk stops at the entry that
 * was cleared, where the hardware takes a translation fault. */
static void test_walk_fault_after_unmap(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);
	struct p2m_walk w;

	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x60400000), 0x8000000, P2M_RAM), 0);
	assert_int_equal(p2m_map(&fx->p, ipa(0x50000000), hpa(0x60000000), 0x200000, P2M_SHARED), 0);
	assert_int_equal(p2m_unmap(&fx->p, ipa(0x50000000), 0x200000), 0);
	assert_int_equal(p2m_walk(&fx->p, ipa(0x50000000), &w), 0);
	assert_int_equal(w.end, P2M_WALK_FAULT);
	assert_int_equal(w.count, 2);
	assert_int_equal(w.step[0].kind, P2M_DESC_TABLE);
	assert_int_equal(w.step[1].index, 128);
	assert_int_equal(w.step[1].desc, 0);
	assert_int_equal(w.step[1].kind, P2M_DESC_INVALID);
	assert_int_equal(w.step[1].oa, 0);
	/* Nothing mapped in that GiB at all: the fault is at level 1. */
	assert_int_equal(p2m_walk(&fx->p, ipa(0x09000000), &w), 0);
	assert_int_equal(w.end, P2M_WALK_FAULT);
	assert_int_equal(w.count, 1);
	assert_int_equal(w.step[0].index, 0);
	assert_int_equal(w.step[0].kind, P2M_DESC_INVALID);
	fixture_free(fx);
}

static void test_walk_concatenated_root_and_range(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(40);
	struct p2m_walk w;

	/* 513 GiB: entry 513 of the two concatenated level-1 root pages. */
	assert_int_equal(p2m_map(&fx->p, ipa(0x8040000000), hpa(0xC0000000), 0x40000000, P2M_RAM), 0);
	assert_int_equal(p2m_walk(&fx->p, ipa(0x8040000000 + 0x1234), &w), 0);
	assert_int_equal(w.end, P2M_WALK_MAPPED);
	assert_int_equal(w.count, 1);
	assert_int_equal(w.step[0].table, (uint64_t)(uintptr_t)fx->p.root);
	assert_int_equal(w.step[0].index, 513);
	assert_int_equal(w.step[0].desc, 0x00000000C00007FDull);
	assert_int_equal(w.step[0].kind, P2M_DESC_BLOCK);
	assert_int_equal(w.step[0].span, 0x40000000);
	assert_int_equal(w.pa.v, 0xC0001234);
	/* 2^40 and beyond: outside the IPA size, no table read. */
	assert_int_equal(p2m_walk(&fx->p, ipa(1ull << 40), &w), 0);
	assert_int_equal(w.end, P2M_WALK_RANGE);
	assert_int_equal(w.count, 0);
	assert_int_equal(p2m_walk(NULL, ipa(0), &w), -TS_EINVAL);
	assert_int_equal(p2m_walk(&fx->p, ipa(0), NULL), -TS_EINVAL);
	fixture_free(fx);
}

/* 48-bit IPA: the walk starts at level 0; a block encoding at level 0 or a
 * 0b01 entry at level 3 is reserved with a 4 KiB granule and faults. */
static void test_walk_level0_and_reserved(void **state)
{
	(void)state;
	struct fixture *fx = fixture_new(48);
	struct p2m_walk w;

	assert_int_equal(p2m_map(&fx->p, ipa(0x40200000), hpa(0x80200000), 0x200000, P2M_RAM), 0);
	assert_int_equal(p2m_walk(&fx->p, ipa(0x40200000), &w), 0);
	assert_int_equal(w.end, P2M_WALK_MAPPED);
	assert_int_equal(w.count, 3);
	assert_int_equal(w.start_level, 0);
	assert_int_equal(w.root_pages, 1);
	assert_int_equal(w.step[0].level, 0);
	assert_int_equal(w.step[1].level, 1);
	assert_int_equal(w.step[2].level, 2);
	assert_int_equal(w.step[2].index, 1);
	assert_int_equal(w.step[2].desc, 0x00000000802007FDull);

	fx->p.root[1] = 0x0000008000000000ull | 0x7FC | 0x1;   /* "block" at level 0 */
	assert_int_equal(p2m_walk(&fx->p, ipa(0x8000000000), &w), 0);
	assert_int_equal(w.end, P2M_WALK_FAULT);
	assert_int_equal(w.count, 1);
	assert_int_equal(w.step[0].kind, P2M_DESC_INVALID);
	assert_int_equal(w.step[0].memattr, 0);
	fx->p.root[1] = 0;

	assert_int_equal(p2m_map(&fx->p, ipa(0x40000000), hpa(0x90000000), PAGE, P2M_RAM), 0);
	uint64_t *l3 = (uint64_t *)(uintptr_t)(raw_desc(&fx->p, 0x40000000, 2) & DESC_OA);

	l3[1] = 0x90001000ull | 0x7FC | 0x1;                   /* 0b01 at level 3 */
	assert_int_equal(p2m_walk(&fx->p, ipa(0x40001000), &w), 0);
	assert_int_equal(w.end, P2M_WALK_FAULT);
	assert_int_equal(w.count, 4);
	assert_int_equal(w.step[3].desc, 0x00000000900017FDull);
	assert_int_equal(w.step[3].kind, P2M_DESC_INVALID);
	l3[1] = 0;
	fixture_free(fx);
}

/* The TLB switch invalidates small ranges page by page, anything else by VMID. */
static void test_tlbi_ipa_ops(void **state)
{
	uint64_t op;

	(void)state;
	assert_int_equal(p2m_tlbi_ipa_ops(ipa(0x40001000), PAGE, &op), 1);
	assert_int_equal(op, 0x40001);                      /* IPA[47:12] */
	/* Unaligned edges cover every page touched. */
	assert_int_equal(p2m_tlbi_ipa_ops(ipa(0x40000800), PAGE, &op), 2);
	assert_int_equal(op, 0x40000);
	assert_int_equal(p2m_tlbi_ipa_ops(ipa(0xfffffff000ull), 16 * PAGE, &op), 16);
	assert_int_equal(op, 0xfffffffull);
	assert_int_equal(p2m_tlbi_ipa_ops(ipa(0x50000000), P2M_TLBI_IPA_MAX * PAGE, &op),
			 P2M_TLBI_IPA_MAX);
	/* Beyond the limit, size 0 ("everything") and a wrapping range: the whole VMID. */
	assert_int_equal(p2m_tlbi_ipa_ops(ipa(0x50000000), (P2M_TLBI_IPA_MAX + 1) * PAGE, &op), 0);
	assert_int_equal(p2m_tlbi_ipa_ops(ipa(0x40000000), SZ_2M, &op), 0);
	assert_int_equal(p2m_tlbi_ipa_ops(ipa(0), 0, &op), 0);
	assert_int_equal(p2m_tlbi_ipa_ops(ipa(~0ull - PAGE + 1), 2 * PAGE, &op), 0);
	assert_int_equal(op, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_geometry),
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test(test_vtcr_ipa40_pa44),
		cmocka_unit_test(test_ipa_bits_for),
		cmocka_unit_test(test_vttbr),
		cmocka_unit_test(test_leaf_attrs),
		cmocka_unit_test(test_desc_ram),
		cmocka_unit_test(test_desc_shared),
		cmocka_unit_test(test_desc_device),
		cmocka_unit_test(test_map_1g_block),
		cmocka_unit_test(test_map_2m_block),
		cmocka_unit_test(test_cost_independent_of_size),
		cmocka_unit_test(test_map_unaligned_mix),
		cmocka_unit_test(test_map_misaligned_pa_uses_pages),
		cmocka_unit_test(test_map_bad_args),
		cmocka_unit_test(test_overlap_busy_unchanged),
		cmocka_unit_test(test_alloc_failure_unchanged),
		cmocka_unit_test(test_unmap_splits_1g_block),
		cmocka_unit_test(test_unmap_then_map_again),
		cmocka_unit_test(test_unmap_frees_empty_tables),
		cmocka_unit_test(test_unmap_split_enomem_unchanged),
		cmocka_unit_test(test_unmap_2m_edge),
		cmocka_unit_test(test_for_each_merges),
		cmocka_unit_test(test_walk_shared_block),
		cmocka_unit_test(test_walk_page),
		cmocka_unit_test(test_walk_fault_after_unmap),
		cmocka_unit_test(test_walk_concatenated_root_and_range),
		cmocka_unit_test(test_walk_level0_and_reserved),
		cmocka_unit_test(test_tlbi_ipa_ops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
