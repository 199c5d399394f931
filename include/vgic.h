#pragma once
/*
 * The virtual GIC each partition sees (DESIGN §5), of the host's version:
 * GICv3, an emulated distributor and one redistributor per vCPU; GICv2, an
 * emulated distributor and the GICV frame as CPU interface.  One core
 * (vgic.c) keeps the interrupt state and delivers through the list
 * registers; the version-specific parts sit behind small interfaces: list
 * registers (vgic_lr.h), the distributor's register map (vgic_mmio.c,
 * vgic_mmio_v2.c) and SGI generation (ICC_SGI1R_EL1, GICD_SGIR).  vCPUs are
 * pinned, so the list registers of a CPU belong to its one vCPU and are
 * never saved.  (Arm IHI 0069H chapters 11-12; IHI 0048B chapters 4-5.)
 *
 * Locking: partition.vgic.lock, with the exceptions docs/architecture.md
 * section 6 lists (list register bookkeeping, maybe_pending).
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
	bool hw;                    /* hardware-linked: a PPI to the same physical
				       INTID, an SPI to vgic.spi_pintid[] */
	uint8_t lr;                 /* list register, valid when active_or_in_lr */
	uint8_t target;             /* SPIs: vCPU index (GICD_IROUTER, GICD_ITARGETSR);
				       SGIs: the vCPU that sent it (GICv2's GICV_IAR.CPUID) */
};

struct vgic_cpu {
	struct virq priv[VGIC_NR_PRIVATE];
	bool sleeping;              /* GICR_WAKER.ProcessorSleep */
	bool maybe_pending;         /* something may wait for a list register */
	uint32_t priv_cand;         /* INTIDs 0-31 that may be pending (a superset) */
	uint64_t hcr;               /* last value written to ICH_HCR_EL2 / GICH_HCR */
	uint16_t lr_used;           /* bitmap of list registers we filled */
	uint64_t injected;          /* list registers filled since the start (stats; not a passed-through SPI's fast path) */
};

struct vgic {
	struct spinlock lock;
	struct virq spi[VGIC_NR_SPIS];
	uint64_t spi_cand;          /* SPIs that may be pending (a superset) */
	bool enabled;               /* forwarding on: GICD_CTLR.EnableGrp1A (v3), .Enable (v2) */
	uint16_t spi_pintid[VGIC_NR_SPIS];  /* physical INTID of a hardware-linked SPI */
	uint64_t hw_spis;           /* passed-through SPIs (cfg_guest_map.pt_spis), linked to
				       the same physical INTIDs; set at start */
	/* Level of each SPI's line, asked of its device when the guest may have consumed it. */
	bool (*spi_level[VGIC_NR_SPIS])(struct partition *p);
};

void vgic_init(struct partition *p);
/* The CPU leaves its vCPU: silence its virtual CPU interface. */
void vgic_cpu_idle(void);
/* @intid became pending: let vgic_flush() look at it (partition.vgic.lock held). */
void vgic_mark_candidate(struct partition *p, struct vcpu *v, uint32_t intid);
/*
 * A software PPI of @v made pending from any CPU (the doorbell): what
 * vgic_inject() does for a private interrupt, without its other cases.
 */
void vgic_inject_ppi(struct vcpu *v, uint32_t intid);
/* Make @intid pending for @v (SGI/PPI) or for the partition (SPI; @v ignored). */
void vgic_inject(struct partition *p, struct vcpu *v, uint32_t intid);
/*
 * Make @intid pending hardware-linked to physical @pintid (for a PPI, the
 * same INTID), which EL2 has
 * acknowledged and EOId (priority drop) but left active: the guest's
 * deactivation of @intid deactivates @pintid too, on both GIC versions
 * (ICH_LR<n>_EL2.HW, GICH_LR<n>.HW), with no exit.  For a PPI @v is the
 * vCPU of this CPU; for an SPI @v is ignored and its target vCPU is kicked
 * when it runs elsewhere.
 */
void vgic_inject_hw(struct partition *p, struct vcpu *v, uint32_t intid, uint32_t pintid);
/* The physical virtual-timer PPI fired on this CPU: inject it, hardware-linked. */
void vgic_inject_timer(struct vcpu *v);
/*
 * The timer tick when nothing else is in flight for @v (no list register in
 * use, no other candidate): write its list register directly and return true.
 * Otherwise false, and the caller takes the general path.
 */
bool vgic_timer_fast(struct vcpu *v);
/*
 * A passed-through SPI fired (physical INTID == virtual INTID, partition
 * @p owns it): make it pending hardware-linked, so that the guest's EOI
 * deactivates the physical interrupt.  False when @p is not running: the
 * caller deactivates it.
 */
bool vgic_inject_hw_spi(struct partition *p, uint32_t intid);
/*
 * The same for the vCPU running on this CPU when nothing else is in flight
 * for it and it is the SPI's target: list register 0 written directly.
 * False when @intid is not one of its partition's SPIs or the general path
 * is needed (vgic_inject_hw_spi()).
 */
bool vgic_spi_hw_fast(struct vcpu *v, uint32_t intid);
/*
 * The kick SGI with one software SGI or PPI pending for @v and nothing else
 * in flight: write its list register and return true; otherwise false (the
 * caller takes the general path).
 */
bool vgic_kick_fast(struct vcpu *v);
/* Before returning to the guest on this CPU: sync and fill the list registers. */
void vgic_flush(struct vcpu *v);
/* The distributor (and on v3 the redistributors) as MMIO windows of @p. */
void vgic_register_mmio(struct partition *p);
/* A guest write to ICC_SGI1R_EL1 (GICv3; trapped: HCR_EL2.IMO). */
void vgic_send_sgi(struct vcpu *v, uint64_t sgi1r);
/* Re-sample a level-sensitive SPI whose device changed its line. */
void vgic_spi_level_changed(struct partition *p, uint32_t intid);
