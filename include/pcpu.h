#pragma once
/*
 * Per-physical-CPU state.  TPIDR_EL2 points at this CPU's struct pcpu.
 * vCPUs are pinned 1:1, so a pcpu runs at most one vCPU and most of its
 * state is private; fields read by other CPUs are marked.
 */
#include "types.h"

#define TS_MAX_CPUS      8
#define PCPU_STACK_SIZE  0x4000ull

/*
 * Guest exits counted by kind (struct pcpu.exits): one counter per
 * exception class (ESR_EL2.EC, 6 bits), then IRQs and SErrors.  Counted
 * here rather than in struct vcpu: a CPU runs one vCPU for good, the
 * counter is one add from TPIDR_EL2 on the exit path, and 8 CPUs' counters
 * cost far less memory to clear at boot than 128 vCPUs'.
 */
#define PCPU_EXIT_ECS    64u
#define PCPU_EXIT_IRQ    PCPU_EXIT_ECS
#define PCPU_EXIT_SERROR (PCPU_EXIT_ECS + 1u)
#define PCPU_EXIT_KINDS  (PCPU_EXIT_ECS + 2u)

/* Guest FP/SIMD state, saved lazily the first time EL2 code uses FP. */
struct fp_regs {
	uint64_t q[32][2];
	uint64_t fpsr;
	uint64_t fpcr;
};

/*
 * A trap frame: x0..x30, ELR_EL2 and SPSR_EL2 as saved by boot/vectors.S.
 * ELR/SPSR are saved because an FP trap taken at EL2 overwrites them.
 */
struct gp_regs {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;            /* keeps the frame 16-byte aligned */
};
#define GP_REGS_SIZE 272

struct vcpu;

struct pcpu {
	struct fp_regs guest_fp;         /* offset 0: boot/vectors.S stores here */
	uint64_t guest_fp_saved;         /* offset 528: set by the FP trap */
	uint64_t stack_top;              /* offset 536: boot/entry.S; the guest frame ends here */
	uint64_t guest_cptr;             /* offset 544: CPTR_EL2 while the guest runs */
	struct vcpu *vcpu;               /* vCPU running here, or NULL */
	struct vcpu *volatile next_vcpu; /* what a RUN request runs: set by the requester */
	unsigned int index;              /* logical CPU index */
	uint64_t mpidr;                  /* affinity fields only */
	volatile bool online;            /* read by the boot CPU */
	volatile uint32_t request;       /* PCPU_REQ_*: written by others, then SEV */
	uint64_t gp_frame_base;          /* where vectors.S saves guest x0..x30 */
	/* Since the partition of the vCPU pinned here last started; written by this CPU only: */
	uint64_t fp_saves;               /* offset 600: exits on which EL2 saved the guest's FP/SIMD */
	uint64_t exits[PCPU_EXIT_KINDS];
};

#define PCPU_GUEST_FP_SAVED_OFF 528
#define PCPU_STACK_TOP_OFF      536
#define PCPU_GUEST_CPTR_OFF     544
#define PCPU_FP_SAVES_OFF       600

enum pcpu_request {
	PCPU_REQ_NONE = 0,
	PCPU_REQ_RUN = 1,        /* run pcpu->vcpu from its pending boot state */
	PCPU_REQ_STOP = 2,       /* stop the vCPU running here */
	PCPU_REQ_CTL = 3,        /* serve the control requests posted here (core/control.c) */
};

extern struct pcpu pcpus[TS_MAX_CPUS];
extern unsigned int pcpu_count;

static inline struct pcpu *this_pcpu(void)
{
	struct pcpu *p;
	__asm__ volatile("mrs %0, tpidr_el2" : "=r"(p));
	return p;
}
