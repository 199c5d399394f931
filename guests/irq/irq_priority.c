/*
 * Priority tests (IHI 0069H 4.8, "Interrupt prioritization"; 12.2.17
 * ICC_PMR_EL1): an interrupt whose priority is not higher than the priority
 * mask stays pending until the mask is lowered; two pending interrupts are
 * acknowledged highest priority (lowest value) first.
 */
#include "irq.h"

#define PRIO_MASKED		0xa0u	/* SGI_MASKED */
#define PMR_BLOCKING		0x80u	/* lets only priorities < 0x80 through */
#define PRIO_LOW		0x80u	/* SGI_PRIO_LOW */
#define PRIO_HIGH		0x40u	/* SGI_PRIO_HIGH */
#define ORDER_MAX		4u
#define MASK_WINDOW_MS		20u

struct prio_state {
	uint64_t self;
	volatile uint64_t masked;	/* SGI_MASKED interrupts taken */
	volatile uint64_t n_order;
	volatile uint32_t order[ORDER_MAX];
};

static struct prio_state pr;

static void prio_masked_irq(uint32_t intid)
{
	(void)intid;
	pr.masked = pr.masked + 1;
}

static void prio_order_irq(uint32_t intid)
{
	if (pr.n_order < ORDER_MAX)
		pr.order[pr.n_order] = intid;
	pr.n_order = pr.n_order + 1;
}

/* Masked by PMR: not taken, but pending; taken once PMR allows it. */
static void prio_mask(void)
{
	gic_set_handler(SGI_MASKED, prio_masked_irq);
	gic_private_enable(SGI_MASKED, PRIO_MASKED);
	gic_set_pmr(PMR_BLOCKING);
	gic_send_sgi(SGI_MASKED, pr.self);
	irq_wait_ms(MASK_WINDOW_MS);
	uint64_t taken = pr.masked;
	uint32_t pending = gic_private_pending();
	gic_set_pmr(GIC_PMR_OPEN);
	irq_wait_count(&pr.masked, 1, IRQ_WAIT_MS);
	irq_mask();
	if (taken != 0)
		report_fail("priority-mask masked got=%lu want=0", taken);
	else if (!(pending & (1u << SGI_MASKED)))
		report_fail("priority-mask pending got=0x%x want=0x%x", pending, 1u << SGI_MASKED);
	else if (pr.masked != 1)
		report_fail("priority-mask unmasked got=%lu want=1", pr.masked);
	else
		report_pass("priority-mask");
	gic_private_disable(SGI_MASKED);
}

/* Both pending while PSTATE.I masks them: the higher priority comes first. */
static void prio_order(void)
{
	const uint32_t both = 1u << SGI_PRIO_LOW | 1u << SGI_PRIO_HIGH;

	gic_set_handler(SGI_PRIO_LOW, prio_order_irq);
	gic_set_handler(SGI_PRIO_HIGH, prio_order_irq);
	gic_private_enable(SGI_PRIO_LOW, PRIO_LOW);
	gic_private_enable(SGI_PRIO_HIGH, PRIO_HIGH);
	irq_mask();
	gic_send_sgi(SGI_PRIO_LOW, pr.self);
	gic_send_sgi(SGI_PRIO_HIGH, pr.self);
	struct timeout t = timeout_start_ms(IRQ_WAIT_MS);
	uint32_t pending;
	while (((pending = gic_private_pending()) & both) != both && !timeout_expired(&t))
		guest_wfe();
	irq_wait_count(&pr.n_order, 2, IRQ_WAIT_MS);
	irq_wait_ms(MASK_WINDOW_MS);		/* a third would be a duplicate */
	irq_mask();
	if ((pending & both) != both)
		report_fail("priority-order pending got=0x%x want=0x%x", pending & both, both);
	else if (pr.n_order != 2 || pr.order[0] != SGI_PRIO_HIGH || pr.order[1] != SGI_PRIO_LOW)
		report_fail("priority-order got=%lu:%u,%u want=2:%u,%u", pr.n_order, pr.order[0],
			    pr.order[1], SGI_PRIO_HIGH, SGI_PRIO_LOW);
	else
		report_pass("priority-order");
	gic_private_disable(SGI_PRIO_LOW);
	gic_private_disable(SGI_PRIO_HIGH);
}

void irq_test_priority(void)
{
	pr = (struct prio_state){ .self = guest_read_mpidr() };
	prio_mask();
	prio_order();
}
