#pragma once
/*
 * Partitions and their vCPUs.  A partition is one `xen,domain` (or dom0)
 * of the configuration with its own stage-2 table and VMID; each vCPU is
 * pinned to one physical CPU for the partition's whole life.
 *
 * Locking: partition.lock guards state, vcpus_on and every vcpu.state of
 * the partition.  Lock order: shm lock, then a partition lock, then the
 * console lock.  No code holds two partition locks.
 */
#include "config.h"
#include "mmio.h"
#include "p2m.h"
#include "pcpu.h"
#include "spinlock.h"
#include "types.h"
#include "vcpu.h"
#include "vgic.h"
#include "vpl011.h"

/* STOPPING: being torn down; only STOPPED counts for power-off and for a new start. */
enum part_state { PART_STOPPED, PART_RUNNING, PART_STOPPING };
enum vcpu_state { VCPU_OFF, VCPU_ON_PENDING, VCPU_ON };

struct partition;

struct vcpu {
	struct partition *part;
	unsigned int id;                  /* vCPU index = guest MPIDR Aff0 */
	unsigned int pcpu;                /* physical CPU it is pinned to */
	volatile enum vcpu_state state;   /* partition.lock */
	uint64_t entry;                   /* boot state for the next RUN request */
	uint64_t context;
	struct vgic_cpu vgic;             /* partition.vgic.lock */
	/* Counted by the CPU running this vCPU only, since the partition's last start. */
	uint64_t exits;
	uint64_t fp_saves;                /* exits on which EL2 used FP/SIMD */
};

struct partition {
	const struct cfg_partition *cfg;
	unsigned int index;               /* in config.partitions */
	struct spinlock lock;
	volatile enum part_state state;
	unsigned int vcpus_on;
	unsigned int starts;              /* how many times it started */
	struct p2m p2m;
	uint64_t cntvoff;
	struct vcpu vcpus[CFG_MAX_VCPUS];
	struct vpl011 uart;
	struct vgic vgic;
	unsigned int mmio_count;
	struct mmio_window mmio[PART_MMIO_MAX];
	uint64_t aborts;                  /* aborts injected since the last start (any vCPU adds) */
};

#define PART_ABORTS_LOGGED 16             /* then counted, not logged */

extern struct partition partitions[CFG_MAX_PARTITIONS];
extern unsigned int partition_count;
extern const struct config *sys_config;

void partitions_create(const struct config *cfg);
int partition_start(struct partition *p);
/* Stop every vCPU and tear down; @why is logged. Safe from any CPU. */
void partition_stop(struct partition *p, const char *why);
/*
 * Stop (if running) and start again from the boot modules.  On failure the
 * caller reports it, then calls system_check_all_stopped(): it may have been
 * the last partition running.
 */
int partition_restart(struct partition *p, const char *why);
struct partition *partition_find(const char *name);
/* Log @p's stage-2 map, merged into runs (boot log and the shell's p2m). */
void partition_print_p2m(struct partition *p);
/* Stop the machine when no partition runs any more. */
void system_check_all_stopped(void);
