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

/*
 * The registers whose layout the GICv3 distributor, its SGI_base frames and
 * the GICv2 distributor share (IGROUPR, I[SC]ENABLER, I[SC]PENDR,
 * I[SC]ACTIVER, IPRIORITYR, ICFGR), at offset @off of such a frame; @v's
 * copy for INTIDs 0-31.
 */
void vgic_bank_read(struct partition *p, struct vcpu *v, uint64_t off, uint64_t *val);
void vgic_bank_write(struct partition *p, struct vcpu *v, uint64_t off, unsigned int size,
		     uint64_t val);
/*
 * SPI @intid goes to vCPU @vcpu (GICD_IROUTER, GICD_ITARGETSR; beyond the
 * vCPUs: vCPU 0).  A passed-through SPI's physical twin follows it to that
 * vCPU's CPU, so it fires where it is taken.
 */
void vgic_set_target(struct partition *p, uint32_t intid, uint8_t vcpu);
/* Every vCPU re-examines its pending interrupts at its next return to the guest. */
void vgic_kick_all(struct partition *p);

void vgic_v3_register_mmio(struct partition *p);
void vgic_v2_register_mmio(struct partition *p);
