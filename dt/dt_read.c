/*
 * Device-tree reads straight from the structure block (DT spec 5.4), for
 * the host DT at boot and the configuration parser (include/dt_read.h).
 * The fast path needs a version 17 blob at a 4-byte aligned address, so
 * that every token is an aligned big-endian word; everything else, and
 * anything unexpected on the way, goes to libfdt.
 */
#include <libfdt.h>

#include "dt_read.h"
#include "types.h"

#define DT_FAST_VERSION 17u            /* size_dt_struct is in the header from 17 on */
#define DT_NO_CURSOR    UINT32_MAX

/* The blocks of a blob the fast path can read, from its (aligned) header. */
struct dt_blob {
	const char *st;        /* structure block */
	uint32_t st_size;
	const char *str;       /* strings block */
	uint32_t str_size;
};

static uint32_t be32(const void *p)
{
	return fdt32_to_cpu(*(const fdt32_t *)p);
}

static bool dt_blob(const void *fdt, struct dt_blob *b)
{
	const struct fdt_header *h = fdt;
	if (((uintptr_t)fdt & (FDT_TAGSIZE - 1)) != 0 || be32(&h->version) < DT_FAST_VERSION)
		return false;
	uint32_t st = be32(&h->off_dt_struct);
	if ((st & (FDT_TAGSIZE - 1)) != 0)
		return false;
	b->st = (const char *)fdt + st;
	b->st_size = be32(&h->size_dt_struct) & ~(FDT_TAGSIZE - 1);
	b->str = (const char *)fdt + be32(&h->off_dt_strings);
	b->str_size = be32(&h->size_dt_strings);
	return true;
}

static uint32_t tag_at(const struct dt_blob *b, uint32_t off)
{
	return be32(b->st + off);
}

/* Non-zero when one of the four bytes of @w is zero (the has-zero-byte test). */
static uint32_t word_has_nul(uint32_t w)
{
	return (w - 0x01010101u) & ~w & 0x80808080u;
}

/*
 * Past the name of the BEGIN_NODE at @off, or DT_NO_CURSOR when that is not
 * one.  A word at a time: the name is padded to a word with NULs, so the
 * word holding its NUL is its last.
 */
static uint32_t skip_begin_node(const struct dt_blob *b, uint32_t off)
{
	if (off >= b->st_size || (off & (FDT_TAGSIZE - 1)) != 0 || tag_at(b, off) != FDT_BEGIN_NODE)
		return DT_NO_CURSOR;
	for (uint32_t i = off + FDT_TAGSIZE; i < b->st_size; i += FDT_TAGSIZE)
		if (word_has_nul(*(const uint32_t *)(const void *)(b->st + i)))
			return i + FDT_TAGSIZE;
	return DT_NO_CURSOR;
}

/* Past the PROP at @off, or DT_NO_CURSOR when its value runs out of the block. */
static uint32_t skip_prop(const struct dt_blob *b, uint32_t off)
{
	if (b->st_size - off < 3 * FDT_TAGSIZE)
		return DT_NO_CURSOR;
	uint32_t len = be32(b->st + off + FDT_TAGSIZE), val = off + 3 * FDT_TAGSIZE;
	if (len > b->st_size - val)
		return DT_NO_CURSOR;
	return (uint32_t)align_up((uint64_t)val + len, FDT_TAGSIZE);
}

/* The string at @nameoff equals @name (@len bytes, then its NUL). */
static bool name_eq(const struct dt_blob *b, uint32_t nameoff, const char *name, size_t len)
{
	if (nameoff >= b->str_size || b->str_size - nameoff <= len)
		return false;
	const char *s = b->str + nameoff;
	for (size_t i = 0; i < len; i++)
		if (s[i] != name[i])
			return false;
	return s[len] == '\0';
}

const void *dt_getprop(const void *fdt, int node, const char *name, int *lenp)
{
	struct dt_blob b;
	uint32_t off;
	if (!dt_blob(fdt, &b) || node < 0 || (off = skip_begin_node(&b, (uint32_t)node)) == DT_NO_CURSOR)
		return fdt_getprop(fdt, node, name, lenp);
	size_t nlen = 0;
	while (name[nlen])
		nlen++;
	while (off < b.st_size) {
		uint32_t tag = tag_at(&b, off);
		if (tag == FDT_NOP) {
			off += FDT_TAGSIZE;
			continue;
		}
		if (tag == FDT_BEGIN_NODE || tag == FDT_END_NODE)
			break;                          /* the node's properties are over */
		uint32_t next = tag == FDT_PROP ? skip_prop(&b, off) : DT_NO_CURSOR;
		if (next == DT_NO_CURSOR)
			return fdt_getprop(fdt, node, name, lenp);
		if (name_eq(&b, be32(b.st + off + 2 * FDT_TAGSIZE), name, nlen)) {
			if (lenp)
				*lenp = (int)be32(b.st + off + FDT_TAGSIZE);
			return b.st + off + 3 * FDT_TAGSIZE;
		}
		off = next;
	}
	if (off >= b.st_size)
		return fdt_getprop(fdt, node, name, lenp);
	if (lenp)
		*lenp = -FDT_ERR_NOTFOUND;
	return NULL;
}

const char *dt_get_name(const void *fdt, int node, int *lenp)
{
	struct dt_blob b;
	if (!dt_blob(fdt, &b) || node < 0 || skip_begin_node(&b, (uint32_t)node) == DT_NO_CURSOR)
		return fdt_get_name(fdt, node, lenp);
	const char *name = b.st + node + FDT_TAGSIZE;
	if (lenp) {
		int n = 0;
		while (name[n])
			n++;
		*lenp = n;
	}
	return name;
}

/*
 * From @off, skip properties and NOPs, and whole child nodes while
 * @skip_children: the offset of the next BEGIN_NODE at this level, -1 at
 * the node's END_NODE, or -2 for anything else (libfdt then answers).
 */
static int next_child(const struct dt_blob *b, uint32_t off, bool skip_children)
{
	int depth = 0;
	while (off < b->st_size) {
		uint32_t tag = tag_at(b, off);
		if (tag == FDT_NOP) {
			off += FDT_TAGSIZE;
		} else if (tag == FDT_PROP) {
			off = skip_prop(b, off);
			if (off == DT_NO_CURSOR)
				return -2;
		} else if (tag == FDT_BEGIN_NODE) {
			if (depth == 0 && !skip_children)
				return off <= INT32_MAX ? (int)off : -2;
			off = skip_begin_node(b, off);
			if (off == DT_NO_CURSOR)
				return -2;
			depth++;
		} else if (tag == FDT_END_NODE) {
			if (depth == 0)
				return -1;
			off += FDT_TAGSIZE;
			if (--depth == 0)
				skip_children = false;      /* the child we skipped has ended */
		} else {
			return -2;
		}
	}
	return -2;
}

int dt_first_subnode(const void *fdt, int node)
{
	struct dt_blob b;
	uint32_t off;
	if (!dt_blob(fdt, &b) || node < 0 || (off = skip_begin_node(&b, (uint32_t)node)) == DT_NO_CURSOR)
		return fdt_first_subnode(fdt, node);
	int r = next_child(&b, off, false);
	return r >= 0 ? r : r == -1 ? -FDT_ERR_NOTFOUND : fdt_first_subnode(fdt, node);
}

int dt_next_subnode(const void *fdt, int node)
{
	struct dt_blob b;
	if (!dt_blob(fdt, &b) || node < 0 || skip_begin_node(&b, (uint32_t)node) == DT_NO_CURSOR)
		return fdt_next_subnode(fdt, node);
	/* From @node's own BEGIN_NODE: skip it, with its subtree, to its sibling. */
	int r = next_child(&b, (uint32_t)node, true);
	return r >= 0 ? r : r == -1 ? -FDT_ERR_NOTFOUND : fdt_next_subnode(fdt, node);
}

/* fdt_get_phandle() of the node at @node. */
static uint32_t phandle_of(const void *fdt, int node)
{
	int len;
	const fdt32_t *ph = dt_getprop(fdt, node, "phandle", &len);
	if (!ph || len != (int)sizeof(*ph)) {
		ph = dt_getprop(fdt, node, "linux,phandle", &len);
		if (!ph || len != (int)sizeof(*ph))
			return 0;
	}
	return fdt32_ld(ph);
}

int dt_node_offset_by_phandle(const void *fdt, uint32_t phandle)
{
	struct dt_blob b;
	if (phandle == 0 || phandle == UINT32_MAX || !dt_blob(fdt, &b))
		return fdt_node_offset_by_phandle(fdt, phandle);
	/* Every token in order: the first node with the phandle, as libfdt's. */
	for (uint32_t off = 0, next; off < b.st_size; off = next) {
		uint32_t tag = tag_at(&b, off);
		if (tag == FDT_END)
			return -FDT_ERR_NOTFOUND;
		if (tag == FDT_BEGIN_NODE && off <= INT32_MAX && phandle_of(fdt, (int)off) == phandle)
			return (int)off;
		next = tag == FDT_BEGIN_NODE ? skip_begin_node(&b, off) :
		       tag == FDT_PROP ? skip_prop(&b, off) :
		       tag == FDT_NOP || tag == FDT_END_NODE ? off + FDT_TAGSIZE : DT_NO_CURSOR;
		if (next == DT_NO_CURSOR)
			break;
	}
	return fdt_node_offset_by_phandle(fdt, phandle);
}

/* fdt_cells() of a property value (@c NULL: @len is the look-up's error). */
static int cells_value(const fdt32_t *c, int len)
{
	if (!c)
		return len;
	if (len != (int)sizeof(*c))
		return -FDT_ERR_BADNCELLS;
	uint32_t v = fdt32_ld(c);
	return v > FDT_MAX_NCELLS ? -FDT_ERR_BADNCELLS : (int)v;
}

/* fdt_address_cells() / fdt_size_cells() from the cells_value() of each property. */
static int address_cells(int v)
{
	if (v == 0)
		return -FDT_ERR_BADNCELLS;
	return v == -FDT_ERR_NOTFOUND ? 2 : v;
}

static int size_cells(int v)
{
	return v == -FDT_ERR_NOTFOUND ? 1 : v;
}

int dt_address_cells(const void *fdt, int node)
{
	int len;
	const fdt32_t *c = dt_getprop(fdt, node, "#address-cells", &len);
	return address_cells(cells_value(c, len));
}

int dt_size_cells(const void *fdt, int node)
{
	int len;
	const fdt32_t *c = dt_getprop(fdt, node, "#size-cells", &len);
	return size_cells(cells_value(c, len));
}

/*
 * The cursor is a structure-block offset on the fast path, else libfdt's
 * property offset (a blob the fast path cannot read gets libfdt's iterator).
 */
uint32_t dt_prop_first(const void *fdt, int node)
{
	struct dt_blob b;
	if (!dt_blob(fdt, &b))
		return (uint32_t)fdt_first_property_offset(fdt, node);
	return node < 0 ? DT_NO_CURSOR : skip_begin_node(&b, (uint32_t)node);
}

static bool dt_prop_next_libfdt(const void *fdt, uint32_t *cursor, struct dt_prop *p)
{
	int off = (int)*cursor;
	if (off < 0 || !(p->val = fdt_getprop_by_offset(fdt, off, &p->name, &p->len)))
		return false;
	*cursor = (uint32_t)fdt_next_property_offset(fdt, off);
	return true;
}

bool dt_prop_next(const void *fdt, uint32_t *cursor, struct dt_prop *p)
{
	struct dt_blob b;
	if (!dt_blob(fdt, &b))
		return dt_prop_next_libfdt(fdt, cursor, p);
	uint32_t off = *cursor;
	while (off < b.st_size && tag_at(&b, off) == FDT_NOP)
		off += FDT_TAGSIZE;
	if (off >= b.st_size || tag_at(&b, off) != FDT_PROP)
		return false;
	uint32_t next = skip_prop(&b, off);
	uint32_t nameoff = be32(b.st + off + 2 * FDT_TAGSIZE);
	if (next == DT_NO_CURSOR || nameoff >= b.str_size)
		return false;
	const char *name = b.str + nameoff;
	uint32_t n = 0;
	while (n < b.str_size - nameoff && name[n])
		n++;
	if (n == b.str_size - nameoff)
		return false;                   /* not terminated inside the strings block */
	p->name = name;
	p->val = b.st + off + 3 * FDT_TAGSIZE;
	p->len = (int)be32(b.st + off + FDT_TAGSIZE);
	*cursor = next;
	return true;
}

/* ---- an index of one subtree ------------------------------------------- */

/* The name at @nameoff when it ends inside the strings block (as dt_prop_next() requires). */
static const char *index_prop_name(const struct dt_blob *b, uint32_t nameoff)
{
	if (nameoff >= b->str_size)
		return NULL;
	const char *name = b->str + nameoff;
	for (uint32_t n = 0; n < b->str_size - nameoff; n++)
		if (name[n] == '\0')
			return name;
	return NULL;
}

/*
 * One pass over the subtree at @root, as dt_prop_next() and next_child()
 * read it; anything they would not accept (a malformed token, a property
 * after a child node, which libfdt's look-ups never see) or more than the
 * index holds leaves it unbuilt.
 */
static bool index_walk(struct dt_index *ix, const struct dt_blob *b, uint32_t off, uint32_t *end)
{
	int stack[DT_INDEX_DEPTH], last_child[DT_INDEX_DEPTH];
	int depth = -1;
	while (off < b->st_size) {
		uint32_t tag = tag_at(b, off);
		if (tag == FDT_NOP) {
			off += FDT_TAGSIZE;
		} else if (tag == FDT_BEGIN_NODE) {
			uint32_t body = skip_begin_node(b, off);
			if (body == DT_NO_CURSOR || off > INT32_MAX || ix->node_count == DT_INDEX_NODES ||
			    depth + 1 == DT_INDEX_DEPTH)
				return false;
			int n = (int)ix->node_count++;
			ix->node[n] = (struct dt_index_node){ (int)off, -1, -1, ix->prop_count, 0, 0 };
			if (depth >= 0) {
				if (last_child[depth] < 0)
					ix->node[stack[depth]].first_child = n;
				else
					ix->node[last_child[depth]].next_sibling = n;
				last_child[depth] = n;
			}
			stack[++depth] = n;
			last_child[depth] = -1;
			off = body;
		} else if (tag == FDT_END_NODE) {
			off += FDT_TAGSIZE;
			if (--depth < 0) {
				*end = off;
				return true;
			}
		} else if (tag == FDT_PROP && depth >= 0 && last_child[depth] < 0) {
			uint32_t next = skip_prop(b, off);
			const char *name = index_prop_name(b, be32(b->st + off + 2 * FDT_TAGSIZE));
			if (next == DT_NO_CURSOR || !name || ix->prop_count == DT_INDEX_PROPS)
				return false;
			ix->prop[ix->prop_count++] = (struct dt_prop){
				name, b->st + off + 3 * FDT_TAGSIZE, (int)be32(b->st + off + FDT_TAGSIZE)
			};
			ix->node[stack[depth]].prop_count++;
			off = next;
		} else {
			return false;
		}
	}
	return false;
}

bool dt_index_build_end(struct dt_index *ix, const void *fdt, int root, uint32_t *end)
{
	struct dt_blob b;
	ix->fdt = fdt;
	ix->node_count = ix->prop_count = ix->last = 0;
	ix->ok = dt_blob(fdt, &b) && root >= 0 &&
		 skip_begin_node(&b, (uint32_t)root) != DT_NO_CURSOR &&
		 index_walk(ix, &b, (uint32_t)root, end);
	return ix->ok;
}

bool dt_index_build(struct dt_index *ix, const void *fdt, int root)
{
	uint32_t end;
	return dt_index_build_end(ix, fdt, root, &end);
}

bool dt_index_holds(const struct dt_index *ix, const void *fdt, int root)
{
	return ix && ix->ok && ix->fdt == fdt && ix->node[0].off == root;
}

/*
 * The index of the node at offset @node of @fdt (nodes are in offset
 * order), or -1.  Questions come in runs about one node: the last answer
 * is tried first.
 */
static int index_find(struct dt_index *ix, const void *fdt, int node)
{
	if (!ix || !ix->ok || ix->fdt != fdt)
		return -1;
	if (ix->node[ix->last].off == node)
		return (int)ix->last;
	unsigned int lo = 0, hi = ix->node_count;
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;
		if (ix->node[mid].off < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= ix->node_count || ix->node[lo].off != node)
		return -1;
	ix->last = lo;
	return (int)lo;
}

const void *dt_index_getprop(struct dt_index *ix, const void *fdt, int node,
			     const char *name, int *lenp)
{
	int i = index_find(ix, fdt, node);
	if (i < 0)
		return dt_getprop(fdt, node, name, lenp);
	const struct dt_prop *p = &ix->prop[ix->node[i].first_prop];
	for (uint32_t k = 0; k < ix->node[i].prop_count; k++, p++) {
		const char *a = p->name, *c = name;
		while (*a && *a == *c) {
			a++;
			c++;
		}
		if (*a == *c) {
			if (lenp)
				*lenp = p->len;
			return p->val;
		}
	}
	if (lenp)
		*lenp = -FDT_ERR_NOTFOUND;
	return NULL;
}

int dt_index_address_cells(struct dt_index *ix, const void *fdt, int node)
{
	int len;
	const fdt32_t *c = dt_index_getprop(ix, fdt, node, "#address-cells", &len);
	return address_cells(cells_value(c, len));
}

int dt_index_size_cells(struct dt_index *ix, const void *fdt, int node)
{
	int len;
	const fdt32_t *c = dt_index_getprop(ix, fdt, node, "#size-cells", &len);
	return size_cells(cells_value(c, len));
}

int dt_index_first_subnode(struct dt_index *ix, const void *fdt, int node)
{
	int i = index_find(ix, fdt, node);
	if (i < 0)
		return dt_first_subnode(fdt, node);
	int c = ix->node[i].first_child;
	return c < 0 ? -FDT_ERR_NOTFOUND : ix->node[c].off;
}

int dt_index_next_subnode(struct dt_index *ix, const void *fdt, int node)
{
	int i = index_find(ix, fdt, node);
	if (i <= 0)
		return dt_next_subnode(fdt, node);     /* the root's siblings are not indexed */
	int s = ix->node[i].next_sibling;
	return s < 0 ? -FDT_ERR_NOTFOUND : ix->node[s].off;
}

uint32_t *dt_index_memo(struct dt_index *ix, const void *fdt, int node)
{
	int i = index_find(ix, fdt, node);
	return i < 0 ? NULL : &ix->node[i].memo;
}

bool dt_index_props(struct dt_index *ix, const void *fdt, int node,
		    const struct dt_prop **props, unsigned int *count)
{
	int i = index_find(ix, fdt, node);
	if (i < 0)
		return false;
	*props = &ix->prop[ix->node[i].first_prop];
	*count = ix->node[i].prop_count;
	return true;
}
