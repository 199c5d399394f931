# Configuration parser (dt/cfg*.c; boot/host_dt.c checks partial device
# trees for it).  The cases compile their DTS with dtc at
# run time: inline sources, and the fixtures in tests/unit/fixtures/cfg/
# (found next to the test source, or in $CFG_FIXTURES).
UNIT_TESTS += cfg
UNIT_SRCS_cfg := $(wildcard dt/cfg*.c) dt/dt_read.c boot/host_dt.c
