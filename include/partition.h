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
#include "p2m.h"
#include "pcpu.h"
#include "spinlock.h"
#include "types.h"
#include "vgic.h"

#define VPL011_LINE_MAX 160
#define VPL011_RX_MAX   64

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

struct vpl011 {
	uint32_t cr, lcr_h, ibrd, fbrd, ifls, imsc, ris, dmacr;
	struct spinlock lock;             /* guards the line buffer */
	unsigned int line_len;
	char line[VPL011_LINE_MAX];
	unsigned int rx_head, rx_tail;    /* console input for the guest */
	char rx[VPL011_RX_MAX];
};

struct mmio_window {
	uint64_t base;
	uint64_t size;
	/* Return false to have the access reported and an abort injected. */
	bool (*read)(struct partition *p, uint64_t off, unsigned int size, uint64_t *val);
	bool (*write)(struct partition *p, uint64_t off, unsigned int size, uint64_t val);
};

#define PART_MMIO_MAX 4          /* UART, GIC distributor, redistributors */

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
/* Leave this CPU's vCPU (marking it off) and wait for a RUN request: never returns. */
void pcpu_idle(void) __attribute__((noreturn));
void vcpu_run(struct vcpu *v) __attribute__((noreturn));
/* Ask @v's CPU to start it at @entry with x0 = @context. */
void vcpu_request_run(struct vcpu *v, uint64_t entry, uint64_t context);
void vcpu_off_self(void) __attribute__((noreturn));
/* Post a request to @cpu and wake it (SEV, or an SGI if it runs a guest). */
void pcpu_send_request(unsigned int cpu, enum pcpu_request req);
/* Make @cpu leave its guest (if any) and look at its vCPU's interrupts. */
void pcpu_kick(unsigned int cpu);
struct vcpu *current_vcpu(void);
/* On the way back to a guest: act on requests other CPUs posted (may not return). */
void vcpu_check_requests(void);

/* Trap handlers (core/trap.c), called from boot/vectors.S. */
void trap_guest_sync(struct gp_regs *f);
void trap_guest_irq(struct gp_regs *f);
void trap_guest_serror(struct gp_regs *f);
void inject_data_abort(struct gp_regs *f, uint64_t far);
void inject_undef(struct gp_regs *f);
/* Emulate a trapped MSR/MRS (core/sysreg_emul.c); false: inject an undef. */
bool sysreg_emulate(struct gp_regs *f, uint64_t esr);

/* Guest PSCI over HVC/SMC (core/psci.c). */
void psci_guest_call(struct gp_regs *f);
/* The host's PSCI, through the conduit /psci names. */
void psci_host_init(bool use_hvc);
int64_t psci_host_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx);
void psci_host_system_off(void) __attribute__((noreturn));

void vpl011_init(struct partition *p);
/* A character typed while the console focus is on @p. */
void vpl011_receive(struct partition *p, char c);
/* Physical interrupts pending on this CPU: acknowledge and act on each. */
void irq_handle_pending(void);
/* One acknowledged INTID (irq_handle_pending's body); false: stop for now (spurious, maintenance). */
bool irq_handle_one(uint32_t intid);

/* Stop the machine when no partition runs any more. */
void system_check_all_stopped(void);
