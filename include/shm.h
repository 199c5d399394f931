#pragma once
/*
 * Shared-memory ownership table (DESIGN.md §6, the dom0less static shared
 * memory design): dom_shared, the owner and reference count of every region,
 * and which partitions have it mapped.  Reference counts count partitions:
 * a running explicit owner holds 1, each installed borrower 1; dom_shared's
 * ownership is not a reference, so with every partition stopped all are 0.  Pure logic: stage-2 changes go
 * through the caller's struct shm_ops, so it builds for the host too.
 *
 * Locking: the table has no lock of its own.  The caller holds the one lock
 * that guards the table (and the partitions' run state) around every call.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "types.h"

#define SHM_PAGE_SHIFT  12u             /* the table counts 4 KiB pages */
#define SHM_PAGE_SIZE   (1ull << SHM_PAGE_SHIFT)

/* Longest line shm_table_print() emits, NUL included: a fixed head plus one
 * "<name>@0x<ipa>(owner,unmapped)" entry per partition (a partition names a
 * region at most once). */
#define SHM_LINE_HEAD_MAX  192u
#define SHM_LINE_REF_MAX   (CFG_NAME_MAX + 40u)
#define SHM_LINE_MAX       (SHM_LINE_HEAD_MAX + CFG_MAX_PARTITIONS * SHM_LINE_REF_MAX)

/* Longest reason shm_partition_start() writes, NUL included. */
#define SHM_WHY_MAX        160u

/* End of a ref chain (CFG_MAX_SHM_REFS is below it). */
#define SHM_REF_NONE       UINT16_MAX

/* Bitmask over partition indexes; one bit per cfg.partitions[] entry. */
typedef uint32_t shm_partmask_t;

/* One region: a run of pages with the same owner and sharers. */
struct shm_region {
	uint64_t host_pfn;              /* first host page (host PA >> SHM_PAGE_SHIFT) */
	uint64_t page_count;
	int owner;                      /* partition index, or CFG_OWNER_DOM_SHARED */
	uint32_t owner_domid;           /* owner's partition ID, or CFG_DOM_SHARED_ID */
	unsigned int refcount;          /* partition references, see shm_table_check() */
	shm_partmask_t named;           /* partitions with a ref to it in the config */
	shm_partmask_t installed;       /* partitions whose stage-2 maps it now */
	shm_partmask_t revoked;         /* running borrowers unmapped by the owner's stop */
	uint16_t first_ref;             /* its first cfg.refs[] entry, or SHM_REF_NONE */
};

/* dom_shared: the system domain owning every region with no explicit owner. */
struct shm_dom_shared {
	uint32_t domid;                 /* CFG_DOM_SHARED_ID */
	bool live;                      /* false once released at power-off */
	unsigned int region_count;      /* regions it owns */
};

/* The whole table; the caller allocates it (statically) and passes it in. */
struct shm_table {
	unsigned int partition_count;
	unsigned int region_count;
	shm_partmask_t running;         /* partitions between start and stop */
	struct shm_dom_shared dom_shared;
	struct shm_region regions[CFG_MAX_REGIONS];
	/* cfg.refs[] chained per partition and per region, in config order, so
	 * start, stop and print cost what a partition or region names, not the
	 * whole config. */
	uint16_t part_first_ref[CFG_MAX_PARTITIONS];
	uint16_t next_ref_of_part[CFG_MAX_SHM_REFS];
	uint16_t next_ref_of_region[CFG_MAX_SHM_REFS];
	char line[SHM_LINE_MAX];        /* shm_table_print()'s buffer: not on the EL2 stack */
};

/* Stage-2 hooks.  map installs [ipa, ipa+size) -> [pa, pa+size) in partition
 * @part's stage 2 (read-write, Normal WB inner-shareable, XN) and returns 0 or
 * -TS_Exxx; unmap removes it and invalidates the TLBs; it cannot fail. */
struct shm_ops {
	int (*map)(void *ctx, unsigned int part, ipa_t ipa, hpa_t pa, uint64_t size);
	void (*unmap)(void *ctx, unsigned int part, ipa_t ipa, uint64_t size);
	void *ctx;
};

/* What one partition sees of one region. */
enum shm_map_state {
	SHM_UNMAPPED = 0,               /* not named, stopped, or not yet started */
	SHM_MAPPED,                     /* stage-2 mapping installed */
	SHM_REVOKED,                    /* removed when its explicit owner stopped */
};

/* Line emitter for shm_table_print(): @line has no newline and no prefix. */
typedef void shm_emit_fn(void *ctx, const char *line);

/*
 * Build the table from a validated @cfg: dom_shared is created first and
 * acquires every region without an explicit owner; no partition is running.
 * Returns 0, or -TS_EINVAL when @cfg breaks a rule the table relies on (bad
 * index, unaligned or empty region, a partition naming a region twice, an
 * owner flag disagreeing with the region's owner); then the table is empty.
 */
int shm_table_init(struct shm_table *t, const struct config *cfg);

/*
 * Start partition @part: check, then commit.  Fails with -TS_EPERM, writing
 * "<name>: cannot start: region <id> owner <owner> is stopped" to @why, when
 * the explicit owner of a region it borrows is stopped; with -TS_EBUSY when
 * it is already running.  Otherwise maps every region it names (ops->map, in
 * config order) and takes its references: 1 for each region it owns, 1 for
 * each it borrows.  If a map fails, what this call mapped is unmapped in
 * reverse order, nothing changes, and that error is returned.  @why may be
 * NULL; it is written only on failure.  Call it for every partition start,
 * shared memory or not: the table tracks which partitions run.
 */
int shm_partition_start(struct shm_table *t, const struct config *cfg,
			unsigned int part, const struct shm_ops *ops,
			char *why, size_t why_len);

/*
 * Stop partition @part (no-op when not running).  For each region it owns
 * explicitly, first every borrower's mapping is removed (ops->unmap) and
 * marked revoked, then the partition's own mappings are removed, all in
 * config order; every reference it and its revoked borrowers held is dropped.
 */
void shm_partition_stop(struct shm_table *t, const struct config *cfg,
			unsigned int part, const struct shm_ops *ops);

/*
 * For the data-abort path: the index of the region whose revoked mapping in
 * @part covered @addr, or -1.
 */
int shm_lookup_revoked(const struct shm_table *t, const struct config *cfg,
		       unsigned int part, ipa_t addr);

/*
 * What the table says about guest address @at of partition @part, for the
 * `walk` shell command: the region @part names there (its host range, owner,
 * references, and @part's role and state: mapped, unmapped, or revoked with
 * the stopped owner named); or, when only @pa (non-NULL: where the walk
 * ended) lies in a region, that region.  Writes one line (no prefix, no
 * newline) to @buf and returns the region index; -1 and "no shared region
 * at ..." when neither address belongs to one.
 */
int shm_describe_addr(const struct shm_table *t, const struct config *cfg, unsigned int part,
		      ipa_t at, const hpa_t *pa, char *buf, size_t len);

/* Partition references to @region (0 for a bad index). */
unsigned int shm_region_refcount(const struct shm_table *t, unsigned int region);
/* What @part sees of @region (SHM_UNMAPPED for bad indexes). */
enum shm_map_state shm_region_state(const struct shm_table *t,
				    unsigned int region, unsigned int part);
bool shm_partition_running(const struct shm_table *t, unsigned int part);

/*
 * Power-off: dom_shared frees its regions.  Returns how many it owned, or
 * -TS_EBUSY while any partition runs.  Afterwards no partition naming a
 * dom_shared region can start.
 */
int shm_table_release_dom_shared(struct shm_table *t);

/*
 * Check every invariant against @cfg; 0 (@msg "ok") or -TS_EINVAL with the
 * first broken one described in @msg (may be NULL).  For each region:
 *   refcount == (explicit owner running) + borrowers installed;
 *   a borrower is installed only while the owner runs or is dom_shared;
 *   only running partitions that name it are installed or revoked;
 *   an explicit owner is installed exactly while it runs;
 *   a running borrower is installed or revoked, never both;
 *   revoked borrowers exist only for explicitly owned regions;
 *   the recorded facts (pages, owner, domid) match @cfg.
 */
int shm_table_check(const struct shm_table *t, const struct config *cfg,
		    char *msg, size_t msg_len);

/*
 * Emit the table: a header
 *   "shm: regions <n> dom_shared(0x7ff5) owns <m> live"   (or "released")
 * then one line per region, in config order:
 *   "shm: id <id> host 0x<base>-0x<last> size 0x<size> owner <name>(0x<domid>)
 *    refs <n> <part>@0x<ipa>(<state>) ..."   (one line, no newline)
 * listing every partition naming the region in config order; the owner's
 * state reads "owner,mapped" or "owner,unmapped".  Uses t->line as buffer.
 */
void shm_table_print(struct shm_table *t, const struct config *cfg,
		     shm_emit_fn *emit, void *ctx);

/*
 * A doorbell rung by @part on its region at guest address @at: the other
 * partitions with that region mapped now, as a mask.  Returns the region
 * index, -TS_ENOENT when @part has no region at @at, -TS_EPERM when its own
 * mapping is gone (revoked or stopped).
 */
int shm_doorbell_targets(const struct shm_table *t, const struct config *cfg, unsigned int part,
			 ipa_t at, shm_partmask_t *targets);

/*
 * The same for a ring on region @region (a cfg.regions index) itself, as
 * the doorbell GPIO names it: 0, -TS_ENOENT when @part does not name the
 * region, -TS_EPERM when its own mapping is gone, -TS_EINVAL for a bad
 * index.
 */
int shm_region_peers(const struct shm_table *t, unsigned int region, unsigned int part,
		     shm_partmask_t *targets);
