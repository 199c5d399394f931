#pragma once
/*
 * The control device (vdev/vctl.c): the control hypercalls of
 * include/public/tessera_ctl.h as 64-bit MMIO registers, in every
 * partition's map at struct cfg_guest_map.ctl.
 */
struct partition;

/* Register @p's control-device window (at partition creation). */
void vctl_init(struct partition *p);
