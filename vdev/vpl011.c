/*
 * vpl011: the PL011 subset a polling driver and Linux's amba-pl011 touch
 * (ARM DDI 0183G, 3.2 register summary).  Output is collected per line and
 * printed with the partition's "(<name>) " prefix, printable characters
 * only and within a per-partition budget of lines.  The TX FIFO is always
 * empty: characters leave at once.
 */
#include <string.h>

#include "console.h"
#include "partition.h"
#include "public/guest_platform.h"
#include "sysreg.h"

#define UARTDR      0x000
#define UARTRSR     0x004
#define UARTFR      0x018
#define UARTILPR    0x020
#define UARTIBRD    0x024
#define UARTFBRD    0x028
#define UARTLCR_H   0x02C
#define UARTCR      0x030
#define UARTIFLS    0x034
#define UARTIMSC    0x038
#define UARTRIS     0x03C
#define UARTMIS     0x040
#define UARTICR     0x044
#define UARTDMACR   0x048
#define UARTPERIPHID0 0xFE0
#define UARTPCELLID3  0xFFC

#define UARTCR_LBE   (1u << 7)      /* loopback: Linux provokes the TX interrupt this way */
#define UARTRIS_RX   (1u << 4)
#define UARTRIS_RT   (1u << 6)
#define UARTFR_RXFE  (1u << 4)
#define UARTFR_TXFE  (1u << 7)
#define UARTRIS_TX   (1u << 5)      /* TX interrupt: FIFO below its level, always true here */
#define UARTCR_RESET 0x300u         /* TXE | RXE */
#define UARTIFLS_RESET 0x12u

/* PrimeCell identification: part 0x011, designer ARM (0x41), revision 3. */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

/*
 * One line from @u's budget, refilled at VPL011_RATE_LINES a second up to
 * VPL011_BURST_LINES: a guest flooding its UART cannot keep the console
 * (and its lock) from everyone else.  Caller holds uart.lock.
 */
static bool vpl011_line_allowed(struct vpl011 *u)
{
	uint64_t now = sysreg_read(cntpct_el0);
	uint64_t per_line = sysreg_read(cntfrq_el0) / VPL011_RATE_LINES;
	uint64_t earned = per_line ? (now - u->refill_at) / per_line : VPL011_BURST_LINES;
	if (earned >= VPL011_BURST_LINES - u->tokens) {
		u->tokens = VPL011_BURST_LINES;
		u->refill_at = now;
	} else if (earned) {
		u->tokens += earned;
		u->refill_at += earned * per_line;          /* keep the part of a line not yet earned */
	}
	/* Once lines are dropped, a second's worth must come back first: two notices a second at most. */
	if (u->tokens == 0 || (u->dropped && u->tokens < VPL011_RATE_LINES))
		return false;
	u->tokens--;
	return true;
}

static void vpl011_flush_line(struct partition *p)
{
	struct vpl011 *u = &p->uart;
	if (!vpl011_line_allowed(u)) {
		if (u->dropped++ == 0)
			log_line("%s: console output over %u lines a second: dropping lines",
				 p->cfg->name, VPL011_RATE_LINES);
	} else {
		if (u->dropped)
			log_line("%s: %llu console lines dropped", p->cfg->name,
				 (unsigned long long)u->dropped);
		u->dropped = 0;
		console_write_prefixed(p->cfg->name, u->line, u->line_len);
	}
	u->line_len = 0;
}

/*
 * Printable ASCII and tab only: a guest must not reach the operator's
 * terminal with escape sequences, bells or backspaces (nor fake a
 * "(tessera) " line: its lines always start with its own prefix).
 */
static bool vpl011_printable(char c)
{
	return (c >= ' ' && c <= '~') || c == '\t';
}

static void vpl011_putc(struct partition *p, char c)
{
	struct vpl011 *u = &p->uart;
	spin_lock(&u->lock);
	if (c == '\n') {
		vpl011_flush_line(p);
	} else if (vpl011_printable(c)) {
		u->line[u->line_len++] = c;
		if (u->line_len == VPL011_LINE_MAX)
			vpl011_flush_line(p);
	}
	spin_unlock(&u->lock);
}

/*
 * PL011 registers are 32 bits wide at word offsets (DDI 0183G 3.2); bytes
 * and halfwords at those offsets work (Linux's earlycon writes bytes to
 * UARTDR).  Anything else is refused: an abort for the guest.
 */
static bool vpl011_access_ok(uint64_t off, unsigned int size)
{
	return (off & 3) == 0 && size <= 4;
}

static uint32_t vpl011_ris(const struct vpl011 *u)
{
	return UARTRIS_TX | (u->rx_head != u->rx_tail ? UARTRIS_RX | UARTRIS_RT : 0);
}

/* The level of the UART's SPI (struct cfg_guest_map.uart_intid) as the vGIC samples it. */
static bool vpl011_irq_level(struct partition *p)
{
	return (vpl011_ris(&p->uart) & p->uart.imsc) != 0;
}

static void vpl011_update_irq(struct partition *p)
{
	vgic_spi_level_changed(p, p->cfg->map.uart_intid);
}

static uint32_t vpl011_pop(struct vpl011 *u)
{
	spin_lock(&u->lock);
	uint32_t c = 0;
	if (u->rx_head != u->rx_tail)
		c = (uint8_t)u->rx[u->rx_tail++ % VPL011_RX_MAX];
	spin_unlock(&u->lock);
	return c;
}

void vpl011_receive(struct partition *p, char c)
{
	struct vpl011 *u = &p->uart;
	spin_lock(&u->lock);
	if (u->rx_head - u->rx_tail < VPL011_RX_MAX)
		u->rx[u->rx_head++ % VPL011_RX_MAX] = c;
	spin_unlock(&u->lock);
	if (partition_state(p) == PART_RUNNING)    /* a snapshot: a stopped vGIC ignores it */
		vpl011_update_irq(p);
}

static bool vpl011_read(struct partition *p, uint64_t off, unsigned int size, uint64_t *val)
{
	struct vpl011 *u = &p->uart;
	if (!vpl011_access_ok(off, size))
		return false;
	if (off >= UARTPERIPHID0 && off <= UARTPCELLID3) {
		*val = pl011_id[(off - UARTPERIPHID0) / 4];
		return true;
	}
	switch (off) {
	case UARTDR:    *val = vpl011_pop(u); vpl011_update_irq(p); break;
	case UARTFR:    *val = UARTFR_TXFE | (u->rx_head == u->rx_tail ? UARTFR_RXFE : 0); break;
	case UARTIBRD:  *val = u->ibrd; break;
	case UARTFBRD:  *val = u->fbrd; break;
	case UARTLCR_H: *val = u->lcr_h; break;
	case UARTCR:    *val = u->cr; break;
	case UARTIFLS:  *val = u->ifls; break;
	case UARTIMSC:  *val = u->imsc; break;
	case UARTRIS:   *val = vpl011_ris(u); break;
	case UARTMIS:   *val = vpl011_ris(u) & u->imsc; break;
	case UARTDMACR: *val = u->dmacr; break;
	case UARTRSR: case UARTILPR: *val = 0; break;
	default: return false;
	}
	return true;
}

static bool vpl011_write(struct partition *p, uint64_t off, unsigned int size, uint64_t val)
{
	struct vpl011 *u = &p->uart;
	if (!vpl011_access_ok(off, size))
		return false;
	switch (off) {
	case UARTDR:
		if (!(u->cr & UARTCR_LBE))
			vpl011_putc(p, (char)(val & 0xff));
		break;
	case UARTIBRD:  u->ibrd = (uint32_t)val; break;
	case UARTFBRD:  u->fbrd = (uint32_t)val; break;
	case UARTLCR_H: u->lcr_h = (uint32_t)val; break;
	case UARTCR:    u->cr = (uint32_t)val; break;
	case UARTIFLS:  u->ifls = (uint32_t)val; break;
	case UARTIMSC:  u->imsc = (uint32_t)val; vpl011_update_irq(p); break;
	case UARTDMACR: u->dmacr = (uint32_t)val; break;
	case UARTRSR: case UARTICR: case UARTILPR: break;
	default: return false;
	}
	return true;
}

void vpl011_init(struct partition *p)
{
	struct vpl011 *u = &p->uart;
	u->cr = UARTCR_RESET;
	u->ifls = UARTIFLS_RESET;
	u->line_len = 0;
	u->tokens = VPL011_BURST_LINES;
	u->refill_at = sysreg_read(cntpct_el0);
	u->dropped = 0;
	p->vgic.spi_level[p->cfg->map.uart_intid - VGIC_NR_PRIVATE] = vpl011_irq_level;
	p->mmio[p->mmio_count++] = (struct mmio_window){
		.name = "UART", .base = p->cfg->map.uart.base, .size = p->cfg->map.uart.size,
		.read = vpl011_read, .write = vpl011_write,
	};
}
