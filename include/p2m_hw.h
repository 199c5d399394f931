#pragma once
/* The hardware side of stage 2: TLB maintenance for a VMID (p2m/p2m_hw.c). */
#include "types.h"

/* Invalidate stage-1 and stage-2 TLB entries of @vmid on every CPU. */
void p2m_hw_invalidate(uint16_t vmid, ipa_t base, uint64_t size);
