/*
 * EL2 exception vectors (Arm ARM D1.10.2: VBAR_EL2 + 0x000 current EL/SP0,
 * +0x200 current EL/SPx, +0x400 lower EL AArch64, +0x600 lower EL AArch32).
 *
 * Guest exits save x0..x18 and x30 into the frame at SP (the top of this
 * CPU's stack while a guest runs: vCPUs are pinned, see core/vcpu.c) and
 * ask a fast path in C (core/trap.c) first: the common interrupts and the
 * hypercalls guests make in loops resume the guest from there.  Everything
 * else completes the frame (x19..x29, ELR, SPSR), calls the general path
 * and returns through guest_resume.  FP/SIMD is lazy: the general path sets
 * CPTR_EL2.TFP, so the guest's vector registers are saved only when EL2
 * code (picolibc's printf, libgcc) first touches them, and restored on the
 * way back; the fast paths touch none (tests/system/test_build.py).
 */
#define FRAME_SIZE        272       /* struct gp_regs */
#define FRAME_ELR         248
#define PCPU_FP_SAVED     528       /* struct pcpu.guest_fp_saved */
#define PCPU_GUEST_CPTR   544       /* struct pcpu.guest_cptr */
#define PCPU_FP_SAVES     600       /* struct pcpu.fp_saves */
#define CPTR_EL2_FP_ON    0x33ff    /* RES1 bits, TZ, TSM: FP on, SVE/SME trapped */
#define CPTR_EL2_FP_TRAP  0x37ff    /* ... and TFP (bit 10): FP traps too */
#define ESR_EC_SHIFT      26
#define ESR_EC_FP_ASIMD   0x07

#define FRAME_X18         144
#define FRAME_X19         152
#define FRAME_X30         240
#define FRAME_SPSR        256

/* x0..x18 and x30 at [sp]: what a C function may clobber (AAPCS64). */
.macro save_caller_saved
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	str	x18, [sp, #FRAME_X18]
	str	x30, [sp, #FRAME_X30]
.endm

.macro restore_caller_saved
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldr	x18, [sp, #FRAME_X18]
	ldr	x30, [sp, #FRAME_X30]
.endm

/* x19..x29, ELR_EL2 and SPSR_EL2 at [sp], after save_caller_saved: x2, x3 are scratch. */
.macro save_rest
	str	x19, [sp, #FRAME_X19]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	str	x2, [sp, #FRAME_ELR]
	str	x3, [sp, #FRAME_SPSR]
.endm

/*
 * After save_caller_saved and a fast path's answer in x0: the rest of the
 * frame, FP trapped from here on (lazy FP), then x0 = frame, x1 = answer
 * for the general path's C function.
 */
.macro complete_frame_fp_trap
	mov	x1, x0
	save_rest
	mov	x0, #CPTR_EL2_FP_TRAP
	msr	cptr_el2, x0
	isb
	mov	x0, sp
.endm

/* Save x0..x30, ELR_EL2, SPSR_EL2 at [sp]. */
.macro save_frame
	save_caller_saved
	save_rest
.endm

.macro restore_frame
	ldr	x0, [sp, #FRAME_ELR]
	ldr	x1, [sp, #FRAME_SPSR]
	msr	elr_el2, x0
	msr	spsr_el2, x1
	ldr	x19, [sp, #FRAME_X19]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	restore_caller_saved
.endm

/* q0..q31, FPSR, FPCR at [\base]; \tmp is a scratch register. */
.macro fp_regs op, base, tmp
	\op	q0, q1, [\base, #0]
	\op	q2, q3, [\base, #32]
	\op	q4, q5, [\base, #64]
	\op	q6, q7, [\base, #96]
	\op	q8, q9, [\base, #128]
	\op	q10, q11, [\base, #160]
	\op	q12, q13, [\base, #192]
	\op	q14, q15, [\base, #224]
	\op	q16, q17, [\base, #256]
	\op	q18, q19, [\base, #288]
	\op	q20, q21, [\base, #320]
	\op	q22, q23, [\base, #352]
	\op	q24, q25, [\base, #384]
	\op	q26, q27, [\base, #416]
	\op	q28, q29, [\base, #448]
	\op	q30, q31, [\base, #480]
.endm

.macro vector target
	.balign	0x80
	b	\target
.endm

	.text
	.balign	0x800
	.global	el2_vectors
el2_vectors:
	vector	el2_crash_sp0        /* current EL, SP_EL0 */
	vector	el2_crash_sp0
	vector	el2_crash_sp0
	vector	el2_crash_sp0
	vector	el2_sync             /* current EL, SP_EL2 */
	vector	el2_irq
	vector	el2_crash
	vector	el2_crash
	vector	guest_sync           /* lower EL, AArch64 */
	vector	guest_irq
	vector	guest_irq            /* FIQ: Tessera uses none; an IRQ exit does */
	vector	guest_serror
	/*
	 * Lower EL, AArch32: used only when EL1 runs AArch32 (D1.10.2: the
	 * offset follows the state of the level just below the target, EL1,
	 * not of the code that trapped).  HCR_EL2.RW keeps every guest's EL1
	 * AArch64, so AArch32 at EL0 exits through the AArch64 entries above
	 * like everything else, and getting here is a hypervisor bug.
	 */
	vector	el2_crash
	vector	el2_crash
	vector	el2_crash
	vector	el2_crash

/*
 * A synchronous exit, as an IRQ exit below: trap_guest_sync_fast() sees to
 * the hypercalls guests make in loops with the registers C may clobber
 * saved; everything else completes the frame and takes the general path.
 */
guest_sync:
	save_caller_saved
	mov	x0, sp
	bl	trap_guest_sync_fast
	cbnz	x0, 1f
	restore_caller_saved
	eret
1:	complete_frame_fp_trap
	bl	trap_guest_sync
	b	guest_resume

/*
 * An IRQ exit saves only what C may clobber and asks trap_guest_irq_fast()
 * (core/trap.c): the common interrupt is handled by code that touches no
 * FP register and takes no exception, so CPTR_EL2, ELR_EL2, SPSR_EL2 and
 * x19..x29 stay the guest's, and it resumes at once (about 25 instructions
 * fewer than a full frame and the FP trap's two switches).  Otherwise the
 * frame is completed and the general path runs, as for any exit.
 */
guest_irq:
	save_caller_saved
	bl	trap_guest_irq_fast
	cbnz	x0, 1f
	restore_caller_saved
	eret
1:	complete_frame_fp_trap
	bl	trap_guest_irq
	b	guest_resume

guest_serror:
	save_frame
	mov	x0, #CPTR_EL2_FP_TRAP
	msr	cptr_el2, x0
	isb
	mov	x0, sp
	bl	trap_guest_serror
	b	guest_resume

/*
 * Return to the guest whose frame is at SP: give it back its FP registers if
 * EL2 saved them, let it use FP again (the guest's CPTR_EL2 also traps
 * what it must not reach: SVE, SME, AMU, trace), restore and ERET.  Also the
 * first entry of a vCPU (vcpu_enter sets SP to the frame and jumps here).
 */
	.global	guest_resume
guest_resume:
	mrs	x0, tpidr_el2
	ldr	x1, [x0, #PCPU_GUEST_CPTR]
	msr	cptr_el2, x1
	isb
	ldr	x1, [x0, #PCPU_FP_SAVED]
	cbz	x1, 1f
	fp_regs	ldp, x0, x1
	add	x2, x0, #512
	ldp	x2, x3, [x2]
	msr	fpsr, x2
	msr	fpcr, x3
	str	xzr, [x0, #PCPU_FP_SAVED]
1:	restore_frame
	eret

/*
 * EL2 code touched FP/SIMD while the guest's registers are live: save them
 * into this CPU's pcpu.guest_fp, turn the trap off and retry.  Only x0/x1
 * are used, saved on the stack.
 */
el2_sync:
	stp	x0, x1, [sp, #-16]!
	mrs	x0, esr_el2
	lsr	x0, x0, #ESR_EC_SHIFT
	cmp	x0, #ESR_EC_FP_ASIMD
	b.ne	el2_crash_popped
	mov	x0, #CPTR_EL2_FP_ON
	msr	cptr_el2, x0
	isb
	mrs	x0, tpidr_el2
	fp_regs	stp, x0, x1
	mrs	x1, fpsr
	str	x1, [x0, #512]
	mrs	x1, fpcr
	str	x1, [x0, #520]
	mov	x1, #1
	str	x1, [x0, #PCPU_FP_SAVED]
	ldr	x1, [x0, #PCPU_FP_SAVES]	/* one exit more that saved them: counted here, off the exit path */
	add	x1, x1, #1
	str	x1, [x0, #PCPU_FP_SAVES]
	ldp	x0, x1, [sp], #16
	eret

el2_crash_popped:
	ldp	x0, x1, [sp], #16
el2_crash:
	sub	sp, sp, #FRAME_SIZE
	save_frame
	mov	x0, sp
	mov	x1, #1
	bl	hyp_crash
el2_crash_sp0:
	mov	x0, sp
	sub	sp, sp, #FRAME_SIZE
	save_frame
	mov	x0, sp
	mov	x1, #0
	bl	hyp_crash

/* A physical interrupt while EL2 itself runs (idle CPU waiting in WFI). */
el2_irq:
	sub	sp, sp, #FRAME_SIZE
	save_frame
	mov	x0, sp
	bl	irq_handle_el2
	restore_frame
	add	sp, sp, #FRAME_SIZE
	eret

/* vcpu_enter(frame): switch SP to the vCPU's frame and run it. */
	.global	vcpu_enter_frame
vcpu_enter_frame:
	mov	sp, x0
	b	guest_resume
