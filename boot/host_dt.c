/*
 * One walk over the host DT's top-level nodes, remembering where the nodes
 * boot needs are.  libfdt's look-ups by path, compatible or parent each walk
 * the tree from the start, and QEMU's virt DT has about a hundred nodes:
 * done per question, that was most of the boot time (DESIGN §11).
 */
#include <libfdt.h>
#include <string.h>

#include "boot.h"

static bool name_is(const char *name, const char *want)
{
	size_t n = strlen(want);
	return strncmp(name, want, n) == 0 && (name[n] == '\0' || name[n] == '@');
}

static void host_dt_note(const void *fdt, int node, struct host_dt *h)
{
	int len;
	const char *name = fdt_get_name(fdt, node, &len);
	if (!name)
		return;
	if (h->top_count < HOST_DT_MAX_TOP) {
		h->top_name[h->top_count] = name;
		h->top_len[h->top_count] = len;
		h->top[h->top_count++] = node;
	}
	if (name_is(name, "chosen")) {
		h->chosen = node;
	} else if (name_is(name, "cpus")) {
		h->cpus = node;
	} else if (name_is(name, "psci")) {
		h->psci = node;
	} else if (name_is(name, "reserved-memory")) {
		h->reserved = node;
	} else if (name_is(name, "memory")) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		if (type && strcmp(type, "memory") == 0 && h->memory_count < HOST_DT_MAX_MEMORY)
			h->memory[h->memory_count++] = node;
	} else if (h->gic < 0 && (name_is(name, "intc") || name_is(name, "interrupt-controller")) &&
		   fdt_node_check_compatible(fdt, node, "arm,gic-v3") == 0) {
		h->gic = node;
		h->gic_parent = 0;
	}
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

void host_dt_scan(const void *fdt, struct host_dt *h)
{
	memset(h, 0, sizeof(*h));
	h->chosen = h->cpus = h->psci = h->reserved = h->gic = -FDT_ERR_NOTFOUND;
	int node;
	fdt_for_each_subnode(node, fdt, 0)
		host_dt_note(fdt, node, h);
	if (h->gic < 0) {   /* named otherwise, or below a bus node: search the whole tree */
		h->gic = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
		h->gic_parent = h->gic >= 0 ? fdt_parent_offset(fdt, h->gic) : -1;
	}
}
