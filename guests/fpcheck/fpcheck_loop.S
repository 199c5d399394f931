/*
 * fpcheck's measured loop, in assembly so that no compiler-generated code
 * touches the canary registers between loading and storing them.
 *
 * void fpcheck_loop(const struct fp_state *in, struct fp_state *out,
 *                   const struct fp_loop_args *args);
 *
 * Loads v0-v31, FPCR, FPSR and x19-x28 from *in, then per iteration makes
 * four kinds of hypervisor exits: a PL011 UARTFR read (trapped MMIO; a DR
 * write every FPCHECK_DOT_EVERY iterations), a PSCI_VERSION call, a call
 * Tessera does not have (counted in out->unknown_ok when it answers
 * NOT_SUPPORTED) and a load from args->abort_addr (an injected data abort,
 * skipped by the EL1 handler).
 * The loop's own state lives on the stack, which none of these changes;
 * x0-x17 are scratch (SMCCC lets a call clobber them).  At the end every
 * canary register is stored to *out for fpcheck.c to compare.
 */
#include "fpcheck.h"

#define PL011_DR	0x000
#define PL011_FR	0x018
#define PL011_FR_TXFF_BIT 5
#define PSCI_VERSION_HI	0x8400		/* PSCI_VERSION = 0x84000000 */
/* 0xC600FFFF: SMCCC vendor-specific hypervisor service, no Tessera call. */
#define UNKNOWN_HVC_HI	0xc600
#define UNKNOWN_HVC_LO	0xffff

/* Stack frame below the saved registers. */
#define F_OUT		0
#define F_UART		8
#define F_ABORT		16
#define F_ITERS		24
#define F_SMC		32
#define F_I		40
#define F_UNKNOWN_OK	48
#define F_SIZE		64

	.text
	.global fpcheck_loop
	.type fpcheck_loop, %function
fpcheck_loop:
	/* AAPCS64 callee-saved: x19-x30 and d8-d15; FPCR/FPSR restored too. */
	stp	x29, x30, [sp, #-16]!
	stp	x27, x28, [sp, #-16]!
	stp	x25, x26, [sp, #-16]!
	stp	x23, x24, [sp, #-16]!
	stp	x21, x22, [sp, #-16]!
	stp	x19, x20, [sp, #-16]!
	stp	d14, d15, [sp, #-16]!
	stp	d12, d13, [sp, #-16]!
	stp	d10, d11, [sp, #-16]!
	stp	d8, d9, [sp, #-16]!
	mrs	x3, fpcr
	mrs	x4, fpsr
	stp	x3, x4, [sp, #-16]!

	sub	sp, sp, #F_SIZE
	str	x1, [sp, #F_OUT]
	ldp	x3, x4, [x2, #FLA_UART]
	stp	x3, x4, [sp, #F_UART]		/* uart, abort address */
	ldp	x3, x4, [x2, #FLA_ITERS]
	stp	x3, x4, [sp, #F_ITERS]		/* iterations, use smc */
	str	xzr, [sp, #F_I]
	str	xzr, [sp, #F_UNKNOWN_OK]

	/* Load the canaries; from here on only x0-x17 are used. */
	ldr	x3, [x0, #FPS_FPCR]
	msr	fpcr, x3
	ldr	x3, [x0, #FPS_FPSR]
	msr	fpsr, x3
	add	x5, x0, #FPS_X			/* beyond ldp's offset range */
	ldp	x19, x20, [x5, #0]
	ldp	x21, x22, [x5, #16]
	ldp	x23, x24, [x5, #32]
	ldp	x25, x26, [x5, #48]
	ldp	x27, x28, [x5, #64]
	ldp	q0, q1, [x0], #32
	ldp	q2, q3, [x0], #32
	ldp	q4, q5, [x0], #32
	ldp	q6, q7, [x0], #32
	ldp	q8, q9, [x0], #32
	ldp	q10, q11, [x0], #32
	ldp	q12, q13, [x0], #32
	ldp	q14, q15, [x0], #32
	ldp	q16, q17, [x0], #32
	ldp	q18, q19, [x0], #32
	ldp	q20, q21, [x0], #32
	ldp	q22, q23, [x0], #32
	ldp	q24, q25, [x0], #32
	ldp	q26, q27, [x0], #32
	ldp	q28, q29, [x0], #32
	ldp	q30, q31, [x0], #32

.Lloop:
	/* 1. Trapped MMIO: UARTFR read every time, a '.' now and then. */
	ldr	x9, [sp, #F_UART]
	ldr	w10, [x9, #PL011_FR]
	ldr	x11, [sp, #F_I]
	tst	x11, #(FPCHECK_DOT_EVERY - 1)
	b.ne	.Lhvc
.Lwait_tx:
	ldr	w10, [x9, #PL011_FR]
	tbnz	w10, #PL011_FR_TXFF_BIT, .Lwait_tx
	mov	w10, #'.'
	str	w10, [x9, #PL011_DR]
.Lhvc:
	/* 2. A hypercall: PSCI_VERSION through the DT's conduit. */
	ldr	x11, [sp, #F_SMC]
	movz	x0, #PSCI_VERSION_HI, lsl #16
	cbnz	x11, .Lsmc
	hvc	#0
	b	.Lunknown
.Lsmc:
	smc	#0
.Lunknown:
	/* 2b. A call Tessera does not have: its fast exit path (FP not trapped). */
	movz	x0, #UNKNOWN_HVC_HI, lsl #16
	movk	x0, #UNKNOWN_HVC_LO
	hvc	#0
	cmn	x0, #1				/* SMCCC NOT_SUPPORTED */
	b.ne	.Labort
	ldr	x11, [sp, #F_UNKNOWN_OK]
	add	x11, x11, #1
	str	x11, [sp, #F_UNKNOWN_OK]
.Labort:
	/* 3. An access that aborts; the EL1 handler counts it and skips it. */
	ldr	x9, [sp, #F_ABORT]
	ldr	x10, [x9]

	ldr	x11, [sp, #F_I]
	add	x11, x11, #1
	str	x11, [sp, #F_I]
	ldr	x12, [sp, #F_ITERS]
	cmp	x11, x12
	b.lo	.Lloop

	/* Store what the registers hold now. */
	ldr	x1, [sp, #F_OUT]
	stp	q0, q1, [x1], #32
	stp	q2, q3, [x1], #32
	stp	q4, q5, [x1], #32
	stp	q6, q7, [x1], #32
	stp	q8, q9, [x1], #32
	stp	q10, q11, [x1], #32
	stp	q12, q13, [x1], #32
	stp	q14, q15, [x1], #32
	stp	q16, q17, [x1], #32
	stp	q18, q19, [x1], #32
	stp	q20, q21, [x1], #32
	stp	q22, q23, [x1], #32
	stp	q24, q25, [x1], #32
	stp	q26, q27, [x1], #32
	stp	q28, q29, [x1], #32
	stp	q30, q31, [x1], #32		/* x1 = out + FPS_FPCR now */
	mrs	x2, fpcr
	mrs	x3, fpsr
	stp	x2, x3, [x1], #16
	stp	x19, x20, [x1], #16
	stp	x21, x22, [x1], #16
	stp	x23, x24, [x1], #16
	stp	x25, x26, [x1], #16
	stp	x27, x28, [x1], #16
	ldr	x11, [sp, #F_UNKNOWN_OK]
	str	x11, [x1]			/* x1 = out + FPS_UNKNOWN_OK */

	add	sp, sp, #F_SIZE
	ldp	x3, x4, [sp], #16
	msr	fpcr, x3
	msr	fpsr, x4
	ldp	d8, d9, [sp], #16
	ldp	d10, d11, [sp], #16
	ldp	d12, d13, [sp], #16
	ldp	d14, d15, [sp], #16
	ldp	x19, x20, [sp], #16
	ldp	x21, x22, [sp], #16
	ldp	x23, x24, [sp], #16
	ldp	x25, x26, [sp], #16
	ldp	x27, x28, [sp], #16
	ldp	x29, x30, [sp], #16
	ret
	.size fpcheck_loop, . - fpcheck_loop
