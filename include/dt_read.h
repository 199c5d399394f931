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
/* fdt_node_offset_by_phandle(): one pass over the tokens. */
int dt_node_offset_by_phandle(const void *fdt, uint32_t phandle);
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

/*
 * An index of one subtree, built in one pass: its nodes (with their parent,
 * first child and next sibling) and each node's properties.  A parser that
 * asks many questions of the same nodes (the configuration parser, of
 * /chosen) answers them from here instead of walking the tokens again.
 * Built only over a well-formed subtree that fits: otherwise `ok` is false
 * and every dt_index_* call answers through the dt_* functions above,
 * which answer as libfdt does.  Look-ups update a hint in the index: one
 * CPU at a time.
 */
#define DT_INDEX_NODES 128
#define DT_INDEX_PROPS 640
#define DT_INDEX_DEPTH 16

struct dt_index_node {
	int off;                    /* structure-block offset, as libfdt's node offsets */
	int first_child;            /* index, -1 when none */
	int next_sibling;           /* index, -1 when last */
	uint32_t first_prop, prop_count;
	uint32_t memo;              /* the index's user's, per node: 0 after dt_index_build */
};

struct dt_index {
	const void *fdt;
	bool ok;
	unsigned int node_count, prop_count;
	unsigned int last;          /* the node the last look-up found: tried first */
	struct dt_index_node node[DT_INDEX_NODES];
	struct dt_prop prop[DT_INDEX_PROPS];
};

/* Index the subtree at @root (a node offset) of @fdt into @ix; false when it could not. */
bool dt_index_build(struct dt_index *ix, const void *fdt, int root);
/* ... and where the subtree ends (past its END_NODE), for a walk that goes on from there. */
bool dt_index_build_end(struct dt_index *ix, const void *fdt, int root, uint32_t *end);
/* @ix (may be NULL) holds the subtree at @root of @fdt. */
bool dt_index_holds(const struct dt_index *ix, const void *fdt, int root);
/*
 * dt_getprop() / dt_first_subnode() / dt_next_subnode() of @fdt, from @ix
 * when it indexes @fdt and holds @node (else as those do).
 */
const void *dt_index_getprop(struct dt_index *ix, const void *fdt, int node,
			     const char *name, int *lenp);
int dt_index_first_subnode(struct dt_index *ix, const void *fdt, int node);
/* dt_address_cells() / dt_size_cells() through the index. */
int dt_index_address_cells(struct dt_index *ix, const void *fdt, int node);
int dt_index_size_cells(struct dt_index *ix, const void *fdt, int node);
int dt_index_next_subnode(struct dt_index *ix, const void *fdt, int node);
/*
 * @node's memo word (struct dt_index_node.memo), for what its user derives
 * from a node once; NULL when @node is not indexed.
 */
uint32_t *dt_index_memo(struct dt_index *ix, const void *fdt, int node);
/*
 * The properties of @node in *@props (*@count of them), as dt_prop_next()
 * gives them; false when @node is not indexed (then walk with dt_prop_*).
 */
bool dt_index_props(struct dt_index *ix, const void *fdt, int node,
		    const struct dt_prop **props, unsigned int *count);

#define dt_index_for_each_subnode(node, ix, fdt, parent) \
	for ((node) = dt_index_first_subnode((ix), (fdt), (parent)); (node) >= 0; \
	     (node) = dt_index_next_subnode((ix), (fdt), (node)))
