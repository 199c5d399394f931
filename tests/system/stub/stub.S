/*
 * A stand-in for build/tessera.bin, so the system-test harness and
 * tools/scenario.py can be tested on plain QEMU before the hypervisor boots.
 * An arm64 Image (Linux Documentation/arch/arm64/booting.rst header) that
 * prints a few console lines in the hypervisor's format, echoes what it
 * reads from the UART, and on 'q' powers the machine off with PSCI
 * SYSTEM_OFF (SMC: QEMU's conduit with virtualization=on).  With no input it
 * waits forever, which is what the timeout test needs.
 * The UART address is QEMU virt's; this is test scaffolding only.
 */
#define UART_BASE       0x09000000      /* QEMU virt PL011 */
#define UART_DR         0x00            /* PL011 data register */
#define UART_FR         0x18            /* PL011 flag register */
#define UART_FR_RXFE    4               /* bit: receive FIFO empty */
#define UART_FR_TXFF    5               /* bit: transmit FIFO full */
#define PSCI_SYSTEM_OFF 0x84000008      /* DEN0022: SMC32 SYSTEM_OFF */
#define QUIT_CHAR       'q'
#define IMAGE_MAGIC     0x644d5241      /* "ARM\x64" */

	.text
	.globl	_start
_start:
	b	stub_main		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: QEMU loads at RAM base */
	.quad	stub_end - _start	/* image_size */
	.quad	0			/* flags */
	.quad	0, 0, 0			/* res2-res4 */
	.long	IMAGE_MAGIC
	.long	0			/* res5 */

stub_main:
	mov	x19, #UART_BASE
	adr	x1, banner
	bl	stub_puts
1:	ldr	w2, [x19, #UART_FR]
	tbnz	w2, #UART_FR_RXFE, 1b	/* poll: nothing else to do */
	ldr	w0, [x19, #UART_DR]
	and	w0, w0, #0xff		/* DR's low byte is the character */
	cmp	w0, #QUIT_CHAR
	b.eq	2f
	bl	stub_putc
	b	1b
2:	adr	x1, bye
	bl	stub_puts
	ldr	x0, =PSCI_SYSTEM_OFF
	smc	#0
	b	.

/* w0: character; x19: UART base. */
stub_putc:
	ldr	w2, [x19, #UART_FR]
	tbnz	w2, #UART_FR_TXFF, stub_putc
	str	w0, [x19, #UART_DR]
	ret

/* x1: NUL-terminated string. */
stub_puts:
	mov	x20, x30
3:	ldrb	w0, [x1], #1
	cbz	w0, 4f
	bl	stub_putc
	b	3b
4:	ret	x20

banner:
	.asciz	"(tessera) stub hypervisor\n(tessera) cpu 0 up\n(domU1) hello: stub\n(domU1) PASS stub-ready\n"
bye:
	.asciz	"\n(tessera) domU1 stopped\n"
	.balign	8
	.ltorg
stub_end:
