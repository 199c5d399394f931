# Device passthrough in the configuration parser (dt/cfg_passthrough.c):
# host tree, partial trees compiled with dtc at run time, read through
# cfg_platform.read_module.
UNIT_TESTS += cfg_pt
UNIT_SRCS_cfg_pt := $(wildcard dt/cfg*.c) dt/guest_fdt.c dt/dt_read.c boot/host_dt.c
