#pragma once
/*
 * The list registers of this CPU's virtual CPU interface, the one part of
 * interrupt delivery that differs between GIC versions (vgic.c uses
 * nothing else of the hardware):
 *   GICv3: ICH_LR<n>_EL2, ICH_ELRSR_EL2, ICH_EISR_EL2, ICH_HCR_EL2 system
 *          registers, 64-bit list registers (IHI 0069H 12.5);
 *   GICv2: the GICH frame, 32-bit GICH_LR<n>, GICH_ELRSR0, GICH_EISR0,
 *          GICH_HCR (IHI 0048B 5.3).
 * Every function takes the version as its first argument.  vgic.c calls them
 * from code instantiated once per version (VGIC_PER_VERSION), where @ver is
 * a constant: each copy reads its own registers with no test or indirect
 * call, so GICv3's fast paths cost what they did before GICv2 existed.
 *
 * A list register value is carried as uint64_t for both versions.
 *
 * Linked interrupts.  On v3 an interrupt linked to a physical one (the
 * virtual timer; passed-through SPIs) gets ICH_LR<n>_EL2.HW: the guest's
 * deactivation deactivates the physical interrupt, with no exit.  On v2 the
 * link goes through the EOI maintenance interrupt instead (GICH_LR.EOI, and
 * EL2 deactivates the physical interrupt when it retires the list register,
 * vlr_linked_by_eoi): QEMU's GICv2 (7.2, and upstream since) does not
 * re-evaluate the physical CPU interface after a GICH_LR.HW deactivation, so
 * a level interrupt asserted again before the guest's EOI (a timer whose
 * next deadline has already passed when the handler re-arms it) would stay
 * unsignalled until some unrelated GIC event; the deactivation by EL2's
 * GICC_DIR write is re-evaluated.  That costs one exit per linked
 * interrupt on v2, after the guest has handled it.
 */
#include <stdbool.h>
#include <stdint.h>

#include "gic.h"
#include "io.h"
#include "sysreg.h"

#define VGIC_V2 2u
#define VGIC_V3 3u

/* What a list register is asked to hold (vlr_make). */
struct vlr {
	uint32_t intid;         /* virtual INTID */
	uint8_t priority;       /* 8-bit priority; GICv2 keeps the top 5 bits */
	bool hw;                /* linked to physical INTID @pintid */
	bool eoi;               /* HW = 0: maintenance interrupt when deactivated */
	uint16_t pintid;
	uint8_t source;         /* GICv2 SGIs: the sending vCPU (GICV_IAR.CPUID) */
};

/* The GICH frame the GICv2 driver found (gic_hw, written once at boot). */
static inline uint64_t vlr_gich(void)
{
	return gic_hw.gich;
}

static inline uint64_t vlr_v3_read(unsigned int n)
{
	switch (n) {
	case 0: return sysreg_read(ich_lr0_el2);
	case 1: return sysreg_read(ich_lr1_el2);
	case 2: return sysreg_read(ich_lr2_el2);
	case 3: return sysreg_read(ich_lr3_el2);
	case 4: return sysreg_read(ich_lr4_el2);
	case 5: return sysreg_read(ich_lr5_el2);
	case 6: return sysreg_read(ich_lr6_el2);
	case 7: return sysreg_read(ich_lr7_el2);
	case 8: return sysreg_read(ich_lr8_el2);
	case 9: return sysreg_read(ich_lr9_el2);
	case 10: return sysreg_read(ich_lr10_el2);
	case 11: return sysreg_read(ich_lr11_el2);
	case 12: return sysreg_read(ich_lr12_el2);
	case 13: return sysreg_read(ich_lr13_el2);
	case 14: return sysreg_read(ich_lr14_el2);
	default: return sysreg_read(ich_lr15_el2);
	}
}

static inline void vlr_v3_write(unsigned int n, uint64_t v)
{
	switch (n) {
	case 0: sysreg_write(ich_lr0_el2, v); break;
	case 1: sysreg_write(ich_lr1_el2, v); break;
	case 2: sysreg_write(ich_lr2_el2, v); break;
	case 3: sysreg_write(ich_lr3_el2, v); break;
	case 4: sysreg_write(ich_lr4_el2, v); break;
	case 5: sysreg_write(ich_lr5_el2, v); break;
	case 6: sysreg_write(ich_lr6_el2, v); break;
	case 7: sysreg_write(ich_lr7_el2, v); break;
	case 8: sysreg_write(ich_lr8_el2, v); break;
	case 9: sysreg_write(ich_lr9_el2, v); break;
	case 10: sysreg_write(ich_lr10_el2, v); break;
	case 11: sysreg_write(ich_lr11_el2, v); break;
	case 12: sysreg_write(ich_lr12_el2, v); break;
	case 13: sysreg_write(ich_lr13_el2, v); break;
	case 14: sysreg_write(ich_lr14_el2, v); break;
	default: sysreg_write(ich_lr15_el2, v); break;
	}
}

static inline uint64_t vlr_read(unsigned int ver, unsigned int n)
{
	if (ver == VGIC_V2)
		return mmio_read32(vlr_gich() + GICH_LR0 + 4ull * n);
	return vlr_v3_read(n);
}

static inline void vlr_write(unsigned int ver, unsigned int n, uint64_t v)
{
	if (ver == VGIC_V2)
		mmio_write32(vlr_gich() + GICH_LR0 + 4ull * n, (uint32_t)v);
	else
		vlr_v3_write(n, v);
}

/*
 * Group 1 on v3, where the guest enables Group 1 (ICC_IGRPEN1_EL1).  Group 0
 * on v2: a guest enables its GICV with GICC_CTLR bit 0, EnableGrp0 of the
 * virtual CPU interface, as Linux does, and Group 0 is signalled as IRQ
 * while GICV_CTLR.FIQEn is clear (IHI 0048B 5.4.1).
 */
static inline uint64_t vlr_make(unsigned int ver, const struct vlr *d)
{
	if (ver == VGIC_V2) {
		uint64_t lr = field_prep(GICH_LR_VIRTUALID, d->intid) |
			      field_prep(GICH_LR_PRIORITY, d->priority >> GICH_LR_PRIORITY_SHIFT) |
			      field_prep(GICH_LR_STATE, GICH_LR_STATE_PENDING);
		if (d->intid < GIC_NR_SGIS)
			lr |= field_prep(GICH_LR_CPUID, d->source);
		return lr | (d->eoi || d->hw ? GICH_LR_EOI : 0);      /* linked: by EOI, above */
	}
	uint64_t lr = field_prep(ICH_LR_VINTID, d->intid) | field_prep(ICH_LR_PRIORITY, d->priority) |
		      ICH_LR_GROUP1 | field_prep(ICH_LR_STATE, ICH_LR_STATE_PENDING);
	if (d->hw)
		return lr | ICH_LR_HW | field_prep(ICH_LR_PINTID, d->pintid);
	return lr | (d->eoi ? ICH_LR_EOI : 0);
}

static inline uint32_t vlr_intid(unsigned int ver, uint64_t lr)
{
	if (ver == VGIC_V2)
		return (uint32_t)field_get(GICH_LR_VIRTUALID, lr);
	return (uint32_t)field_get(ICH_LR_VINTID, lr);
}

/* Whether EL2 deactivates a linked interrupt's physical INTID when its list register retires. */
static inline bool vlr_linked_by_eoi(unsigned int ver)
{
	return ver == VGIC_V2;
}

static inline bool vlr_pending(unsigned int ver, uint64_t lr)
{
	if (ver == VGIC_V2)
		return field_get(GICH_LR_STATE, lr) & GICH_LR_STATE_PENDING;
	return field_get(ICH_LR_STATE, lr) & ICH_LR_STATE_PENDING;
}

/* The same list register, pending as well (pending and active if it was active). */
static inline uint64_t vlr_add_pending(unsigned int ver, uint64_t lr)
{
	if (ver == VGIC_V2)
		return lr | field_prep(GICH_LR_STATE, GICH_LR_STATE_PENDING);
	return lr | field_prep(ICH_LR_STATE, ICH_LR_STATE_PENDING);
}

/*
 * List registers the guest is done with: empty ones (ELRSR), and those
 * that asked for a maintenance interrupt on their EOI, which stay
 * non-empty until cleared (EISR; IHI 0069H 12.5.9, IHI 0048B 5.3.5).
 * At most 16 list registers are used, so the low words are enough on v2.
 */
static inline uint64_t vlr_retired(unsigned int ver)
{
	if (ver == VGIC_V2)
		return mmio_read32(vlr_gich() + GICH_ELRSR0) | mmio_read32(vlr_gich() + GICH_EISR0);
	return sysreg_read(ich_elrsr_el2) | sysreg_read(ich_eisr_el2);
}

/* HCR: enabled, and with @underflow a maintenance interrupt once at most one LR is valid. */
static inline uint64_t vlr_hcr(unsigned int ver, bool underflow)
{
	if (ver == VGIC_V2)
		return GICH_HCR_EN | (underflow ? GICH_HCR_UIE : 0);
	return ICH_HCR_EN | (underflow ? ICH_HCR_UIE : 0);
}

static inline void vlr_hcr_write(unsigned int ver, uint64_t hcr)
{
	if (ver == VGIC_V2)
		mmio_write32(vlr_gich() + GICH_HCR, (uint32_t)hcr);
	else
		sysreg_write(ich_hcr_el2, hcr);
}

/* How many list registers this CPU has (VTR.ListRegs + 1). */
static inline unsigned int vlr_count(unsigned int ver)
{
	if (ver == VGIC_V2)
		return (unsigned int)field_get(GICH_VTR_LISTREGS,
					       mmio_read32(vlr_gich() + GICH_VTR)) + 1;
	return (unsigned int)field_get(ICH_VTR_LISTREGS, sysreg_read(ich_vtr_el2)) + 1;
}

/* Active priorities and the guest's CPU interface state (VMCR) back to reset. */
static inline void vlr_reset_cpu_interface(unsigned int ver)
{
	if (ver == VGIC_V2) {
		mmio_write32(vlr_gich() + GICH_APR, 0);
		mmio_write32(vlr_gich() + GICH_VMCR, 0);
		return;
	}
	sysreg_write(ich_ap0r0_el2, 0);
	sysreg_write(ich_ap1r0_el2, 0);
	sysreg_write(ich_vmcr_el2, 0);
}
