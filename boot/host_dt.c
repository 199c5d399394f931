/*
 * One walk over the host DT's structure block, remembering where the
 * top-level nodes boot needs are.  libfdt's look-ups by path, compatible or
 * parent each walk the tree from the start, and QEMU's virt DT has about a
 * hundred nodes: done per question, that was most of the boot time
 * (DESIGN §11).
 *
 * The same walk checks the block's grammar (DT spec v0.4 §5.4), so that no
 * libfdt function ever sees a malformed block: libfdt 1.6.1's fdt_next_tag
 * adds a property's length to an int offset, and a length near 2^32 brings
 * it back onto the same tag, so every walk over that property (fdt_getprop,
 * fdt_next_node, fdt_check_full itself) loops for ever.  Offsets here are
 * 64-bit sums of 32-bit fields, compared against the block's size before
 * anything is read: none can wrap.  docs/fuzzing.md has the reasoning and
 * tests/fuzz/fuzz_host_dt.c holds the walker to it.
 */
#include <libfdt.h>
#include <string.h>

#include "dt_read.h"
#include "gic_dt.h"
#include "host_dt.h"
#include "types.h"

/* DT spec §5.2: the versions whose structure block the walk reads, and the first with its size. */
#define HOST_DT_VERSION_MIN    16u
#define HOST_DT_VERSION_SIZED  17u

/* DT spec §5.4.1: FDT_PROP is followed by its value length and name offset. */
#define FDT_PROP_HEADER  (2u * sizeof(fdt32_t))

/* Every GIC the driver knows, or refuses by name (gic/gic.c). */
static const char *const gic_compatibles[] = { GIC_DT_V3, GIC_DT_V2_VIRT, GIC_DT_V2_PLAIN };

static bool is_gic(const void *fdt, int node)
{
	int len;
	const char *compat = dt_getprop(fdt, node, "compatible", &len);
	for (unsigned int i = 0; compat && i < ARRAY_SIZE(gic_compatibles); i++)
		if (fdt_stringlist_contains(compat, len, gic_compatibles[i]))
			return true;
	return false;
}

/* @name (@len bytes, no NUL needed) is @want, with or without a unit address. */
static bool name_is(const char *name, size_t len, const char *want)
{
	size_t n = strlen(want);

	return len >= n && memcmp(name, want, n) == 0 && (len == n || name[n] == '@');
}

/* Called only once the whole block passed the walk: libfdt is safe on it. */
static void host_dt_note(const void *fdt, int node, const char *name, size_t len,
			 struct host_dt *h)
{
	/* Most top-level nodes are devices we do not need: one test rejects them. */
	if (len == 0 || !strchr("cprmi", name[0]))
		return;
	if (name_is(name, len, "chosen")) {
		h->chosen = node;
	} else if (name_is(name, len, "cpus")) {
		h->cpus = node;
	} else if (name_is(name, len, "psci")) {
		h->psci = node;
	} else if (name_is(name, len, "reserved-memory")) {
		h->reserved = node;
	} else if (name_is(name, len, "memory")) {
		int type_len;
		const char *type = fdt_getprop(fdt, node, "device_type", &type_len);
		/* The value's own bytes: strcmp would read on into the padding. */
		if (type && type_len == sizeof("memory") && memcmp(type, "memory", sizeof("memory")) == 0 &&
		    h->memory_count < HOST_DT_MAX_MEMORY)
			h->memory[h->memory_count++] = node;
	} else if (h->gic < 0 && (name_is(name, len, "intc") || name_is(name, len, "interrupt-controller")) &&
		   is_gic(fdt, node)) {
		h->gic = node;
		h->gic_parent = 0;
	}
}

/* /chosen's subtree, indexed once for boot_memory() and cfg_parse(). */
static struct dt_index chosen_index TS_NOINIT;

/* The top-level node a path like "/pl011@9000000" names, without another walk. */
int host_dt_top_node(const void *fdt, const struct host_dt *h, const char *path, size_t len)
{
	if (len < 2 || path[0] != '/' || memchr(path + 1, '/', len - 1))
		return -FDT_ERR_NOTFOUND;
	(void)fdt;
	for (unsigned int i = 0; i < h->top_count; i++)
		if ((size_t)h->top_len[i] == len - 1 && memcmp(h->top_name[i], path + 1, len - 1) == 0)
			return h->top[i];
	return -FDT_ERR_NOTFOUND;
}

/*
 * An alias's node (DT spec §3.3).  libfdt's own look-up, in
 * fdt_path_offset(), takes an alias's value for a path that may itself
 * start with an alias, and recurses for ever on one naming itself (found
 * by fuzz_host_dt: the EL2 stack overflowed before the console existed).
 * Here the value must be a full path, as the spec says, and a terminated
 * string.
 */
static int host_dt_alias_node(const void *fdt, const char *name, size_t len)
{
	int aliases = fdt_subnode_offset(fdt, 0, "aliases"), vlen;
	const char *value = aliases < 0 ? NULL :
				fdt_getprop_namelen(fdt, aliases, name, (int)len, &vlen);

	if (value == NULL || vlen < 2 || value[0] != '/' || memchr(value, '\0', (size_t)vlen) == NULL)
		return -FDT_ERR_BADPATH;
	return fdt_path_offset(fdt, value);
}

int host_dt_path_node(const void *fdt, const char *path, size_t len)
{
	if (len == 0)
		return -FDT_ERR_BADPATH;
	if (path[0] == '/')
		return fdt_path_offset_namelen(fdt, path, (int)len);
	const char *end = path + len, *p = memchr(path, '/', len);
	int node = host_dt_alias_node(fdt, path, (size_t)((p ? p : end) - path));

	while (node >= 0 && p != NULL && p < end) {     /* "alias/child/...": one name a step */
		const char *name = p + 1, *next = memchr(name, '/', (size_t)(end - name));
		const char *stop = next ? next : end;
		if (stop > name)
			node = fdt_subnode_offset_namelen(fdt, node, name, (int)(stop - name));
		p = next;
	}
	return node;
}

static void host_dt_add_top(struct host_dt *h, uint64_t at, const char *name, size_t len)
{
	if (h->top_count == HOST_DT_MAX_TOP) {
		h->top_truncated = true;
		return;
	}
	h->top_name[h->top_count] = name;
	h->top_len[h->top_count] = (int)len;
	h->top[h->top_count++] = (int)at;
}

/* The structure block as the walk reads it. */
struct dt_block {
	const char *base;
	uint64_t size;
	uint64_t strings_size;          /* a property's name offset must be below it */
};

/*
 * The structure block: where it is and how long.  Version 16 headers have
 * no size_dt_struct (DT spec §5.2): the block may then run to the end of
 * the blob, as libfdt assumes too.  Before version 16 the block had other
 * rules (libfdt aligns a property value of 8 bytes or more to 8): those
 * are not read at all.  The block starts 4-byte aligned (DT spec §5.4).
 * 0 when the header puts the block elsewhere.
 */
static uint64_t host_dt_struct_size(const void *fdt)
{
	uint64_t total = fdt_totalsize(fdt), off = fdt_off_dt_struct(fdt);
	uint64_t size = fdt_version(fdt) >= HOST_DT_VERSION_SIZED ? fdt_size_dt_struct(fdt) :
								      total - off;

	if (fdt_version(fdt) < HOST_DT_VERSION_MIN ||
	    !is_aligned((uintptr_t)fdt + off, FDT_TAGSIZE))
		return 0;
	return off <= total && size <= total - off && size <= INT32_MAX ? size : 0;
}

/*
 * The strings block inside the blob and ending in a NUL: then every name
 * offset below its size starts a terminated name (DT spec §5.5), and one
 * comparison per property checks it.  The strings block's size, or 0.
 */
static uint64_t host_dt_strings_size(const void *fdt)
{
	uint64_t total = fdt_totalsize(fdt), off = fdt_off_dt_strings(fdt);
	uint64_t size = fdt_size_dt_strings(fdt);

	if (off > total || size > total - off || size == 0)
		return 0;
	return ((const char *)fdt)[off + size - 1] == '\0' ? size : 0;
}

/*
 * The memory reservation block (DT spec §5.3): entries of an address and a
 * size, ended by one whose size is 0, all inside the blob.  Boot reserves
 * what it lists: an unended list would be skipped without a word.
 */
static bool host_dt_rsvmap_ok(const void *fdt)
{
	uint64_t total = fdt_totalsize(fdt), at = fdt_off_mem_rsvmap(fdt);

	for (; at <= total && total - at >= sizeof(struct fdt_reserve_entry);
	     at += sizeof(struct fdt_reserve_entry)) {
		const char *size = (const char *)fdt + at + offsetof(struct fdt_reserve_entry, size);
		if (fdt64_ld((const fdt64_t *)size) == 0)   /* byte loads: any alignment */
			return true;
	}
	return false;
}

/*
 * A big-endian word of the structure block, at an offset that is a
 * multiple of 4 in a block that starts at one (host_dt_struct_size() checks
 * it, libfdt checks the blob's 8-byte alignment): one aligned load, where
 * fdt32_ld() reads bytes one by one.
 */
static uint32_t word_at(const char *p)
{
	return fdt32_to_cpu(*(const fdt32_t *)__builtin_assume_aligned(p, FDT_TAGSIZE));
}

/*
 * One token at @*off (which the caller checked leaves room for a tag):
 * advances @*off past it and returns the tag, or returns 0 (not a tag)
 * when the token runs past the block.  @name/@name_len: a node's name.
 */
static uint32_t host_dt_token(const struct dt_block *b, uint64_t *off, const char **name,
			      size_t *name_len)
{
	uint32_t tag = word_at(b->base + *off);
	uint64_t at = *off + FDT_TAGSIZE;

	if (tag == FDT_BEGIN_NODE) {
		const char *nul = memchr(b->base + at, '\0', b->size - at);
		if (nul == NULL)
			return 0;
		*name = b->base + at;
		*name_len = (size_t)(nul - *name);
		at += *name_len + 1;
	} else if (tag == FDT_PROP) {
		if (b->size - at < FDT_PROP_HEADER)
			return 0;
		uint64_t len = word_at(b->base + at);
		uint64_t nameoff = word_at(b->base + at + sizeof(fdt32_t));
		at += FDT_PROP_HEADER;
		if (len > b->size - at || nameoff >= b->strings_size)
			return 0;
		at += len;
	}
	*off = align_up(at, FDT_TAGSIZE);
	return tag;
}

/*
 * The grammar of DT spec §5.4.1: one root node at offset 0, without a
 * name, whose properties (named inside the strings block), child nodes
 * and NOPs nest by FDT_BEGIN_NODE/FDT_END_NODE; then FDT_END.  Notes each
 * top-level node on the way in @h, if given.  Returns true when the block
 * follows it; otherwise sets @bad_at to the first bad token.
 */
static bool host_dt_walk(const void *fdt, struct host_dt *h, uint32_t *bad_at)
{
	struct dt_block b = { (const char *)fdt + fdt_off_dt_struct(fdt), host_dt_struct_size(fdt),
			      host_dt_strings_size(fdt) };
	uint64_t off = 0, at = 0;
	unsigned int depth = 0;
	bool root_closed = false, ok = true;

	while (ok && b.size - off >= FDT_TAGSIZE) {
		const char *name = NULL;
		size_t len = 0;

		at = off;
		switch (host_dt_token(&b, &off, &name, &len)) {
		case FDT_BEGIN_NODE:
			/*
			 * The root has no name (DT spec §2.2.1): libfdt would put one
			 * in every path.  No other name holds a '/', the path
			 * separator: fdt_get_path() would hand back another node's
			 * path (found by fuzz_cfg: a passthrough device's).
			 */
			ok = !root_closed && (depth > 0 ? memchr(name, '/', len) == NULL : len == 0);
			if (ok && ++depth == 2 && h != NULL)
				host_dt_add_top(h, at, name, len);
			break;
		case FDT_END_NODE:
			ok = depth > 0;
			root_closed = ok && --depth == 0;
			break;
		case FDT_PROP:
			ok = depth > 0;
			break;
		case FDT_NOP:
			/*
			 * Inside the root only: libfdt takes offset 0 for the root
			 * (fdt_parent_offset, fdt_path_offset("/")), and after it
			 * fdt_check_full wants FDT_END.
			 */
			ok = depth > 0;
			break;
		case FDT_END:
			if (root_closed)
				return true;
			ok = false;
			break;
		default:
			ok = false;
			break;
		}
		ok = ok && off <= b.size;
	}
	*bad_at = (uint32_t)(ok ? off : at);   /* ran out of block, or a bad token */
	return false;
}

static void host_dt_clear(struct host_dt *h)
{
	memset(h, 0, sizeof(*h));
	h->chosen = h->cpus = h->psci = h->reserved = h->gic = h->gic_parent = -FDT_ERR_NOTFOUND;
}

/* The header, the reservation map, then the structure block; top-level nodes into @h if given. */
static bool host_dt_sound(const void *fdt, struct host_dt *h, uint32_t *bad_at)
{
	*bad_at = 0;
	return fdt_check_header(fdt) == 0 && host_dt_rsvmap_ok(fdt) && host_dt_walk(fdt, h, bad_at);
}

bool host_dt_check(const void *fdt, uint32_t *bad_at)
{
	return host_dt_sound(fdt, NULL, bad_at);
}

void host_dt_scan(const void *fdt, struct host_dt *h)
{
	uint32_t at;

	host_dt_clear(h);
	if (!host_dt_sound(fdt, h, &at)) {
		/* Nothing from a malformed tree: libfdt must not walk it either. */
		host_dt_clear(h);
		h->malformed = true;
		h->malformed_at = at;
		return;
	}
	if (!h->top_truncated) {
		for (unsigned int i = 0; i < h->top_count; i++)
			host_dt_note(fdt, h->top[i], h->top_name[i], (size_t)h->top_len[i], h);
	} else {   /* more than the list holds: libfdt's iteration, now known to be safe */
		int node, len;
		fdt_for_each_subnode(node, fdt, 0)
			host_dt_note(fdt, node, fdt_get_name(fdt, node, &len), (size_t)len, h);
	}
	if (h->chosen >= 0 && !h->chosen_index && dt_index_build(&chosen_index, fdt, h->chosen))
		h->chosen_index = &chosen_index;
	/* Named otherwise, or below a bus node: search the whole tree. */
	for (unsigned int i = 0; h->gic < 0 && i < ARRAY_SIZE(gic_compatibles); i++) {
		h->gic = fdt_node_offset_by_compatible(fdt, -1, gic_compatibles[i]);
		h->gic_parent = h->gic >= 0 ? fdt_parent_offset(fdt, h->gic) : -1;
	}
}
