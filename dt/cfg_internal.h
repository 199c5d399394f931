#pragma once
/*
 * Private to dt/cfg*.c: the parse context shared by the configuration
 * parser's passes (read /chosen, cross-node rules, placement) and the small
 * device-tree property helpers they use.
 */
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dt_read.h"
#include "types.h"

#define CFG_RAM_ALIGN       0x200000ull      /* 2 MiB: partition RAM granule (stage-2 block) */
#define CFG_BLOCK_1G        0x40000000ull    /* 1 GiB: preferred for big placements */
#define CFG_PAGE_SIZE       0x1000ull        /* 4 KiB: shared-memory granule */
#define CFG_KIB_SHIFT       10
#define CFG_DOM0_MEM_DEFAULT 0x20000000ull   /* dom0_mem= absent: 512 MiB, as Xen on Arm */
#define CFG_DOM0_VCPUS_DEFAULT 1u
#define CFG_DEFAULT_VCPUS   1u               /* `cpus` absent */
#define CFG_CELL_BYTES      4
#define CFG_MAX_CELLS       2                /* values are read as 64-bit */
#define CFG_CHOSEN_AC_DEFAULT 2u             /* DT spec defaults for #address-cells ... */
#define CFG_CHOSEN_SC_DEFAULT 1u             /* ... and #size-cells when absent */

#define CFG_RANGE_STR       48               /* "0x<16>-0x<16>" plus slack */
#define CFG_HEX_STR         19               /* "0x<16>" and the NUL */
#define CFG_LABEL_MAX       64               /* a value quoted in a message */

/* Everything a pass needs; lives on the caller's stack for one cfg_parse(). */
struct cfg_ctx {
	const void *fdt;
	struct dt_index *ix;                    /* /chosen's subtree, read once (dt_read.h) */
	const struct cfg_platform *plat;
	struct config *cfg;
	struct cfg_errors *errs;
	int chosen;                                   /* offset of /chosen */
	unsigned int chosen_ac, chosen_sc;            /* /chosen's #address-cells/#size-cells */
	unsigned int cpu_count;                       /* min(plat->cpu_count, CFG_MAX_CPUS) */
	bool has_dom0;
	bool pinned[CFG_MAX_PARTITIONS];              /* tessera,cpus given and well formed */
	bool cells_bad[CFG_MAX_PARTITIONS];           /* children unreadable: skip dependent rules */
	uint64_t static_size[CFG_MAX_PARTITIONS];     /* xen,static-mem size, 0 when absent/bad */
	bool placed[CFG_MAX_PARTITIONS];              /* ram_base chosen by placement */
	bool region_placed[CFG_MAX_REGIONS];          /* host_base chosen by placement */
};

/* One range that host memory users must not share (see cfg_range.c). */
enum cfg_occ_kind { CFG_OCC_RESERVED, CFG_OCC_MODULE, CFG_OCC_STATIC, CFG_OCC_RAM, CFG_OCC_REGION };

struct cfg_occ {
	enum cfg_occ_kind kind;
	uint64_t base;
	uint64_t size;
	const char *path;       /* node path; NULL for a platform reserved range */
	const char *prop;       /* property that placed it there */
	const char *what;       /* how messages name it: "", "host range " */
};

/* @node's property @name through the index of /chosen (dt_index_getprop). */
static inline const void *cfg_getprop(const struct cfg_ctx *ctx, int node, const char *name,
				      int *lenp)
{
	return dt_index_getprop(ctx->ix, ctx->fdt, node, name, lenp);
}

#define cfg_for_each_child(node, ctx, parent) \
	dt_index_for_each_subnode(node, (ctx)->ix, (ctx)->fdt, parent)

/* cfg_fdt.c: property access */
bool cfg_is_string(const void *val, int len);
int cfg_child_path(char *out, const char *parent, const char *name);
bool cfg_compatible(const void *fdt, int node, const char *compat);
bool cfg_read_cells_prop(struct cfg_ctx *ctx, int node, const char *path,
			 const char *prop, unsigned int *out);
uint64_t cfg_cells_value(const void *val, unsigned int idx, unsigned int cells);
bool cfg_read_reg(struct cfg_ctx *ctx, int node, const char *path,
		  unsigned int ac, unsigned int sc, uint64_t *base, uint64_t *size);
bool cfg_read_string(struct cfg_ctx *ctx, int node, const char *path,
		     const char *prop, char *out, size_t max);
void cfg_fmt_range(char *out, uint64_t base, uint64_t size);
void cfg_fmt_hex(char *out, uint64_t v);
bool cfg_range_overflows(uint64_t base, uint64_t size);

/* cfg_props.c: every property and compatible of Xen's booting.txt judged */
void cfg_check_chosen_props(struct cfg_ctx *ctx);
/* A domain's properties the parser reads while they are walked for the check (one pass). */
struct cfg_domain_props {
	const void *capabilities;     /* NULL when absent */
	int capabilities_len;
};
void cfg_check_domain_props(struct cfg_ctx *ctx, int node, const char *path,
			    struct cfg_domain_props *seen);
void cfg_check_module_props(struct cfg_ctx *ctx, int node, const char *path);
void cfg_check_shm_props(struct cfg_ctx *ctx, int node, const char *path);
bool cfg_check_domain_child(struct cfg_ctx *ctx, int node, const char *parent_path);
bool cfg_check_chosen_child(struct cfg_ctx *ctx, int node);
void cfg_check_module_children(struct cfg_ctx *ctx, int node, const char *path);

/* cfg.c: partitions and modules from /chosen */
void cfg_parse_chosen(struct cfg_ctx *ctx);

/* cfg_bootargs.c: dom0_mem= / dom0_max_vcpus= in xen,xen-bootargs */
bool cfg_parse_size(const char *s, size_t len, uint64_t *bytes);
bool cfg_parse_uint(const char *s, size_t len, uint64_t *val);
bool cfg_bootargs_find(const char *args, const char *key, const char **val, size_t *len);

/* cfg_shm.c: shared-memory nodes and guest-side rules */
void cfg_parse_shm_node(struct cfg_ctx *ctx, int node, const char *path,
			unsigned int part, unsigned int ac, unsigned int sc);
void cfg_check_shm_guest(struct cfg_ctx *ctx);

/* cfg_range.c: host ranges, RAM containment, overlaps, free RAM */
unsigned int cfg_occ_count(const struct cfg_ctx *ctx);
bool cfg_occ_get(const struct cfg_ctx *ctx, unsigned int i, struct cfg_occ *occ);
bool cfg_in_ram(const struct cfg_platform *plat, uint64_t base, uint64_t size);
void cfg_check_host_ranges(struct cfg_ctx *ctx);
void cfg_free_ram(const struct cfg_ctx *ctx, uint64_t *total, uint64_t *largest);

/* cfg_layout.c: each partition's guest map (struct cfg_guest_map) */
void cfg_layout_partitions(struct cfg_ctx *ctx);
unsigned int cfg_ipa_bits(const struct cfg_platform *plat);
/* [base, base+size) ends at or below @limit, without wrapping. */
bool cfg_range_within(uint64_t base, uint64_t size, uint64_t limit);

/* cfg_passthrough.c: partial device trees, passed-through ranges and SPIs */
void cfg_parse_passthrough(struct cfg_ctx *ctx);

/* cfg_check.c: partition-level cross-node rules */
void cfg_check_partitions(struct cfg_ctx *ctx);

/* cfg_place.c: host RAM placement after the rules pass */
void cfg_place(struct cfg_ctx *ctx);
