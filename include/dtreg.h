#pragma once
/* Reading `reg` of host DT nodes (boot/platform.c). */
#include <stdint.h>

/*
 * The @index-th (address, size) pair of @node's reg, in the cells of
 * @parent (the caller knows it: fdt_parent_offset() walks the whole tree).
 */
int dt_reg(const void *fdt, int node, int parent, int index, uint64_t *base, uint64_t *size);
