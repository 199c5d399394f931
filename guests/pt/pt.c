/*
 * pt: a passed-through ARM PL031 RTC (docs/passthrough.md).  The guest finds
 * the device in its own DT (under /passthrough, compatible "arm,pl031"),
 * reads its identity registers through the stage-2 device mapping, then
 * raises its alarm interrupt pt_alarms= times (default 1000).  Each round
 * sets the match register RTCMR to n and loads the counter RTCLR with n, so
 * the alarm fires at once (PrimeCell RTC PL031 TRM, 3.3: the interrupt is
 * raised when the counter equals the match value); the handler checks the
 * masked status RTCMIS and clears the interrupt with RTCICR.  Every round
 * must take exactly one interrupt: none lost, none twice.
 *
 * pt_wait=1: after the verdicts, print `pt: waiting` and idle instead of
 * powering off, so that a test can stop and restart the partition.
 */
#include <libfdt.h>

#include "gic.h"
#include "guest.h"

/* PL031 registers (PrimeCell RTC PL031 TRM, 3.2). */
#define RTCDR            0x000      /* data: the counter */
#define RTCMR            0x004      /* match */
#define RTCLR            0x008      /* load */
#define RTCIMSC          0x010      /* interrupt mask set/clear: 1 = enabled */
#define RTCRIS           0x014      /* raw interrupt status */
#define RTCMIS           0x018      /* masked interrupt status */
#define RTCICR           0x01c      /* interrupt clear */
#define RTC_INT          1u
#define RTC_PERIPH_ID0   0xfe0      /* PeriphID0-3, then PCellID0-3 (3.3.8, 3.3.9) */
#define RTC_ID_WORDS     8u

#define ALARMS_DEFAULT   1000u
#define ALARM_WAIT_MS    1000u
/* /passthrough device: interrupts = <type number flags>. */
#define DT_SPI_TYPE      0u
#define DT_IRQ_CELLS     3

static const uint8_t pl031_id[RTC_ID_WORDS] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static uint64_t rtc;
static volatile uint64_t irqs;          /* handler calls */
static volatile uint64_t irqs_idle;     /* of them, with no alarm pending (MIS clear) */

static uint32_t rtc_read(uint32_t off)
{
	return *(volatile uint32_t *)(uintptr_t)(rtc + off);
}

static void rtc_write(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(rtc + off) = v;
}

static void pt_rtc_irq(uint32_t intid)
{
	(void)intid;
	if (!(rtc_read(RTCMIS) & RTC_INT))
		irqs_idle = irqs_idle + 1;
	rtc_write(RTCICR, RTC_INT);          /* the line drops before the EOI */
	irqs = irqs + 1;
}

/* The RTC node and its INTID; false (after a FAIL) when the DT has none. */
static bool pt_find(uint32_t *intid)
{
	int bus = fdt_path_offset(dt_blob(), "/passthrough");
	int node = bus >= 0 ? fdt_node_offset_by_compatible(dt_blob(), bus, "arm,pl031") : bus;
	uint64_t size;
	int len;
	const fdt32_t *irq = node >= 0 ? fdt_getprop(dt_blob(), node, "interrupts", &len) : NULL;

	if (node < 0 || dt_reg(node, 0, &rtc, &size) != 0) {
		report_fail("pt-dt got=%d want=/passthrough/*arm,pl031*", node);
		return false;
	}
	if (!irq || len < DT_IRQ_CELLS * 4 || fdt32_to_cpu(irq[0]) != DT_SPI_TYPE) {
		report_fail("pt-dt-interrupts got=%d want=spi", irq ? len : -1);
		return false;
	}
	*intid = GIC_SPI_FIRST + fdt32_to_cpu(irq[1]);
	gprintf("pt: rtc 0x%lx size 0x%lx intid %u\n", rtc, size, *intid);
	return true;
}

/* PeriphID/PCellID through the stage-2 device mapping: it is the real PL031. */
static void pt_check_id(void)
{
	for (uint32_t i = 0; i < RTC_ID_WORDS; i++) {
		uint32_t got = rtc_read(RTC_PERIPH_ID0 + 4 * i) & 0xffu;
		if (got != pl031_id[i]) {
			report_fail("pt-rtc-id %u got=0x%x want=0x%x", i, got, pl031_id[i]);
			return;
		}
	}
	report_pass("pt-rtc-id");
}

/* One alarm: exactly one interrupt must follow.  False when it did not. */
static bool pt_alarm(uint32_t n)
{
	uint64_t before = irqs;
	struct timeout t = timeout_start_ms(ALARM_WAIT_MS);

	rtc_write(RTCMR, n);
	rtc_write(RTCLR, n);
	irq_unmask();
	while (irqs == before && !timeout_expired(&t))
		__asm__ volatile("wfi" ::: "memory");
	irq_mask();
	return irqs == before + 1;
}

static void pt_alarms(uint32_t intid, uint64_t count)
{
	uint64_t lost = 0;

	gic_set_handler(intid, pt_rtc_irq);
	gic_spi_set_edge(intid, false);            /* level high, as the host DT says */
	gic_spi_enable(intid, GIC_PRIO_DEFAULT, guest_read_mpidr());
	rtc_write(RTCICR, RTC_INT);
	rtc_write(RTCIMSC, RTC_INT);
	for (uint64_t i = 0; i < count; i++)
		lost += !pt_alarm((uint32_t)i + 1);
	rtc_write(RTCIMSC, 0);
	gic_spi_disable(intid);
	if (lost == 0 && irqs == count && irqs_idle == 0)
		report_pass("pt-alarms %lu", count);
	else
		report_fail("pt-alarms got=%lu,lost=%lu,idle=%lu want=%lu", irqs, lost, irqs_idle, count);
	report_check_dec("pt-rtc-quiet", rtc_read(RTCRIS) & RTC_INT, 0);
}

int main(const void *dtb)
{
	uint64_t count = ALARMS_DEFAULT, wait = 0;
	uint32_t intid;

	(void)dtb;
	bootargs_get_u64("pt_alarms", &count);
	bootargs_get_u64("pt_wait", &wait);
	if (!pt_find(&intid))
		return 0;
	pt_check_id();
	if (count != 0) {
		if (gic_init() != 0 || gic_cpu_init() != 0)
			report_fail("pt-gic got=no-gic want=gicv3");
		else
			pt_alarms(intid, count);
	}
	if (gic_unexpected_count() != 0)
		report_fail("pt-unexpected-irq %u got=%lu want=0", gic_unexpected_last(),
			    gic_unexpected_count());
	if (!wait)
		return 0;
	gprintf("pt: waiting (%u passed, %u failed)\n", report_passed(), report_failed());
	for (;;)
		__asm__ volatile("wfi");
}
