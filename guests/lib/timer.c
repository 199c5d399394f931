/*
 * Delays and timeouts on CNTPCT_EL0 / CNTFRQ_EL0 (Arm ARM D11, the generic
 * timer).  The ISB keeps the counter read from being hoisted or sunk across
 * the code being timed.  Waits use WFE, woken by the event stream that
 * start.S enables, so a waiting vCPU does not spin under icount (DESIGN §1).
 */
#include "guest.h"

#define MS_PER_S	1000ull
#define US_PER_S	1000000ull

uint64_t timer_now(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrs %0, cntpct_el0" : "=r"(v) : : "memory");
	return v;
}

uint64_t timer_freq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

uint64_t timer_ms_to_ticks(uint64_t ms)
{
	return ms * timer_freq() / MS_PER_S;
}

void timer_delay_us(uint64_t us)
{
	uint64_t end = timer_now() + us * timer_freq() / US_PER_S;

	while (timer_now() < end)
		guest_wfe();
}

struct timeout timeout_start_ms(uint64_t ms)
{
	return (struct timeout){ .deadline = timer_now() + timer_ms_to_ticks(ms) };
}

bool timeout_expired(const struct timeout *t)
{
	return timer_now() >= t->deadline;
}
