#pragma once
/*
 * Constants shared by start.S and C (plain integers only, so that the
 * assembler can use them).  Field positions are from the Arm ARM register
 * descriptions named beside each one.
 */

/* arm64 Image header, Linux Documentation/arch/arm64/booting.rst. */
#define IMAGE_TEXT_OFFSET	0x200000	/* load at RAM base + 2 MiB */
#define IMAGE_FLAG_LE		0x0		/* bit 0: little-endian */
#define IMAGE_FLAG_PAGE_4K	0x2		/* bits 2:1 = 1: 4 KiB pages */
#define IMAGE_FLAGS		(IMAGE_FLAG_LE | IMAGE_FLAG_PAGE_4K)

/* DAIF immediate for msr daifset: D, A, I and F. */
#define DAIF_ALL		0xf

/* CPACR_EL1.FPEN, bits [21:20] = 0b11: EL0/EL1 FP/SIMD not trapped. */
#define CPACR_EL1_FPEN_NONE	(0x3 << 20)

/*
 * CNTKCTL_EL1: EVNTEN (bit 2) with EVNTI (bits [7:4]) = 10, an event each
 * time bit 10 of the virtual count rises: every 2048 ticks (33 us at
 * 62.5 MHz), so a WFE poll loop always wakes up.
 */
#define CNTKCTL_EVNTEN		(1 << 2)
#define CNTKCTL_EVNTI_SHIFT	4
#define CNTKCTL_EVNTI_BIT	10
#define CNTKCTL_EVENT_STREAM	(CNTKCTL_EVNTEN | (CNTKCTL_EVNTI_BIT << CNTKCTL_EVNTI_SHIFT))

/* AArch64 TLS variant 1: thread pointer sits 16 bytes before the block. */
#define TLS_TCB_SIZE		16

/* Image layout (guest.ld.S): linked at RAM base + text_offset, the QEMU virt
 * and Tessera guest RAM base (DESIGN.md §5). */
#ifndef GUEST_RAM_BASE		/* guests.mk links direct-mapped variants elsewhere */
#define GUEST_RAM_BASE		0x40000000
#endif
#define GUEST_STACK_SIZE	0x10000		/* primary CPU */
#define GUEST_MAX_CPUS		8		/* CPU_ON context ids 0..7 */
#define GUEST_SEC_STACK_SIZE	0x2000		/* each secondary CPU */

/* struct exc_frame (exc.h): x0-x30, elr, spsr, esr, far, kind. */
#define EXC_FRAME_ELR		248
#define EXC_FRAME_SPSR		256
#define EXC_FRAME_ESR		264
#define EXC_FRAME_FAR		272
#define EXC_FRAME_KIND		280
#define EXC_FRAME_SIZE		288

/* Vector table entries in order (Arm ARM D1.10.2, "Exception vectors"). */
#define EXC_KIND_SYNC_SP0	0
#define EXC_KIND_IRQ_SP0	1
#define EXC_KIND_FIQ_SP0	2
#define EXC_KIND_SERROR_SP0	3
#define EXC_KIND_SYNC		4	/* current EL, SP_EL1: aborts land here */
#define EXC_KIND_IRQ		5
#define EXC_KIND_FIQ		6
#define EXC_KIND_SERROR		7
#define EXC_KIND_SYNC_LOWER64	8
#define EXC_KIND_IRQ_LOWER64	9
#define EXC_KIND_FIQ_LOWER64	10
#define EXC_KIND_SERROR_LOWER64	11
#define EXC_KIND_SYNC_LOWER32	12
#define EXC_KIND_IRQ_LOWER32	13
#define EXC_KIND_FIQ_LOWER32	14
#define EXC_KIND_SERROR_LOWER32	15
#define EXC_KIND_COUNT		16
