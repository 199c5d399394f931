#pragma once
/*
 * Constants shared by the bench guest's assembly and C (plain integers only,
 * so that the assembler can use them).  Register fields are from the Arm ARM
 * (D11 generic timer), the GICv3 specification (IHI 0069H 12.11 for the CPU
 * interface system registers) and the GICv2 one (IHI 0048B 4.4, GICC_*).
 */

/* System-register encodings of the GICv3 CPU interface (IHI 0069H 12.11);
 * spelled generically so every assembler accepts them. */
#define ICC_IAR1_EL1		S3_0_C12_C12_0
#define ICC_EOIR1_EL1		S3_0_C12_C12_1

/* The GICv2 CPU interface's acknowledge and end-of-interrupt registers. */
#define GICC_IAR_OFF		0x0c
#define GICC_EOIR_OFF		0x10

/* INTIDs 1020..1023 are special (spurious): never EOI'd. */
#define GIC_INTID_SPECIAL	1020

/* CNTV_CTL_EL0 (Arm ARM D11.2.x): ENABLE bit 0, IMASK bit 1. */
#define CNTV_CTL_ENABLE		0x1
#define CNTV_CTL_IMASK		0x2

/* PSTATE.I for msr daifset/daifclr. */
#define DAIF_IRQ		0x2

/*
 * After reading its first CNTPCT a bench guest waits this fraction of a
 * second (CNTFRQ >> BENCH_SETTLE_SHIFT: ~3.9 ms, ~3.9M instructions under
 * icount) before doing anything else, so that its own start-up (DT parsing,
 * trapped UART output) does not land inside the next partition's start
 * when several partitions are measured.  WFE yields the vCPU in QEMU's
 * round robin, so the wait costs a few instructions per turn.
 */
#define BENCH_SETTLE_SHIFT	8

/* Stringify a macro's value (sysreg names inside inline assembly). */
#define BENCH_STR_(x)		#x
#define BENCH_STR(x)		BENCH_STR_(x)
