/*
 * Tessera's entry: the arm64 Image header, the boot CPU's and the secondary
 * CPUs' first instructions at EL2.  Everything after the stack is C.
 * C stacks start below the guest frame at the top of each CPU's stack
 * (core/vcpu.c): entering a vCPU writes that frame while C still runs.
 * (Linux Documentation/arch/arm64/booting.rst for the header.)
 */
#define PCPU_STACK_SHIFT   14        /* 16 KiB per CPU, see include/pcpu.h */
#define CURRENTEL_EL2      (2 << 2)
#define CPTR_EL2_FP_ON     0x33ff    /* RES1 bits, TZ, TSM: FP on, SVE/SME trapped */
#define IMAGE_FLAGS_LE_4K  (1 << 1)  /* little endian, 4 KiB pages */
#define GUEST_FRAME_SIZE   272       /* struct gp_regs: kept free at the stack top */

	.section .text.head, "ax"
	.global _start_header
_start_header:
	b	primary_entry                 /* code0 */
	.long	0                             /* code1 */
	.quad	0x200000                      /* text_offset: RAM base + 2 MiB */
	.quad	_image_size                   /* image_size, BSS and stacks included */
	.quad	IMAGE_FLAGS_LE_4K
	.quad	0, 0, 0                       /* res2..res4 */
	.ascii	"ARM\x64"                     /* magic */
	.long	0                             /* res5 */

primary_entry:
	mrs	x1, CurrentEL
	cmp	x1, #CURRENTEL_EL2
	b.ne	park                          /* not at EL2: nothing we can do */
	adr	x1, _start                    /* loaded where we are linked? */
	ldr	x2, =_start
	cmp	x1, x2
	b.ne	park
	mov	x19, x0                       /* DTB */
	ldr	x1, =pcpu_stacks + (1 << PCPU_STACK_SHIFT) - GUEST_FRAME_SIZE
	mov	sp, x1
	bl	cpu_early_regs
	mov	x0, x19
	bl	boot_primary                  /* never returns */
	b	park

/* PSCI CPU_ON lands here with x0 = the logical CPU index (context id). */
	.global secondary_entry
secondary_entry:
	mov	x19, x0
	add	x1, x0, #1
	lsl	x1, x1, #PCPU_STACK_SHIFT
	ldr	x2, =pcpu_stacks - GUEST_FRAME_SIZE
	add	x1, x1, x2
	mov	sp, x1
	bl	cpu_early_regs
	mov	x0, x19
	bl	boot_secondary                /* never returns */
park:
	wfe
	b	park

/* Vectors and FP on: picolibc and libfdt use SIMD registers. */
cpu_early_regs:
	ldr	x1, =el2_vectors
	msr	vbar_el2, x1
	mov	x1, #CPTR_EL2_FP_ON
	msr	cptr_el2, x1
	isb
	ret

	.section .stacks, "aw", %nobits
	.balign 4096
	.global pcpu_stacks
pcpu_stacks:
	.space	(8 << PCPU_STACK_SHIFT)
