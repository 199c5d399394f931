/*
 * Static shared-memory nodes ("xen,domain-shared-memory-v1"), in both
 * spellings DESIGN.md §4 accepts, told apart by the type of xen,shm-id:
 *   - the design's u32 id 0x0..0x126, xen,shared-mem = <host-PA size guest-PA>;
 *   - upstream Xen's string id (1..15 chars), xen,shared-mem =
 *     <host-PA guest-PA size> or <guest-PA size> (host range picked later).
 * Builds cfg.regions (one per id) and cfg.refs (one per node), and checks
 * the guest side of every mapping.  Host-side rules live in cfg_range.c.
 */
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "cfg_internal.h"
#include "public/guest_platform.h"

#define SHM_STRING_ID_MAX (CFG_SHM_ID_MAX - 1)

/* What one node says, before it is merged into a region. */
struct shm_node {
	char id[CFG_SHM_ID_MAX];
	bool id_is_u32;
	uint32_t id_u32;
	bool host_given;
	uint64_t host, size, guest;
	bool owner;
};

static bool read_u32_id(struct cfg_ctx *ctx, const char *path, uint32_t v, struct shm_node *n)
{
	if (v == CFG_SHM_INVALID_ID) {
		cfg_error(ctx->errs, path, "xen,shm-id", "0x%x is INVALID_SHMID, not a usable id", v);
		return false;
	}
	if (v > CFG_SHM_U32_ID_LAST) {
		cfg_error(ctx->errs, path, "xen,shm-id", "0x%x is above 0x%x", v, CFG_SHM_U32_ID_LAST);
		return false;
	}
	n->id_is_u32 = true;
	n->id_u32 = v;
	cfg_fmt_hex(n->id, v);      /* "0x%x" as guests see it (DESIGN.md §5): v <= 0x126 fits */
	return true;
}

/* A printable NUL-terminated string is checked first: "abc" is 4 bytes too. */
static bool read_shm_id(struct cfg_ctx *ctx, int node, const char *path, struct shm_node *n)
{
	int len;
	const char *val = cfg_getprop(ctx, node, "xen,shm-id", &len);

	if (!val) {
		cfg_error(ctx->errs, path, "xen,shm-id", "missing");
		return false;
	}
	if (cfg_is_string(val, len)) {
		if (len - 1 > SHM_STRING_ID_MAX) {
			cfg_error(ctx->errs, path, "xen,shm-id", "\"%s\" is %d characters, the limit is %d",
				  val, len - 1, SHM_STRING_ID_MAX);
			return false;
		}
		memcpy(n->id, val, (size_t)len);
		return true;
	}
	if (len == 1 && val[0] == '\0') {
		cfg_error(ctx->errs, path, "xen,shm-id", "empty string, expected 1 to %d characters",
			  SHM_STRING_ID_MAX);
		return false;
	}
	if (len == CFG_CELL_BYTES)
		return read_u32_id(ctx, path, (uint32_t)cfg_cells_value(val, 0, 1), n);
	cfg_error(ctx->errs, path, "xen,shm-id",
		  "%d bytes is neither a u32 nor a string of 1 to %d characters", len,
		  SHM_STRING_ID_MAX);
	return false;
}

/* Decode xen,shared-mem by spelling; cells come from the parent node. */
static bool decode_shared_mem(struct cfg_ctx *ctx, const char *path, const void *val, int len,
			      unsigned int ac, unsigned int sc, struct shm_node *n)
{
	int full = (int)((2 * ac + sc) * CFG_CELL_BYTES);
	int brief = (int)((ac + sc) * CFG_CELL_BYTES);

	n->host_given = true;
	if (n->id_is_u32 && len == full) {
		n->host = cfg_cells_value(val, 0, ac);
		n->size = cfg_cells_value(val, ac, sc);
		n->guest = cfg_cells_value(val, ac + sc, ac);
	} else if (n->id_is_u32) {
		cfg_error(ctx->errs, path, "xen,shared-mem",
			  "%d bytes is not <host-PA size guest-PA> in %u+%u+%u cells (%d bytes)",
			  len, ac, sc, ac, full);
		return false;
	} else if (len == full) {
		n->host = cfg_cells_value(val, 0, ac);
		n->guest = cfg_cells_value(val, ac, ac);
		n->size = cfg_cells_value(val, 2 * ac, sc);
	} else if (len == brief) {
		n->host_given = false;
		n->guest = cfg_cells_value(val, 0, ac);
		n->size = cfg_cells_value(val, ac, sc);
	} else {
		cfg_error(ctx->errs, path, "xen,shared-mem",
			  "%d bytes is neither <host-PA guest-PA size> (%d bytes) nor <guest-PA size> (%d bytes)",
			  len, full, brief);
		return false;
	}
	return true;
}

/* Page granularity and no wrap-around, for each address the node gives. */
static bool check_shared_mem(struct cfg_ctx *ctx, const char *path, const struct shm_node *n)
{
	static const char prop[] = "xen,shared-mem";
	bool ok = true;

	if (n->size == 0) {
		cfg_error(ctx->errs, path, prop, "size is 0");
		return false;
	}
	if (n->host_given && !is_aligned(n->host, CFG_PAGE_SIZE)) {
		cfg_error(ctx->errs, path, prop, "host address 0x%llx is not 4 KiB aligned",
			  (unsigned long long)n->host);
		ok = false;
	}
	if (!is_aligned(n->guest, CFG_PAGE_SIZE)) {
		cfg_error(ctx->errs, path, prop, "guest address 0x%llx is not 4 KiB aligned",
			  (unsigned long long)n->guest);
		ok = false;
	}
	if (!is_aligned(n->size, CFG_PAGE_SIZE)) {
		cfg_error(ctx->errs, path, prop, "size 0x%llx is not a multiple of 4 KiB",
			  (unsigned long long)n->size);
		ok = false;
	}
	if (n->host_given && cfg_range_overflows(n->host, n->size)) {
		cfg_error(ctx->errs, path, prop, "host range 0x%llx + 0x%llx overflows 64 bits",
			  (unsigned long long)n->host, (unsigned long long)n->size);
		ok = false;
	}
	if (cfg_range_overflows(n->guest, n->size)) {
		cfg_error(ctx->errs, path, prop, "guest range 0x%llx + 0x%llx overflows 64 bits",
			  (unsigned long long)n->guest, (unsigned long long)n->size);
		ok = false;
	}
	return ok;
}

static bool read_shared_mem(struct cfg_ctx *ctx, int node, const char *path, unsigned int ac,
			    unsigned int sc, struct shm_node *n)
{
	int len;
	const void *val = cfg_getprop(ctx, node, "xen,shared-mem", &len);

	if (!val) {
		cfg_error(ctx->errs, path, "xen,shared-mem", "missing");
		return false;
	}
	return decode_shared_mem(ctx, path, val, len, ac, sc, n) && check_shared_mem(ctx, path, n);
}

/* `role`: "owner" or "borrower"; absent means borrower (design doc). */
static bool read_role(struct cfg_ctx *ctx, int node, const char *path, struct shm_node *n)
{
	int len;
	const char *val = cfg_getprop(ctx, node, "role", &len);

	n->owner = false;
	if (!val)
		return true;
	bool is_str = len >= 1 && memchr(val, '\0', (size_t)len) == val + len - 1;
	if (is_str && strcmp(val, "owner") == 0) {
		n->owner = true;
		return true;
	}
	if (is_str && strcmp(val, "borrower") == 0)
		return true;
	if (is_str)
		cfg_error(ctx->errs, path, "role", "\"%s\" is not \"owner\" or \"borrower\"", val);
	else
		cfg_error(ctx->errs, path, "role", "not a string, expected \"owner\" or \"borrower\"");
	return false;
}

/* Keyed by the id guests see, so <0x1> and "0x1" name the same region. */
static int find_region(const struct config *cfg, const char *id)
{
	for (unsigned int r = 0; r < cfg->region_count; r++)
		if (strcmp(cfg->regions[r].id, id) == 0)
			return (int)r;
	return -1;
}

static int new_region(struct cfg_ctx *ctx, const char *path, const struct shm_node *n)
{
	struct config *cfg = ctx->cfg;

	if (cfg->region_count >= CFG_MAX_REGIONS) {
		cfg_error(ctx->errs, path, "xen,shm-id", "more than %u shared memory regions",
			  CFG_MAX_REGIONS);
		return -1;
	}
	struct cfg_shm_region *r = &cfg->regions[cfg->region_count];
	memset(r, 0, sizeof(*r));          /* cfg_parse() clears entries as they are taken */
	memcpy(r->id, n->id, sizeof(r->id));
	r->id_is_u32 = n->id_is_u32;
	r->id_u32 = n->id_u32;
	r->host_base = n->host_given ? n->host : 0;
	r->size = n->size;
	r->host_picked = !n->host_given;
	r->owner = CFG_OWNER_DOM_SHARED;
	memcpy(r->path, path, CFG_PATH_MAX);
	return (int)cfg->region_count++;
}

static void fmt_host(char *out, size_t max, bool given, uint64_t host)
{
	if (given)
		snprintf(out, max, "0x%llx", (unsigned long long)host);
	else
		snprintf(out, max, "unset");
}

/* Every node naming an id must agree on its host range and size. */
static bool region_matches(struct cfg_ctx *ctx, const char *path, struct cfg_shm_region *r,
			   const struct shm_node *n)
{
	char here[24], there[24];

	if (n->size == r->size && (!n->host_given || r->host_picked || n->host == r->host_base)) {
		if (n->host_given && r->host_picked) {   /* a later node names the host range */
			r->host_base = n->host;
			r->host_picked = false;
		}
		return true;
	}
	fmt_host(here, sizeof(here), n->host_given, n->host);
	fmt_host(there, sizeof(there), !r->host_picked, r->host_base);
	cfg_error(ctx->errs, path, "xen,shared-mem", "host %s size 0x%llx, but host %s size 0x%llx at %s",
		  here, (unsigned long long)n->size, there, (unsigned long long)r->size, r->path);
	return false;
}

static const struct cfg_shm_ref *find_ref(const struct config *cfg, unsigned int part,
					  unsigned int region, bool owner_only)
{
	for (unsigned int i = 0; i < cfg->ref_count; i++) {
		const struct cfg_shm_ref *f = &cfg->refs[i];
		if (f->region == region && (owner_only ? f->owner : f->partition == part))
			return f;
	}
	return NULL;
}

/* Per-(partition, region) rules, then record the reference. */
static void add_ref(struct cfg_ctx *ctx, const char *path, unsigned int part, unsigned int reg,
		    const struct shm_node *n)
{
	struct config *cfg = ctx->cfg;
	const struct cfg_shm_ref *dup = find_ref(cfg, part, reg, false);

	if (dup) {
		cfg_error(ctx->errs, path, "xen,shm-id", "%s is already shared with %s by %s", n->id,
			  cfg->partitions[part].name, dup->path);
		return;
	}
	if (n->owner && cfg->regions[reg].owner != CFG_OWNER_DOM_SHARED) {
		cfg_error(ctx->errs, path, "role", "%s already has an owner, %s", n->id,
			  find_ref(cfg, part, reg, true)->path);
		return;
	}
	if (cfg->ref_count >= CFG_MAX_SHM_REFS) {
		cfg_error(ctx->errs, path, "xen,shm-id", "more than %u shared memory references",
			  CFG_MAX_SHM_REFS);
		return;
	}
	struct cfg_shm_ref *f = &cfg->refs[cfg->ref_count++];
	memset(f, 0, sizeof(*f));
	f->partition = part;
	f->region = reg;
	f->guest_base = n->guest;
	f->owner = n->owner;
	memcpy(f->path, path, CFG_PATH_MAX);
	if (n->owner)
		cfg->regions[reg].owner = (int)part;
}

void cfg_parse_shm_node(struct cfg_ctx *ctx, int node, const char *path, unsigned int part,
			unsigned int ac, unsigned int sc)
{
	struct shm_node n = { 0 };

	/* Each property reports its own errors; all are read so all are seen. */
	bool ok = read_shm_id(ctx, node, path, &n);
	if (ok) {
		ok = read_shared_mem(ctx, node, path, ac, sc, &n);
	} else if (!cfg_getprop(ctx, node, "xen,shared-mem", NULL)) {
		/* Without a valid id the spelling is unknown: check presence only. */
		cfg_error(ctx->errs, path, "xen,shared-mem", "missing");
	}
	ok = read_role(ctx, node, path, &n) && ok;
	if (!ok)
		return;
	int reg = find_region(ctx->cfg, n.id);
	if (reg < 0)
		reg = new_region(ctx, path, &n);
	else if (!region_matches(ctx, path, &ctx->cfg->regions[reg], &n))
		return;
	if (reg >= 0)
		add_ref(ctx, path, part, (unsigned int)reg, &n);
}

/* @what is named by two pieces ("the GICv3", " distributor") to keep formatting off the common path. */
static void guest_overlap(struct cfg_ctx *ctx, const struct cfg_shm_ref *f, uint64_t size,
			  const char *what, const char *what2, const struct cfg_range *r)
{
	char mine[CFG_RANGE_STR], theirs[CFG_RANGE_STR];

	if (r->size == 0 || !ranges_overlap(f->guest_base, size, r->base, r->size))
		return;
	cfg_fmt_range(mine, f->guest_base, size);
	cfg_fmt_range(theirs, r->base, r->size);
	cfg_error(ctx->errs, f->path, "xen,shared-mem", "guest range %s overlaps %s%s %s", mine, what,
		  what2, theirs);
}

/* The partition's RAM banks and emulated devices (its struct cfg_guest_map). */
static void guest_overlap_map(struct cfg_ctx *ctx, const struct cfg_shm_ref *f, uint64_t size,
			      const struct cfg_guest_map *m)
{
	const char *gic = m->gic_version == 2 ? "the GICv2" : "the GICv3";

	for (unsigned int b = 0; b < m->ram_count; b++)
		guest_overlap(ctx, f, size, "guest RAM", "", &m->ram[b]);
	guest_overlap(ctx, f, size, gic, " distributor", &m->gicd);
	guest_overlap(ctx, f, size, gic, " redistributors", &m->gicr);
	guest_overlap(ctx, f, size, gic, " CPU interface", &m->gicc);
	guest_overlap(ctx, f, size, "the UART", "", &m->uart);
	guest_overlap(ctx, f, size, "the doorbell GPIO", "", &m->gpio);
	guest_overlap(ctx, f, size, "the control device", "", &m->ctl);
}

static void guest_within_ipa_space(struct cfg_ctx *ctx, const struct cfg_shm_ref *f, uint64_t size)
{
	unsigned int bits = cfg_ipa_bits(ctx->plat);
	char range[CFG_RANGE_STR];

	if (cfg_range_within(f->guest_base, size, 1ull << bits))
		return;
	cfg_fmt_range(range, f->guest_base, size);
	cfg_error(ctx->errs, f->path, "xen,shared-mem",
		  "guest range %s is beyond the %u-bit guest physical address space", range, bits);
}

/* Guest side of each mapping: in the IPA space, clear of the partition's RAM, devices and other regions. */
void cfg_check_shm_guest(struct cfg_ctx *ctx)
{
	const struct config *cfg = ctx->cfg;

	for (unsigned int i = 0; i < cfg->ref_count; i++) {
		const struct cfg_shm_ref *f = &cfg->refs[i];
		const struct cfg_partition *p = &cfg->partitions[f->partition];
		uint64_t size = cfg->regions[f->region].size;

		guest_within_ipa_space(ctx, f, size);
		guest_overlap_map(ctx, f, size, &p->map);
		for (unsigned int j = 0; j < i; j++) {
			const struct cfg_shm_ref *g = &cfg->refs[j];
			uint64_t gsize = cfg->regions[g->region].size;
			char mine[CFG_RANGE_STR], theirs[CFG_RANGE_STR];
			if (g->partition != f->partition ||
			    !ranges_overlap(f->guest_base, size, g->guest_base, gsize))
				continue;
			cfg_fmt_range(mine, f->guest_base, size);
			cfg_fmt_range(theirs, g->guest_base, gsize);
			cfg_error(ctx->errs, f->path, "xen,shared-mem",
				  "guest range %s overlaps %s of %s", mine, theirs, g->path);
		}
	}
}
