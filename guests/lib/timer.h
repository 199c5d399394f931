#pragma once
/* Time from the physical counter (CNTPCT_EL0, readable at EL1, DESIGN.md §5). */
#include <stdbool.h>
#include <stdint.h>

struct timeout {
	uint64_t deadline;	/* CNTPCT value */
};

uint64_t timer_now(void);
uint64_t timer_freq(void);
uint64_t timer_ms_to_ticks(uint64_t ms);
void timer_delay_us(uint64_t us);
struct timeout timeout_start_ms(uint64_t ms);
bool timeout_expired(const struct timeout *t);
