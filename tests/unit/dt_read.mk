# Device-tree reads without libfdt's per-step checks (dt/dt_read.c), held
# to libfdt's answers on good, NOP-filled, fallback and mutated trees.
UNIT_TESTS += dt_read
UNIT_SRCS_dt_read := dt/dt_read.c
