/*
 * One walk over the host DT's top-level nodes, remembering where the nodes
 * boot needs are.  libfdt's look-ups by path, compatible or parent each walk
 * the tree from the start, and QEMU's virt DT has about a hundred nodes:
 * done per question, that was most of the boot time (DESIGN §11).
 */
#include <libfdt.h>
#include <string.h>

#include "boot.h"
#include "gic_dt.h"
#include "types.h"

/* Every GIC the driver knows, or refuses by name (gic/gic.c). */
static const char *const gic_compatibles[] = { GIC_DT_V3, GIC_DT_V2_VIRT, GIC_DT_V2_PLAIN };

static bool is_gic(const void *fdt, int node)
{
	int len;
	const char *compat = dt_getprop(fdt, node, "compatible", &len);
	for (unsigned int i = 0; compat && i < ARRAY_SIZE(gic_compatibles); i++)
		if (fdt_stringlist_contains(compat, len, gic_compatibles[i]))
			return true;
	return false;
}

static bool name_is(const char *name, const char *want)
{
	size_t n = strlen(want);
	return strncmp(name, want, n) == 0 && (name[n] == '\0' || name[n] == '@');
}

static void host_dt_note(const void *fdt, int node, const char *name, int len,
			 struct host_dt *h)
{
	if (h->top_count < HOST_DT_MAX_TOP) {
		h->top_name[h->top_count] = name;
		h->top_len[h->top_count] = len;
		h->top[h->top_count++] = node;
	}
	/* Most top-level nodes are devices we do not need: one test rejects them. */
	if (!strchr("cprmi", name[0]))
		return;
	if (name_is(name, "chosen")) {
		h->chosen = node;
	} else if (name_is(name, "cpus")) {
		h->cpus = node;
	} else if (name_is(name, "psci")) {
		h->psci = node;
	} else if (name_is(name, "reserved-memory")) {
		h->reserved = node;
	} else if (name_is(name, "memory")) {
		const char *type = dt_getprop(fdt, node, "device_type", NULL);
		if (type && strcmp(type, "memory") == 0 && h->memory_count < HOST_DT_MAX_MEMORY)
			h->memory[h->memory_count++] = node;
	} else if (h->gic < 0 && (name_is(name, "intc") || name_is(name, "interrupt-controller")) &&
		   is_gic(fdt, node)) {
		h->gic = node;
		h->gic_parent = 0;
	}
}

/* /chosen's subtree, indexed once for boot_memory() and cfg_parse(). */
static struct dt_index chosen_index TS_NOINIT;

/*
 * Index /chosen (at @node) while the top-level walk passes it; *@off moves
 * past its subtree.  False when it could not be indexed: the walk goes on
 * through it token by token.
 */
static bool host_dt_index_chosen(const void *fdt, int node, struct host_dt *h, uint32_t *off)
{
	uint32_t end;
	if (!dt_index_build_end(&chosen_index, fdt, node, &end))
		return false;
	h->chosen_index = &chosen_index;
	*off = end;                 /* both are structure-block offsets */
	return true;
}

/* The top-level node a path like "/pl011@9000000" names, without another walk. */
int host_dt_top_node(const void *fdt, const struct host_dt *h, const char *path, size_t len)
{
	if (len < 2 || path[0] != '/' || memchr(path + 1, '/', len - 1))
		return -FDT_ERR_NOTFOUND;
	(void)fdt;
	for (unsigned int i = 0; i < h->top_count; i++)
		if ((size_t)h->top_len[i] == len - 1 && memcmp(h->top_name[i], path + 1, len - 1) == 0)
			return h->top[i];
	return -FDT_ERR_NOTFOUND;
}

/*
 * The top-level nodes, straight from the structure block (DT spec 5.4): one
 * pass at a few instructions per token, where libfdt's fdt_next_subnode
 * costs about a hundred (it re-validates every offset).  Stops at anything
 * malformed; libfdt then still guards every later look-up.
 */
static void host_dt_walk_top(const void *fdt, struct host_dt *h)
{
	const char *base = (const char *)fdt + fdt_off_dt_struct(fdt);
	uint32_t size = fdt_size_dt_struct(fdt), off = 0;
	int depth = 0;
	while (off + FDT_TAGSIZE <= size) {
		uint32_t tag = fdt32_ld((const fdt32_t *)(base + off));
		uint32_t at = off;
		off += FDT_TAGSIZE;
		if (tag == FDT_BEGIN_NODE) {
			const char *name = base + off;
			size_t n = 0;
			while (off + n < size && name[n])
				n++;
			if (depth == 1)
				host_dt_note(fdt, (int)at, name, (int)n, h);
			if (depth == 1 && h->chosen == (int)at && host_dt_index_chosen(fdt, (int)at, h, &off))
				continue;           /* /chosen was indexed, and walked, in one pass */
			depth++;
			off += (uint32_t)align_up(n + 1, FDT_TAGSIZE);
		} else if (tag == FDT_END_NODE) {
			if (--depth <= 0)
				return;
		} else if (tag == FDT_PROP && off + 8 <= size) {
			off += 8 + (uint32_t)align_up(fdt32_ld((const fdt32_t *)(base + off)), FDT_TAGSIZE);
		} else if (tag != FDT_NOP) {
			return;
		}
	}
}

void host_dt_scan(const void *fdt, struct host_dt *h)
{
	memset(h, 0, sizeof(*h));
	h->chosen = h->cpus = h->psci = h->reserved = h->gic = -FDT_ERR_NOTFOUND;
	if (fdt_version(fdt) >= 17) {
		host_dt_walk_top(fdt, h);
	} else {
		int node, len;
		dt_for_each_subnode(node, fdt, 0)
			host_dt_note(fdt, node, dt_get_name(fdt, node, &len), len, h);
	}
	if (h->chosen >= 0 && !h->chosen_index && dt_index_build(&chosen_index, fdt, h->chosen))
		h->chosen_index = &chosen_index;
	/* Named otherwise, or below a bus node: search the whole tree. */
	for (unsigned int i = 0; h->gic < 0 && i < ARRAY_SIZE(gic_compatibles); i++) {
		h->gic = fdt_node_offset_by_compatible(fdt, -1, gic_compatibles[i]);
		h->gic_parent = h->gic >= 0 ? fdt_parent_offset(fdt, h->gic) : -1;
	}
}
