/*
 * ctl_test=gpio: the doorbell GPIO (vdev/vpl061.c) from a bare-metal guest.
 * Both partitions first check the PL061 registers on the lines no region
 * uses (pairs 2 and 3): identification, DATA address masking, edge and
 * level detection, GPIOIC, GPIOMIS.  Then (ctl_gpio=):
 *   listener  takes the bell line of its first region as a rising-edge
 *             interrupt (the PL061's SPI, level), says "ready" in the
 *             region, and counts rings: one rung through the ringer's ring
 *             line, one through the doorbell hypercall;
 *   ringer    waits for "ready", rings with a rising edge of its ring line,
 *             waits for the listener's ack, rings with the hypercall.
 */
#include <string.h>

#include <libfdt.h>

#include "ctl.h"
#include "gic.h"

/* PL061 registers (ARM DDI 0190B, table 3-1). */
#define GPIODATA        0x000u
#define GPIODATA_ALL    0x3FCu          /* address bits [9:2] all set: every line */
#define GPIODIR         0x400u
#define GPIOIS          0x404u
#define GPIOIBE         0x408u
#define GPIOIEV         0x40Cu
#define GPIOIE          0x410u
#define GPIORIS         0x414u
#define GPIOMIS         0x418u
#define GPIOIC          0x41Cu
#define GPIOAFSEL       0x420u
#define GPIOPERIPHID0   0xFE0u
#define GPIO_ID_REGS    8u
#define GPIO_ALL_LINES  0xFFu

#define RING0           0x01u           /* region 0's lines */
#define BELL0           0x02u
#define LINE4           0x10u           /* pairs 2 and 3: no region behind them */
#define LINE5           0x20u
#define LINE6           0x40u
#define LINE7           0x80u

#define DOORBELL_HVC    0xC6000001u     /* TESSERA_HVC_SHM_DOORBELL */
#define GPIO_READY      0x5944414552ull  /* "READY" */
#define GPIO_ACK1       0x314b4341ull    /* "ACK1" */
#define GPIO_TIMEOUT_MS 20000u
#define GPIO_POLL_US    100u
#define DT_IRQ_CELLS    3u

static const uint8_t pl061_id[GPIO_ID_REGS] = { 0x61, 0x10, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

static uint64_t gpio_base;
static uint32_t gpio_intid;
static volatile uint64_t bells;
static volatile uint32_t last_mis;

/* Single plain loads and stores: a trapped access needs a syndrome (no writeback forms). */
static uint32_t rd(uint32_t off)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(gpio_base + off) : "memory");
	return v;
}

static void wr(uint32_t off, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(gpio_base + off) : "memory");
}

/* The arm,pl061 node: its base and its interrupt (<GIC_SPI n type>). */
static bool gpio_find(void)
{
	const void *fdt = dt_blob();
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl061");
	uint64_t size;
	int len;
	const fdt32_t *irq = node >= 0 ? fdt_getprop(fdt, node, "interrupts", &len) : NULL;

	if (irq == NULL || len != (int)(DT_IRQ_CELLS * sizeof(*irq)) ||
	    dt_reg(node, 0, &gpio_base, &size) != 0) {
		report_fail("gpio-dt got=no-pl061 want=arm,pl061");
		return false;
	}
	gpio_intid = GIC_SPI_FIRST + fdt32_to_cpu(irq[1]);
	gprintf("gpio: pl061 at 0x%lx, INTID %u\n", gpio_base, gpio_intid);
	return true;
}

static void gpio_check_id(void)
{
	uint32_t bad = 0;
	for (uint32_t i = 0; i < GPIO_ID_REGS; i++)
		if (rd(GPIOPERIPHID0 + 4 * i) != pl061_id[i])
			bad |= 1u << i;
	report_check_hex("gpio-id", bad, 0);
}

/* Address bits [9:2] select the lines an access reads or writes; inputs read low. */
static void gpio_check_data(void)
{
	wr(GPIODIR, LINE4 | LINE5);
	wr(GPIODATA + ((LINE4 | LINE5) << 2), GPIO_ALL_LINES);
	uint32_t all = rd(GPIODATA_ALL), one = rd(GPIODATA + (LINE4 << 2));
	wr(GPIODIR, LINE4);
	uint32_t input = rd(GPIODATA_ALL);
	wr(GPIODATA + (LINE4 << 2), 0);
	wr(GPIODIR, 0);
	report_check_hex("gpio-data", (all << 16) | (one << 8) | input,
			 ((LINE4 | LINE5) << 16) | (LINE4 << 8) | LINE4);
}

/* Edges latch in GPIORIS as IS/IBE/IEV say, whatever GPIOIE; GPIOIC clears; MIS = RIS & IE. */
static void gpio_check_edges(void)
{
	wr(GPIOIEV, LINE6);                       /* rising only */
	wr(GPIODIR, LINE6);
	wr(GPIODATA + (LINE6 << 2), LINE6);
	uint32_t rise = rd(GPIORIS) & LINE6, mis_off = rd(GPIOMIS) & LINE6;
	wr(GPIOIE, LINE6);
	uint32_t mis_on = rd(GPIOMIS) & LINE6;
	wr(GPIOIE, 0);
	wr(GPIOIC, LINE6);
	uint32_t cleared = rd(GPIORIS) & LINE6;
	wr(GPIODATA + (LINE6 << 2), 0);           /* falling: not asked for */
	uint32_t fall = rd(GPIORIS) & LINE6;
	wr(GPIOIBE, LINE6);                       /* both edges */
	wr(GPIODATA + (LINE6 << 2), LINE6);
	wr(GPIOIC, LINE6);
	wr(GPIODATA + (LINE6 << 2), 0);
	uint32_t both = rd(GPIORIS) & LINE6;
	wr(GPIOIC, GPIO_ALL_LINES);
	wr(GPIOIBE, 0);
	wr(GPIOIEV, 0);
	wr(GPIODIR, 0);
	report_check_hex("gpio-edges", (rise << 24) | (mis_off << 16) | (mis_on << 8) | cleared,
			 ((uint32_t)LINE6 << 24) | (LINE6 << 8));
	report_check_hex("gpio-edges-both", (fall << 8) | both, LINE6);
}

/* A level-sensitive input reports its level (low here), which GPIOIC cannot clear. */
static void gpio_check_level(void)
{
	wr(GPIOIS, LINE7);                        /* IEV 0: low level */
	uint32_t low = rd(GPIORIS) & LINE7;
	wr(GPIOIC, LINE7);
	uint32_t kept = rd(GPIORIS) & LINE7;
	wr(GPIOIEV, LINE7);                       /* high level: the line is low */
	uint32_t high = rd(GPIORIS) & LINE7;
	wr(GPIOIEV, 0);
	wr(GPIOIS, 0);
	wr(GPIOAFSEL, LINE7);
	uint32_t afsel = rd(GPIOAFSEL);
	wr(GPIOAFSEL, 0);
	report_check_hex("gpio-level", (low << 16) | (kept << 8) | high, (LINE7 << 16) | (LINE7 << 8));
	report_check_hex("gpio-afsel", afsel, LINE7);
}

static void gpio_irq(uint32_t intid)
{
	(void)intid;
	uint32_t mis = rd(GPIOMIS);
	last_mis = mis;
	wr(GPIOIC, mis);                          /* the SPI is a level: it drops now */
	if (mis & BELL0)
		bells++;
}

static bool gpio_wait(volatile uint64_t *word, uint64_t want, volatile uint64_t *count,
		      uint64_t count_want)
{
	struct timeout t = timeout_start_ms(GPIO_TIMEOUT_MS);
	while (!timeout_expired(&t)) {
		if (word != NULL && *word == want)
			return true;
		if (count != NULL && *count >= count_want)
			return true;
		timer_delay_us(GPIO_POLL_US);
	}
	return false;
}

static void gpio_listen(volatile uint64_t *shared)
{
	if (gic_init() != 0 || gic_cpu_init() != 0) {
		report_fail("gpio-gic got=no-gic want=gicv3");
		return;
	}
	wr(GPIOIEV, BELL0);                       /* rising edge, as gpio-pl061 sets it */
	wr(GPIOIC, BELL0);
	wr(GPIOIE, BELL0);
	gic_set_handler(gpio_intid, gpio_irq);
	gic_spi_set_edge(gpio_intid, false);
	gic_spi_enable(gpio_intid, GIC_PRIO_DEFAULT, guest_read_mpidr());
	irq_unmask();
	*shared = GPIO_READY;
	guest_dsb();
	bool first = gpio_wait(NULL, 0, &bells, 1);
	report_check_hex("gpio-bell-from-ring-line", last_mis, BELL0);
	*shared = GPIO_ACK1;
	guest_dsb();
	bool second = first && gpio_wait(NULL, 0, &bells, 2);
	report_check_dec("gpio-bell-from-hypercall", second ? bells : 0, 2);
	report_check_hex("gpio-bell-cleared", rd(GPIORIS) & BELL0, 0);
	irq_mask();
}

static void gpio_ring(volatile uint64_t *shared, uint64_t region)
{
	if (!gpio_wait(shared, GPIO_READY, NULL, 0)) {
		report_fail("gpio-ready got=timeout want=ready");
		return;
	}
	wr(GPIODIR, RING0);
	wr(GPIODATA + (RING0 << 2), RING0);       /* the rising edge rings */
	wr(GPIODATA + (RING0 << 2), 0);
	report_pass("gpio-ring-line");
	if (!gpio_wait(shared, GPIO_ACK1, NULL, 0)) {
		report_fail("gpio-ack got=timeout want=ack");
		return;
	}
	report_check_dec("gpio-ring-hypercall", (uint64_t)psci_call(DOORBELL_HVC, region, 0, 0), 1);
}

void ctl_gpio(void)
{
	char role[CTL_ARG_MAX] = "";
	uint64_t base, size;

	bootargs_get("ctl_gpio", role, sizeof(role));
	if (!gpio_find() || !ctl_first_region(&base, &size))
		return;
	gpio_check_id();
	gpio_check_data();
	gpio_check_edges();
	gpio_check_level();
	volatile uint64_t *shared = (volatile uint64_t *)(uintptr_t)base;
	if (strcmp(role, "listener") == 0)
		gpio_listen(shared);
	else if (strcmp(role, "ringer") == 0)
		gpio_ring(shared, base);
	else
		report_fail("gpio-role got=%s want=listener|ringer", role[0] ? role : "none");
}
