/*
 * The honest partition beside the attacker (`hostile_role=honest`): fills
 * its RAM outside the image and its half of the first shared region with
 * patterns, sets up its GIC (every SGI counted: none may come from the
 * attacker; its doorbell counted: those are legitimate), says it is ready
 * in the control block, waits until the attacker is done, then checks that
 * every word, its own vGIC state and its interrupt counts are as it left
 * them, and carries on with a little more work.
 */
#include "gic.h"
#include "hostile.h"

#define WAIT_MS			55000u
#define SGIS			16u
#define GICD_CTLR		0x0000
#define GICD_ISENABLER		0x0100
#define GICD_IPRIORITYR		0x0400
#define HONEST_PRIO		0x90u
#define WORD			sizeof(uint64_t)
#define TICK_US			2000u
#define CNTV_CTL_ENABLE		1ull
#define CNTV_CTL_IMASK		2ull

static volatile uint64_t sgis, doorbells;

static void on_sgi(uint32_t intid)
{
	(void)intid;
	sgis = sgis + 1;
}

static void on_doorbell(uint32_t intid)
{
	(void)intid;
	doorbells = doorbells + 1;
}

/* The tick that ends each WFI of the wait (vtimer_arm_us): masked until re-armed. */
static void on_tick(uint32_t intid)
{
	(void)intid;
	__asm__ volatile("msr cntv_ctl_el0, %0\n\tisb" : : "r"(CNTV_CTL_ENABLE | CNTV_CTL_IMASK));
}

/*
 * Wait for the attacker in WFI, woken by a timer tick: a WFE loop would do,
 * but emulators run WFE as a spin, taking a host CPU from the attacker.
 * IRQs stay masked around arm-then-WFI (a pending interrupt still ends WFI)
 * so that a tick taken just before the WFI cannot leave it asleep for good.
 */
static bool wait_attacker(struct shm_ctl *ctl)
{
	struct timeout t = timeout_start_ms(WAIT_MS);
	while (ctl->attacker_done != CTL_MAGIC && !timeout_expired(&t)) {
		vtimer_arm_us(TICK_US);
		__asm__ volatile("wfi" ::: "memory");
		irq_unmask();           /* the tick is taken here */
		__asm__ volatile("isb" ::: "memory");
		irq_mask();
	}
	__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb");
	return ctl->attacker_done == CTL_MAGIC;
}

static void fill(uint64_t start, uint64_t end, uint64_t (*pat)(uint64_t))
{
	for (uint64_t a = start; a + WORD <= end; a += WORD)
		*(volatile uint64_t *)a = pat(a);
}

/* First mismatch in [start, end), or ~0 when every word holds its pattern. */
static uint64_t check(uint64_t start, uint64_t end, uint64_t (*pat)(uint64_t))
{
	for (uint64_t a = start; a + WORD <= end; a += WORD)
		if (*(volatile uint64_t *)a != pat(a))
			return a;
	return ~0ull;
}

/* RAM outside the image; the DT at the top is not needed any more. */
static void ram_each(void (*fn)(uint64_t s, uint64_t e, uint64_t *bad), uint64_t *bad)
{
	for (int i = 0; i < plat.nram; i++) {
		uint64_t s = plat.ram[i].base, e = s + plat.ram[i].size;
		uint64_t is = guest_image_start(), ie = guest_image_end();
		if (is > s && is < e)
			fn(s, is, bad);
		fn(ie > s && ie < e ? ie : s, e, bad);
	}
}

static void ram_fill(uint64_t s, uint64_t e, uint64_t *bad)
{
	(void)bad;
	fill(s, e, memtest_pattern);
}

static void ram_check(uint64_t s, uint64_t e, uint64_t *bad)
{
	if (*bad == ~0ull)
		*bad = check(s, e, memtest_pattern);
}

static bool honest_gic(void)
{
	if (gic_init() != 0 || gic_cpu_init() != 0)
		return false;
	for (uint32_t i = 0; i < SGIS; i++) {
		gic_set_handler(i, on_sgi);
		gic_private_enable(i, HONEST_PRIO);
	}
	gic_set_handler(INTID_VTIMER, on_tick);
	gic_private_enable(INTID_VTIMER, HONEST_PRIO);
	if (plat.doorbell_intid >= GIC_SPI_FIRST) {
		gic_set_handler(plat.doorbell_intid, on_doorbell);
		gic_spi_set_edge(plat.doorbell_intid, true);
		gic_spi_enable(plat.doorbell_intid, HONEST_PRIO, guest_read_mpidr());
	} else if (plat.doorbell_intid != 0) {
		/* Tessera's doorbell: a PPI of vCPU 0 (include/public/tessera_hvc.h). */
		gic_set_handler(plat.doorbell_intid, on_doorbell);
		gic_private_enable(plat.doorbell_intid, HONEST_PRIO);
	}
	return true;
}

/* The distributor state this partition set: the attacker's sweep must not reach it. */
static uint64_t gic_state(void)
{
	uint64_t d = gic_dist_base(), id = plat.doorbell_intid;
	uint64_t en = *(volatile uint32_t *)(d + GICD_ISENABLER + 4 * (id / 32));
	uint64_t prio = *(volatile uint8_t *)(d + GICD_IPRIORITYR + id);
	return (uint64_t)*(volatile uint32_t *)(d + GICD_CTLR) << 32 | (en >> (id % 32) & 1) << 8 |
	       prio;
}

void honest_main(void)
{
	struct shm_ctl *ctl = shm_ctl();
	if (ctl == NULL) {
		report_fail("honest-shm got=no-region want=region");
		return;
	}
	/* The GIC first: it reads the DT, which the RAM pattern overwrites. */
	if (!honest_gic()) {
		report_fail("honest-gic got=error want=0");
		return;
	}
	uint64_t bad = ~0ull;
	ram_each(ram_fill, &bad);
	uint64_t sb = shm_pattern_base(), se = sb + shm_pattern_size();
	fill(sb, se, shm_pattern_word);
	uint64_t gic_before = gic_state();
	ctl->honest_magic = CTL_MAGIC;
	ctl->honest_ready = CTL_MAGIC;
	report_pass("honest-before patterns written");

	if (!wait_attacker(ctl)) {
		report_fail("honest-wait got=timeout want=attacker-done");
		return;
	}
	report_pass("honest-wait attacker done");
	ram_each(ram_check, &bad);
	if (bad == ~0ull)
		report_pass("honest-ram intact");
	else
		report_fail("honest-ram 0x%lx got=0x%lx want=0x%lx", bad, *(volatile uint64_t *)bad,
			    memtest_pattern(bad));
	uint64_t sbad = check(sb, se, shm_pattern_word);
	if (sbad == ~0ull)
		report_pass("honest-shm intact");
	else
		report_fail("honest-shm 0x%lx got=0x%lx want=0x%lx", sbad, *(volatile uint64_t *)sbad,
			    shm_pattern_word(sbad));
	report_check_hex("honest-gic-state", gic_state(), gic_before);
	report_check_dec("honest-sgis-from-outside", sgis, 0);
	gprintf("honest: %lu doorbells\n", doorbells);
	/* Carry on: a hypercall, a timed wait, output. */
	timer_delay_us(10000);
	report_check_hex("honest-carried-on psci", psci_version() >> 16, 1);
}
