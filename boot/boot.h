#pragma once
/* Boot-time helpers shared by boot/ files. */
#include <stdint.h>

#include "config.h"
#include "pcpu.h"

/* The @index-th (address, size) pair of @node's reg, in its parent's cells. */
int dt_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size);
/* RAM from /memory minus the image, DTB, reserved memory and boot modules; logs free ranges. */
void boot_memory(const void *fdt, uint64_t dtb);
/* What cfg_parse() checks a configuration against. */
void platform_describe(const void *fdt, struct cfg_platform *plat);
void boot_primary(uint64_t dtb) __attribute__((noreturn));
void boot_secondary(unsigned int index) __attribute__((noreturn));
void hyp_crash(struct gp_regs *f, unsigned int from_spx) __attribute__((noreturn));
