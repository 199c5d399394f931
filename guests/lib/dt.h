#pragma once
/*
 * Device-tree look-ups over libfdt for what the guests need (DESIGN.md §5).
 * Every getter returns 0 or a negative libfdt error (-FDT_ERR_*).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DT_MAX_RANGES	8

struct dt_range {
	uint64_t base;
	uint64_t size;
};

int dt_init(const void *fdt);
const void *dt_blob(void);
/* Reads entry idx of node's "reg" with the parent's #address/#size-cells. */
int dt_reg(int node, int idx, uint64_t *addr, uint64_t *size);
/* Base address of the node /chosen/stdout-path names (node path or alias). */
int dt_stdout_base(uint64_t *base);
/* Every "reg" entry of every device_type = "memory" node; returns the count. */
int dt_memory_ranges(struct dt_range *out, int max);
/* CPU nodes under /cpus (device_type = "cpu"): count, and the reg of one. */
int dt_cpu_count(void);
int dt_cpu_mpidr(int index, uint64_t *mpidr);
/* /chosen/bootargs, or NULL. */
const char *dt_bootargs(void);
/* /psci "method": true for "smc"; *found false when the node says nothing. */
bool dt_psci_is_smc(bool *found);
/* String property of a node, NULL when absent or not NUL-terminated. */
const char *dt_prop_string(int node, const char *name);
