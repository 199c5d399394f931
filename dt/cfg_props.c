/*
 * Nothing silently ignored (DESIGN.md §4): every property and compatible of
 * Xen's booting.txt (dom0less, static shared memory) and passthrough.txt
 * has a status here, in one table per place it can appear.  A property
 * Tessera does not implement is a config error naming node and property;
 * one that changes nothing here is accepted, and the table says why.
 * Turning a rejected entry into a supported one is a one-line change in
 * its table (docs/configuration.md, section 8, is the same table for
 * readers).
 */
#include <string.h>

#include <libfdt.h>

#include "cfg_internal.h"

enum cfg_status {
	CFG_SUPPORTED,     /* read and acted on */
	CFG_IGNORED,       /* accepted; changes nothing here (why says why) */
	CFG_REJECTED,      /* a config error with why as its reason */
};

struct cfg_prop_rule {
	const char *name;
	enum cfg_status status;
	const char *why;
	/* A rejected property whose value asks for what Tessera does anyway. */
	bool (*harmless)(const void *val, int len);
};

struct cfg_compat_rule {
	const char *compat;
	size_t len;             /* strlen(compat): most rules are told apart by it alone */
	enum cfg_status status;
	const char *why;
};

#define COMPAT_RULE(str, status, why) { str, sizeof(str) - 1, status, why }

/* Length of @s up to its NUL, at most @max (strnlen is POSIX, not C11). */
static size_t bounded_len(const char *s, size_t max)
{
	const char *nul = memchr(s, '\0', max);
	return nul ? (size_t)(nul - s) : max;
}

static bool value_is(const void *val, int len, const char *s)
{
	return len == (int)strlen(s) + 1 && memcmp(val, s, (size_t)len) == 0;
}

static bool cell_is(const void *val, int len, uint64_t want)
{
	return len == CFG_CELL_BYTES && cfg_cells_value(val, 0, 1) == want;
}

static bool is_disabled(const void *val, int len) { return value_is(val, len, "disabled"); }
static bool is_zero(const void *val, int len) { return cell_is(val, len, 0); }
static bool is_one(const void *val, int len) { return cell_is(val, len, 1); }

#define NOT_PV "Xen's PV interfaces (hypercalls, xenstore, grant tables, event channels) " \
	       "are not provided"

/* Properties of /chosen: only Xen's ("xen,...") and the ones below are judged. */
static const struct cfg_prop_rule chosen_props[] = {
	{ "#address-cells", CFG_SUPPORTED, "cells of dom0's modules and shared memory", NULL },
	{ "#size-cells", CFG_SUPPORTED, "cells of dom0's modules and shared memory", NULL },
	{ "xen,xen-bootargs", CFG_SUPPORTED, "dom0_mem= and dom0_max_vcpus= are read", NULL },
	{ "xen,dom0-bootargs", CFG_SUPPORTED, "dom0's command line", NULL },
	{ "bootargs", CFG_SUPPORTED, "dom0's command line in Xen's order", NULL },
	{ "xen,uefi-cfg-load", CFG_IGNORED, "UEFI boot only; Tessera is booted as an Image", NULL },
	{ "xen,static-heap", CFG_REJECTED,
	  "a static heap is not supported: the hypervisor takes its memory from free RAM", NULL },
};

/* Properties of a xen,domain node: anything not listed is an error. */
static const struct cfg_prop_rule domain_props[] = {
	{ "compatible", CFG_SUPPORTED, "xen,domain", NULL },
	{ "#address-cells", CFG_SUPPORTED, "cells of the children's reg", NULL },
	{ "#size-cells", CFG_SUPPORTED, "cells of the children's reg", NULL },
	{ "memory", CFG_SUPPORTED, "RAM in KiB", NULL },
	{ "cpus", CFG_SUPPORTED, "vCPUs", NULL },
	{ "vpl011", CFG_SUPPORTED, "every partition has its PL011", NULL },
	{ "xen,static-mem", CFG_SUPPORTED, "RAM at a fixed host address", NULL },
	{ "#xen,static-mem-address-cells", CFG_SUPPORTED, "cells of xen,static-mem", NULL },
	{ "#xen,static-mem-size-cells", CFG_SUPPORTED, "cells of xen,static-mem", NULL },
	{ "tessera,cpus", CFG_SUPPORTED, "Tessera's own vCPU pinning", NULL },
	{ "phandle", CFG_SUPPORTED, "device-tree structure", NULL },
	{ "linux,phandle", CFG_SUPPORTED, "device-tree structure", NULL },
	{ "nr_spis", CFG_IGNORED, "the vGIC has 64 SPIs, more than a partition without "
	  "passthrough uses", NULL },
	{ "max_grant_version", CFG_IGNORED, "limits grant tables, which Tessera does not have", NULL },
	{ "max_grant_frames", CFG_IGNORED, "limits grant tables, which Tessera does not have", NULL },
	{ "max_maptrack_frames", CFG_IGNORED, "limits grant tables, which Tessera does not have",
	  NULL },
	{ "xen,domain-p2m-mem-mb", CFG_IGNORED, "stage-2 tables come from the hypervisor's pool",
	  NULL },
	{ "direct-map", CFG_SUPPORTED, "guest RAM at IPA == host PA (with xen,static-mem)", NULL },
	{ "passthrough", CFG_REJECTED, "IOMMU mappings for the domain: there is no IOMMU (only "
	  "\"disabled\" is accepted; devices are assigned with xen,force-assign-without-iommu)",
	  is_disabled },
	{ "domain-cpupool", CFG_REJECTED,
	  "CPU pools are not supported: each vCPU has a physical CPU of its own", NULL },
	{ "llc-colors", CFG_REJECTED, "LLC colouring is not supported", NULL },
	{ "colors", CFG_REJECTED, "LLC colouring is not supported", NULL },
	{ "sve", CFG_REJECTED, "SVE is hidden from guests (only <0> is accepted)", is_zero },
	{ "xen,enhanced", CFG_REJECTED, NOT_PV " (only \"disabled\" is accepted)", is_disabled },
	{ "capabilities", CFG_SUPPORTED, "DOMAIN_CAPS_CONTROL makes a control partition; hardware "
	  "and xenstore domains are refused", NULL },
	{ "trap-unmapped-accesses", CFG_REJECTED, "an access to an unmapped address always gets "
	  "a data abort (only <1> is accepted)", is_one },
};

/* Properties of a boot module node (kernel, ramdisk). */
static const struct cfg_prop_rule module_props[] = {
	{ "compatible", CFG_SUPPORTED, "the module's kind", NULL },
	{ "reg", CFG_SUPPORTED, "where the boot loader put it", NULL },
	{ "bootargs", CFG_SUPPORTED, "the kernel's command line (Xen reads it on kernels only)",
	  NULL },
	{ "phandle", CFG_SUPPORTED, "device-tree structure", NULL },
	{ "linux,phandle", CFG_SUPPORTED, "device-tree structure", NULL },
	{ "xen,uefi-binary", CFG_IGNORED, "UEFI boot only; reg says where the module is", NULL },
};

/* Properties of a xen,domain-shared-memory-v1 node. */
static const struct cfg_prop_rule shm_props[] = {
	{ "compatible", CFG_SUPPORTED, "xen,domain-shared-memory-v1", NULL },
	{ "xen,shm-id", CFG_SUPPORTED, "the region", NULL },
	{ "xen,shared-mem", CFG_SUPPORTED, "host and guest ranges", NULL },
	{ "role", CFG_SUPPORTED, "owner or borrower", NULL },
	{ "phandle", CFG_SUPPORTED, "device-tree structure", NULL },
	{ "linux,phandle", CFG_SUPPORTED, "device-tree structure", NULL },
};

#define MODULE_COMPATS \
	COMPAT_RULE("multiboot,kernel", CFG_SUPPORTED, NULL), \
	COMPAT_RULE("multiboot,ramdisk", CFG_SUPPORTED, NULL), \
	COMPAT_RULE("multiboot,module", CFG_SUPPORTED, NULL), \
	COMPAT_RULE("xen,linux-zimage", CFG_SUPPORTED, NULL), \
	COMPAT_RULE("xen,linux-initrd", CFG_SUPPORTED, NULL), \
	COMPAT_RULE("xen,multiboot-module", CFG_SUPPORTED, NULL), \
	COMPAT_RULE("xen,xsm-policy", CFG_REJECTED, "XSM policies are not supported")

/* Children of a xen,domain node, by their first known compatible string. */
static const struct cfg_compat_rule domain_children[] = {
	MODULE_COMPATS,
	COMPAT_RULE("multiboot,device-tree", CFG_SUPPORTED, NULL),
	COMPAT_RULE("xen,domain-shared-memory-v1", CFG_SUPPORTED, NULL),
	COMPAT_RULE("xen,evtchn-v1", CFG_REJECTED, "static event channels are not supported"),
};

/* Children of /chosen: the Xen ones (other bindings live there too). */
static const struct cfg_compat_rule chosen_children[] = {
	MODULE_COMPATS,
	COMPAT_RULE("multiboot,device-tree", CFG_REJECTED,
		    "devices are passed through to xen,domain partitions only, not to dom0"),
	COMPAT_RULE("xen,domain", CFG_SUPPORTED, NULL),
	COMPAT_RULE("xen,domain-shared-memory-v1", CFG_SUPPORTED, NULL),
	COMPAT_RULE("xen,cpupool", CFG_REJECTED,
		    "CPU pools are not supported: each vCPU has a physical CPU of its own"),
	COMPAT_RULE("xen,evtchn-v1", CFG_REJECTED, "static event channels are not supported"),
};

/* Children of a module node: dom0's static event channels live there. */
static const struct cfg_compat_rule module_children[] = {
	COMPAT_RULE("xen,evtchn-v1", CFG_REJECTED, "static event channels are not supported"),
};

static const struct cfg_prop_rule *find_prop(const struct cfg_prop_rule *t, size_t n,
					     const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].name[0] != name[0])
			continue;                      /* cheap first test */
		const char *a = t[i].name, *b = name;
		while (*a && *a == *b) {
			a++;
			b++;
		}
		if (*a == *b)
			return &t[i];
	}
	return NULL;
}

static bool xen_name(const char *name)
{
	return strncmp(name, "xen,", strlen("xen,")) == 0 ||
	       strncmp(name, "multiboot,", strlen("multiboot,")) == 0;
}

static void check_prop(struct cfg_ctx *ctx, const char *path, const struct cfg_prop_rule *t,
		       size_t n, bool only_xen, const struct dt_prop *p)
{
	if (only_xen && !xen_name(p->name))
		return;
	const struct cfg_prop_rule *r = find_prop(t, n, p->name);
	if (!r)
		cfg_error(ctx->errs, path, p->name, "unknown property (not in Xen's booting.txt)");
	else if (r->status == CFG_REJECTED && !(r->harmless && r->harmless(p->val, p->len)))
		cfg_error(ctx->errs, path, p->name, "%s", r->why);
}

/*
 * Every property of @node: from the index of /chosen, else one pass over
 * the node (dt_read.h).  @keep: a property whose value the caller wants
 * (NULL: none), returned in @kept.
 */
static void check_props(struct cfg_ctx *ctx, int node, const char *path,
			const struct cfg_prop_rule *t, size_t n, bool only_xen,
			const char *keep, struct dt_prop *kept)
{
	const struct dt_prop *props;
	unsigned int count;
	struct dt_prop p;

	if (dt_index_props(ctx->ix, ctx->fdt, node, &props, &count)) {
		for (unsigned int i = 0; i < count; i++) {
			if (keep && strcmp(props[i].name, keep) == 0)
				*kept = props[i];
			check_prop(ctx, path, t, n, only_xen, &props[i]);
		}
		return;
	}
	for (uint32_t off = dt_prop_first(ctx->fdt, node); dt_prop_next(ctx->fdt, &off, &p);) {
		if (keep && strcmp(p.name, keep) == 0)
			*kept = p;
		check_prop(ctx, path, t, n, only_xen, &p);
	}
}

void cfg_check_chosen_props(struct cfg_ctx *ctx)
{
	check_props(ctx, ctx->chosen, "/chosen", chosen_props, ARRAY_SIZE(chosen_props), true, NULL,
		    NULL);
}

void cfg_check_domain_props(struct cfg_ctx *ctx, int node, const char *path,
			    struct cfg_domain_props *seen)
{
	struct dt_prop caps = { 0 };
	check_props(ctx, node, path, domain_props, ARRAY_SIZE(domain_props), false, "capabilities",
		    &caps);
	seen->capabilities = caps.val;
	seen->capabilities_len = caps.len;
}

void cfg_check_module_props(struct cfg_ctx *ctx, int node, const char *path)
{
	check_props(ctx, node, path, module_props, ARRAY_SIZE(module_props), false, NULL, NULL);
}

void cfg_check_shm_props(struct cfg_ctx *ctx, int node, const char *path)
{
	check_props(ctx, node, path, shm_props, ARRAY_SIZE(shm_props), false, NULL, NULL);
}

/* The rule of @node's first compatible string that has one, or NULL. */
static const struct cfg_compat_rule *find_compat(const struct cfg_ctx *ctx, int node,
						 const struct cfg_compat_rule *t, size_t n,
						 const char **first)
{
	int len;
	const char *c = cfg_getprop(ctx, node, "compatible", &len);

	*first = NULL;
	for (int off = 0; c && off < len;) {
		size_t sl = bounded_len(c + off, (size_t)(len - off));
		*first = *first ? *first : c + off;
		for (size_t i = 0; i < n; i++)
			if (t[i].len == sl && memcmp(t[i].compat, c + off, sl) == 0)
				return &t[i];
		off += (int)sl + 1;
	}
	return NULL;
}

/*
 * Judge one child node of a domain (@all_children) or of /chosen (only
 * those in Xen's name space).  Returns false for a rejected or unknown
 * child, which the parser then leaves alone.
 */
static bool check_child(struct cfg_ctx *ctx, int node, const char *parent_path,
			const struct cfg_compat_rule *t, size_t n, bool all_children)
{
	char path[CFG_PATH_MAX];
	const char *first;
	const struct cfg_compat_rule *r = find_compat(ctx, node, t, n, &first);

	if (r && r->status != CFG_REJECTED)
		return true;
	if (!r && !all_children && !(first && xen_name(first)))
		return true;                       /* another binding's node: not Xen's */
	cfg_child_path(path, parent_path, dt_get_name(ctx->fdt, node, NULL));
	if (r)
		cfg_error(ctx->errs, path, "compatible", "%s: %s", r->compat, r->why);
	else if (first)
		cfg_error(ctx->errs, path, "compatible",
			  "\"%.*s\" is not a node Xen's booting.txt defines here",
			  (int)bounded_len(first, CFG_LABEL_MAX), first);
	else
		cfg_error(ctx->errs, path, "compatible",
			  "missing (a node under a xen,domain must say what it is)");
	return false;
}

bool cfg_check_domain_child(struct cfg_ctx *ctx, int node, const char *parent_path)
{
	return check_child(ctx, node, parent_path, domain_children, ARRAY_SIZE(domain_children),
			   true);
}

bool cfg_check_chosen_child(struct cfg_ctx *ctx, int node)
{
	return check_child(ctx, node, "/chosen", chosen_children, ARRAY_SIZE(chosen_children),
			   false);
}

void cfg_check_module_children(struct cfg_ctx *ctx, int node, const char *path)
{
	int child;

	cfg_for_each_child(child, ctx, node)
		check_child(ctx, child, path, module_children, ARRAY_SIZE(module_children), true);
}
