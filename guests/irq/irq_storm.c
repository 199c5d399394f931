/*
 * SGI storm: vCPU1 sends SGI_STORM to vCPU0 back to back while vCPU0 counts
 * iterations of a loop with IRQs unmasked.  vCPU0 must keep making progress
 * and handle many interrupts; then the storm stops and vCPU1 turns off.
 * The same loop without a storm gives the baseline.
 */
#include "irq.h"

#define STORM_MIN_IRQS		10u	/* far above a stall; TCG on a busy host gives ~50 in 500 ms */
#define STORM_START_MS		1000u
#define STORM_DRAIN_MS		20u

static volatile uint64_t storm_irqs;
static volatile uint64_t storm_wrong;
static uint64_t storm_cpu0;

static void storm_irq(uint32_t intid)
{
	(void)intid;
	if (guest_read_mpidr() != storm_cpu0)
		storm_wrong = storm_wrong + 1;
	storm_irqs = storm_irqs + 1;
}

/* Loop iterations in @ms of CNTPCT time, IRQs unmasked. */
static uint64_t storm_count_loop(uint64_t ms)
{
	uint64_t n = 0;
	struct timeout t = timeout_start_ms(ms);

	irq_unmask();
	while (!timeout_expired(&t))
		n++;
	irq_mask();
	return n;
}

static bool storm_wait_cpu1(enum cpu1_cmd state)
{
	struct timeout t = timeout_start_ms(STORM_START_MS);

	while (irq_cpu1_state() != state && !timeout_expired(&t))
		guest_wfe();
	return irq_cpu1_state() == state;
}

static void storm_run(uint64_t ms)
{
	uint64_t base = storm_count_loop(ms);

	irq_cpu1_command(CPU1_STORM);
	if (!storm_wait_cpu1(CPU1_STORM)) {
		report_fail("storm-start got=%d want=%d", irq_cpu1_state(), CPU1_STORM);
		return;
	}
	uint64_t irqs0 = storm_irqs;
	uint64_t iters = storm_count_loop(ms);
	uint64_t irqs = storm_irqs - irqs0;
	irq_cpu1_command(CPU1_IDLE);
	bool stopped = storm_wait_cpu1(CPU1_IDLE);
	irq_wait_ms(STORM_DRAIN_MS);
	irq_mask();
	gprintf("irq: storm %lu ms: loop %lu iterations (%lu without storm), %lu SGIs sent, %lu handled\n",
		ms, iters, base, irq_cpu1_storm_sent(), irqs);
	if (iters == 0)
		report_fail("storm-progress got=0 want=>0");
	else
		report_pass("storm-progress %lu", iters);
	if (irqs >= STORM_MIN_IRQS && storm_wrong == 0)
		report_pass("storm-irqs %lu", irqs);
	else
		report_fail("storm-irqs wrong-cpu %lu got=%lu want=>=%u", storm_wrong, irqs,
			    STORM_MIN_IRQS);
	if (!stopped)
		report_fail("storm-stop got=%d want=%d", irq_cpu1_state(), CPU1_IDLE);
}

void irq_test_storm(void)
{
	storm_irqs = 0;
	storm_wrong = 0;
	storm_cpu0 = guest_read_mpidr();
	gic_set_handler(SGI_STORM, storm_irq);
	gic_private_enable(SGI_STORM, GIC_PRIO_DEFAULT);
	if (!irq_cpu1_start())
		return;
	storm_run(irq_arg("storm_ms", 200));
	irq_cpu1_stop();
	gic_private_disable(SGI_STORM);
}
