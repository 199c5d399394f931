/*
 * Guest entry: the arm64 Image header, primary and secondary CPU entry, and
 * the EL1 exception vector table.  Boot state (DESIGN.md §5, Linux
 * Documentation/arch/arm64/booting.rst): EL1h, MMU and caches off, x0 = DTB.
 */
#include "asm_defs.h"

	.section .text.head, "ax"
	.global _start
_start:
	/* Image header, booting.rst "Call the kernel image" (64 bytes). */
	b	primary_entry			/* code0 */
	.long	0				/* code1 */
	.quad	IMAGE_TEXT_OFFSET		/* text_offset */
	.quad	_image_size			/* image_size incl. BSS and stacks */
	.quad	IMAGE_FLAGS			/* flags */
	.quad	0, 0, 0				/* res2..res4 */
	.ascii	"ARM\x64"			/* magic */
	.long	0				/* res5 (PE header offset) */

primary_entry:
	msr	daifset, #DAIF_ALL		/* no interrupts: guests poll */
	mov	x19, x0				/* DTB address, kept for C */
	bl	cpu_setup_el1
	/* Absolute addresses (literal pools, pointer tables) need the link address. */
	adr	x1, _start
	ldr	x2, =_start
	cmp	x1, x2
	b.ne	park
	ldr	x1, =_stack_top
	mov	sp, x1
	/* BSS (and .tbss) are NOLOAD: zero them, 16 bytes per store. */
	ldr	x1, =_bss_start
	ldr	x2, =_bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:	mov	x0, x19
	bl	guest_c_entry			/* does not return */
	b	park

/*
 * CPU_ON entry (PSCI): x0 = context id = index of the CPU in /cpus.  Each
 * index owns one secondary stack; an index beyond the stacks parks.
 */
	.text
	.global guest_secondary_entry
guest_secondary_entry:
	msr	daifset, #DAIF_ALL
	mov	x19, x0
	bl	cpu_setup_el1
	cmp	x19, #GUEST_MAX_CPUS
	b.hs	park
	ldr	x1, =_sec_stacks
	mov	x2, #GUEST_SEC_STACK_SIZE
	madd	x1, x19, x2, x1			/* base of stack number x19 */
	add	sp, x1, x2			/* its top: stacks grow down */
	mov	x0, x19
	bl	guest_secondary_main
	b	park

/*
 * Common EL1 set-up; clobbers x0 only.  FP/SIMD on (picolibc and libfdt use
 * it), SP_EL1 selected, vectors installed, TLS pointer set, event stream on.
 */
cpu_setup_el1:
	mov	x0, #CPACR_EL1_FPEN_NONE	/* FPEN = 0b11: no FP/SIMD traps */
	msr	cpacr_el1, x0
	msr	spsel, #1
	ldr	x0, =guest_vectors
	msr	vbar_el1, x0
	/* AArch64 TLS variant 1: the block starts TCB_SIZE past TPIDR_EL0. */
	ldr	x0, =_tls_start
	sub	x0, x0, #TLS_TCB_SIZE
	msr	tpidr_el0, x0
	/* Periodic events so that every WFE wait ends (timer.c). */
	mov	x0, #CNTKCTL_EVENT_STREAM
	msr	cntkctl_el1, x0
	isb
	ret

	.global park
park:
	wfi
	b	park

/*
 * EL1 vector table (Arm ARM D1.10.2): 16 entries of 0x80 bytes, 2 KiB
 * aligned.  Every entry builds an exc_frame and calls exc_handle(frame).
 */
.macro vector_entry kind
	.balign	0x80
	sub	sp, sp, #EXC_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	vector_common
.endm

	.balign	0x800
	.global guest_vectors
guest_vectors:
	vector_entry EXC_KIND_SYNC_SP0
	vector_entry EXC_KIND_IRQ_SP0
	vector_entry EXC_KIND_FIQ_SP0
	vector_entry EXC_KIND_SERROR_SP0
	vector_entry EXC_KIND_SYNC
	vector_entry EXC_KIND_IRQ
	vector_entry EXC_KIND_FIQ
	vector_entry EXC_KIND_SERROR
	vector_entry EXC_KIND_SYNC_LOWER64
	vector_entry EXC_KIND_IRQ_LOWER64
	vector_entry EXC_KIND_FIQ_LOWER64
	vector_entry EXC_KIND_SERROR_LOWER64
	vector_entry EXC_KIND_SYNC_LOWER32
	vector_entry EXC_KIND_IRQ_LOWER32
	vector_entry EXC_KIND_FIQ_LOWER32
	vector_entry EXC_KIND_SERROR_LOWER32

/*
 * Saves every GPR so that a handled exception (fpcheck's aborts) returns with
 * x0-x30 unchanged.  The C side is built -mgeneral-regs-only: v0-v31, FPCR
 * and FPSR are never touched on the way through.
 */
vector_common:
	str	x0, [sp, #EXC_FRAME_KIND]	/* x0, x1 are saved by the entry */
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x1, elr_el1
	stp	x30, x1, [sp, #240]		/* x30, elr */
	mrs	x1, spsr_el1
	mrs	x2, esr_el1
	stp	x1, x2, [sp, #EXC_FRAME_SPSR]	/* spsr, esr */
	mrs	x1, far_el1
	str	x1, [sp, #EXC_FRAME_FAR]
	mov	x0, sp
	bl	exc_handle
	/* exc_handle may have moved elr (skip the faulting instruction). */
	ldp	x1, x2, [sp, #EXC_FRAME_SPSR]
	msr	spsr_el1, x1
	ldp	x30, x1, [sp, #240]
	msr	elr_el1, x1
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #EXC_FRAME_SIZE
	eret
