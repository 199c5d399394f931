#pragma once
/*
 * The console: the hypervisor owns the physical UART (DESIGN §7).  Its own
 * lines start "(tessera) ", a partition's "(<name>) ".  One lock keeps lines
 * whole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_NO_IRQ 0xFFFFFFFFu   /* console_irq() when the UART has none */

void console_init(uint64_t uart_base);
/* The console UART's base address, 0 when there is none. */
uint64_t console_base(void);
/* Receive interrupts on: the shell gets input while guests run. */
void console_enable_rx_irq(uint32_t intid);
uint32_t console_irq(void);
/* One hypervisor line: "(tessera) " + formatted text + newline. */
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vline(const char *fmt, va_list ap);
/* log_line("%s", text) without the formatting: for lines already formatted. */
void log_text(const char *text);
/*
 * vsnprintf() / snprintf(), several times faster for what the console's
 * lines use (vdev/console_fmt.c says which conversions; others go to
 * picolibc's vsnprintf).
 */
int console_vformat(char *buf, size_t size, const char *fmt, va_list ap);
int console_format(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A whole line from a partition, printed as "(<name>) <text>". */
void console_write_prefixed(const char *name, const char *text, unsigned int len);
/* Raw character output for the crash path: no lock, no prefix. */
void console_putc_raw(char c);
void console_puts_raw(const char *s);
/* Read a received character from the physical UART; -1 if none. */
int console_getc(void);
