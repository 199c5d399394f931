/*
 * Virtual timer deadline to handler: program CNTV_CVAL_EL0 = now + delta,
 * wait with IRQs unmasked; the IRQ vector's first instruction reads CNTVCT.
 * latency = that value - CVAL, in ticks.  The guest sets up what Linux's
 * GICv3 driver would for one PPI: distributor group 1 with affinity
 * routing, its redistributor awake, INTID 27 group 1 and enabled, and the
 * system-register CPU interface (IHI 0069H 12.9, 12.11, 12.x).
 *
 * Without a virtual GIC the MMIO accesses abort (caught here) or no IRQ
 * arrives before the timeout: the guest prints `BENCH timer_status <why>`
 * and bench.py reports the figure as n/a.
 */
#include <libfdt.h>

#include "guest.h"

#include "bench.h"
#include "bench_defs.h"

#define GICD_CTLR		0x0000
#define GICD_CTLR_ENABLE_G1	(1u << 1)	/* EnableGrp1 (one security state) */
#define GICD_CTLR_ARE		(1u << 4)
#define GICD_CTLR_RWP		(1u << 31)

#define GICR_FRAME_STRIDE	0x20000ull	/* RD_base + SGI_base (GICv3) */
#define GICR_TYPER_LO		0x0008
#define GICR_TYPER_HI		0x000c		/* Affinity_Value, Aff3.Aff2.Aff1.Aff0 */
#define GICR_TYPER_LAST		(1u << 4)
#define GICR_WAKER		0x0014
#define GICR_WAKER_SLEEP	(1u << 1)	/* ProcessorSleep */
#define GICR_WAKER_ASLEEP	(1u << 2)	/* ChildrenAsleep */
#define GICR_SGI_BASE		0x10000ull
#define GICR_IGROUPR0		0x0080
#define GICR_ISENABLER0		0x0100
#define GICR_IPRIORITYR(n)	(0x0400 + 4 * ((n) / 4))
#define GICR_MAX_FRAMES		64

#define ICC_SRE_SRE		1ull
#define ICC_PMR_LOWEST		0xffull		/* let every priority through */
#define ICC_IGRPEN1_ENABLE	1ull
#define TIMER_PRIORITY		0xa0u		/* above the PMR, Linux's default */
#define PRIORITY_BITS		8u
#define PRIORITY_MASK		0xffu

#define VTIMER_INTID		27u		/* DESIGN.md §5, as on virt */
#define TIMER_SAMPLES_DEFAULT	8u
#define TIMER_SAMPLES_MAX	64u
#define TIMER_DELTA_DEFAULT	1000u		/* ticks: 16000 instructions */
#define TIMER_POLL_MAX		100000u		/* RWP / ChildrenAsleep polls */
/* Wait for the IRQ this long past the deadline: CNTFRQ >> shift (~2 ms). */
#define TIMER_TIMEOUT_SHIFT	9

#define MPIDR_AFF0		0x0000000000ffull
#define MPIDR_AFF1		0x00000000ff00ull
#define MPIDR_AFF2		0x000000ff0000ull
#define MPIDR_AFF3_SHIFT	32
#define AFF3_TYPER_SHIFT	24

volatile uint64_t bench_irq_cntvct;
volatile uint64_t bench_irq_cntpct;
volatile uint32_t bench_irq_intid;
volatile uint64_t bench_irq_count;

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)(uintptr_t)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)addr = v;
}

static uint64_t aborts_before;	/* exc_abort_count() when the set-up began */

/* An MMIO access aborted (no virtual GIC there): stop at once, since every
 * further access would trap twice more for nothing. */
static bool gic_aborted(void)
{
	return exc_abort_count() != aborts_before;
}

/* Poll until (read(addr) & mask) == 0; false on timeout or abort. */
static bool gic_wait_clear(uint64_t addr, uint32_t mask)
{
	for (unsigned int i = 0; i < TIMER_POLL_MAX && !gic_aborted(); i++)
		if (!(mmio_read32(addr) & mask))
			return true;
	return false;
}

/* GICR_TYPER's affinity value for this vCPU. */
static uint32_t gic_my_affinity(void)
{
	uint64_t m = guest_read_mpidr();

	return (uint32_t)((m & (MPIDR_AFF0 | MPIDR_AFF1 | MPIDR_AFF2)) |
			  ((m >> MPIDR_AFF3_SHIFT) << AFF3_TYPER_SHIFT));
}

static uint64_t gic_find_redist(uint64_t gicr)
{
	uint32_t want = gic_my_affinity();

	for (unsigned int i = 0; i < GICR_MAX_FRAMES; i++) {
		uint64_t rd = gicr + i * GICR_FRAME_STRIDE;
		if (mmio_read32(rd + GICR_TYPER_HI) == want)
			return rd;
		if (gic_aborted())
			break;
		if (mmio_read32(rd + GICR_TYPER_LO) & GICR_TYPER_LAST)
			break;
	}
	return 0;
}

/* Distributor and redistributor; returns NULL or why it failed. */
static const char *gic_setup_mmio(uint64_t gicd, uint64_t gicr)
{
	mmio_write32(gicd + GICD_CTLR, mmio_read32(gicd + GICD_CTLR) |
		     GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
	if (!gic_wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP))
		return "gicd-rwp-timeout";
	uint64_t rd = gic_find_redist(gicr);
	if (gic_aborted() || rd == 0)
		return "no-redistributor";
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	if (!gic_wait_clear(rd + GICR_WAKER, GICR_WAKER_ASLEEP))
		return "gicr-waker-timeout";
	uint64_t sgi = rd + GICR_SGI_BASE;
	uint64_t prio = sgi + GICR_IPRIORITYR(VTIMER_INTID);
	unsigned int shift = (VTIMER_INTID % 4) * PRIORITY_BITS;
	mmio_write32(sgi + GICR_IGROUPR0, mmio_read32(sgi + GICR_IGROUPR0) | 1u << VTIMER_INTID);
	mmio_write32(prio, (mmio_read32(prio) & ~(PRIORITY_MASK << shift)) |
		     TIMER_PRIORITY << shift);
	mmio_write32(sgi + GICR_ISENABLER0, 1u << VTIMER_INTID);
	return NULL;
}

static const char *gic_setup_cpuif(void)
{
	uint64_t sre;

	__asm__ volatile("mrs %0, " BENCH_STR(ICC_SRE_EL1) : "=r"(sre));
	__asm__ volatile("msr " BENCH_STR(ICC_SRE_EL1) ", %0\n\tisb" : : "r"(sre | ICC_SRE_SRE));
	__asm__ volatile("mrs %0, " BENCH_STR(ICC_SRE_EL1) : "=r"(sre));
	if (!(sre & ICC_SRE_SRE))
		return "no-icc-sysregs";
	__asm__ volatile("msr " BENCH_STR(ICC_PMR_EL1) ", %0" : : "r"(ICC_PMR_LOWEST));
	__asm__ volatile("msr " BENCH_STR(ICC_IGRPEN1_EL1) ", %0\n\tisb"
			 : : "r"(ICC_IGRPEN1_ENABLE));
	return NULL;
}

/* Everything for PPI 27; NULL on success, else a one-word reason. */
const char *bench_gic_setup(void)
{
	int node = fdt_node_offset_by_compatible(dt_blob(), -1, "arm,gic-v3");
	uint64_t gicd, gicr, size;	/* dt_reg always writes the size */

	if (node < 0 || dt_reg(node, 0, &gicd, &size) != 0 || dt_reg(node, 1, &gicr, &size) != 0)
		return "no-gicv3-in-dt";
	/* Overrides, to test the no-vGIC path on plain QEMU (unmapped 0xc000000). */
	bootargs_get_u64("gic_dist", &gicd);
	bootargs_get_u64("gic_redist", &gicr);
	aborts_before = exc_abort_count();
	exc_expect_aborts(true);
	const char *why = gic_setup_mmio(gicd, gicr);
	exc_expect_aborts(false);
	if (gic_aborted())
		return "gic-mmio-abort";
	return why ? why : gic_setup_cpuif();
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
