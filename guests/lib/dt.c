/* Device-tree look-ups (dt.h) over libfdt. */
#include <string.h>

#include <libfdt.h>

#include "guest.h"

#define FDT_CELL_BYTES		4
#define FDT_MAX_CELLS		2	/* 64-bit addresses and sizes at most */

static const void *blob;

int dt_init(const void *fdt)
{
	int err = fdt_check_header(fdt);

	blob = err == 0 ? fdt : NULL;
	return err;
}

const void *dt_blob(void)
{
	return blob;
}

static uint64_t dt_read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

int dt_reg(int node, int idx, uint64_t *addr, uint64_t *size)
{
	int parent = fdt_parent_offset(blob, node);
	if (parent < 0)
		return parent;
	int ac = fdt_address_cells(blob, parent);
	int sc = fdt_size_cells(blob, parent);
	if (ac < 0 || sc < 0)
		return ac < 0 ? ac : sc;
	if (ac > FDT_MAX_CELLS || sc > FDT_MAX_CELLS || ac == 0)
		return -FDT_ERR_BADNCELLS;
	int len;
	const fdt32_t *reg = fdt_getprop(blob, node, "reg", &len);
	if (reg == NULL)
		return len;
	int entry = ac + sc;
	if ((idx + 1) * entry * FDT_CELL_BYTES > len)
		return -FDT_ERR_NOTFOUND;
	reg += idx * entry;
	*addr = dt_read_cells(reg, ac);
	*size = sc == 0 ? 0 : dt_read_cells(reg + ac, sc);
	return 0;
}

const char *dt_prop_string(int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(blob, node, name, &len);

	if (s == NULL || len < 1 || s[len - 1] != '\0')
		return NULL;
	return s;
}

int dt_stdout_base(uint64_t *base)
{
	int chosen = fdt_path_offset(blob, "/chosen");
	if (chosen < 0)
		return chosen;
	const char *path = dt_prop_string(chosen, "stdout-path");
	if (path == NULL)
		return -FDT_ERR_NOTFOUND;
	/* "path:options" (e.g. baud rate): the node path ends at ':'. */
	int plen = 0;
	while (path[plen] != '\0' && path[plen] != ':')
		plen++;
	int node = fdt_path_offset_namelen(blob, path, plen);
	if (node < 0)
		return node;
	uint64_t size;
	return dt_reg(node, 0, base, &size);
}

int dt_memory_ranges(struct dt_range *out, int max)
{
	int n = 0;
	int node = fdt_node_offset_by_prop_value(blob, -1, "device_type",
						 "memory", sizeof("memory"));

	for (; node >= 0; node = fdt_node_offset_by_prop_value(blob, node,
				"device_type", "memory", sizeof("memory"))) {
		for (int i = 0; n < max; i++) {
			if (dt_reg(node, i, &out[n].base, &out[n].size) != 0)
				break;
			if (out[n].size != 0)
				n++;
		}
	}
	return n;
}

/* Offset of CPU node number index under /cpus, or a negative error. */
static int dt_cpu_node(int index)
{
	int cpus = fdt_path_offset(blob, "/cpus");
	if (cpus < 0)
		return cpus;
	int node;
	int n = 0;
	fdt_for_each_subnode(node, blob, cpus) {
		const char *type = dt_prop_string(node, "device_type");
		if (type == NULL || strcmp(type, "cpu") != 0)
			continue;
		if (n++ == index)
			return node;
	}
	return -FDT_ERR_NOTFOUND;
}

int dt_cpu_count(void)
{
	int n = 0;

	while (dt_cpu_node(n) >= 0)
		n++;
	return n;
}

int dt_cpu_mpidr(int index, uint64_t *mpidr)
{
	int node = dt_cpu_node(index);
	uint64_t size;

	if (node < 0)
		return node;
	return dt_reg(node, 0, mpidr, &size);
}

const char *dt_bootargs(void)
{
	int chosen = fdt_path_offset(blob, "/chosen");

	return chosen < 0 ? NULL : dt_prop_string(chosen, "bootargs");
}

bool dt_psci_is_smc(bool *found)
{
	int node = fdt_path_offset(blob, "/psci");
	const char *method = node < 0 ? NULL : dt_prop_string(node, "method");

	*found = method != NULL;
	return method != NULL && strcmp(method, "smc") == 0;
}
