#pragma once
/*
 * Passed-through devices at run time (docs/passthrough.md): their physical
 * SPIs follow the owning partition's life cycle.  The configuration
 * (cfg_guest_map.pt_*) says what each partition owns; stage 2 maps the MMIO
 * (core/partition.c) and the vGIC injects the SPIs hardware-linked.
 */
#include <stdint.h>

struct partition;

/* Once, after partitions_create(): who owns which SPI. */
void passthrough_init(void);
/* @p starts: its SPIs cleared, configured, routed to vCPU 0's CPU, enabled. */
void passthrough_start(struct partition *p);
/* @p has stopped (every vCPU off): its SPIs disabled and cleared, then logged as read back. */
void passthrough_stop(struct partition *p);
/* The partition that owns SPI @intid, or NULL. */
struct partition *passthrough_spi_owner(uint32_t intid);
/* The shell's `dev`: each device, its ranges and its SPIs' physical state. */
void passthrough_print(void);
