/*
 * The hypervisor console over the physical PL011 named by
 * /chosen/stdout-path.  Polling output; lines are assembled in a buffer
 * and written under the console lock so that CPUs never interleave.
 */
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "console_internal.h"
#include "spinlock.h"
#include "types.h"

/* PL011 registers (ARM DDI 0183); the transmit side is in console_internal.h. */
#define UART_IMSC    0x38
#define UART_IMSC_RX (BIT64(4) | BIT64(6))   /* RXIM | RTIM */


static volatile uint8_t *uart;
static struct spinlock console_lock;
static uint32_t rx_intid = CONSOLE_NO_IRQ;

void console_init(uint64_t uart_base)
{
	uart = (volatile uint8_t *)(uintptr_t)uart_base;
}

static uint32_t uart_read32(unsigned int off)
{
	return *(volatile uint32_t *)(uart + off);
}

void console_enable_rx_irq(uint32_t intid)
{
	if (!uart)
		return;
	rx_intid = intid;
	*(volatile uint32_t *)(uart + UART_IMSC) = (uint32_t)UART_IMSC_RX;
}

uint64_t console_base(void)
{
	return (uint64_t)(uintptr_t)uart;
}

uint32_t console_irq(void)
{
	return rx_intid;
}

void __attribute__((noinline, cold)) console_uart_wait_room(volatile uint8_t *u)
{
	while (*(volatile uint32_t *)(u + UART_FR) & UART_FR_TXFF)
		;
}

void console_putc_raw(char c)
{
	if (uart)
		console_uart_put(uart, c);
}

void console_puts_raw(const char *s)
{
	while (*s)
		console_putc_raw(*s++);
}

/* Every character waits for room in the FIFO (TXFF); a newline goes out as CR LF. */
static void console_write(const char *s, size_t n)
{
	volatile uint8_t *u = uart;
	if (!u)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			console_uart_put(u, '\r');
		console_uart_put(u, s[i]);
	}
}

static const char log_prefix[] = "(tessera) ";

/* Formatted straight to the UART under the lock: no line buffer, no second pass. */
void log_vline(const char *fmt, va_list ap)
{
	spin_lock(&console_lock);
	if (uart) {
		console_write(log_prefix, sizeof(log_prefix) - 1);
		console_vformat_uart(uart, fmt, ap);
		console_write("\n", 1);
	}
	spin_unlock(&console_lock);
}

void log_text(const char *text)
{
	spin_lock(&console_lock);
	console_write(log_prefix, sizeof(log_prefix) - 1);
	console_write(text, strlen(text));
	console_write("\n", 1);
	spin_unlock(&console_lock);
}

void log_line(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vline(fmt, ap);
	va_end(ap);
}

void console_write_prefixed(const char *name, const char *text, unsigned int len)
{
	spin_lock(&console_lock);
	console_putc_raw('(');
	console_write(name, strlen(name));
	console_write(") ", 2);
	console_write(text, len);
	console_write("\n", 1);
	spin_unlock(&console_lock);
}

int console_getc(void)
{
	if (!uart || (uart_read32(UART_FR) & UART_FR_RXFE))
		return -1;
	return (int)(uart_read32(UART_DR) & 0xff);
}
