#pragma once
/* Boot-time helpers shared by boot/ files. */
#include <stdint.h>

#include "config.h"
#include "dt_read.h"
#include "dtreg.h"
#include "pcpu.h"


#define HOST_DT_MAX_TOP    160
#define HOST_DT_MAX_MEMORY 8

/* Where boot's nodes are in the host DT (offsets, or a negative libfdt error). */
struct host_dt {
	int chosen, cpus, psci, reserved, gic, gic_parent;
	int memory[HOST_DT_MAX_MEMORY];
	unsigned int memory_count;
	int top[HOST_DT_MAX_TOP];          /* every top-level node */
	const char *top_name[HOST_DT_MAX_TOP];
	int top_len[HOST_DT_MAX_TOP];
	unsigned int top_count;
	struct dt_index *chosen_index;     /* /chosen, for boot_memory and cfg_parse */
};

void host_dt_scan(const void *fdt, struct host_dt *h);
int host_dt_top_node(const void *fdt, const struct host_dt *h, const char *path, size_t len);

/* RAM from /memory minus the image, DTB, reserved memory and boot modules; logs free ranges. */
void boot_memory(const void *fdt, const struct host_dt *h, uint64_t dtb);
/* What cfg_parse() checks a configuration against. */
void platform_describe(const struct host_dt *h, struct cfg_platform *plat);
/* ... and the devices a partition's view is built from: GIC frames, console UART, IPA size. */
void platform_describe_devices(struct cfg_platform *plat);
void boot_primary(uint64_t dtb) __attribute__((noreturn));
void boot_secondary(struct pcpu *pc) __attribute__((noreturn));
void hyp_crash(struct gp_regs *f, unsigned int from_spx) __attribute__((noreturn));
