#pragma once
/*
 * Private to vdev/console*.c: the PL011's transmit side (ARM DDI 0183),
 * shared by the console's writer and the formatter's UART destination.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

#define UART_DR      0x00
#define UART_FR      0x18
#define UART_FR_RXFE BIT64(4)   /* receive FIFO empty */
#define UART_FR_TXFF BIT64(5)   /* transmit FIFO full */

/* The transmit FIFO is full: wait for room (out of line: the write loops stay flat). */
void console_uart_wait_room(volatile uint8_t *uart);

#ifdef TS_HOST_BUILD
/* Host tests stand in for the UART (tests/unit/test_console_fmt.c). */
void console_uart_put(volatile uint8_t *uart, char c);
#else
static inline void console_uart_put(volatile uint8_t *uart, char c)
{
	if (*(volatile uint32_t *)(uart + UART_FR) & UART_FR_TXFF)
		console_uart_wait_room(uart);
	*(volatile uint32_t *)(uart + UART_DR) = (uint8_t)c;
}
#endif

/*
 * console_vformat() straight to @uart, a newline as CR LF, no buffer in
 * between; returns the length formatted (newlines counted once).
 */
size_t console_vformat_uart(volatile uint8_t *uart, const char *fmt, va_list ap);
