/*
 * spi-wake: vCPU1 sleeps in WFI (which Tessera does not trap) while vCPU0
 * makes an SPI deliverable to it through the distributor; vCPU1 must take
 * it.  Each case does a different step last: set pending (GICD_ISPENDR),
 * enable (GICD_ISENABLER), route to vCPU1 (GICD_IROUTER, away from the
 * never-started vCPU2) or turn on the distributor's Group 1 (GICD_CTLR).
 * IHI 0069H 4.1 (the interrupt becomes pending and forwarded to the PE it
 * targets), 12.9.
 */
#include "irq.h"

#define SPI_WAKE_INTID		40u		/* an SPI no device drives */
#define SPI_WAKE_WAIT_MS	2000u
#define SPI_SLEEP_MS		2u		/* lets vCPU1 reach its WFI */
#define CPU1_ACK_MS		1000u

struct spi_state {
	uint64_t cpu1, cpu2;
	volatile uint64_t taken;
	volatile uint64_t on_cpu;		/* MPIDR of the CPU that took it */
};

static struct spi_state sp;

static void spi_wake_irq(uint32_t intid)
{
	(void)intid;
	sp.on_cpu = guest_read_mpidr();
	sp.taken = sp.taken + 1;
}

static void spi_nop_irq(uint32_t intid)
{
	(void)intid;
}

enum spi_last { LAST_PEND, LAST_ENABLE, LAST_ROUTE, LAST_GROUP };

static const char *const last_names[] = {
	[LAST_PEND] = "pend", [LAST_ENABLE] = "enable", [LAST_ROUTE] = "route",
	[LAST_GROUP] = "group",
};

static bool cpu1_sleeping(void)
{
	struct timeout t = timeout_start_ms(CPU1_ACK_MS);

	irq_cpu1_command(CPU1_WFI);
	while (irq_cpu1_state() != CPU1_WFI && !timeout_expired(&t))
		guest_wfe();
	if (irq_cpu1_state() != CPU1_WFI)
		return false;
	timer_delay_us(SPI_SLEEP_MS * 1000u);
	return true;
}

/* Everything but @last, vCPU1 to sleep, then @last: vCPU1 must take the SPI. */
static void spi_wake_case(enum spi_last last)
{
	const char *name = last_names[last];

	sp.taken = 0;
	sp.on_cpu = 0;
	gic_spi_disable(SPI_WAKE_INTID);
	gic_spi_unpend(SPI_WAKE_INTID);
	gic_spi_prepare(SPI_WAKE_INTID, GIC_PRIO_DEFAULT);
	gic_spi_route(SPI_WAKE_INTID, last == LAST_ROUTE ? sp.cpu2 : sp.cpu1);
	if (last == LAST_GROUP)
		gic_dist_group1(false);
	if (last != LAST_ENABLE)
		gic_spi_unmask(SPI_WAKE_INTID);
	if (last != LAST_PEND)
		gic_spi_pend(SPI_WAKE_INTID);
	if (!cpu1_sleeping()) {
		report_fail("spi-wake-%s cpu1 got=awake want=wfi", name);
		return;
	}
	switch (last) {
	case LAST_PEND: gic_spi_pend(SPI_WAKE_INTID); break;
	case LAST_ENABLE: gic_spi_unmask(SPI_WAKE_INTID); break;
	case LAST_ROUTE: gic_spi_route(SPI_WAKE_INTID, sp.cpu1); break;
	case LAST_GROUP: gic_dist_group1(true); break;
	}
	struct timeout t = timeout_start_ms(SPI_WAKE_WAIT_MS);
	while (sp.taken == 0 && !timeout_expired(&t))
		guest_wfe();
	uint64_t taken = sp.taken;
	/*
	 * Withdraw the SPI, then wake vCPU1 anyway (SGI_PING) so that a failed
	 * case neither leaves it asleep nor hands the SPI to the next case.
	 */
	gic_spi_disable(SPI_WAKE_INTID);
	gic_spi_unpend(SPI_WAKE_INTID);
	irq_cpu1_command(CPU1_IDLE);
	gic_send_sgi(SGI_PING, sp.cpu1);
	if (taken != 1)
		report_fail("spi-wake-%s got=%lu want=1", name, taken);
	else if (sp.on_cpu != sp.cpu1)
		report_fail("spi-wake-%s cpu got=0x%lx want=0x%lx", name, sp.on_cpu, sp.cpu1);
	else
		report_pass("spi-wake-%s", name);
}

void irq_test_spi_wake(void)
{
	if (dt_cpu_count() < 3) {
		report_fail("spi-wake cpus got=%d want=3", dt_cpu_count());
		return;
	}
	sp = (struct spi_state){ .cpu1 = irq_cpu_mpidr(1), .cpu2 = irq_cpu_mpidr(2) };
	gic_set_handler(SPI_WAKE_INTID, spi_wake_irq);
	gic_set_handler(SGI_PING, spi_nop_irq);
	gic_spi_set_edge(SPI_WAKE_INTID, true);
	if (!irq_cpu1_start())
		return;
	spi_wake_case(LAST_PEND);
	spi_wake_case(LAST_ENABLE);
	spi_wake_case(LAST_ROUTE);
	spi_wake_case(LAST_GROUP);
	irq_cpu1_stop();
}
