#pragma once
/*
 * The virtual GICv3 each partition sees (DESIGN §5): an emulated
 * distributor and one redistributor per vCPU, interrupts delivered through
 * the list registers (ICH_LR<n>_EL2).  vCPUs are pinned, so the list
 * registers of a CPU belong to its one vCPU and are never saved.
 * (Arm IHI 0069H, chapters 11-12.)
 *
 * Locking: partition.vgic.lock guards every field here.
 */
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "spinlock.h"

#define VGIC_NR_PRIVATE   CFG_GUEST_SPI_FIRST   /* SGIs 0-15, PPIs 16-31 */
#define VGIC_NR_SPIS      CFG_GUEST_SPI_COUNT
#define VGIC_NR_IRQS      (VGIC_NR_PRIVATE + VGIC_NR_SPIS)
#define VGIC_MAX_LRS      16u

struct partition;
struct vcpu;
struct gp_regs;

/* Per-interrupt state; for SGIs/PPIs one copy per vCPU. */
struct virq {
	uint8_t priority;
	bool enabled;
	bool pending;               /* waiting for a list register */
	bool active_or_in_lr;       /* in a list register (pending, active or both) */
	bool level;                 /* level-sensitive: re-sampled from its source */
	bool hw;                    /* backed by the same physical INTID (the timer) */
	uint8_t lr;                 /* list register, valid when active_or_in_lr */
	uint8_t target;             /* SPIs: vCPU index from GICD_IROUTER */
};

struct vgic_cpu {
	struct virq priv[VGIC_NR_PRIVATE];
	bool sleeping;              /* GICR_WAKER.ProcessorSleep */
	bool maybe_pending;         /* something may wait for a list register */
	uint32_t priv_cand;         /* INTIDs 0-31 that may be pending (a superset) */
	uint64_t ich_hcr;           /* last value written to ICH_HCR_EL2 */
	uint16_t lr_used;           /* bitmap of list registers we filled */
	uint8_t lr_intid_spi[VGIC_MAX_LRS];  /* LR n holds an SPI? (INTID - 32 + 1, 0 = private) */
};

struct vgic {
	struct spinlock lock;
	uint32_t ctlr;              /* GICD_CTLR.EnableGrp1A */
	struct virq spi[VGIC_NR_SPIS];
	uint64_t spi_cand;          /* SPIs that may be pending (a superset) */
	/* Level of each SPI's line, asked of its device when the guest may have consumed it. */
	bool (*spi_level[VGIC_NR_SPIS])(struct partition *p);
};

void vgic_init(struct partition *p);
/* The CPU leaves its vCPU: silence its virtual CPU interface. */
void vgic_cpu_idle(void);
/* @intid became pending: let vgic_flush() look at it (partition.vgic.lock held). */
void vgic_mark_candidate(struct partition *p, struct vcpu *v, uint32_t intid);
/* Make @intid pending for @v (SGI/PPI) or for the partition (SPI; @v ignored). */
void vgic_inject(struct partition *p, struct vcpu *v, uint32_t intid);
/* The physical virtual-timer PPI fired on this CPU: inject it, hardware-linked. */
void vgic_inject_timer(struct vcpu *v);
/*
 * The timer tick when nothing else is in flight for @v (no list register in
 * use, no other candidate): write its list register directly and return true.
 * Otherwise false, and the caller takes the general path.
 */
bool vgic_timer_fast(struct vcpu *v);
/* Before returning to the guest on this CPU: sync and fill the list registers. */
void vgic_flush(struct vcpu *v);
void vgic_register_mmio(struct partition *p);
/* A guest write to ICC_SGI1R_EL1 (trapped: HCR_EL2.IMO). */
void vgic_send_sgi(struct vcpu *v, uint64_t sgi1r);
/* Re-sample a level-sensitive SPI whose device changed its line. */
void vgic_spi_level_changed(struct partition *p, uint32_t intid);
