/*
 * A libFuzzer-free fuzz driver for the configuration parser.  Seeds are
 * built with libfdt's sequential-write API (dom0 + domUs, both shm
 * spellings, static memory, pinning), then mutated with a fixed-seed PRNG:
 * properties rewritten with edge values or junk, deleted, nodes added or
 * removed, raw bytes flipped.  Every result goes through cfg_parse() under
 * ASan/UBSan, and accepted configurations must satisfy the invariants the
 * rest of the hypervisor relies on.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "config.h"
#include "types.h"
#include "fuzz_cfg.h"

#define BLOB_MAX     0x10000
#define SEED_COUNT   3
#define MAX_MUTATIONS 4
#define RAW_FLIP_ODDS 8         /* one mutation in 8 flips a raw byte */

static struct config cfg;
static struct cfg_errors errs;
static unsigned char seeds[SEED_COUNT][BLOB_MAX];
static unsigned char blob[BLOB_MAX];
static unsigned long long rng_state;

static const struct cfg_platform plat = {
	.ram = { { 0x40000000, 0x80000000 } },
	.ram_count = 1,
	.reserved = { { 0x40000000, 0x100000 }, { 0x40200000, 0x200000 } },
	.reserved_count = 2,
	.cpu_count = 4,
};

/* xorshift64*: small, fast, and the same sequence on every host. */
static unsigned long long rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static unsigned int pick(unsigned int n)
{
	return (unsigned int)(rng() % n);
}

/* ------------------------------------------------------------------ seeds */

static void cells(void *fdt, const char *name, unsigned int n, ...)
{
	fdt32_t v[8];
	va_list ap;

	va_start(ap, n);
	for (unsigned int i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(va_arg(ap, unsigned int));
	va_end(ap);
	fdt_property(fdt, name, v, (int)(n * sizeof(fdt32_t)));
}

static void module(void *fdt, const char *name, const char *compat, unsigned int base,
		   unsigned int size)
{
	fdt_begin_node(fdt, name);
	fdt_property_string(fdt, "compatible", compat);
	cells(fdt, "reg", 2, base, size);
	fdt_property_string(fdt, "bootargs", "console=ttyAMA0");
	fdt_end_node(fdt);
}

static void shm_u32(void *fdt, const char *name, unsigned int id, unsigned int host,
		    unsigned int size, unsigned int guest, const char *role)
{
	fdt_begin_node(fdt, name);
	fdt_property_string(fdt, "compatible", "xen,domain-shared-memory-v1");
	cells(fdt, "xen,shm-id", 1, id);
	cells(fdt, "xen,shared-mem", 3, host, size, guest);
	if (role)
		fdt_property_string(fdt, "role", role);
	fdt_end_node(fdt);
}

static void shm_str(void *fdt, const char *name, const char *id, unsigned int n,
		    const unsigned int *mem)
{
	fdt_begin_node(fdt, name);
	fdt_property_string(fdt, "compatible", "xen,domain-shared-memory-v1");
	fdt_property_string(fdt, "xen,shm-id", id);
	cells(fdt, "xen,shared-mem", n, mem[0], mem[1], n > 2 ? mem[2] : 0);
	fdt_end_node(fdt);
}

static void domain_begin(void *fdt, const char *name, unsigned int kib, unsigned int cpus)
{
	fdt_begin_node(fdt, name);
	fdt_property_string(fdt, "compatible", "xen,domain");
	cells(fdt, "#address-cells", 1, 1);
	cells(fdt, "#size-cells", 1, 1);
	cells(fdt, "memory", 2, 0, kib);
	cells(fdt, "cpus", 1, cpus);
	fdt_property(fdt, "vpl011", NULL, 0);
}

static void chosen_begin(void *fdt, void *buf)
{
	fdt_create(buf, BLOB_MAX);
	fdt_finish_reservemap(buf);
	fdt_begin_node(fdt, "");
	cells(fdt, "#address-cells", 1, 2);
	cells(fdt, "#size-cells", 1, 2);
	fdt_begin_node(fdt, "chosen");
	cells(fdt, "#address-cells", 1, 1);
	cells(fdt, "#size-cells", 1, 1);
}

static void chosen_end(void *fdt)
{
	fdt_end_node(fdt);
	fdt_end_node(fdt);
	fdt_finish(fdt);
}

static void seed_design(void *fdt)
{
	chosen_begin(fdt, fdt);
	fdt_property_string(fdt, "xen,xen-bootargs", "dom0_mem=256M dom0_max_vcpus=1");
	module(fdt, "module@41000000", "multiboot,kernel", 0x41000000, 0x800000);
	shm_u32(fdt, "dom0-shared-mem@90000000", 0, 0x90000000, 0x10000000, 0x10000000, "owner");
	domain_begin(fdt, "domU1", 131072, 2);
	module(fdt, "module@42000000", "multiboot,kernel", 0x42000000, 0x800000);
	shm_u32(fdt, "a", 0, 0x90000000, 0x10000000, 0x50000000, "borrower");
	shm_u32(fdt, "b", 1, 0x50000000, 0x20000000, 0x60000000, NULL);
	fdt_end_node(fdt);
	domain_begin(fdt, "domU2", 65536, 1);
	module(fdt, "module@43000000", "multiboot,kernel", 0x43000000, 0x800000);
	shm_u32(fdt, "c", 1, 0x50000000, 0x20000000, 0x70000000, NULL);
	fdt_end_node(fdt);
	chosen_end(fdt);
}

static void seed_strings(void *fdt)
{
	static const unsigned int full[] = { 0xa0000000, 0x60000000, 0x200000 };
	static const unsigned int brief[] = { 0x80000000, 0x400000 };

	chosen_begin(fdt, fdt);
	domain_begin(fdt, "domU1", 131072, 1);
	module(fdt, "k", "multiboot,kernel", 0x42000000, 0x800000);
	module(fdt, "r", "multiboot,ramdisk", 0x42800000, 0x100000);
	shm_str(fdt, "s1", "my-shared-mem-1", 3, full);
	shm_str(fdt, "s2", "my-shared-mem-2", 2, brief);
	fdt_end_node(fdt);
	domain_begin(fdt, "domU2", 65536, 1);
	module(fdt, "k", "multiboot,module", 0x43000000, 0x800000);
	shm_str(fdt, "s1", "my-shared-mem-1", 3, full);
	shm_str(fdt, "s2", "my-shared-mem-2", 2, brief);
	fdt_end_node(fdt);
	chosen_end(fdt);
}

static void seed_static(void *fdt)
{
	chosen_begin(fdt, fdt);
	domain_begin(fdt, "domU1", 131072, 2);
	cells(fdt, "xen,static-mem", 2, 0x80000000, 0x8000000);
	cells(fdt, "tessera,cpus", 2, 3, 1);
	module(fdt, "k", "multiboot,kernel", 0x42000000, 0x800000);
	fdt_end_node(fdt);
	domain_begin(fdt, "domU2", 16384, 1);
	module(fdt, "k", "multiboot,kernel", 0x43000000, 0x800000);
	fdt_end_node(fdt);
	chosen_end(fdt);
}

/* -------------------------------------------------------------- mutations */

static const char *const prop_names[] = {
	"compatible", "memory", "cpus", "vpl011", "reg", "bootargs", "xen,static-mem",
	"tessera,cpus", "xen,shm-id", "xen,shared-mem", "role", "#address-cells",
	"#size-cells", "xen,xen-bootargs", "xen,dom0-bootargs", "#xen,static-mem-address-cells",
};

static const char *const strings[] = {
	"", "owner", "borrower", "abc", "xen,domain", "multiboot,kernel", "multiboot,ramdisk",
	"multiboot,module", "xen,domain-shared-memory-v1", "my-shared-mem-0",
	"0123456789abcdefXYZ", "dom0_mem=3M dom0_max_vcpus=9", "dom0_mem=0x", "dom0_mem=99999999T",
};

static const unsigned int edge_cells[] = {
	0, 1, 2, 3, 8, 9, 0x126, 0x127, 0x1000, 0x200000, 0x40000000, 0x40200000,
	0x80000000, 0x90000000, 0xbfe00000, 0xfffff000, 0xffffffff,
};

static int random_node(const void *fdt)
{
	int count = 0, node = 0;

	for (int n = 0; n >= 0; n = fdt_next_node(fdt, n, NULL))
		count++;
	for (int target = (int)pick((unsigned int)count); target > 0; target--)
		node = fdt_next_node(fdt, node, NULL);
	return node;
}

static int random_value(unsigned char *val)
{
	switch (pick(3)) {
	case 0: {
		const char *s = strings[pick(ARRAY_SIZE(strings))];
		memcpy(val, s, strlen(s) + 1);
		return (int)strlen(s) + 1;
	}
	case 1: {
		unsigned int n = pick(7);
		for (unsigned int i = 0; i < n; i++) {
			fdt32_t c = cpu_to_fdt32(pick(4) ? edge_cells[pick(ARRAY_SIZE(edge_cells))]
							: (unsigned int)rng());
			memcpy(val + i * 4, &c, 4);
		}
		return (int)n * 4;
	}
	default: {
		int n = (int)pick(21);
		for (int i = 0; i < n; i++)
			val[i] = (unsigned char)rng();
		return n;
	}
	}
}

static void mutate_setprop(void *fdt)
{
	unsigned char val[32];
	int len = random_value(val);

	fdt_setprop(fdt, random_node(fdt), prop_names[pick(ARRAY_SIZE(prop_names))], val, len);
}

static void mutate_delprop(void *fdt)
{
	int node = random_node(fdt), prop, count = 0;

	fdt_for_each_property_offset(prop, fdt, node)
		count++;
	if (count == 0)
		return;
	int target = (int)pick((unsigned int)count);
	fdt_for_each_property_offset(prop, fdt, node) {
		if (target-- == 0) {
			const char *name;
			fdt_getprop_by_offset(fdt, prop, &name, NULL);
			char copy[64];
			snprintf(copy, sizeof(copy), "%s", name);
			fdt_delprop(fdt, node, copy);
			return;
		}
	}
}

static void mutate_node(void *fdt)
{
	static const char *const names[] = { "domU9", "shm", "module@0", "dom0", "k2" };
	int node = random_node(fdt);

	if (pick(2) && node > 0) {
		fdt_del_node(fdt, node);
		return;
	}
	int child = fdt_add_subnode(fdt, node, names[pick(ARRAY_SIZE(names))]);
	const char *compat = strings[pick(ARRAY_SIZE(strings))];   /* the macro reads it twice */
	if (child >= 0)
		fdt_setprop_string(fdt, child, "compatible", compat);
}

static void mutate_raw(void *fdt)
{
	unsigned int off = fdt_off_dt_struct(fdt), size = fdt_size_dt_struct(fdt);

	if (size != 0)
		((unsigned char *)fdt)[off + pick(size)] ^= (unsigned char)(1u << pick(8));
}

static void mutate(void *fdt)
{
	unsigned int n = 1 + pick(MAX_MUTATIONS);

	for (unsigned int i = 0; i < n; i++) {
		if (pick(RAW_FLIP_ODDS) == 0) {
			mutate_raw(fdt);
			return;     /* later libfdt edits need a sound tree */
		}
		switch (pick(3)) {
		case 0: mutate_setprop(fdt); break;
		case 1: mutate_delprop(fdt); break;
		default: mutate_node(fdt); break;
		}
	}
}

/* ------------------------------------------------------------- invariants */

static bool in_ram(uint64_t base, uint64_t size)
{
	return size != 0 && base >= plat.ram[0].base &&
	       base + size <= plat.ram[0].base + plat.ram[0].size && base + size > base;
}

static bool clear_of_reserved(uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < plat.reserved_count; i++)
		if (ranges_overlap(base, size, plat.reserved[i].base, plat.reserved[i].size))
			return false;
	return true;
}

static unsigned long check_partitions(void)
{
	unsigned long bad = 0;
	bool cpu_used[CFG_MAX_CPUS] = { false };

	for (unsigned int i = 0; i < cfg.partition_count; i++) {
		const struct cfg_partition *p = &cfg.partitions[i];
		bad += !in_ram(p->ram_base, p->mem_bytes) || !clear_of_reserved(p->ram_base, p->mem_bytes);
		bad += !is_aligned(p->ram_base, SZ_2M) || !is_aligned(p->mem_bytes, SZ_2M);
		bad += !p->kernel.present || !in_ram(p->kernel.base, p->kernel.size);
		bad += p->vcpu_count == 0 || p->vcpu_count > CFG_MAX_VCPUS;
		for (unsigned int v = 0; v < p->vcpu_count && v < CFG_MAX_VCPUS; v++) {
			bad += p->pcpu[v] >= plat.cpu_count || cpu_used[p->pcpu[v] % CFG_MAX_CPUS];
			cpu_used[p->pcpu[v] % CFG_MAX_CPUS] = true;
		}
		for (unsigned int j = 0; j < i; j++)
			bad += ranges_overlap(p->ram_base, p->mem_bytes, cfg.partitions[j].ram_base,
					      cfg.partitions[j].mem_bytes);
		for (unsigned int r = 0; r < cfg.region_count; r++)
			bad += ranges_overlap(p->ram_base, p->mem_bytes, cfg.regions[r].host_base,
					      cfg.regions[r].size);
	}
	return bad;
}

static unsigned long check_shm(void)
{
	unsigned long bad = 0;

	for (unsigned int r = 0; r < cfg.region_count; r++) {
		const struct cfg_shm_region *g = &cfg.regions[r];
		bad += !in_ram(g->host_base, g->size) || !clear_of_reserved(g->host_base, g->size);
		bad += g->id[0] == '\0' || strlen(g->id) >= CFG_SHM_ID_MAX;
		bad += g->owner != CFG_OWNER_DOM_SHARED &&
		       (g->owner < 0 || (unsigned int)g->owner >= cfg.partition_count);
		for (unsigned int q = 0; q < r; q++)
			bad += ranges_overlap(g->host_base, g->size, cfg.regions[q].host_base,
					      cfg.regions[q].size);
	}
	for (unsigned int i = 0; i < cfg.ref_count; i++)
		bad += cfg.refs[i].partition >= cfg.partition_count ||
		       cfg.refs[i].region >= cfg.region_count;
	return bad;
}

static unsigned long check_errors(int ret)
{
	unsigned long bad = ret != (int)errs.count;

	for (unsigned int i = 0; i < errs.count && i < CFG_MAX_ERRORS; i++)
		bad += strncmp(errs.line[i], "config: /", strlen("config: /")) != 0 ||
		       memchr(errs.line[i], '\0', CFG_ERROR_LEN) == NULL;
	return bad;
}

static unsigned long run_one(void)
{
	int ret = cfg_parse(blob, &plat, &cfg, &errs);
	unsigned long bad = check_errors(ret);

	if (ret == 0)
		bad += check_partitions() + check_shm();
	return bad;
}

unsigned long fuzz_cfg_run(unsigned long iters, unsigned long long seed)
{
	static void (*const build[SEED_COUNT])(void *) = { seed_design, seed_strings, seed_static };
	unsigned long bad = 0, accepted = 0;

	rng_state = seed ? seed : 1;
	for (unsigned int s = 0; s < SEED_COUNT; s++) {
		build[s](seeds[s]);
		memcpy(blob, seeds[s], BLOB_MAX);
		if (cfg_parse(blob, &plat, &cfg, &errs) != 0) {
			fprintf(stderr, "fuzz_cfg: seed %u rejected: %s\n", s, errs.line[0]);
			bad++;
		}
	}
	for (unsigned long i = 0; i < iters; i++) {
		fdt_open_into(seeds[pick(SEED_COUNT)], blob, BLOB_MAX);
		mutate(blob);
		unsigned long b = run_one();
		if (b != 0)
			fprintf(stderr, "fuzz_cfg: iteration %lu broke %lu invariant(s)\n", i, b);
		bad += b;
		accepted += errs.count == 0;
	}
	fprintf(stderr, "fuzz_cfg: %lu iterations, %lu accepted, %lu violations\n", iters, accepted,
		bad);
	return bad;
}
