#pragma once
/* Shared between fpcheck.c and fpcheck_loop.S: plain integers only. */

/* struct fp_state: v0-v31 (16 bytes each), fpcr, fpsr, x19-x28, a count. */
#define FPS_V		0
#define FPS_FPCR	512
#define FPS_FPSR	520
#define FPS_X		528
#define FPS_UNKNOWN_OK	608		/* unknown hypercalls answered NOT_SUPPORTED */
#define FPS_SIZE	616
#define FPS_NUM_V	32
#define FPS_NUM_X	10
#define FPS_FIRST_X	19

/* struct fp_loop_args. */
#define FLA_UART	0
#define FLA_ABORT	8
#define FLA_ITERS	16
#define FLA_SMC		24
#define FLA_SIZE	32

/* Print a '.' once per this many iterations (a power of two). */
#define FPCHECK_DOT_EVERY	64
