/*
 * Partition-level cross-node rules: unique names, and the 1:1 pinning of
 * vCPUs to physical CPUs (DESIGN.md §4).  Pinned partitions (tessera,cpus)
 * claim their CPUs first, in DT order; the others then take the lowest free
 * CPUs, in partition order.  The boot CPU is an ordinary candidate.
 */
#include <string.h>

#include "cfg_internal.h"
#include "guest_fdt.h"

#define NO_OWNER (-1)

static void check_names(struct cfg_ctx *ctx)
{
	const struct config *cfg = ctx->cfg;

	for (unsigned int i = 0; i < cfg->partition_count; i++)
		for (unsigned int j = 0; j < i; j++)
			if (strcmp(cfg->partitions[i].name, cfg->partitions[j].name) == 0) {
				cfg_error(ctx->errs, cfg->partitions[i].path, "name",
					  "\"%s\" is already used by %s", cfg->partitions[i].name,
					  cfg->partitions[j].path);
				break;
			}
}

static const char *vcpus_prop(const struct cfg_partition *p)
{
	return p->id == CFG_DOM0_ID ? "xen,xen-bootargs" : "cpus";
}

static void claim_pinned(struct cfg_ctx *ctx, unsigned int idx, int *owner)
{
	struct cfg_partition *p = &ctx->cfg->partitions[idx];

	for (unsigned int v = 0; v < p->vcpu_count; v++) {
		unsigned int c = p->pcpu[v];
		if (c >= ctx->cpu_count) {
			cfg_error(ctx->errs, p->path, "tessera,cpus",
				  "physical CPU %u does not exist (%u CPUs)", c, ctx->cpu_count);
		} else if (owner[c] != NO_OWNER) {
			cfg_error(ctx->errs, p->path, "tessera,cpus",
				  "physical CPU %u is already used by %s", c,
				  ctx->cfg->partitions[owner[c]].path);
		} else {
			owner[c] = (int)idx;
		}
	}
}

static void assign_free(struct cfg_ctx *ctx, unsigned int idx, int *owner)
{
	struct cfg_partition *p = &ctx->cfg->partitions[idx];
	unsigned int free = 0;

	for (unsigned int c = 0; c < ctx->cpu_count; c++)
		free += owner[c] == NO_OWNER;
	if (free < p->vcpu_count) {
		cfg_error(ctx->errs, p->path, vcpus_prop(p),
			  "%u vCPU%s, but only %u of %u physical CPUs are free", p->vcpu_count,
			  p->vcpu_count == 1 ? "" : "s", free, ctx->cpu_count);
		return;
	}
	for (unsigned int v = 0, c = 0; v < p->vcpu_count; c++) {
		if (owner[c] != NO_OWNER)
			continue;
		owner[c] = (int)idx;
		p->pcpu[v++] = c;
	}
}

static void assign_cpus(struct cfg_ctx *ctx)
{
	int owner[CFG_MAX_CPUS];
	const unsigned int n = ctx->cfg->partition_count;

	for (unsigned int c = 0; c < CFG_MAX_CPUS; c++)
		owner[c] = NO_OWNER;
	for (unsigned int i = 0; i < n; i++)
		if (ctx->pinned[i])
			claim_pinned(ctx, i, owner);
	for (unsigned int i = 0; i < n; i++)
		if (!ctx->pinned[i] && ctx->cfg->partitions[i].vcpu_count != 0)
			assign_free(ctx, i, owner);
}

/*
 * The kernel and ramdisk are copied into the partition's RAM, under the
 * guest DT slot at its top (core/partition.c): the module sizes alone must
 * fit.  The kernel's text_offset is checked when it is loaded.
 */
static void check_modules_fit(struct cfg_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->cfg->partition_count; i++) {
		const struct cfg_partition *p = &ctx->cfg->partitions[i];
		if (!p->kernel.present || p->mem_bytes <= GUEST_FDT_MAX_SIZE)
			continue;
		uint64_t room = p->mem_bytes - GUEST_FDT_MAX_SIZE;
		uint64_t need = p->kernel.size + (p->ramdisk.present ? p->ramdisk.size : 0);
		if (need > room || need < p->kernel.size)
			cfg_error(ctx->errs, p->kernel.path, "reg",
				  "kernel%s (0x%llx bytes) does not fit in memory (0x%llx bytes, "
				  "0x%llx of it kept for the device tree)",
				  p->ramdisk.present ? " and ramdisk" : "", (unsigned long long)need,
				  (unsigned long long)p->mem_bytes,
				  (unsigned long long)GUEST_FDT_MAX_SIZE);
	}
}

void cfg_check_partitions(struct cfg_ctx *ctx)
{
	check_names(ctx);
	assign_cpus(ctx);
	check_modules_fit(ctx);
}
