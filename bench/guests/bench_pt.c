/*
 * Passed-through SPI asserted to the guest handler's first instruction
 * (docs/benchmarks.md, docs/passthrough.md).  The partition owns QEMU
 * virt's PL031 RTC (bench/scenarios/pt.scn).  Each sample arms the alarm
 * (RTCMR = n, the interrupt unmasked in RTCIMSC) and then, with IRQs
 * unmasked, reads CNTPCT and loads the counter with n (RTCLR): the alarm
 * matches at once and the RTC raises its level SPI on that store (PL031
 * TRM 3.3).  The IRQ vector reads CNTVCT at its first instruction and,
 * before its EOI, masks the RTC's interrupt (bench_irq_mask_reg), so the
 * line is low when the hardware-linked EOI deactivates the physical SPI.
 * latency = vector CNTVCT + CNTVOFF - CNTPCT before the store, in ticks;
 * the guest finds CNTVOFF (CNTPCT - CNTVCT, Arm ARM D11.2.4) by reading
 * both counters back to back.
 */
#include <libfdt.h>

#include "gic.h"
#include "guest.h"

#include "bench.h"

#define RTCMR            0x004
#define RTCLR            0x008
#define RTCIMSC          0x010
#define RTCICR           0x01c
#define RTC_INT          1u
#define PT_SAMPLES_DEFAULT 8u
#define PT_SAMPLES_MAX   64u
/* Wait for the IRQ this long: CNTFRQ >> shift (~2 ms). */
#define PT_TIMEOUT_SHIFT 9
#define DT_IRQ_CELLS     3
#define VOFF_READS       4u         /* a tick between the two reads makes one 1 low */

static void rtc_write(uint64_t rtc, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(rtc + off) = v;
}

/* The RTC under /passthrough and its INTID; NULL or a one-word reason. */
static const char *pt_find(uint64_t *rtc, uint32_t *intid)
{
	int bus = fdt_path_offset(dt_blob(), "/passthrough");
	int node = bus >= 0 ? fdt_node_offset_by_compatible(dt_blob(), bus, "arm,pl031") : bus;
	uint64_t size;
	int len;
	const fdt32_t *irq = node >= 0 ? fdt_getprop(dt_blob(), node, "interrupts", &len) : NULL;

	if (node < 0 || dt_reg(node, 0, rtc, &size) != 0)
		return "no-rtc-in-dt";
	if (!irq || len < DT_IRQ_CELLS * 4)
		return "no-rtc-interrupt";
	*intid = GIC_SPI_FIRST + fdt32_to_cpu(irq[1]);
	return NULL;
}

/* CNTPCT - CNTVCT: the largest of a few back-to-back differences. */
static uint64_t pt_cntvoff(void)
{
	uint64_t best = 0;

	for (unsigned int i = 0; i < VOFF_READS; i++) {
		uint64_t p, v;
		__asm__ volatile("isb\n\tmrs %0, cntpct_el0\n\tmrs %1, cntvct_el0" : "=r"(p), "=r"(v));
		best = p - v > best ? p - v : best;
	}
	return best;
}

/* One alarm; false when no IRQ came in time. */
static bool pt_sample(uint64_t rtc, uint32_t n, uint64_t voff, uint64_t *latency)
{
	uint64_t count = bench_irq_count;

	rtc_write(rtc, RTCIMSC, 0);
	rtc_write(rtc, RTCICR, RTC_INT);
	rtc_write(rtc, RTCMR, n);
	rtc_write(rtc, RTCIMSC, RTC_INT);
	uint64_t t0 = bench_mmio_trigger_wait(rtc + RTCLR, n, count,
					      timer_now() + (timer_freq() >> PT_TIMEOUT_SHIFT));
	*latency = bench_irq_cntvct + voff - t0;
	return t0 != 0;
}

void bench_run_pt(void)
{
	uint64_t samples = PT_SAMPLES_DEFAULT, rtc, lat;
	uint32_t intid = 0;
	const char *why = pt_find(&rtc, &intid);

	bootargs_get_u64("pt_samples", &samples);
	if (samples > PT_SAMPLES_MAX)
		samples = PT_SAMPLES_MAX;
	why = why ? why : bench_gic_setup();
	if (why) {
		gprintf("BENCH pt_status %s\n", why);
		return;
	}
	gic_spi_set_edge(intid, false);
	gic_spi_enable(intid, GIC_PRIO_DEFAULT, guest_read_mpidr());
	bench_irq_mask_reg = rtc + RTCIMSC;
	uint64_t voff = pt_cntvoff();
	for (uint64_t i = 0; i < samples; i++) {
		if (!pt_sample(rtc, (uint32_t)i + 1, voff, &lat)) {
			gprintf("BENCH pt_status timeout\n");
			return;
		}
		if (bench_irq_intid != intid) {
			gprintf("BENCH pt_status wrong-intid\n");
			gprintf("BENCH pt_last_intid %u\n", bench_irq_intid);
			return;
		}
		gprintf("BENCH pt_latency_ticks %lu\n", lat);
	}
	bench_irq_mask_reg = 0;
	gic_spi_disable(intid);
	gprintf("BENCH pt_status ok\n");
}
