#pragma once
/* The hardware side of stage 2: TLB maintenance for a table's VMID (p2m/p2m_hw.c). */
#include "p2m.h"
#include "types.h"

#define P2M_HW_ALL 0ull          /* size: every entry of the VMID */

/*
 * Invalidate, on every CPU (inner shareable), the stage-2 and combined
 * stage-1+2 TLB entries of @p's VMID for [base, base + size): by IPA when
 * that range is small (p2m_tlbi_ipa_ops), the whole VMID otherwise.
 * Callable from any CPU, whatever VMID it runs.
 */
void p2m_hw_invalidate(const struct p2m *p, ipa_t base, uint64_t size);
