/*
 * AArch32 EL0 for the hostile guest (attack_a32.c).  a32_run(ctx) enters
 * EL0 in AArch32 state (SPSR_EL1.M[4] = 1, Arm ARM D1.11 "Exception return
 * to AArch32") with r0-r14 from ctx; any exception from there ends the run:
 * the EL1 hook (attack_a32.c) records it and returns to a32_exit at EL1,
 * which resumes a32_run's caller.
 *
 * The EL0 programs are A32 and T32 code written as data, each word or
 * halfword with the instruction it encodes (verified against an assembler:
 * llvm-objdump of the same mnemonics).  The toolchain here assembles A64
 * only.
 */
#include "asm_defs.h"

#define CTX_PC		120	/* struct a32_ctx: r[15] (64-bit words) at 0, then pc, spsr */
#define CTX_SPSR	128

	.text
	.global	a32_run
a32_run:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	adr	x1, a32_saved_sp
	mov	x2, sp
	str	x2, [x1]
	ldr	x1, [x0, #CTX_PC]
	msr	elr_el1, x1
	ldr	x1, [x0, #CTX_SPSR]
	msr	spsr_el1, x1
	ldp	x14, x15, [x0, #112]	/* x15 is not visible in AArch32: any value */
	ldp	x12, x13, [x0, #96]
	ldp	x10, x11, [x0, #80]
	ldp	x8, x9, [x0, #64]
	ldp	x6, x7, [x0, #48]
	ldp	x4, x5, [x0, #32]
	ldp	x2, x3, [x0, #16]
	ldp	x0, x1, [x0, #0]
	eret

/* Entered at EL1h (the hook set ELR here): back to a32_run's caller. */
	.global	a32_exit
a32_exit:
	adr	x1, a32_saved_sp
	ldr	x2, [x1]
	mov	sp, x2
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

	.data
	.balign	8
a32_saved_sp:
	.quad	0

/*
 * T32: 16-bit MMIO accesses, each followed by a 16-bit ADDS that counts it
 * (a hypervisor that skips 4 bytes after a 16-bit access skips the count),
 * then a 32-bit store.  In: r0 = UART, r1/r3/r5 = characters.  Out: r2 = 4,
 * r4 = UARTFR.
 */
	.text
	.balign	4
	.global	a32_t32_mmio
a32_t32_mmio:
	.hword	0x7001		/* strb   r1, [r0]          (UARTDR) */
	.hword	0x1c52		/* adds   r2, r2, #1 */
	.hword	0x8003		/* strh   r3, [r0]          (UARTDR) */
	.hword	0x1c52		/* adds   r2, r2, #1 */
	.hword	0x6984		/* ldr    r4, [r0, #24]     (UARTFR) */
	.hword	0x1c52		/* adds   r2, r2, #1 */
	.hword	0xf8c0, 0x5000	/* str.w  r5, [r0]          (UARTDR) */
	.hword	0x1c52		/* adds   r2, r2, #1 */
	.hword	0xdf00		/* svc    #0 */
	.hword	0xbf00		/* nop (padding) */

/*
 * T32 IT block around a 16-bit MMIO store: once the store is emulated, the
 * ITSTATE must move on, or the ELSE instruction runs under THEN's condition.
 * In: r0 = UART, r1 = character.  Out: r2 = 1, r3 = 0.
 */
	.balign	4
	.global	a32_t32_it
a32_t32_it:
	.hword	0x4280		/* cmp    r0, r0            (Z = 1) */
	.hword	0xbf06		/* itte   eq */
	.hword	0x7001		/* strbeq r1, [r0]          (UARTDR) */
	.hword	0x3201		/* addeq  r2, #1 */
	.hword	0x3301		/* addne  r3, #1            (skipped) */
	.hword	0xdf00		/* svc    #0 */

/* A32: the same with 32-bit instructions.  In: r0 = UART, r1/r3 = characters. */
	.balign	4
	.global	a32_a32_mmio
a32_a32_mmio:
	.word	0xe5801000	/* str    r1, [r0]          (UARTDR) */
	.word	0xe2822001	/* add    r2, r2, #1 */
	.word	0xe5d04018	/* ldrb   r4, [r0, #24]     (UARTFR) */
	.word	0xe2822001	/* add    r2, r2, #1 */
	.word	0xe1c030b0	/* strh   r3, [r0]          (UARTDR) */
	.word	0xe2822001	/* add    r2, r2, #1 */
	.word	0xef000000	/* svc    #0 */

/* T32 load from r6 (a hole in the IPA space): an abort Tessera injects. */
	.balign	4
	.global	a32_t32_abort
a32_t32_abort:
	.hword	0x6834		/* ldr    r4, [r6] */
	.hword	0xdf00		/* svc    #0 (not reached) */

/* A32 store to r6. */
	.balign	4
	.global	a32_a32_abort
a32_a32_abort:
	.word	0xe5861000	/* str    r1, [r6] */
	.word	0xef000000	/* svc    #0 (not reached) */

/* A32 LDRD from the UART: two registers, no syndrome: an injected abort. */
	.balign	4
	.global	a32_a32_ldrd
a32_a32_ldrd:
	.word	0xe1c040d0	/* ldrd   r4, r5, [r0] */
	.word	0xef000000	/* svc    #0 (not reached) */

/*
 * A32 CP15 accesses to the EL1 physical timer, trapped to EL2
 * (CNTHCTL_EL2.EL1PCEN = 0) once EL1 lets EL0 at them (CNTKCTL_EL1.EL0PTEN):
 * MRC (EC 0x03), MCR, MRRC (EC 0x04), and an MRC whose condition fails.
 * Out: r4 = CNTP_CTL, r7:r8 = CNTP_CVAL, r2 = 3 when all ran.
 */
	.balign	4
	.global	a32_a32_cp15
a32_a32_cp15:
	.word	0xee1e4f32	/* mrc    p15, 0, r4, c14, c2, 1   (CNTP_CTL) */
	.word	0xe2822001	/* add    r2, r2, #1 */
	.word	0xee0e5f32	/* mcr    p15, 0, r5, c14, c2, 1   (CNTP_CTL) */
	.word	0xe2822001	/* add    r2, r2, #1 */
	.word	0xec587f2e	/* mrrc   p15, 2, r7, r8, c14      (CNTP_CVAL) */
	.word	0xe2822001	/* add    r2, r2, #1 */
	.word	0xe3500000	/* cmp    r0, #0  (r0 != 0: Z clear) */
	.word	0x0e1e9f32	/* mrceq  p15, 0, r9, c14, c2, 1   (condition fails) */
	.word	0xef000000	/* svc    #0 */

/* A32 MRC p14 DBGDSCRint: the debug communications channel from EL0. */
	.balign	4
	.global	a32_a32_dcc
a32_a32_dcc:
	.word	0xee104e11	/* mrc    p14, 0, r4, c0, c1, 0 */
	.word	0xef000000	/* svc    #0 */

/*
 * T32 busy loop, long enough for interrupts to reach EL2 while EL0 runs
 * AArch32 (their exits use VBAR_EL2 + 0x680).  In: r7 = iterations.
 */
	.balign	4
	.global	a32_t32_loop
a32_t32_loop:
	.hword	0x1e7f		/* 1: subs r7, r7, #1 */
	.hword	0xd1fd		/*    bne  1b */
	.hword	0xdf00		/* svc    #0 */
	.hword	0xbf00		/* nop (padding) */
