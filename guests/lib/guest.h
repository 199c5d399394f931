#pragma once
/*
 * The guest library's entry contract and image layout.  start.S calls
 * guest_c_entry(dtb), which sets up the console, PSCI, the timer and the
 * bootargs from the DT, calls the guest's main(dtb), then reports DONE and
 * powers the system off.  Including this header gives every module.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

#include "asm_defs.h"
#include "bootargs.h"
#include "dt.h"
#include "exc.h"
#include "memtest.h"
#include "psci.h"
#include "report.h"
#include "timer.h"
#include "uart.h"

/* Fallback console when the DT gives none: the PL011 of QEMU virt and Tessera. */
#define GUEST_UART_FALLBACK	0x09000000ull

/* The guest's own code; its return value is ignored (the verdicts count). */
int main(const void *dtb);

/* Secondary CPU body, entered on its own stack after PSCI CPU_ON (context id =
 * index).  The library's weak default turns the CPU off. */
void guest_secondary_main(uint64_t index);
/* Physical (= link) address of the CPU_ON entry point. */
void guest_secondary_entry(void);

void guest_c_entry(const void *dtb);

/* [start, end) of the loaded image, including BSS and every stack. */
uint64_t guest_image_start(void);
uint64_t guest_image_end(void);

/* MPIDR_EL1 affinity fields only (Aff3 and Aff2..Aff0), as PSCI and /cpus use. */
uint64_t guest_read_mpidr(void);

static inline void guest_dsb(void)
{
	__asm__ volatile("dsb sy" ::: "memory");
}

/* Wait for an event: ends at the latest with the next event-stream tick. */
static inline void guest_wfe(void)
{
	__asm__ volatile("wfe" ::: "memory");
}
