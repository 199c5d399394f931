/*
 * SGI tests (IHI 0069H 2.2.1, 12.2.23 ICC_SGI1R_EL1): a ping-pong of N
 * round trips between vCPU0 and vCPU1, each SGI sent from the other's
 * handler, and an SGI a vCPU sends to itself.
 */
#include "irq.h"

#define PINGPONG_TIMEOUT_MS	20000u
#define US_PER_S		1000000u

struct sgi_state {
	uint64_t rounds;
	uint64_t cpu0, cpu1;		/* MPIDRs */
	volatile uint64_t pings;	/* handled by vCPU1 */
	volatile uint64_t pongs;	/* handled by vCPU0 */
	volatile uint64_t wrong_cpu;	/* a handler ran on the other vCPU */
	volatile uint64_t self;
};

static struct sgi_state sg;

/* vCPU1: answer each ping. */
static void sgi_ping_irq(uint32_t intid)
{
	(void)intid;
	if (guest_read_mpidr() != sg.cpu1)
		sg.wrong_cpu = sg.wrong_cpu + 1;
	sg.pings = sg.pings + 1;
	gic_send_sgi(SGI_PONG, sg.cpu0);
}

/* vCPU0: count the answer, ping again until N round trips. */
static void sgi_pong_irq(uint32_t intid)
{
	(void)intid;
	if (guest_read_mpidr() != sg.cpu0)
		sg.wrong_cpu = sg.wrong_cpu + 1;
	sg.pongs = sg.pongs + 1;
	if (sg.pongs < sg.rounds)
		gic_send_sgi(SGI_PING, sg.cpu1);
}

static void sgi_self_irq(uint32_t intid)
{
	(void)intid;
	sg.self = sg.self + 1;
}

static void sgi_pingpong(void)
{
	uint64_t start = timer_now();

	gic_send_sgi(SGI_PING, sg.cpu1);
	bool done = irq_wait_count(&sg.pongs, sg.rounds, PINGPONG_TIMEOUT_MS);
	uint64_t ticks = timer_now() - start;
	irq_mask();
	gprintf("irq: sgi %lu round trips in %lu us\n", sg.pongs,
		ticks * US_PER_S / timer_freq());
	if (!done || sg.pings != sg.rounds)
		report_fail("sgi-pingpong got=%lu/%lu want=%lu", sg.pings, sg.pongs, sg.rounds);
	else if (sg.wrong_cpu != 0)
		report_fail("sgi-pingpong wrong-cpu got=%lu want=0", sg.wrong_cpu);
	else
		report_pass("sgi-pingpong %lu", sg.rounds);
}

static void sgi_self(void)
{
	gic_set_handler(SGI_SELF, sgi_self_irq);
	gic_private_enable(SGI_SELF, GIC_PRIO_DEFAULT);
	gic_send_sgi(SGI_SELF, sg.cpu0);
	irq_wait_count(&sg.self, 1, IRQ_WAIT_MS);
	/* Exactly one: a second would be a duplicate delivery. */
	irq_wait_ms(IRQ_WAIT_MS / 10);
	irq_mask();
	report_check_dec("sgi-self", sg.self, 1);
	gic_private_disable(SGI_SELF);
}

/*
 * An SGI sent again while it is still pending (not yet acknowledged) adds
 * nothing: GICv3 keeps one pending bit per SGI and target (IHI 0069H 2.2.1;
 * no per-source pending state with affinity routing).  Exactly one arrives.
 */
void irq_test_sgi_coalesce(void)
{
	uint64_t self = guest_read_mpidr();

	sg = (struct sgi_state){ .cpu0 = self };
	gic_set_handler(SGI_SELF, sgi_self_irq);
	gic_private_enable(SGI_SELF, GIC_PRIO_DEFAULT);
	irq_mask();
	gic_send_sgi(SGI_SELF, self);
	gic_send_sgi(SGI_SELF, self);
	struct timeout t = timeout_start_ms(IRQ_WAIT_MS);
	while (!(gic_private_pending() & (1u << SGI_SELF)) && !timeout_expired(&t))
		guest_wfe();
	irq_wait_count(&sg.self, 1, IRQ_WAIT_MS);
	irq_wait_ms(IRQ_WAIT_MS / 5);
	irq_mask();
	report_check_dec("sgi-coalesce", sg.self, 1);
	gic_private_disable(SGI_SELF);
}

void irq_test_sgi(void)
{
	sg = (struct sgi_state){
		.rounds = irq_arg("sgi_rounds", 1000),
		.cpu0 = guest_read_mpidr(),
		.cpu1 = irq_cpu_mpidr(1),
	};
	sgi_self();
	gic_set_handler(SGI_PING, sgi_ping_irq);
	gic_set_handler(SGI_PONG, sgi_pong_irq);
	gic_private_enable(SGI_PONG, GIC_PRIO_DEFAULT);
	if (!irq_cpu1_start())
		return;
	sgi_pingpong();
	irq_cpu1_stop();
	gic_private_disable(SGI_PONG);
}
