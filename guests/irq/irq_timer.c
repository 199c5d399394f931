/*
 * Virtual timer tests (Arm ARM D11.2, the generic timer; CNTV_CTL_EL0 and
 * CNTV_CVAL_EL0): a periodic interrupt counted over a window of CNTVCT time,
 * the handler's view of the counter against the compare value, and IMASK.
 */
#include <libfdt.h>

#include "irq.h"

#define CNTV_CTL_ENABLE		(1ull << 0)
#define CNTV_CTL_IMASK		(1ull << 1)
#define CNTV_CTL_ISTATUS	(1ull << 2)
#define US_PER_S		1000000ull
#define MS_PER_S		1000ull
#define TOLERANCE_PCT		10u
#define PCT			100u
#define MASK_WINDOW_MS		20u
#define SETTLE_PERIODS		50u	/* after the window: 50 ms at 1 ms */
/* /timer "interrupts": secure, non-secure physical, virtual, hypervisor. */
#define DT_TIMER_VIRT		2
#define DT_IRQ_CELLS		3
#define DT_VTIMER_DEFAULT	27u

struct timer_state {
	uint64_t period;		/* CNTVCT ticks */
	uint64_t end;			/* CVAL values above it are outside the window */
	bool oneshot;			/* disable after one interrupt */
	volatile uint64_t count;	/* every interrupt */
	volatile uint64_t in_window;	/* interrupts whose CVAL <= end */
	volatile uint64_t early;	/* handler saw CNTVCT < CVAL or ISTATUS clear */
	volatile uint64_t max_late;	/* CNTVCT - CVAL, ticks */
};

static struct timer_state tm;

static uint64_t cntvct(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}

static uint64_t cntv_cval(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntv_cval_el0" : "=r"(v));
	return v;
}

static uint64_t cntv_ctl(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntv_ctl_el0" : "=r"(v));
	return v;
}

static void cntv_set(uint64_t cval, uint64_t ctl)
{
	__asm__ volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb"
			 : : "r"(cval), "r"(ctl) : "memory");
}

/* The virtual timer's INTID from /timer (PPI n = INTID 16 + n). */
static uint32_t timer_intid(void)
{
	int node = fdt_node_offset_by_compatible(dt_blob(), -1, "arm,armv8-timer");
	int len;
	const fdt32_t *irqs = node < 0 ? NULL : fdt_getprop(dt_blob(), node, "interrupts", &len);

	if (irqs == NULL || len < (DT_TIMER_VIRT + 1) * DT_IRQ_CELLS * 4)
		return DT_VTIMER_DEFAULT;
	return GIC_PPI_FIRST + fdt32_to_cpu(irqs[DT_TIMER_VIRT * DT_IRQ_CELLS + 1]);
}

static void timer_irq(uint32_t intid)
{
	uint64_t now = cntvct(), cval = cntv_cval();

	(void)intid;
	if (now < cval || !(cntv_ctl() & CNTV_CTL_ISTATUS))
		tm.early = tm.early + 1;
	else if (now - cval > tm.max_late)
		tm.max_late = now - cval;
	tm.count = tm.count + 1;
	if (cval <= tm.end)
		tm.in_window = tm.in_window + 1;
	/* Fixed rate (no drift) up to the window's end, then off: nothing is
	 * left pending when the test moves on. */
	if (tm.oneshot || cval + tm.period > tm.end)
		cntv_set(cval, 0);
	else
		cntv_set(cval + tm.period, CNTV_CTL_ENABLE);
}

/* Periodic interrupts for a window: count within +-10%, never early. */
static void timer_rate(uint64_t freq)
{
	uint64_t period_us = irq_arg("timer_period_us", 1000);
	uint64_t window_ms = irq_arg("timer_window_ms", 200);

	tm.period = freq * period_us / US_PER_S;
	uint64_t want = window_ms * MS_PER_S / period_us;
	uint64_t t0 = cntvct();
	tm.oneshot = false;
	tm.end = t0 + freq * window_ms / MS_PER_S;
	cntv_set(t0 + tm.period, CNTV_CTL_ENABLE);
	irq_unmask();
	while (cntvct() < tm.end)
		guest_wfe();
	uint64_t by_end = tm.in_window;
	/* The last ticks may still be on their way (TCG, a loaded host): wait for
	 * them, so that nothing is left pending for the next test either. */
	while (tm.in_window < want && cntvct() < tm.end + SETTLE_PERIODS * tm.period)
		guest_wfe();
	irq_mask();
	cntv_set(0, 0);
	uint64_t got = tm.in_window;
	gprintf("irq: timer %lu interrupts in %lu ms (%lu by its end), period %lu ticks, "
		"latest %lu ticks late\n", got, window_ms, by_end, tm.period, tm.max_late);
	if (got * PCT >= want * (PCT - TOLERANCE_PCT) && got * PCT <= want * (PCT + TOLERANCE_PCT))
		report_pass("timer-rate %lu", got);
	else
		report_fail("timer-rate got=%lu want=%lu", got, want);
}

/* A condition met but masked by IMASK raises nothing; unmasked, it does. */
static void timer_masked(void)
{
	tm.oneshot = true;
	tm.end = UINT64_MAX;
	uint64_t before = tm.count;
	cntv_set(cntvct(), CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
	irq_wait_ms(MASK_WINDOW_MS);
	uint64_t ctl = cntv_ctl();
	irq_mask();
	if (tm.count != before)
		report_fail("timer-masked got=%lu want=0", tm.count - before);
	else if (!(ctl & CNTV_CTL_ISTATUS))
		report_fail("timer-masked istatus got=0x%lx want=0x%llx", ctl,
			    CNTV_CTL_ENABLE | CNTV_CTL_IMASK | CNTV_CTL_ISTATUS);
	else
		report_pass("timer-masked");
	cntv_set(cntv_cval(), CNTV_CTL_ENABLE);
	if (irq_wait_count(&tm.count, before + 1, IRQ_WAIT_MS))
		report_pass("timer-unmasked");
	else
		report_fail("timer-unmasked got=%lu want=1", tm.count - before);
	irq_mask();
	cntv_set(0, 0);
}

void irq_test_timer(void)
{
	uint64_t freq;
	uint32_t intid = timer_intid();

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	tm = (struct timer_state){ 0 };
	gic_set_handler(intid, timer_irq);
	gic_private_enable(intid, GIC_PRIO_DEFAULT);
	timer_rate(freq);
	timer_masked();
	report_check_dec("timer-not-early", tm.early, 0);
	gic_private_disable(intid);
}
