#pragma once
/*
 * The emulated PL011 each partition gets (vdev/vpl011.c): the register
 * subset Linux's amba-pl011 driver and the test guests use, a line buffer
 * for output and a small receive FIFO fed by the console focus.
 */
#include <stdint.h>

#include "spinlock.h"

#define VPL011_LINE_MAX 160
#define VPL011_RX_MAX   64
/* Console budget per partition (a token bucket of lines): a burst, then a steady rate. */
#define VPL011_BURST_LINES 1024u          /* a whole Linux boot log at once */
#define VPL011_RATE_LINES  256u           /* lines per second once the burst is spent */

struct partition;

struct vpl011 {
	uint32_t cr, lcr_h, ibrd, fbrd, ifls, imsc, ris, dmacr;
	struct spinlock lock;             /* guards the line buffer, the budget and the FIFO */
	unsigned int line_len;
	char line[VPL011_LINE_MAX];
	uint64_t tokens;                  /* lines that may be printed now */
	uint64_t refill_at;               /* CNTPCT the budget was last counted at */
	uint64_t dropped;                 /* lines dropped since the last one printed */
	unsigned int rx_head, rx_tail;    /* console input for the guest */
	char rx[VPL011_RX_MAX];
};

/* Register @p's UART window and its interrupt line (at partition creation). */
void vpl011_init(struct partition *p);
/* A character typed while the console focus is on @p. */
void vpl011_receive(struct partition *p, char c);
