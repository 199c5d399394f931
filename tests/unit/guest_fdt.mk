UNIT_TESTS += guest_fdt
UNIT_SRCS_guest_fdt := dt/guest_fdt.c
