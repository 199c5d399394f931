/*
 * Virtual timer deadline to handler: program CNTV_CVAL_EL0 = now + delta,
 * wait with IRQs unmasked; the IRQ vector's first instruction reads CNTVCT.
 * latency = that value - CVAL, in ticks.  The guest sets up its GIC (v3 or
 * v2, as its DT says) with the guest library's driver (guests/lib/gic.h),
 * the way a small OS does, and enables PPI 27 at priority 0xa0.
 *
 * Without a virtual GIC the MMIO accesses abort (caught here) or no IRQ
 * arrives before the timeout: the guest prints `BENCH timer_status <why>`
 * and bench.py reports the figure as n/a.
 */
#include "gic.h"
#include "guest.h"

#include "bench.h"
#include "bench_defs.h"

#define TIMER_PRIORITY		0xa0u		/* above the PMR, Linux's default */
#define VTIMER_INTID		27u		/* DESIGN.md §5, as on virt */
#define TIMER_SAMPLES_DEFAULT	8u
#define TIMER_SAMPLES_MAX	64u
#define TIMER_DELTA_DEFAULT	1000u		/* ticks: 16000 instructions */
/* Wait for the IRQ this long past the deadline: CNTFRQ >> shift (~2 ms). */
#define TIMER_TIMEOUT_SHIFT	9

volatile uint64_t bench_irq_cntvct;
volatile uint64_t bench_irq_cntpct;
volatile uint32_t bench_irq_intid;
volatile uint64_t bench_irq_count;
uint64_t bench_gicc;		/* GICv2's CPU interface, for the IRQ vector; 0 on v3 */
volatile uint64_t bench_irq_mask_reg;

extern char bench_vectors[];

/* Everything for PPI 27 on this vCPU; NULL on success, else a one-word reason. */
const char *bench_gic_setup(void)
{
	uint64_t aborts_before = exc_abort_count();
	const char *why = NULL;

	exc_expect_aborts(true);
	if (gic_init() != 0)
		why = "no-gic";
	else if (exc_abort_count() == aborts_before && gic_cpu_init() != 0)
		why = "gic-cpu-init";
	exc_expect_aborts(false);
	/* gic_cpu_init installed the library's vectors: the bench has its own. */
	__asm__ volatile("msr vbar_el1, %0\n\tisb" : : "r"(bench_vectors) : "memory");
	if (exc_abort_count() != aborts_before)
		return "gic-mmio-abort";
	if (why)
		return why;
	bench_gicc = gic_version() == 2 ? gic_cpu_base() : 0;
	gic_private_enable(VTIMER_INTID, TIMER_PRIORITY);
	return NULL;
}

static uint64_t vcount_now(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}

/* One deadline; returns false when no IRQ came in time. */
static bool timer_sample(uint64_t delta, uint64_t *latency)
{
	uint64_t count = bench_irq_count;
	uint64_t cval = vcount_now() + delta;
	uint64_t timeout = timer_now() + delta + (timer_freq() >> TIMER_TIMEOUT_SHIFT);

	__asm__ volatile("msr cntv_cval_el0, %0" : : "r"(cval));
	__asm__ volatile("msr cntv_ctl_el0, %0\n\tisb" : : "r"((uint64_t)CNTV_CTL_ENABLE));
	bool got = bench_timer_wait(count, timeout);
	__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb");
	*latency = bench_irq_cntvct - cval;
	return got;
}

void bench_run_timer(void)
{
	uint64_t samples = TIMER_SAMPLES_DEFAULT, delta = TIMER_DELTA_DEFAULT, lat;
	const char *why = bench_gic_setup();

	bootargs_get_u64("timer_samples", &samples);
	bootargs_get_u64("timer_delta", &delta);
	if (samples > TIMER_SAMPLES_MAX)
		samples = TIMER_SAMPLES_MAX;
	for (uint64_t i = 0; why == NULL && i < samples; i++) {
		if (!timer_sample(delta, &lat))
			why = "timeout";
		else if (bench_irq_intid != VTIMER_INTID)
			why = "wrong-intid";
		else
			gprintf("BENCH timer_latency_ticks %lu\n", lat);
	}
	if (why != NULL && bench_irq_count != 0)
		gprintf("BENCH timer_last_intid %u\n", bench_irq_intid);
	gprintf("BENCH timer_status %s\n", why ? why : "ok");
}
