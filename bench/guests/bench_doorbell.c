/*
 * The shared-memory doorbell (include/public/tessera_hvc.h), two partitions
 * sharing one region.  The receiver turns PPI 31 on and says so in the
 * region; the sender then
 *   1. reads CNTPCT and rings once: the receiver's IRQ vector reads CNTPCT
 *      at its first instructions, so their difference is "receiver entry to
 *      handler" (both partitions read the same physical counter);
 *   2. rings N times more, timed against the same loop without the HVC:
 *      "sender per notify".  The receiver has switched PPI 31 off by then,
 *      so the rings stay pending there and cost it nothing.
 * Region words: [0] receiver ready, [1] receiver took the first ring,
 * [2] sender done.
 */
#include <libfdt.h>

#include "gic.h"
#include "guest.h"

#include "bench.h"

#define DOORBELL_HVC      0xC6000001u   /* TESSERA_HVC_SHM_DOORBELL */
#define DOORBELL_INTID    31u           /* PPI 15 of vCPU 0 (tessera_hvc.h) */
#define DOORBELL_PRIORITY 0xa0u           /* Linux's default */
#define WORD_READY        0
#define WORD_TOOK         1
#define WORD_DONE         2
#define MAGIC             0x54455353u   /* "TESS" */
#define RINGS_DEFAULT     1000u
#define WAIT_MS           5000u

static volatile uint64_t *region;
static uint64_t region_ipa;

static bool doorbell_find_region(void)
{
	int node = fdt_node_offset_by_compatible(dt_blob(), -1, "xen,shared-memory-v1");
	uint64_t size;
	if (node < 0 || dt_reg(node, 0, &region_ipa, &size) != 0)
		return false;
	region = (volatile uint64_t *)(uintptr_t)region_ipa;
	return true;
}

static bool doorbell_wait_word(unsigned int i, uint64_t want)
{
	struct timeout t = timeout_start_ms(WAIT_MS);
	while (region[i] != want && !timeout_expired(&t))
		__asm__ volatile("wfe");       /* under icount, let the other CPUs run */
	return region[i] == want;
}

static uint64_t cntpct(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntpct_el0" : "=r"(v) : : "memory");
	return v;
}

void bench_run_doorbell_tx(void)
{
	uint64_t n = RINGS_DEFAULT, ret = 0;
	bootargs_get_u64("doorbell_rings", &n);
	if (!doorbell_find_region() || !doorbell_wait_word(WORD_READY, MAGIC)) {
		gprintf("BENCH doorbell_status %s\n", region ? "no-receiver" : "no-region");
		return;
	}
	uint64_t tx = cntpct();
	int64_t rung = psci_call(DOORBELL_HVC, region_ipa, 0, 0);
	bool took = doorbell_wait_word(WORD_TOOK, MAGIC);
	gprintf("BENCH doorbell_tx_cntpct %lu\n", tx);
	gprintf("BENCH doorbell_rung %ld\n", (long)rung);
	uint64_t ticks = bench_hvc1_loop(n, DOORBELL_HVC, region_ipa, &ret);
	uint64_t base = bench_base_loop(n, DOORBELL_HVC);
	gprintf("BENCH doorbell_rings %lu\n", n);
	gprintf("BENCH doorbell_loop_ticks %lu\n", ticks);
	gprintf("BENCH doorbell_base_ticks %lu\n", base);
	gprintf("BENCH doorbell_status %s\n", rung != 1 ? "not-rung" : took ? "ok" : "no-interrupt");
	region[WORD_DONE] = MAGIC;
	__asm__ volatile("dsb sy\n\tsev");
}

void bench_run_doorbell_rx(void)
{
	const char *why = bench_gic_setup();
	if (!doorbell_find_region() || why) {
		gprintf("BENCH doorbell_rx_status %s\n", why ? why : "no-region");
		return;
	}
	gic_private_enable(DOORBELL_INTID, DOORBELL_PRIORITY);
	uint64_t count = bench_irq_count;
	__asm__ volatile("msr daifclr, #2");
	region[WORD_READY] = MAGIC;
	__asm__ volatile("dsb sy\n\tsev");
	struct timeout t = timeout_start_ms(WAIT_MS);
	while (bench_irq_count == count && !timeout_expired(&t))
		__asm__ volatile("wfe");
	gic_private_disable(DOORBELL_INTID);
	region[WORD_TOOK] = MAGIC;
	__asm__ volatile("dsb sy\n\tsev");
	gprintf("BENCH doorbell_rx_cntpct %lu\n", bench_irq_cntpct);
	gprintf("BENCH doorbell_rx_intid %u\n", bench_irq_intid);
	doorbell_wait_word(WORD_DONE, MAGIC);
}
