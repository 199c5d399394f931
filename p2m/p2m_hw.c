/*
 * Stage-2 TLB maintenance.  TLBI by VMID acts on the VMID in VTTBR_EL2, so
 * to invalidate another partition's entries (a borrower whose mapping its
 * owner's stop removed) we switch VTTBR_EL2 to that VMID for the duration,
 * as KVM's __tlb_switch_to_guest does.  Whole-VMID invalidation: unmaps
 * are rare and never on a hot path.
 */
#include "p2m_hw.h"
#include "sysreg.h"

#define VTTBR_VMID_SHIFT 48

void p2m_hw_invalidate(uint16_t vmid, ipa_t base, uint64_t size)
{
	(void)base;
	(void)size;
	uint64_t saved = sysreg_read(vttbr_el2);
	dsb_ishst();                      /* descriptor writes before the TLBI */
	sysreg_write(vttbr_el2, (uint64_t)vmid << VTTBR_VMID_SHIFT);
	isb();
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb_ish();
	sysreg_write(vttbr_el2, saved);
	isb();
}
