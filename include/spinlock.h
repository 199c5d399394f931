#pragma once
/*
 * Ticket lock.  Waiters sleep in WFE and the unlocker's store to `owner`
 * (plus SEV) wakes them: DESIGN §1 shows that a busy wait stalls QEMU's
 * icount round robin.  Used only with the MMU on (exclusives need Normal
 * memory).
 */
#include <stdint.h>

struct spinlock {
	uint32_t next;
	uint32_t owner;
};

static inline void spin_lock(struct spinlock *l)
{
	uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		__asm__ volatile("wfe" ::: "memory");
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
	__asm__ volatile("dsb ishst\n\tsev" ::: "memory");
}
