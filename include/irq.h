#pragma once
/*
 * Physical interrupts the hypervisor takes (core/irq.c): the kick SGI, the
 * maintenance interrupt, the virtual timer and the console UART.
 */
#include <stdbool.h>
#include <stdint.h>

/* Physical interrupts pending on this CPU: acknowledge and act on each. */
void irq_handle_pending(void);
/* One acknowledged INTID (irq_handle_pending's body); false: stop for now (spurious, maintenance). */
bool irq_handle_one(uint32_t intid);
