/*
 * The control device (include/public/tessera_ctl.h, docs/hypercalls.md):
 * the control hypercalls as MMIO registers, for programs that cannot issue
 * an HVC, such as Linux userspace through /dev/mem.  Every partition has
 * the window; what a non-control partition reads is TESSERA_RET_DENIED.
 *
 * Every register is 64 bits, read with one 64-bit load, and every read is a
 * whole transaction (an operation's register carries it out and returns its
 * result), so nothing is remembered between two accesses: programs and
 * vCPUs using the device at once cannot disturb each other.  Writes, other
 * sizes and unknown offsets are refused (a data abort and a console line).
 */
#include "control.h"
#include "partition.h"
#include "public/tessera_ctl.h"
#include "vctl.h"

#define CTL_REG_BYTES   8u
#define CTL_NAME_BYTES  (TESSERA_CTL_NAME_WORDS * CTL_REG_BYTES)
#define CTL_SHM_BYTES   (TESSERA_CTL_SHM_WORDS * CTL_REG_BYTES)

/* An ID's register in a bank of 8-byte registers at @base, one per ID. */
static bool ctl_in_bank(uint64_t off, uint64_t base, uint32_t *id)
{
	if (off < base || off >= base + TESSERA_CTL_MAX_IDS * CTL_REG_BYTES)
		return false;
	*id = (uint32_t)((off - base) / CTL_REG_BYTES);
	return true;
}

static bool vctl_read(struct partition *p, uint64_t off, unsigned int size, uint64_t *val)
{
	uint32_t id;
	if (size != CTL_REG_BYTES || off % CTL_REG_BYTES != 0)
		return false;
	if (off == TESSERA_CTL_MAGIC) {
		*val = TESSERA_CTL_MAGIC_VALUE;
	} else if (off == TESSERA_CTL_SELF) {
		*val = ctl_self_word(p);
	} else if (off == TESSERA_CTL_COUNTS) {
		*val = ctl_counts_word();
	} else if (ctl_in_bank(off, TESSERA_CTL_PART_STATE(0), &id)) {
		int64_t r = ctl_part_state(p, id, val);
		if (r != TESSERA_RET_OK)
			*val = (uint64_t)r;
	} else if (off >= TESSERA_CTL_PART_NAME(0) &&
		   off < TESSERA_CTL_PART_NAME(0) + TESSERA_CTL_MAX_IDS * CTL_NAME_BYTES) {
		uint64_t rel = off - TESSERA_CTL_PART_NAME(0);
		int64_t r = ctl_part_name(p, (uint32_t)(rel / CTL_NAME_BYTES),
					  (unsigned int)(rel % CTL_NAME_BYTES / CTL_REG_BYTES), val);
		if (r != TESSERA_RET_OK)
			*val = (uint64_t)r;
	} else if (ctl_in_bank(off, TESSERA_CTL_STOP(0), &id)) {
		*val = ctl_operate(p, CTL_OP_STOP, id);
	} else if (ctl_in_bank(off, TESSERA_CTL_START(0), &id)) {
		*val = ctl_operate(p, CTL_OP_START, id);
	} else if (ctl_in_bank(off, TESSERA_CTL_RESTART(0), &id)) {
		*val = ctl_operate(p, CTL_OP_RESTART, id);
	} else if (off >= TESSERA_CTL_SHM(0) &&
		   off < TESSERA_CTL_SHM(0) + (uint64_t)TESSERA_CTL_MAX_REGIONS * CTL_SHM_BYTES) {
		uint64_t rel = off - TESSERA_CTL_SHM(0), info[TESSERA_CTL_SHM_WORDS];
		ctl_shm_info(p, (uint32_t)(rel / CTL_SHM_BYTES), info);
		*val = info[rel % CTL_SHM_BYTES / CTL_REG_BYTES];
	} else {
		return false;
	}
	return true;
}

static bool vctl_write(struct partition *p, uint64_t off, unsigned int size, uint64_t val)
{
	(void)p, (void)off, (void)size, (void)val;
	return false;                       /* every register is read-only */
}

void vctl_init(struct partition *p)
{
	const struct cfg_guest_map *m = &p->cfg->map;
	if (m->ctl.size == 0)
		return;
	p->mmio[p->mmio_count++] = (struct mmio_window){
		.name = "control device", .base = m->ctl.base, .size = m->ctl.size,
		.read = vctl_read, .write = vctl_write,
	};
}
