#pragma once
/*
 * Where boot's nodes are in the host DT (boot/host_dt.c): one pass over
 * the structure block, which also checks it.  Pure C over libfdt; compiles
 * for the host too (tests/unit/test_host_dt.c, tests/fuzz/fuzz_host_dt.c).
 * The check alone serves the other device trees the boot loader hands
 * over (dt/cfg_passthrough.c: a partial device tree).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dt_index;

#define HOST_DT_MAX_TOP    160
#define HOST_DT_MAX_MEMORY 8

/* Offsets, or a negative libfdt error. */
struct host_dt {
	int chosen, cpus, psci, reserved, gic, gic_parent;
	int memory[HOST_DT_MAX_MEMORY];
	unsigned int memory_count;
	int top[HOST_DT_MAX_TOP];          /* every top-level node */
	const char *top_name[HOST_DT_MAX_TOP];
	int top_len[HOST_DT_MAX_TOP];
	unsigned int top_count;
	bool top_truncated;                /* more top-level nodes than HOST_DT_MAX_TOP */
	bool malformed;                    /* header or structure block broken: all above unset */
	uint32_t malformed_at;             /* then: structure-block offset of the first bad token */
	struct dt_index *chosen_index;     /* /chosen, for boot_memory and cfg_parse */
};

/*
 * Fill @h from the blob @fdt, whose fdt_totalsize() bytes must be readable.
 * Checks the header and the structure block's grammar (DT spec §5.4) on
 * the way; a tree that fails gets h->malformed and no offsets, and must
 * then not be given to libfdt at all (docs/fuzzing.md).
 */
void host_dt_scan(const void *fdt, struct host_dt *h);
int host_dt_top_node(const void *fdt, const struct host_dt *h, const char *path, size_t len);
/*
 * The node @len bytes of @path name: a full path, or an alias and what
 * follows it ("serial0", "serial0/child").  An alias's value must be a
 * full path; a negative libfdt error if not, or if there is no such node.
 * A walk: callers try host_dt_top_node() first.
 */
int host_dt_path_node(const void *fdt, const char *path, size_t len);

/*
 * The checks of host_dt_scan() alone, on any blob whose fdt_totalsize()
 * bytes are readable: true when libfdt may walk it (then fdt_check_full()
 * returns too).  Otherwise @bad_at is the structure-block offset of the
 * first bad token (0 for a bad header or reservation map).
 */
bool host_dt_check(const void *fdt, uint32_t *bad_at);
