#pragma once
/* Console output through a PL011 (polled; the hypervisor owns the real one). */
#include <stdint.h>

void uart_init(uint64_t base);
uint64_t uart_base(void);
void uart_putc(char c);
void uart_puts(const char *s);
/* One formatted write (picolibc vsnprintf, integer conversions only). */
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
