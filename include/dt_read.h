#pragma once
/*
 * Reading a flattened device tree without libfdt's per-step validation
 * (dt/dt_read.c).  Each function returns what its libfdt namesake returns:
 * it reads the structure block directly, checking every offset against the
 * block, and hands anything it does not expect (a version before 17, a
 * misaligned blob or offset, an unknown tag, a length past the end) to
 * libfdt, so that malformed trees get libfdt's answers.  libfdt's look-ups
 * re-validate every tag and name on every call: on QEMU's host DT one
 * fdt_getprop costs about 2.5K instructions, this one a few dozen
 * (DESIGN §11, docs/benchmarks.md).
 *
 * Precondition: fdt_check_header() accepted the blob (the blocks lie inside
 * totalsize).
 */
#include <stdbool.h>
#include <stdint.h>

/* fdt_getprop(): @node's property @name, its length in *@lenp (or a negative error). */
const void *dt_getprop(const void *fdt, int node, const char *name, int *lenp);
/* fdt_get_name(). */
const char *dt_get_name(const void *fdt, int node, int *lenp);
/* fdt_first_subnode() / fdt_next_subnode(). */
int dt_first_subnode(const void *fdt, int node);
int dt_next_subnode(const void *fdt, int node);
/* fdt_address_cells() / fdt_size_cells(). */
int dt_address_cells(const void *fdt, int node);
int dt_size_cells(const void *fdt, int node);

#define dt_for_each_subnode(node, fdt, parent) \
	for ((node) = dt_first_subnode((fdt), (parent)); (node) >= 0; \
	     (node) = dt_next_subnode((fdt), (node)))

/*
 * A node's properties one after the other: dt_prop_first() gives the
 * cursor, dt_prop_next() the property there and moves past it; false at
 * the first child, the node's end, or anything malformed.
 */
struct dt_prop {
	const char *name;
	const void *val;
	int len;
};

uint32_t dt_prop_first(const void *fdt, int node);
bool dt_prop_next(const void *fdt, uint32_t *cursor, struct dt_prop *p);
