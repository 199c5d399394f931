#pragma once
/*
 * The ownership table (shm/shm_table.c) wired to partitions and stage 2:
 * one lock around every table call, p2m as its map/unmap hooks.
 */
#include <stddef.h>

#include "config.h"
#include "p2m.h"
#include "types.h"

struct gp_regs;
struct partition;
struct shm_region;

int shm_glue_init(const struct config *cfg);
/* Install @p's shared mappings; on failure logs why and changes nothing. */
int shm_glue_start(struct partition *p);
void shm_glue_stop(struct partition *p);
/* What the faulting IPA is to @p: "revoked shared region 0x0" or "unmapped address". */
void shm_glue_describe_fault(struct partition *p, uint64_t ipa, char *buf, size_t len);
/*
 * The `walk` command's facts, read together under the table lock and @p's
 * p2m lock (in the lock order, docs/architecture.md section 6), so that no
 * start, stop or revocation changes them meanwhile: @p's stage-2 walk of
 * @ipa_addr into @w, and the table's line on that address
 * (shm_describe_addr) into @line.  Returns the region index or -1 (none),
 * or -TS_ENOENT when @p has no stage-2 table (stopped).
 */
int shm_glue_walk(struct partition *p, uint64_t ipa_addr, struct p2m_walk *w, char *line,
		  size_t len);
/* Print the ownership table on the console, one "(tessera) shm: ..." line each. */
void shm_glue_print_table(void);
/*
 * TESSERA_HVC_SHM_DOORBELL from this CPU's vCPU for its region at guest
 * address x1: x0 = how many were rung, or TESSERA_RET_* (core/trap.c).
 */
void shm_glue_doorbell_hvc(struct gp_regs *f);
/*
 * The same, for region @region (a cfg.regions index) rung by @p's doorbell
 * GPIO: every other partition with the region mapped gets the doorbell
 * interrupt and a pulse on its bell line.  How many were rung, or
 * TESSERA_RET_DENIED when @p's own mapping is gone.
 */
int shm_glue_ring_region(struct partition *p, unsigned int region);
/* A copy of region @region's record in the ownership table: 0, or -TS_EINVAL. */
int shm_glue_region(unsigned int region, struct shm_region *out);
/*
 * The shell's stats: one "stats: shm <id> refs <n>" line per region, then
 * "stats: shm references <total> in <n> regions".
 */
void shm_glue_print_refs(void);
/* Last words: print the table, then dom_shared lets its pages go. */
void shm_glue_power_off(void);
