#pragma once
/* Reading `reg` of host DT nodes (boot/platform.c). */
#include <stdint.h>

/*
 * The @index-th (address, size) pair of @node's reg, in the cells of
 * @parent (the caller knows it: fdt_parent_offset() walks the whole tree).
 */
int dt_reg(const void *fdt, int node, int parent, int index, uint64_t *base, uint64_t *size);

struct dt_cells {
	int ac;   /* #address-cells */
	int sc;   /* #size-cells */
};

/* @parent's cell counts; -TS_EINVAL when Tessera cannot use them (1-2 / 0-2). */
int dt_cells(const void *fdt, int parent, struct dt_cells *c);
/* dt_reg() with the cells already read: for loops over siblings. */
int dt_reg_cells(const void *fdt, int node, const struct dt_cells *c, int index, uint64_t *base,
		 uint64_t *size);
