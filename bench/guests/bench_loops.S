/*
 * Timed loops (bench.h).  Each reads CNTPCT_EL0 behind an ISB before and
 * after, so the difference covers the loop only.  The HVC loop and the base
 * loop differ by the HVC alone: (hvc ticks - base ticks) / iterations is
 * the cost of one HVC round trip, the HVC instruction included.
 */
#include "asm_defs.h"
#include "bench_defs.h"

	.text

/*
 * uint64_t bench_hvc_loop(uint64_t n, uint64_t fn, uint64_t *ret)
 * n HVC #0 calls with x0 = fn; *ret = x0 after the last one.  The loop state
 * lives in callee-saved x19-x22: SMCCC lets a call clobber x0-x17.
 */
	.global bench_hvc_loop
bench_hvc_loop:
	stp	x19, x20, [sp, #-32]!
	stp	x21, x22, [sp, #16]
	mov	x19, x0
	mov	x20, x1
	mov	x21, x2
	isb
	mrs	x22, cntpct_el0
1:	mov	x0, x20
	hvc	#0
	subs	x19, x19, #1
	b.ne	1b
	isb
	mrs	x1, cntpct_el0
	str	x0, [x21]
	sub	x0, x1, x22
	ldp	x21, x22, [sp, #16]
	ldp	x19, x20, [sp], #32
	ret

/*
 * uint64_t bench_hvc1_loop(uint64_t n, uint64_t fn, uint64_t arg, uint64_t *ret)
 * bench_hvc_loop with x1 = arg on every call (the doorbell's region address).
 */
	.global bench_hvc1_loop
bench_hvc1_loop:
	stp	x19, x20, [sp, #-48]!
	stp	x21, x22, [sp, #16]
	str	x23, [sp, #32]
	mov	x19, x0
	mov	x20, x1
	mov	x23, x2
	mov	x21, x3
	isb
	mrs	x22, cntpct_el0
1:	mov	x0, x20
	mov	x1, x23
	hvc	#0
	subs	x19, x19, #1
	b.ne	1b
	isb
	mrs	x1, cntpct_el0
	str	x0, [x21]
	sub	x0, x1, x22
	ldr	x23, [sp, #32]
	ldp	x21, x22, [sp, #16]
	ldp	x19, x20, [sp], #48
	ret

/* uint64_t bench_base_loop(uint64_t n, uint64_t fn): the same without HVC. */
	.global bench_base_loop
bench_base_loop:
	stp	x19, x20, [sp, #-32]!
	stp	x21, x22, [sp, #16]
	mov	x19, x0
	mov	x20, x1
	mov	x21, x2
	isb
	mrs	x22, cntpct_el0
1:	mov	x0, x20
	subs	x19, x19, #1
	b.ne	1b
	isb
	mrs	x1, cntpct_el0
	sub	x0, x1, x22
	ldp	x21, x22, [sp, #16]
	ldp	x19, x20, [sp], #32
	ret

/*
 * bool bench_timer_wait(uint64_t count_before, uint64_t deadline)
 * With IRQs unmasked, wait (WFE) until bench_irq_count differs from
 * count_before (the handler ran) or CNTPCT reaches deadline.  Uses x0-x3
 * only: the IRQ vector clobbers x16/x17 (bench_start.S).
 */
	.global bench_timer_wait
bench_timer_wait:
	ldr	x2, =bench_irq_count
	msr	daifclr, #DAIF_IRQ
1:	ldr	x3, [x2]
	cmp	x3, x0
	b.ne	2f
	mrs	x3, cntpct_el0
	cmp	x3, x1
	b.hs	3f
	wfe
	b	1b
2:	msr	daifset, #DAIF_IRQ
	mov	x0, #1
	ret
3:	msr	daifset, #DAIF_IRQ
	mov	x0, #0
	ret

/*
 * uint64_t bench_mmio_trigger_wait(uint64_t addr, uint32_t value,
 *                                  uint64_t count_before, uint64_t deadline)
 * With IRQs already unmasked, read CNTPCT, store @value to the device
 * register at @addr (which raises an interrupt at once), then wait as
 * bench_timer_wait does.  Returns the CNTPCT read just before the store,
 * or 0 when no IRQ came by @deadline.  Uses x0-x6 only.
 */
	.global bench_mmio_trigger_wait
bench_mmio_trigger_wait:
	ldr	x5, =bench_irq_count
	msr	daifclr, #DAIF_IRQ
	isb
	mrs	x4, cntpct_el0			/* "asserted" */
	str	w1, [x0]
1:	ldr	x6, [x5]
	cmp	x6, x2
	b.ne	2f
	mrs	x6, cntpct_el0
	cmp	x6, x3
	b.hs	3f
	wfe
	b	1b
2:	msr	daifset, #DAIF_IRQ
	mov	x0, x4
	ret
3:	msr	daifset, #DAIF_IRQ
	mov	x0, #0
	ret
