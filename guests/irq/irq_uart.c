/*
 * PL011 interrupt tests (ARM DDI 0183G 3.3.10-3.3.13: UARTIMSC, UARTRIS,
 * UARTMIS, UARTICR): the TX interrupt, level-sensitive, raised while TXIM is
 * set and the FIFO has room, as an SPI routed to vCPU0; and optionally the
 * receive interrupt, fed by console input.
 */
#include <libfdt.h>
#include <string.h>

#include "irq.h"

#define UARTDR			0x000
#define UARTFR			0x018
#define UARTIMSC		0x038
#define UARTMIS			0x040
#define UARTICR			0x044
#define UARTFR_RXFE		(1u << 4)
#define UART_INT_RX		(1u << 4)
#define UART_INT_TX		(1u << 5)
#define UART_INT_RT		(1u << 6)
#define UARTDR_DATA		0xffu
#define QUIET_MS		20u
#define RX_MAX			16u
/* The stdout node's "interrupts": <type number flags>, type 0 = SPI. */
#define DT_IRQ_CELLS		3
#define DT_IRQ_TYPE_SPI		0u
#define DT_IRQ_EDGE_MASK	3u	/* IRQ_TYPE_EDGE_RISING | _FALLING */

struct uart_state {
	uint64_t base;
	uint64_t tx_keep;		/* the first tx_keep TX interrupts leave TXIM set */
	bool edge;			/* the DT's trigger type */
	volatile uint64_t tx;		/* TX interrupts taken */
	volatile uint32_t first_mis;	/* UARTMIS in the first handler run */
	volatile uint64_t rx_len;
	volatile char rx[RX_MAX];
};

static struct uart_state ut;

static uint32_t uart_read(uint32_t off)
{
	return *(volatile uint32_t *)(ut.base + off);
}

static void uart_write(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(ut.base + off) = v;
}

/* INTID of the console UART from /chosen/stdout-path's node, and whether it
 * is edge-triggered; 0 when absent. */
static uint32_t uart_intid(bool *edge)
{
	const void *fdt = dt_blob();
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "stdout-path", NULL);
	if (path == NULL)
		return 0;
	const char *colon = strchr(path, ':');
	int node = fdt_path_offset_namelen(fdt, path, colon ? (int)(colon - path) : (int)strlen(path));
	int len;
	const fdt32_t *irq = node < 0 ? NULL : fdt_getprop(fdt, node, "interrupts", &len);
	if (irq == NULL || len < DT_IRQ_CELLS * 4 || fdt32_to_cpu(irq[0]) != DT_IRQ_TYPE_SPI)
		return 0;
	*edge = (fdt32_to_cpu(irq[2]) & DT_IRQ_EDGE_MASK) != 0;
	return GIC_SPI_FIRST + fdt32_to_cpu(irq[1]);
}

/* TX: note it and stop asking (the line would stay high); RX: drain. */
static void uart_irq(uint32_t intid)
{
	uint32_t mis = uart_read(UARTMIS);

	(void)intid;
	if (ut.tx == 0 && ut.rx_len == 0)
		ut.first_mis = mis;
	if (mis & UART_INT_TX) {
		if (ut.tx >= ut.tx_keep) {
			uart_write(UARTIMSC, uart_read(UARTIMSC) & ~UART_INT_TX);
			uart_write(UARTICR, UART_INT_TX);
		}
		ut.tx = ut.tx + 1;
	}
	while (!(uart_read(UARTFR) & UARTFR_RXFE)) {
		char c = (char)(uart_read(UARTDR) & UARTDR_DATA);
		if (ut.rx_len < RX_MAX)
			ut.rx[ut.rx_len] = c;
		ut.rx_len = ut.rx_len + 1;
	}
	uart_write(UARTICR, mis & (UART_INT_RX | UART_INT_RT));
}

/* Like an OS: trigger type from the DT, then route and enable the SPI. */
static bool uart_setup(void)
{
	bool edge = false;
	uint32_t intid = uart_intid(&edge);

	ut = (struct uart_state){ .base = uart_base(), .edge = edge };
	if (intid == 0) {
		report_fail("uart-irq-dt got=none want=spi");
		return false;
	}
	gic_set_handler(intid, uart_irq);
	gic_spi_set_edge(intid, edge);
	gic_spi_enable(intid, GIC_PRIO_DEFAULT, guest_read_mpidr());
	return true;
}

static void uart_teardown(void)
{
	bool edge;

	uart_write(UARTIMSC, 0);
	gic_spi_disable(uart_intid(&edge));
}

void irq_test_uart(void)
{
	if (!uart_setup())
		return;
	irq_unmask();
	uart_write(UARTIMSC, UART_INT_TX);
	bool taken = irq_wait_count(&ut.tx, 1, IRQ_WAIT_MS);
	irq_mask();
	if (taken && (ut.first_mis & UART_INT_TX))
		report_pass("uart-tx-irq");
	else
		report_fail("uart-tx-irq mis 0x%x got=%lu want=1", ut.first_mis, ut.tx);
	/* TXIM is clear now: the line is low, nothing more may arrive. */
	irq_wait_ms(QUIET_MS);
	irq_mask();
	report_check_dec("uart-tx-quiet", ut.tx, 1);
	uart_teardown();
}

/*
 * Level-sensitive (the DT says IRQ_TYPE_LEVEL_HIGH): the handler returns the
 * first time with TXIM still set, so the line is still high at the EOI and
 * the interrupt must be taken again (IHI 0069H 4.1.1); the second run
 * clears TXIM.
 */
void irq_test_uart_level(void)
{
	if (!uart_setup())
		return;
	if (ut.edge) {
		report_fail("uart-level trigger got=edge want=level");
		uart_teardown();
		return;
	}
	ut.tx_keep = 1;
	irq_unmask();
	uart_write(UARTIMSC, UART_INT_TX);
	irq_wait_count(&ut.tx, 2, IRQ_WAIT_MS);
	irq_wait_ms(QUIET_MS);
	irq_mask();
	report_check_dec("uart-level", ut.tx, 2);
	uart_teardown();
}

/* Waits for one character typed on the console (the harness sends 'x'). */
void irq_test_uart_rx(void)
{
	if (!uart_setup())
		return;
	uart_write(UARTIMSC, UART_INT_RX | UART_INT_RT);
	gprintf("irq: uart-rx waiting for input\n");
	bool got = irq_wait_count(&ut.rx_len, 1, (uint32_t)irq_arg("uart_rx_ms", 20000));
	irq_mask();
	if (got)
		report_pass("uart-rx '%c'", ut.rx[0]);
	else
		report_fail("uart-rx got=nothing want=a-character");
	uart_teardown();
}
