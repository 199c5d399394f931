/*
 * tlib: device tree, shared regions, /dev/mem and clocks for the Tessera
 * Linux programs (tlib.h).
 */
#define _DEFAULT_SOURCE
#include "tlib.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define SHM_COMPAT          "xen,shared-memory-v1"
#define CELL_BYTES          4u
#define MAX_CELLS           2u
#define ROOT_CELLS_DEFAULT  2u
#define PROP_MAX            256
#define BITS_PER_BYTE       8u
#define US_PER_S            1000000ull
#define NS_PER_US           1000ull

const char *tlib_dt_root(void)
{
	const char *v = getenv("TSHM_DT");
	return v != NULL && v[0] != '\0' ? v : "/proc/device-tree";
}

long tlib_dt_read(const char *node, const char *prop, void *buf, size_t cap)
{
	char path[TLIB_PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", node, prop) >= (int)sizeof(path))
		return -1;
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return (long)n;
}

uint64_t tlib_be_cells(const uint8_t *p, unsigned int cells)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < cells * CELL_BYTES; i++)
		v = (v << BITS_PER_BYTE) | p[i];
	return v;
}

static unsigned int tlib_cells(const char *node, const char *prop)
{
	uint8_t buf[CELL_BYTES];
	if (tlib_dt_read(node, prop, buf, sizeof(buf)) != CELL_BYTES)
		return ROOT_CELLS_DEFAULT;
	return (unsigned int)tlib_be_cells(buf, 1);
}

/* @node's reg read with @parent's #address-cells/#size-cells. */
static bool tlib_reg_in(const char *parent, const char *node, uint64_t *base, uint64_t *size)
{
	uint8_t reg[2 * MAX_CELLS * CELL_BYTES];
	unsigned int ac = tlib_cells(parent, "#address-cells");
	unsigned int sc = tlib_cells(parent, "#size-cells");
	long len = tlib_dt_read(node, "reg", reg, sizeof(reg));
	if (ac > MAX_CELLS || sc > MAX_CELLS || len < (long)((ac + sc) * CELL_BYTES))
		return false;
	*base = tlib_be_cells(reg, ac);
	*size = tlib_be_cells(reg + ac * CELL_BYTES, sc);
	return true;
}

bool tlib_dt_reg(const char *node, uint64_t *base, uint64_t *size)
{
	return tlib_reg_in(tlib_dt_root(), node, base, size);
}

static bool tlib_has_string(const char *list, long len, const char *want)
{
	for (long off = 0; off < len; off += (long)strlen(list + off) + 1)
		if (strcmp(list + off, want) == 0)
			return true;
	return false;
}

static bool tlib_compatible(const char *node, const char *compat)
{
	char buf[PROP_MAX] = { 0 };
	long len = tlib_dt_read(node, "compatible", buf, sizeof(buf) - 1);
	return len > 0 && tlib_has_string(buf, len, compat);
}

/* The first child of @dir (by directory order) compatible with @compat and passing @match. */
static bool tlib_find_child(const char *dir, const char *compat,
			    bool (*match)(const char *node, const void *arg), const void *arg,
			    char *path, size_t cap)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return false;
	bool found = false;
	for (struct dirent *e; !found && (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.' ||
		    snprintf(path, cap, "%s/%s", dir, e->d_name) >= (int)cap)
			continue;
		found = tlib_compatible(path, compat) && (match == NULL || match(path, arg));
	}
	closedir(d);
	return found;
}

static bool tlib_id_is(const char *node, const void *arg)
{
	char id[TLIB_ID_MAX] = { 0 };
	long len = tlib_dt_read(node, "xen,id", id, sizeof(id) - 1);
	return len > 1 && strcmp(id, arg) == 0;
}

bool tlib_region_find(const char *id, struct tlib_region *r)
{
	char dir[TLIB_PATH_MAX], node[TLIB_PATH_MAX];
	if (snprintf(dir, sizeof(dir), "%s/reserved-memory", tlib_dt_root()) >= (int)sizeof(dir) ||
	    !tlib_find_child(dir, SHM_COMPAT, tlib_id_is, id, node, sizeof(node)) ||
	    !tlib_reg_in(dir, node, &r->base, &r->size))
		return false;
	snprintf(r->id, sizeof(r->id), "%s", id);
	return true;
}

bool tlib_dt_find_compatible(const char *compat, char *path, size_t cap)
{
	return tlib_find_child(tlib_dt_root(), compat, NULL, NULL, path, cap);
}

bool tlib_map(uint64_t base, uint64_t size, struct tlib_map *m)
{
	const char *mem = getenv("TSHM_MEM");
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t start = base & ~(page - 1);
	int fd = open(mem != NULL && mem[0] != '\0' ? mem : "/dev/mem", O_RDWR | O_SYNC);
	if (fd < 0)
		return false;
	m->len = (size_t)(base - start + size);
	m->base = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)start);
	close(fd);
	if (m->base == MAP_FAILED)
		return false;
	m->at = (volatile uint8_t *)m->base + (base - start);
	return true;
}

void tlib_unmap(struct tlib_map *m)
{
	munmap(m->base, m->len);
}

void tlib_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

uint64_t tlib_now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * US_PER_S + (uint64_t)t.tv_nsec / NS_PER_US;
}

uint64_t tlib_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * US_PER_S * NS_PER_US + (uint64_t)t.tv_nsec;
}

uint64_t tlib_cpu_us(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (uint64_t)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * US_PER_S +
	       (uint64_t)(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}
