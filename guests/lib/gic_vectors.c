/*
 * The IRQ path of gic.h: an EL1 vector table whose "IRQ, current EL with
 * SP_ELx" entry saves the interrupted context and calls gic_irq_dispatch();
 * every other entry branches to the same entry of start.S's guest_vectors,
 * so faults are still reported by exc_handle().
 *
 * The table is assembly written here (guests.mk assembles only start.S in
 * lib/).  It saves x0-x30, ELR/SPSR, q0-q31, FPSR and FPCR: handlers are
 * ordinary C, which may use FP/SIMD registers, and the interrupted code must
 * see none of its registers change.
 */
#include "gic.h"
#include "guest.h"

#define STR_(x)			#x
#define STR(x)			STR_(x)

/* Vector table: 16 entries of 0x80 bytes, 2 KiB aligned (Arm ARM D1.10.2). */
#define VEC_ENTRY_SIZE		0x80
#define VEC_IRQ_CUR_SPX		0x280	/* IRQ, current EL, SP_ELx (entry 5) */

/* Interrupt frame on the interrupted stack. */
#define IRQF_X30_ELR		240	/* x30, then ELR_EL1 */
#define IRQF_SPSR		256
#define IRQF_FPSR		264
#define IRQF_FPCR		272
#define IRQF_Q			288	/* q0-q31, 16 bytes each */
#define IRQF_SIZE		800	/* multiple of 16: SP stays aligned */

/* Every entry but one is start.S's own. */
#define VEC_FORWARD(off)	".balign " STR(VEC_ENTRY_SIZE) "\n\tb guest_vectors + " #off "\n\t"

__asm__(
	"	.section .text.gic_vectors, \"ax\"\n"
	"	.balign 0x800\n"
	"	.global gic_vectors\n"
	"gic_vectors:\n\t"
	VEC_FORWARD(0x000) VEC_FORWARD(0x080) VEC_FORWARD(0x100) VEC_FORWARD(0x180)
	VEC_FORWARD(0x200)
	".balign " STR(VEC_ENTRY_SIZE) "\n\t"
	"b gic_irq_entry\n\t"
	VEC_FORWARD(0x300) VEC_FORWARD(0x380)
	VEC_FORWARD(0x400) VEC_FORWARD(0x480) VEC_FORWARD(0x500) VEC_FORWARD(0x580)
	VEC_FORWARD(0x600) VEC_FORWARD(0x680) VEC_FORWARD(0x700) VEC_FORWARD(0x780)
	"\n"
	"gic_irq_entry:\n\t"
	"sub sp, sp, #" STR(IRQF_SIZE) "\n\t"
	"stp x0, x1, [sp, #0]\n\t"
	"stp x2, x3, [sp, #16]\n\t"
	"stp x4, x5, [sp, #32]\n\t"
	"stp x6, x7, [sp, #48]\n\t"
	"stp x8, x9, [sp, #64]\n\t"
	"stp x10, x11, [sp, #80]\n\t"
	"stp x12, x13, [sp, #96]\n\t"
	"stp x14, x15, [sp, #112]\n\t"
	"stp x16, x17, [sp, #128]\n\t"
	"stp x18, x19, [sp, #144]\n\t"
	"stp x20, x21, [sp, #160]\n\t"
	"stp x22, x23, [sp, #176]\n\t"
	"stp x24, x25, [sp, #192]\n\t"
	"stp x26, x27, [sp, #208]\n\t"
	"stp x28, x29, [sp, #224]\n\t"
	"mrs x0, elr_el1\n\t"
	"stp x30, x0, [sp, #" STR(IRQF_X30_ELR) "]\n\t"
	"mrs x0, spsr_el1\n\t"
	"mrs x1, fpsr\n\t"
	"stp x0, x1, [sp, #" STR(IRQF_SPSR) "]\n\t"
	"mrs x0, fpcr\n\t"
	"str x0, [sp, #" STR(IRQF_FPCR) "]\n\t"
	"add x0, sp, #" STR(IRQF_Q) "\n\t"
	"stp q0, q1, [x0, #0]\n\t"
	"stp q2, q3, [x0, #32]\n\t"
	"stp q4, q5, [x0, #64]\n\t"
	"stp q6, q7, [x0, #96]\n\t"
	"stp q8, q9, [x0, #128]\n\t"
	"stp q10, q11, [x0, #160]\n\t"
	"stp q12, q13, [x0, #192]\n\t"
	"stp q14, q15, [x0, #224]\n\t"
	"stp q16, q17, [x0, #256]\n\t"
	"stp q18, q19, [x0, #288]\n\t"
	"stp q20, q21, [x0, #320]\n\t"
	"stp q22, q23, [x0, #352]\n\t"
	"stp q24, q25, [x0, #384]\n\t"
	"stp q26, q27, [x0, #416]\n\t"
	"stp q28, q29, [x0, #448]\n\t"
	"stp q30, q31, [x0, #480]\n\t"
	"bl gic_irq_dispatch\n\t"
	"add x0, sp, #" STR(IRQF_Q) "\n\t"
	"ldp q0, q1, [x0, #0]\n\t"
	"ldp q2, q3, [x0, #32]\n\t"
	"ldp q4, q5, [x0, #64]\n\t"
	"ldp q6, q7, [x0, #96]\n\t"
	"ldp q8, q9, [x0, #128]\n\t"
	"ldp q10, q11, [x0, #160]\n\t"
	"ldp q12, q13, [x0, #192]\n\t"
	"ldp q14, q15, [x0, #224]\n\t"
	"ldp q16, q17, [x0, #256]\n\t"
	"ldp q18, q19, [x0, #288]\n\t"
	"ldp q20, q21, [x0, #320]\n\t"
	"ldp q22, q23, [x0, #352]\n\t"
	"ldp q24, q25, [x0, #384]\n\t"
	"ldp q26, q27, [x0, #416]\n\t"
	"ldp q28, q29, [x0, #448]\n\t"
	"ldp q30, q31, [x0, #480]\n\t"
	"ldr x0, [sp, #" STR(IRQF_FPCR) "]\n\t"
	"msr fpcr, x0\n\t"
	"ldp x0, x1, [sp, #" STR(IRQF_SPSR) "]\n\t"
	"msr spsr_el1, x0\n\t"
	"msr fpsr, x1\n\t"
	"ldp x30, x0, [sp, #" STR(IRQF_X30_ELR) "]\n\t"
	"msr elr_el1, x0\n\t"
	"ldp x0, x1, [sp, #0]\n\t"
	"ldp x2, x3, [sp, #16]\n\t"
	"ldp x4, x5, [sp, #32]\n\t"
	"ldp x6, x7, [sp, #48]\n\t"
	"ldp x8, x9, [sp, #64]\n\t"
	"ldp x10, x11, [sp, #80]\n\t"
	"ldp x12, x13, [sp, #96]\n\t"
	"ldp x14, x15, [sp, #112]\n\t"
	"ldp x16, x17, [sp, #128]\n\t"
	"ldp x18, x19, [sp, #144]\n\t"
	"ldp x20, x21, [sp, #160]\n\t"
	"ldp x22, x23, [sp, #176]\n\t"
	"ldp x24, x25, [sp, #192]\n\t"
	"ldp x26, x27, [sp, #208]\n\t"
	"ldp x28, x29, [sp, #224]\n\t"
	"add sp, sp, #" STR(IRQF_SIZE) "\n\t"
	"eret\n\t"
	".text\n");

extern char gic_vectors[];

static gic_handler_fn *handlers[GIC_HANDLED_INTIDS];
static volatile uint64_t unexpected_count;
static volatile uint32_t unexpected_last;

void gic_install_vectors(void)
{
	__asm__ volatile("msr vbar_el1, %0\n\tisb" : : "r"(gic_vectors) : "memory");
}

void gic_set_handler(uint32_t intid, gic_handler_fn *fn)
{
	if (intid < GIC_HANDLED_INTIDS)
		handlers[intid] = fn;
}

uint64_t gic_unexpected_count(void)
{
	return unexpected_count;
}

uint32_t gic_unexpected_last(void)
{
	return unexpected_last;
}

/*
 * One interrupt per exception, as Linux's gic_handle_irq does: a source that
 * is pending again is taken on the next exception, after the interrupted
 * code had its chance to run.  A spurious INTID (1023: the interrupt went
 * away or is masked) and the other special INTIDs are not EOId (IHI 0069H
 * 2.2.1).
 */
void gic_irq_dispatch(void)
{
	uint32_t iar = gic_ack();
	uint32_t intid = gic_iar_intid(iar);

	if (intid >= GIC_INTID_SPECIAL_FIRST)
		return;
	gic_handler_fn *fn = intid < GIC_HANDLED_INTIDS ? handlers[intid] : NULL;
	if (fn != NULL) {
		fn(intid);
	} else {
		unexpected_count = unexpected_count + 1;
		unexpected_last = intid;
	}
	gic_eoi(iar);
}
