/*
 * libFuzzer harness for the host DT walker (boot/host_dt.c).  Each input is
 * a host DTB as boot is given it (fuzz_blob: a read past it faults).  The
 * walk must return, and agree with a reference: the same grammar checked
 * on libfdt's own tokenizer (fdt_next_tag), with a property's length
 * checked first because libfdt 1.6.1's check of it wraps.  They must agree
 * on whether the tree is malformed, on where, and on the top-level nodes;
 * then the look-ups boot makes with what the walk found must stay in
 * bounds and return (libFuzzer's -timeout catches a loop).
 */
#include <string.h>

#include <libfdt.h>

#include "fuzz_common.h"
#include "gic_dt.h"
#include "types.h"

const unsigned int fuzz_libfuzzer_percent = 40;
const unsigned int fuzz_corrupt_percent = 60;

#define NAME_MAX_PATH 256

/* Every GIC boot knows (include/gic_dt.h). */
static const char *const gics[] = { GIC_DT_V3, GIC_DT_V2_VIRT, GIC_DT_V2_PLAIN };

struct ref {
	bool ok;
	uint32_t bad_at;
	unsigned int top_count;         /* all of them, even past HOST_DT_MAX_TOP */
	int top[HOST_DT_MAX_TOP];
};

static uint64_t ref_struct_size(const void *fdt)
{
	return fdt_version(fdt) >= 17 ? fdt_size_dt_struct(fdt) :
					(uint64_t)fdt_totalsize(fdt) - fdt_off_dt_struct(fdt);
}

/* Is the token at @off a property whose length alone runs past the block? */
static bool ref_len_too_big(const void *fdt, int off, uint64_t size)
{
	const fdt32_t *tag = fdt_offset_ptr(fdt, off, FDT_TAGSIZE);
	const fdt32_t *len = fdt_offset_ptr(fdt, off + FDT_TAGSIZE, FDT_TAGSIZE);

	return tag && fdt32_ld(tag) == FDT_PROP && len && fdt32_ld(len) > size;
}

static bool ref_fail(struct ref *r, int at)
{
	r->ok = false;
	r->bad_at = (uint32_t)at;
	return false;
}

static bool ref_walk(const void *fdt, struct ref *r)
{
	int off = 0, next;
	unsigned int depth = 0;
	bool root_closed = false;

	memset(r, 0, sizeof(*r));
	/*
	 * Before version 16 the block had other rules: boot does not read
	 * those.  The reservation map must end (libfdt counts its entries).
	 */
	if (fdt_check_header(fdt) != 0 || fdt_version(fdt) < 16 || fdt_num_mem_rsv(fdt) < 0)
		return ref_fail(r, 0);
	uint64_t size = ref_struct_size(fdt);
	uint64_t ssize = fdt_size_dt_strings(fdt);
	const char *strings = (const char *)fdt + fdt_off_dt_strings(fdt);
	/* A strings block ending in its last name's NUL (DT spec §5.5). */
	bool strings_ok = ssize > 0 && fdt_off_dt_strings(fdt) + ssize <= fdt_totalsize(fdt) &&
			  strings[ssize - 1] == '\0';

	/* A structure block at a 4-byte aligned offset (DT spec §5.4). */
	if (fdt_off_dt_struct(fdt) + size > fdt_totalsize(fdt) || size > INT32_MAX ||
	    fdt_off_dt_struct(fdt) % FDT_TAGSIZE != 0)
		return ref_fail(r, 0);
	for (;;) {
		if (ref_len_too_big(fdt, off, size))
			return ref_fail(r, off);
		uint32_t tag = fdt_next_tag(fdt, off, &next);

		if (tag == FDT_PROP && next >= 0) {
			const struct fdt_property *p = fdt_offset_ptr(fdt, off, sizeof(*p));

			/*
			 * Inside the strings block in every version: libfdt bounds
			 * a version 16 name by the blob's end alone (found by
			 * fuzz_host_dt: the reference took a name past the block).
			 */
			if (!strings_ok || !p || fdt32_ld(&p->nameoff) >= ssize ||
			    !fdt_get_string(fdt, (int)fdt32_ld(&p->nameoff), NULL))
				return ref_fail(r, off);
		}

		/* libfdt: a token it cannot read ends as FDT_END with a negative next. */
		if (next < 0 || (uint64_t)next > size)
			return ref_fail(r, off);
		switch (tag) {
		case FDT_BEGIN_NODE: {
			const char *name = fdt_offset_ptr(fdt, off + FDT_TAGSIZE, 1);

			/* A '/' inside a name would make fdt_get_path() name another node. */
			if (root_closed || (depth == 0 && (!name || *name != '\0')) ||
			    (depth > 0 && name && strchr(name, '/')))
				return ref_fail(r, off);
			if (++depth == 2 && r->top_count++ < HOST_DT_MAX_TOP)
				r->top[r->top_count - 1] = off;
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				return ref_fail(r, off);
			root_closed = --depth == 0;
			break;
		case FDT_PROP:
			if (depth == 0)
				return ref_fail(r, off);
			break;
		case FDT_NOP:
			if (depth == 0)   /* libfdt wants the root at offset 0 */
				return ref_fail(r, off);
			break;
		default:   /* FDT_END */
			if (!root_closed)
				return ref_fail(r, off);
			r->ok = true;
			return true;
		}
		off = next;
	}
}

static void check_unset(const struct host_dt *h)
{
	FUZZ_ASSERT(h->top_count == 0 && h->memory_count == 0 && !h->top_truncated,
		    "malformed tree, yet %u top nodes and %u memory nodes", h->top_count,
		    h->memory_count);
	FUZZ_ASSERT(h->chosen == -FDT_ERR_NOTFOUND && h->cpus == -FDT_ERR_NOTFOUND &&
		    h->psci == -FDT_ERR_NOTFOUND && h->reserved == -FDT_ERR_NOTFOUND &&
		    h->gic == -FDT_ERR_NOTFOUND && h->gic_parent == -FDT_ERR_NOTFOUND,
		    "malformed tree, yet an offset is set");
}

static bool named(const char *name, int len, const char *want)
{
	int n = (int)strlen(want);

	return len >= n && memcmp(name, want, (size_t)n) == 0 && (len == n || name[n] == '@');
}

/* A field the walk set: a top-level node with the right name. */
static void check_top_field(const void *fdt, int node, const char *want, const struct ref *r)
{
	int len;
	bool exact = false;

	for (unsigned int i = 0; i < r->top_count && i < HOST_DT_MAX_TOP; i++) {
		const char *name = fdt_get_name(fdt, r->top[i], &len);

		exact |= name && len == (int)strlen(want) && memcmp(name, want, (size_t)len) == 0;
	}
	if (node < 0) {
		FUZZ_ASSERT(!exact || r->top_count > HOST_DT_MAX_TOP, "/%s is there but not found",
			    want);
		return;
	}
	const char *name = fdt_get_name(fdt, node, &len);

	FUZZ_ASSERT(name && named(name, len, want) && fdt_parent_offset(fdt, node) == 0,
		    "the %s field names another node", want);
}

static void check_agrees(const void *fdt, const struct host_dt *h, const struct ref *r)
{
	int len;

	FUZZ_ASSERT(h->top_count == (r->top_count < HOST_DT_MAX_TOP ? r->top_count : HOST_DT_MAX_TOP) &&
		    h->top_truncated == (r->top_count > HOST_DT_MAX_TOP),
		    "%u top-level nodes (truncated %d), the reference %u", h->top_count,
		    h->top_truncated, r->top_count);
	for (unsigned int i = 0; i < h->top_count; i++) {
		const char *name = fdt_get_name(fdt, h->top[i], &len);

		FUZZ_ASSERT(h->top[i] == r->top[i] && name && len == h->top_len[i] &&
			    memcmp(name, h->top_name[i], (size_t)len) == 0,
			    "top-level node %u: walk 0x%x, reference 0x%x", i, h->top[i], r->top[i]);
	}
	check_top_field(fdt, h->chosen, "chosen", r);
	check_top_field(fdt, h->cpus, "cpus", r);
	check_top_field(fdt, h->psci, "psci", r);
	check_top_field(fdt, h->reserved, "reserved-memory", r);
	for (unsigned int i = 0; i < h->memory_count; i++) {
		const char *type = fdt_getprop(fdt, h->memory[i], "device_type", &len);

		FUZZ_ASSERT(type && len == (int)sizeof("memory") &&
			    memcmp(type, "memory", sizeof("memory")) == 0,
			    "memory[%u] is not device_type memory", i);
	}
	bool gic = false, any = false;

	for (size_t i = 0; i < ARRAY_SIZE(gics); i++) {
		gic |= h->gic >= 0 && fdt_node_check_compatible(fdt, h->gic, gics[i]) == 0;
		any |= fdt_node_offset_by_compatible(fdt, -1, gics[i]) >= 0;
	}
	FUZZ_ASSERT(h->gic < 0 || gic, "the GIC node is no GIC");
	FUZZ_ASSERT(h->gic >= 0 || !any, "a GIC is there but not found");
	if (h->gic >= 0)
		FUZZ_ASSERT(h->gic_parent == fdt_parent_offset(fdt, h->gic), "the GIC's parent");
}

/* Every property of @node, read: what boot's look-ups do. */
static void read_props(const void *fdt, int node)
{
	int prop, len;
	const char *name;

	fdt_for_each_property_offset(prop, fdt, node) {
		const void *v = fdt_getprop_by_offset(fdt, prop, &name, &len);

		if (v && name)
			FUZZ_ASSERT(fdt_getprop(fdt, node, name, &len) != NULL, "property %s lost", name);
	}
}

/* boot/init.c and boot/platform.c's look-ups, given a tree the walk accepted. */
static void boot_lookups(const void *fdt, const struct host_dt *h)
{
	char path[NAME_MAX_PATH];
	int len, node;
	const char *stdout_path = fdt_getprop(fdt, h->chosen, "stdout-path", &len);

	if (stdout_path && len > 0 && memchr(stdout_path, '\0', (size_t)len)) {
		size_t n = strcspn(stdout_path, ":");

		node = host_dt_top_node(fdt, h, stdout_path, n);
		if (node < 0)
			node = host_dt_path_node(fdt, stdout_path, n);
		if (node >= 0)
			fdt_parent_offset(fdt, node);
	}
	fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
	for (unsigned int i = 0; i < h->top_count; i++) {
		path[0] = '/';
		size_t n = (size_t)h->top_len[i] < sizeof(path) - 1 ? (size_t)h->top_len[i] : 0;

		memcpy(path + 1, h->top_name[i], n);
		node = host_dt_top_node(fdt, h, path, n + 1);
		/* A '/' in a name (not allowed, DT spec §2.2.1) makes it no path. */
		FUZZ_ASSERT(n == 0 || memchr(path + 1, '/', n) || node >= 0,
			    "top-level node %u not found by its path", i);
		if (n > 0 && node >= 0) {
			const char *name = fdt_get_name(fdt, node, &len);
			FUZZ_ASSERT(name && (size_t)len == n && memcmp(name, path + 1, n) == 0,
				    "top-level node %u: its path finds another node", i);
		}
		read_props(fdt, h->top[i]);
	}
	int parents[] = { h->cpus, h->reserved, h->chosen };

	for (size_t i = 0; i < ARRAY_SIZE(parents); i++)
		fdt_for_each_subnode(node, fdt, parents[i]) {
			read_props(fdt, node);
			fdt_address_cells(fdt, node);
			fdt_size_cells(fdt, node);
		}
	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		uint64_t b, s;

		fdt_get_mem_rsv(fdt, i, &b, &s);
	}
	fdt_address_cells(fdt, 0);
	fdt_size_cells(fdt, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const void *fdt = fuzz_blob(data, size);
	struct host_dt h;
	struct ref r;

	if (fdt == NULL)
		return 0;
	host_dt_scan(fdt, &h);
	ref_walk(fdt, &r);
	FUZZ_ASSERT(h.malformed == !r.ok, "the walk says %s (at 0x%x), the reference %s (at 0x%x)",
		    h.malformed ? "malformed" : "sound", h.malformed_at,
		    r.ok ? "sound" : "malformed", r.bad_at);
	fuzz_count(h.malformed ? FUZZ_MALFORMED : FUZZ_ACCEPTED);
	if (h.malformed) {
		FUZZ_ASSERT(h.malformed_at == r.bad_at, "malformed at 0x%x, the reference 0x%x",
			    h.malformed_at, r.bad_at);
		check_unset(&h);
		return 0;
	}
	/* What the walk accepts, libfdt's own full check accepts too. */
	int full = fdt_check_full(fdt, fdt_totalsize(fdt));

	FUZZ_ASSERT(full == 0, "the walk accepts what fdt_check_full refuses: %s", fdt_strerror(full));
	check_agrees(fdt, &h, &r);
	boot_lookups(fdt, &h);
	return 0;
}
