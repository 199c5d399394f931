#pragma once
/*
 * Partitions and their vCPUs.  A partition is one `xen,domain` (or dom0)
 * of the configuration with its own stage-2 table and VMID; each vCPU is
 * pinned to one physical CPU for the partition's whole life.  Its life
 * cycle is the state machine of include/life.h; which lock guards which
 * field here is in the lock table of docs/architecture.md section 6.
 */
#include "config.h"
#include "life.h"
#include "mmio.h"
#include "p2m.h"
#include "pcpu.h"
#include "spinlock.h"
#include "types.h"
#include "trap.h"
#include "vcpu.h"
#include "vgic.h"
#include "vpl011.h"
#include "vpl061.h"

struct partition;

struct vcpu {
	struct partition *part;
	unsigned int id;                  /* vCPU index = guest MPIDR Aff0 */
	unsigned int pcpu;                /* physical CPU it is pinned to */
	uint64_t entry;                   /* where a pending start begins: partition.lock */
	uint64_t context;                 /* x0 at that start: partition.lock */
	struct vgic_cpu vgic;             /* partition.vgic.lock */
	/* Its exits and lazy FP/SIMD saves are counted in its CPU's struct pcpu. */
};

struct partition {
	const struct cfg_partition *cfg;
	unsigned int index;               /* in config.partitions */
	struct spinlock lock;             /* guards life and every vcpu's entry/context */
	struct life life;                 /* run state and vCPU states (include/life.h) */
	unsigned int starts;              /* how many times it started */
	struct spinlock p2m_lock;         /* guards p2m once it is reachable (section 6) */
	struct p2m p2m;
	uint64_t cntvoff;
	struct vcpu vcpus[CFG_MAX_VCPUS];
	struct vpl011 uart;
	struct vpl061 gpio;               /* the doorbell GPIO (no window without regions) */
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
struct partition *partition_find(const char *name);

/*
 * The life cycle from outside the partition: the boot, the shell and a
 * control partition's hypercall call these, from any CPU (one of @p's own
 * vCPUs too).  Each returns once @p is STOPPED or RUNNING: a request that
 * finds another CPU in the middle of a start or stop steers it (the latest
 * request wins) and waits for it, never returning early as if done.  When
 * the last partition stops, the machine powers off from inside the call.
 */
enum part_result {
	PART_DONE,        /* this call did it */
	PART_ALREADY,     /* it was already so: nothing done */
	PART_JOINED,      /* another CPU was starting or stopping it: waited for that */
	PART_FAILED,      /* the start failed (the reason is logged): it is stopped */
	PART_REFUSED,     /* not started: the machine is powering off */
};
enum part_result partition_request(struct partition *p, enum life_req r, const char *why);
/* The boot's start of each partition (PART_DONE or PART_FAILED). */
int partition_start(struct partition *p);
/* For a stop that cannot fail (an SError): partition_request(p, LIFE_STOP, why). */
void partition_stop(struct partition *p, const char *why);
/* The boot has started every partition: drop its hold; power off if none runs. */
void partition_boot_done(void);

/*
 * The life cycle from inside: the calling vCPU's own SYSTEM_OFF (LIFE_STOP),
 * SYSTEM_RESET (LIFE_RESTART) and CPU_OFF.  They act only while the
 * partition runs; either way the calling vCPU is off and its CPU idles.
 */
void partition_guest_request(struct vcpu *self, enum life_req r, const char *why)
	__attribute__((noreturn));
void partition_cpu_off(struct vcpu *self) __attribute__((noreturn));

/*
 * The partition's state now, read without its lock (a snapshot of one
 * aligned word: docs/architecture.md section 6).  For messages and hints;
 * decisions are taken under the lock.
 */
static inline enum part_state partition_state(const struct partition *p)
{
	return __atomic_load_n(&p->life.state, __ATOMIC_RELAXED);
}

/* A vCPU's state now (a snapshot, as above: AFFINITY_INFO, the vGIC's kick). */
static inline enum vcpu_state vcpu_state(const struct vcpu *v)
{
	return __atomic_load_n(&v->part->life.vcpu[v->id], __ATOMIC_RELAXED);
}
/* State and vCPUs on, read together under the partition lock (the shell's list). */
void partition_status(struct partition *p, enum part_state *state, unsigned int *vcpus_on);
/* True when [ipa, ipa + size) lies inside one of @p's RAM banks. */
bool partition_ipa_in_ram(const struct partition *p, uint64_t ipa, uint64_t size);
/* Log @p's stage-2 map, merged into runs (boot log and the shell's p2m); false if it has none. */
bool partition_print_p2m(struct partition *p);
/* Zero @v's exit and FP/SIMD counters (its CPU's struct pcpu) at a start, while it is off. */
void vcpu_stats_reset(struct vcpu *v);
/* Exits of @v since its partition last started (its CPU's struct pcpu.exits), all kinds. */
uint64_t vcpu_exits(const struct vcpu *v);
