/*
 * Tessera's entry: the arm64 Image header, the boot CPU's and the secondary
 * CPUs' first instructions at EL2.  Everything after the stack is C.
 * C stacks start below the guest frame at the top of each CPU's stack
 * (core/vcpu.c): entering a vCPU writes that frame while C still runs.
 * (Linux Documentation/arch/arm64/booting.rst for the header.)
 *
 * The image runs wherever a boot loader put it (any 2 MiB-aligned address,
 * header flags bit 3): it is linked as a static PIE, and before anything
 * reads an absolute address, relocate applies the R_AARCH64_RELATIVE
 * entries of .rela.dyn for the distance between load and link address.
 * Until then, and in this file always, addresses are PC-relative (adr/adrp).
 */
#define PCPU_STACK_SIZE    0x4000    /* 16 KiB per CPU, see include/pcpu.h */
#define PCPU_STACK_TOP     536       /* offsetof(struct pcpu, stack_top), pinned in boot/init.c */
#define CURRENTEL_EL2      (2 << 2)
#define CPTR_EL2_FP_ON     0x33ff    /* RES1 bits, TZ, TSM: FP on, SVE/SME trapped */
#define IMAGE_FLAGS_LE     (0 << 0)  /* booting.rst flags bit 0: little endian */
#define IMAGE_FLAGS_4K     (1 << 1)  /* bits 1-2: 4 KiB pages */
#define IMAGE_FLAGS_ANYWHERE (1 << 3) /* bit 3: the 2 MiB-aligned base may be anywhere */
#define IMAGE_TEXT_OFFSET  0x200000  /* 2 MiB: QEMU -kernel loads at RAM base + 2 MiB */
#define GUEST_FRAME_SIZE   272       /* struct gp_regs: kept free at the stack top */
#define R_AARCH64_RELATIVE 1027      /* ELF for the Arm 64-bit Architecture, 5.7.12 */
#define RELA_SIZE          24        /* Elf64_Rela: r_offset, r_info, r_addend */

/* @reg = address of @sym, PC-relative: valid before and after relocation. */
.macro adr_l reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
.endm

	.section .text.head, "ax"
	.global _start_header
_start_header:
	b	primary_entry                 /* code0 */
	.long	0                             /* code1 */
	.quad	IMAGE_TEXT_OFFSET             /* text_offset */
	.quad	_image_size                   /* image_size: file, BSS and CPU 0's stack */
	.quad	IMAGE_FLAGS_LE | IMAGE_FLAGS_4K | IMAGE_FLAGS_ANYWHERE
	.quad	0, 0, 0                       /* res2..res4 */
	.ascii	"ARM\x64"                     /* magic */
	.long	0                             /* res5 */

primary_entry:
	mrs	x1, CurrentEL
	cmp	x1, #CURRENTEL_EL2
	b.ne	park                          /* not at EL2: nothing we can do */
	mov	x19, x0                       /* DTB */
	bl	relocate
	adr_l	x1, boot_stack_top
	sub	sp, x1, #GUEST_FRAME_SIZE
	bl	cpu_early_regs
	mov	x0, x19
	bl	boot_primary                  /* never returns */
	b	park

/* PSCI CPU_ON lands here with x0 = this CPU's struct pcpu (the context id). */
	.global secondary_entry
secondary_entry:
	mov	x19, x0
	ldr	x1, [x0, #PCPU_STACK_TOP]
	sub	sp, x1, #GUEST_FRAME_SIZE
	bl	cpu_early_regs
	mov	x0, x19
	bl	boot_secondary                /* never returns */
park:
	wfe
	b	park

/*
 * Apply .rela.dyn for delta = load address - link address (x0..x7 only, no
 * stack).  Stores go to memory with the MMU off; DC IVAC drops any clean
 * line the loader left for that address, so the cached view after
 * mmu_enable_boot sees the new value (booting.rst only asks the loader to
 * clean the image to the point of coherency).  R_AARCH64_NONE entries are
 * skipped; the linker (-z text) allows no other kind.
 */
relocate:
	adr_l	x0, _start
	adr_l	x1, link_start
	ldr	x1, [x1]                      /* ld applies the link-time value in place: the link address */
	subs	x0, x0, x1
	b.eq	2f                            /* loaded where linked: nothing to do */
	adr_l	x2, _rela_start
	adr_l	x3, _rela_end
1:	cmp	x2, x3
	b.hs	2f
	ldp	x4, x5, [x2]                  /* r_offset, r_info */
	ldr	x6, [x2, #16]                 /* r_addend */
	add	x2, x2, #RELA_SIZE
	cmp	x5, #R_AARCH64_RELATIVE
	b.ne	1b
	add	x6, x6, x0
	add	x4, x4, x0
	str	x6, [x4]
	dc	ivac, x4
	b	1b
2:	dsb	sy
	ret

/* Vectors and FP on: picolibc and libfdt use SIMD registers. */
cpu_early_regs:
	adr_l	x1, el2_vectors
	msr	vbar_el2, x1
	mov	x1, #CPTR_EL2_FP_ON
	msr	cptr_el2, x1
	isb
	ret

	.section .rodata, "a"
	.balign 8
link_start:
	.quad	_start                        /* relocated too, after it was read */

/* The boot CPU's stack; the others' come from free RAM (boot_memory). */
	.section .stacks, "aw", %nobits
	.balign 4096
	.global boot_stack
boot_stack:
	.space	PCPU_STACK_SIZE
boot_stack_top:
