#pragma once
/*
 * Run-time control from a partition (core/control.c, docs/hypercalls.md):
 * the information and operations of include/public/tessera_ctl.h, behind
 * both the hypercalls and the control device (vdev/vctl.c).  An operation
 * on a partition is carried out on that partition's own CPU (its vCPU 0's):
 * the caller posts a request there, kicks the CPU and waits.
 */
#include <stdint.h>

#include "pcpu.h"

struct partition;

enum ctl_op { CTL_OP_STOP, CTL_OP_START, CTL_OP_RESTART };

/* TESSERA_HVC_CTL_* from @caller (core/trap.c): results in f->x[0..]. */
void ctl_hvc(struct partition *caller, struct gp_regs *f);
/* The words of the public interface, for @caller: TESSERA_RET_* when negative. */
uint64_t ctl_self_word(const struct partition *caller);
uint64_t ctl_counts_word(void);
int64_t ctl_part_state(struct partition *caller, uint32_t id, uint64_t *state);
/* Word @word (0..TESSERA_CTL_NAME_WORDS-1) of partition @id's name, little-endian. */
int64_t ctl_part_name(struct partition *caller, uint32_t id, unsigned int word, uint64_t *val);
/* SHM_INFO's x0..x7 for region @region. */
void ctl_shm_info(struct partition *caller, uint32_t region, uint64_t out[8]);
/* An operation on partition @id: the result word (code and the state it left). */
uint64_t ctl_operate(struct partition *caller, enum ctl_op op, uint32_t id);
/*
 * Carry out the requests posted to this CPU.  Called wherever the CPU may
 * stop for a while: its idle loop, the way back to its guest, and any
 * wait at EL2 (ctl_operate's own).
 */
void ctl_serve(void);
