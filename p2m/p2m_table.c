/*
 * Stage-2 table builder: map, unmap, translate and walk the p2m in memory.
 * Pure C over the caller's page allocator (struct p2m_mm); compiles for the
 * host.  Hardware effects are requested through mm->tlb_invalidate only.
 *
 * Every change is check-then-commit (STYLE.md §5): a first pass walks the
 * range, rejects overlaps and counts the table pages the change needs; those
 * pages are taken into a private pool up front; the second pass writes the
 * descriptors and cannot fail.  So a failed call leaves the tables untouched.
 */
#include "p2m.h"

#include "p2m_internal.h"
#include "tserr.h"

/* Start level and concatenation for a range of IPA sizes (Arm ARM D8,
 * "Concatenated translation tables for the initial stage 2 lookup"). */
struct p2m_geometry {
	unsigned int ipa_bits_min;
	unsigned int ipa_bits_max;
	unsigned int start_level;
	uint64_t sl0;
};

static const struct p2m_geometry p2m_geometries[] = {
	{ 32, 39, 1, VTCR_SL0_LEVEL1 },   /* one level-1 table, partly used below 39 bits */
	{ 40, 43, 1, VTCR_SL0_LEVEL1 },   /* 2..16 concatenated level-1 tables */
	{ 44, 48, 0, VTCR_SL0_LEVEL0 },   /* one level-0 table */
};

/* ID_AA64MMFR0_EL1.PARange encodings 0..6 -> PA bits. */
static const unsigned int p2m_parange_bits[] = { 32, 36, 40, 42, 44, 48, 52 };

static const struct p2m_geometry *p2m_geometry_for(unsigned int ipa_bits)
{
	for (size_t i = 0; i < ARRAY_SIZE(p2m_geometries); i++) {
		const struct p2m_geometry *g = &p2m_geometries[i];

		if (ipa_bits >= g->ipa_bits_min && ipa_bits <= g->ipa_bits_max)
			return g;
	}
	return NULL;
}

/* ---- descriptor encode/decode ------------------------------------------ */

static unsigned int level_shift(unsigned int level)
{
	return P2M_PAGE_SHIFT + P2M_LEVEL_BITS * (P2M_LAST_LEVEL - level);
}

static uint64_t level_size(unsigned int level)
{
	return 1ull << level_shift(level);
}

static uint64_t addr_of(const void *page)
{
	return (uint64_t)(uintptr_t)page;
}

static uint64_t *table_of(uint64_t desc)
{
	return (uint64_t *)(uintptr_t)(desc & S2_DESC_OA);
}

static bool desc_is_table(unsigned int level, uint64_t desc)
{
	return level < P2M_LAST_LEVEL && (desc & S2_DESC_TYPE) == S2_DESC_TYPE_TABLE;
}

/* A block (levels 1-2) or a page (level 3). */
static bool desc_is_leaf(unsigned int level, uint64_t desc)
{
	uint64_t want = level == P2M_LAST_LEVEL ? S2_DESC_TYPE_TABLE : S2_DESC_TYPE_BLOCK;

	return (desc & S2_DESC_TYPE) == want;
}

static uint64_t desc_table(const uint64_t *table)
{
	return (addr_of(table) & S2_DESC_OA) | S2_DESC_TYPE_TABLE;
}

static uint64_t desc_leaf(unsigned int level, uint64_t pa, uint64_t attrs)
{
	uint64_t type = level == P2M_LAST_LEVEL ? S2_DESC_TYPE_TABLE : S2_DESC_TYPE_BLOCK;

	return (pa & S2_DESC_OA) | attrs | type;
}

uint64_t p2m_leaf_attrs(enum p2m_type type)
{
	uint64_t common = field_prep(S2_S2AP, S2_S2AP_RW) | field_prep(S2_SH, S2_SH_INNER) | S2_AF;

	switch (type) {
	case P2M_RAM:
		return common | field_prep(S2_MEMATTR, S2_MEMATTR_NORMAL_WB) |
		       field_prep(S2_XN, S2_XN_EXEC);
	case P2M_SHARED:
		return common | field_prep(S2_MEMATTR, S2_MEMATTR_NORMAL_WB) |
		       field_prep(S2_XN, S2_XN_NEVER);
	case P2M_DEVICE:
		return common | field_prep(S2_MEMATTR, S2_MEMATTR_DEVICE_nGnRE) |
		       field_prep(S2_XN, S2_XN_NEVER);
	default:
		return 0;
	}
}

static enum p2m_type desc_type(uint64_t desc)
{
	if (field_get(S2_MEMATTR, desc) == S2_MEMATTR_DEVICE_nGnRE)
		return P2M_DEVICE;
	return field_get(S2_XN, desc) == S2_XN_EXEC ? P2M_RAM : P2M_SHARED;
}

/* One single-copy-atomic store, so a concurrent walker never sees a torn entry. */
static void pte_write(uint64_t *slot, uint64_t desc)
{
	__atomic_store_n(slot, desc, __ATOMIC_RELAXED);
}

/* ---- walking helpers ---------------------------------------------------- */

static unsigned int entry_index(const struct p2m *p, unsigned int level, uint64_t ipa)
{
	uint64_t idx = ipa >> level_shift(level);

	/* The (possibly concatenated) root is indexed by all remaining IPA bits. */
	if (level != p->start_level)
		idx &= P2M_ENTRIES - 1;
	return (unsigned int)idx;
}

/* End of the level-`level` entry holding `a`, clipped to `end`. */
static uint64_t chunk_end(unsigned int level, uint64_t a, uint64_t end)
{
	uint64_t next = align_down(a, level_size(level)) + level_size(level);

	return next < end ? next : end;
}

static bool chunk_is_whole(unsigned int level, uint64_t a, uint64_t next)
{
	return is_aligned(a, level_size(level)) && next - a == level_size(level);
}

/* 4 KiB granule: blocks exist at levels 1 and 2 only. */
static bool block_fits(unsigned int level, uint64_t a, uint64_t next, uint64_t pa)
{
	return level >= P2M_BLOCK_LEVEL_MIN && chunk_is_whole(level, a, next) &&
	       is_aligned(pa, level_size(level));
}

static bool table_is_empty(const uint64_t *table)
{
	for (unsigned int i = 0; i < P2M_ENTRIES; i++)
		if (table[i] & S2_DESC_VALID)
			return false;
	return true;
}

static int check_range(const struct p2m *p, uint64_t ipa, uint64_t size)
{
	if (p == NULL || p->root == NULL || size == 0 ||
	    !is_aligned(ipa, P2M_PAGE_SIZE) || !is_aligned(size, P2M_PAGE_SIZE))
		return -TS_EINVAL;
	uint64_t limit = 1ull << p->ipa_bits;

	if (ipa >= limit || size > limit - ipa)
		return -TS_ERANGE;
	return 0;
}

/* ---- page pool: what a change needs, taken before anything is written ---- */

struct p2m_pool {
	uint64_t *head;   /* pages linked through their first word */
};

static void pool_drain(const struct p2m_mm *mm, struct p2m_pool *pool)
{
	while (pool->head != NULL) {
		uint64_t *page = pool->head;

		pool->head = (uint64_t *)(uintptr_t)page[0];
		mm->free_page(mm->ctx, page);
	}
}

static int pool_fill(const struct p2m_mm *mm, struct p2m_pool *pool, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++) {
		uint64_t *page = mm->alloc_page(mm->ctx);

		if (page == NULL) {
			pool_drain(mm, pool);
			return -TS_ENOMEM;
		}
		page[0] = addr_of(pool->head);
		pool->head = page;
	}
	return 0;
}

/* Never empty here: the first pass counted exactly what the second takes. */
static uint64_t *pool_take(struct p2m *p, struct p2m_pool *pool)
{
	uint64_t *page = pool->head;

	pool->head = (uint64_t *)(uintptr_t)page[0];
	page[0] = 0;
	p->table_pages++;
	return page;
}

/* ---- init / destroy ------------------------------------------------------ */

static unsigned int root_pages_for(unsigned int ipa_bits, unsigned int start_level)
{
	unsigned int covered = level_shift(start_level) + P2M_LEVEL_BITS;

	return ipa_bits > covered ? 1u << (ipa_bits - covered) : 1u;
}

static uint64_t *root_alloc(const struct p2m_mm *mm, unsigned int pages)
{
	if (pages == 1)
		return mm->alloc_page(mm->ctx);
	if (mm->alloc_pages == NULL || mm->free_pages == NULL)
		return NULL;
	return mm->alloc_pages(mm->ctx, pages);
}

static void root_free(const struct p2m *p)
{
	if (p->root_pages == 1)
		p->mm->free_page(p->mm->ctx, p->root);
	else
		p->mm->free_pages(p->mm->ctx, p->root, p->root_pages);
}

int p2m_init(struct p2m *p, unsigned int ipa_bits, uint16_t vmid, const struct p2m_mm *mm)
{
	const struct p2m_geometry *g = p2m_geometry_for(ipa_bits);

	if (p == NULL || g == NULL || vmid > P2M_VMID_MAX || mm == NULL ||
	    mm->alloc_page == NULL || mm->free_page == NULL)
		return -TS_EINVAL;
	unsigned int pages = root_pages_for(ipa_bits, g->start_level);

	if (pages > 1 && (mm->alloc_pages == NULL || mm->free_pages == NULL))
		return -TS_EINVAL;
	uint64_t *root = root_alloc(mm, pages);

	if (root == NULL)
		return -TS_ENOMEM;
	*p = (struct p2m){
		.root = root, .ipa_bits = ipa_bits, .start_level = g->start_level,
		.root_pages = pages, .vmid = vmid, .mm = mm, .table_pages = pages,
	};
	/* VTTBR_EL2.BADDR needs the root aligned to its whole size. */
	if (!is_aligned(addr_of(root), (uint64_t)pages * P2M_PAGE_SIZE)) {
		p2m_destroy(p);
		return -TS_EINVAL;
	}
	return 0;
}

static void table_free_all(struct p2m *p, uint64_t *table, unsigned int level, unsigned int entries)
{
	for (unsigned int i = 0; i < entries; i++) {
		if (!desc_is_table(level, table[i]))
			continue;
		uint64_t *child = table_of(table[i]);

		table_free_all(p, child, level + 1, P2M_ENTRIES);
		p->mm->free_page(p->mm->ctx, child);
		p->table_pages--;
	}
}

void p2m_destroy(struct p2m *p)
{
	if (p == NULL || p->root == NULL)
		return;
	table_free_all(p, p->root, p->start_level, p->root_pages * P2M_ENTRIES);
	root_free(p);
	p->root = NULL;
	p->table_pages = 0;
}

/* ---- map ------------------------------------------------------------------ */

struct map_req {
	uint64_t ipa;      /* start of the request: pa of `a` is pa + (a - ipa) */
	uint64_t pa;
	uint64_t attrs;
	unsigned int need; /* table pages the commit will take */
};

/* First pass over [start, end) of `table` (NULL: a table still to be made). */
static int map_check(const struct p2m *p, struct map_req *r, const uint64_t *table,
		     unsigned int level, uint64_t start, uint64_t end)
{
	for (uint64_t a = start, next; a < end; a = next) {
		next = chunk_end(level, a, end);
		uint64_t desc = table ? table[entry_index(p, level, a)] : 0;

		if (desc_is_table(level, desc)) {
			int err = map_check(p, r, table_of(desc), level + 1, a, next);

			if (err)
				return err;
		} else if (desc & S2_DESC_VALID) {
			return -TS_EBUSY;
		} else if (!block_fits(level, a, next, r->pa + (a - r->ipa))) {
			r->need++;
			map_check(p, r, NULL, level + 1, a, next);
		}
	}
	return 0;
}

/* Second pass: every entry in range is invalid or a table (checked). */
static void map_commit(struct p2m *p, struct map_req *r, struct p2m_pool *pool,
		       uint64_t *table, unsigned int level, uint64_t start, uint64_t end)
{
	for (uint64_t a = start, next; a < end; a = next) {
		next = chunk_end(level, a, end);
		uint64_t *slot = &table[entry_index(p, level, a)];
		uint64_t pa = r->pa + (a - r->ipa);

		if (desc_is_table(level, *slot)) {
			map_commit(p, r, pool, table_of(*slot), level + 1, a, next);
		} else if (block_fits(level, a, next, pa)) {
			pte_write(slot, desc_leaf(level, pa, r->attrs));
		} else {
			/* Fill the new table before it becomes reachable. */
			uint64_t *child = pool_take(p, pool);

			map_commit(p, r, pool, child, level + 1, a, next);
			pte_write(slot, desc_table(child));
		}
	}
}

int p2m_map(struct p2m *p, ipa_t ipa, hpa_t pa, uint64_t size, enum p2m_type type)
{
	int err = check_range(p, ipa.v, size);

	if (err)
		return err;
	if (!is_aligned(pa.v, P2M_PAGE_SIZE) || (unsigned int)type > P2M_DEVICE)
		return -TS_EINVAL;
	if (pa.v >= BIT64(P2M_OA_BITS) || size > BIT64(P2M_OA_BITS) - pa.v)
		return -TS_ERANGE;

	struct map_req r = { .ipa = ipa.v, .pa = pa.v, .attrs = p2m_leaf_attrs(type) };
	uint64_t end = ipa.v + size;

	err = map_check(p, &r, p->root, p->start_level, ipa.v, end);
	if (err)
		return err;
	struct p2m_pool pool = { NULL };

	err = pool_fill(p->mm, &pool, r.need);
	if (err)
		return err;
	map_commit(p, &r, &pool, p->root, p->start_level, ipa.v, end);
	pool_drain(p->mm, &pool);
	return 0;
}

/* ---- unmap ---------------------------------------------------------------- */

struct unmap_req {
	unsigned int need;   /* table pages needed to split straddling blocks */
	bool changed;        /* some entry was cleared: the range needs a TLBI */
	uint64_t *dead;      /* emptied tables, freed after the TLBI (walk caches) */
};

/* Tables needed to remove [a, b) from the block at `level` that holds it. */
static unsigned int split_need(unsigned int level, uint64_t a, uint64_t b)
{
	if (level >= P2M_LAST_LEVEL || chunk_is_whole(level, a, b))
		return 0;
	unsigned int sub = level + 1;
	unsigned int need = 1;
	uint64_t first_end = chunk_end(sub, a, b);

	/* Only the first and the last sub-entry can be cut partly. */
	need += split_need(sub, a, first_end);
	if (first_end < b) {
		need += split_need(sub, align_down(b - 1, level_size(sub)), b);
	}
	return need;
}

static void unmap_check(const struct p2m *p, struct unmap_req *r, const uint64_t *table,
			unsigned int level, uint64_t start, uint64_t end)
{
	for (uint64_t a = start, next; a < end; a = next) {
		next = chunk_end(level, a, end);
		uint64_t desc = table[entry_index(p, level, a)];

		if (desc_is_table(level, desc))
			unmap_check(p, r, table_of(desc), level + 1, a, next);
		else if (desc_is_leaf(level, desc))
			r->need += split_need(level, a, next);
	}
}

/* A table at level+1 describing exactly what the block `desc` maps. */
static uint64_t *split_block(struct p2m *p, struct p2m_pool *pool, unsigned int level, uint64_t desc)
{
	uint64_t *child = pool_take(p, pool);
	uint64_t attrs = desc & ~(S2_DESC_OA | S2_DESC_TYPE);
	uint64_t oa = desc & S2_DESC_OA;

	for (unsigned int i = 0; i < P2M_ENTRIES; i++)
		child[i] = desc_leaf(level + 1, oa + i * level_size(level + 1), attrs);
	return child;
}

static void tlb_invalidate(const struct p2m *p, uint64_t base, uint64_t size)
{
	if (p->mm->tlb_invalidate != NULL)
		p->mm->tlb_invalidate(p->mm->ctx, p, ipa(base), size);
}

static void unmap_commit(struct p2m *p, struct unmap_req *r, struct p2m_pool *pool,
			 uint64_t *table, unsigned int level, uint64_t start, uint64_t end, bool live);

/* Replace the block in `slot` by a table without [a, next).  A live entry
 * goes through break-before-make (Arm ARM D8, "Using break-before-make when
 * updating translation table entries"): invalid, TLBI, then the table.  A
 * table not yet reachable (inside another split) is simply rewritten. */
static void unmap_split(struct p2m *p, struct unmap_req *r, struct p2m_pool *pool, uint64_t *slot,
			unsigned int level, uint64_t a, uint64_t next, bool live)
{
	uint64_t *child = split_block(p, pool, level, *slot);

	unmap_commit(p, r, pool, child, level + 1, a, next, false);
	if (live) {
		uint64_t base = align_down(a, level_size(level));

		pte_write(slot, 0);
		tlb_invalidate(p, base, level_size(level));
	}
	pte_write(slot, desc_table(child));
}

static void unmap_commit(struct p2m *p, struct unmap_req *r, struct p2m_pool *pool,
			 uint64_t *table, unsigned int level, uint64_t start, uint64_t end, bool live)
{
	for (uint64_t a = start, next; a < end; a = next) {
		next = chunk_end(level, a, end);
		uint64_t *slot = &table[entry_index(p, level, a)];

		if (desc_is_table(level, *slot)) {
			uint64_t *child = table_of(*slot);

			unmap_commit(p, r, pool, child, level + 1, a, next, live);
			if (table_is_empty(child)) {
				pte_write(slot, 0);
				child[0] = addr_of(r->dead);   /* 4 KiB aligned: still an invalid entry */
				r->dead = child;
			}
			continue;
		}
		if (!desc_is_leaf(level, *slot))
			continue;
		if (chunk_is_whole(level, a, next))
			pte_write(slot, 0);
		else
			unmap_split(p, r, pool, slot, level, a, next, live);
		r->changed = true;
	}
}

int p2m_unmap(struct p2m *p, ipa_t ipa, uint64_t size)
{
	int err = check_range(p, ipa.v, size);

	if (err)
		return err;
	struct unmap_req r = { 0 };
	uint64_t end = ipa.v + size;

	unmap_check(p, &r, p->root, p->start_level, ipa.v, end);
	struct p2m_pool pool = { NULL };

	err = pool_fill(p->mm, &pool, r.need);
	if (err)
		return err;
	unmap_commit(p, &r, &pool, p->root, p->start_level, ipa.v, end, true);
	pool_drain(p->mm, &pool);
	if (r.changed)
		tlb_invalidate(p, ipa.v, size);
	while (r.dead != NULL) {
		uint64_t *page = r.dead;

		r.dead = (uint64_t *)(uintptr_t)page[0];
		p->mm->free_page(p->mm->ctx, page);
		p->table_pages--;
	}
	return 0;
}

/* ---- lookups -------------------------------------------------------------- */

bool p2m_translate(const struct p2m *p, ipa_t ipa, hpa_t *pa, enum p2m_type *type)
{
	if (p == NULL || p->root == NULL || ipa.v >= BIT64(p->ipa_bits))
		return false;
	const uint64_t *table = p->root;

	for (unsigned int level = p->start_level; level <= P2M_LAST_LEVEL; level++) {
		uint64_t desc = table[entry_index(p, level, ipa.v)];

		if (desc_is_table(level, desc)) {
			table = table_of(desc);
			continue;
		}
		if (!desc_is_leaf(level, desc))
			return false;
		if (pa != NULL)
			*pa = hpa((desc & S2_DESC_OA & ~(level_size(level) - 1)) |
				  (ipa.v & (level_size(level) - 1)));
		if (type != NULL)
			*type = desc_type(desc);
		return true;
	}
	return false;
}

/* What a descriptor is at @level: 4 KiB granule, VTCR_EL2.DS = 0, so no
 * block at level 0 and only the page encoding at level 3 (Arm ARM D8,
 * "Translation table descriptor formats"); the reserved ones fault. */
static enum p2m_desc_kind desc_kind(unsigned int level, uint64_t desc)
{
	if (!(desc & S2_DESC_VALID))
		return P2M_DESC_INVALID;
	bool type_table = (desc & S2_DESC_TYPE) == S2_DESC_TYPE_TABLE;

	if (level == P2M_LAST_LEVEL)
		return type_table ? P2M_DESC_PAGE : P2M_DESC_INVALID;
	if (type_table)
		return P2M_DESC_TABLE;
	return level >= P2M_BLOCK_LEVEL_MIN ? P2M_DESC_BLOCK : P2M_DESC_INVALID;
}

static void walk_decode(struct p2m_walk_step *s)
{
	switch (s->kind) {
	case P2M_DESC_TABLE:
		s->oa = s->desc & S2_DESC_OA;
		break;
	case P2M_DESC_BLOCK:
	case P2M_DESC_PAGE:
		s->oa = s->desc & S2_DESC_OA & ~(s->span - 1);
		s->memattr = (unsigned int)field_get(S2_MEMATTR, s->desc);
		s->s2ap = (unsigned int)field_get(S2_S2AP, s->desc);
		s->sh = (unsigned int)field_get(S2_SH, s->desc);
		s->af = (unsigned int)field_get(S2_AF, s->desc);
		s->xn = (unsigned int)field_get(S2_XN, s->desc);
		break;
	default:
		break;
	}
}

int p2m_walk(const struct p2m *p, ipa_t ipa, struct p2m_walk *w)
{
	if (p == NULL || p->root == NULL || w == NULL)
		return -TS_EINVAL;
	*w = (struct p2m_walk){
		.ipa = ipa, .end = P2M_WALK_RANGE, .vttbr = p2m_vttbr(p), .vmid = p->vmid, .ipa_bits = p->ipa_bits,
		.start_level = p->start_level, .root_pages = p->root_pages,
	};
	if (ipa.v >= BIT64(p->ipa_bits))
		return 0;
	const uint64_t *table = p->root;

	for (unsigned int level = p->start_level; level <= P2M_LAST_LEVEL; level++) {
		struct p2m_walk_step *s = &w->step[w->count++];
		unsigned int index = entry_index(p, level, ipa.v);

		*s = (struct p2m_walk_step){
			.level = level, .table = addr_of(table), .index = index,
			.desc = table[index], .span = level_size(level),
		};
		s->kind = desc_kind(level, s->desc);
		walk_decode(s);
		if (s->kind == P2M_DESC_TABLE) {
			table = table_of(s->desc);
			continue;
		}
		if (s->kind == P2M_DESC_INVALID)
			break;
		w->end = P2M_WALK_MAPPED;
		w->pa = hpa(s->oa | (ipa.v & (s->span - 1)));
		w->type = desc_type(s->desc);
		return 0;
	}
	w->end = P2M_WALK_FAULT;
	return 0;
}

struct p2m_run {
	void (*fn)(void *ctx, ipa_t ipa, hpa_t pa, uint64_t size, enum p2m_type type);
	void *ctx;
	uint64_t ipa, pa, size;   /* size 0: no run open */
	enum p2m_type type;
};

static void run_flush(struct p2m_run *run)
{
	if (run->size != 0)
		run->fn(run->ctx, ipa(run->ipa), hpa(run->pa), run->size, run->type);
	run->size = 0;
}

static void run_add(struct p2m_run *run, uint64_t va, uint64_t pa, uint64_t size, enum p2m_type type)
{
	if (run->size != 0 && run->ipa + run->size == va && run->pa + run->size == pa &&
	    run->type == type) {
		run->size += size;
		return;
	}
	run_flush(run);
	*run = (struct p2m_run){ run->fn, run->ctx, va, pa, size, type };
}

#define WALK_SKIP 16u                   /* entries tested together for "all invalid" */

/*
 * The first entry at or after @i that is not 0.  Most entries are: sixteen
 * at a time (the boot log walks every table of every partition).
 */
static unsigned int next_used(const uint64_t *t, unsigned int i, unsigned int n)
{
	const uint64_t *e = t + i, *end = t + n;
	for (; end - e >= WALK_SKIP; e += WALK_SKIP)
		if ((e[0] | e[1] | e[2] | e[3] | e[4] | e[5] | e[6] | e[7] | e[8] | e[9] | e[10] |
		     e[11] | e[12] | e[13] | e[14] | e[15]) != 0)
			break;
	while (e < end && *e == 0)
		e++;
	return (unsigned int)(e - t);
}

static void walk_leaves(const struct p2m *p, struct p2m_run *run, const uint64_t *table,
			unsigned int level, unsigned int entries, uint64_t base)
{
	for (unsigned int i = next_used(table, 0, entries); i < entries;
	     i = next_used(table, i + 1, entries)) {
		uint64_t desc = table[i];
		uint64_t va = base + (uint64_t)i * level_size(level);

		if (desc_is_table(level, desc))
			walk_leaves(p, run, table_of(desc), level + 1, P2M_ENTRIES, va);
		else if (desc_is_leaf(level, desc))
			run_add(run, va, desc & S2_DESC_OA, level_size(level), desc_type(desc));
	}
}

void p2m_for_each(const struct p2m *p, void (*fn)(void *ctx, ipa_t ipa, hpa_t pa, uint64_t size,
		  enum p2m_type type), void *ctx)
{
	if (p == NULL || p->root == NULL || fn == NULL)
		return;
	struct p2m_run run = { .fn = fn, .ctx = ctx };

	walk_leaves(p, &run, p->root, p->start_level, p->root_pages * P2M_ENTRIES, 0);
	run_flush(&run);
}

/* ---- register values ------------------------------------------------------ */

uint64_t p2m_vtcr(unsigned int ipa_bits, unsigned int ps_field)
{
	const struct p2m_geometry *g = p2m_geometry_for(ipa_bits);

	if (g == NULL)
		return 0;
	return field_prep(VTCR_EL2_T0SZ, 64u - ipa_bits) |
	       field_prep(VTCR_EL2_SL0, g->sl0) |
	       field_prep(VTCR_EL2_IRGN0, VTCR_RGN_WBWA) |
	       field_prep(VTCR_EL2_ORGN0, VTCR_RGN_WBWA) |
	       field_prep(VTCR_EL2_SH0, VTCR_SH_INNER) |
	       field_prep(VTCR_EL2_TG0, VTCR_TG0_4K) |
	       field_prep(VTCR_EL2_PS, ps_field) |
	       VTCR_EL2_RES1;   /* VS = 0: 8-bit VMID */
}

uint64_t p2m_vttbr(const struct p2m *p)
{
	return (addr_of(p->root) & VTTBR_EL2_BADDR) | field_prep(VTTBR_EL2_VMID, p->vmid);
}

unsigned int p2m_ipa_bits_for(unsigned int parange_field)
{
	/* Reserved encodings beyond 52 bits: no more than the 48-bit OA we use. */
	unsigned int pa_bits = parange_field < ARRAY_SIZE(p2m_parange_bits) ?
			       p2m_parange_bits[parange_field] : P2M_OA_BITS;

	return pa_bits < P2M_IPA_BITS_CAP ? pa_bits : P2M_IPA_BITS_CAP;
}

#define TLBI_IPA_SHIFT 12                       /* the operand holds IPA[47:12] */

unsigned int p2m_tlbi_ipa_ops(ipa_t base, uint64_t size, uint64_t *first_op)
{
	uint64_t first = align_down(base.v, P2M_PAGE_SIZE);
	uint64_t end = base.v + size;

	*first_op = 0;
	if (size == 0 || end < base.v)
		return 0;
	uint64_t pages = (align_up(end, P2M_PAGE_SIZE) - first) / P2M_PAGE_SIZE;

	if (pages > P2M_TLBI_IPA_MAX)
		return 0;
	*first_op = first >> TLBI_IPA_SHIFT;
	return (unsigned int)pages;
}
