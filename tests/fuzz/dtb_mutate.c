/*
 * A structure-aware mutator for libFuzzer (LLVMFuzzerCustomMutator): most
 * byte-level mutations of a DTB break its structure block, so the parsers
 * behind it would see little but malformed trees.  Here a sound tree is
 * edited with libfdt (properties set to edge values or deleted, nodes
 * added, removed, renamed (also to a sibling's name) or grafted from
 * another input), and some of the time its
 * bytes are corrupted where the walker and the parsers do arithmetic: a
 * property's length, a token, a header field.  Some of the time (each
 * harness says how often), and always for an input that is not a sound
 * tree, libFuzzer's own mutations run (LLVMFuzzerMutate: bit flips, the
 * dictionary, compared values).
 *
 * An input may carry, after the host DTB, the trees its boot modules hold
 * (fuzz_common.h: the partial device trees of passthrough): each edit
 * works on the host DTB or on one of those, as often as each other, and
 * leaves the rest as it was.
 *
 * "Sound" means boot/host_dt.c's walk accepts it: libfdt 1.6.1 can loop
 * for ever on a malformed structure block, so it never edits one.
 */
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "fuzz_common.h"
#include "types.h"

#define WORK_MAX        (2u * FUZZ_BLOB_MAX)
#define MAX_EDITS       4
#define GRAFT_DEPTH     3       /* levels copied by a cross-over */
#define VALUE_MAX       64
#define CHOSEN_ODDS     2       /* one edit in 2 stays under /chosen or /passthrough */
#define PERCENT         100u

static uint8_t work[WORK_MAX] __attribute__((aligned(8)));
static uint64_t rng_state;

/* xorshift64*: small, fast, and the same sequence from the same seed. */
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static unsigned int pick(unsigned int n)
{
	return n ? (unsigned int)(rng() % n) : 0;
}

static void rng_seed(unsigned int seed)
{
	rng_state = ((uint64_t)seed << 32) | 0x9e3779b9u;
	rng();
}

/* ----------------------------------------------------------- vocabulary */

/* The names dt/cfg_props.c's tables know (docs/configuration.md §11), and boot's. */
static const char *const prop_names[] = {
	"compatible", "memory", "cpus", "vpl011", "reg", "bootargs", "xen,static-mem",
	"tessera,cpus", "xen,shm-id", "xen,shared-mem", "role", "#address-cells",
	"#size-cells", "xen,xen-bootargs", "xen,dom0-bootargs", "#xen,static-mem-address-cells",
	"#xen,static-mem-size-cells", "direct-map", "device_type", "stdout-path", "status",
	"xen,enhanced", "domain-cpupool", "xen,passthrough", "interrupts", "ranges", "sve",
	"capabilities", "trap-unmapped-accesses", "passthrough", "nr_spis", "max_grant_frames",
	"max_grant_version", "max_maptrack_frames", "colors", "llc-colors", "xen,static-heap",
	"xen,domain-p2m-mem-mb", "xen,uefi-binary", "xen,uefi-cfg-load", "linux,phandle",
	"phandle", "xen,cpupool", "xen,evtchn-v1", "method",
	/* a partial device tree's (dt/cfg_passthrough.c) */
	"xen,reg", "xen,path", "xen,force-assign-without-iommu", "interrupt-parent",
	"interrupts-extended", "#interrupt-cells", "interrupt-controller", "serial0",
};

static const char *const strings[] = {
	"", "owner", "borrower", "abc", "xen,domain", "multiboot,kernel", "multiboot,ramdisk",
	"multiboot,module", "multiboot,device-tree", "xen,domain-shared-memory-v1",
	"my-shared-mem-0", "0123456789abcdefXYZ", "dom0_mem=3M dom0_max_vcpus=9", "dom0_mem=0x",
	"dom0_mem=99999999T", "dom0_mem=128M,max:256M", "memory", "okay", "disabled",
	"/pl011@9000000", "arm,gic-v3", "console=ttyAMA0 earlycon",
	"simple-bus", "/pl031@9010000", "/pl061@9030000", "/virtio_mmio@a003e00", "/intc@8000000",
	"/passthrough/rtc@9010000", "arm,pl031", "arm,gic-400",
};

static const uint32_t edge_cells[] = {
	0, 1, 2, 3, 4, 8, 9, 0x126, 0x127, 0x1000, 0x200000, 0x400000, 0x10000000, 0x40000000,
	0x40200000, 0x50000000, 0x60000000, 0x80000000, 0x90000000, 0xbfe00000, 0xc0000000,
	0xfffff000, 0xffe00000, 0xffffffff,
	/* passthrough: QEMU virt's devices, SPI numbers, Xen's GIC phandle and its neighbours */
	0x9010000, 0x9030000, 0xa003000, 0x8000000, 0x22000000, 0x3001000, 1, 2, 0x2f, 64, 65000,
	64999,
};

/* Lengths where 32-bit offset arithmetic wraps or nearly does. */
static const uint32_t edge_lens[] = {
	0, 1, 3, 4, 0x7fffffff, 0x80000000, 0xffffffec, 0xfffffff0, 0xfffffff4, 0xfffffff8,
	0xfffffffc, 0xffffffff,
};

static const char *const node_names[] = {
	"domU9", "shm", "module@0", "dom0", "k2", "chosen", "memory@0", "cpus", "", "a@b@c",
	"domU1-shared-mem@60000000", "passthrough", "aliases", "gic", "rtc@9010000",
};

/* ------------------------------------------------------------ selection */

/* A random node at or below @root (all of the tree from 0). */
static int random_node_under(const void *fdt, int root)
{
	int count = 0, depth = 0, node;

	for (node = root; node >= 0 && (node == root || depth > 0);
	     node = fdt_next_node(fdt, node, &depth))
		count++;
	int target = (int)pick((unsigned int)count);

	depth = 0;
	for (node = root; target > 0; target--)
		node = fdt_next_node(fdt, node, &depth);
	return node >= 0 ? node : root;
}

/* Half of the time under /chosen (a host tree) or /passthrough (a partial tree). */
static int random_node(const void *fdt)
{
	int focus = fdt_subnode_offset(fdt, 0, "chosen");

	if (focus < 0)
		focus = fdt_subnode_offset(fdt, 0, "passthrough");
	if (focus >= 0 && pick(CHOSEN_ODDS) == 0)
		return random_node_under(fdt, focus);
	return random_node_under(fdt, 0);
}

/* A random property offset of @node, or a negative libfdt error. */
static int random_prop(const void *fdt, int node)
{
	int prop, count = 0;

	fdt_for_each_property_offset(prop, fdt, node)
		count++;
	if (count == 0)
		return -FDT_ERR_NOTFOUND;
	int target = (int)pick((unsigned int)count);

	fdt_for_each_property_offset(prop, fdt, node)
		if (target-- == 0)
			return prop;
	return -FDT_ERR_NOTFOUND;
}

static int random_value(uint8_t *val)
{
	switch (pick(4)) {
	case 0: {
		const char *s = strings[pick(ARRAY_SIZE(strings))];
		size_t n = strlen(s) + 1;

		memcpy(val, s, n);
		return (int)n;
	}
	case 1:
	case 2: {
		unsigned int n = pick(7);

		for (unsigned int i = 0; i < n; i++) {
			fdt32_t c = cpu_to_fdt32(pick(4) ? edge_cells[pick(ARRAY_SIZE(edge_cells))]
							: (uint32_t)rng());
			memcpy(val + i * 4, &c, 4);
		}
		return (int)n * 4;
	}
	default: {
		int n = (int)pick(VALUE_MAX / 2);

		for (int i = 0; i < n; i++)
			val[i] = (uint8_t)rng();
		return n;
	}
	}
}

/* ---------------------------------------------------------- libfdt edits */

static void edit_setprop(void *fdt)
{
	uint8_t val[VALUE_MAX];
	int len = random_value(val);
	int node = random_node(fdt);
	int prop = random_prop(fdt, node);
	const char *name = prop_names[pick(ARRAY_SIZE(prop_names))];
	char copy[VALUE_MAX];

	if (prop >= 0 && pick(2)) {     /* an existing property gets a new value */
		fdt_getprop_by_offset(fdt, prop, &name, NULL);
		snprintf(copy, sizeof(copy), "%s", name ? name : "x");
		name = copy;
	}
	fdt_setprop(fdt, node, name, val, len);
}

/* One cell of an existing property nudged: addresses and sizes one off. */
static void edit_cell(void *fdt)
{
	int node = random_node(fdt), prop = random_prop(fdt, node), len;

	if (prop < 0)
		return;
	const char *name;
	const void *v = fdt_getprop_by_offset(fdt, prop, &name, &len);

	if (v == NULL || len < 4)
		return;
	void *cell = (uint8_t *)(uintptr_t)v + 4 * pick((unsigned int)len / 4);
	uint32_t c = fdt32_ld(cell);
	static const int32_t nudges[] = { 1, -1, 0x1000, -0x1000, 0x200000, -0x200000 };

	c = pick(3) ? c + (uint32_t)nudges[pick(ARRAY_SIZE(nudges))] :
		      edge_cells[pick(ARRAY_SIZE(edge_cells))];
	fdt32_st(cell, c);
}

static void edit_delprop(void *fdt)
{
	int node = random_node(fdt), prop = random_prop(fdt, node);
	const char *name;
	char copy[VALUE_MAX];

	if (prop < 0 || fdt_getprop_by_offset(fdt, prop, &name, NULL) == NULL || name == NULL)
		return;
	snprintf(copy, sizeof(copy), "%s", name);
	fdt_delprop(fdt, node, copy);
}

static void edit_node(void *fdt)
{
	int node = random_node(fdt);

	if (pick(2) && node > 0) {
		fdt_del_node(fdt, node);
		return;
	}
	int child = fdt_add_subnode(fdt, node, node_names[pick(ARRAY_SIZE(node_names))]);
	const char *compat = strings[pick(ARRAY_SIZE(strings))];

	if (child >= 0)
		fdt_setprop_string(fdt, child, "compatible", compat);
}

/*
 * A node renamed: to a name of the vocabulary or, half of the time, to a
 * sibling's, which libfdt's fdt_add_subnode() never makes: two nodes of
 * one name (a tree dtc would refuse, one a boot loader may still hand over).
 */
static void edit_rename(void *fdt)
{
	int node = random_node(fdt), parent = node > 0 ? fdt_parent_offset(fdt, node) : -1;
	const char *name = node_names[pick(ARRAY_SIZE(node_names))];
	char copy[VALUE_MAX];
	int sibling, len;

	if (parent < 0)
		return;
	if (pick(2)) {
		fdt_for_each_subnode(sibling, fdt, parent) {
			const char *s = fdt_get_name(fdt, sibling, &len);

			if (sibling != node && s && len > 0 && (size_t)len < sizeof(copy) && pick(2)) {
				memcpy(copy, s, (size_t)len + 1);
				name = copy;
				break;
			}
		}
	}
	fdt_set_name(fdt, node, name);
}

/* @src's node @from (and @depth levels below) as a new child of @to in @dst. */
static void graft(void *dst, int to, const void *src, int from, int depth)
{
	int len, prop, child;
	const char *name = fdt_get_name(src, from, &len);
	char copy[VALUE_MAX];

	if (name == NULL || len <= 0 || (size_t)len >= sizeof(copy))
		return;
	memcpy(copy, name, (size_t)len);
	copy[len] = '\0';
	int node = fdt_add_subnode(dst, to, copy);

	if (node < 0)
		return;
	fdt_for_each_property_offset(prop, src, from) {
		const void *v = fdt_getprop_by_offset(src, prop, &name, &len);

		if (v && name && fdt_setprop(dst, node, name, v, len) != 0)
			return;
		node = fdt_subnode_offset(dst, to, copy);   /* setprop moved what follows */
		if (node < 0)
			return;
	}
	if (depth == 0)
		return;
	fdt_for_each_subnode(child, src, from) {
		graft(dst, node, src, child, depth - 1);
		node = fdt_subnode_offset(dst, to, copy);
		if (node < 0)
			return;
	}
}

/* ----------------------------------------------------- byte corruptions */

static uint8_t *struct_at(void *fdt, int off)
{
	return (uint8_t *)fdt + fdt_off_dt_struct(fdt) + off;
}

/* A random token's offset, found with libfdt on the still sound tree. */
static int random_token(const void *fdt, uint32_t want_tag)
{
	int off = 0, next, count = 0, target = -1, found = -1;
	uint32_t tag;

	for (int pass = 0; pass < 2; pass++) {
		int seen = 0;

		off = 0;
		while ((tag = fdt_next_tag(fdt, off, &next)) != FDT_END && next >= 0) {
			if (want_tag == 0 || tag == want_tag) {
				if (pass == 1 && seen == target)
					found = off;
				seen++;
			}
			off = next;
		}
		count = seen;
		if (count == 0)
			return -1;
		target = (int)pick((unsigned int)count);
	}
	return found;
}

static void corrupt(void *fdt)
{
	switch (pick(5)) {
	case 0: {               /* a property's length */
		int at = random_token(fdt, FDT_PROP);

		if (at >= 0) {
			uint32_t len = pick(2) ? edge_lens[pick(ARRAY_SIZE(edge_lens))] :
						 fdt_size_dt_struct(fdt) - (uint32_t)at - pick(16);
			fdt32_st(struct_at(fdt, at + FDT_TAGSIZE), len);
		}
		break;
	}
	case 1: {               /* a property's name offset */
		int at = random_token(fdt, FDT_PROP);

		if (at >= 0)
			fdt32_st(struct_at(fdt, at + 2 * FDT_TAGSIZE),
				 pick(2) ? fdt_size_dt_strings(fdt) - pick(4) : (uint32_t)rng());
		break;
	}
	case 2: {               /* a token becomes another (or none) */
		int at = random_token(fdt, 0);

		if (at >= 0)
			fdt32_st(struct_at(fdt, at), pick(8) ? 1 + pick(9) : (uint32_t)rng());
		break;
	}
	case 3: {               /* a header field */
		static const uint32_t fields[] = {
			offsetof(struct fdt_header, totalsize), offsetof(struct fdt_header, off_dt_struct),
			offsetof(struct fdt_header, off_dt_strings),
			offsetof(struct fdt_header, off_mem_rsvmap), offsetof(struct fdt_header, version),
			offsetof(struct fdt_header, size_dt_strings),
			offsetof(struct fdt_header, size_dt_struct),
		};
		uint32_t field = fields[pick(ARRAY_SIZE(fields))];
		uint8_t *p = (uint8_t *)fdt + field;
		uint32_t v = fdt32_ld((const fdt32_t *)p);

		v = pick(2) ? v + (uint32_t)(int32_t)(pick(17) - 8) : edge_lens[pick(ARRAY_SIZE(edge_lens))];
		fdt32_st(p, v);
		break;
	}
	default: {              /* one bit anywhere in the structure block */
		uint32_t size = fdt_size_dt_struct(fdt);

		if (size)
			*struct_at(fdt, (int)pick(size)) ^= (uint8_t)(1u << pick(8));
		break;
	}
	}
}

/* -------------------------------------------------------------- driving */

/*
 * A tree libfdt may edit: its bytes are all there, the walk accepts it
 * (after which fdt_check_full cannot loop) and so does fdt_check_full,
 * which also checks the blocks the walk does not read (fdt_open_into
 * trusts their sizes).
 */
static bool sound(const uint8_t *data, size_t size)
{
	struct host_dt h;

	if (size < sizeof(struct fdt_header) || fdt_totalsize(data) > size)
		return false;
	host_dt_scan(data, &h);
	return !h.malformed && fdt_check_full(data, size) == 0;
}

/*
 * An input's pieces (fuzz_common.h): the host DTB, then the tail's trees,
 * each at an 8-byte boundary.  A tree that does not say its length (not a
 * DTB) runs to the end of the input.
 */
struct piece {
	size_t at, len;
};

static unsigned int split(const uint8_t *data, size_t size, struct piece *p, unsigned int max)
{
	size_t at = fuzz_tail_offset(data, size);
	unsigned int n = 0;

	if (at == size && (size < sizeof(struct fdt_header) || fdt_totalsize(data) > size))
		return 0;                            /* no DTB at all */
	p[n++] = (struct piece){ 0, fdt_totalsize(data) };
	while (at < size && n < max) {
		size_t left = size - at, len = left;

		if (left >= sizeof(struct fdt_header) && fdt_magic(data + at) == FDT_MAGIC &&
		    fdt_totalsize(data + at) >= sizeof(struct fdt_header) &&
		    fdt_totalsize(data + at) <= left)
			len = fdt_totalsize(data + at);
		p[n++] = (struct piece){ at, len };
		at += align_up(len, FDT_ALIGNMENT);
	}
	return n;
}

/* The tree in @work, packed, in place of piece @p of @data; the new size, or 0. */
static size_t replace_piece(uint8_t *data, size_t size, size_t max_size, struct piece p)
{
	static uint8_t rest[FUZZ_BLOB_MAX];
	size_t after = align_up(p.at + p.len, FDT_ALIGNMENT);
	size_t rest_len = after < size ? size - after : 0;
	size_t len = fdt_totalsize(work), padded = align_up(len, FDT_ALIGNMENT);

	if (rest_len > sizeof(rest) || p.at + (rest_len ? padded : len) + rest_len > max_size)
		return 0;
	memcpy(rest, data + after, rest_len);
	memcpy(data + p.at, work, len);
	memset(data + p.at + len, 0, rest_len ? padded - len : 0);
	memcpy(data + p.at + (rest_len ? padded : len), rest, rest_len);
	return p.at + (rest_len ? padded : len) + rest_len;
}

/* Edits, then maybe a corruption, of the sound tree in @work. */
static void edit_work(void)
{
	for (unsigned int n = 1 + pick(MAX_EDITS); n > 0; n--) {
		switch (pick(12)) {
		case 0: case 1: edit_setprop(work); break;
		case 2: case 3: edit_cell(work); break;
		case 4: case 5: edit_delprop(work); break;
		case 6: fdt_set_boot_cpuid_phys(work, pick(FUZZ_PLATFORMS)); break;
		case 7: edit_rename(work); break;
		default: edit_node(work); break;
		}
	}
	if (fdt_pack(work) == 0 && pick(PERCENT) < fuzz_corrupt_percent)
		corrupt(work);   /* last: the tree may be malformed from here on */
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	struct piece pieces[1 + FUZZ_MODULE_READS];

	rng_seed(seed);
	unsigned int n = split(data, size, pieces, ARRAY_SIZE(pieces));
	/* The host DTB, or one of the tail's trees (the modules), as often as each other. */
	struct piece p = n == 0 ? (struct piece){ 0, size } :
		         pieces[n > 1 && pick(2) ? 1 + pick(n - 1) : 0];
	size_t out = 0;

	if (n > 0 && pick(PERCENT) >= fuzz_libfuzzer_percent && sound(data + p.at, p.len) &&
	    fdt_open_into(data + p.at, work, (int)sizeof(work)) == 0) {
		edit_work();
		out = replace_piece(data, size, max_size, p);
	}
	return out ? out : LLVMFuzzerMutate(data, size, max_size);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
				 size_t size2, uint8_t *out, size_t max_out_size, unsigned int seed)
{
	struct piece a[1 + FUZZ_MODULE_READS], b[1 + FUZZ_MODULE_READS];
	unsigned int na = split(data1, size1, a, ARRAY_SIZE(a));
	unsigned int nb = split(data2, size2, b, ARRAY_SIZE(b));

	rng_seed(seed);
	if (na == 0 || nb == 0 || size1 > max_out_size)
		return 0;
	memcpy(out, data1, size1);
	/* Host DTBs with host DTBs, partial trees with partial trees. */
	unsigned int i = na > 1 && nb > 1 && pick(2) ? 1 + pick(na - 1) : 0;
	unsigned int j = i ? 1 + pick(nb - 1) : 0;

	if (i > 0 && pick(2)) {         /* the other input's module as is */
		if (!sound(data2 + b[j].at, b[j].len) ||
		    fdt_open_into(data2 + b[j].at, work, (int)sizeof(work)) != 0)
			return 0;
		return replace_piece(out, size1, max_out_size, a[i]);
	}
	if (!sound(data1 + a[i].at, a[i].len) || !sound(data2 + b[j].at, b[j].len) ||
	    fdt_open_into(data1 + a[i].at, work, (int)sizeof(work)) != 0)
		return 0;
	const void *src = data2 + b[j].at;
	int from = random_node(src);

	graft(work, random_node(work), src, from > 0 ? from : 0, GRAFT_DEPTH);
	if (fdt_pack(work) != 0)
		return 0;
	return replace_piece(out, size1, max_out_size, a[i]);
}
