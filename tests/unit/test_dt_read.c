/*
 * Unit tests for dt/dt_read.c: every function must answer what its libfdt
 * namesake answers, on well-formed trees (with NOPs, nested nodes, the
 * configuration fixtures), on blobs the fast path hands to libfdt
 * (misaligned, version 16), and on trees with random bytes changed in the
 * structure and strings blocks, at every 4-byte offset used as a node.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "dt_read.h"

#define MUTATION_ROUNDS   300
#define MUTATIONS_A_ROUND 4
#define EXTRA_ROOM        256

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc((size_t)n + EXTRA_ROOM);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void *dtc_file(const char *dts, size_t *len)
{
	char out[] = "/tmp/test_dt_read_dtb_XXXXXX";
	char cmd[1024];
	int fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o %s %s", out, dts);
	assert_int_equal(system(cmd), 0);
	void *dtb = slurp(out, len);
	unlink(out);
	return dtb;
}

static void *dtc_string(const char *src, size_t *len)
{
	char in[] = "/tmp/test_dt_read_dts_XXXXXX";
	int fd = mkstemp(in);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(src, f);
	fclose(f);
	void *dtb = dtc_file(in, len);
	unlink(in);
	return dtb;
}

static void *fixture(const char *name, size_t *len)
{
	char path[512], here[] = __FILE__;
	char *slash = strrchr(here, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, sizeof(path), "%s/fixtures/cfg/%s", slash ? here : ".", name);
	return dtc_file(path, len);
}

static const char nested_dts[] =
	"/dts-v1/;\n"
	"/ {\n"
	"  #address-cells = <2>; #size-cells = <1>;\n"
	"  a { x = <1>; phandle = <7>; b { y = \"s\"; c { }; }; d { #address-cells = <0>; }; };\n"
	"  e { #address-cells = <5>; #size-cells = <1 2>; empty; };\n"
	"  f@10 { reg = <0 0x10 0x20>; compatible = \"one\", \"two\";\n"
	"         g { h { phandle = <0x20>; linux,phandle = <0x20>; i { j { }; }; }; }; };\n"
	"  k { #size-cells = <0>; #address-cells = <1>; linux,phandle = <9>; };\n"
	"};\n";

/* Names to look up: every string of the strings block, a prefix, and some absent ones. */
static void for_each_name(const void *fdt, void (*fn)(const void *, int, const char *), int node)
{
	static const char *const extra[] = { "", "nope", "#address", "reg-names", "x\xff" };
	struct fdt_header h;
	memcpy(&h, fdt, sizeof(h));
	const char *s = (const char *)fdt + fdt32_to_cpu(h.off_dt_strings);
	uint32_t n = fdt32_to_cpu(h.size_dt_strings);
	for (uint32_t off = 0; off < n; off += (uint32_t)strnlen(s + off, n - off) + 1)
		if (memchr(s + off, '\0', n - off))
			fn(fdt, node, s + off);
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		fn(fdt, node, extra[i]);
}

static void same_prop(const void *fdt, int node, const char *name)
{
	int l1 = 12345, l2 = 12345;
	const void *a = fdt_getprop(fdt, node, name, &l1);
	const void *b = dt_getprop(fdt, node, name, &l2);
	if (a != b || l1 != l2)
		fail_msg("node %d prop \"%s\": libfdt %p/%d, dt_read %p/%d", node, name, a, l1, b, l2);
	assert_ptr_equal(fdt_getprop(fdt, node, name, NULL), dt_getprop(fdt, node, name, NULL));
}

/* Everything at @node (any offset: also the malformed ones) answers the same. */
static void same_at(const void *fdt, int node)
{
	int l1 = 777, l2 = 777;
	const char *n1 = fdt_get_name(fdt, node, &l1), *n2 = dt_get_name(fdt, node, &l2);
	if (n1 != n2 || l1 != l2)
		fail_msg("node %d name: libfdt %p/%d, dt_read %p/%d", node, n1, l1, n2, l2);
	assert_int_equal(fdt_first_subnode(fdt, node), dt_first_subnode(fdt, node));
	assert_int_equal(fdt_next_subnode(fdt, node), dt_next_subnode(fdt, node));
	assert_int_equal(fdt_address_cells(fdt, node), dt_address_cells(fdt, node));
	assert_int_equal(fdt_size_cells(fdt, node), dt_size_cells(fdt, node));
	for_each_name(fdt, same_prop, node);
}

static struct dt_index ix;

static void same_index_prop(const void *fdt, int node, const char *name)
{
	int l1 = 12345, l2 = 12345;
	const void *a = fdt_getprop(fdt, node, name, &l1);
	const void *b = dt_index_getprop(&ix, fdt, node, name, &l2);
	if (a != b || l1 != l2)
		fail_msg("index: node %d prop \"%s\": libfdt %p/%d, index %p/%d", node, name, a, l1, b,
			 l2);
}

/* The index answers as libfdt does at @node, and lists the properties libfdt iterates. */
static void same_index_at(const void *fdt, int node)
{
	assert_int_equal(fdt_first_subnode(fdt, node), dt_index_first_subnode(&ix, fdt, node));
	assert_int_equal(fdt_next_subnode(fdt, node), dt_index_next_subnode(&ix, fdt, node));
	for_each_name(fdt, same_index_prop, node);
	const struct dt_prop *props;
	unsigned int count, k = 0;
	if (!dt_index_props(&ix, fdt, node, &props, &count))
		return;
	int off;
	fdt_for_each_property_offset(off, fdt, node) {
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(fdt, off, &name, &len);
		assert_true(k < count);
		assert_ptr_equal(props[k].val, val);
		assert_ptr_equal(props[k].name, name);
		assert_int_equal(props[k].len, len);
		k++;
	}
	assert_int_equal(k, count);
}

/* An index over the subtree at @root, checked at every offset; returns whether it was built. */
static bool same_index(const void *fdt, int root)
{
	struct fdt_header h;
	memcpy(&h, fdt, sizeof(h));
	uint32_t end = 0;
	bool built = dt_index_build_end(&ix, fdt, root, &end);
	if (built) {                             /* where libfdt's tag walk leaves the subtree */
		int depth = 0, off = root, next;
		for (;;) {
			uint32_t tag = fdt_next_tag(fdt, off, &next);
			depth += tag == FDT_BEGIN_NODE ? 1 : tag == FDT_END_NODE ? -1 : 0;
			off = next;
			if (depth == 0 || tag == FDT_END)
				break;
		}
		assert_int_equal(end, (uint32_t)off);
	}
	for (uint32_t off = 0; off < fdt32_to_cpu(h.size_dt_struct) + 8; off += FDT_TAGSIZE)
		same_index_at(fdt, (int)off);
	same_index_at(fdt, -1);
	return built;
}

/* A well-formed tree: every node, and the property iterator against libfdt's. */
static void same_tree(const void *fdt)
{
	assert_int_equal(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);
	int depth = 0, nodes = 0;
	for (int node = 0; node >= 0; node = fdt_next_node(fdt, node, &depth)) {
		same_at(fdt, node);
		nodes++;
		int off;
		uint32_t cur = dt_prop_first(fdt, node);
		struct dt_prop p;
		fdt_for_each_property_offset(off, fdt, node) {
			const char *name;
			int len;
			const void *val = fdt_getprop_by_offset(fdt, off, &name, &len);
			assert_true(dt_prop_next(fdt, &cur, &p));
			assert_ptr_equal(p.val, val);
			assert_ptr_equal(p.name, name);
			assert_int_equal(p.len, len);
		}
		assert_false(dt_prop_next(fdt, &cur, &p));
	}
	assert_true(nodes > 1);
}

/* Every phandle a node has, by libfdt's reading, and some none has: found where libfdt finds it. */
static void same_phandles(const void *fdt)
{
	static const uint32_t none[] = { 0, 1, 0x12345, UINT32_MAX };
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		assert_int_equal(dt_node_offset_by_phandle(fdt, none[i]),
				 fdt_node_offset_by_phandle(fdt, none[i]));
	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		uint32_t ph = fdt_get_phandle(fdt, node);
		if (ph != 0)
			assert_int_equal(dt_node_offset_by_phandle(fdt, ph),
					 fdt_node_offset_by_phandle(fdt, ph));
	}
}

/* Every 4-byte offset of the structure block as a node, plus a few bad ones. */
static void same_everywhere(const void *fdt)
{
	same_phandles(fdt);
	static const int bad[] = { -1, -FDT_ERR_NOTFOUND, 1, 2, 3, 0x7ffffffc };
	struct fdt_header h;                     /* a copy: the blob may be misaligned */
	memcpy(&h, fdt, sizeof(h));
	for (uint32_t off = 0; off < fdt32_to_cpu(h.size_dt_struct) + 8; off += FDT_TAGSIZE)
		same_at(fdt, (int)off);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		same_at(fdt, bad[i]);
}

static void test_nested(void **state)
{
	(void)state;
	size_t len;
	void *fdt = dtc_string(nested_dts, &len);
	same_tree(fdt);
	same_everywhere(fdt);
	assert_true(same_index(fdt, 0));
	assert_true(same_index(fdt, fdt_path_offset(fdt, "/f@10")));
	assert_true(same_index(fdt, fdt_path_offset(fdt, "/a/b/c")));
	assert_false(same_index(fdt, 4));        /* not a node: libfdt answers */
	assert_int_equal(dt_node_offset_by_phandle(fdt, 7), fdt_path_offset(fdt, "/a"));
	assert_int_equal(dt_node_offset_by_phandle(fdt, 0x20), fdt_path_offset(fdt, "/f@10/g/h"));
	assert_int_equal(dt_node_offset_by_phandle(fdt, 9), fdt_path_offset(fdt, "/k"));
	assert_int_equal(dt_node_offset_by_phandle(fdt, 8), -FDT_ERR_NOTFOUND);
	assert_true(dt_index_build(&ix, fdt, 0));
	uint32_t *memo = dt_index_memo(&ix, fdt, fdt_path_offset(fdt, "/a/d"));
	assert_non_null(memo);
	assert_int_equal(*memo, 0);
	*memo = 7;
	assert_int_equal(*dt_index_memo(&ix, fdt, fdt_path_offset(fdt, "/a/d")), 7);
	assert_null(dt_index_memo(&ix, fdt, 4));
	/* An index of another tree (the configuration's partial trees): not used. */
	void *other = dtc_string("/dts-v1/;\n/ { q { r = <1>; }; };\n", &len);
	assert_true(dt_index_build(&ix, fdt, 0));
	struct fdt_header h;
	memcpy(&h, other, sizeof(h));
	for (uint32_t off = 0; off < fdt32_to_cpu(h.size_dt_struct); off += FDT_TAGSIZE)
		same_index_at(other, (int)off);
	free(other);
	free(fdt);
}

/* A subtree bigger than the index: not built, and libfdt's answers still. */
static void test_index_overflow(void **state)
{
	(void)state;
	char *src = malloc(64 * 1024);
	assert_non_null(src);
	size_t n = (size_t)sprintf(src, "/dts-v1/;\n/ {\n");
	for (int i = 0; i < DT_INDEX_NODES + 1; i++)
		n += (size_t)sprintf(src + n, "  n%d { p = <%d>; };\n", i, i);
	sprintf(src + n, "};\n");
	size_t len;
	void *fdt = dtc_string(src, &len);
	assert_false(same_index(fdt, 0));
	assert_true(same_index(fdt, fdt_path_offset(fdt, "/n7")));
	free(fdt);
	n = (size_t)sprintf(src, "/dts-v1/;\n/ {\n  n {\n");
	for (int i = 0; i < DT_INDEX_PROPS + 1; i++)
		n += (size_t)sprintf(src + n, "    p%d = <%d>;\n", i, i);
	sprintf(src + n, "  };\n};\n");
	fdt = dtc_string(src, &len);
	assert_false(same_index(fdt, 0));
	free(fdt);
	free(src);
}

static void test_fixtures(void **state)
{
	(void)state;
	static const char *const names[] = { "design-example.dts", "design-example-ram.dts",
					     "dom0-two-domus.dts", "xen-string-ids.dts" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t len;
		void *fdt = fixture(names[i], &len);
		same_tree(fdt);
		same_everywhere(fdt);
		assert_true(same_index(fdt, fdt_path_offset(fdt, "/chosen")));
		assert_true(same_index(fdt, 0));
		free(fdt);
	}
}

/* NOP tokens where properties and whole nodes were (libfdt's fdt_nop_*). */
static void test_nops(void **state)
{
	(void)state;
	size_t len;
	void *fdt = dtc_string(nested_dts, &len);
	assert_int_equal(fdt_nop_property(fdt, fdt_path_offset(fdt, "/a"), "x"), 0);
	assert_int_equal(fdt_nop_property(fdt, 0, "#size-cells"), 0);
	assert_int_equal(fdt_nop_node(fdt, fdt_path_offset(fdt, "/a/b")), 0);
	assert_int_equal(fdt_nop_node(fdt, fdt_path_offset(fdt, "/k")), 0);
	same_tree(fdt);
	same_everywhere(fdt);
	assert_true(same_index(fdt, 0));
	assert_int_equal(dt_first_subnode(fdt, fdt_path_offset(fdt, "/a")),
			 fdt_path_offset(fdt, "/a/d"));
	assert_int_equal(dt_size_cells(fdt, 0), 1);
	free(fdt);
}

/* Blobs the fast path does not read: libfdt answers, and the answers are libfdt's. */
static void test_fallbacks(void **state)
{
	(void)state;
	size_t len;
	void *fdt = dtc_string(nested_dts, &len);
	char *odd = malloc(len + 1);
	assert_non_null(odd);
	memcpy(odd + 1, fdt, len);
	same_everywhere(odd + 1);                /* misaligned: libfdt refuses it (FDT_ERR_ALIGNMENT) */
	free(odd);
	int f10 = fdt_path_offset(fdt, "/f@10");
	fdt_set_version(fdt, 16);                /* no size_dt_struct: libfdt reads it */
	same_everywhere(fdt);
	assert_non_null(dt_getprop(fdt, f10, "reg", NULL));
	assert_int_equal(dt_node_offset_by_phandle(fdt, 9), fdt_path_offset(fdt, "/k"));
	assert_int_equal(dt_first_subnode(fdt, f10), fdt_path_offset(fdt, "/f@10/g"));
	free(fdt);
}

/* Random bytes changed in both blocks: the answers stay libfdt's (and ASan sees no stray read). */
static void test_mutations(void **state)
{
	(void)state;
	size_t len;
	void *orig = fixture("design-example.dts", &len);
	void *fdt = malloc(len);
	assert_non_null(fdt);
	srand(1);
	uint32_t st = fdt_off_dt_struct(orig), st_size = fdt_size_dt_struct(orig);
	uint32_t str = fdt_off_dt_strings(orig), str_size = fdt_size_dt_strings(orig);
	static const uint32_t tokens[] = { FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP,
					   FDT_END, 0xffffffff, 0x7fffffff, 0x100 };
	for (int round = 0; round < MUTATION_ROUNDS; round++) {
		memcpy(fdt, orig, len);
		for (int m = 0; m < MUTATIONS_A_ROUND; m++) {
			int kind = rand() % 3;
			if (kind == 0) {            /* a whole word: a token or a length */
				uint32_t at = st + (uint32_t)(rand() % (int)(st_size / 4)) * 4;
				fdt32_t v = cpu_to_fdt32(tokens[rand() % 8]);
				memcpy((char *)fdt + at, &v, sizeof(v));
			} else if (kind == 1) {     /* a byte of the structure block */
				((unsigned char *)fdt)[st + (uint32_t)rand() % st_size] = (unsigned char)rand();
			} else {                    /* a byte of the strings block (a NUL gone or added) */
				((unsigned char *)fdt)[str + (uint32_t)rand() % str_size] =
					rand() % 2 ? 0 : (unsigned char)rand();
			}
		}
		if (fdt_check_header(fdt) != 0)
			continue;
		same_everywhere(fdt);
		same_index(fdt, fdt_path_offset(orig, "/chosen"));
	}
	free(fdt);
	free(orig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_nops),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_index_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
