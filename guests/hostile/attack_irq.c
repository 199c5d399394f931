/*
 * Interrupt attacks: every kind of SGI a guest can write (ICC_SGI1R_EL1,
 * ICC_ASGI1R_EL1, ICC_SGI0R_EL1: all target lists, range selectors,
 * affinities and IRM, Arm IHI 0069H 12.2.21-23), an SGI storm on itself,
 * a level interrupt left asserted (the PL011's TX interrupt), and doorbell
 * rings at the honest partition.  Only this partition may feel them; the
 * honest partition counts the SGIs it gets (none may come from here).
 */
#include "gic.h"
#include "hostile.h"
#include "public/tessera_hvc.h"

#define SGI_OP1			0
#define SGI_CRN			12
#define SGI_CRM			11
#define OP2_SGI1R		5
#define OP2_ASGI1R		6
#define OP2_SGI0R		7
#define SGI1R_INTID_SHIFT	24
#define SGI1R_AFF1_SHIFT	16
#define SGI1R_AFF2_SHIFT	32
#define SGI1R_IRM		(1ull << 40)
#define SGI1R_RS_SHIFT		44
#define SGI1R_AFF3_SHIFT	48
#define SGI_COUNT		16u
#define RANGE_SELECTORS		16u
#define SGI_RANDOM_WRITES	4096u
#define SGI_STORM		20000u
#define SGI_STORM_ID		7u
#define UART_TX_IRQS		2000u
#define DOORBELL_RINGS		10000u
#define DRAIN_MS		200u
#define FLOOD_TIMEOUT_MS	20000u
#define UARTIMSC		0x38
#define UART_INT_TX		(1u << 5)
#define CNTV_CTL_ENABLE		1ull
#define CNTV_CTL_IMASK		(2ull)

static volatile uint64_t sgi_seen[SGI_COUNT];
static volatile uint64_t storm_left;
static volatile uint64_t vtimer_irqs;
static volatile uint64_t uart_irqs;

/* ---- set-up shared by the attacks ------------------------------------- */

static void on_vtimer(uint32_t intid)
{
	(void)intid;
	__asm__ volatile("msr cntv_ctl_el0, %0\n\tisb" : : "r"(CNTV_CTL_ENABLE | CNTV_CTL_IMASK));
	vtimer_irqs = vtimer_irqs + 1;
}

static void on_sgi(uint32_t intid)
{
	sgi_seen[intid] = sgi_seen[intid] + 1;
	if (intid == SGI_STORM_ID && storm_left > 0) {
		storm_left = storm_left - 1;
		gic_send_sgi(SGI_STORM_ID, guest_read_mpidr());
	}
}

bool irq_setup(void)
{
	if (gic_init() != 0 || gic_cpu_init() != 0)
		return false;
	gic_set_handler(INTID_VTIMER, on_vtimer);
	gic_private_enable(INTID_VTIMER, GIC_PRIO_DEFAULT);
	for (uint32_t i = 0; i < SGI_COUNT; i++) {
		gic_set_handler(i, on_sgi);
		gic_private_enable(i, GIC_PRIO_DEFAULT);
	}
	return true;
}

/* The virtual timer compares against the virtual count (CNTVCT_EL0 = CNTPCT_EL0 - CNTVOFF_EL2). */
void vtimer_arm_us(uint64_t us)
{
	uint64_t vct;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(vct));
	uint64_t at = vct + us * timer_freq() / 1000000u;
	__asm__ volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb"
			 : : "r"(at), "r"(CNTV_CTL_ENABLE));
}

/* Take the timer's interrupt: the guest's EOI deactivates the physical PPI (HW link). */
bool vtimer_drain(void)
{
	uint64_t before = vtimer_irqs;
	if (!irq_setup())
		return false;
	struct timeout t = timeout_start_ms(DRAIN_MS);
	irq_unmask();
	while (vtimer_irqs == before && !timeout_expired(&t))
		guest_wfe();
	irq_mask();
	__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb");
	return vtimer_irqs != before;
}

static void drain_ms(uint32_t ms)
{
	irq_unmask();
	timer_delay_us((uint64_t)ms * 1000u);
	irq_mask();
}

/* ---- SGIs ----------------------------------------------------------------- */

static void sgi_write(unsigned op2, uint64_t v)
{
	sysreg_try_write(3, SGI_OP1, SGI_CRN, SGI_CRM, op2, v);
}

static uint64_t sgi_total(void)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < SGI_COUNT; i++)
		n += sgi_seen[i];
	return n;
}

void attack_sgi(void)
{
	static const uint64_t affs[] = { 0, 1, 0x80, 0xff };
	static const unsigned ops[] = { OP2_SGI1R, OP2_ASGI1R, OP2_SGI0R };
	if (!irq_setup()) {
		report_fail("sgi-gic-setup got=error want=0");
		return;
	}
	unsigned writes = 0;
	for (uint64_t id = 0; id < SGI_COUNT; id++)
		for (size_t o = 0; o < ARRAY_SIZE(ops); o++) {
			sgi_write(ops[o], id << SGI1R_INTID_SHIFT | SGI1R_IRM | 0xffff);
			writes++;
			for (uint64_t rs = 0; rs < RANGE_SELECTORS; rs++)
				for (size_t a = 0; a < ARRAY_SIZE(affs); a++, writes++)
					sgi_write(ops[o], id << SGI1R_INTID_SHIFT | rs << SGI1R_RS_SHIFT |
						  affs[a] << SGI1R_AFF1_SHIFT | affs[a] << SGI1R_AFF2_SHIFT |
						  affs[a] << SGI1R_AFF3_SHIFT | 0xffff);
		}
	for (unsigned i = 0; i < SGI_RANDOM_WRITES; i++, writes++)
		sgi_write(ops[i % ARRAY_SIZE(ops)], rng_next());
	drain_ms(DRAIN_MS);
	uint64_t fuzzed = sgi_total();
	/* Still working: one SGI to this vCPU alone arrives. */
	uint64_t before = sgi_seen[SGI_STORM_ID];
	gic_send_sgi(SGI_STORM_ID, guest_read_mpidr());
	drain_ms(DRAIN_MS);
	report_pass("sgi-fuzz writes %u delivered-here %lu", writes, fuzzed);
	report_check_dec("sgi-after-fuzz", sgi_seen[SGI_STORM_ID] - before, 1);
}

/* ---- SPIs routed to vCPUs that do not exist --------------------------------- */

#define ROUTE_SPI		40u	/* a free SPI: no device drives it */
#define GICD_ISPENDR		0x0200
#define GICD_ICPENDR		0x0280
#define GICD_IROUTER		0x6000	/* 8 bytes per INTID (IHI 0069H 12.9.22) */
#define GICD_ITARGETSR		0x0800	/* GICv2: a byte of CPU targets per INTID (IHI 0048B 4.3.12) */
#define ROUTE_WAIT_MS		20u

static volatile uint64_t route_irqs;

static void on_route(uint32_t intid)
{
	(void)intid;
	route_irqs = route_irqs + 1;
}

static uint32_t spi_pending(uint32_t intid)
{
	return *(volatile uint32_t *)(plat.gicd + GICD_ISPENDR + 4 * (intid / 32)) >> (intid % 32) & 1;
}

/* Route ROUTE_SPI to @route: GICD_IROUTER on v3, the GICD_ITARGETSR byte on v2. */
static void route_set(uint64_t route)
{
	if (plat.gic_v2)
		*(volatile uint8_t *)(plat.gicd + GICD_ITARGETSR + ROUTE_SPI) = (uint8_t)route;
	else
		*(volatile uint64_t *)(plat.gicd + GICD_IROUTER + 8 * ROUTE_SPI) = route;
}

/*
 * GICD_IROUTER naming an affinity no vCPU has (Aff0 beyond the vCPUs, Aff1,
 * Aff2, Aff3, all ones), or on a GICv2 a GICD_ITARGETSR byte naming only
 * CPU interfaces no vCPU has (or none): the SPI made pending is either taken
 * here or stays pending, never lost, and no one else sees it (the honest
 * partition counts).
 */
void gic_route_absent(void)
{
	static const uint64_t routes_v3[] = { 7, 0xff, 0x100, 0x10000, 0xff00000000ull,
					      ~0ull >> 24 };
	static const uint64_t routes_v2[] = { 0x80, 0x40, 0xfc, 0x10, 0x00, 0xf0 };
	const uint64_t *routes = plat.gic_v2 ? routes_v2 : routes_v3;
	_Static_assert(ARRAY_SIZE(routes_v2) == ARRAY_SIZE(routes_v3), "one count for both");
	if (!irq_setup()) {
		report_fail("gic-irouter-absent got=setup-error want=0");
		return;
	}
	gic_set_handler(ROUTE_SPI, on_route);
	gic_spi_set_edge(ROUTE_SPI, true);
	unsigned taken = 0, pending = 0;
	for (size_t i = 0; i < ARRAY_SIZE(routes_v3); i++) {
		gic_spi_enable(ROUTE_SPI, GIC_PRIO_DEFAULT, guest_read_mpidr());
		route_set(routes[i]);
		uint64_t before = route_irqs;
		*(volatile uint32_t *)(plat.gicd + GICD_ISPENDR + 4 * (ROUTE_SPI / 32)) =
			1u << (ROUTE_SPI % 32);
		drain_ms(ROUTE_WAIT_MS);
		bool here = route_irqs != before, still = spi_pending(ROUTE_SPI);
		taken += here;
		pending += still && !here;
		*(volatile uint32_t *)(plat.gicd + GICD_ICPENDR + 4 * (ROUTE_SPI / 32)) =
			1u << (ROUTE_SPI % 32);
	}
	gic_spi_disable(ROUTE_SPI);
	if (taken + pending == ARRAY_SIZE(routes_v3))
		report_pass("gic-irouter-absent routes %zu taken-here %u still-pending %u",
			    ARRAY_SIZE(routes_v3), taken, pending);
	else
		report_fail("gic-irouter-absent got=%u want=%zu taken-or-pending", taken + pending,
			    ARRAY_SIZE(routes_v3));
}

/* ---- floods ---------------------------------------------------------------- */

static void on_uart(uint32_t intid)
{
	(void)intid;
	uart_irqs = uart_irqs + 1;
	if (uart_irqs >= UART_TX_IRQS)
		*(volatile uint32_t *)(plat.uart + UARTIMSC) = 0;   /* the line drops */
}

static void flood_sgi(void)
{
	uint64_t before = sgi_seen[SGI_STORM_ID];
	storm_left = SGI_STORM;
	gic_send_sgi(SGI_STORM_ID, guest_read_mpidr());
	struct timeout t = timeout_start_ms(FLOOD_TIMEOUT_MS);
	irq_unmask();
	while (storm_left > 0 && !timeout_expired(&t))
		guest_wfe();
	irq_mask();
	report_check_dec("irq-flood-sgi taken", sgi_seen[SGI_STORM_ID] - before, SGI_STORM + 1);
}

/* The PL011's TX interrupt is a level that stays up while TXIM is set. */
static void flood_uart(void)
{
	if (plat.uart_intid == 0) {
		report_fail("irq-flood-uart got=no-interrupt want=uart-spi");
		return;
	}
	gic_set_handler(plat.uart_intid, on_uart);
	gic_spi_enable(plat.uart_intid, GIC_PRIO_DEFAULT, guest_read_mpidr());
	uart_irqs = 0;
	*(volatile uint32_t *)(plat.uart + UARTIMSC) = UART_INT_TX;
	struct timeout t = timeout_start_ms(FLOOD_TIMEOUT_MS);
	irq_unmask();
	while (uart_irqs < UART_TX_IRQS && !timeout_expired(&t))
		guest_wfe();
	irq_mask();
	*(volatile uint32_t *)(plat.uart + UARTIMSC) = 0;
	gic_spi_disable(plat.uart_intid);
	report_check_dec("irq-flood-uart-level taken", uart_irqs, UART_TX_IRQS);
}

/* Doorbells at every peer of the first shared region: each rings only while not pending. */
static void flood_doorbell(void)
{
	if (plat.nshm == 0)
		return;
	int64_t rung = 0, bad = 0;
	for (unsigned i = 0; i < DOORBELL_RINGS; i++) {
		int64_t r = psci_call(TESSERA_HVC_SHM_DOORBELL, plat.shm[0].base, 0, 0);
		if (r < 0)
			bad++;
		else
			rung += r;
	}
	if (bad == 0)
		report_pass("irq-flood-doorbell rings %u peers-rung %ld", DOORBELL_RINGS, rung);
	else
		report_fail("irq-flood-doorbell got=%ld want=0 errors", bad);
}

void attack_irq_flood(void)
{
	if (!irq_setup()) {
		report_fail("irq-flood-gic-setup got=error want=0");
		return;
	}
	flood_sgi();
	flood_uart();
	flood_doorbell();
}
