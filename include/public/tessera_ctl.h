#pragma once
/*
 * Run-time control from a partition (docs/hypercalls.md): the life cycle of
 * the other partitions and the ownership table's view of a region, for
 * control partitions (dom0, or a domain with `capabilities = <1>`, Xen's
 * DOMAIN_CAPS_CONTROL).  Two ways in, the same operations:
 *   - hypercalls, SMCCC fast calls of owner 6 (vendor hypervisor service),
 *     issued with HVC #0, arguments in x1.., results in x0.. (SMCCC v1.2
 *     lets a call return x0-x17);
 *   - the control device, a 64 KiB MMIO window at GUEST_CTL_BASE, for
 *     programs that cannot issue an HVC (Linux userspace through /dev/mem).
 *     Every register is 64 bits wide and every access is one complete
 *     transaction: information registers are plain reads, and an operation
 *     is the read of its register, which returns its result.  Two programs
 *     (or vCPUs) using the device at once cannot see each other's state.
 * A non-control partition gets TESSERA_RET_DENIED from every operation and
 * every information call but TESSERA_HVC_CTL_SELF, and a console line says
 * what it tried.  Partitions are named by their ID (dom0 = 0, then 1.. in
 * configuration order), regions by their index in the configuration
 * (the order of the shell's `shm`).
 * Guest ABI: plain constants only.
 */

#include "tessera_hvc.h"     /* the return codes TESSERA_RET_* */

/* ---- partition state word ---------------------------------------------------- */
/*
 * [3:0] state, [11:8] vCPUs, [19:12] vCPUs on, [20] a control partition,
 * [21] this is the caller, [63:32] starts so far.
 */
#define TESSERA_STATE_STOPPED       0u
#define TESSERA_STATE_STARTING      1u
#define TESSERA_STATE_RUNNING       2u
#define TESSERA_STATE_STOPPING      3u
#define TESSERA_STATE_MASK          0xFull
#define TESSERA_STATE_VCPUS_SHIFT   8
#define TESSERA_STATE_VCPUS_ON_SHIFT 12
#define TESSERA_STATE_COUNT_MASK    0xFull
#define TESSERA_STATE_CONTROL       (1ull << 20)
#define TESSERA_STATE_SELF          (1ull << 21)
#define TESSERA_STATE_STARTS_SHIFT  32

/* An operation's result word: [31:0] the return code, [35:32] the state it left. */
#define TESSERA_RESULT_CODE_MASK    0xFFFFFFFFull
#define TESSERA_RESULT_STATE_SHIFT  32

#define TESSERA_NAME_BYTES          32u  /* partition names, NUL-padded */
#define TESSERA_SHM_ID_BYTES        16u  /* region ids, NUL-padded */
#define TESSERA_DOM_SHARED_ID       0x7FF5u

/* ---- hypercalls (HVC #0; x0 = function ID, x0 back = TESSERA_RET_*) ----------- */
/*
 * SELF: x1 = the SELF word, x2 = the COUNTS word (below).  Any partition
 * may call it: it is how a program learns whether it may control.
 */
#define TESSERA_HVC_CTL_SELF        0xC6000010u
/* PART_INFO(x1 = ID): x1 = state word, x2-x5 = name (TESSERA_NAME_BYTES, NUL-padded). */
#define TESSERA_HVC_CTL_PART_INFO   0xC6000011u
/*
 * STOP / START / RESTART (x1 = ID): x1 = the result word (below).  The
 * work is done on the target partition's own CPU (its vCPU 0's); the call
 * returns once it is done.  A partition that stops or restarts itself
 * does not return from the call.
 */
#define TESSERA_HVC_CTL_STOP        0xC6000012u
#define TESSERA_HVC_CTL_START       0xC6000013u
#define TESSERA_HVC_CTL_RESTART     0xC6000014u
/*
 * SHM_INFO(x1 = region index): x1 = [15:0] owner ID (TESSERA_DOM_SHARED_ID
 * for dom_shared), [47:32] reference count; x2 = partitions naming it,
 * x3 = with it mapped now, x4 = revoked (bit n = partition ID n);
 * x5-x6 = its id (TESSERA_SHM_ID_BYTES, NUL-padded); x7 = its size.
 */
#define TESSERA_HVC_CTL_SHM_INFO    0xC6000015u

/* ---- words ----------------------------------------------------------------------- */
/* SELF: [15:0] the caller's partition ID, bit 32: it is a control partition. */
#define TESSERA_SELF_ID_MASK        0xFFFFull
#define TESSERA_SELF_CONTROL        (1ull << 32)
/* COUNTS: [15:0] partitions, [31:16] regions. */
#define TESSERA_COUNTS_REGIONS_SHIFT 16
#define TESSERA_COUNT_MASK          0xFFFFull
/* SHM_INFO's x1. */
#define TESSERA_SHM_OWNER_MASK      0xFFFFull
#define TESSERA_SHM_REFS_SHIFT      32

/* ---- the control device (GUEST_CTL_BASE, GUEST_CTL_SIZE = 64 KiB) -------------- */
/*
 * 64-bit registers, read with single 64-bit loads (anything else, and every
 * write, is refused with a data abort).  The information registers carry a
 * return code where the hypercall has one: a word whose top bit is set is a
 * negative TESSERA_RET_* (DENIED for a non-control partition, INVALID for
 * no such partition or region).
 */
#define TESSERA_CTL_MAGIC           0x0000      /* TESSERA_CTL_MAGIC_VALUE: "TCTL", version 1 */
#define TESSERA_CTL_MAGIC_VALUE     0x000000014C544354ull
#define TESSERA_CTL_SELF            0x0008      /* the SELF word (anyone) */
#define TESSERA_CTL_COUNTS          0x0010      /* the COUNTS word */
#define TESSERA_CTL_PART_STATE(id)  (0x0100 + 8 * (id))   /* the state word */
#define TESSERA_CTL_PART_NAME(id)   (0x0200 + 32 * (id))  /* 4 words: the name */
#define TESSERA_CTL_STOP(id)        (0x0800 + 8 * (id))   /* reading it stops @id: the result word */
#define TESSERA_CTL_START(id)       (0x0900 + 8 * (id))
#define TESSERA_CTL_RESTART(id)     (0x0A00 + 8 * (id))
#define TESSERA_CTL_SHM(r)          (0x1000 + 64 * (r))   /* 8 words: SHM_INFO's x0-x7 */
#define TESSERA_CTL_MAX_IDS         32u         /* partition IDs the layout has room for */
#define TESSERA_CTL_MAX_REGIONS     960u        /* regions the layout has room for */
#define TESSERA_CTL_SHM_WORDS       8u
#define TESSERA_CTL_NAME_WORDS      4u
