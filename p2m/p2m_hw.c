/*
 * Stage-2 TLB maintenance.  TLBI IPAS2E1IS, VMALLE1IS and VMALLS12E1IS act
 * on the VMID in VTTBR_EL2 (Arm ARM D8.13, "TLB maintenance instructions"),
 * so to invalidate another partition's entries (a borrower whose mapping
 * its owner's stop removed) this CPU switches VTTBR_EL2 to that table for
 * the duration, as KVM's __tlb_switch_to_guest does: the table's own
 * VTTBR (base and VMID), never a made-up one, because the CPU may walk the
 * EL1&0 regime speculatively with whatever VTTBR_EL2 holds.  IRQs are
 * masked at EL2, so nothing runs at EL1 meanwhile.
 *
 * By IPA: TLBI IPAS2E1IS per page removes the stage-2 entries, but entries
 * that combine stage 1 and stage 2 are tagged by VA, so VMALLE1IS follows,
 * after a DSB: a walk on another CPU must not refill a combined entry from
 * the old stage-2 entry between the two (the order KVM's
 * __kvm_tlb_flush_vmid_ipa uses).
 */
#include "p2m_hw.h"
#include "sysreg.h"

static void tlbi_by_ipa(uint64_t op, unsigned int pages)
{
	for (unsigned int i = 0; i < pages; i++)
		__asm__ volatile("tlbi ipas2e1is, %0" :: "r"(op + i) : "memory");
	dsb_ish();
	__asm__ volatile("tlbi vmalle1is" ::: "memory");
}

void p2m_hw_invalidate(const struct p2m *p, ipa_t base, uint64_t size)
{
	uint64_t op;
	unsigned int pages = p2m_tlbi_ipa_ops(base, size, &op);
	uint64_t saved = sysreg_read(vttbr_el2);
	dsb_ishst();                      /* descriptor writes before the TLBI */
	sysreg_write(vttbr_el2, p2m_vttbr(p));
	isb();
	if (pages)
		tlbi_by_ipa(op, pages);
	else
		__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb_ish();                        /* complete on every CPU before anyone relies on it */
	sysreg_write(vttbr_el2, saved);
	isb();
}
