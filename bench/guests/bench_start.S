/*
 * Bench guest entry.  Unlike guests/lib/start.S, the very first instruction
 * of the image (the arm64 header's code0, booting.rst) reads CNTPCT_EL0: the
 * figure "reset to the partition's first instruction" is that value.  Then
 * the same EL1 set-up as the library, and guest_c_entry().
 *
 * The vector table is the library's layout (every entry saves an exc_frame
 * and calls exc_handle), except the current-EL IRQ entry: its first
 * instruction reads CNTVCT_EL0 for the virtual timer figure.  IRQs are
 * unmasked only inside bench_timer_wait (bench_loops.S), which keeps
 * nothing in x16/x17, so the handler may use them without saving.
 */
#include "asm_defs.h"
#include "bench_defs.h"

	.section .text.head, "ax"
	.global _start
_start:
	/* arm64 Image header (64 bytes); code0 is the measured instruction. */
	mrs	x21, cntpct_el0			/* code0 */
	b	bench_entry			/* code1 */
	.quad	IMAGE_TEXT_OFFSET		/* text_offset */
	.quad	_image_size			/* image_size incl. BSS and stacks */
	.quad	IMAGE_FLAGS			/* flags */
	.quad	0, 0, 0				/* res2..res4 */
	.ascii	"ARM\x64"			/* magic */
	.long	0				/* res5 (PE header offset) */

bench_entry:
	msr	daifset, #DAIF_ALL
	mov	x19, x0				/* DTB address, kept for C */
	/* Settle: wait CNTFRQ >> BENCH_SETTLE_SHIFT ticks, yielding (WFE). */
	mrs	x1, cntfrq_el0
	lsr	x22, x1, #BENCH_SETTLE_SHIFT
1:	wfe
	mrs	x1, cntpct_el0
	sub	x1, x1, x21
	cmp	x1, x22
	b.lo	1b
	bl	bench_cpu_setup
	adr	x1, _start			/* runs at its link address only */
	ldr	x2, =_start
	cmp	x1, x2
	b.ne	bench_park
	ldr	x1, =_stack_top
	mov	sp, x1
	ldr	x1, =_bss_start
	ldr	x2, =_bss_end
2:	cmp	x1, x2
	b.hs	3f
	stp	xzr, xzr, [x1], #16
	b	2b
3:	ldr	x1, =bench_first_cntpct		/* in .data: BSS is clear by now */
	str	x21, [x1]
	mov	x0, x19
	bl	guest_c_entry			/* does not return */
	b	bench_park

/* FP/SIMD on, SP_EL1, vectors, TLS pointer, event stream; clobbers x0. */
bench_cpu_setup:
	mov	x0, #CPACR_EL1_FPEN_NONE
	msr	cpacr_el1, x0
	msr	spsel, #1
	ldr	x0, =bench_vectors
	msr	vbar_el1, x0
	ldr	x0, =_tls_start
	sub	x0, x0, #TLS_TCB_SIZE
	msr	tpidr_el0, x0
	mov	x0, #CNTKCTL_EVENT_STREAM
	msr	cntkctl_el1, x0
	isb
	ret

bench_park:
	wfi
	b	bench_park

.macro vector_entry kind
	.balign	0x80
	sub	sp, sp, #EXC_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	vector_common
.endm

	.text
	.balign	0x800
	.global	bench_vectors
	.global	guest_vectors
/*
 * The library's guest_vectors (start.S, which the bench replaces): its GIC
 * driver's table (gic_vectors.c) forwards every entry but IRQ here.
 */
guest_vectors:
bench_vectors:
	vector_entry EXC_KIND_SYNC_SP0
	vector_entry EXC_KIND_IRQ_SP0
	vector_entry EXC_KIND_FIQ_SP0
	vector_entry EXC_KIND_SERROR_SP0
	vector_entry EXC_KIND_SYNC
	/* Current EL with SP_ELx, IRQ (VBAR_EL1 + 0x280): the timer handler. */
	.balign	0x80
	mrs	x16, cntvct_el0			/* the measured instruction */
	ldr	x17, =bench_irq_cntvct
	str	x16, [x17]
	mrs	x16, cntpct_el0			/* the same moment, across partitions */
	ldr	x17, =bench_irq_cntpct
	str	x16, [x17]
	b	bench_irq_rest			/* the rest does not fit the 0x80 bytes */
	.org	bench_vectors + 0x300		/* fails to assemble if the entry outgrew 0x80 bytes */
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

/* The IRQ handler after its timestamps: acknowledge, drop the line, EOI, count. */
bench_irq_rest:
	ldr	x17, =bench_gicc		/* GICv2's CPU interface; 0 on GICv3 */
	ldr	x17, [x17]
	cbz	x17, 5f
	ldr	w16, [x17, #GICC_IAR_OFF]	/* acknowledge (v2) */
	b	6f
5:	mrs	x16, ICC_IAR1_EL1		/* acknowledge (v3) */
6:	ldr	x17, =bench_irq_intid
	str	w16, [x17]
	msr	cntv_ctl_el0, xzr		/* drop the level before EOI */
	isb
	ldr	x17, =bench_irq_mask_reg	/* a device's interrupt mask, or 0 */
	ldr	x17, [x17]
	cbz	x17, 8f
	str	wzr, [x17]			/* its line drops before EOI too */
8:
	cmp	x16, #GIC_INTID_SPECIAL
	b.hs	4f
	ldr	x17, =bench_gicc
	ldr	x17, [x17]
	cbz	x17, 7f
	str	w16, [x17, #GICC_EOIR_OFF]	/* EOI (v2) */
	b	4f
7:	msr	ICC_EOIR1_EL1, x16		/* EOI (v3) */
	isb
4:	ldr	x17, =bench_irq_count
	ldr	x16, [x17]
	add	x16, x16, #1
	str	x16, [x17]
	sev					/* end the waiter's WFE */
	eret

/* Saves every GPR into an exc_frame (exc.h), calls exc_handle, restores. */
vector_common:
	str	x0, [sp, #EXC_FRAME_KIND]
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
	stp	x30, x1, [sp, #240]
	mrs	x1, spsr_el1
	mrs	x2, esr_el1
	stp	x1, x2, [sp, #EXC_FRAME_SPSR]
	mrs	x1, far_el1
	str	x1, [sp, #EXC_FRAME_FAR]
	mov	x0, sp
	bl	exc_handle
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
