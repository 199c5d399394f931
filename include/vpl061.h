#pragma once
/*
 * The doorbell GPIO (vdev/vpl061.c): an emulated PL061 (ARM DDI 0190B)
 * through which stock Linux userspace rings and waits for shared-region
 * doorbells with the GPIO character device (docs/shared-memory.md
 * section 11).  Region k of a partition (its k-th /reserved-memory node)
 * owns two lines: 2k "ring" (an output; a rising edge rings the region)
 * and 2k+1 "bell" (an input; a ring by another partition pulses it).
 */
#include <stdbool.h>
#include <stdint.h>

#include "spinlock.h"

#define VPL061_LINES    8u                      /* PL061_GPIO_NR: one byte per register */
#define VPL061_REGIONS  (VPL061_LINES / 2u)     /* a ring and a bell line each */
#define VPL061_BELL_LINES 0xAAu                 /* odd lines: 2k + 1 */

struct partition;

struct vpl061 {
	/*
	 * Guards the registers below against each other's writers; a peer's
	 * ring reads dir/is/ibe/iev/ie and or-s into ris_edge without it, so
	 * those are accessed atomically (vdev/vpl061.c).
	 */
	struct spinlock lock;
	uint8_t data;               /* output latch (GPIODATA) */
	uint8_t dir;                /* GPIODIR: 1 = output */
	uint8_t is;                 /* GPIOIS: 1 = level-sensitive */
	uint8_t ibe;                /* GPIOIBE: both edges */
	uint8_t iev;                /* GPIOIEV: rising edge / high level */
	uint8_t ie;                 /* GPIOIE: interrupt mask, 1 = enabled */
	uint8_t afsel;              /* GPIOAFSEL: kept, no effect */
	uint8_t ris_edge;           /* latched edges; level-sensitive lines are computed */
	/* Set at creation, read-only afterwards. */
	unsigned int region_count;              /* line pairs in use */
	uint16_t region[VPL061_REGIONS];        /* cfg.regions index of pair k */
};

/* Register @p's doorbell GPIO (if its map has one) and its interrupt line. */
void vpl061_init(struct partition *p);
/* Registers to their reset values, nothing pending: at every start of @p. */
void vpl061_reset(struct partition *p);
/*
 * Another partition rang region @region: pulse @p's bell line for it, if
 * it has one and listens on it (vdev/vpl061.c says why only then).
 */
void vpl061_bell(struct partition *p, unsigned int region);
/* Whether any bell line's interrupt is enabled: the ring's one test for a partition that does not listen. */
static inline bool vpl061_listening(const struct vpl061 *g)
{
	return (__atomic_load_n(&g->ie, __ATOMIC_RELAXED) & VPL061_BELL_LINES) != 0;
}
