/*
 * irq: sets up the GIC (v3 or v2, as the DT says) like a minimal OS (gic.h), then runs the tests
 * that `irq_test=<name>[,<name>...]` selects, in that order.  vCPU0 runs the
 * tests; vCPU1 (/cpus index 1), when a test starts it, answers SGIs or
 * floods vCPU0 with them on command, then turns itself off.
 */
#include <string.h>

#include "irq.h"

#define IRQ_TESTS_MAX		96	/* length of the irq_test= value */
#define IRQ_TEST_NAMES		"timer|sgi|sgi-coalesce|priority|storm|uart|uart-level|uart-rx|gicd|spi-wake"
#define CPU1_INDEX		1u
#define US_PER_MS		1000u
#define CPU1_START_MS		5000u
#define CPU1_UP			0x55500001u
#define CPU1_GIC_FAILED		0x55500002u

struct irq_test {
	const char *name;
	void (*run)(void);
};

static const struct irq_test tests[] = {
	{ "timer", irq_test_timer },
	{ "sgi", irq_test_sgi },
	{ "sgi-coalesce", irq_test_sgi_coalesce },
	{ "priority", irq_test_priority },
	{ "storm", irq_test_storm },
	{ "uart", irq_test_uart },
	{ "uart-level", irq_test_uart_level },
	{ "uart-rx", irq_test_uart_rx },
	{ "gicd", irq_test_gicd },
	{ "spi-wake", irq_test_spi_wake },
};

/* Written by vCPU0, read by vCPU1 (caches off: plain volatile accesses). */
static volatile uint32_t cpu1_cmd_req = CPU1_IDLE;
/* Written by vCPU1 only. */
static volatile uint32_t cpu1_status;
static volatile uint32_t cpu1_cmd_ack = CPU1_IDLE;
static volatile uint64_t cpu1_storm_sent;

uint64_t irq_cpu_mpidr(unsigned index)
{
	uint64_t mpidr = 0;

	dt_cpu_mpidr((int)index, &mpidr);
	return mpidr;
}

uint64_t irq_arg(const char *key, uint64_t def)
{
	uint64_t v;

	return bootargs_get_u64(key, &v) ? v : def;
}

bool irq_wait_count(const volatile uint64_t *counter, uint64_t want, uint32_t ms)
{
	struct timeout t = timeout_start_ms(ms);

	irq_unmask();
	while (*counter < want && !timeout_expired(&t))
		guest_wfe();
	return *counter >= want;
}

void irq_wait_ms(uint32_t ms)
{
	irq_unmask();
	timer_delay_us((uint64_t)ms * US_PER_MS);
}

/* ------------------------------------------------------------ vCPU1 */

static void cpu1_storm(void)
{
	uint64_t cpu0 = irq_cpu_mpidr(0);

	while (cpu1_cmd_req == CPU1_STORM) {
		gic_send_sgi(SGI_STORM, cpu0);
		cpu1_storm_sent = cpu1_storm_sent + 1;
	}
}

void guest_secondary_main(uint64_t index)
{
	if (index != CPU1_INDEX || gic_cpu_init() != 0) {
		cpu1_status = CPU1_GIC_FAILED;
		guest_dsb();
		psci_cpu_off();
		for (;;)
			__asm__ volatile("wfi");
	}
	gic_private_enable(SGI_PING, GIC_PRIO_DEFAULT);
	cpu1_status = CPU1_UP;
	guest_dsb();
	__asm__ volatile("sev");
	irq_unmask();
	for (;;) {
		uint32_t cmd = cpu1_cmd_req;
		cpu1_cmd_ack = cmd;
		if (cmd == CPU1_OFF)
			break;
		if (cmd == CPU1_STORM)
			cpu1_storm();
		else if (cmd == CPU1_WFI)
			__asm__ volatile("wfi");	/* only an interrupt ends it */
		else
			guest_wfe();
	}
	irq_mask();
	gic_private_disable(SGI_PING);
	psci_cpu_off();
	for (;;)
		__asm__ volatile("wfi");
}

bool irq_cpu1_start(void)
{
	if (dt_cpu_count() <= (int)CPU1_INDEX) {
		report_fail("cpu1 got=%d want=2 cpus", dt_cpu_count());
		return false;
	}
	int64_t rc = psci_cpu_on(irq_cpu_mpidr(CPU1_INDEX),
				 (uint64_t)(uintptr_t)guest_secondary_entry, CPU1_INDEX);
	if (rc != PSCI_RET_SUCCESS) {
		report_fail("cpu-on 1 got=%ld want=0", rc);
		return false;
	}
	struct timeout t = timeout_start_ms(CPU1_START_MS);
	while (cpu1_status == 0 && !timeout_expired(&t))
		guest_wfe();
	if (cpu1_status != CPU1_UP) {
		report_fail("cpu1-gic got=0x%x want=0x%x", cpu1_status, CPU1_UP);
		return false;
	}
	return true;
}

void irq_cpu1_command(enum cpu1_cmd cmd)
{
	cpu1_cmd_req = cmd;
	guest_dsb();
	__asm__ volatile("sev");
}

enum cpu1_cmd irq_cpu1_state(void)
{
	return (enum cpu1_cmd)cpu1_cmd_ack;
}

uint64_t irq_cpu1_storm_sent(void)
{
	return cpu1_storm_sent;
}

void irq_cpu1_stop(void)
{
	uint64_t mpidr = irq_cpu_mpidr(CPU1_INDEX);
	struct timeout t = timeout_start_ms(CPU1_START_MS);
	int64_t st;

	irq_cpu1_command(CPU1_OFF);
	while ((st = psci_affinity_info(mpidr, 0)) != PSCI_AFF_OFF && !timeout_expired(&t))
		guest_wfe();
	if (st == PSCI_AFF_OFF)
		report_pass("cpu1-off");
	else
		report_fail("cpu1-off got=%ld want=%d", st, PSCI_AFF_OFF);
	/* Ready for the next test that starts it. */
	cpu1_status = 0;
	cpu1_cmd_req = CPU1_IDLE;
	cpu1_cmd_ack = CPU1_IDLE;
}

/* ------------------------------------------------------------ vCPU0 */

static void irq_run_one(const char *name)
{
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (strcmp(name, tests[i].name) == 0) {
			gprintf("irq: test %s\n", name);
			tests[i].run();
			irq_mask();
			return;
		}
	}
	report_fail("irq-test %s got=unknown want=" IRQ_TEST_NAMES, name);
}

/* Runs every comma-separated name of irq_test=, in order. */
static void irq_run_tests(void)
{
	char list[IRQ_TESTS_MAX];

	if (!bootargs_get("irq_test", list, sizeof(list))) {
		report_fail("irq-test got=none want=" IRQ_TEST_NAMES);
		return;
	}
	char *name = list;
	for (char *p = list;; p++) {
		if (*p != ',' && *p != '\0')
			continue;
		bool last = *p == '\0';
		*p = '\0';
		if (*name != '\0')
			irq_run_one(name);
		if (last)
			return;
		name = p + 1;
	}
}

int main(const void *dtb)
{
	(void)dtb;
	int err = gic_init();
	if (err == 0)
		err = gic_cpu_init();
	gprintf("irq: cpus %d gic v%u dist 0x%lx cpu 0x%lx bootargs: %s\n", dt_cpu_count(),
		gic_version(), gic_dist_base(), gic_cpu_base(), bootargs_line());
	if (err != 0) {
		report_fail("gic-init got=%d want=0", err);
		return 0;
	}
	irq_run_tests();
	irq_mask();
	if (gic_unexpected_count() != 0)
		report_fail("unexpected-irq %u got=%lu want=0", gic_unexpected_last(),
			    gic_unexpected_count());
	return 0;
}
