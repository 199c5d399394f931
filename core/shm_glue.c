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

int shm_glue_init(const struct config *cfg)
{
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

void shm_glue_power_off(void)
{
	shm_glue_print_table();
	spin_lock(&table_lock);
	int n = shm_table_release_dom_shared(&table);
	spin_unlock(&table_lock);
	if (n >= 0)
		log_line("shm: dom_shared (0x7ff5) released its %d region%s", n, n == 1 ? "" : "s");
}

int shm_glue_doorbell(struct partition *p, uint64_t ipa_addr)
{
	shm_partmask_t targets;
	/*
	 * No table lock: the reference chains never change after boot, and the
	 * installed mask is read once.  The doorbell is a PPI of the peer's
	 * vCPU 0, as Xen's event-channel upcall is.  A peer that stops meanwhile may still get
	 * the interrupt, which its next start clears (vgic_init).
	 */
	int r = shm_doorbell_targets(&table, sys_config, p->index, ipa(ipa_addr), &targets);
	if (r == -TS_EPERM)
		return TESSERA_RET_DENIED;
	if (r < 0)
		return TESSERA_RET_INVALID;
	int rung = 0;
	for (unsigned int q = 0; targets; q++, targets >>= 1) {
		if (!(targets & 1))
			continue;
		vgic_inject(&partitions[q], &partitions[q].vcpus[0], GUEST_DOORBELL_INTID);
		rung++;
	}
	return rung;
}
