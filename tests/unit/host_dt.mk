# The host DT walker (boot/host_dt.c): crafted DTBs, each in a buffer of
# exactly its size; a walk that never returns fails through SIGALRM.
UNIT_TESTS += host_dt
UNIT_SRCS_host_dt := boot/host_dt.c dt/dt_read.c
