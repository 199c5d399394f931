/*
 * Configuration parser: reads the Xen dom0less description in /chosen
 * (DESIGN.md §4) into struct config, checks every rule against the platform
 * and places partitions in host RAM.  Pure C over libfdt, built for the
 * hypervisor and for host tests.  Errors are collected, never fatal, so the
 * user sees all of them at once.
 *
 * Passes: parse /chosen into structs (this file, cfg_shm.c), cross-node
 * rules (cfg_check.c, cfg_range.c, cfg_shm.c), then placement (cfg_place.c)
 * only when no rule failed, since placement trusts the ranges it is given.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "cfg_internal.h"

/*
 * The compatibles the parser tells nodes apart by, one bit each: a node's
 * list is read and matched once (compat_of) instead of once per test, each
 * a walk of the node's properties and of the list.  Module compatibles
 * come current and Xen 4.4 legacy (booting.txt).
 */
enum compat_bit {
	COMPAT_KERNEL = 1u << 0,     /* multiboot,kernel; xen,linux-zimage */
	COMPAT_RAMDISK = 1u << 1,    /* multiboot,ramdisk; xen,linux-initrd */
	COMPAT_GENERIC = 1u << 2,    /* multiboot,module; xen,multiboot-module */
	/* Specific modules Tessera does not use: never taken as a generic module. */
	COMPAT_OTHER = 1u << 3,      /* multiboot,device-tree; xen,xsm-policy */
	COMPAT_DTB = 1u << 4,        /* multiboot,device-tree */
	COMPAT_DOMAIN = 1u << 5,     /* xen,domain */
	COMPAT_SHM = 1u << 6,        /* xen,domain-shared-memory-v1 */
};

static const struct {
	const char *s;
	unsigned int len;            /* strlen(s) */
	unsigned int bits;
} compat_table[] = {
#define COMPAT(str, bits) { str, sizeof(str) - 1, bits }
	COMPAT("multiboot,kernel", COMPAT_KERNEL),
	COMPAT("xen,linux-zimage", COMPAT_KERNEL),
	COMPAT("multiboot,ramdisk", COMPAT_RAMDISK),
	COMPAT("xen,linux-initrd", COMPAT_RAMDISK),
	COMPAT("multiboot,module", COMPAT_GENERIC),
	COMPAT("xen,multiboot-module", COMPAT_GENERIC),
	COMPAT("multiboot,device-tree", COMPAT_OTHER | COMPAT_DTB),
	COMPAT("xen,xsm-policy", COMPAT_OTHER),
	COMPAT("xen,domain", COMPAT_DOMAIN),
	COMPAT("xen,domain-shared-memory-v1", COMPAT_SHM),
#undef COMPAT
};

/*
 * /chosen's nodes and properties, indexed once per parse: the parser asks
 * each node many questions (DESIGN §11).  Not reentrant: cfg_parse() runs
 * once at boot.
 */
static struct dt_index chosen_index TS_NOINIT;

void cfg_error(struct cfg_errors *errs, const char *path, const char *prop,
	       const char *fmt, ...)
{
	unsigned int n = errs->count++;
	va_list ap;

	if (n >= CFG_MAX_ERRORS)
		return;     /* counted, not kept (config.h) */
	char *line = errs->line[n];
	int used = snprintf(line, CFG_ERROR_LEN, "config: %s: %s: ", path, prop);
	if (used < 0 || used >= CFG_ERROR_LEN)
		return;     /* truncated: the reason does not fit */
	va_start(ap, fmt);
	vsnprintf(line + used, CFG_ERROR_LEN - (size_t)used, fmt, ap);
	va_end(ap);
}

/* Marks a node's memo (dt_index_memo) as holding its compat_of() bits. */
#define COMPAT_KNOWN (1u << 31)

/*
 * The compat_table bits of the strings in @node's compatible list,
 * remembered in the index: the parser asks twice per node.
 */
static unsigned int compat_of(const struct cfg_ctx *ctx, int node)
{
	uint32_t *memo = dt_index_memo(ctx->ix, ctx->fdt, node);
	if (memo && (*memo & COMPAT_KNOWN))
		return *memo & ~COMPAT_KNOWN;
	int len;
	const char *c = cfg_getprop(ctx, node, "compatible", &len);
	unsigned int bits = 0;

	for (int at = 0; c && at < len;) {
		const char *nul = memchr(c + at, '\0', (size_t)(len - at));
		if (!nul)
			break;                  /* an unterminated last string names nothing */
		unsigned int n = (unsigned int)(nul - (c + at));
		for (unsigned int i = 0; i < ARRAY_SIZE(compat_table); i++)
			if (compat_table[i].len == n && memcmp(compat_table[i].s, c + at, n) == 0)
				bits |= compat_table[i].bits;
		at += (int)n + 1;
	}
	if (memo)
		*memo = bits | COMPAT_KNOWN;
	return bits;
}

struct module_nodes {
	int kernel, ramdisk;
	int generic[2];     /* first two modules with only the generic compatible */
};

/* One explicit kernel/ramdisk per parent: a second one is an error. */
static void note_module(struct cfg_ctx *ctx, int *slot, int node, const char *parent_path,
			const char *what)
{
	char path[CFG_PATH_MAX], first[CFG_PATH_MAX];

	cfg_child_path(path, parent_path, dt_get_name(ctx->fdt, node, NULL));
	if (*slot < 0) {
		*slot = node;
		return;
	}
	cfg_child_path(first, parent_path, dt_get_name(ctx->fdt, *slot, NULL));
	cfg_error(ctx->errs, path, "compatible", "second %s module, %s is the first", what, first);
}

/*
 * A module with only the generic compatible that fills no slot: Xen would
 * look for an XSM policy in it, which Tessera does not support.
 */
static void unused_module(struct cfg_ctx *ctx, int node, const char *parent_path)
{
	char path[CFG_PATH_MAX];

	cfg_child_path(path, parent_path, dt_get_name(ctx->fdt, node, NULL));
	cfg_error(ctx->errs, path, "compatible",
		  "multiboot,module: the kernel and ramdisk are already given, and XSM policies "
		  "are not supported");
}

/*
 * Find the kernel and ramdisk modules under @parent, and check every
 * module node's properties and children.  As in Xen, modules with only
 * "multiboot,module" fill the kernel slot, then the ramdisk slot.
 */
static struct module_nodes find_modules(struct cfg_ctx *ctx, int parent, const char *parent_path)
{
	struct module_nodes m = { -1, -1, { -1, -1 } };
	char path[CFG_PATH_MAX];
	int node;

	cfg_for_each_child(node, ctx, parent) {
		unsigned int c = compat_of(ctx, node);
		if (c & COMPAT_KERNEL)
			note_module(ctx, &m.kernel, node, parent_path, "kernel");
		else if (c & COMPAT_RAMDISK)
			note_module(ctx, &m.ramdisk, node, parent_path, "ramdisk");
		else if (!(c & COMPAT_GENERIC) || (c & COMPAT_OTHER))
			continue;      /* not a module, a rejected one (cfg_props.c) or a device tree */
		else if (m.generic[0] < 0)
			m.generic[0] = node;
		else if (m.generic[1] < 0)
			m.generic[1] = node;
		else
			unused_module(ctx, node, parent_path);
		cfg_child_path(path, parent_path, dt_get_name(ctx->fdt, node, NULL));
		cfg_check_module_props(ctx, node, path);
		cfg_check_module_children(ctx, node, path);
	}
	for (int i = 0; i < 2 && m.generic[i] >= 0; i++) {
		if (m.kernel < 0)
			m.kernel = m.generic[i];
		else if (m.ramdisk < 0 && m.generic[i] != m.kernel)
			m.ramdisk = m.generic[i];
		else
			unused_module(ctx, m.generic[i], parent_path);
	}
	return m;
}

static void read_module(struct cfg_ctx *ctx, int node, const char *parent_path,
			unsigned int ac, unsigned int sc, struct cfg_module *mod)
{
	uint64_t base, size;

	cfg_child_path(mod->path, parent_path, dt_get_name(ctx->fdt, node, NULL));
	mod->present = true;
	if (cfg_read_reg(ctx, node, mod->path, ac, sc, &base, &size)) {
		mod->base = base;
		mod->size = size;
	}
}

/* memory / dom0_mem: non-zero and a whole number of 2 MiB stage-2 blocks. */
static bool check_mem(struct cfg_ctx *ctx, const char *path, const char *prop,
		      const char *label, uint64_t bytes)
{
	if (bytes == 0) {
		cfg_error(ctx->errs, path, prop, "%s is not a valid size", label);
		return false;
	}
	if (!is_aligned(bytes, CFG_RAM_ALIGN)) {
		cfg_error(ctx->errs, path, prop, "%s (0x%llx bytes) is not a multiple of 2 MiB",
			  label, (unsigned long long)bytes);
		return false;
	}
	return true;
}

static bool check_vcpus(struct cfg_ctx *ctx, const char *path, const char *prop,
			const char *label, uint64_t n)
{
	if (n == 0) {
		cfg_error(ctx->errs, path, prop, "%s is not a valid vCPU count", label);
		return false;
	}
	if (n > CFG_MAX_VCPUS) {
		cfg_error(ctx->errs, path, prop, "%s is above the limit of %u vCPUs", label,
			  CFG_MAX_VCPUS);
		return false;
	}
	return true;
}

static void parse_dom0_options(struct cfg_ctx *ctx, struct cfg_partition *p)
{
	static const char prop[] = "xen,xen-bootargs";
	char args[CFG_BOOTARGS_MAX] = "";
	char label[CFG_LABEL_MAX];   /* "dom0_mem=<value>", value cut short if absurd */
	const char *val;
	size_t len;
	uint64_t v;

	p->mem_bytes = CFG_DOM0_MEM_DEFAULT;
	p->vcpu_count = CFG_DOM0_VCPUS_DEFAULT;
	cfg_read_string(ctx, ctx->chosen, "/chosen", prop, args, sizeof(args));
	if (cfg_bootargs_find(args, "dom0_mem", &val, &len)) {
		snprintf(label, sizeof(label), "dom0_mem=%.*s", (int)len, val);
		p->mem_bytes = 0;
		if (!cfg_parse_size(val, len, &v))
			cfg_error(ctx->errs, "/chosen", prop, "%s is not a size", label);
		else if (check_mem(ctx, "/chosen", prop, label, v))
			p->mem_bytes = v;
	}
	if (cfg_bootargs_find(args, "dom0_max_vcpus", &val, &len)) {
		snprintf(label, sizeof(label), "dom0_max_vcpus=%.*s", (int)len, val);
		p->vcpu_count = 0;
		if (!cfg_parse_uint(val, len, &v))
			cfg_error(ctx->errs, "/chosen", prop, "%s is not a number", label);
		else if (check_vcpus(ctx, "/chosen", prop, label, v))
			p->vcpu_count = (unsigned int)v;
	}
}

/*
 * dom0's command line, in booting.txt's order: the kernel module's
 * bootargs, else /chosen xen,dom0-bootargs, else /chosen bootargs when
 * xen,xen-bootargs holds Xen's own.
 */
static void read_dom0_bootargs(struct cfg_ctx *ctx, int kernel, struct cfg_partition *p)
{
	if (cfg_getprop(ctx, kernel, "bootargs", NULL))
		cfg_read_string(ctx, kernel, p->kernel.path, "bootargs", p->bootargs,
				sizeof(p->bootargs));
	else if (cfg_getprop(ctx, ctx->chosen, "xen,dom0-bootargs", NULL))
		cfg_read_string(ctx, ctx->chosen, "/chosen", "xen,dom0-bootargs", p->bootargs,
				sizeof(p->bootargs));
	else if (cfg_getprop(ctx, ctx->chosen, "xen,xen-bootargs", NULL))
		cfg_read_string(ctx, ctx->chosen, "/chosen", "bootargs", p->bootargs,
				sizeof(p->bootargs));
}

/* A kernel module directly under /chosen makes dom0 (DESIGN.md §4). */
static void parse_dom0(struct cfg_ctx *ctx)
{
	struct module_nodes m = find_modules(ctx, ctx->chosen, "/chosen");

	if (m.kernel < 0) {
		if (m.ramdisk >= 0) {
			char path[CFG_PATH_MAX];
			cfg_child_path(path, "/chosen",
				       dt_get_name(ctx->fdt, m.ramdisk, NULL));
			cfg_error(ctx->errs, path, "compatible",
				  "a dom0 ramdisk needs a multiboot,kernel module under /chosen");
		}
		return;
	}
	struct cfg_partition *p = &ctx->cfg->partitions[ctx->cfg->partition_count++];
	memset(p, 0, sizeof(*p));          /* cfg_parse() clears entries as they are taken */
	ctx->has_dom0 = true;
	strcpy(p->name, "dom0");
	strcpy(p->path, "/chosen");
	p->id = CFG_DOM0_ID;
	p->control = true;              /* Xen's dom0 has every capability */
	read_module(ctx, m.kernel, "/chosen", ctx->chosen_ac, ctx->chosen_sc, &p->kernel);
	if (m.ramdisk >= 0)
		read_module(ctx, m.ramdisk, "/chosen", ctx->chosen_ac, ctx->chosen_sc, &p->ramdisk);
	parse_dom0_options(ctx, p);
	read_dom0_bootargs(ctx, m.kernel, p);
}

/* `memory`: KiB as a 64-bit value in two cells, as Xen reads it; one cell accepted. */
static void read_memory(struct cfg_ctx *ctx, int node, struct cfg_partition *p)
{
	int len;
	const void *val = cfg_getprop(ctx, node, "memory", &len);
	char label[32];

	if (!val) {
		cfg_error(ctx->errs, p->path, "memory", "missing");
		return;
	}
	if (cfg_is_string(val, len)) {
		cfg_error(ctx->errs, p->path, "memory",
			  "is a string (\"%s\"), expected a number of KiB in 1 or 2 cells",
			  (const char *)val);
		return;
	}
	if (len != CFG_CELL_BYTES && len != 2 * CFG_CELL_BYTES) {
		cfg_error(ctx->errs, p->path, "memory",
			  "%d bytes, expected a number of KiB in 1 or 2 cells (4 or 8 bytes)", len);
		return;
	}
	uint64_t kib = cfg_cells_value(val, 0, (unsigned int)len / CFG_CELL_BYTES);
	if (kib > (UINT64_MAX >> CFG_KIB_SHIFT)) {
		cfg_error(ctx->errs, p->path, "memory", "%llu KiB does not fit in 64 bits",
			  (unsigned long long)kib);
		return;
	}
	snprintf(label, sizeof(label), "%llu KiB", (unsigned long long)kib);
	if (check_mem(ctx, p->path, "memory", label, kib << CFG_KIB_SHIFT))
		p->mem_bytes = kib << CFG_KIB_SHIFT;
}

static void read_cpus(struct cfg_ctx *ctx, int node, struct cfg_partition *p)
{
	int len;
	const void *val = cfg_getprop(ctx, node, "cpus", &len);
	char label[16];

	p->vcpu_count = CFG_DEFAULT_VCPUS;
	if (!val)
		return;
	p->vcpu_count = 0;
	if (cfg_is_string(val, len)) {
		cfg_error(ctx->errs, p->path, "cpus", "is a string (\"%s\"), expected 1 cell",
			  (const char *)val);
		return;
	}
	if (len != CFG_CELL_BYTES) {
		cfg_error(ctx->errs, p->path, "cpus", "%d bytes, expected 1 cell (4 bytes)", len);
		return;
	}
	uint64_t n = cfg_cells_value(val, 0, 1);
	snprintf(label, sizeof(label), "%llu", (unsigned long long)n);
	if (check_vcpus(ctx, p->path, "cpus", label, n))
		p->vcpu_count = (unsigned int)n;
}

/*
 * `capabilities`, Xen's bit field (booting.txt): DOMAIN_CAPS_CONTROL makes a
 * control partition (docs/hypercalls.md); Tessera has no hardware or
 * xenstore domain, so those bits are refused, not ignored.
 */
static void read_capabilities(struct cfg_ctx *ctx, const struct cfg_domain_props *seen,
			      struct cfg_partition *p)
{
	int len = seen->capabilities_len;
	const void *val = seen->capabilities;

	if (!val)
		return;
	if (len != CFG_CELL_BYTES) {
		cfg_error(ctx->errs, p->path, "capabilities", "%d bytes, expected 1 cell (4 bytes)",
			  len);
		return;
	}
	uint32_t caps = (uint32_t)cfg_cells_value(val, 0, 1);
	if (caps & ~CFG_CAPS_CONTROL) {
		cfg_error(ctx->errs, p->path, "capabilities", "0x%x asks for %s: only 0x1 "
			  "(DOMAIN_CAPS_CONTROL) is supported", caps,
			  caps & CFG_CAPS_HARDWARE ? "a hardware domain (DOMAIN_CAPS_HARDWARE)" :
			  caps & CFG_CAPS_XENSTORE ? "a xenstore domain (DOMAIN_CAPS_XENSTORE)" :
			  "capabilities Xen does not define");
		return;
	}
	p->control = (caps & CFG_CAPS_CONTROL) != 0;
}

/* Optional Tessera pinning: one physical CPU per vCPU, checked in cfg_check.c. */
static void read_pinning(struct cfg_ctx *ctx, int node, unsigned int idx)
{
	struct cfg_partition *p = &ctx->cfg->partitions[idx];
	int len;
	const void *val = cfg_getprop(ctx, node, "tessera,cpus", &len);

	if (!val || p->vcpu_count == 0)
		return;
	if (len != (int)p->vcpu_count * CFG_CELL_BYTES) {
		cfg_error(ctx->errs, p->path, "tessera,cpus",
			  "%d bytes for %u vCPUs, expected one cell per vCPU (%u bytes)", len,
			  p->vcpu_count, p->vcpu_count * CFG_CELL_BYTES);
		return;
	}
	for (unsigned int v = 0; v < p->vcpu_count; v++)
		p->pcpu[v] = (unsigned int)cfg_cells_value(val, v, 1);
	ctx->pinned[idx] = true;
}

/*
 * xen,static-mem = <host-PA size> in the domain node's #address-cells /
 * #size-cells (Xen 4.17+); Xen's older #xen,static-mem-{address,size}-cells
 * take precedence when present.
 */
static void read_static_mem(struct cfg_ctx *ctx, int node, unsigned int idx,
			    unsigned int ac, unsigned int sc)
{
	static const char prop[] = "xen,static-mem";
	struct cfg_partition *p = &ctx->cfg->partitions[idx];
	int len;
	const void *val = cfg_getprop(ctx, node, prop, &len);

	if (!val)
		return;
	p->static_mem = true;
	bool own_ac = cfg_read_cells_prop(ctx, node, p->path, "#xen,static-mem-address-cells", &ac);
	bool own_sc = cfg_read_cells_prop(ctx, node, p->path, "#xen,static-mem-size-cells", &sc);
	if (ctx->cells_bad[idx] && !(own_ac && own_sc))
		return;
	int want = (int)((ac + sc) * CFG_CELL_BYTES);
	if (len != want) {
		cfg_error(ctx->errs, p->path, prop, "%d bytes is not %u address + %u size cells (%d bytes)",
			  len, ac, sc, want);
		return;
	}
	uint64_t base = cfg_cells_value(val, 0, ac), size = cfg_cells_value(val, ac, sc);
	if (size == 0) {
		cfg_error(ctx->errs, p->path, prop, "size is 0");
		return;
	}
	if (cfg_range_overflows(base, size)) {
		cfg_error(ctx->errs, p->path, prop, "0x%llx + 0x%llx overflows 64 bits",
			  (unsigned long long)base, (unsigned long long)size);
		return;
	}
	if (!is_aligned(base, CFG_RAM_ALIGN))
		cfg_error(ctx->errs, p->path, prop, "base 0x%llx is not 2 MiB aligned",
			  (unsigned long long)base);
	if (!is_aligned(size, CFG_RAM_ALIGN))
		cfg_error(ctx->errs, p->path, prop, "size 0x%llx is not a multiple of 2 MiB",
			  (unsigned long long)size);
	if (p->mem_bytes != 0 && size != p->mem_bytes)
		cfg_error(ctx->errs, p->path, prop, "size 0x%llx differs from memory (0x%llx bytes)",
			  (unsigned long long)size, (unsigned long long)p->mem_bytes);
	p->ram_base = base;
	ctx->static_size[idx] = size;
}

/* Xen requires #address-cells and #size-cells on a xen,domain node (booting.txt). */
static void read_domain_cells(struct cfg_ctx *ctx, int node, unsigned int idx,
			      unsigned int *ac, unsigned int *sc)
{
	const char *path = ctx->cfg->partitions[idx].path;
	static const char *const props[] = { "#address-cells", "#size-cells" };
	unsigned int *out[] = { ac, sc };

	for (unsigned int i = 0; i < ARRAY_SIZE(props); i++) {
		if (cfg_read_cells_prop(ctx, node, path, props[i], out[i]))
			continue;
		if (!cfg_getprop(ctx, node, props[i], NULL))
			cfg_error(ctx->errs, path, props[i],
				  "missing (Xen requires it on a xen,domain node)");
		ctx->cells_bad[idx] = true;
	}
}

/* The partial device tree of a domain (booting.txt "Device Assignment"): one at most. */
static void read_dtb_module(struct cfg_ctx *ctx, int node, struct cfg_partition *p,
			    unsigned int ac, unsigned int sc)
{
	char path[CFG_PATH_MAX];

	cfg_child_path(path, p->path, dt_get_name(ctx->fdt, node, NULL));
	cfg_check_module_props(ctx, node, path);
	cfg_check_module_children(ctx, node, path);
	if (p->dtb.present) {
		cfg_error(ctx->errs, path, "compatible",
			  "second multiboot,device-tree module, %s is the first", p->dtb.path);
		return;
	}
	read_module(ctx, node, p->path, ac, sc, &p->dtb);
}

static void parse_domain_children(struct cfg_ctx *ctx, int node, unsigned int idx,
				  unsigned int ac, unsigned int sc)
{
	struct cfg_partition *p = &ctx->cfg->partitions[idx];
	struct module_nodes m = find_modules(ctx, node, p->path);
	int child;

	if (m.kernel < 0) {
		cfg_error(ctx->errs, p->path, "multiboot,kernel", "missing: no kernel module");
	} else {
		read_module(ctx, m.kernel, p->path, ac, sc, &p->kernel);
		cfg_read_string(ctx, m.kernel, p->kernel.path, "bootargs", p->bootargs,
				sizeof(p->bootargs));
	}
	if (m.ramdisk >= 0)
		read_module(ctx, m.ramdisk, p->path, ac, sc, &p->ramdisk);
	cfg_for_each_child(child, ctx, node) {
		char path[CFG_PATH_MAX];
		if (!cfg_check_domain_child(ctx, child, p->path))
			continue;
		unsigned int c = compat_of(ctx, child);
		if (c & COMPAT_DTB)
			read_dtb_module(ctx, child, p, ac, sc);
		if (!(c & COMPAT_SHM))
			continue;
		cfg_child_path(path, p->path, dt_get_name(ctx->fdt, child, NULL));
		cfg_check_shm_props(ctx, child, path);
		cfg_parse_shm_node(ctx, child, path, idx, ac, sc);
	}
}

static void set_partition_name(struct cfg_ctx *ctx, struct cfg_partition *p, const char *name)
{
	size_t len = strlen(name);

	/* libfdt reads a node without a name (dtc writes none): nothing could name the partition. */
	if (len == 0)
		cfg_error(ctx->errs, p->path, "name", "empty: a partition is named by its node");
	if (len >= CFG_NAME_MAX) {
		cfg_error(ctx->errs, p->path, "name", "\"%s\" is longer than %u characters", name,
			  CFG_NAME_MAX - 1);
		len = CFG_NAME_MAX - 1;
	}
	memcpy(p->name, name, len);
	p->name[len] = '\0';
}

static void parse_domain(struct cfg_ctx *ctx, int node)
{
	struct config *cfg = ctx->cfg;
	const char *name = dt_get_name(ctx->fdt, node, NULL);
	char path[CFG_PATH_MAX];
	unsigned int ac = 0, sc = 0;

	cfg_child_path(path, "/chosen", name);
	if (cfg->partition_count >= CFG_MAX_PARTITIONS) {
		cfg_error(ctx->errs, path, "compatible", "more than %u partitions",
			  CFG_MAX_PARTITIONS);
		return;
	}
	unsigned int idx = cfg->partition_count++;
	struct cfg_partition *p = &cfg->partitions[idx];
	memset(p, 0, sizeof(*p));
	memcpy(p->path, path, sizeof(path));
	set_partition_name(ctx, p, name);
	/* dom0 is 0 and takes index 0; domUs are 1.. in DT order either way. */
	p->id = ctx->has_dom0 ? idx : idx + 1;
	struct cfg_domain_props seen;
	cfg_check_domain_props(ctx, node, p->path, &seen);
	read_memory(ctx, node, p);
	read_cpus(ctx, node, p);
	p->vpl011 = cfg_getprop(ctx, node, "vpl011", NULL) != NULL;
	p->direct_map = cfg_getprop(ctx, node, "direct-map", NULL) != NULL;
	read_capabilities(ctx, &seen, p);
	read_domain_cells(ctx, node, idx, &ac, &sc);
	read_static_mem(ctx, node, idx, ac, sc);
	read_pinning(ctx, node, idx);
	if (!ctx->cells_bad[idx])
		parse_domain_children(ctx, node, idx, ac, sc);
}

static void parse_chosen_shm(struct cfg_ctx *ctx, int node)
{
	char path[CFG_PATH_MAX];

	cfg_child_path(path, "/chosen", dt_get_name(ctx->fdt, node, NULL));
	if (!ctx->has_dom0) {
		cfg_error(ctx->errs, path, "compatible",
			  "shared memory under /chosen belongs to dom0, but there is no dom0 kernel");
		return;
	}
	cfg_check_shm_props(ctx, node, path);
	cfg_parse_shm_node(ctx, node, path, 0, ctx->chosen_ac, ctx->chosen_sc);
}

void cfg_parse_chosen(struct cfg_ctx *ctx)
{
	int node;

	ctx->chosen_ac = CFG_CHOSEN_AC_DEFAULT;
	ctx->chosen_sc = CFG_CHOSEN_SC_DEFAULT;
	cfg_read_cells_prop(ctx, ctx->chosen, "/chosen", "#address-cells", &ctx->chosen_ac);
	cfg_read_cells_prop(ctx, ctx->chosen, "/chosen", "#size-cells", &ctx->chosen_sc);
	cfg_check_chosen_props(ctx);
	parse_dom0(ctx);
	cfg_for_each_child(node, ctx, ctx->chosen) {
		if (!cfg_check_chosen_child(ctx, node))
			continue;
		unsigned int c = compat_of(ctx, node);
		if (c & COMPAT_DOMAIN)
			parse_domain(ctx, node);
		else if (c & COMPAT_SHM)
			parse_chosen_shm(ctx, node);
	}
}

int cfg_parse(const void *fdt, const struct cfg_platform *plat, struct config *cfg,
	      struct cfg_errors *errs)
{
	struct cfg_ctx ctx = { .fdt = fdt, .ix = &chosen_index, .plat = plat, .cfg = cfg,
			       .errs = errs };

	/*
	 * Each array's entries are cleared as they are taken: clearing all of
	 * struct config (about 240 KB) was a tenth of the boot (DESIGN §11).
	 */
	cfg->partition_count = cfg->region_count = cfg->ref_count = cfg->pt_device_count = 0;
	errs->count = 0;
	/*
	 * Fail closed on a damaged header.  The rest was checked by the caller:
	 * libfdt 1.6.1 loops for ever on a property length near 2^32, so boot
	 * calls cfg_parse() only on a tree boot/host_dt.c's walk accepted (no
	 * fdt_check_full: docs/fuzzing.md).  The parser checks every
	 * property's length and termination; tests/fuzz/fuzz_cfg.c holds it to that.
	 */
	if (fdt_check_header(fdt) != 0) {
		cfg_error(errs, "/", "fdt", "not a valid flattened device tree");
		return (int)errs->count;
	}
	ctx.cpu_count = plat->cpu_count < CFG_MAX_CPUS ? plat->cpu_count : CFG_MAX_CPUS;
	ctx.chosen = plat->chosen_hint > 0 ? plat->chosen_hint : fdt_path_offset(fdt, "/chosen");
	if (ctx.chosen < 0) {
		cfg_error(errs, "/", "chosen", "missing: no partition is configured");
		return (int)errs->count;
	}
	/* Boot indexed /chosen already (boot/platform.c); not built: look-ups walk the tree. */
	if (dt_index_holds(plat->chosen_index, fdt, ctx.chosen))
		ctx.ix = plat->chosen_index;
	else
		dt_index_build(&chosen_index, fdt, ctx.chosen);
	cfg_parse_chosen(&ctx);
	cfg_layout_partitions(&ctx);
	if (cfg->partition_count == 0)
		cfg_error(errs, "/chosen", "compatible",
			  "no xen,domain node and no dom0 multiboot,kernel module");
	cfg_check_partitions(&ctx);
	cfg_check_host_ranges(&ctx);
	cfg_check_shm_guest(&ctx);
	cfg_parse_passthrough(&ctx);
	if (errs->count == 0)
		cfg_place(&ctx);
	return (int)errs->count;
}
