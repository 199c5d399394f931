/*
 * Shared memory at run time: the ownership table behind one lock, with
 * stage-2 map/unmap as its hooks.  The owner/borrower rules live in
 * shm/shm_table.c; the locks and their order in docs/architecture.md
 * section 6.
 */
#include <stdio.h>

#include "console.h"
#include "p2m_hw.h"
#include "partition.h"
#include "public/guest_platform.h"
#include "public/tessera_hvc.h"
#include "tserr.h"
#include "vgic.h"
#include "shm.h"
#include "shm_glue.h"
#include "spinlock.h"

static struct shm_table table TS_NOINIT;            /* shm_table_init() clears it */
static struct spinlock table_lock;      /* guards table */

/* A partition's stage 2 changes under its p2m_lock (docs/architecture.md section 6). */
static int glue_map(void *ctx, unsigned int part, ipa_t at, hpa_t pa, uint64_t size)
{
	(void)ctx;
	struct partition *p = &partitions[part];
	spin_lock(&p->p2m_lock);
	int err = p2m_map(&p->p2m, at, pa, size, P2M_SHARED);
	spin_unlock(&p->p2m_lock);
	return err;
}

static void glue_unmap(void *ctx, unsigned int part, ipa_t at, uint64_t size)
{
	(void)ctx;
	struct partition *p = &partitions[part];
	spin_lock(&p->p2m_lock);
	p2m_unmap(&p->p2m, at, size);
	spin_unlock(&p->p2m_lock);
}

static const struct shm_ops glue_ops = { .map = glue_map, .unmap = glue_unmap };

static void glue_emit(void *ctx, const char *line)
{
	(void)ctx;
	log_text(line);
}

/*
 * The doorbell's look-up of a partition's region by guest address: each
 * partition's references side by side (config order within a partition),
 * built once at boot, so a ring scans a few 16-byte entries instead of
 * following the table's chains through struct cfg_shm_ref.
 */
struct doorbell_ref {
	uint64_t guest_base;
	uint32_t region;                /* cfg.regions index */
};
static struct doorbell_ref doorbell_refs[CFG_MAX_SHM_REFS] TS_NOINIT;   /* filled by init */
static uint16_t doorbell_first[CFG_MAX_PARTITIONS + 1];      /* partition i: [first[i], first[i+1]) */

static void shm_glue_doorbell_refs(const struct config *cfg)
{
	unsigned int n = 0;
	for (unsigned int part = 0; part < cfg->partition_count; part++) {
		doorbell_first[part] = (uint16_t)n;
		for (unsigned int i = 0; i < cfg->ref_count; i++)
			if (cfg->refs[i].partition == part)
				doorbell_refs[n++] = (struct doorbell_ref){ cfg->refs[i].guest_base,
									    cfg->refs[i].region };
	}
	doorbell_first[cfg->partition_count] = (uint16_t)n;
}

int shm_glue_init(const struct config *cfg)
{
	shm_glue_doorbell_refs(cfg);
	return shm_table_init(&table, cfg);
}

int shm_glue_start(struct partition *p)
{
	char why[SHM_WHY_MAX];
	spin_lock(&table_lock);
	int err = shm_partition_start(&table, sys_config, p->index, &glue_ops, why, sizeof(why));
	spin_unlock(&table_lock);
	if (err)
		log_line("%s", why);
	return err;
}

void shm_glue_stop(struct partition *p)
{
	spin_lock(&table_lock);
	shm_partition_stop(&table, sys_config, p->index, &glue_ops);
	spin_unlock(&table_lock);
}

void shm_glue_describe_fault(struct partition *p, uint64_t ipa_addr, char *buf, size_t len)
{
	spin_lock(&table_lock);
	int r = shm_lookup_revoked(&table, sys_config, p->index, ipa(ipa_addr));
	spin_unlock(&table_lock);
	if (r >= 0)
		snprintf(buf, len, "access to shared region %s revoked (its owner stopped)",
			 sys_config->regions[r].id);
	else
		snprintf(buf, len, "access to unmapped address");
}

int shm_glue_walk(struct partition *p, uint64_t ipa_addr, struct p2m_walk *w, char *line,
		  size_t len)
{
	int region = -TS_ENOENT;

	spin_lock(&table_lock);
	spin_lock(&p->p2m_lock);
	if (p->p2m.root != NULL && p2m_walk(&p->p2m, ipa(ipa_addr), w) == 0)
		region = shm_describe_addr(&table, sys_config, p->index, ipa(ipa_addr),
					   w->end == P2M_WALK_MAPPED ? &w->pa : NULL, line, len);
	spin_unlock(&p->p2m_lock);
	spin_unlock(&table_lock);
	return region;
}

void shm_glue_print_table(void)
{
	spin_lock(&table_lock);
	shm_table_print(&table, sys_config, glue_emit, NULL);
	spin_unlock(&table_lock);
}

int shm_glue_region(unsigned int region, struct shm_region *out)
{
	if (region >= sys_config->region_count)
		return -TS_EINVAL;
	spin_lock(&table_lock);
	*out = table.regions[region];
	spin_unlock(&table_lock);
	return 0;
}

void shm_glue_print_refs(void)
{
	unsigned int total = 0;
	for (unsigned int r = 0; r < sys_config->region_count; r++) {
		spin_lock(&table_lock);
		unsigned int n = shm_region_refcount(&table, r);
		spin_unlock(&table_lock);
		total += n;
		log_line("stats: shm %s refs %u", sys_config->regions[r].id, n);
	}
	log_line("stats: shm references %u in %u region%s", total, sys_config->region_count,
		 sys_config->region_count == 1 ? "" : "s");
}

void shm_glue_power_off(void)
{
	shm_glue_print_table();
	spin_lock(&table_lock);
	int n = shm_table_release_dom_shared(&table);
	spin_unlock(&table_lock);
	if (n >= 0)
		log_line("shm: dom_shared (0x7ff5) released its %d region%s", n, n == 1 ? "" : "s");
}

/*
 * Every partition in @targets hears region @region's doorbell both ways:
 * the doorbell interrupt (bare-metal guests) and its doorbell GPIO's bell
 * line (Linux userspace), so either kind of sender reaches either kind of
 * receiver.
 */
static __attribute__((noinline)) void shm_glue_ring_bell(struct partition *q, unsigned int region)
{
	vpl061_bell(q, region);
	vgic_inject_ppi(&q->vcpus[0], GUEST_DOORBELL_INTID);
}

/* Both ways a tail call: a peer that does not listen on its bell lines costs one test. */
static __attribute__((noinline)) void shm_glue_ring_one(struct partition *q, unsigned int region)
{
	if (vpl061_listening(&q->gpio))
		shm_glue_ring_bell(q, region);
	else
		vgic_inject_ppi(&q->vcpus[0], GUEST_DOORBELL_INTID);
}

/* Out of line per peer, so that the loop keeps only the mask and the count in registers. */
static inline __attribute__((always_inline)) int shm_glue_ring_targets(shm_partmask_t targets,
									unsigned int region)
{
	int rung = 0;
	for (; targets; targets &= targets - 1, rung++)
		shm_glue_ring_one(&partitions[__builtin_ctz(targets)], region);
	return rung;
}

static inline __attribute__((always_inline)) int shm_glue_doorbell_of(struct partition *p, uint64_t ipa_addr)
{
	shm_partmask_t targets;
	/*
	 * No table lock: the reference chains never change after boot, and the
	 * installed mask is read once.  The doorbell is a PPI of the peer's
	 * vCPU 0, as Xen's event-channel upcall is.  A peer that stops meanwhile may still get
	 * the interrupt, which its next start clears (vgic_init).
	 */
	const struct doorbell_ref *r = &doorbell_refs[doorbell_first[p->index]];
	const struct doorbell_ref *end = &doorbell_refs[doorbell_first[p->index + 1]];
	for (; r < end; r++) {
		if (r->guest_base != ipa_addr)
			continue;
		shm_partmask_t installed = __atomic_load_n(&table.regions[r->region].installed,
							   __ATOMIC_RELAXED);
		shm_partmask_t me = (shm_partmask_t)1u << p->index;
		if (!(installed & me))
			return TESSERA_RET_DENIED;      /* revoked or stopped: no doorbell either */
		targets = installed & ~me;
		return shm_glue_ring_targets(targets, r->region);
	}
	return TESSERA_RET_INVALID;
}

void shm_glue_doorbell_hvc(struct gp_regs *f)
{
	f->x[0] = (uint64_t)(int64_t)shm_glue_doorbell_of(this_pcpu()->vcpu->part, f->x[1]);
}

int shm_glue_ring_region(struct partition *p, unsigned int region)
{
	shm_partmask_t targets;
	/* Unlocked for the reasons shm_glue_doorbell_of() gives. */
	if (shm_region_peers(&table, region, p->index, &targets) != 0)
		return TESSERA_RET_DENIED;
	return shm_glue_ring_targets(targets, region);
}
