#pragma once
/*
 * Emulated MMIO windows: each partition registers (guest base, size,
 * handlers) for the devices it sees; a stage-2 data abort inside one is
 * emulated by core/trap.c, anything else is injected back.
 */
#include <stdbool.h>
#include <stdint.h>

struct partition;

struct mmio_window {
	const char *name;             /* for console lines: "UART", "GIC distributor" ... */
	uint64_t base;
	uint64_t size;
	/* Return false to have the access reported and an abort injected. */
	bool (*read)(struct partition *p, uint64_t off, unsigned int size, uint64_t *val);
	bool (*write)(struct partition *p, uint64_t off, unsigned int size, uint64_t val);
};

#define PART_MMIO_MAX 6          /* UART, GIC distributor, redistributors / CPU interface,
				    doorbell GPIO, control device */
