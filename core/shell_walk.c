/*
 * The shell's `walk <name> <IPA>`: one guest address through the
 * partition's stage 2, level by level as the MMU reads it (p2m_walk), each
 * descriptor's fields decoded, then the host address, whose RAM or which
 * shared region it is, and for an address that faults why the guest gets a
 * data abort there.  A teaching aid (docs/tutorial.md); nothing here is on
 * a hot path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "p2m.h"
#include "partition.h"
#include "shell.h"
#include "shm.h"
#include "shm_glue.h"
#include "tserr.h"


/* Stage-2 MemAttr[3:2] = 0b00 is Device memory, [1:0] its kind; otherwise
 * [3:2] is the outer and [1:0] the inner cacheability (Arm ARM, "Stage 2
 * memory region type and attributes", FEAT_S2FWB off). */
#define MEMATTR_DEVICE     0x0u
static const char *const memattr_device[] = { "Device-nGnRnE", "Device-nGnRE", "Device-nGRE",
					      "Device-GRE" };
static const char *const memattr_cache[] = { "?", "NC", "WT", "WB" };
/* S2AP[1:0]: bit 0 allows reads, bit 1 writes. */
static const char *const s2ap_names[] = { "no access", "read-only", "write-only", "read-write" };
static const char *const sh_names[] = { "non-shareable", "reserved", "outer shareable",
					"inner shareable" };
/* XN[1:0] with FEAT_XNX; without it only XN[1] counts (0b1x: execute-never). */
static const char *const xn_names[] = { "executable", "EL0-only execute", "execute-never",
					"EL1-only execute" };
static const char *const kind_names[] = {
	[P2M_DESC_INVALID] = "invalid", [P2M_DESC_TABLE] = "table",
	[P2M_DESC_BLOCK] = "block", [P2M_DESC_PAGE] = "page",
};

/* The three leaf sizes of the 4 KiB granule. */
static const char *size_name(uint64_t span)
{
	return span == SZ_1G ? "1 GiB" : span == SZ_2M ? "2 MiB" : "4 KiB";
}

static void bits2(char *out, unsigned int v)
{
	out[0] = (v & 2u) ? '1' : '0';
	out[1] = (v & 1u) ? '1' : '0';
	out[2] = '\0';
}

static void walk_print_attrs(const struct p2m_walk_step *s)
{
	char ap[3], sh[3], xn[3], mem[48];
	unsigned int outer = s->memattr >> 2, inner = s->memattr & 3u;

	bits2(ap, s->s2ap);
	bits2(sh, s->sh);
	bits2(xn, s->xn);
	if (outer == MEMATTR_DEVICE)
		snprintf(mem, sizeof(mem), "%s", memattr_device[inner]);
	else
		snprintf(mem, sizeof(mem), "Normal outer %s inner %s", memattr_cache[outer],
			 memattr_cache[inner]);
	log_line("    MemAttr 0b%u%u%u%u %s, S2AP 0b%s %s, SH 0b%s %s, AF %u, XN 0b%s %s",
		 (s->memattr >> 3) & 1u, (s->memattr >> 2) & 1u, (s->memattr >> 1) & 1u,
		 s->memattr & 1u, mem, ap, s2ap_names[s->s2ap], sh, sh_names[s->sh], s->af, xn,
		 xn_names[s->xn]);
}

static void walk_print_step(const struct p2m_walk_step *s)
{
	char what[64] = "";

	if (s->kind == P2M_DESC_TABLE)
		snprintf(what, sizeof(what), ", next level at 0x%llx", (unsigned long long)s->oa);
	else if (s->kind != P2M_DESC_INVALID)
		snprintf(what, sizeof(what), " of %s -> PA 0x%llx", size_name(s->span),
			 (unsigned long long)s->oa);
	log_line("  level %u: table 0x%llx index %u desc 0x%016llx: %s%s", s->level,
		 (unsigned long long)s->table, s->index, (unsigned long long)s->desc,
		 kind_names[s->kind], what);
	if (s->kind == P2M_DESC_BLOCK || s->kind == P2M_DESC_PAGE)
		walk_print_attrs(s);
}

static const struct mmio_window *walk_mmio_at(const struct partition *p, uint64_t at)
{
	for (unsigned int i = 0; i < p->mmio_count; i++)
		if (at >= p->mmio[i].base && at - p->mmio[i].base < p->mmio[i].size)
			return &p->mmio[i];
	return NULL;
}

/* Where the walk ended, in words: a host address, or why an access faults;
 * then what the ownership table says about it. */
static void walk_print_end(const struct partition *p, const struct p2m_walk *w, int region,
			   const char *shm_line)
{
	const struct mmio_window *win = walk_mmio_at(p, w->ipa.v);
	uint64_t ram = p->cfg->ram_base;

	if (w->end == P2M_WALK_MAPPED) {
		bool in_ram = w->pa.v >= ram && w->pa.v - ram < p->cfg->mem_bytes;

		log_line("  host PA 0x%llx%s", (unsigned long long)w->pa.v,
			 in_ram ? ": RAM of this partition" : "");
		log_line("  %s", shm_line);
		return;
	}
	if (w->end == P2M_WALK_RANGE)
		log_line("  beyond the %u-bit IPA space: a translation fault, no table read",
			 w->ipa_bits);
	else
		log_line("  not mapped: an access takes a stage-2 translation fault at level %u "
			 "to EL2", w->step[w->count - 1].level);
	log_line("  %s", shm_line);
	if (win != NULL)
		log_line("  MMIO window 0x%llx-0x%llx: the hypervisor emulates the access",
			 (unsigned long long)win->base,
			 (unsigned long long)(win->base + win->size - 1));
	else if (region >= 0)
		log_line("  so the hypervisor injects a data abort into %s", p->cfg->name);
	else
		log_line("  nothing is there: the hypervisor injects a data abort into %s",
			 p->cfg->name);
}

static bool walk_parse(const char *arg, char *name, size_t name_len, uint64_t *at)
{
	const char *sp = arg ? strchr(arg, ' ') : NULL;

	if (sp == NULL || (size_t)(sp - arg) >= name_len)
		return false;
	memcpy(name, arg, (size_t)(sp - arg));
	name[sp - arg] = '\0';
	while (*sp == ' ')
		sp++;
	char *end;

	*at = strtoull(sp, &end, 0);
	return end != sp && *end == '\0';
}

void shell_walk(const char *arg)
{
	char name[CFG_NAME_MAX], shm_line[SHM_LINE_MAX];
	uint64_t at;

	if (!walk_parse(arg, name, sizeof(name), &at)) {
		log_line("walk <name> <IPA>: the stage-2 walk of one guest address");
		return;
	}
	struct partition *p = partition_find(name);

	if (p == NULL) {
		log_line("no partition named '%s' (try: list)", name);
		return;
	}
	struct p2m_walk w;
	int region = shm_glue_walk(p, at, &w, shm_line, sizeof(shm_line));

	if (region == -TS_ENOENT) {
		log_line("%s is stopped: it has no stage-2 table", p->cfg->name);
		return;
	}
	log_line("walk %s IPA 0x%llx: VTTBR_EL2 0x%016llx (VMID %u), %u-bit IPA, start level %u, "
		 "%u root page%s", p->cfg->name, (unsigned long long)at,
		 (unsigned long long)w.vttbr, w.vmid,
		 w.ipa_bits, w.start_level, w.root_pages, w.root_pages == 1 ? "" : "s");
	for (unsigned int i = 0; i < w.count; i++)
		walk_print_step(&w.step[i]);
	walk_print_end(p, &w, region, shm_line);
}
