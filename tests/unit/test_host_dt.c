/*
 * Unit tests for boot/host_dt.c, the one-pass walker over the host DT's
 * structure block.  Each crafted tree sits in a heap buffer of exactly its
 * total size, so ASan reports any read past it; a walker that loops for
 * ever is stopped by SIGALRM (WALK_TIMEOUT_S) and the binary fails.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include "host_dt.h"

#define WALK_TIMEOUT_S  10
#define BUILD_MAX       0x8000
#define NO_OFFSET       (-FDT_ERR_NOTFOUND)

/* Lengths whose padded sum with the property header wraps a 32-bit offset. */
static const uint32_t wrapping_lens[] = {
	0xfffffff4u,    /* 8 + len = 2^32 - 4: back onto the FDT_PROP tag itself */
	0xfffffff0u, 0xffffffecu, 0xfffffff8u, 0xfffffffcu, 0xffffffffu, 0x80000000u,
};

static void on_alarm(int sig)
{
	static const char msg[] = "test_host_dt: the walk did not return: hang\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* A copy of @fdt in a heap buffer of exactly @size bytes (ASan bounds). */
static void *exact_copy(const void *fdt, size_t size)
{
	void *p = malloc(size);

	assert_non_null(p);
	memcpy(p, fdt, size);
	return p;
}

static void prop_u32(void *fdt, const char *name, uint32_t v)
{
	assert_int_equal(fdt_property_u32(fdt, name, v), 0);
}

static void prop_str(void *fdt, const char *name, const char *s)
{
	assert_int_equal(fdt_property_string(fdt, name, s), 0);
}

static void leaf(void *fdt, const char *name, const char *compat)
{
	assert_int_equal(fdt_begin_node(fdt, name), 0);
	if (compat)
		prop_str(fdt, "compatible", compat);
	assert_int_equal(fdt_end_node(fdt), 0);
}

/*
 * QEMU virt's top level in small: chosen first (its "marker" property is
 * the one the tests corrupt), then the nodes boot looks for.  @extra_top
 * adds that many more top-level nodes at the end.
 */
static void *build_tree(unsigned int extra_top)
{
	static char buf[BUILD_MAX];
	void *fdt = buf;

	assert_int_equal(fdt_create(fdt, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	prop_u32(fdt, "#address-cells", 2);
	prop_u32(fdt, "#size-cells", 2);
	assert_int_equal(fdt_begin_node(fdt, "chosen"), 0);
	prop_str(fdt, "stdout-path", "/pl011@9000000");
	prop_u32(fdt, "marker", 0x12345678);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, "memory@40000000"), 0);
	prop_str(fdt, "device_type", "memory");
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, "cpus"), 0);
	leaf(fdt, "cpu@0", "arm,cortex-a57");
	assert_int_equal(fdt_end_node(fdt), 0);
	leaf(fdt, "psci", "arm,psci-1.0");
	leaf(fdt, "reserved-memory", NULL);
	leaf(fdt, "intc@8000000", "arm,gic-v3");
	leaf(fdt, "pl011@9000000", "arm,pl011");
	for (unsigned int i = 0; i < extra_top; i++) {
		char name[32];

		snprintf(name, sizeof(name), "dev@%x", i);
		leaf(fdt, name, "x,y");
	}
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	assert_int_equal(fdt_check_full(fdt, sizeof(buf)), 0);
	return exact_copy(fdt, fdt_totalsize(fdt));
}

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	assert_true(off >= 0);
	return off;
}

/* The property @name of @path, as the structure block has it. */
static struct fdt_property *raw_prop(void *fdt, const char *path, const char *name)
{
	struct fdt_property *p = fdt_get_property_w(fdt, node(fdt, path), name, NULL);

	assert_non_null(p);
	return p;
}

/* The structure-block offset of @p's FDT_PROP tag. */
static uint32_t struct_offset(const void *fdt, const void *p)
{
	return (uint32_t)((const char *)p - ((const char *)fdt + fdt_off_dt_struct(fdt)));
}

static void scan(const void *fdt, struct host_dt *h)
{
	alarm(WALK_TIMEOUT_S);
	host_dt_scan(fdt, h);
	alarm(0);
}

/* Whatever the walk recorded, the look-ups boot makes next stay in bounds. */
static void lookups_stay_safe(const void *fdt, const struct host_dt *h)
{
	static const char *const paths[] = { "/chosen", "/pl011@9000000", "/memory@40000000", "/" };
	int len;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int off = host_dt_top_node(fdt, h, paths[i], strlen(paths[i]));

		assert_true(off >= 0 || off == NO_OFFSET);
		if (off >= 0)
			assert_non_null(fdt_get_name(fdt, off, &len));
	}
	for (unsigned int i = 0; i < h->top_count; i++) {
		assert_true(h->top[i] >= 0 && (uint32_t)h->top[i] < fdt_size_dt_struct(fdt));
		assert_true(h->top_len[i] >= 0);
		const char *name = fdt_get_name(fdt, h->top[i], &len);

		assert_non_null(name);
		assert_int_equal(len, h->top_len[i]);
		assert_memory_equal(name, h->top_name[i], (size_t)len);
	}
	fdt_getprop(fdt, h->chosen, "stdout-path", &len);
	for (unsigned int i = 0; i < h->memory_count; i++)
		fdt_getprop(fdt, h->memory[i], "reg", &len);
}

/* A malformed tree yields no offsets at all: boot must not walk it. */
static void assert_nothing_found(const struct host_dt *h)
{
	assert_true(h->malformed);
	assert_int_equal(h->top_count, 0);
	assert_int_equal(h->memory_count, 0);
	assert_int_equal(h->chosen, NO_OFFSET);
	assert_int_equal(h->cpus, NO_OFFSET);
	assert_int_equal(h->psci, NO_OFFSET);
	assert_int_equal(h->reserved, NO_OFFSET);
	assert_int_equal(h->gic, NO_OFFSET);
	assert_int_equal(h->gic_parent, NO_OFFSET);
}

static void test_wellformed(void **state)
{
	(void)state;
	void *fdt = build_tree(0);
	struct host_dt h;

	scan(fdt, &h);
	assert_false(h.malformed);
	assert_int_equal(h.chosen, node(fdt, "/chosen"));
	assert_int_equal(h.cpus, node(fdt, "/cpus"));
	assert_int_equal(h.psci, node(fdt, "/psci"));
	assert_int_equal(h.reserved, node(fdt, "/reserved-memory"));
	assert_int_equal(h.gic, node(fdt, "/intc@8000000"));
	assert_int_equal(h.gic_parent, 0);
	assert_int_equal(h.memory_count, 1);
	assert_int_equal(h.memory[0], node(fdt, "/memory@40000000"));
	/* The same top-level nodes as libfdt's own iteration, in order. */
	unsigned int n = 0;
	int child;

	fdt_for_each_subnode(child, fdt, 0) {
		assert_true(n < h.top_count);
		assert_int_equal(h.top[n++], child);
	}
	assert_int_equal(n, h.top_count);
	assert_int_equal(host_dt_top_node(fdt, &h, "/pl011@9000000", strlen("/pl011@9000000")),
			 node(fdt, "/pl011@9000000"));
	assert_int_equal(host_dt_top_node(fdt, &h, "/pl011@9000000:115200", strlen("/pl011@9000000")),
			 node(fdt, "/pl011@9000000"));
	assert_int_equal(host_dt_top_node(fdt, &h, "/cpus/cpu@0", strlen("/cpus/cpu@0")), NO_OFFSET);
	lookups_stay_safe(fdt, &h);
	free(fdt);
}

/*
 * The bug: a property length near 2^32 wrapped the 32-bit offset back onto
 * the same tag, and boot looped for ever before the console existed.
 */
static void test_prop_len_wraps(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(wrapping_lens) / sizeof(wrapping_lens[0]); i++) {
		void *fdt = build_tree(0);
		struct fdt_property *p = raw_prop(fdt, "/chosen", "marker");
		uint32_t at = struct_offset(fdt, p);
		struct host_dt h;

		p->len = cpu_to_fdt32(wrapping_lens[i]);
		scan(fdt, &h);
		assert_true(h.malformed);
		assert_int_equal(h.malformed_at, at);
		assert_nothing_found(&h);
		lookups_stay_safe(fdt, &h);
		free(fdt);
	}
}

static void test_prop_len_past_block(void **state)
{
	(void)state;
	void *fdt = build_tree(0);
	struct fdt_property *p = raw_prop(fdt, "/chosen", "marker");
	uint32_t at = struct_offset(fdt, p);
	struct host_dt h;

	/* The value would end one byte past the structure block. */
	p->len = cpu_to_fdt32(fdt_size_dt_struct(fdt) - at - 12 + 1);
	scan(fdt, &h);
	assert_true(h.malformed);
	assert_int_equal(h.malformed_at, at);
	lookups_stay_safe(fdt, &h);
	free(fdt);
}

/* The structure block ends inside a node name: the node is not recorded. */
static void test_unterminated_name(void **state)
{
	(void)state;
	void *fdt = build_tree(0);
	int pl011 = node(fdt, "/pl011@9000000");
	struct host_dt h;

	/* Cut the block just after the tag and the name's first bytes. */
	fdt_set_size_dt_struct(fdt, (uint32_t)pl011 + 8);
	scan(fdt, &h);
	assert_true(h.malformed);
	assert_int_equal(h.malformed_at, pl011);
	assert_nothing_found(&h);
	lookups_stay_safe(fdt, &h);
	free(fdt);
}

/* The header puts the structure block past the blob: nothing is read. */
static void test_block_past_totalsize(void **state)
{
	(void)state;
	void *fdt = build_tree(0);
	struct host_dt h;

	fdt_set_size_dt_struct(fdt, fdt_totalsize(fdt));
	scan(fdt, &h);
	assert_nothing_found(&h);
	fdt_set_size_dt_struct(fdt, 0xffffffffu);
	scan(fdt, &h);
	assert_nothing_found(&h);
	fdt_set_size_dt_struct(fdt, 0x100);
	fdt_set_off_dt_struct(fdt, 0xffffff80u);   /* offset + size wraps 32 bits */
	scan(fdt, &h);
	assert_nothing_found(&h);
	free(fdt);
}

static void set_tag(void *fdt, int off, uint32_t tag)
{
	fdt32_t *p = (fdt32_t *)((char *)fdt + fdt_off_dt_struct(fdt) + off);

	*p = cpu_to_fdt32(tag);
}

/* The offset of the FDT_END_NODE that closes the root, and of FDT_END. */
static void root_end(const void *fdt, int *end_node, int *end)
{
	int off = 0, next;
	uint32_t tag;

	*end_node = -1;
	while ((tag = fdt_next_tag(fdt, off, &next)) != FDT_END) {
		if (tag == FDT_END_NODE)
			*end_node = off;
		off = next;
	}
	*end = off;
}

/* Grammar errors (DT spec 5.4.1) stop the walk where they are. */
static void test_grammar(void **state)
{
	(void)state;
	struct host_dt h;
	int end_node, end;

	void *fdt = build_tree(0);            /* an unknown token */
	int memory = node(fdt, "/memory@40000000");
	set_tag(fdt, memory, 0x7);
	scan(fdt, &h);
	assert_nothing_found(&h);
	assert_int_equal(h.malformed_at, memory);
	free(fdt);

	fdt = build_tree(0);                  /* FDT_END inside the root */
	memory = node(fdt, "/memory@40000000");
	set_tag(fdt, memory, FDT_END);
	scan(fdt, &h);
	assert_true(h.malformed);
	assert_int_equal(h.malformed_at, memory);
	free(fdt);

	fdt = build_tree(1);                  /* a second root after the first */
	int dev = node(fdt, "/dev@0");
	root_end(fdt, &end_node, &end);
	/* dev@0 { compatible } }; END  ->  }; / { NOP... };  END */
	set_tag(fdt, dev, FDT_END_NODE);
	set_tag(fdt, dev + 4, FDT_BEGIN_NODE);
	set_tag(fdt, dev + 8, 0);             /* the empty name, padded */
	for (int at = dev + 12; at < end_node; at += 4)
		set_tag(fdt, at, FDT_NOP);
	scan(fdt, &h);
	assert_nothing_found(&h);
	assert_int_equal(h.malformed_at, dev + 4);
	free(fdt);

	fdt = build_tree(0);                  /* the root never closed */
	root_end(fdt, &end_node, &end);
	set_tag(fdt, end_node, FDT_NOP);
	scan(fdt, &h);
	assert_true(h.malformed);
	assert_int_equal(h.malformed_at, end);
	free(fdt);

	fdt = build_tree(0);                  /* no FDT_END after the root */
	root_end(fdt, &end_node, &end);
	set_tag(fdt, end, FDT_NOP);
	scan(fdt, &h);
	assert_true(h.malformed);
	free(fdt);

	fdt = build_tree(0);                  /* a root with a name: "x/chosen" in libfdt's paths */
	*((char *)fdt + fdt_off_dt_struct(fdt) + FDT_TAGSIZE) = 'x';
	scan(fdt, &h);
	assert_nothing_found(&h);
	assert_int_equal(h.malformed_at, 0);
	free(fdt);

	fdt = build_tree(0);                  /* FDT_END_NODE with no node open */
	set_tag(fdt, 0, FDT_END_NODE);
	scan(fdt, &h);
	assert_true(h.malformed);
	assert_int_equal(h.malformed_at, 0);
	free(fdt);

	fdt = build_tree(0);                  /* a property outside every node */
	set_tag(fdt, 0, FDT_PROP);
	scan(fdt, &h);
	assert_true(h.malformed);
	assert_int_equal(h.malformed_at, 0);
	free(fdt);
}

/*
 * Before version 16, libfdt aligns property values of 8 bytes or more to 8:
 * the walk would read another token stream than libfdt (found by
 * fuzz_host_dt), so such trees are refused; version 16 (no size_dt_struct)
 * is read up to the blob's end.
 */
static void test_versions(void **state)
{
	(void)state;
	void *fdt = build_tree(0);
	struct host_dt h;

	fdt_set_version(fdt, 15);
	scan(fdt, &h);
	assert_nothing_found(&h);
	assert_int_equal(h.malformed_at, 0);
	fdt_set_version(fdt, 16);
	fdt_set_size_dt_struct(fdt, 0);           /* not in a version 16 header */
	scan(fdt, &h);
	assert_false(h.malformed);
	assert_int_equal(h.chosen, node(fdt, "/chosen"));
	assert_int_equal(h.top_count, 7);
	free(fdt);
}

/* The structure block 2 bytes further on: libfdt reads it, the walk does not. */
static void test_struct_misaligned(void **state)
{
	(void)state;
	void *fdt = build_tree(0);
	uint32_t total = fdt_totalsize(fdt), off = fdt_off_dt_struct(fdt);
	char *moved = calloc(1, total + 2);
	struct host_dt h;

	assert_non_null(moved);
	memcpy(moved, fdt, off);
	memcpy(moved + off + 2, (char *)fdt + off, total - off);
	fdt_set_off_dt_struct(moved, off + 2);
	fdt_set_off_dt_strings(moved, fdt_off_dt_strings(fdt) + 2);
	fdt_set_totalsize(moved, total + 2);
	assert_int_equal(fdt_path_offset(moved, "/chosen") >= 0, 1);
	scan(moved, &h);
	assert_nothing_found(&h);
	assert_int_equal(h.malformed_at, 0);
	free(moved);
	free(fdt);
}

/*
 * The memory reservation map must end inside the blob: libfdt's
 * fdt_num_mem_rsv() fails on it, and boot's loop over the reservations
 * would then reserve nothing without a word.
 */
static void test_rsvmap(void **state)
{
	(void)state;
	void *fdt = build_tree(0);
	struct host_dt h;

	/* The map's terminating entry is the last 16 bytes before the structure block. */
	fdt_set_off_mem_rsvmap(fdt, fdt_totalsize(fdt) - 8);
	scan(fdt, &h);
	assert_nothing_found(&h);
	fdt_set_off_mem_rsvmap(fdt, fdt_off_dt_struct(fdt) - 16);
	scan(fdt, &h);
	assert_false(h.malformed);
	free(fdt);
}

/*
 * A property's name must be inside the strings block, which must end in
 * a NUL: libfdt skips a property whose name it cannot read, so the
 * property would be silently missing.
 */
static void test_prop_names(void **state)
{
	(void)state;
	void *fdt = build_tree(0);
	struct fdt_property *p = raw_prop(fdt, "/chosen", "marker");
	uint32_t at = struct_offset(fdt, p);
	struct host_dt h;

	p->nameoff = cpu_to_fdt32(fdt_size_dt_strings(fdt));
	scan(fdt, &h);
	assert_nothing_found(&h);
	assert_int_equal(h.malformed_at, at);
	free(fdt);

	/*
	 * Version 16 too, though libfdt bounds its names by the blob alone:
	 * the name past the block here is the free space's "" (fuzz_host_dt).
	 */
	uint32_t total = fdt_totalsize(fdt = build_tree(0));

	fdt = realloc(fdt, total + FDT_TAGSIZE);   /* free space after the strings */
	assert_non_null(fdt);
	memset((char *)fdt + total, 0, FDT_TAGSIZE);
	fdt_set_totalsize(fdt, total + FDT_TAGSIZE);
	p = raw_prop(fdt, "/chosen", "marker");
	fdt_set_version(fdt, 16);
	p->nameoff = cpu_to_fdt32(fdt_size_dt_strings(fdt));
	assert_non_null(fdt_get_string(fdt, (int)fdt32_to_cpu(p->nameoff), NULL));
	scan(fdt, &h);
	assert_nothing_found(&h);
	assert_int_equal(h.malformed_at, at);
	free(fdt);

	fdt = build_tree(0);                  /* the block's last name loses its NUL */
	fdt_set_size_dt_strings(fdt, fdt_size_dt_strings(fdt) - 1);
	scan(fdt, &h);
	assert_nothing_found(&h);
	assert_int_equal(h.malformed_at, node(fdt, "/") + 8);  /* the root's first property */
	free(fdt);
}

/* A tree with /aliases holding @n pairs of name and value (@vlen[i] bytes). */
static void *tree_with_aliases(const char *const *names, const char *const *values,
			       const int *vlen, unsigned int n)
{
	void *fdt = build_tree(0);
	void *big = malloc(BUILD_MAX);

	assert_non_null(big);
	assert_int_equal(fdt_open_into(fdt, big, BUILD_MAX), 0);
	free(fdt);
	int aliases = fdt_add_subnode(big, 0, "aliases");
	assert_true(aliases >= 0);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(fdt_setprop(big, aliases, names[i], values[i], vlen[i]), 0);
	return big;
}

/*
 * stdout-path's aliases: a value must be a full path.  libfdt's own
 * look-up recursed for ever on "loop" (fuzz_host_dt; at EL2 the stack
 * overflowed before the console: tests/system stdout_alias_loop.scn).
 */
static void test_alias_paths(void **state)
{
	(void)state;
	static const char *const names[] = { "serial0", "loop", "chain", "cpus", "raw" };
	static const char *const values[] = { "/pl011@9000000", "loop", "serial0", "/cpus", "/cpus" };
	static const int vlen[] = { 15, 5, 8, 6, 5 };   /* raw: no NUL */
	void *fdt = tree_with_aliases(names, values, vlen, 5);
	struct host_dt h;
	const char *path;

	scan(fdt, &h);
	assert_false(h.malformed);
#define PATH_NODE(p) (path = (p), host_dt_path_node(fdt, path, strlen(path)))
	assert_int_equal(PATH_NODE("serial0"), node(fdt, "/pl011@9000000"));
	assert_int_equal(host_dt_path_node(fdt, "serial0:115200n8", 7), node(fdt, "/pl011@9000000"));
	assert_int_equal(PATH_NODE("cpus/cpu@0"), node(fdt, "/cpus/cpu@0"));
	assert_int_equal(PATH_NODE("/cpus/cpu@0"), node(fdt, "/cpus/cpu@0"));
	assert_int_equal(PATH_NODE("/psci"), node(fdt, "/psci"));
	assert_int_equal(PATH_NODE("loop"), -FDT_ERR_BADPATH);
	assert_int_equal(PATH_NODE("chain"), -FDT_ERR_BADPATH);
	assert_int_equal(PATH_NODE("raw"), -FDT_ERR_BADPATH);
	assert_int_equal(PATH_NODE("nosuch"), -FDT_ERR_BADPATH);
	assert_int_equal(host_dt_path_node(fdt, ":115200n8", 0), -FDT_ERR_BADPATH);
	assert_true(PATH_NODE("cpus/cpu@1") < 0);
#undef PATH_NODE
	free(fdt);
}

/* NOPs anywhere a token may be: a NOPed property is simply skipped. */
static void test_nops(void **state)
{
	(void)state;
	void *fdt = build_tree(0);
	struct host_dt h;

	assert_int_equal(fdt_nop_property(fdt, node(fdt, "/chosen"), "marker"), 0);
	assert_int_equal(fdt_nop_node(fdt, node(fdt, "/psci")), 0);
	scan(fdt, &h);
	assert_false(h.malformed);
	assert_int_equal(h.top_count, 6);
	assert_int_equal(h.psci, NO_OFFSET);
	assert_int_equal(h.memory_count, 1);
	free(fdt);

	/* Not between the root's end and FDT_END: fdt_check_full refuses that (fuzz_host_dt). */
	int end_node, end;
	fdt = build_tree(0);
	assert_int_equal(fdt_nop_property(fdt, node(fdt, "/pl011@9000000"), "compatible"), 0);
	root_end(fdt, &end_node, &end);
	/* ... NOP NOP } }; END  ->  ... NOP } }; NOP END */
	set_tag(fdt, end - 12, FDT_END_NODE);
	set_tag(fdt, end - 8, FDT_END_NODE);
	set_tag(fdt, end - 4, FDT_NOP);
	assert_int_not_equal(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);
	scan(fdt, &h);
	assert_nothing_found(&h);
	assert_int_equal(h.malformed_at, end - 4);
	free(fdt);

	/*
	 * Nor before the root: fdt_check_full allows it, but libfdt takes
	 * offset 0 for the root: fdt_path_offset() and fdt_parent_offset()
	 * then fail for every node (fuzz_host_dt).  The root's #address-cells makes room:
	 * / { #address-cells ...  ->  NOP / { NOP NOP NOP ...
	 */
	fdt = build_tree(0);
	set_tag(fdt, 0, FDT_NOP);
	set_tag(fdt, 4, FDT_BEGIN_NODE);
	set_tag(fdt, 8, 0);
	for (int at = 12; at < 24; at += 4)
		set_tag(fdt, at, FDT_NOP);
	assert_int_equal(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);
	assert_true(fdt_path_offset(fdt, "/chosen") < 0);
	scan(fdt, &h);
	assert_nothing_found(&h);
	assert_int_equal(h.malformed_at, 0);
	free(fdt);
}

/* More top-level nodes than HOST_DT_MAX_TOP: the rest are only not listed. */
static void test_many_top_nodes(void **state)
{
	(void)state;
	void *fdt = build_tree(HOST_DT_MAX_TOP);
	struct host_dt h;

	scan(fdt, &h);
	assert_false(h.malformed);
	assert_int_equal(h.top_count, HOST_DT_MAX_TOP);
	assert_int_equal(h.gic, node(fdt, "/intc@8000000"));
	lookups_stay_safe(fdt, &h);
	free(fdt);
}

/* Name matching: a unit address or nothing after the name, never a prefix. */
static void test_names(void **state)
{
	(void)state;
	static char buf[BUILD_MAX];
	void *fdt = buf;
	struct host_dt h;

	assert_int_equal(fdt_create(fdt, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	leaf(fdt, "", NULL);
	leaf(fdt, "chosenx", NULL);
	leaf(fdt, "cpu", NULL);
	assert_int_equal(fdt_begin_node(fdt, "memory@0"), 0);
	prop_str(fdt, "device_type", "memor");
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, "memory@1"), 0);
	prop_str(fdt, "device_type", "memory");
	assert_int_equal(fdt_end_node(fdt), 0);
	leaf(fdt, "psci@0", NULL);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	fdt = exact_copy(buf, fdt_totalsize(buf));
	/* memory@1's value cut to "memor": its "y\0" stays behind as padding (fuzz_host_dt). */
	raw_prop(fdt, "/memory@1", "device_type")->len = cpu_to_fdt32(strlen("memor"));
	scan(fdt, &h);
	assert_false(h.malformed);
	assert_int_equal(h.top_count, 6);
	assert_int_equal(h.top_len[0], 0);
	assert_int_equal(h.chosen, NO_OFFSET);
	assert_int_equal(h.cpus, NO_OFFSET);
	assert_int_equal(h.memory_count, 0);     /* "memor", and "memor" + "y\0" of padding */
	assert_int_equal(h.psci, node(fdt, "/psci@0"));
	assert_int_equal(h.gic, NO_OFFSET);
	free(fdt);
}

/*
 * A '/' inside a node name: fdt_get_path() took "/pl011@9000000/intc@/0"
 * apart at the wrong '/' and named the next top-level node a child of
 * pl011 (fuzz_cfg's crash, corpus/{cfg,host_dt}/finding-slash-in-node-name.dtb).
 */
static void test_slash_in_name(void **state)
{
	(void)state;
	static char buf[BUILD_MAX];
	void *fdt = buf;
	struct host_dt h;
	uint32_t at;

	assert_int_equal(fdt_create(fdt, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_begin_node(fdt, "pl011@9000000"), 0);
	leaf(fdt, "intc@x000000", NULL);
	assert_int_equal(fdt_end_node(fdt), 0);
	leaf(fdt, "pl031@9010000", NULL);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	fdt = exact_copy(buf, fdt_totalsize(buf));
	scan(fdt, &h);
	assert_false(h.malformed);
	int intc = node(fdt, "/pl011@9000000/intc@x000000");
	((char *)fdt + fdt_off_dt_struct(fdt))[intc + 4 + strlen("intc@")] = '/';
	scan(fdt, &h);
	assert_true(h.malformed);
	assert_int_equal(h.malformed_at, intc);
	assert_nothing_found(&h);
	assert_false(host_dt_check(fdt, &at));
	assert_int_equal(at, intc);
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wellformed),
		cmocka_unit_test(test_prop_len_wraps),
		cmocka_unit_test(test_prop_len_past_block),
		cmocka_unit_test(test_unterminated_name),
		cmocka_unit_test(test_block_past_totalsize),
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_struct_misaligned),
		cmocka_unit_test(test_rsvmap),
		cmocka_unit_test(test_prop_names),
		cmocka_unit_test(test_nops),
		cmocka_unit_test(test_many_top_nodes),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_slash_in_name),
		cmocka_unit_test(test_alias_paths),
	};

	signal(SIGALRM, on_alarm);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
