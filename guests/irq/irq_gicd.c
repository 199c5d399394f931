/*
 * The distributor's own registers, as a guest reads and writes them.
 * GICv2 (IHI 0048B 4.3): GICD_TYPER's CPU count, GICD_ITARGETSR0-7 reading
 * as the reader's own CPU mask, an SPI's GICD_ITARGETSR byte read back,
 * GICD_SGIR's "self" and "all but self" filters, GICD_SPENDSGIR and
 * GICD_CPENDSGIR.  GICv3 (IHI 0069H 12.9): GICD_TYPER and GICD_CTLR.ARE.
 */
#include "irq.h"

#define GICD_CTLR		0x0000
#define GICD_CTLR_ARE		(1u << 4)
#define GICD_TYPER		0x0004
#define TYPER_ITLINES_MASK	0x1fu		/* 32 * (N + 1) INTIDs */
#define TYPER_CPUS_SHIFT	5		/* v2: CPU interfaces - 1 */
#define TYPER_CPUS_MASK		0x7u
#define GICD_ITARGETSR		0x0800
#define ITARGETSR_PRIVATE_REGS	8u		/* INTIDs 0-31, four a register */
#define BYTES_REPLICATED	0x01010101u
#define GICD_SGIR		0x0f00
#define SGIR_FILTER_OTHERS	(1u << 24)
#define SGIR_FILTER_SELF	(2u << 24)
#define GICD_CPENDSGIR		0x0f10		/* one byte per SGI: source CPUs */
#define GICD_SPENDSGIR		0x0f20
#define SGI_GICD_SELF		8u
#define SGI_GICD_OTHERS		10u
#define SGI_GICD_SET		9u
#define SPI_TARGETS		40u		/* any SPI nothing else uses */
#define MIN_ITLINES		2u		/* at least 96 INTIDs */
#define QUIET_MS		20u

static volatile uint64_t taken[GIC_NR_SGIS];

static uint32_t rd32(uint64_t off)
{
	return *(volatile uint32_t *)(gic_dist_base() + off);
}

static uint8_t rd8(uint64_t off)
{
	return *(volatile uint8_t *)(gic_dist_base() + off);
}

static void wr32(uint64_t off, uint32_t v)
{
	*(volatile uint32_t *)(gic_dist_base() + off) = v;
}

static void wr8(uint64_t off, uint8_t v)
{
	*(volatile uint8_t *)(gic_dist_base() + off) = v;
}

static void sgi_irq(uint32_t intid)
{
	taken[intid] = taken[intid] + 1;
}

static void gicd_typer(void)
{
	uint32_t typer = rd32(GICD_TYPER);
	uint32_t cpus = ((typer >> TYPER_CPUS_SHIFT) & TYPER_CPUS_MASK) + 1;

	if ((typer & TYPER_ITLINES_MASK) < MIN_ITLINES)
		report_fail("gicd-typer itlines got=%u want=>=%u", typer & TYPER_ITLINES_MASK,
			    MIN_ITLINES);
	else if (gic_version() == 2 && cpus != (uint32_t)dt_cpu_count())
		report_fail("gicd-typer cpus got=%u want=%d", cpus, dt_cpu_count());
	else if (gic_version() == 3 && !(rd32(GICD_CTLR) & GICD_CTLR_ARE))
		report_fail("gicd-typer are got=0x%x want=ARE", rd32(GICD_CTLR));
	else
		report_pass("gicd-typer");
}

/* GICD_ITARGETSR0-7 read as the reading CPU's mask in every byte (4.3.12). */
static void gicd_itargets_private(uint8_t mask)
{
	for (uint32_t i = 0; i < ITARGETSR_PRIVATE_REGS; i++) {
		uint32_t v = rd32(GICD_ITARGETSR + 4 * i);
		if (v != mask * BYTES_REPLICATED) {
			report_fail("gicd-itargets reg %u got=0x%x want=0x%x", i, v,
				    mask * BYTES_REPLICATED);
			return;
		}
	}
	report_pass("gicd-itargets");
}

/* An SPI's byte reads back as written; a byte naming no CPU reads 0. */
static void gicd_itargets_spi(uint8_t mask)
{
	uint8_t before = rd8(GICD_ITARGETSR + SPI_TARGETS);

	wr8(GICD_ITARGETSR + SPI_TARGETS, mask);
	uint8_t got = rd8(GICD_ITARGETSR + SPI_TARGETS);
	wr8(GICD_ITARGETSR + SPI_TARGETS, 0);
	uint8_t none = rd8(GICD_ITARGETSR + SPI_TARGETS);
	wr8(GICD_ITARGETSR + SPI_TARGETS, before);
	if (got != mask || none != 0)
		report_fail("gicd-itargets-spi got=0x%x,0x%x want=0x%x,0x0", got, none, mask);
	else
		report_pass("gicd-itargets-spi");
}

/* Pending while PSTATE.I masks it, then taken exactly once. */
static void gicd_sgir_self(void)
{
	taken[SGI_GICD_SELF] = 0;
	irq_mask();
	guest_dsb();
	wr32(GICD_SGIR, SGIR_FILTER_SELF | SGI_GICD_SELF);
	struct timeout t = timeout_start_ms(IRQ_WAIT_MS);
	while (!(gic_private_pending() & (1u << SGI_GICD_SELF)) && !timeout_expired(&t))
		guest_wfe();
	uint32_t pending = gic_private_pending();
	irq_wait_count(&taken[SGI_GICD_SELF], 1, IRQ_WAIT_MS);
	irq_wait_ms(QUIET_MS);
	irq_mask();
	if (!(pending & (1u << SGI_GICD_SELF)))
		report_fail("gicd-sgir-self pending got=0x%x want=0x%x", pending, 1u << SGI_GICD_SELF);
	else
		report_check_dec("gicd-sgir-self", taken[SGI_GICD_SELF], 1);
}

/* "All but self" on a partition of one vCPU reaches no one. */
static void gicd_sgir_others(void)
{
	taken[SGI_GICD_OTHERS] = 0;
	guest_dsb();
	wr32(GICD_SGIR, SGIR_FILTER_OTHERS | SGI_GICD_OTHERS);
	irq_wait_ms(QUIET_MS);
	irq_mask();
	report_check_dec("gicd-sgir-others", taken[SGI_GICD_OTHERS], 0);
}

/*
 * Set pending from this CPU as source while the SGI is disabled, read the
 * source back, clear it, enable it: nothing is taken.
 */
static void gicd_spendsgir(uint8_t mask)
{
	taken[SGI_GICD_SET] = 0;
	irq_mask();
	gic_private_disable(SGI_GICD_SET);
	wr8(GICD_SPENDSGIR + SGI_GICD_SET, mask);
	uint32_t set = gic_private_pending() & (1u << SGI_GICD_SET);
	uint8_t sources = rd8(GICD_CPENDSGIR + SGI_GICD_SET);
	wr8(GICD_CPENDSGIR + SGI_GICD_SET, mask);
	uint32_t cleared = gic_private_pending() & (1u << SGI_GICD_SET);
	gic_private_enable(SGI_GICD_SET, GIC_PRIO_DEFAULT);
	irq_wait_ms(QUIET_MS);
	irq_mask();
	if (!set || sources != mask || cleared || taken[SGI_GICD_SET] != 0)
		report_fail("gicd-spendsgir got=%u,0x%x,%u,%lu want=1,0x%x,0,0", set != 0, sources,
			    cleared != 0, taken[SGI_GICD_SET], mask);
	else
		report_pass("gicd-spendsgir");
}

void irq_test_gicd(void)
{
	gicd_typer();
	if (gic_version() != 2) {
		gprintf("irq: gicd: GICv3, the GICv2 register checks do not apply\n");
		return;
	}
	uint8_t mask = rd8(GICD_ITARGETSR);
	for (uint32_t s = SGI_GICD_SELF; s <= SGI_GICD_OTHERS; s++) {
		gic_set_handler(s, sgi_irq);
		gic_private_enable(s, GIC_PRIO_DEFAULT);
	}
	gicd_itargets_private(mask);
	gicd_itargets_spi(mask);
	gicd_sgir_self();
	gicd_sgir_others();
	gicd_spendsgir(mask);
	for (uint32_t s = SGI_GICD_SELF; s <= SGI_GICD_OTHERS; s++)
		gic_private_disable(s);
}
