/*
 * tlib: what the Tessera Linux programs (tdoorbell, tessera-ctl) share:
 * device-tree properties from /proc/device-tree, shared regions by xen,id,
 * /dev/mem mappings of regions and of Tessera's devices, and the clocks
 * they report with.  Static glibc programs; TSHM_DT and TSHM_MEM override
 * /proc/device-tree and /dev/mem as for tshm (host tests).
 */
#ifndef TLIB_H
#define TLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLIB_PATH_MAX   512
#define TLIB_ID_MAX     32

struct tlib_region {
	char id[TLIB_ID_MAX];
	uint64_t base;
	uint64_t size;
};

/* A /dev/mem mapping: @at is the first byte asked for. */
struct tlib_map {
	void *base;
	size_t len;
	volatile void *at;
};

/* The device-tree root (TSHM_DT or /proc/device-tree). */
const char *tlib_dt_root(void);
/* Reads @node/@prop whole; its length, or -1. */
long tlib_dt_read(const char *node, const char *prop, void *buf, size_t cap);
/* A big-endian value of @cells 32-bit cells. */
uint64_t tlib_be_cells(const uint8_t *p, unsigned int cells);
/* The first <address size> of @node's reg, with the root's cells (2 + 2 by default). */
bool tlib_dt_reg(const char *node, uint64_t *base, uint64_t *size);
/* The /reserved-memory region whose xen,id is @id. */
bool tlib_region_find(const char *id, struct tlib_region *r);
/* The path of the first node under the root whose compatible lists @compat. */
bool tlib_dt_find_compatible(const char *compat, char *path, size_t cap);
/* Maps [base, base + size) of /dev/mem uncached; false with errno set. */
bool tlib_map(uint64_t base, uint64_t size, struct tlib_map *m);
void tlib_unmap(struct tlib_map *m);
/* A DMB: orders the accesses of a message against its sequence number. */
void tlib_barrier(void);
/* Monotonic time and this process's CPU time (user + system), in microseconds. */
uint64_t tlib_now_us(void);
uint64_t tlib_now_ns(void);
uint64_t tlib_cpu_us(void);

#endif
