/*
 * Shared-memory ownership table (DESIGN.md §6): dom_shared, each region's
 * owner and reference count, and per partition whether its mapping is
 * installed or was revoked.  No hardware access: stage-2 changes go through
 * the caller's struct shm_ops, under the caller's lock.
 *
 * Reference counts count partition references only: a running explicit
 * owner holds 1 (it acquired the pages as its own RAM), each borrower with an
 * installed mapping holds 1; dom_shared's ownership is not a reference.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "shm.h"
#include "tserr.h"

_Static_assert(CFG_MAX_PARTITIONS <= sizeof(shm_partmask_t) * 8,
	       "shm_partmask_t needs one bit per partition");
_Static_assert(CFG_MAX_SHM_REFS < SHM_REF_NONE,
	       "ref chains index cfg.refs[] with uint16_t");

static const char *const shm_state_names[] = {
	[SHM_UNMAPPED] = "unmapped",
	[SHM_MAPPED] = "mapped",
	[SHM_REVOKED] = "revoked",
};

static shm_partmask_t part_bit(unsigned int part)
{
	return (shm_partmask_t)1u << part;
}

static bool region_has_owner(const struct shm_region *r)
{
	return r->owner != CFG_OWNER_DOM_SHARED;
}

static shm_partmask_t region_owner_bit(const struct shm_region *r)
{
	return region_has_owner(r) ? part_bit((unsigned int)r->owner) : 0;
}

static hpa_t region_hpa(const struct shm_region *r)
{
	return hpa(r->host_pfn << SHM_PAGE_SHIFT);
}

static uint64_t region_size(const struct shm_region *r)
{
	return r->page_count << SHM_PAGE_SHIFT;
}

static const char *region_owner_name(const struct config *cfg,
				     const struct shm_region *r)
{
	return region_has_owner(r) ? cfg->partitions[r->owner].name : "dom_shared";
}

/* printf into an optional caller buffer (reasons, check messages). */
__attribute__((format(printf, 3, 4)))
static void shm_say(char *buf, size_t len, const char *fmt, ...)
{
	if (buf == NULL || len == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* ---- init ------------------------------------------------------------- */

static int shm_region_setup(struct shm_table *t, const struct config *cfg,
			    unsigned int i)
{
	const struct cfg_shm_region *c = &cfg->regions[i];
	struct shm_region *r = &t->regions[i];

	if (c->size == 0 || !is_aligned(c->host_base | c->size, SHM_PAGE_SIZE) ||
	    c->host_base + (c->size - 1) < c->host_base)
		return -TS_EINVAL;
	if (c->owner != CFG_OWNER_DOM_SHARED &&
	    (c->owner < 0 || (unsigned int)c->owner >= cfg->partition_count))
		return -TS_EINVAL;
	r->host_pfn = c->host_base >> SHM_PAGE_SHIFT;
	r->page_count = c->size >> SHM_PAGE_SHIFT;
	r->owner = c->owner;
	r->first_ref = SHM_REF_NONE;
	if (region_has_owner(r)) {
		r->owner_domid = cfg->partitions[c->owner].id;
	} else {
		/* dom_shared acquires it: ownership, not a reference. */
		r->owner_domid = t->dom_shared.domid;
		t->dom_shared.region_count++;
	}
	return 0;
}

/* Prepends ref @i to its partition's and its region's chains; called for
 * the refs in reverse so that the chains come out in config order. */
static int shm_ref_link(struct shm_table *t, const struct config *cfg,
			unsigned int i)
{
	const struct cfg_shm_ref *ref = &cfg->refs[i];

	if (ref->partition >= cfg->partition_count ||
	    ref->region >= cfg->region_count)
		return -TS_EINVAL;
	struct shm_region *r = &t->regions[ref->region];
	shm_partmask_t bit = part_bit(ref->partition);

	if ((r->named & bit) != 0 ||
	    ref->owner != (r->owner == (int)ref->partition) ||
	    !is_aligned(ref->guest_base, SHM_PAGE_SIZE) ||
	    ref->guest_base + (region_size(r) - 1) < ref->guest_base)
		return -TS_EINVAL;
	r->named |= bit;
	t->next_ref_of_region[i] = r->first_ref;
	r->first_ref = (uint16_t)i;
	t->next_ref_of_part[i] = t->part_first_ref[ref->partition];
	t->part_first_ref[ref->partition] = (uint16_t)i;
	return 0;
}

static int shm_table_fill(struct shm_table *t, const struct config *cfg)
{
	if (cfg->partition_count > CFG_MAX_PARTITIONS ||
	    cfg->region_count > CFG_MAX_REGIONS ||
	    cfg->ref_count > CFG_MAX_SHM_REFS)
		return -TS_EINVAL;
	t->partition_count = cfg->partition_count;
	t->region_count = cfg->region_count;
	for (unsigned int p = 0; p < CFG_MAX_PARTITIONS; p++)
		t->part_first_ref[p] = SHM_REF_NONE;
	for (unsigned int i = 0; i < cfg->region_count; i++)
		if (shm_region_setup(t, cfg, i) != 0)
			return -TS_EINVAL;
	for (unsigned int i = cfg->ref_count; i-- > 0;)
		if (shm_ref_link(t, cfg, i) != 0)
			return -TS_EINVAL;
	/* An explicit owner maps its region: the config names it there. */
	for (unsigned int i = 0; i < cfg->region_count; i++) {
		const struct shm_region *r = &t->regions[i];
		if ((r->named & region_owner_bit(r)) != region_owner_bit(r))
			return -TS_EINVAL;
	}
	return 0;
}

int shm_table_init(struct shm_table *t, const struct config *cfg)
{
	memset(t, 0, sizeof(*t));
	/* dom_shared exists before any partition (design: "Create a special
	 * domain dom_shared"), so every unowned region has an owner at once. */
	t->dom_shared.domid = CFG_DOM_SHARED_ID;
	t->dom_shared.live = true;
	int err = shm_table_fill(t, cfg);
	if (err != 0) {
		memset(t, 0, sizeof(*t));
		t->dom_shared.domid = CFG_DOM_SHARED_ID;
	}
	return err;
}

/* ---- start ------------------------------------------------------------ */

/* A borrower needs every explicit owner it borrows from to be running. */
static int shm_start_check(const struct shm_table *t, const struct config *cfg,
			   unsigned int part, char *why, size_t why_len)
{
	for (unsigned int i = t->part_first_ref[part]; i != SHM_REF_NONE;
	     i = t->next_ref_of_part[i]) {
		const struct cfg_shm_ref *ref = &cfg->refs[i];
		const struct shm_region *r = &t->regions[ref->region];
		const char *state = NULL;

		if (!region_has_owner(r))
			state = t->dom_shared.live ? NULL : "released";
		else if (r->owner != (int)part &&
			 (t->running & part_bit((unsigned int)r->owner)) == 0)
			state = "stopped";
		if (state != NULL) {
			shm_say(why, why_len,
				"%s: cannot start: region %s owner %s is %s",
				cfg->partitions[part].name,
				cfg->regions[ref->region].id,
				region_owner_name(cfg, r), state);
			return -TS_EPERM;
		}
	}
	return 0;
}

/* Maps every region @part names; on failure *failed is the ref that failed. */
static int shm_map_refs(const struct shm_table *t, const struct config *cfg,
			unsigned int part, const struct shm_ops *ops,
			unsigned int *failed)
{
	for (unsigned int i = t->part_first_ref[part]; i != SHM_REF_NONE;
	     i = t->next_ref_of_part[i]) {
		const struct cfg_shm_ref *ref = &cfg->refs[i];
		const struct shm_region *r = &t->regions[ref->region];
		int err = ops->map(ops->ctx, part, ipa(ref->guest_base),
				   region_hpa(r), region_size(r));
		if (err != 0) {
			*failed = i;
			return err < 0 ? err : -TS_EINVAL;
		}
	}
	return 0;
}

/* Undoes shm_map_refs() up to ref @failed, newest first. */
static void shm_unmap_before(const struct shm_table *t, const struct config *cfg,
			     unsigned int part, const struct shm_ops *ops,
			     unsigned int failed)
{
	for (unsigned int i = failed; i-- > 0;) {
		const struct cfg_shm_ref *ref = &cfg->refs[i];
		if (ref->partition == part)
			ops->unmap(ops->ctx, part, ipa(ref->guest_base),
				   region_size(&t->regions[ref->region]));
	}
}

/*
 * Owner: refcount 0 -> 1 (acquires its pages as RAM), installed.
 * Borrower: refcount n -> n+1, installed, no longer revoked.
 */
static void shm_start_commit(struct shm_table *t, const struct config *cfg,
			     unsigned int part)
{
	shm_partmask_t bit = part_bit(part);

	for (unsigned int i = t->part_first_ref[part]; i != SHM_REF_NONE;
	     i = t->next_ref_of_part[i]) {
		struct shm_region *r = &t->regions[cfg->refs[i].region];
		r->installed |= bit;
		r->revoked &= ~bit;
		r->refcount++;
	}
	t->running |= bit;
}

int shm_partition_start(struct shm_table *t, const struct config *cfg,
			unsigned int part, const struct shm_ops *ops,
			char *why, size_t why_len)
{
	if (part >= t->partition_count) {
		shm_say(why, why_len, "partition %u: cannot start: no such partition", part);
		return -TS_EINVAL;
	}
	if ((t->running & part_bit(part)) != 0) {
		shm_say(why, why_len, "%s: cannot start: already running",
			cfg->partitions[part].name);
		return -TS_EBUSY;
	}
	int err = shm_start_check(t, cfg, part, why, why_len);
	if (err != 0)
		return err;
	unsigned int failed = 0;
	err = shm_map_refs(t, cfg, part, ops, &failed);
	if (err != 0) {
		shm_unmap_before(t, cfg, part, ops, failed);
		shm_say(why, why_len,
			"%s: cannot start: mapping region %s at 0x%" PRIx64 " failed (%d)",
			cfg->partitions[part].name,
			cfg->regions[cfg->refs[failed].region].id,
			cfg->refs[failed].guest_base, err);
		return err;
	}
	shm_start_commit(t, cfg, part);
	return 0;
}

/* ---- stop ------------------------------------------------------------- */

/*
 * The explicit owner of region @ri stops: each installed borrower
 * (refcount n -> n-1) is unmapped and marked revoked, so a later access is a
 * data abort the fault handler can explain (shm_lookup_revoked()).
 */
static void shm_revoke_borrowers(struct shm_table *t, const struct config *cfg,
				 unsigned int ri, const struct shm_ops *ops)
{
	struct shm_region *r = &t->regions[ri];

	for (unsigned int i = r->first_ref; i != SHM_REF_NONE;
	     i = t->next_ref_of_region[i]) {
		const struct cfg_shm_ref *ref = &cfg->refs[i];
		shm_partmask_t bit = part_bit(ref->partition);

		if (ref->partition == (unsigned int)r->owner || (r->installed & bit) == 0)
			continue;
		ops->unmap(ops->ctx, ref->partition, ipa(ref->guest_base),
			   region_size(r));
		r->installed &= ~bit;
		r->revoked |= bit;
		r->refcount--;
	}
}

/* Owner: refcount 1 -> 0.  Borrower: n -> n-1.  Revoked marks go too: a
 * stopped partition has no mapping to be revoked from. */
static void shm_unmap_own(struct shm_table *t, const struct config *cfg,
			  unsigned int part, const struct shm_ops *ops)
{
	shm_partmask_t bit = part_bit(part);

	for (unsigned int i = t->part_first_ref[part]; i != SHM_REF_NONE;
	     i = t->next_ref_of_part[i]) {
		const struct cfg_shm_ref *ref = &cfg->refs[i];
		struct shm_region *r = &t->regions[ref->region];

		r->revoked &= ~bit;
		if ((r->installed & bit) == 0)
			continue;
		ops->unmap(ops->ctx, part, ipa(ref->guest_base), region_size(r));
		r->installed &= ~bit;
		r->refcount--;
	}
}

void shm_partition_stop(struct shm_table *t, const struct config *cfg,
			unsigned int part, const struct shm_ops *ops)
{
	if (part >= t->partition_count || (t->running & part_bit(part)) == 0)
		return;
	/* Borrowers lose access before the owner gives its pages up. */
	for (unsigned int i = t->part_first_ref[part]; i != SHM_REF_NONE;
	     i = t->next_ref_of_part[i]) {
		unsigned int ri = cfg->refs[i].region;
		if (t->regions[ri].owner == (int)part)
			shm_revoke_borrowers(t, cfg, ri, ops);
	}
	shm_unmap_own(t, cfg, part, ops);
	t->running &= ~part_bit(part);
}

/* ---- queries ---------------------------------------------------------- */

int shm_lookup_revoked(const struct shm_table *t, const struct config *cfg,
		       unsigned int part, ipa_t addr)
{
	if (part >= t->partition_count)
		return -1;
	for (unsigned int i = t->part_first_ref[part]; i != SHM_REF_NONE;
	     i = t->next_ref_of_part[i]) {
		const struct cfg_shm_ref *ref = &cfg->refs[i];
		const struct shm_region *r = &t->regions[ref->region];

		if ((r->revoked & part_bit(part)) != 0 &&
		    addr.v >= ref->guest_base &&
		    addr.v - ref->guest_base < region_size(r))
			return (int)ref->region;
	}
	return -1;
}

/* The ref of @part whose guest range holds @at, or SHM_REF_NONE. */
static unsigned int shm_ref_at(const struct shm_table *t, const struct config *cfg,
			       unsigned int part, ipa_t at)
{
	for (unsigned int i = t->part_first_ref[part]; i != SHM_REF_NONE;
	     i = t->next_ref_of_part[i]) {
		const struct cfg_shm_ref *ref = &cfg->refs[i];

		if (at.v >= ref->guest_base &&
		    at.v - ref->guest_base < region_size(&t->regions[ref->region]))
			return i;
	}
	return SHM_REF_NONE;
}

/* The region whose host range holds @pa, or -1. */
static int shm_region_at_host(const struct shm_table *t, hpa_t pa)
{
	for (unsigned int ri = 0; ri < t->region_count; ri++) {
		const struct shm_region *r = &t->regions[ri];

		if (pa.v >= region_hpa(r).v && pa.v - region_hpa(r).v < region_size(r))
			return (int)ri;
	}
	return -1;
}

/* "region <id> host <first>-<last> owner <name>(<domid>) refs <n>" */
static int shm_say_region(const struct shm_table *t, const struct config *cfg,
			  unsigned int ri, char *buf, size_t len)
{
	const struct shm_region *r = &t->regions[ri];
	uint64_t base = region_hpa(r).v;

	return snprintf(buf, len, "shm: region %s host 0x%" PRIx64 "-0x%" PRIx64
			" owner %s(0x%x) refs %u", cfg->regions[ri].id, base,
			base + region_size(r) - 1, region_owner_name(cfg, r),
			(unsigned int)r->owner_domid, r->refcount);
}

static void shm_say_ref(const struct shm_table *t, const struct config *cfg,
			unsigned int i, char *buf, size_t len)
{
	const struct cfg_shm_ref *ref = &cfg->refs[i];
	const struct shm_region *r = &t->regions[ref->region];
	const char *name = cfg->partitions[ref->partition].name;
	enum shm_map_state st = shm_region_state(t, ref->region, ref->partition);
	int n = shm_say_region(t, cfg, ref->region, buf, len);

	if (n < 0 || (size_t)n >= len)
		return;
	buf += n;
	len -= (size_t)n;
	n = snprintf(buf, len, ": %s %s it at 0x%" PRIx64 ", %s", name,
		     ref->owner ? "owns" : "borrows", ref->guest_base, shm_state_names[st]);
	if (st == SHM_REVOKED && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " (its owner %s stopped)",
			 region_owner_name(cfg, r));
}

int shm_describe_addr(const struct shm_table *t, const struct config *cfg, unsigned int part,
		      ipa_t at, const hpa_t *pa, char *buf, size_t len)
{
	unsigned int i = part < t->partition_count ? shm_ref_at(t, cfg, part, at) : SHM_REF_NONE;

	if (i != SHM_REF_NONE) {
		shm_say_ref(t, cfg, i, buf, len);
		return (int)cfg->refs[i].region;
	}
	int ri = pa != NULL ? shm_region_at_host(t, *pa) : -1;

	if (ri >= 0) {
		int n = shm_say_region(t, cfg, (unsigned int)ri, buf, len);

		if (n > 0 && (size_t)n < len)
			snprintf(buf + n, len - (size_t)n, ": not named by %s at 0x%" PRIx64,
				 part < t->partition_count ? cfg->partitions[part].name : "?",
				 at.v);
		return ri;
	}
	if (pa != NULL)
		shm_say(buf, len, "shm: no shared region at IPA 0x%" PRIx64 " or PA 0x%" PRIx64,
			at.v, pa->v);
	else
		shm_say(buf, len, "shm: no shared region at IPA 0x%" PRIx64, at.v);
	return -1;
}

unsigned int shm_region_refcount(const struct shm_table *t, unsigned int region)
{
	return region < t->region_count ? t->regions[region].refcount : 0;
}

enum shm_map_state shm_region_state(const struct shm_table *t,
				    unsigned int region, unsigned int part)
{
	if (region >= t->region_count || part >= t->partition_count)
		return SHM_UNMAPPED;
	const struct shm_region *r = &t->regions[region];
	if ((r->installed & part_bit(part)) != 0)
		return SHM_MAPPED;
	if ((r->revoked & part_bit(part)) != 0)
		return SHM_REVOKED;
	return SHM_UNMAPPED;
}

bool shm_partition_running(const struct shm_table *t, unsigned int part)
{
	return part < t->partition_count && (t->running & part_bit(part)) != 0;
}

int shm_table_release_dom_shared(struct shm_table *t)
{
	if (t->running != 0)
		return -TS_EBUSY;
	if (!t->dom_shared.live)
		return 0;
	t->dom_shared.live = false;
	return (int)t->dom_shared.region_count;
}

/* ---- invariants ------------------------------------------------------- */

static int shm_check_facts(const struct shm_table *t, const struct config *cfg,
			   unsigned int i, char *msg, size_t len)
{
	const struct cfg_shm_region *c = &cfg->regions[i];
	const struct shm_region *r = &t->regions[i];
	/* @c was validated by shm_table_init(); @r may be corrupt. */
	uint32_t domid = c->owner != CFG_OWNER_DOM_SHARED ?
			 cfg->partitions[c->owner].id : CFG_DOM_SHARED_ID;

	if (region_hpa(r).v != c->host_base || region_size(r) != c->size ||
	    r->owner != c->owner || r->owner_domid != domid) {
		shm_say(msg, len, "region %s: facts differ from the config", c->id);
		return -TS_EINVAL;
	}
	return 0;
}

/* The first partition in @mask (non-zero), for messages; "?" if corrupt. */
static const char *mask_first_name(const struct config *cfg, shm_partmask_t mask)
{
	unsigned int p = (unsigned int)__builtin_ctz(mask);
	return p < cfg->partition_count ? cfg->partitions[p].name : "?";
}

static int shm_check_maps(const struct shm_table *t, const struct config *cfg,
			  unsigned int i, char *msg, size_t len)
{
	const struct shm_region *r = &t->regions[i];
	const char *id = cfg->regions[i].id;
	shm_partmask_t own = region_owner_bit(r);
	shm_partmask_t borrowers = r->named & ~own;
	bool owner_up = (t->running & own) != 0;
	shm_partmask_t bad;

	if ((bad = (r->installed | r->revoked) & ~(r->named & t->running)) != 0) {
		shm_say(msg, len, "region %s: %s is mapped or revoked but stopped or not naming it",
			id, mask_first_name(cfg, bad));
	} else if ((bad = r->installed & r->revoked) != 0) {
		shm_say(msg, len, "region %s: %s is both mapped and revoked", id,
			mask_first_name(cfg, bad));
	} else if ((r->installed & own) != (t->running & own)) {
		shm_say(msg, len, "region %s: owner %s mapped %d running %d", id,
			region_owner_name(cfg, r), (r->installed & own) != 0, owner_up);
	} else if (region_has_owner(r) && !owner_up && (r->installed & borrowers) != 0) {
		shm_say(msg, len, "region %s: %s mapped while owner %s is stopped", id,
			mask_first_name(cfg, r->installed & borrowers),
			region_owner_name(cfg, r));
	} else if (r->revoked != 0 && (!region_has_owner(r) || (r->revoked & own) != 0)) {
		shm_say(msg, len, "region %s: %s revoked without an explicit owner above it",
			id, mask_first_name(cfg, r->revoked));
	} else if ((bad = borrowers & t->running & ~(r->installed | r->revoked)) != 0) {
		shm_say(msg, len, "region %s: running %s neither mapped nor revoked", id,
			mask_first_name(cfg, bad));
	} else if (!region_has_owner(r) && !t->dom_shared.live && r->installed != 0) {
		shm_say(msg, len, "region %s: mapped after dom_shared was released", id);
	} else {
		return 0;
	}
	return -TS_EINVAL;
}

static int shm_check_refcount(const struct shm_table *t, const struct config *cfg,
			      unsigned int i, char *msg, size_t len)
{
	const struct shm_region *r = &t->regions[i];
	shm_partmask_t own = region_owner_bit(r);
	unsigned int want = ((t->running & own) != 0 ? 1u : 0u) +
			    (unsigned int)__builtin_popcount(r->installed & ~own);

	if (r->refcount != want) {
		shm_say(msg, len, "region %s: refcount %u, expected %u",
			cfg->regions[i].id, r->refcount, want);
		return -TS_EINVAL;
	}
	return 0;
}

/* The chains must visit exactly cfg.refs[], each once, in config order. */
static int shm_check_chains(const struct shm_table *t, const struct config *cfg,
			    char *msg, size_t len)
{
	unsigned int seen = 0;

	for (unsigned int ri = 0; ri < t->region_count; ri++) {
		unsigned int prev = 0, n = 0;
		for (unsigned int i = t->regions[ri].first_ref; i != SHM_REF_NONE;
		     i = t->next_ref_of_region[i], n++) {
			if (i >= cfg->ref_count || cfg->refs[i].region != ri ||
			    (n > 0 && i <= prev) ||
			    (t->regions[ri].named & part_bit(cfg->refs[i].partition)) == 0)
				goto broken;
			prev = i;
		}
		if (n != (unsigned int)__builtin_popcount(t->regions[ri].named))
			goto broken;
		seen += n;
	}
	if (seen == cfg->ref_count)
		return 0;
broken:
	shm_say(msg, len, "ref chains disagree with the config");
	return -TS_EINVAL;
}

static int shm_check_global(const struct shm_table *t, const struct config *cfg,
			    char *msg, size_t len)
{
	unsigned int shared = 0;

	if (t->region_count != cfg->region_count ||
	    t->partition_count != cfg->partition_count) {
		shm_say(msg, len, "table built for another config");
		return -TS_EINVAL;
	}
	if (t->partition_count < CFG_MAX_PARTITIONS &&
	    (t->running >> t->partition_count) != 0) {
		shm_say(msg, len, "running mask 0x%x names no partition",
			(unsigned int)t->running);
		return -TS_EINVAL;
	}
	for (unsigned int i = 0; i < t->region_count; i++)
		shared += region_has_owner(&t->regions[i]) ? 0u : 1u;
	if (shared != t->dom_shared.region_count ||
	    t->dom_shared.domid != CFG_DOM_SHARED_ID) {
		shm_say(msg, len, "dom_shared counts %u regions, %u have no owner",
			t->dom_shared.region_count, shared);
		return -TS_EINVAL;
	}
	return shm_check_chains(t, cfg, msg, len);
}

int shm_table_check(const struct shm_table *t, const struct config *cfg,
		    char *msg, size_t msg_len)
{
	int err = shm_check_global(t, cfg, msg, msg_len);

	for (unsigned int i = 0; err == 0 && i < t->region_count; i++) {
		err = shm_check_facts(t, cfg, i, msg, msg_len);
		if (err == 0)
			err = shm_check_maps(t, cfg, i, msg, msg_len);
		if (err == 0)
			err = shm_check_refcount(t, cfg, i, msg, msg_len);
	}
	if (err == 0)
		shm_say(msg, msg_len, "ok");
	return err;
}

/* ---- printing --------------------------------------------------------- */

/*
 * Appends to t->line; SHM_LINE_MAX is sized so that nothing is cut.  The
 * console's formatter: these lines are a good part of a region's set-up
 * (DESIGN §11).
 */
__attribute__((format(printf, 3, 4)))
static void shm_line_add(struct shm_table *t, size_t *len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = console_vformat(t->line + *len, SHM_LINE_MAX - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
	if (*len >= SHM_LINE_MAX)
		*len = SHM_LINE_MAX - 1;
}

static void shm_print_region(struct shm_table *t, const struct config *cfg,
			     unsigned int ri, shm_emit_fn *emit, void *ctx)
{
	const struct shm_region *r = &t->regions[ri];
	uint64_t base = region_hpa(r).v;
	size_t len = 0;

	shm_line_add(t, &len, "shm: id %s host 0x%" PRIx64 "-0x%" PRIx64
		     " size 0x%" PRIx64 " owner %s(0x%x) refs %u",
		     cfg->regions[ri].id, base, base + region_size(r) - 1,
		     region_size(r), region_owner_name(cfg, r),
		     (unsigned int)r->owner_domid, r->refcount);
	for (unsigned int i = r->first_ref; i != SHM_REF_NONE;
	     i = t->next_ref_of_region[i]) {
		const struct cfg_shm_ref *ref = &cfg->refs[i];
		bool owner = (int)ref->partition == r->owner;
		shm_line_add(t, &len, " %s@0x%" PRIx64 "(%s%s)",
			     cfg->partitions[ref->partition].name, ref->guest_base,
			     owner ? "owner," : "",
			     shm_state_names[shm_region_state(t, ri, ref->partition)]);
	}
	emit(ctx, t->line);
}

void shm_table_print(struct shm_table *t, const struct config *cfg,
		     shm_emit_fn *emit, void *ctx)
{
	size_t len = 0;

	shm_line_add(t, &len, "shm: regions %u dom_shared(0x%x) owns %u %s",
		     t->region_count, (unsigned int)t->dom_shared.domid,
		     t->dom_shared.region_count,
		     t->dom_shared.live ? "live" : "released");
	emit(ctx, t->line);
	for (unsigned int i = 0; i < t->region_count; i++)
		shm_print_region(t, cfg, i, emit, ctx);
}

int shm_doorbell_targets(const struct shm_table *t, const struct config *cfg, unsigned int part,
			 ipa_t at, shm_partmask_t *targets)
{
	*targets = 0;
	if (part >= t->partition_count)
		return -TS_EINVAL;
	for (unsigned int i = t->part_first_ref[part]; i != SHM_REF_NONE;
	     i = t->next_ref_of_part[i]) {
		if (cfg->refs[i].guest_base != at.v)
			continue;
		unsigned int ri = cfg->refs[i].region;
		int err = shm_region_peers(t, ri, part, targets);
		return err ? err : (int)ri;
	}
	return -TS_ENOENT;
}

int shm_region_peers(const struct shm_table *t, unsigned int region, unsigned int part,
		     shm_partmask_t *targets)
{
	*targets = 0;
	if (part >= t->partition_count || region >= t->region_count)
		return -TS_EINVAL;
	const struct shm_region *r = &t->regions[region];
	if ((r->named & part_bit(part)) == 0)
		return -TS_ENOENT;
	if ((r->installed & part_bit(part)) == 0)
		return -TS_EPERM;             /* revoked or stopped: no doorbell either */
	*targets = r->installed & ~part_bit(part);
	return 0;
}
