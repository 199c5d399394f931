/*
 * Device-tree property helpers for the configuration parser: typed reads
 * that report malformed properties as config errors instead of guessing.
 */
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "cfg_internal.h"

#define ASCII_PRINTABLE_FIRST 0x20
#define ASCII_PRINTABLE_LAST  0x7e

/*
 * True when @val is one non-empty, NUL-terminated string of printable ASCII.
 * This is how a string property is told apart from cells: a u32 such as
 * <0x1> starts with a NUL byte, while "abc" (also 4 bytes) does not.
 */
bool cfg_is_string(const void *val, int len)
{
	const unsigned char *s = val;

	if (len < 2 || s[len - 1] != '\0')
		return false;
	for (int i = 0; i < len - 1; i++)
		if (s[i] < ASCII_PRINTABLE_FIRST || s[i] > ASCII_PRINTABLE_LAST)
			return false;
	return true;
}

/* Appends what of @s (@n bytes) fits before the last byte of @out (CFG_PATH_MAX). */
static size_t path_put(char *out, size_t at, const char *s, size_t n)
{
	size_t room = CFG_PATH_MAX - 1 - at;
	size_t k = n < room ? n : room;
	memcpy(out + at, s, k);
	return at + k;
}

/*
 * "<parent>/<name>" (parent "/" gives "/<name>"); truncated to CFG_PATH_MAX.
 * Returns the untruncated length, as snprintf does (it was snprintf: a
 * hundred instructions more per node).
 */
int cfg_child_path(char *out, const char *parent, const char *name)
{
	size_t pl = strlen(parent), nl = strlen(name);
	size_t at = 0;

	if (!(pl == 1 && parent[0] == '/'))
		at = path_put(out, at, parent, pl);
	else
		pl = 0;
	at = path_put(out, at, "/", 1);
	at = path_put(out, at, name, nl);
	out[at] = '\0';
	return (int)(pl + 1 + nl);
}

bool cfg_compatible(const void *fdt, int node, const char *compat)
{
	int len;
	const void *val = dt_getprop(fdt, node, "compatible", &len);

	return val && fdt_stringlist_contains(val, len, compat);
}

/*
 * Read a #address-cells / #size-cells property: one cell, 1 or 2 (values are
 * read as 64-bit, never wider).  Returns false, after an error, when
 * malformed; false without an error when absent.
 */
bool cfg_read_cells_prop(struct cfg_ctx *ctx, int node, const char *path,
			 const char *prop, unsigned int *out)
{
	int len;
	const fdt32_t *val = cfg_getprop(ctx, node, prop, &len);

	if (!val)
		return false;
	if (len != CFG_CELL_BYTES) {
		cfg_error(ctx->errs, path, prop, "%d bytes, expected 1 cell (4 bytes)", len);
		return false;
	}
	uint32_t v = fdt32_to_cpu(*val);
	if (v < 1 || v > CFG_MAX_CELLS) {
		cfg_error(ctx->errs, path, prop, "%u is not supported (1 or 2)", v);
		return false;
	}
	*out = v;
	return true;
}

/* The value made of @cells cells starting at cell @idx of @val. */
uint64_t cfg_cells_value(const void *val, unsigned int idx, unsigned int cells)
{
	const unsigned char *p = (const unsigned char *)val + idx * CFG_CELL_BYTES;
	uint64_t v = 0;

	for (unsigned int i = 0; i < cells * CFG_CELL_BYTES; i++)
		v = (v << 8) | p[i];
	return v;
}

bool cfg_range_overflows(uint64_t base, uint64_t size)
{
	return size != 0 && base + size - 1 < base;
}

/* "0x%llx" into @out (at least CFG_HEX_STR bytes), without snprintf's cost. */
void cfg_fmt_hex(char *out, uint64_t v)
{
	char digits[CFG_HEX_STR];
	unsigned int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v != 0);
	*out++ = '0';
	*out++ = 'x';
	while (n != 0)
		*out++ = digits[--n];
	*out = '\0';
}

/* "0x<first>-0x<last>", inclusive, as Xen prints memory ranges. */
void cfg_fmt_range(char *out, uint64_t base, uint64_t size)
{
	snprintf(out, CFG_RANGE_STR, "0x%llx-0x%llx", (unsigned long long)base,
		 (unsigned long long)(base + size - 1));
}

/* A module's `reg`: exactly one <address size> entry in @ac + @sc cells. */
bool cfg_read_reg(struct cfg_ctx *ctx, int node, const char *path,
		  unsigned int ac, unsigned int sc, uint64_t *base, uint64_t *size)
{
	int len;
	const void *val = cfg_getprop(ctx, node, "reg", &len);
	int want = (int)((ac + sc) * CFG_CELL_BYTES);

	if (!val) {
		cfg_error(ctx->errs, path, "reg", "missing");
		return false;
	}
	if (len != want) {
		cfg_error(ctx->errs, path, "reg", "%d bytes is not %u address + %u size cells (%d bytes)",
			  len, ac, sc, want);
		return false;
	}
	*base = cfg_cells_value(val, 0, ac);
	*size = cfg_cells_value(val, ac, sc);
	if (*size == 0) {
		cfg_error(ctx->errs, path, "reg", "size is 0");
		return false;
	}
	if (cfg_range_overflows(*base, *size)) {
		cfg_error(ctx->errs, path, "reg", "0x%llx + 0x%llx overflows 64 bits",
			  (unsigned long long)*base, (unsigned long long)*size);
		return false;
	}
	return true;
}

/*
 * Copy string property @prop into @out (@max bytes with the NUL).  Returns
 * false when absent (no error) or malformed/too long (error recorded).
 */
bool cfg_read_string(struct cfg_ctx *ctx, int node, const char *path,
		     const char *prop, char *out, size_t max)
{
	int len;
	const char *val = cfg_getprop(ctx, node, prop, &len);

	if (!val)
		return false;
	if (len < 1 || val[len - 1] != '\0' || memchr(val, '\0', (size_t)len) != val + len - 1) {
		cfg_error(ctx->errs, path, prop, "not a NUL-terminated string");
		return false;
	}
	if ((size_t)len > max) {
		cfg_error(ctx->errs, path, prop, "%d characters exceed the limit of %zu",
			  len - 1, max - 1);
		return false;
	}
	memcpy(out, val, (size_t)len);
	return true;
}
