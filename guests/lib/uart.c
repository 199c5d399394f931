/*
 * Polled PL011 output (ARM DDI 0183: UARTDR at 0x000, UARTFR at 0x018).  The
 * UART is not programmed: the hypervisor (or QEMU) has set it up, and the
 * guest only needs DR and FR.TXFF.
 */
#include <stdarg.h>
#include <stdio.h>

#include "guest.h"

#define PL011_DR	0x000
#define PL011_FR	0x018
#define PL011_FR_TXFF	(1u << 5)	/* transmit FIFO full */
#define GPRINTF_BUF	256

static uint64_t uart_addr = GUEST_UART_FALLBACK;

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

void uart_init(uint64_t base)
{
	uart_addr = base;
}

uint64_t uart_base(void)
{
	return uart_addr;
}

void uart_putc(char c)
{
	while (mmio_read32(uart_addr + PL011_FR) & PL011_FR_TXFF)
		;
	mmio_write32(uart_addr + PL011_DR, (uint8_t)c);
}

void uart_puts(const char *s)
{
	while (*s != '\0')
		uart_putc(*s++);
}

void gprintf(const char *fmt, ...)
{
	char buf[GPRINTF_BUF];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	uart_puts(buf);
}
