#pragma once
/*
 * Between the vGIC core (vgic.c) and the distributor front ends of each
 * version (vgic_mmio.c: GICv3 distributor, redistributors, ICC_SGI1R_EL1;
 * vgic_mmio_v2.c: GICv2 distributor with GICD_SGIR).  Callers hold
 * partition.vgic.lock unless a function says otherwise.
 */
#include <stdbool.h>
#include <stdint.h>

/* GICD_IIDR/GICR_IIDR: implementer JEP106 "ARM", as QEMU reports. */
#define VGIC_IIDR 0x0000043Bu
/* virq.target of an SPI routed nowhere valid: delivered to vCPU 0 (spi_target). */
#define VGIC_NO_TARGET 0xFFu

struct partition;
struct vcpu;
struct virq;

/* @intid's state: @v's copy for an SGI/PPI, the partition's for an SPI; NULL beyond. */
struct virq *vgic_virq(struct partition *p, struct vcpu *v, uint32_t intid);
/*
 * SGI @intid from @src to each vCPU of its partition in @targets (bit n =
 * vCPU n).  Takes the lock itself.
 */
void vgic_sgi_send(struct vcpu *src, uint32_t intid, uint32_t targets);

/* The vCPU an SPI is routed to (a missing or invalid target means vCPU 0). */
struct vcpu *vgic_spi_target(struct partition *p, const struct virq *q);
/* After the lock is dropped: make @v's CPU (if another, and @v is ON) exit and flush. */
void vgic_kick(struct vcpu *v);

/*
 * The registers whose layout the GICv3 distributor, its SGI_base frames and
 * the GICv2 distributor share (IGROUPR, I[SC]ENABLER, I[SC]PENDR,
 * I[SC]ACTIVER, IPRIORITYR, ICFGR), at offset @off of such a frame; @v's
 * copy for INTIDs 0-31.  The write returns the vCPUs (bit n = vCPU n) it
 * may have made an interrupt deliverable to: an enable or pending bit set
 * on an interrupt now pending and enabled.
 */
void vgic_bank_read(struct partition *p, struct vcpu *v, uint64_t off, uint64_t *val);
uint32_t vgic_bank_write(struct partition *p, struct vcpu *v, uint64_t off, unsigned int size,
			 uint64_t val);
/*
 * SPI @intid goes to vCPU @vcpu (GICD_IROUTER, GICD_ITARGETSR; beyond the
 * vCPUs: vCPU 0).  A passed-through SPI's physical twin follows it to that
 * vCPU's CPU, so it fires where it is taken.  Returns the vCPUs that must
 * look (vgic_spi_reach).
 */
uint32_t vgic_set_target(struct partition *p, uint32_t intid, uint8_t vcpu);
/*
 * A write made interrupts deliverable to the vCPUs in @who: under the lock,
 * vgic_mark() makes them look at their next return to the guest; after it,
 * vgic_kick_marked() kicks their CPUs (a vCPU in WFI, not trapped, would
 * otherwise never look).  Only the vCPUs a write concerns, never all of
 * them on every write.
 */
void vgic_mark(struct partition *p, uint32_t who);
void vgic_kick_marked(struct partition *p, uint32_t who);
/* The vCPU bit of @v in such a set; every vCPU of @p. */
static inline uint32_t vgic_vcpu_bit(unsigned int id) { return 1u << id; }
uint32_t vgic_all_vcpus(const struct partition *p);
/* The vCPUs that must look after SPI @q got a new target: its target if it is pending and enabled. */
uint32_t vgic_spi_reach(struct partition *p, const struct virq *q);

void vgic_v3_register_mmio(struct partition *p);
void vgic_v2_register_mmio(struct partition *p);
