/*
 * libFuzzer harness for the guest DT builder (dt/guest_fdt.c), driven from
 * what it is given at boot: configurations cfg_parse() accepted from
 * fuzzed host DTBs (fuzz_boot_parse).  For every partition, with an initrd
 * placed as core/partition.c places it:
 *   - guest_fdt_size_bound() is at most GUEST_FDT_MAX_SIZE, and the tree
 *     builds in a buffer of exactly that bound (a write past it faults);
 *   - the result passes fdt_check_full() and fits its bound;
 *   - it says what the configuration says: RAM banks as the partition's
 *     map has them, the vpl011 at the map's address as stdout-path, vCPUs,
 *     bootargs, initrd, one xen-shmem node per region the partition names
 *     (address, size, id), no address range of the tree overlapping another;
 *   - the partial device tree's /aliases and /passthrough merged as Xen
 *     does (xen,* properties dropped, interrupt-parent on the guest's GIC,
 *     everything else as it was); no phandle twice, no two siblings of one
 *     name;
 *   - one byte less than the tree needs gives -TS_ENOMEM and no tree.
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "fuzz_common.h"
#include "guest_fdt.h"
#include "public/guest_platform.h"
#include "tserr.h"
#include "types.h"

const unsigned int fuzz_libfuzzer_percent = 10;
const unsigned int fuzz_corrupt_percent = 5;

#define MAX_RANGES   (CFG_MAX_REGIONS + 8)
#define ROOT_CELLS   2          /* the tree's own #address-cells and #size-cells */

static struct config cfg;
static struct cfg_errors errs;
static struct cfg_platform plat;

struct range_list {
	unsigned int count;
	struct cfg_range r[MAX_RANGES];
	const char *what[MAX_RANGES];
};

/* Where a tree is built: @size bytes in a guarded buffer (fuzz_common.h). */
static uint8_t *out_buffer(size_t size)
{
	static uint8_t *end;

	if (end == NULL)
		end = fuzz_guarded_alloc(GUEST_FDT_MAX_SIZE);
	return fuzz_guarded_place(end, GUEST_FDT_MAX_SIZE, size);
}

static uint64_t cells(const fdt32_t *v, int n)
{
	uint64_t x = 0;

	for (int i = 0; i < n; i++)
		x = (x << 32) | fdt32_ld(&v[i]);
	return x;
}

static void add_reg_ranges(const void *fdt, int node, const char *what, struct range_list *l)
{
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	FUZZ_ASSERT(reg && len > 0 && len % (4 * 2 * ROOT_CELLS) == 0, "%s: reg of %d bytes", what,
		    len);
	for (int at = 0; at < len / 4; at += 2 * ROOT_CELLS) {
		FUZZ_ASSERT(l->count < MAX_RANGES, "too many ranges");
		l->r[l->count] = (struct cfg_range){ cells(reg + at, ROOT_CELLS),
						     cells(reg + at + ROOT_CELLS, ROOT_CELLS) };
		l->what[l->count++] = what;
	}
}

static const char *str_prop(const void *fdt, int node, const char *name)
{
	int len;
	const char *v = fdt_getprop(fdt, node, name, &len);

	return v && len > 0 && v[len - 1] == '\0' ? v : NULL;
}

static void check_cpus(const void *fdt, const struct cfg_partition *p)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node, len;
	unsigned int n = 0;
	uint32_t seen = 0;

	FUZZ_ASSERT(cpus >= 0, "%s: no /cpus", p->name);
	fdt_for_each_subnode(node, fdt, cpus) {
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		const char *type = str_prop(fdt, node, "device_type");

		FUZZ_ASSERT(type && strcmp(type, "cpu") == 0 && reg && len == 4, "%s: cpu node",
			    p->name);
		uint32_t id = fdt32_ld(reg);

		FUZZ_ASSERT(id < p->vcpu_count && !(seen & (1u << id)), "%s: cpu reg %u", p->name, id);
		seen |= 1u << id;
		n++;
	}
	FUZZ_ASSERT(n == p->vcpu_count, "%s: %u cpu nodes for %u vCPUs", p->name, n, p->vcpu_count);
}

static void check_chosen(const void *fdt, const struct cfg_partition *p, uint64_t initrd,
			 uint64_t initrd_size)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), len;
	const char *args = str_prop(fdt, chosen, "bootargs");

	FUZZ_ASSERT(chosen >= 0, "%s: no /chosen", p->name);
	if (p->bootargs[0] != '\0')
		FUZZ_ASSERT(args && strcmp(args, p->bootargs) == 0, "%s: bootargs differ", p->name);
	else
		FUZZ_ASSERT(fdt_getprop(fdt, chosen, "bootargs", &len) == NULL, "%s: bootargs",
			    p->name);
	const fdt64_t *start = fdt_getprop(fdt, chosen, "linux,initrd-start", &len);
	const fdt64_t *end = fdt_getprop(fdt, chosen, "linux,initrd-end", NULL);

	if (initrd_size == 0) {
		FUZZ_ASSERT(start == NULL && end == NULL, "%s: initrd without one", p->name);
		return;
	}
	FUZZ_ASSERT(start && end && len == 8 && fdt64_ld(start) == initrd &&
		    fdt64_ld(end) == initrd + initrd_size, "%s: initrd range", p->name);
}

/* The partition's regions: one xen-shmem node each, as its refs say. */
static void check_regions(const void *fdt, unsigned int part, struct range_list *l)
{
	const struct cfg_partition *p = &cfg.partitions[part];
	int resmem = fdt_path_offset(fdt, "/reserved-memory"), node, len;
	unsigned int refs = 0, nodes = 0;

	for (unsigned int i = 0; i < cfg.ref_count; i++)
		refs += cfg.refs[i].partition == part;
	FUZZ_ASSERT((resmem >= 0) == (refs > 0), "%s: /reserved-memory for %u regions", p->name,
		    refs);
	FUZZ_ASSERT((fdt_path_offset(fdt, "/hypervisor") >= 0) == (refs > 0),
		    "%s: /hypervisor for %u regions", p->name, refs);
	if (resmem < 0)
		return;
	FUZZ_ASSERT(fdt_address_cells(fdt, resmem) == ROOT_CELLS &&
		    fdt_size_cells(fdt, resmem) == ROOT_CELLS, "%s: /reserved-memory cells", p->name);
	fdt_for_each_subnode(node, fdt, resmem) {
		const char *id = str_prop(fdt, node, "xen,id");
		const char *compat = str_prop(fdt, node, "compatible");
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		bool matched = false;

		FUZZ_ASSERT(id && compat && strcmp(compat, "xen,shared-memory-v1") == 0 && reg &&
			    len == 4 * 2 * ROOT_CELLS &&
			    fdt_getprop(fdt, node, "no-map", NULL) != NULL,
			    "%s: region node %d malformed", p->name, nodes);
		uint64_t base = cells(reg, ROOT_CELLS), size = cells(reg + ROOT_CELLS, ROOT_CELLS);

		for (unsigned int i = 0; i < cfg.ref_count && !matched; i++) {
			const struct cfg_shm_ref *ref = &cfg.refs[i];
			const struct cfg_shm_region *g = &cfg.regions[ref->region];

			matched = ref->partition == part && ref->guest_base == base &&
				  g->size == size && strcmp(g->id, id) == 0;
		}
		FUZZ_ASSERT(matched, "%s: region %s at 0x%llx is no ref of it", p->name, id,
			    (unsigned long long)base);
		add_reg_ranges(fdt, node, "a region", l);
		nodes++;
	}
	FUZZ_ASSERT(nodes == refs, "%s: %u region nodes for %u refs", p->name, nodes, refs);
}

static void check_no_overlap(const struct cfg_partition *p, const struct range_list *l)
{
	for (unsigned int i = 0; i < l->count; i++)
		for (unsigned int j = 0; j < i; j++)
			FUZZ_ASSERT(l->r[i].size == 0 || l->r[j].size == 0 ||
				    !ranges_overlap(l->r[i].base, l->r[i].size, l->r[j].base,
						    l->r[j].size),
				    "%s: %s 0x%llx+0x%llx overlaps %s 0x%llx+0x%llx", p->name,
				    l->what[i], (unsigned long long)l->r[i].base,
				    (unsigned long long)l->r[i].size, l->what[j],
				    (unsigned long long)l->r[j].base, (unsigned long long)l->r[j].size);
}

/* stdout-path names the vpl011 node, at the map's address. */
static void check_uart(const void *fdt, const struct cfg_partition *p)
{
	const char *path = str_prop(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path");
	int node = path ? fdt_path_offset(fdt, path) : -FDT_ERR_NOTFOUND, len;
	const fdt32_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;

	FUZZ_ASSERT(reg && len == 4 * 2 * ROOT_CELLS &&
		    cells(reg, ROOT_CELLS) == p->map.uart.base &&
		    cells(reg + ROOT_CELLS, ROOT_CELLS) == p->map.uart.size,
		    "%s: stdout-path %s is not the vpl011 at 0x%llx", p->name, path ? path : "(none)",
		    (unsigned long long)p->map.uart.base);
}

/* ------------------------------------------------------ merged partial tree */

static bool is_xen_prop(const char *name)
{
	return strncmp(name, "xen,", strlen("xen,")) == 0;
}

/* The next property of @node from offset @off on (or the first, @off < 0), skipping Xen's own. */
static int next_merged_prop(const void *fdt, int node, int off, bool skip_xen)
{
	const char *name;

	off = off < 0 ? fdt_first_property_offset(fdt, node) : fdt_next_property_offset(fdt, off);
	while (skip_xen && off >= 0 && fdt_getprop_by_offset(fdt, off, &name, NULL) &&
	       is_xen_prop(name))
		off = fdt_next_property_offset(fdt, off);
	return off;
}

/*
 * The guest's copy @g of partial-tree node @n (Xen's dom0less merge): the
 * same name, the same properties in order, without xen,* ones, and
 * interrupt-parent on the guest's GIC; the same children, recursively.
 */
static void check_merged_node(const char *who, const void *pfdt, int n, const void *gfdt, int g)
{
	int pl, gl, po = -1, go = -1, pc, gc;
	const char *pn = fdt_get_name(pfdt, n, &pl), *gn = fdt_get_name(gfdt, g, &gl);

	FUZZ_ASSERT(pn && gn && pl == gl && memcmp(pn, gn, (size_t)pl) == 0,
		    "%s: merged node %s is %s", who, pn ? pn : "?", gn ? gn : "?");
	for (;;) {
		po = next_merged_prop(pfdt, n, po, true);
		go = next_merged_prop(gfdt, g, go, false);
		if (po < 0 || go < 0)
			break;
		const char *pname, *gname;
		const void *pv = fdt_getprop_by_offset(pfdt, po, &pname, &pl);
		const void *gv = fdt_getprop_by_offset(gfdt, go, &gname, &gl);

		FUZZ_ASSERT(pv && gv && strcmp(pname, gname) == 0, "%s: %s: property %s became %s", who,
			    pn, pv ? pname : "?", gv ? gname : "?");
		if (strcmp(gname, "interrupt-parent") == 0)
			FUZZ_ASSERT(gl == 4 && fdt32_ld(gv) == GUEST_PHANDLE_GIC,
				    "%s: %s: interrupt-parent is not the guest's GIC", who, pn);
		else
			FUZZ_ASSERT(pl == gl && memcmp(pv, gv, (size_t)pl) == 0,
				    "%s: %s: %s changed in the merge", who, pn, pname);
	}
	FUZZ_ASSERT(po < 0 && go < 0, "%s: %s: %s properties than the partial tree's", who, pn,
		    po < 0 ? "more" : "fewer");
	pc = fdt_first_subnode(pfdt, n);
	gc = fdt_first_subnode(gfdt, g);
	for (; pc >= 0 && gc >= 0; pc = fdt_next_subnode(pfdt, pc), gc = fdt_next_subnode(gfdt, gc))
		check_merged_node(who, pfdt, pc, gfdt, gc);
	FUZZ_ASSERT(pc < 0 && gc < 0, "%s: %s: children differ in number", who, pn);
}

/* /aliases and /passthrough of the partial tree, as the guest's; phandles unique. */
static void check_merged(const void *fdt, const struct cfg_partition *p)
{
	static const char *const merged[] = { "aliases", "passthrough" };
	static uint32_t phandles[GUEST_FDT_MAX_SIZE / 16];
	unsigned int count = 0;
	int node, depth;

	for (unsigned int i = 0; i < ARRAY_SIZE(merged); i++) {
		int n = p->pt_fdt ? fdt_subnode_offset(p->pt_fdt, 0, merged[i]) : -FDT_ERR_NOTFOUND;
		int g = fdt_subnode_offset(fdt, 0, merged[i]);

		FUZZ_ASSERT((n >= 0) == (g >= 0), "%s: /%s in the guest tree %s", p->name, merged[i],
			    g >= 0 ? "from nowhere" : "missing");
		if (n >= 0)
			check_merged_node(p->name, p->pt_fdt, n, fdt, g);
	}
	/* No two children of a node with one name (DT spec 2.2.1): a path names one node. */
	for (node = 0, depth = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt, node, &depth)) {
		int a, b, la, lb;

		fdt_for_each_subnode(a, fdt, node) {
			const char *na = fdt_get_name(fdt, a, &la);

			for (b = fdt_next_subnode(fdt, a); b >= 0; b = fdt_next_subnode(fdt, b)) {
				const char *nb = fdt_get_name(fdt, b, &lb);

				FUZZ_ASSERT(la != lb || memcmp(na, nb, (size_t)la) != 0,
					    "%s: two nodes %s in the guest tree", p->name, na);
			}
		}
	}
	/* A phandle names one node (DT spec 2.3.3): the merged ones and Tessera's must not meet. */
	for (node = 0, depth = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt, node, &depth)) {
		uint32_t ph = fdt_get_phandle(fdt, node);

		if (ph == 0)
			continue;
		for (unsigned int i = 0; i < count; i++)
			FUZZ_ASSERT(phandles[i] != ph, "%s: phandle 0x%x twice in the guest tree",
				    p->name, ph);
		FUZZ_ASSERT(count < ARRAY_SIZE(phandles), "too many phandles");
		phandles[count++] = ph;
	}
}

/* What the tree says against what the configuration says. */
static void check_tree(const void *fdt, unsigned int part, uint64_t initrd, uint64_t initrd_size)
{
	const struct cfg_partition *p = &cfg.partitions[part];
	static struct range_list l;
	uint64_t ram = 0;
	int node;

	unsigned int memory_nodes = 0;

	l.count = 0;
	FUZZ_ASSERT(fdt_address_cells(fdt, 0) == ROOT_CELLS && fdt_size_cells(fdt, 0) == ROOT_CELLS,
		    "%s: root cells", p->name);
	fdt_for_each_subnode(node, fdt, 0) {
		const char *type = str_prop(fdt, node, "device_type");
		unsigned int first = l.count;

		const char *name = fdt_get_name(fdt, node, NULL);

		/* Tessera's own nodes: what a partial tree merges says what its author wrote. */
		if (fdt_getprop(fdt, node, "reg", NULL) == NULL || strcmp(name, "passthrough") == 0 ||
		    strcmp(name, "aliases") == 0)
			continue;
		add_reg_ranges(fdt, node, fdt_get_name(fdt, node, NULL), &l);
		if (!type || strcmp(type, "memory") != 0)
			continue;
		/* The banks of the partition's map, in order, and nothing else. */
		memory_nodes++;
		FUZZ_ASSERT(l.count - first == p->map.ram_count, "%s: %u RAM ranges, %u banks", p->name,
			    l.count - first, p->map.ram_count);
		for (unsigned int i = first; i < l.count; i++) {
			FUZZ_ASSERT(l.r[i].base == p->map.ram[i - first].base &&
				    l.r[i].size == p->map.ram[i - first].size,
				    "%s: RAM range %u is not bank %u", p->name, i - first, i - first);
			ram += l.r[i].size;
		}
	}
	FUZZ_ASSERT(memory_nodes == 1, "%s: %u memory nodes", p->name, memory_nodes);
	FUZZ_ASSERT(ram == p->mem_bytes, "%s: /memory says 0x%llx bytes, the configuration 0x%llx",
		    p->name, (unsigned long long)ram, (unsigned long long)p->mem_bytes);
	check_uart(fdt, p);
	check_cpus(fdt, p);
	check_chosen(fdt, p, initrd, initrd_size);
	check_regions(fdt, part, &l);
	check_no_overlap(p, &l);
	check_merged(fdt, p);
}

/*
 * core/partition.c: the DTB in the last GUEST_FDT_MAX_SIZE of the first RAM
 * bank, the initrd below it (a ramdisk that does not fit there stops the
 * partition from starting: the tree is then built without one).
 */
static void initrd_place(const struct cfg_partition *p, uint64_t *initrd, uint64_t *size)
{
	const struct cfg_range *bank = &p->map.ram[0];

	FUZZ_ASSERT(p->map.ram_count >= 1 && bank->size >= GUEST_FDT_MAX_SIZE,
		    "%s: first RAM bank 0x%llx bytes", p->name, (unsigned long long)bank->size);
	uint64_t dtb = bank->base + bank->size - GUEST_FDT_MAX_SIZE;

	*initrd = *size = 0;
	if (p->ramdisk.present && p->ramdisk.size <= dtb - bank->base) {
		*size = p->ramdisk.size;
		*initrd = align_down(dtb - *size, SZ_4K);
	}
}

static void build_partition(unsigned int part)
{
	const struct cfg_partition *p = &cfg.partitions[part];
	size_t bound = guest_fdt_size_bound(&cfg, part);
	uint64_t initrd, initrd_size;

	FUZZ_ASSERT(bound > 0 && bound <= GUEST_FDT_MAX_SIZE, "%s: bound %zu", p->name, bound);
	initrd_place(p, &initrd, &initrd_size);
	uint8_t *buf = out_buffer(bound);
	int rc = guest_fdt_build(buf, bound, &cfg, part, initrd, initrd_size);

	FUZZ_ASSERT(rc == 0, "%s: guest_fdt_build in its bound (%zu bytes): %d", p->name, bound, rc);
	int full = fdt_check_full(buf, bound);

	FUZZ_ASSERT(full == 0, "%s: fdt_check_full: %s", p->name, fdt_strerror(full));
	size_t total = fdt_totalsize(buf);

	FUZZ_ASSERT(total <= bound, "%s: %zu bytes over the bound %zu", p->name, total, bound);
	check_tree(buf, part, initrd, initrd_size);
	fuzz_count(FUZZ_TREES);
	/* One byte short: an error, and nothing that passes for a tree. */
	uint8_t *less = out_buffer(total - 1);

	rc = guest_fdt_build(less, total - 1, &cfg, part, initrd, initrd_size);
	FUZZ_ASSERT(rc == -TS_ENOMEM && fdt_check_header(less) != 0,
		    "%s: %zu bytes for a %zu-byte tree gave %d", p->name, total - 1, total, rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const void *fdt = fuzz_blob(data, size);
	struct host_dt h;

	if (fdt == NULL || fuzz_boot_parse(fdt, &h, &plat, &cfg, &errs) != 0)
		return 0;
	for (unsigned int part = 0; part < cfg.partition_count; part++)
		build_partition(part);
	return 0;
}
