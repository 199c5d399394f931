# Mutation fuzzing of the configuration parser, run as a unit test under
# ASan/UBSan with a fixed seed (tests/fuzz/fuzz_cfg.c).
UNIT_TESTS += cfg_fuzz
UNIT_SRCS_cfg_fuzz := tests/fuzz/fuzz_cfg.c $(wildcard dt/cfg*.c) dt/dt_read.c
