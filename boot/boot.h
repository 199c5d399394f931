#pragma once
/* Boot-time helpers shared by boot/ files. */
#include <stdint.h>

#include "config.h"
#include "dt_read.h"
#include "dtreg.h"
#include "host_dt.h"
#include "pcpu.h"

/* RAM from /memory minus the image, DTB, reserved memory and boot modules; logs free ranges. */
void boot_memory(const void *fdt, const struct host_dt *h, uint64_t dtb);
/* What cfg_parse() checks a configuration against. */
void platform_describe(const struct host_dt *h, struct cfg_platform *plat);
/* ... and the devices a partition's view is built from: GIC frames, console UART, IPA size. */
void platform_describe_devices(struct cfg_platform *plat);
void boot_primary(uint64_t dtb) __attribute__((noreturn));
void boot_secondary(struct pcpu *pc) __attribute__((noreturn));
void hyp_crash(struct gp_regs *f, unsigned int from_spx) __attribute__((noreturn));
