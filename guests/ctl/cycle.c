/*
 * ctl_test=cycle: churn for the life cycle (tests/system/test_cycles.py).
 * A control partition stops, starts and restarts two other partitions
 * (ctl_owner=<ID>, ctl_borrower=<ID>, a region's owner and its borrower)
 * ctl_cycles=<n> times through the control hypercalls, while the shell and
 * another control partition do the same.  Every answer must be one a race
 * can give (OK, ALREADY, JOINED, FAILED: a borrower started while its
 * owner is stopped); anything else is a FAIL.  It starts when a character
 * comes on its console (the test takes its baseline stats first), then
 * prints its tally and stays up (`ctl: cycles done ...`).
 *
 * ctl_test=idle: a partition that stays up and touches its first region
 * every millisecond, taking the data abort when its mapping is revoked
 * (the owner stopped), so that revocations happen to a running borrower.
 */
#include <string.h>

#include "ctl.h"
#include "public/tessera_ctl.h"

#define CYCLE_OPS        6u
#define CYCLE_CODES      3u             /* OK, ALREADY, JOINED: index = code */
#define IDLE_TOUCH_US    1000u
#define IDLE_REPORT_EVERY 1000u
#define UARTDR           0x000u         /* PL011 (DDI 0183G 3.3) */
#define UARTFR           0x018u
#define UARTFR_RXFE      (1u << 4)
#define GO_POLL_US       1000u

static uint32_t uart_reg(uint32_t off)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(uart_base() + off) : "memory");
	return v;
}

/* Wait for one character on the console (the focus moved here and a key was typed). */
static void cycle_wait_go(void)
{
	gprintf("ctl: cycles wait for a key\n");
	while (uart_reg(UARTFR) & UARTFR_RXFE)
		timer_delay_us(GO_POLL_US);
	(void)uart_reg(UARTDR);
}

static int64_t ctl_call(uint32_t fn, uint64_t id)
{
	return psci_call(fn, id, 0, 0);
}

void ctl_cycle(void)
{
	uint64_t cycles = 0, owner = 0, borrower = 0;
	bootargs_get_u64("ctl_cycles", &cycles);
	bootargs_get_u64("ctl_owner", &owner);
	bootargs_get_u64("ctl_borrower", &borrower);
	const struct { uint32_t fn; uint64_t id; } ops[CYCLE_OPS] = {
		{ TESSERA_HVC_CTL_STOP, borrower }, { TESSERA_HVC_CTL_STOP, owner },
		{ TESSERA_HVC_CTL_START, owner }, { TESSERA_HVC_CTL_START, borrower },
		{ TESSERA_HVC_CTL_RESTART, owner }, { TESSERA_HVC_CTL_RESTART, borrower },
	};
	uint64_t count[CYCLE_CODES] = { 0 }, failed = 0, bad = 0;
	int64_t first_bad = 0;
	cycle_wait_go();
	gprintf("ctl: cycles start: %lu\n", cycles);
	for (uint64_t c = 0; c < cycles; c++) {
		for (unsigned int i = 0; i < CYCLE_OPS; i++) {
			int64_t r = ctl_call(ops[i].fn, ops[i].id);
			if (r >= 0 && r < (int64_t)CYCLE_CODES)
				count[r]++;
			else if (r == TESSERA_RET_FAILED)
				failed++;
			else if (bad++ == 0)
				first_bad = r;
		}
	}
	gprintf("ctl: cycles done: ok %lu already %lu joined %lu failed %lu other %lu\n",
		count[TESSERA_RET_OK], count[TESSERA_RET_ALREADY], count[TESSERA_RET_JOINED], failed,
		bad);
	if (bad)
		report_fail("ctl-cycles got=%ld want=ok|already|joined|failed", (long)first_bad);
	else
		report_pass("ctl-cycles %lu", cycles);
	for (;;)
		guest_wfe();            /* stays up until the test stops it */
}

void ctl_idle(void)
{
	uint64_t base, size;
	bool region = ctl_first_region(&base, &size);
	gprintf("ctl: idle%s\n", region ? ", touching my region" : "");
	exc_expect_aborts(true);
	for (uint64_t n = 1;; n++) {
		if (region)
			(void)*(volatile uint64_t *)(uintptr_t)base;
		if (n % IDLE_REPORT_EVERY == 0)
			gprintf("ctl: idle %lu, %lu aborts\n", n, exc_abort_count());
		timer_delay_us(IDLE_TOUCH_US);
	}
}
