/*
 * Layout of every bare-metal test guest: one arm64 Image linked where QEMU
 * virt (and Tessera, DESIGN.md §5) loads it, RAM base 0x40000000 plus the
 * header's text_offset.  The image is not relocatable: start.S checks that it
 * runs at the link address.  BSS, the TLS block and the stacks are NOLOAD,
 * so the .bin file ends after .data while image_size covers them all.
 * Preprocessed by cpp (guests.mk) for the constants shared with start.S.
 */
#include "asm_defs.h"
OUTPUT_FORMAT("elf64-littleaarch64")
OUTPUT_ARCH(aarch64)
ENTRY(_start)

GUEST_LOAD = GUEST_RAM_BASE + IMAGE_TEXT_OFFSET;

SECTIONS
{
	. = GUEST_LOAD;
	_image_start = .;

	.text : {
		KEEP(*(.text.head))
		*(.text .text.*)
	}
	.rodata : ALIGN(16) {
		*(.rodata .rodata.*)
	}
	.got : ALIGN(16) {
		*(.got .got.plt .igot.plt)
	}
	.iplt : { *(.iplt) }	/* empty: no IFUNCs in a static image */
	.data : ALIGN(16) {
		*(.data .data.*)
	}
	/* Thread-local template (picolibc's errno): used in place by the CPUs. */
	.tdata : ALIGN(16) {
		_tls_start = .;
		*(.tdata .tdata.*)
	}
	.tbss (NOLOAD) : ALIGN(16) {
		*(.tbss .tbss.*)
	}
	/* The linker lets .tbss overlap what follows: reserve its bytes. */
	.tbss_space (NOLOAD) : ALIGN(16) {
		_bss_start = .;
		. = ADDR(.tbss) + SIZEOF(.tbss);
	}
	.bss (NOLOAD) : ALIGN(16) {
		*(.bss .bss.* COMMON)
		. = ALIGN(16);
		_bss_end = .;
	}
	.stack (NOLOAD) : ALIGN(16) {
		. += GUEST_STACK_SIZE;
		_stack_top = .;
		_sec_stacks = .;
		. += GUEST_SEC_STACK_SIZE * GUEST_MAX_CPUS;
		_sec_stacks_end = .;
	}
	. = ALIGN(4096);
	_image_end = .;
	_image_size = _image_end - _image_start;

	/* DWARF, kept in the ELF for gdb, never loaded. */
	.debug_info 0 : { *(.debug_info) }
	.debug_abbrev 0 : { *(.debug_abbrev) }
	.debug_aranges 0 : { *(.debug_aranges) }
	.debug_line 0 : { *(.debug_line) }
	.debug_line_str 0 : { *(.debug_line_str) }
	.debug_str 0 : { *(.debug_str) }
	.debug_loclists 0 : { *(.debug_loclists) }
	.debug_rnglists 0 : { *(.debug_rnglists) }
	.debug_frame 0 : { *(.debug_frame) }
	.debug_loc 0 : { *(.debug_loc) }
	.debug_ranges 0 : { *(.debug_ranges) }
	.symtab 0 : { *(.symtab) }
	.strtab 0 : { *(.strtab) }
	.shstrtab 0 : { *(.shstrtab) }

	/DISCARD/ : {
		*(.comment) *(.note .note.*) *(.eh_frame .eh_frame_hdr)
		*(.ARM.attributes) *(.interp) *(.dynsym) *(.dynstr) *(.hash)
		*(.gnu.hash) *(.rela.*)
	}
}
